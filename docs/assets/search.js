// Site search over the Pagefind index (pagefind/, written at build time by the hook), in Material's
// header search box: the same markup and classes as Material's own search, so it looks the same.
// Keyboard as in Material: "/", "s" or "f" focuses the box; arrows move between the box and the
// results; Enter opens the focused (or the first) result; Tab reaches the filters (kind, phase,
// status, region) above the results; Escape, or focus leaving the search, closes. A query
// downloads only the index chunks and result fragments it needs: what a reader fetches does not
// grow with the site (filters with no words typed are the exception: Pagefind's search for null
// fetches every chunk, 3.6 MB at 10,000 drugs, benchmarks/README.md, which starts when the
// reader turns to the filters). Does nothing on builds without the box (plain MkDocs builds keep
// Material's own search).
(function () {
  var box = document.querySelector("[data-pt-search]");
  var toggle = document.getElementById("__search");
  if (!box || !toggle) return;
  // The box's markup (Material's partials/search.html; the page brings its texts and icons as
  // data: partials/pagefind-search.html).
  var icons = box.querySelector(":scope > template");
  if (icons) {
    var d = box.dataset;
    var el = function (tag, attrs, children) {
      var e = document.createElement(tag);
      Object.keys(attrs).forEach(function (name) { e.setAttribute(name, attrs[name]); });
      (children || []).forEach(function (c) { e.append(c); });
      return e;
    };
    var icon = function (i) { var e = icons.content.children[i]; return e ? e.cloneNode(true) : ""; };
    box.replaceChildren(
      el("label", { "class": "md-search__overlay", "for": "__search" }),
      el("div", { "class": "md-search__inner", role: "search" }, [
        el("form", { "class": "md-search__form", name: "pagefind" }, [
          el("input", { type: "text", "class": "md-search__input", name: "query", "aria-label": d.ptPlaceholder, placeholder: d.ptPlaceholder, autocapitalize: "off", autocorrect: "off", autocomplete: "off", spellcheck: "false", required: "" }),
          el("label", { "class": "md-search__icon md-icon", "for": "__search" }, [icon(0), icon(1)]),
          el("nav", { "class": "md-search__options", "aria-label": d.ptLabel }, [
            el("button", { type: "reset", "class": "md-search__icon md-icon", title: d.ptReset, "aria-label": d.ptReset, tabindex: "-1" }, [icon(2)])
          ])
        ]),
        el("div", { "class": "md-search__output" }, [
          el("div", { "class": "md-search__scrollwrap", tabindex: "0", "data-md-scrollfix": "" }, [
            el("div", { "class": "md-search-result" }, [
              el("div", { "class": "md-search-result__meta" }, [d.ptInitializer]),
              el("ol", { "class": "md-search-result__list", role: "presentation" })
            ])
          ])
        ])
      ])
    );
  }
  highlight();
  var form = box.querySelector("form");
  var input = box.querySelector(".md-search__input");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var config = JSON.parse(document.getElementById("__config").textContent);
  var base = new URL(config.base.replace(/\/?$/, "/"), location.href);
  var pagefind = null;
  var loading = null;
  var shown = 10;  // results shown at once; a button below them shows the next ones
  // A count as the pages print it (fragments.number): digits grouped by thousands, "6,219".
  function number(n) { return Number(n).toLocaleString("en-US"); }
  var choices = null;  // the row of filters above the results (when the index has filters)
  var counting = false;  // whether the options show counts: once a reader turns to the filters
  var preloaded = false;  // whether the whole word index was asked for (filters, below)

  // Filters by kind, phase, status and region: Pagefind filters the record pages carry
  // (site/search_meta.py, search_filters), listed with their values by the build in
  // pagefind/parts.json (search_meta.filter_layout), so the box shows them without downloading
  // Pagefind's filter files (214 KB at 10,000 drugs). Each is a labelled select; once the reader
  // turns to them, its options say how many results each value would give.
  var FILTERS = [["kind", "Kind"], ["phase", "Phase"], ["status", "Status"], ["region", "Region"]];
  var drugsIndex = null;  // the Drugs index's address, and a link to it below the filters
  var toIndex = null;
  function facets(lists, indexUrl) {
    var present = FILTERS.filter(function (f) { return (lists[f[0]] || []).length; });
    if (!present.length) return;
    choices = document.createElement("div");
    choices.className = "pt-search-filters";
    choices.setAttribute("role", "group");
    choices.setAttribute("aria-label", "Filter results");
    present.forEach(function (f) {
      var label = document.createElement("label");
      var select = document.createElement("select");
      select.name = f[0];
      var any = document.createElement("option");
      any.value = "";
      any.textContent = "any";
      select.appendChild(any);
      lists[f[0]].forEach(function (pair) {  // [value, the Drugs index's value for it]
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[0];
        option.setAttribute("data-index", pair[1]);
        select.appendChild(option);
      });
      select.addEventListener("change", run);
      label.append(f[1] + " ", select);
      choices.appendChild(label);
    });
    choices.addEventListener("focusin", function () {
      // With no words typed, a choice lists every page holding it, for which Pagefind reads
      // every chunk of its word index (its search for null): fetched while the reader picks, as
      // the Drugs index fetches its rows, not after the choice. With words typed, only theirs.
      if (!preloaded && !input.value.trim()) {
        preloaded = true;
        pagefind.preload(null).catch(function () { preloaded = false; });
      }
      if (!counting) { counting = true; run(); }
    });
    meta.parentNode.insertBefore(choices, meta);
    if (indexUrl) {
      drugsIndex = new URL(indexUrl, base);
      toIndex = document.createElement("p");
      toIndex.className = "pt-search-index";
      toIndex.hidden = true;
      toIndex.appendChild(document.createElement("a"));
      meta.parentNode.insertBefore(toIndex, meta.nextSibling);
    }
  }
  // With no words typed and only phase, status and region chosen (or the kind Drug), the
  // drugs found are those the Drugs index lists for the same filters, which mean the same there
  // (search_meta.search_filters): a link opens them as its table.
  function indexLink(query, c, found) {
    if (!toIndex) return;
    var params = new URLSearchParams();
    var ok = !query && (!c.kind || c.kind === "Drug");
    ["phase", "status", "region"].forEach(function (name) {
      if (!c[name]) return;
      var option = choices.querySelector("select[name=" + name + "] option:checked");
      var value = option && option.getAttribute("data-index");
      if (value) params.set(name, value); else ok = false;
    });
    var drugs = ((found || {}).kind || {}).Drug || 0;
    toIndex.hidden = !ok || !params.toString() || !drugs;
    if (toIndex.hidden) return;
    var link = new URL(drugsIndex.href);
    link.search = params.toString();
    toIndex.firstChild.href = link.href;
    toIndex.firstChild.textContent = (drugs === 1 ? "This drug" : "These " + drugs + " drugs") + " as a table in the Drugs index";
  }
  // Each option says how many results choosing it would give, the other choices kept (and is
  // disabled when that is none):
  // `found`, the counts of the search with every choice (Pagefind counts a filter's values as if
  // each were chosen instead: right for the kind); `others[name]`, of the search with every
  // choice but that filter's, where a phase's or status's count in a chosen region is that of its
  // value there ("stage", "status_in"), and a region's is that of the phase and status there.
  function counts(c, found, others) {
    if (!choices || !counting) return;
    choices.querySelectorAll("select").forEach(function (select) {
      var name = select.name;
      var from = name === "kind" ? found : others[name] || {};
      Array.prototype.forEach.call(select.options, function (option) {
        var v = option.value;
        if (!v) return;
        var n = name === "kind" ? (from.kind || {})[v]
          : name === "phase" ? (c.region ? (from.stage || {})[within(v, c.region)] : (from.phase || {})[v])
          : name === "status" ? (c.region ? (from.status_in || {})[within(v, c.region)] : (from.status || {})[v])
          : c.phase && c.status ? (from.stage_status || {})[within(both(c), v)]
          : c.phase ? (from.stage || {})[within(c.phase, v)]
          : c.status ? (from.status_in || {})[within(c.status, v)]
          : (from.region || {})[v];
        option.textContent = v + " (" + number(n || 0) + ")";
        // A value that would find nothing with the other choices kept cannot be chosen (a dead
        // end), unless it is the one chosen.
        option.disabled = !n && !option.selected;
      });
    });
  }
  function chosen() {
    var c = {};
    if (choices) choices.querySelectorAll("select").forEach(function (s) { if (s.value) c[s.name] = s.value; });
    return c;
  }
  // With a region, a phase or a status means it in that region (the hidden filters "stage",
  // "status_in" and "stage_status": site/search_meta.py search_filters), not a phase somewhere
  // and any row in the region; without one, the drug's headline phase and any of its rows'
  // statuses, as the Drugs index's filters mean them.
  function within(value, region) { return value + " in " + region; }
  function both(c) { return c.phase + ", " + c.status; }  // "stage_status": "approved, active"
  function asked(c) {
    var f = {};
    if (c.kind) f.kind = c.kind;
    if (c.region) {
      if (c.phase && c.status) f.stage_status = within(both(c), c.region);
      else if (c.phase) f.stage = within(c.phase, c.region);
      else if (c.status) f.status_in = within(c.status, c.region);
      else f.region = c.region;
    } else {
      if (c.phase) f.phase = c.phase;
      if (c.status) f.status = c.status;
    }
    return f;
  }
  function without(c, name) {
    var rest = {};
    Object.keys(c).forEach(function (k) { if (k !== name) rest[k] = c[k]; });
    return rest;
  }
  // The filters' counts of a search, `all` (Pagefind's counts over every page) when it is empty.
  function countsOf(query, filters) {
    if (!query && !Object.keys(filters).length) return pagefind.filters();
    return pagefind.search(query || null, { filters: filters }).then(function (s) { return s.filters || {}; });
  }
  // For each of phase, status and region: the counts of the search without that choice (only
  // once a reader turns to the filters, and only when it differs from the search itself).
  function othersOf(query, c, search) {
    var names = ["phase", "status", "region"];
    if (!counting) return Promise.resolve({});
    return Promise.all(names.map(function (name) {
      var rest = name === "region" ? (c.kind ? { kind: c.kind } : {}) : without(c, name);
      var filters = asked(rest);
      return JSON.stringify(filters) === JSON.stringify(asked(c)) ? search.filters || {} : countsOf(query, filters);
    })).then(function (found) {
      var others = {};
      names.forEach(function (name, i) { others[name] = found[i]; });
      return others;
    });
  }

  function say(text) { meta.textContent = text; }
  function load() {
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js", base).href).then(function (module) {
        pagefind = module;
        return pagefind.options({ baseUrl: base.pathname, excerptLength: 24 });
      }).then(function () {
        // A large site is indexed in parts (site/search_index.py): merge them into one search.
        return fetch(new URL("pagefind/parts.json", base).href).then(function (response) {
          return response.ok ? response.json() : { parts: [] };
        }, function () { return { parts: [] }; });
      }).then(function (layout) {
        facets(layout.filters || {}, layout.drugs_index);
        return Promise.all((layout.parts || []).map(function (part) {
          return pagefind.mergeIndex(new URL("pagefind/" + part, base).pathname, { baseUrl: base.pathname });
        }));
      }).then(function () {
        pagefind.init();
        say("Type to start searching");
        if (input.value.trim()) run();
      }, function () { say("Search is not available on this copy of the site"); });
    }
    return loading;
  }

  // Pagefind's excerpt is escaped text with <mark> around the words found: keep only those marks.
  // The text between marks is decoded in an inert parsed document (its scripts never run), after
  // a character that keeps its leading space: a document drops the space a body's text opens
  // with, which glued "name</mark> fails" into "namefails".
  function decode(escaped) {
    var doc = new DOMParser().parseFromString("<!doctype html><body>." + escaped, "text/html");
    return doc.body.textContent.slice(1);
  }
  function excerpt(html, into) {
    html.split(/(<mark>|<\/mark>)/).reduce(function (marked, part) {
      if (part === "<mark>") return true;
      if (part === "</mark>") return false;
      var text = decode(part);
      if (text) {
        if (marked) { var m = document.createElement("mark"); m.textContent = text; into.appendChild(m); }
        else into.appendChild(document.createTextNode(text));
      }
      return marked;
    }, false);
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
    // search.highlight (mkdocs.yml), as Material's own search does it: the page opened from a
    // result marks the words searched for (highlight, below).
    var words = input.value.trim();
    if (words) {
      var target = new URL(data.url, location.href);
      target.searchParams.set("h", words);
      a.href = target.href;
    }
    a.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    var h = document.createElement("h1");
    h.textContent = data.meta.title || data.url;
    var p = document.createElement("p");
    p.className = "pt-search-preview";
    // Record pages carry their one-line summary (what it is, phase, key ids) as the preview; the
    // site's own lists their introduction (render.PageContext.title).
    if (data.meta.summary) p.textContent = data.meta.summary;
    else excerpt(data.excerpt || "", p);
    article.append(icon, h, p);
    // With a region chosen, a drug's stage there, when it is not the summary's highest phase
    // ("highest phase in Japan: phase 2 (discontinued) (gastric cancer, Japan)":
    // search_meta.stages_in_regions).
    var region = chosen().region, here = region && data.meta[within("stage", region)];
    if (here) {
      var stage = document.createElement("p");
      stage.className = "pt-search-stage";
      stage.textContent = here;
      article.appendChild(stage);
    }
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  // A name compared as the drug-name rule compares names (records/normalise.py name_key, for the
  // common characters): case, compatibility forms and the punctuation around ids do not count.
  function key(text) {
    return String(text || "").normalize("NFKC").toLowerCase()
      .split(/[\s\-:,;()\[\]\/]+/).filter(Boolean).join(" ");
  }
  // The record whose title or one of whose names is exactly the query comes first (in Pagefind's
  // order among themselves): word counts must not put "trastuzumab deruxtecan", or a page whose
  // notes repeat a name, above the drug of that name.
  function exactFirst(query, found) {
    var wanted = key(query);
    function exact(data) {
      var names = [data.meta.title].concat(String(data.meta.names || "").split(" | "));
      return names.some(function (n) { return key(n) === wanted; });
    }
    return found.filter(exact).concat(found.filter(function (d) { return !exact(d); }));
  }

  var latest = 0;
  function run() {
    if (!pagefind) { load(); return; }
    var query = input.value.trim();
    var c = chosen();
    var filters = asked(c);
    var ticket = ++latest;
    if (!query && !Object.keys(filters).length) {
      indexLink(query, c, null);
      list.textContent = "";
      say("Type to start searching");
      if (counting) pagefind.filters().then(function (all) {
        if (ticket === latest) counts(c, all, { phase: all, status: all, region: all });
      }, function () {});
      return;
    }
    // No query but a filter: every page with those values (Pagefind's search for null).
    pagefind.debouncedSearch(query || null, { filters: filters }, 120).then(function (search) {
      if (!search || ticket !== latest) return null;
      var data = Promise.all(search.results.slice(0, shown).map(function (r) { return r.data(); }));
      return Promise.all([othersOf(query, c, search), data]).then(function (done) {
        if (ticket !== latest) return;
        counts(c, search.filters || {}, done[0]);
        indexLink(query, c, search.filters);
        var found = query ? exactFirst(query, done[1]) : done[1];
        list.textContent = "";
        found.forEach(function (data) { list.appendChild(item(data)); });
        more(search, shown, ticket);
        var n = search.results.length;
        say(n === 0 ? "No matching documents" : n === 1 ? "1 matching document" : number(n) + " matching documents");
      });
    });
  }

  // "Show 10 more": the next results, after those shown (a filter alone can list thousands).
  function more(search, from, ticket) {
    var left = search.results.length - from;
    if (left <= 0) return;
    var li = document.createElement("li");
    li.className = "md-search-result__item pt-search-more";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button";
    button.textContent = left <= shown ? "Show " + number(left) + " more" : "Show " + shown + " more (" + number(left) + " left)";
    button.addEventListener("click", function () {
      button.disabled = true;
      Promise.all(search.results.slice(from, from + shown).map(function (r) { return r.data(); }))
        .then(function (found) {
          if (ticket !== latest) return;
          li.remove();
          found.forEach(function (data) { list.appendChild(item(data)); });
          more(search, from + shown, ticket);
          var first = links()[from];
          if (first) first.focus();
        });
    });
    li.appendChild(button);
    list.appendChild(li);
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link")); }
  function open() { if (!toggle.checked) { toggle.checked = true; toggle.dispatchEvent(new Event("change")); } }
  function close() {
    if (toggle.checked) { toggle.checked = false; toggle.dispatchEvent(new Event("change")); }
    input.blur();
  }

  input.addEventListener("focus", function () { open(); load(); });
  // Tab moves from the box to the filters; focus leaving the search closes it.
  box.addEventListener("focusout", function (e) {
    if (toggle.checked && e.relatedTarget && !box.contains(e.relatedTarget)) close();
  });
  input.addEventListener("input", run);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(run, 0); });
  toggle.addEventListener("change", function () { if (toggle.checked) { load(); input.focus(); } });

  document.addEventListener("keydown", function (e) {
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    var active = document.activeElement;
    if (toggle.checked) {
      if (e.key === "Escape") { close(); return; }
      if (active && active.tagName === "SELECT") return;  // a filter: its own keys
      var all = [input].concat(links());
      var at = all.indexOf(active);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        var next = at < 0 ? 0 : (at + (e.key === "ArrowDown" ? 1 : all.length - 1)) % all.length;
        all[next].focus();
        e.preventDefault();
      } else if (e.key === "Enter" && active === input) {
        var first = links()[0];
        if (first) { e.preventDefault(); first.click(); }
      }
      return;
    }
    var editable = active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
    if (!editable && (e.key === "/" || e.key === "s" || e.key === "f")) {
      e.preventDefault();
      open();
      input.focus();
      input.select();
    }
  });

  // A page opened from a search result (?h=words) marks those words in its article, as Material's
  // search.highlight does: each word where a word of the page starts with it (anywhere in Chinese
  // text, which has no spaces between words), case aside. When the page holds the words as typed
  // ("synthdrug-00005", "trastuzumab deruxtecan"), only they are marked, not every "synthdrug".
  // Text nodes are split and wrapped, never parsed: the words come from a URL anyone can write.
  function highlight() {
    var words = new URLSearchParams(location.search).get("h");
    var article = document.querySelector("article.md-content__inner");
    if (!words || !article) return;
    function escaped(w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
    function atWordStart(w, source) {
      return /\p{Script=Han}/u.test(w) ? source : "(?<![\\p{L}\\p{N}])" + source;
    }
    var phrase = atWordStart(words, words.trim().split(/\s+/).map(escaped).join("\\s+"));
    var terms = words.split(/[\s\-:,;()\[\]\/]+/).filter(function (w) { return w.length > 1; })
      .slice(0, 10).map(function (w) { return atWordStart(w, escaped(w)); });
    if (!terms.length) return;
    function holding(pattern) {
      var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
        acceptNode: function (node) {
          return node.parentElement.closest("script, style, svg, textarea, mark, .headerlink")
            ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
        }
      });
      var nodes = [];
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        pattern.lastIndex = 0;
        if (pattern.test(node.data)) nodes.push(node);
      }
      return nodes;
    }
    var pattern = new RegExp(phrase, "giu");
    var found = holding(pattern);
    if (!found.length) {  // not as typed within one text (or not at all): its words, each
      pattern = new RegExp(terms.join("|"), "giu");
      found = holding(pattern);
    }
    found.forEach(function (node) {
      var text = node.data, at = 0, parts = [], m;
      pattern.lastIndex = 0;
      while ((m = pattern.exec(text)) !== null) {
        if (!m[0]) { pattern.lastIndex++; continue; }
        if (m.index > at) parts.push(document.createTextNode(text.slice(at, m.index)));
        var mark = document.createElement("mark");
        mark.setAttribute("data-md-highlight", "");
        mark.textContent = m[0];
        parts.push(mark);
        at = m.index + m[0].length;
      }
      if (at < text.length) parts.push(document.createTextNode(text.slice(at)));
      node.replaceWith.apply(node, parts);
    });
  }
})();

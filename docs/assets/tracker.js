// Sortable tables: a header of a .pt-sortable table is a button that sorts by its column (no dependencies).
// Filters: a text box above each .pt-sortable table, and type/region/year selects on the timeline.
// Without JavaScript every row and event simply stays visible.
(function () {
  // A count as the pages print it (fragments.number): digits grouped by thousands, "6,219".
  function number(n) { return Number(n).toLocaleString("en-US"); }
  function key(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    var num = parseFloat(raw);
    return isNaN(num) || !/^-?[\d.]+/.test(raw) ? raw.toLowerCase() : num;
  }
  // A row and the note rows under it (tr.pt-subrow) sort, filter and count as one.
  function rowGroups(body) {
    var groups = [];
    Array.prototype.forEach.call(body.rows, function (row) {
      if (row.classList.contains("pt-subrow") && groups.length) groups[groups.length - 1].push(row);
      else groups.push([row]);
    });
    return groups;
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    if (!body) return;
    // A paged list sorts as a whole: its every row comes in first (then this runs again).
    if (table.ptWhole && !table.ptWhole(function () { sortBy(table, index, th); })) return;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var groups = rowGroups(body);
    groups.sort(function (a, b) {
      var x = key(a[0].cells[index]), y = key(b[0].cells[index]);
      if (typeof x !== typeof y) { x = String(x); y = String(y); }
      return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
    });
    groups.forEach(function (g) { g.forEach(function (row) { body.appendChild(row); }); });
    if (table.ptShowing && table.ptShowing() === "all") table.ptApply();  // the first rows, sorted
  }
  // A word typed into a filter that a row holds only among a cell's "N more" opens them, so the
  // row shows what it matched; they close again when the words no longer need them.
  function openWhereFound(row, words) {
    Array.prototype.forEach.call(row.querySelectorAll("details.pt-more"), function (d) {
      var text = words.length ? d.textContent.toLowerCase() : "";
      if (words.some(function (w) { return text.indexOf(w) !== -1; })) { d.open = true; d.ptOpened = true; }
      else if (d.ptOpened) { d.open = false; d.ptOpened = false; }
    });
  }
  // A paged list (table[data-pt-paged], site/listing.py): the page holds some rows, the JSON file
  // it names every row of the list, made by the build from the same rendered rows (labels,
  // qualifiers and links as data). A filter reads the whole list: the first one set loads the
  // file and the table shows the matching rows of every page; with no filter the page's own rows
  // return. Rows are built with createElement and textContent, only from the tags and attributes
  // below; a link goes nowhere but http(s) (a "#note" link is to the note on the row's own page).
  // The file is gzipped JSON (urls.list_rows_url), inflated here with the browser's own
  // DecompressionStream. A server that sends it with Content-Encoding: gzip has already
  // inflated it: then the bytes do not start with gzip's magic number and are read as they are.
  function inflateJson(buffer) {
    var bytes = new Uint8Array(buffer);
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return JSON.parse(new TextDecoder().decode(bytes));
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).json();
  }
  var TAGS = { a: 1, abbr: 1, b: 1, code: 1, em: 1, i: 1, q: 1, small: 1, span: 1, strong: 1, sub: 1, sup: 1, time: 1, br: 1, ul: 1, li: 1, details: 1, summary: 1 };
  var ATTRS = { href: 1, "class": 1, title: 1, lang: 1, hidden: 1, datetime: 1, "aria-label": 1 };
  function setAttrs(el, attrs, base, page) {
    Object.keys(attrs).forEach(function (name) {
      if (!ATTRS[name] && name.indexOf("data-") !== 0) return;
      var value = attrs[name];
      if (name === "href") {
        var url = new URL(value, value.charAt(0) === "#" ? page : base);
        if (url.protocol !== "http:" && url.protocol !== "https:") return;
        value = url.href;
      }
      el.setAttribute(name, value);
    });
  }
  function buildNodes(nodes, parent, base, page) {
    nodes.forEach(function (n) {
      if (typeof n === "string") { parent.appendChild(document.createTextNode(n)); return; }
      if (!TAGS[n[0]]) { buildNodes(n[2], parent, base, page); return; }
      var el = document.createElement(n[0]);
      setAttrs(el, n[1], base, page);
      buildNodes(n[2], el, base, page);
      parent.appendChild(el);
    });
  }
  // labels: the column headers as the page first had them, for data-label (as labelCells).
  function rowsOf(data, base, labels) {
    var pages = data.pages.map(function (p) { return new URL(p, base).href; });
    return data.rows.map(function (r) {
      var page = pages[r[0] - 1] || base, tr = document.createElement("tr");
      setAttrs(tr, r[1], base, page);
      r[2].forEach(function (c, index) {
        var td = document.createElement("td");
        setAttrs(td, c[0], base, page);
        if (labels[index] && r[2].length > 1) td.setAttribute("data-label", labels[index]);
        buildNodes(c[1], td, base, page);
        tr.appendChild(td);
        tr.appendChild(document.createTextNode(" "));
      });
      return tr;
    });
  }
  // A table as laid out on the page: its scroll box when it has one (what goes above or below
  // the table goes outside that box).
  function placed(table) {
    return table.parentNode.classList.contains("pt-scroll") ? table.parentNode : table;
  }
  // The pagers of this table's list: beside it (a record's page may page several sections).
  function ownPagers(table) {
    var found = [], box = placed(table);
    ["previousElementSibling", "nextElementSibling"].forEach(function (way) {
      var el = box[way];
      while (el && !/^(TABLE|H2|H3)$/.test(el.tagName) && !el.querySelector("table")) {
        if (el.hasAttribute("data-pt-pager")) found.push(el);
        el = el[way];
      }
    });
    return found;
  }
  function addFilter(table) {
    var body = table.tBodies[0];
    var paged = table.getAttribute("data-pt-paged");
    // One row needs no text filter, unless the region filters above it need the machinery (a
    // company with one drug still shows that drug's phase in the region a link names).
    if (!body || (body.rows.length < 2 && !paged && !table.classList.contains("pt-region-filtered"))) return;
    var caption = table.caption ? table.caption.textContent.trim() : "the table";
    var box = document.createElement("div");
    box.className = "pt-filter";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "Filter rows";
    input.setAttribute("aria-label", "Filter rows of: " + caption);
    // A table of one row keeps its count (the region and phase filters above it say what they
    // leave) but no text box: there is nothing to narrow down by typing.
    input.hidden = body.rows.length < 2 && !paged;
    var count = document.createElement("span");
    count.className = "pt-filter__count";
    count.setAttribute("aria-live", "polite");
    box.appendChild(input);
    box.appendChild(count);
    // Above the table's scroll box, not in it: a box that scrolls its rows keeps the filter in view.
    placed(table).parentNode.insertBefore(box, placed(table));
    var caption0 = table.caption ? table.caption.textContent : "";
    // Other filters (the region and phase selects) add a row test and say whether they are set.
    var labels = table.tHead ? Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.textContent.trim(); }) : [];
    var own = Array.prototype.slice.call(body.rows), all = null, loading = null, failed = false;
    var jsonUrl = paged ? new URL(paged, window.location.href).href : "";
    var showing = "own", wholeWanted = false, pendingSort = null;
    // The whole list shown (filtered or sorted) comes a page at a time (`step`: the rows of its
    // first page), with a button for the next: thousands of rows laid out at once took seconds.
    var step = 0, upTo = 0, more = null, keepMore = false;
    table.ptShowing = function () { return showing; };
    function moreButton() {
      if (more) return more;
      more = document.createElement("p");
      more.className = "pt-filter__more";
      more.hidden = true;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button";
      button.addEventListener("click", function () {
        upTo += step;
        keepMore = true;
        table.ptApply();
      });
      more.appendChild(button);
      placed(table).parentNode.insertBefore(more, placed(table).nextSibling);
      return more;
    }
    // Sorting a paged list sorts all of it: false while its rows are still coming in.
    table.ptWhole = function (then) {
      if (!paged || failed || showing === "all") return true;
      wholeWanted = true;
      pendingSort = then;
      table.ptApply();
      return false;
    };
    function showRows(which) {
      if (showing === which) return;
      showing = which;
      body.textContent = "";
      (which === "all" ? all : own).forEach(function (row) { body.appendChild(row); });
      ownPagers(table).forEach(function (nav) { nav.hidden = which === "all"; });
      if (table.ptOnRows) table.ptOnRows();
    }
    function loadAll() {
      if (loading) return;
      loading = fetch(jsonUrl).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.arrayBuffer();
      }).then(inflateJson).then(function (data) {
        all = rowsOf(data, jsonUrl, labels);
        step = data.rows.filter(function (r) { return r[0] === 1 && !/(^| )pt-subrow( |$)/.test(r[1]["class"] || ""); }).length;
      }, function () { failed = true; })
        .then(function () { table.ptApply(); });
    }
    // A reader who turns to the filters of a paged list (focus) has its rows come in, so the
    // choices count every page before one is made; the table keeps showing its own page.
    table.ptPrefetch = function () { if (paged && !failed && !all) loadAll(); };
    table.ptApply = function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var extra = table.ptMatch && table.ptActive && table.ptActive();
      var whole = words.length || extra || wholeWanted;
      if (paged && !failed) {
        if (whole && !all) {
          count.textContent = "Loading every row of the list…";
          loadAll();
          return;
        }
        showRows(whole ? "all" : "own");
      }
      if (!keepMore) upTo = step;  // a new filter or sort starts again at its first page
      keepMore = false;
      var paging = showing === "all" && step > 0;
      var shown = 0, visible = 0, groups = rowGroups(body);
      groups.forEach(function (g) {
        var text = words.length ? g.map(function (row) { return row.textContent; }).join(" ").toLowerCase() : "";
        var match = words.every(function (w) { return text.indexOf(w) !== -1; }) && (!extra || table.ptMatch(g[0]));
        var show = match && (!paging || visible < upTo);
        g.forEach(function (row) { row.hidden = !show; openWhereFound(row, show ? words : []); });
        if (match) shown += 1;
        if (show) visible += 1;
      });
      var filtered = words.length || extra;
      var firstOf = visible < shown ? "; the first " + number(visible) + " shown" : "";
      count.textContent = filtered ? number(shown) + " of " + number(groups.length) + " rows" + (showing === "all" ? " (every page of the list)" + firstOf : failed ? " on this page (the rest of the list could not be loaded)" : "") : "";
      if (!filtered && showing === "all") count.textContent = number(groups.length) + " rows (every page of the list)" + firstOf;
      if (paging || more) {
        moreButton().hidden = !paging || visible >= shown;
        more.firstChild.textContent = "Show " + number(Math.min(step, shown - visible)) + " more rows";
      }
      if (table.caption) table.caption.textContent = filtered ? number(shown) + " of " + caption0 : caption0;
      if (pendingSort) { var sort = pendingSort; pendingSort = null; sort(); }
      if (table.ptOnApply) table.ptOnApply();
    };
    // For the filters' counts: every row of the list with the words typed (not the note rows
    // under a row); null while a paged list's rows have not come in (or could not).
    table.ptCountRows = function () {
      var rows = paged ? (failed ? null : all) : Array.prototype.slice.call(body.rows);
      if (!rows) return null;
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      return rows.filter(function (row) {
        if (row.classList.contains("pt-subrow")) return false;
        var text = words.length ? row.textContent.toLowerCase() : "";
        return words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    };
    input.addEventListener("input", table.ptApply);
  }
  // A filter's state is the page's query string (?region=CN&phase=approved), so a filtered view
  // can be shared and a reload restores it. fromQuery chooses what the address names; a value no
  // choice has is kept (it then leaves nothing) rather than dropped, as an option `unknown` labels.
  function fromQuery(selects, unknown) {
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (s) {
      var wanted = params.get(s.name);
      if (!wanted) return;
      if (!Array.prototype.some.call(s.options, function (o) { return o.value === wanted; })) {
        var option = document.createElement("option");
        option.value = wanted;
        unknown(option, s);
        s.appendChild(option);
      }
      s.value = wanted;
    });
    return params;
  }
  // The address again after a choice (no new history entry); returns its query.
  function toQuery(selects) {
    var query = new URLSearchParams(window.location.search);
    selects.forEach(function (s) { if (s.value) query.set(s.name, s.value); else query.delete(s.name); });
    var text = query.toString();
    window.history.replaceState(window.history.state, "", window.location.pathname + (text ? "?" + text : "") + window.location.hash);
    return query;
  }
  // Filters above a drug table (region, phase, route, development status, modality, target,
  // company); their state is the page's query string, so a filtered view can be shared and a
  // reload restores it. Rows carry, made at build time: data-regions (every region their rows lie
  // within), data-stages (region=highest phase there), data-phase (highest anywhere),
  // data-facets (region|route|status of each row; * for any region; absent when every row is
  // active with no route stated), data-modality,
  // data-targets, data-companies. The phase cell holds, hidden, the badge of each region whose
  // highest phase differs from the one anywhere: with a region chosen it shows that region's (the
  // build's decision, not worked out here), and the column header says which region.
  function initRegionFilter() {
    var form = document.querySelector("form[data-pt-region-filter]");
    var table = document.querySelector("table.pt-region-filtered");
    if (!form || !table || form.dataset.ready || !table.ptApply) return;
    form.dataset.ready = "1";
    // The choices of the longer filters come as JSON ({name: [[value, label], …]}): one line of a
    // page instead of an <option> element each.
    var choices = form.querySelector("script[data-pt-options]");
    if (choices) {
      var lists = JSON.parse(choices.textContent || "{}");
      Object.keys(lists).forEach(function (name) {
        var box = form.elements[name];
        if (!box) return;
        lists[name].forEach(function (pair) {
          var option = document.createElement("option");
          option.value = pair[0];
          option.textContent = pair[1];
          box.appendChild(option);
        });
      });
    }
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    // Each choice's own label, to which its count is added (a shared link's unknown value has none).
    selects.forEach(function (s) {
      Array.prototype.forEach.call(s.options, function (o) { if (o.value) o.setAttribute("data-label", o.textContent); });
    });
    fromQuery(selects, function (option) { option.textContent = option.value + " (none here)"; });
    function has(list, value) { return (" " + (list || "") + " ").indexOf(" " + value + " ") !== -1; }
    function wanted() {
      var v = {};
      selects.forEach(function (s) { v[s.name] = s.value; });
      return v;
    }
    table.ptActive = function () { return selects.some(function (s) { return !!s.value; }); };
    table.ptMatch = function (row) { return match(row, wanted()); };
    function match(row, v) {
      if (v.region) {
        if (!has(row.dataset.regions, v.region)) return false;
        if (v.phase && !has(row.dataset.stages, v.region + "=" + v.phase)) return false;
      } else if (v.phase && row.dataset.phase !== v.phase) return false;
      if ((v.route || v.status) && !row.hasAttribute("data-facets")) {
        // No data-facets: every row of this drug is active with no route stated.
        if ((v.route && v.route !== "not-stated") || (v.status && v.status !== "active")) return false;
      } else if (v.route || v.status) {
        var place = v.region || "*";
        var any = (row.dataset.facets || "").split(" ").some(function (token) {
          var f = token.split("|");
          return f[0] === place && (!v.route || f[1] === v.route) && (!v.status || f[2] === v.status);
        });
        if (!any) return false;
      }
      if (v.modality && row.dataset.modality !== v.modality) return false;
      if (v.target && !has(row.dataset.targets, v.target)) return false;
      if (v.company && !has(row.dataset.companies, v.company)) return false;
      return true;
    }
    // Each choice says how many rows it would show with the other choices (and the words typed)
    // kept, as the search box's filters do; one that would show none is disabled unless chosen
    // ("special access only (0)" with no region chosen, where every drug with special access
    // has a phase too). A paged list counts once its every row has come in (when a reader
    // turns to its filters: ptPrefetch); until then the choices show no count. The counts ask
    // `match`, the same test the table's rows pass.
    function tokens(list) { return (list || "").split(" ").filter(Boolean); }
    function candidates(row, name) {  // the values of a filter a row might match (match decides)
      var d = row.dataset;
      if (name === "region") return tokens(d.regions);
      if (name === "phase") return [d.phase].concat(tokens(d.stages).map(function (t) { return t.slice(t.indexOf("=") + 1); }));
      if (name === "route" || name === "status") {
        if (!row.hasAttribute("data-facets")) return [name === "route" ? "not-stated" : "active"];
        return tokens(d.facets).map(function (t) { return t.split("|")[name === "route" ? 1 : 2]; });
      }
      if (name === "modality") return [d.modality];
      return tokens(name === "target" ? d.targets : d.companies);
    }
    function counts(rows) {
      var v = wanted(), tally = {};
      selects.forEach(function (s) {
        var found = tally[s.name] = {}, others = Object.assign({}, v);
        others[s.name] = "";
        rows.forEach(function (row) {
          // A row the other choices rule out is not counted; not so for a region, which changes
          // what the phase, route and status choices mean.
          if (s.name !== "region" && !match(row, others)) return;
          var seen = {};
          candidates(row, s.name).forEach(function (x) {
            if (!x || seen[x]) return;
            seen[x] = 1;
            var trial = Object.assign({}, others);
            trial[s.name] = x;
            if (match(row, trial)) found[x] = (found[x] || 0) + 1;
          });
        });
      });
      return tally;
    }
    function showCounts() {
      form.removeAttribute("aria-busy");
      var rows = table.ptCountRows ? table.ptCountRows() : null, tally = rows ? counts(rows) : null;
      selects.forEach(function (s) {
        Array.prototype.forEach.call(s.options, function (o) {
          var label = o.getAttribute("data-label");
          if (label === null) return;
          var n = tally ? tally[s.name][o.value] || 0 : null;
          o.textContent = n === null ? label : label + " (" + number(n) + ")";
          o.disabled = n === 0 && !o.selected;
        });
      });
    }
    // A choice made counts at once; typing in the text box counts once it pauses (the form is
    // aria-busy until then).
    var counting = 0, countNow = true;
    table.ptOnApply = function () {
      window.clearTimeout(counting);
      if (countNow) { countNow = false; showCounts(); return; }
      form.setAttribute("aria-busy", "true");
      counting = window.setTimeout(showCounts, 50);
    };
    // The phase column: the region's own highest phase when a region is chosen (and sorts by it).
    table.ptOnRows = function () { showStages(); };  // rows of the whole list came in
    function showStages() {
      var region = wanted().region || "";
      var where = table.querySelector(".pt-stage-where");
      if (where) {
        var chosen = form.elements.region.options[form.elements.region.selectedIndex];
        where.textContent = region ? (region === "WW" ? " worldwide" : " in " + (chosen.getAttribute("data-label") || chosen.textContent)) : "";
        where.hidden = !region;
      }
      // A company's programmes (each carries the regions it lies within): with a region chosen,
      // those within it, as the row's other columns then speak of that region.
      Array.prototype.forEach.call(table.querySelectorAll(".pt-programmes > li[data-regions]"), function (item) {
        item.hidden = !!region && !has(item.dataset.regions, region);
      });
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var badges = row.querySelectorAll(".pt-stage");
        if (!badges.length) return;
        var hit = Array.prototype.some.call(badges, function (b) { return b.dataset.stageRegion === region; }) ? region : "";
        Array.prototype.forEach.call(badges, function (b) {
          b.hidden = b.dataset.stageRegion !== hit;
          if (!b.hidden) {
            var cell = b.parentNode;
            if (!cell.hasAttribute("data-sort-any")) cell.setAttribute("data-sort-any", cell.getAttribute("data-sort"));
            cell.setAttribute("data-sort", hit ? b.dataset.rank : cell.getAttribute("data-sort-any"));
          }
        });
      });
    }
    form.addEventListener("change", function () {
      toQuery(selects);
      showStages();
      countNow = true;
      table.ptApply();
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("focusin", function () { if (table.ptPrefetch) table.ptPrefetch(); });
    form.hidden = false;
    showStages();
    table.ptApply();
  }
  function select(label, values, names) {
    var wrap = document.createElement("label");
    wrap.textContent = label + " ";
    var box = document.createElement("select");
    var all = document.createElement("option");
    all.value = "";
    all.textContent = "all";
    box.appendChild(all);
    values.forEach(function (v) {
      var option = document.createElement("option");
      option.value = v;
      option.textContent = names[v] || v;
      option.setAttribute("data-label", option.textContent);
      box.appendChild(option);
    });
    wrap.appendChild(box);
    return wrap;
  }
  function initTimeline() {
    var holder = document.querySelector("[data-pt-timeline-filters]");
    if (!holder || holder.dataset.ready) return;
    holder.dataset.ready = "1";
    var events = Array.prototype.slice.call(document.querySelectorAll("article.pt-event"));
    var types = {}, years = {};
    events.forEach(function (e) {
      types[e.dataset.type] = 1;
      years[e.dataset.year] = 1;
    });
    // Regions as the build lists them ([[code, name], …], Worldwide first): every region the
    // events lie within (data-regions), so China holds a Hainan event, as in the drug tables.
    var listed = holder.querySelector("script[data-pt-options]");
    var regions = listed ? JSON.parse(listed.textContent || "{}").region || [] : [], regionNames = {};
    regions.forEach(function (pair) { regionNames[pair[0]] = pair[1]; });
    var yearList = Object.keys(years).sort().reverse();
    var yearNames = { undated: "date not reported" };
    function names(name) { return name === "region" ? regionNames : name === "year" ? yearNames : {}; }
    var controls = [
      ["type", select("Type", Object.keys(types).sort(), {})],
      ["region", select("Region", regions.map(function (pair) { return pair[0]; }), regionNames)],
      ["year", select("Year", yearList, yearNames)]
    ];
    // The filters' state is the page's query string, as a drug table's (fromQuery, toQuery); the
    // year pager's links keep type and region (each page is a year).
    var boxes = controls.map(function (c) {
      var box = c[1].querySelector("select");
      box.name = c[0];
      return box;
    });
    var params = fromQuery(boxes, function (option, box) {
      option.setAttribute("data-label", names(box.name)[option.value] || option.value);
    });
    // A filter with one value on this page (the year of a year's page) narrows nothing.
    controls.forEach(function (c) {
      var box = c[1].querySelector("select");
      c[1].hidden = box.options.length <= 2 && !box.value;
    });
    var count = document.createElement("span");
    count.className = "pt-filter__count";
    count.setAttribute("aria-live", "polite");
    controls.forEach(function (c) { holder.appendChild(c[1]); });
    holder.appendChild(count);
    holder.hidden = false;
    function valuesOf(e, name) {
      return name === "region" ? (e.dataset.regions || "").split(" ").filter(Boolean) : [e.dataset[name]];
    }
    function matches(e, want) {
      return controls.every(function (c) {
        return !want[c[0]] || valuesOf(e, c[0]).indexOf(want[c[0]]) !== -1;
      });
    }
    function apply() {
      var want = {};
      controls.forEach(function (c) { want[c[0]] = c[1].querySelector("select").value; });
      var shown = 0;
      events.forEach(function (e) {
        var ok = matches(e, want);
        e.hidden = !ok;
        if (ok) shown += 1;
      });
      // Each choice says how many events of this page it leaves with the other choices kept,
      // as a drug table's filters do; one that leaves none is disabled unless chosen.
      controls.forEach(function (c) {
        var name = c[0], others = Object.assign({}, want), found = {};
        others[name] = "";
        events.forEach(function (e) {
          if (matches(e, others)) valuesOf(e, name).forEach(function (v) { found[v] = (found[v] || 0) + 1; });
        });
        Array.prototype.forEach.call(c[1].querySelector("select").options, function (o) {
          if (!o.value) return;
          o.textContent = o.getAttribute("data-label") + " (" + number(found[o.value] || 0) + ")";
          o.disabled = !found[o.value] && !o.selected;
        });
      });
      document.querySelectorAll(".md-content h2").forEach(function (h) {
        var next = h.nextElementSibling, any = false, seen = false;
        while (next && next.tagName !== "H2") {
          if (next.matches("article.pt-event")) { seen = true; if (!next.hidden) any = true; }
          next = next.nextElementSibling;
        }
        if (seen) {
          h.hidden = !any;
          // The page's table of contents leaves out a year the filters emptied.
          document.querySelectorAll(".md-nav--secondary a.md-nav__link").forEach(function (a) {
            if (h.id && a.getAttribute("href") === "#" + h.id) a.parentNode.hidden = !any;
          });
        }
      });
      count.textContent = number(shown) + " of " + number(events.length) + " events";
    }
    function keepInPager(query) {
      var kept = new URLSearchParams();
      ["type", "region"].forEach(function (name) { if (query.get(name)) kept.set(name, query.get(name)); });
      document.querySelectorAll("nav[data-pt-years] a").forEach(function (a) {
        if (!a.dataset.ptHref) a.dataset.ptHref = a.getAttribute("href");
        var text = kept.toString();
        a.setAttribute("href", a.dataset.ptHref + (text ? "?" + text : ""));
      });
    }
    controls.forEach(function (c) {
      c[1].querySelector("select").addEventListener("change", function () { apply(); keepInPager(toQuery(boxes)); });
    });
    apply();
    keepInPager(params);
  }
  // Phone cards: every body cell gets its column's header as data-label, which layout.css shows
  // on phones ("Phase: filed"). The build labels only the columns layout.css sizes by name
  // (site/cards.py); the rest come from the table's one header row, here.
  function labelCells() {
    document.querySelectorAll("table.pt-table:not(.pt-landscape)").forEach(function (table) {
      if ((table.getAttribute("class") || "").indexOf("pt-table") !== 0) return;
      var head = table.tHead;
      if (!head || !head.rows.length) return;
      var labels = Array.prototype.map.call(head.rows[0].cells, function (th) { return th.textContent.trim(); });
      Array.prototype.forEach.call(table.rows, function (row) {
        if (row.parentNode === head || row.querySelector("[colspan]")) return;
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (labels[index] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", labels[index]);
        });
      });
    });
  }
  function init() {
    labelCells();
    document.querySelectorAll("table.pt-sortable").forEach(function (table) {
      var head = table.tHead;
      if (!head || table.dataset.sortable) return;
      table.dataset.sortable = "1";
      addFilter(table);
      // Each header's text goes into a real button (Enter and Space sort); aria-sort stays on th.
      Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "pt-sort";
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        button.addEventListener("click", function () { sortBy(table, index, th); });
      });
    });
    initRegionFilter();
    initTimeline();
    citeFormats();
    viewDocuments();
    // A code block wider than its column scrolls: keyboard users reach it with Tab to scroll it.
    document.querySelectorAll(".md-typeset pre > code").forEach(function (code) {
      if (code.scrollWidth > code.clientWidth + 1 && !code.hasAttribute("tabindex")) code.tabIndex = 0;
    });
  }
  // "View this record" and "JSON" link to the record's document in a gzip-compressed shard
  // (data/<kind>/<shard>.json.gz#<id>); a click opens that one document, inflated and indented,
  // instead of downloading the shard. Without JavaScript (or DecompressionStream) the link
  // downloads the shard.
  function viewDocuments() {
    document.querySelectorAll("a.pt-edit[href*='.json.gz#'], a.pt-json[href*='.json.gz#']").forEach(function (link) {
      if (link.dataset.ptView) return;
      link.dataset.ptView = "1";
      link.addEventListener("click", function (event) {
        if (typeof DecompressionStream === "undefined" || event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        var id = decodeURIComponent(link.hash.slice(1));
        var shown = window.open("", "_blank");
        fetch(link.href.split("#")[0]).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.arrayBuffer();
        }).then(inflateJson).then(function (shard) {
          var doc = (shard.records || {})[id];
          var text = JSON.stringify(doc === undefined ? shard : doc, null, 2);
          var url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
          if (shown) shown.location.href = url; else window.location.href = url;
        }).catch(function () {
          if (shown) shown.close();
          window.location.href = link.href;
        });
      });
    });
  }
  // "Cite this page": BibTeX and RIS from the section's data-cite-* fields (render.citation),
  // written here only (a few hundred bytes of every page otherwise). Without JavaScript the plain
  // citation stays.
  function citeFormats() {
    document.querySelectorAll(".pt-cite-this[data-cite-key]").forEach(function (box) {
      var f = box.dataset;
      if (box.querySelector(".pt-cite-this__formats")) return;
      // Made here, not written into every page: without JavaScript there is nothing to show.
      function el(tag, className, text) {
        var node = document.createElement(tag);
        if (className) node.className = className;
        if (text) node.textContent = text;
        return node;
      }
      var details = el("details", "pt-cite-this__formats");
      var codes = {};
      details.appendChild(el("summary", "", "BibTeX and RIS"));
      [["BibTeX", "bibtex"], ["RIS", "ris"]].forEach(function (format) {
        var pre = el("pre");
        pre.appendChild(codes[format[1]] = el("code", "pt-cite-this__" + format[1]));
        details.appendChild(el("p", "", format[0]));
        details.appendChild(pre);
      });
      function bib(value) { return (value || "").replace(/[{}\\%#&$_^~]/g, ""); }
      var bibtex = ["@misc{" + f.citeKey + ",", "  title = {" + bib(f.citeTitle) + "},",
        "  author = {{" + bib(f.citeSite) + "}},", "  howpublished = {" + bib(f.citeUrl) + "},"];
      var ris = ["TY  - ELEC", "TI  - " + f.citeTitle, "AU  - " + f.citeSite, "UR  - " + f.citeUrl];
      if (f.citeVersion) {
        if (f.citeYear) { bibtex.push("  year = {" + f.citeYear + "},"); ris.push("PY  - " + f.citeYear); }
        bibtex.push("  version = {" + f.citeVersion + "},", "  note = {Data version " + f.citeVersion + "},");
        ris.push("ET  - " + f.citeVersion);
      }
      bibtex.push("}");
      ris.push("ER  - ");
      codes.bibtex.textContent = bibtex.join("\n");
      codes.ris.textContent = ris.join("\n");
      box.appendChild(details);
    });
  }
  // Printing shows the citation's BibTeX and RIS too, and every drug of a crowded cell.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".pt-cite-this details, details.pt-more").forEach(function (d) { d.open = true; });
  });
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();

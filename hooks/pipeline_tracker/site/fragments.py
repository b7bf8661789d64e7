"""The small pieces of HTML a page repeats hundreds of times (badges, citation marks, inferred
marks, headings, links), as Python functions: a Jinja macro call costs several times an
f-string, and a record page holds hundreds of these. Each piece is written here once, and
nowhere else (the rarer pieces are the macros of templates/_components.j2). PageContext
(render.py) decides what they say; every value is printed as a template prints it
(escape.printed: record text escaped, Markup we built kept).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from markupsafe import Markup

from pipeline_tracker.site.escape import printed_text as _p

NO_DEVELOPMENT = Markup(' <span class="pt-ndr">no development reported</span>')


def status_row(cells, rank, scheme, note) -> Markup:
    """A row of a drug's status table (eight cells; the fifth, the phase, sorts by `rank`), and
    rows under it for its special-access scheme and its note (those end in no line break)."""
    tds = [f"<td>{_p(cell)}</td>" for cell in cells]
    tds[4] = f'<td data-sort="{_p(rank)}">{_p(cells[4])}</td>'
    html = f"<tr>{''.join(tds)}</tr>\n"
    if scheme:
        html += (
            '<tr class="pt-subrow"><td colspan="8"><span class="pt-subrow__label">Scheme</span> '
            f"{_p(scheme)}</td></tr>"
        )
    if note:
        html += (
            '<tr class="pt-subrow"><td colspan="8"><span class="pt-subrow__label">Note</span> '
            f"{_p(note)}</td></tr>"
        )
    return Markup(html)


def heading(level, anchor, label, extra) -> Markup:
    a = _p(anchor)
    return Markup(
        f'<h{_p(level)} id="{a}">{_p(label)}{_p(extra)}<a class="headerlink" href="#{a}"'
        f' title="Permanent link">&para;</a></h{_p(level)}>'
    )


def phase_badge(css, text) -> Markup:
    """A phase (or 'no phase') badge (a sortable column orders it by its cell's data-sort)."""
    return Markup(f'<span class="pt-phase pt-phase--{_p(css)}">{_p(text)}</span>')


def special_access_badge(text, scheme) -> Markup:
    badge = (
        '<span class="pt-phase pt-phase--special-access" title="Special access is'
        f' not a marketing approval">{_p(text)}</span>'
    )
    return Markup(badge + (f' <span class="pt-scheme">{_p(scheme)}</span>' if scheme else ""))


def inferred_mark(anchor, title, fields, number, named=False) -> Markup:
    """'(inferred)' linked to note `number`; `named`: '(phase, region inferred)', saying which of
    a compact claim's facts were inferred where their values are not beside the mark."""
    text = f"({_p(fields)} inferred)" if named else "(inferred)"
    return Markup(
        f' <a class="pt-inferred" href="#{_p(anchor)}" title="{_p(title)}"'
        f' aria-label="{_p(fields)} inferred: see note {_p(number)}">{text}</a>'
    )


def _join(items, separator: str):
    """Jinja's `join` filter under autoescape: Markup when an item is Markup."""
    items = list(items)
    if any(hasattr(item, "__html__") for item in items):
        return Markup(separator).join(items)
    return separator.join(str(item) for item in items)


def number(n: int) -> str:
    """A count as every page, caption, summary line and feed prints it: digits grouped by
    thousands ("3,607")."""
    return f"{n:,}"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun: "1 drug", "3,607 drugs" (`plural` when it is not noun + "s")."""
    return f"{number(n)} {noun if n == 1 else plural or noun + 's'}"


def more_open(count: int, what: str, total: int | None = None) -> Markup:
    """The start of a crowded cell's "N more" (listing.cell_cut): its <details> and summary, the
    rest of the cell to follow, then </details>. `what` is said to screen readers ("drugs");
    `total`: "(T in all)" too, where the cell shows no count of its own."""
    in_all = f" ({number(total)} in all)" if total is not None else ""
    return Markup(
        f'<details class="pt-more"><summary>{number(count)} more<span class="pt-sr-only">'
        f" {_p(what)}</span>{in_all}</summary>"
    )


def more_elsewhere(count: int, url: str, name) -> Markup:
    """The end of a "more" that names only some of the rest: how many more, and where they all
    are (the page of the record whose row it is)."""
    return Markup(
        f', <span class="pt-more__elsewhere">and {number(count)} more on '
        f'<a href="{_p(url)}">the page of {_p(name)}</a></span>'
    )


def more_on_cell_page(count: int, url: str) -> Markup:
    """The end of a landscape cell's "more" past its last name (listing.cell_overflows): how
    many more, and the cell's own page, which lists them all."""
    return Markup(
        f'<p class="pt-more__elsewhere">and {number(count)} more on '
        f'<a href="{_p(url)}">this cell’s page</a></p>'
    )


def more(count: int, total: int, what: str, rest) -> Markup:
    """The rest of a crowded cell behind "N more (T in all)"."""
    return more_open(count, what, total) + rest + Markup("</details>")


def cite_mark(number, quotes) -> Markup:
    n = _p(number)
    if quotes:
        return Markup(
            f'<sup class="pt-cite pt-cite--quoted"><a href="#ref-{n}" '
            f'title="Source {n}: “{_p(_join(quotes, "” · “"))}”">[{n}]</a></sup>'
        )
    return Markup(f'<sup class="pt-cite"><a href="#ref-{n}">[{n}]</a></sup>')


def external_link(url, text) -> Markup:
    """A link to an id's page in its home database."""
    return Markup(f'<a href="{_p(url)}" rel="external">{_p(text)}</a>')


def outside_link(url, text) -> Markup:
    """A link to an address a record gives (not vouched for: nofollow)."""
    return Markup(f'<a href="{_p(url)}" rel="external nofollow">{_p(text)}</a>')


def url_host(url) -> str:
    """What a reference list shows of an outside address: its host ("www." dropped); the link
    keeps the whole address, and print writes it out (tracker.css)."""
    try:
        host = urlsplit(str(url).strip()).hostname or ""
    except ValueError:  # e.g. an unclosed "[" of an IPv6 host
        host = ""
    return host.removeprefix("www.") or str(url)


def time(date) -> Markup:
    return Markup(f"<time>{_p(date)}</time>")


def muted(text) -> Markup:
    return Markup(f'<span class="pt-muted">{_p(text)}</span>')


def about(words) -> Markup:
    """'about ' before an approximate date, with the source's words on hover."""
    if not words:
        return Markup("")
    return Markup(f'<span class="pt-approx" title="The source: “{_p(words)}”">about </span>')


def approx_words(words) -> Markup:
    """The source's words for an approximate date, shown beside it."""
    if not words:
        return Markup("")
    return Markup(f' <small class="pt-approx-words">(“{_p(words)}”)</small>')


def source_entry(link, source: dict, url_link) -> Markup:
    """A source as a reference list names it: its link, publisher, date — address (each part
    only when the record has the field)."""
    text = str(link)
    if "publisher" in source:
        text += f", {_p(source['publisher'])}"
    if "date" in source:
        text += f", {_p(source['date'])}"
    if "url" in source:
        text += f" — {_p(url_link)}"
    return Markup(text)


def reference_item(number, source, quotes) -> Markup:
    """Reference `number` of a page: the source, and the quotes the page cites from it."""
    said = "".join(f"<li><q>{_p(q)}</q></li>" for q in quotes)
    return Markup(
        f'<li id="ref-{_p(number)}">{_p(source)}'
        + (f'<ul class="pt-quotes">{said}</ul>' if quotes else "")
        + "</li>"
    )


def chinese_name(name) -> Markup:
    """A Chinese name after a drug's name."""
    return Markup(f' <span lang="zh" class="pt-zh">{_p(name)}</span>')


def zh_text(name) -> Markup:
    """A Chinese name after a drug's link in a drug table."""
    return Markup(f' <span lang="zh">{_p(name)}</span>')


def stage(badge, region, rank) -> Markup:
    """A drug's highest phase in one region (region "": anywhere); tracker.js shows the one for
    the region chosen in the table's filter (rank: how the column sorts then)."""
    if not region:
        return Markup(f'<span class="pt-stage" data-stage-region="">{_p(badge)}</span>')
    return Markup(
        f'<span class="pt-stage" data-stage-region="{_p(region)}" data-rank="{_p(rank)}" hidden>'
        f"{_p(badge)}</span>"
    )


def drug_row(attrs, name, sort, phase, modality, targets, companies, extra) -> Markup:
    """A drug table's row; `extra`: the cell of the table's extra column, if it has one."""
    cells = "".join(f"<td>{_p(value)}</td>" for value in extra)
    return Markup(
        f'<tr {_p(attrs)}><td>{_p(name)}</td><td data-sort="{_p(sort)}">{_p(phase)}</td>'
        f"<td>{_p(modality)}</td><td>{_p(targets)}</td><td>{_p(companies)}</td>{cells}</tr>"
    )


# A history chart's kinds of mark (HistoryChart.marks), in legend order: the kind, how the chart's
# text description names it, the legend's words and the legend's mark. Only drawn kinds are listed.
HISTORY_MARKS = (
    (
        "date",
        "filled marks: dates as the source gives them",
        "date as the source gives it",
        Markup('<circle class="pt-hc__mark pt-hc--phase-3" cx="8" cy="8" r="6" />'),
    ),
    (
        "approximate",
        "hollow marks: approximate dates",
        "approximate date (the source's own words in the table)",
        Markup(
            '<circle class="pt-hc__mark pt-hc__mark--approx pt-hc--phase-3" cx="8" cy="8" r="6" />'
        ),
    ),
    (
        "inferred",
        "dashed marks: dates the curator inferred",
        "date inferred by the curator (a segment from it is dashed)",
        Markup(
            '<circle class="pt-hc__mark pt-hc__mark--inferred pt-hc--phase-3" cx="8" cy="8"'
            ' r="6" />'
        ),
    ),
    (
        "special-access",
        "diamonds: special access, which is not an approval",
        "special access (named-patient or early-access scheme): not an approval",
        Markup('<path class="pt-hc__mark pt-hc--special-access" d="M8 1 l7 7 l-7 7 l-7 -7 z" />'),
    ),
    (
        "event",
        "triangles: other events",
        "other event (designation, deal, …)",
        Markup('<path class="pt-hc__mark pt-hc--event" d="M8 2 l7 12 l-14 0 z" />'),
    ),
)


def history_lane(page, chart, lane, y: int, label: str) -> str:
    """One lane of a history chart's SVG, `y` its top: its label, latest status, base line,
    segments between its points (not on an events lane) and a mark per point (a diamond for
    special access, a triangle for an event, else a circle)."""
    cy = y + 30
    width = page.CHART_WIDTH
    kind = (" pt-hc__lane--sa" if lane.special_access else "") + (
        " pt-hc__lane--events" if lane.events else ""
    )
    out = [
        (
            f'<g class="pt-hc__lane{kind}">\n'
            f'<text class="pt-hc__label" x="8" y="{y + 15}">{_p(label)}</text>\n'
        )
    ]
    points = lane.points
    if points:
        latest = "" if lane.events else f"{_p(points[-1].label)}, "
        out.append(
            f'<text class="pt-hc__asof" x="{width - 8}" y="{y + 48}" text-anchor="end">'
            f"{latest}as of {_p(lane.as_of)}</text>"
        )
    out.append(f'<line class="pt-hc__base" x1="8" x2="{width - 8}" y1="{cy}" y2="{cy}" />\n')
    xs = [page.chart_x(chart, p.day) for p in points]
    if not lane.events:
        for i, p in enumerate(points[:-1]):
            uncertain = " pt-hc__seg--uncertain" if p.approximate or p.inferred else ""
            out.append(
                f'<line class="pt-hc__seg pt-hc--{_p(p.stage)}{uncertain}" x1="{_p(xs[i])}"'
                f' x2="{_p(xs[i + 1])}" y1="{cy}" y2="{cy}" />\n'
            )
    for x, p in zip(xs, points):
        cls = _p(
            f"pt-hc__mark pt-hc--{p.stage}"
            + (" pt-hc__mark--approx" if p.approximate else "")
            + (" pt-hc__mark--inferred" if p.inferred else "")
        )
        title = f"<title>{_p(p.label)}, {_p(page.chart_date(p))}</title>"
        x = _p(x)
        if p.stage == "special-access":
            out.append(
                f'<path class="{cls}" d="M{x} {cy - 7} l7 7 l-7 7 l-7 -7 z">{title}</path>\n'
            )
        elif p.stage == "event":
            out.append(f'<path class="{cls}" d="M{x} {cy - 7} l7 12 l-14 0 z">{title}</path>\n')
        else:
            out.append(f'<circle class="{cls}" cx="{x}" cy="{cy}" r="6">{title}</circle>\n')
    out.append("</g>\n")
    return "".join(out)


def history_rows(page, lane, label: str) -> str:
    """A lane's rows in the table under a history chart: each point, dated ones first."""
    out = []
    last = len(lane.points) - 1
    for i, p in enumerate(lane.points + lane.undated):
        when = _p(page.chart_date(p))
        if p.approximate:
            when += f" <small>(“{_p(p.approximate)}”)</small>"
        if p.inferred:
            when += f" <small>(inferred: {_p(p.inferred)})</small>"
        what = _p(p.label)
        if p.value_inferred:
            what += f" <small>(inferred: {_p(p.value_inferred)})</small>"
        if i == last:
            what += f" <small>(as of {_p(lane.as_of)})</small>"
        if p.basis == "trial":
            basis = f"trial {_p(page.link('trials', p.basis_id))}"
        elif p.basis == "event":
            basis = _p(page.link("events", p.basis_id, "event"))
        else:
            basis = "stated"
        out.append(
            f'<tr><th scope="row">{_p(label)}</th><td>{when}</td><td>{what}</td>'
            f"<td>{basis}</td></tr>\n"
        )
    return "".join(out)


def record_links(path, json_url, edit_url, view_url) -> Markup:
    """'Edit this record' (or 'View this record' when the repository is not known) and JSON."""
    if not edit_url and view_url == json_url:  # one link, not two to the same document
        return Markup(
            f'<a class="pt-edit pt-json" href="{_p(json_url)}" type="application/json">View this'
            f" record (JSON)</a> · to correct it, edit <code>{_p(path)}</code> in the tracker's"
            " repository and open a pull request"
        )
    if edit_url:
        record = (
            f'<a class="pt-edit" href="{_p(edit_url)}">Edit this record</a>'
            f" (<code>{_p(path)}</code>)"
        )
    else:
        record = (
            f'<a class="pt-edit" href="{_p(view_url)}">View this record</a> · to correct it, edit'
            f" <code>{_p(path)}</code> in the tracker's repository and open a pull request"
        )
    json = f'<a class="pt-json" href="{_p(json_url)}" type="application/json">JSON</a>'
    return Markup(f"{record} · {json}")


def feed_link(url) -> Markup:
    return Markup(
        f' · <a class="pt-feed" href="{_p(url)}" type="application/atom+xml">Atom feed</a>'
    )


def drug_feeds(links) -> Markup:
    """' · its events in the Atom feeds of X, Y' from (name, url) pairs; nothing without any."""
    if not links:
        return Markup("")
    feeds = ", ".join(
        f'<a class="pt-feed" href="{_p(url)}" type="application/atom+xml">{_p(name)}</a>'
        for name, url in links
    )
    return Markup(f" · its events in the Atom feeds of {feeds}")


def territory(places, words, note) -> Markup:
    """Where a role or deal holds: region names, the source's own words, or 'not stated'."""
    if places or words:
        shown = _p(_join(places, ", "))
        if words:
            shown += (" " if places else "") + (
                f'<small class="pt-as-stated">as the source puts it: “{_p(words)}”</small>'
            )
    else:
        shown = '<span class="pt-muted">not stated</span>'
    if note:
        shown += f' <small class="pt-territory-note">(note: {_p(note)})</small>'
    return Markup(shown)


def trial_status(status, as_of) -> Markup:
    return Markup(_p(status) + (f" <small>(as of {_p(as_of)})</small>" if as_of else ""))


def _unknown(reason) -> str:
    return f'<span class="pt-muted">date unknown ({_p(reason)})</span>'


def record_dates(added, changed, reason, path, history_url) -> Markup:
    """When a record was added and last changed, and where its change history is."""
    a, c = _p(added), _p(changed)
    added = f'Added <time datetime="{a}">{a}</time>' if added else f"Added: {_unknown(reason)}"
    changed = (
        f'last changed <time datetime="{c}">{c}</time>'
        if changed
        else f"last changed: {_unknown(reason)}"
    )
    history = (
        f'<a class="pt-history-link" href="{_p(history_url)}" rel="external">change history</a>'
        if history_url
        else f"change history: <code>git log -- {_p(path)}</code>"
    )
    return Markup(f'<span class="pt-dates">{added} · {changed} · {history}</span>')


def programmes(entries) -> Markup:
    """A drug's programmes in a company's table: (indication, region, phase, citations, the
    regions the programme lies within) each; tracker.js shows those within a chosen region."""
    items = "".join(
        f'<li data-regions="{_p(within)}">{_p(indication)} · {_p(region)} · {_p(phase)}{_p(marks)}</li>'
        for indication, region, phase, marks, within in entries
    )
    return Markup(f'<ul class="pt-programmes">{items}</ul>')


def company_row(attrs, drug, role, programmes) -> Markup:
    """A row of a company's pipeline table (its data-* filter attributes first)."""
    return Markup(
        f"<tr {_p(attrs)}><td>{_p(drug)}</td><td>{_p(role)}</td><td>{_p(programmes)}</td></tr>"
    )

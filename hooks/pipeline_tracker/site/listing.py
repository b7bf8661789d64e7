"""Long lists split into pages: how many rows a page holds, which rows page N shows, its pager,
and the JSON of every row that the filters of a paged list read (tracker.js), gzipped.

A list of up to PAGE_ROWS rows is one page, as it always was. A longer one is cut into pages of
PAGE_ROWS rows at stable addresses (urls.list_part_url: drugs/, drugs/page/2/, …), in the same
order as the whole list. The rows are those of the pages as written (the model's labels,
qualifiers and links, rendered once; a row's citations numbered as on its page):
`page_rows_chunks` turns a page's rows into data (text, tags, attributes) that tracker.js builds
with textContent, so no record text is ever parsed as HTML in the browser and no label is worked
out again there; `assemble_rows` joins the pages' rows into the list's rows file.
"""

from __future__ import annotations

import gzip
import json
import os
import posixpath
import re
import zlib
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from itertools import pairwise

from pipeline_tracker.model import claims, landscape, quality
from pipeline_tracker.model.tracker import Tracker
from pipeline_tracker.records.ids import heading_id
from pipeline_tracker.site import urls

# Measured at 10,000 drugs (/work/trees/r10k): the heaviest index row, an indication with its
# drugs linked, is about 8 KB, a drug row about 2 KB (with its region badges), a region-view row
# 1.6 KB. 150 rows keep the heaviest page near 1.3 MB, under the 2 MB budget with Material's
# shell around it, and every list of the real records on one page.
PAGE_ROWS = 150
PAGE_ROWS_ENV = "PIPELINE_TRACKER_PAGE_ROWS"  # tests lower it to page the fixture records


def _count_setting(name: str, default: int) -> int:
    """A count a test lowers through the environment (`name`), else `default`."""
    wanted = os.environ.get(name, "").strip()
    return int(wanted) if wanted.isdigit() and int(wanted) >= 1 else default


def page_rows() -> int:
    return _count_setting(PAGE_ROWS_ENV, PAGE_ROWS)


def parts(rows: int) -> int:
    """How many pages a list of `rows` rows takes (1 for an empty list)."""
    size = page_rows()
    return max(1, -(-rows // size))


def paged(rows: int) -> bool:
    return parts(rows) > 1


def part_rows(items, part: int) -> list:
    """The rows page `part` (from 1) shows; part 0: every row (the whole list)."""
    items = list(items)
    if not part:
        return items
    size = page_rows()
    return items[(part - 1) * size : part * size]


def index_rows(tracker: Tracker, kind: str) -> int:
    """How many rows the index of a kind pages: tracked drugs (others stay on its first page),
    every record of the other kinds."""
    return len(tracker.tracked_ids()) if kind == "drugs" else len(tracker.ids(kind))


def pager(base: str, list_url: str, part: int, total: int, noun: str, part_url=None) -> dict | None:
    """What the pager of page `part` of a list at `list_url` shows: 'Page N of M', which rows,
    and the links (previous, next, the first and last pages and the two either side of this
    one). None for a list short enough for one page; part 0 is the whole list.
    `part_url(n)`: the address of page n, when not urls.list_part_url (a record's section)."""
    if not paged(total):
        return None
    count = parts(total)
    size = page_rows()

    def href(n: int) -> str:
        url = part_url(n) if part_url else urls.list_part_url(list_url, n)
        return urls.from_page(base, url)

    near = {1, count, *range(max(1, part - 2), min(count, part + 2) + 1)}
    numbers: list[int | None] = []
    for n in sorted(near):
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)  # a gap: "…"
        numbers.append(n)
    return {
        "part": part,
        "parts": count,
        "first": (part - 1) * size + 1,
        "last": min(part * size, total),
        "total": total,
        "noun": noun,
        "prev": href(part - 1) if part > 1 else "",
        "next": href(part + 1) if part < count else "",
        "links": [(n, href(n) if n else "") for n in numbers],
        "rows_url": urls.from_page(base, urls.list_rows_url(list_url)),
    }


# A landscape cell, or the Drugs cell of an index row (a target's, a company's, an indication's),
# names this many drugs at once, the rest behind "N more" in the cell: at 10,000 drugs a cell
# named hundreds and a row ran thousands of pixels. Its count is of them all.
CELL_NAMES = 12
CELL_NAMES_ENV = "PIPELINE_TRACKER_CELL_NAMES"  # tests lower it to crowd the fixture records' cells


def cell_cut(count: int) -> int:
    """How many of a cell's `count` drugs it names before its "more"."""
    return min(count, _count_setting(CELL_NAMES_ENV, CELL_NAMES))


# An index row's "more" names at most CELL_MORE drugs; the rest it counts, with a link to the
# row's record page, which lists them all: 150 rows of a page then weigh the same whatever the
# tree's size (at 10,000 drugs an indication's row held up to 1,900 links, and the page 1.5 MB).
CELL_MORE = 100
CELL_MORE_ENV = "PIPELINE_TRACKER_CELL_MORE"  # tests lower it


def more_cut(count: int) -> int:
    """How many of the `count` drugs after a cell's first names its "more" names."""
    return min(count, _count_setting(CELL_MORE_ENV, CELL_MORE))


def crowded(matrix) -> bool:
    """Whether a landscape matrix has a cell naming only its first drugs (its caption says so)."""
    return any(
        cell_cut(len(entries)) < len(entries)
        for row in matrix.rows
        for entries in row.cells.values()
    )


# A landscape cell's "more" names at most CELL_MORE drugs too; the rest of the cell are on pages
# of its own (cell_pages): at 10,000 drugs a cell of the landscape by modality named 1,500 drugs,
# and the landscapes grew with the tree (0.7 MB, and 1.1 MB by indication).
def cell_overflows(count: int) -> bool:
    """Whether a landscape cell of `count` drugs names only some of them even under its "more"
    (cell_cut, then more_cut): then every one of them is on the cell's own pages."""
    rest = count - cell_cut(count)
    return more_cut(rest) < rest


def overflowing(matrix) -> bool:
    """Whether a landscape matrix has a cell past its "more" (its caption says where they are)."""
    return any(
        cell_overflows(len(entries)) for row in matrix.rows for entries in row.cells.values()
    )


def cell_row(t: Tracker, matrix, key: str) -> str:
    """A landscape row as the address of its cells names it (urls.landscape_cell_url): a
    record's id, or a label's slug ("small molecule" → small-molecule); in a landscape whose
    rows are records, a label ("no target recorded") gets "_" before it, which no id has."""
    if matrix.group_kind and key in t.records.get(matrix.group_kind, {}):
        return key
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "none"
    return f"_{slug}" if matrix.group_kind else slug


# The views of the landscapes of every drug (landscapes/), by name, with their headings there.
LANDSCAPE_VIEWS = {
    "modality": "By modality",
    "targets": "By target",
    "indications": "By indication",
    "pipeline": "Pipeline overview",
}


def cell_landscapes(t: Tracker) -> list[tuple[str, str, str, str, landscape.Matrix]]:
    """(landscape url, view or "", kind or "", record id or "") and the matrix, of every
    landscape that can have a cell past its "more": the three matrices of every drug, and a
    company's, indication's or target's whose page lists enough drugs (a cell holds none but
    the record's)."""

    def every() -> list:
        found = [
            (urls.landscape_view_url(name), name, "", "", view)
            for name, view in landscape_views(t).items()
            if name != "pipeline"
        ]
        for kind in DRUG_SECTIONS:
            for record_id in t.ids(kind):
                if cell_overflows(len(section_drugs(t, kind, record_id))):
                    url = urls.section_url(kind, record_id, "landscape")
                    found.append((url, "", kind, record_id, landscape_matrix(t, kind, record_id)))
        return found

    return once(t, ("cell_landscapes", _cell_settings()), every)


def _cell_settings() -> tuple[int, int, int]:
    return page_rows(), cell_cut(1 << 30), more_cut(1 << 30)


def cell_pages(t: Tracker) -> dict[str, int]:
    """The source path of the first page of every landscape cell past its "more" → how many
    drugs it lists (in landscape order, then the ladder's)."""

    def every() -> dict[str, int]:
        return {
            urls.landscape_cell_src(url, phase, cell_row(t, matrix, row.key)): len(row.cells[phase])
            for url, _view, _kind, _id, matrix in cell_landscapes(t)
            for row in matrix.rows
            for phase in matrix.columns
            if cell_overflows(len(row.cells.get(phase, ())))
        }

    return once(t, ("cell_pages", _cell_settings()), every)


def landscape_cell(t: Tracker, cell_url: str) -> dict:
    """What the pages of a cell (at `cell_url`, urls.landscape_cell_url) show: its landscape's
    view (of landscapes/) or record (kind, id, r, and what it is called: name), the matrix,
    the row and its label, the phase, the cell's drugs and the address of the landscape's page
    holding the row (`back`)."""
    landscape_url, phase_value, row_name = urls.landscape_cell_of(cell_url)
    found = next(c for c in cell_landscapes(t) if c[0] == landscape_url)
    _url, view, kind, record_id, matrix = found
    index, row = next(
        (i, r) for i, r in enumerate(matrix.rows) if cell_row(t, matrix, r.key) == row_name
    )
    phase = next(p for p in matrix.columns if urls.phase_filter_value(p) == phase_value)
    part = index // page_rows() + 1
    if kind:
        back = urls.section_part_url(kind, record_id, "landscape", part)
    elif paged(len(matrix.rows)):
        back = urls.list_part_url(landscape_url, part)
    else:  # the view is a section of landscapes/
        back = f"{urls.LANDSCAPES}#{heading_id(LANDSCAPE_VIEWS[view])}"
    return {
        "view": view,
        "kind": kind,
        "id": record_id,
        "matrix": matrix,
        "r": t.get(kind, record_id) if kind else None,
        "name": claims.display_name(t.records, kind, record_id) if kind else "",
        "row": row,
        "label": (
            claims.display_name(t.records, matrix.group_kind, row.key)
            if matrix.group_kind and row.key in t.records.get(matrix.group_kind, {})
            else row.key
        ),
        "phase": phase,
        "entries": row.cells[phase],
        "back": back,
    }


def shown(items, pages: dict | None) -> list:
    """The rows of a list this page shows: all of them unless the list is paged."""
    return part_rows(items, pages["part"]) if pages else list(items)


_CACHE: dict = {}


def once(tracker: Tracker, key, make, *args):
    """make(*args), worked out once per process and tracker: what every page of a long list
    needs about the whole list (the pages render one by one, in forked processes that inherit
    what the first process worked out)."""
    if _CACHE.get("tracker") is not tracker:  # another build, or another test's records
        _CACHE.clear()
        _CACHE["tracker"] = tracker
    if key not in _CACHE:
        _CACHE[key] = make(*args)
    return _CACHE[key]


def region_view(tracker: Tracker):
    """The landscape by region of every drug (its rows are the list that pages)."""
    return once(tracker, "region_view", landscape.region_view, tracker, tracker.ids("drugs"))


UNDATED = "undated"  # the year page of events whose date the source does not give


def timeline_years(tracker: Tracker) -> list[tuple[str, str, list[str]]]:
    """(year as shown, its page's name, events) of the timeline (Tracker.events_by_year:
    newest first, undated last)."""
    return once(
        tracker,
        "timeline_years",
        lambda: [
            (year, year if year[:1].isdigit() else UNDATED, events)
            for year, events in tracker.events_by_year()
        ],
    )


# A year with more events than a page holds is split by month (when the sources give months): at
# 10,000 drugs a year held about 700 events (1 MB), and a tracker of 24,000 would pass 2 MB.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class TimelinePage:
    """A page of a timeline split by year: a year's (timeline/2024/), or a month's of a year
    split by month (timeline/2024/03/)."""

    label: str  # "2024", "March 2024", "Date not reported"
    slug: str  # its address under timeline/: "2024", "2024/03", "undated"
    year: str  # the year it belongs to: "2024", "undated"
    events: list[str]  # the events it holds, newest first (a split year's: those with no month)
    months: tuple[TimelinePage, ...] = ()  # a year split by month: its months' pages


def timeline_pages(tracker: Tracker) -> list[TimelinePage]:
    """The pages of a timeline split by year, newest first, a year split by month followed by
    its months: every event is on exactly one of them."""

    def pages() -> list[TimelinePage]:
        found = []
        for label, slug, events in timeline_years(tracker):
            by_month: dict[str, list[str]] = {}
            if paged(len(events)) and slug != UNDATED:
                for event in events:
                    date = tracker.event(event).get("date", "")
                    by_month.setdefault(date[5:7], []).append(event)
            if not [month for month in by_month if month]:  # one page, as the year was
                found.append(TimelinePage(label, slug, slug, events))
                continue
            months = tuple(
                TimelinePage(f"{MONTHS[int(month) - 1]} {label}", f"{slug}/{month}", slug, held)
                for month, held in sorted(by_month.items(), reverse=True)
                if month
            )
            found.append(TimelinePage(label, slug, slug, by_month.get("", []), months))
            found.extend(months)
        return found

    return once(tracker, ("timeline_pages", page_rows()), pages)


def event_years(tracker: Tracker) -> dict[str, str]:
    """Event → the page of the timeline it is on (TimelinePage.slug: its year's, or its month's
    in a year split by month), when the timeline has more events than a page holds (it is then
    split by year); empty when the timeline is one page (events are on timeline/)."""

    def years() -> dict[str, str]:
        if not paged(len(tracker.records["events"])):
            return {}
        return {e: page.slug for page in timeline_pages(tracker) for e in page.events}

    return once(tracker, ("event_years", page_rows()), years)


def timeline_page(tracker: Tracker, slug: str) -> TimelinePage:
    """The page of a timeline split by year at timeline/<slug>/."""
    return next(page for page in timeline_pages(tracker) if page.slug == slug)


def timeline_nav(base: str, tracker: Tracker, slug: str) -> dict:
    """The links of a page of a timeline split by year: (label, link, "page" when it is this
    page, "true" for this page's year when it is a month's, else "") for each year, then for each
    month of this page's year when it is split by month; and the newer and older pages' (label,
    link), in the order of timeline_pages."""
    pages = timeline_pages(tracker)
    here = next(i for i, page in enumerate(pages) if page.slug == slug)
    this = pages[here]

    def link(page: TimelinePage) -> tuple[str, str, str]:
        current = "page" if page.slug == slug else "true" if page.slug == this.year else ""
        return page.label, urls.from_page(base, urls.timeline_year_url(page.slug)), current

    year = next(page for page in pages if page.slug == this.year)
    return {
        "years": [link(page) for page in pages if page.slug == page.year],
        "year": year.label,
        "months": [link(page) for page in year.months],
        "newer": link(pages[here - 1])[:2] if here > 0 else None,
        "older": link(pages[here + 1])[:2] if here + 1 < len(pages) else None,
    }


def landscape_views(tracker: Tracker) -> dict:
    """The landscapes of every drug: three matrices and the pipeline bars (model/landscape.py),
    worked out once for the overview and each view's pages."""

    def views() -> dict:
        drugs = tracker.ids("drugs")
        return {
            "modality": landscape.by_modality(tracker, drugs),
            "targets": landscape.by_target(tracker, drugs),
            "indications": landscape.by_indication(tracker, drugs),
            "pipeline": landscape.bars(tracker, drugs),
        }

    return once(tracker, "landscape_views", views)


def landscape_rows(view) -> int:
    """How many rows a landscape view pages: a matrix's groups, or the bars."""
    return len(view) if isinstance(view, list) else len(view.rows)


def in_phase_order(tracker: Tracker, drugs: list[str], indications=None) -> list[str]:
    """Tracker.by_phase of a paged list's drugs, worked out once for all its pages."""
    key = ("by_phase", tuple(drugs), None if indications is None else frozenset(indications))
    return once(tracker, key, tracker.by_phase, drugs, indications)


def whole_list_filters(page, listed: list[str], indications=None):
    """The filter choices (PageContext.filter_choices) of every drug of a paged table: its filter
    form lists the values of the whole list, not only of the rows on one page. Worked out once
    for all the list's pages."""
    key = (
        "filters",
        tuple(listed),
        tuple(sorted(indications)) if indications is not None else None,
    )
    return once(page.tracker, key, _whole_list_filters, page, listed, indications)


def _whole_list_filters(page, listed, indications):
    t = page.tracker
    stages: list = []
    rows: list = []
    for d in listed:
        mine = t.phase_rows.get(d, [])
        rows.extend(
            mine if indications is None else [r for r in mine if r.indication in indications]
        )
        stages.append(t.stage_by_region(d, indications))
    return page.filter_choices(stages, listed, rows)


def region_view_filters(page, view):
    """whole_list_filters for the landscape by region: a row per drug and indication."""
    return once(page.tracker, "region_view_filters", _region_view_filters, page, view)


def _region_view_filters(page, view):
    t = page.tracker
    stages: list = []
    rows: list = []
    for d, indication, _cells in view.rows:
        stages.append(t.stage_by_region(d, [indication]))
        rows.extend(r for r in t.phase_rows.get(d, []) if r.indication == indication)
    drugs = list(dict.fromkeys(d for d, _i, _c in view.rows))
    return page.filter_choices(stages, drugs, rows)


def quality_lists(q) -> dict[str, list]:
    """The findings of each data quality check (model/quality.report) as one list each, in the
    order the page shows them: the rows a check's table or list pages."""
    return {
        "not-reviewed": [("stale", k, r, reviewed) for k, r, reviewed in q.stale_records]
        + [("never", k, r, None) for k, r in q.never_reviewed],
        "no-development-reported": list(q.no_development),
        "old-sources": list(q.old_claims),
        "unused": [("targets", x) for x in q.unused_targets]
        + [("indications", x) for x in q.unused_indications],
        "imported": [("imported", k, r, None) for k, r in q.imported]
        + [("approval", e, None, None) for e in q.approvals_without_indication]
        + [("registry", t, s, retrieved) for t, s, retrieved in q.old_registry_copies],
        "conflicts": list(q.conflicts),
    }


def quality_report(tracker: Tracker, today):
    """The data quality report for `today`, worked out once for all of its pages."""
    return once(tracker, ("quality", today), quality.report, tracker, today)


# The rows of a paged table as data ----------------------------------------------------------
# Only these tags and attributes reach the browser's DOM from the JSON (tracker.js checks again).
TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "code",
        "em",
        "i",
        "q",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "br",
        "ul",  # a company's programmes, a deal's parties and terms
        "li",
        "details",  # a cell's "N more" (cell_cut)
        "summary",
    ]
)
ATTRIBUTES = frozenset(
    ["href", "class", "title", "lang", "hidden", "datetime", "aria-label", "colspan", "scope"]
)


def _kept(name: str) -> bool:
    # data-label (a cell's column, for the phone layout) is left out: tracker.js takes it from
    # the table's header, as cards.label_cells does (a sixth of a drug row's bytes).
    return name in ATTRIBUTES or (name.startswith("data-") and name != "data-label")


class _Rows(HTMLParser):
    """<tr> rows of our own rendered table → [row attributes, [[cell attributes, children]]],
    a child being text or [tag, attributes, children]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list = []
        self._stack: list = []

    def handle_starttag(self, tag, attrs):
        kept = {k: (v if v is not None else "") for k, v in attrs if _kept(k)}
        if tag == "tr":
            self.rows.append([kept, []])
            self._stack = []
        elif tag in ("td", "th"):
            cell = [kept, []]
            self.rows[-1][1].append(cell)
            self._stack = [cell[1]]
        elif tag in TAGS and self._stack:
            node = [tag, kept, []]
            self._stack[-1].append(node)
            if tag != "br":
                self._stack.append(node[2])

    def handle_endtag(self, tag):
        if tag in ("td", "th", "tr"):
            self._stack = []
        elif tag in TAGS and tag != "br" and len(self._stack) > 1:
            self._stack.pop()

    def handle_data(self, data):
        if self._stack:
            children = self._stack[-1]
            if children and isinstance(children[-1], str):
                children[-1] += data
            else:
                children.append(data)


# Our own rendered rows are well-formed: every "<" of text and attribute values is escaped and
# attribute values are quoted. Read with one regular expression (half the time of
# HTMLParser, which stays for anything else: a comment, a stray "<"), with the same result.
_TOKEN = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*(?:="[^"<]*")?)*)\s*/?>|([^<]+)')
_ATTRIBUTE = re.compile(r'([a-z][a-z0-9-]*)(?:="([^"<]*)")?')


def _fast_rows(html: str) -> list | None:
    rows = _Rows()
    end = 0
    for match in _TOKEN.finditer(html):
        if match.start() != end:
            return None
        end = match.end()
        closing, tag, attributes, text = match.groups()
        if text is not None:
            rows.handle_data(unescape(text))
        elif closing:
            rows.handle_endtag(tag)
        else:
            rows.handle_starttag(
                tag,
                [
                    (name, None if value is None else unescape(value))
                    for name, value in _ATTRIBUTE.findall(attributes)
                ],
            )
    return rows.rows if end == len(html) else None


# A page's share of the rows files: each table of a paged list it shows (data-pt-paged, the rows
# file's address from the page), its tbody, read from the page as written, so a row's citation
# and note numbers ([3], #ref-3, #inferred-1) are those of the page the row is on.
_PAGED_TABLE = re.compile(
    r'<table [^>]*data-pt-paged="([^"]+)"[^>]*>.*?<tbody>\n?(.*?)</tbody>', re.DOTALL
)
_HREF = re.compile(r'href="([^"#][^"]*)"')


def page_rows_chunks(src: str, html: str) -> tuple[tuple[str, int, bytes], ...]:
    """(rows file's address from the site root, the page's number in that list, its rows as
    JSON, zlib-compressed) for each paged list's table on the page at `src` (a page of the
    list, or a record's page holding the first page of its long sections). Links become
    relative to the rows file's folder, where tracker.js reads them from; a link to an anchor
    (#inferred-3, #ref-2) is to the one on the row's own page. A note row (tr.pt-subrow) is on
    the page of the row above it, as on the pages."""
    if "data-pt-paged=" not in html:
        return ()
    page_url = urls.src_url(src)
    page_base = "../" * page_url.count("/")
    chunks = []
    for table in _PAGED_TABLE.finditer(html):
        rows_url = posixpath.normpath(posixpath.join(page_url, table.group(1)))
        list_url = rows_url[: -len(urls.ROWS_FILE)]
        part = urls.part_of_src(src) if urls.list_url_of_src(src) == list_url else 1
        body = table.group(2)
        list_base = "../" * list_url.count("/")
        if list_base != page_base:

            def rebased(
                href: re.Match, page_base=page_base, list_base=list_base, list_url=list_url
            ) -> str:
                link = href.group(1)
                if ":" in link.partition("/")[0]:  # another site's (https:) or a scheme's
                    return href.group(0)
                if link.startswith(page_base):
                    return f'href="{list_base}{link[len(page_base) :]}"'
                root = posixpath.normpath(posixpath.join(page_url, link))
                return (
                    f'href="{urls.relative(list_url, root + ("/" if link.endswith("/") else ""))}"'
                )

            body = _HREF.sub(rebased, body)
        rows = ",".join(_json([part, attrs, cells]) for attrs, cells in _body_rows(body))
        chunks.append((rows_url, part, zlib.compress(rows.encode("utf-8"), 1)))
    return tuple(chunks)


def assemble_rows(list_url: str, parts: int, chunks: dict[int, bytes], part_url=None) -> bytes:
    """Minified JSON of every row of a list, from its pages' chunks (page_rows_chunks: page
    number → rows), every one of its `parts` pages there: the address of each page and, per
    row, its page number, attributes and cells. `part_url(n)`: as pager's."""
    missing = set(range(1, parts + 1)) - set(chunks)
    if missing:
        raise ValueError(f"the rows of {list_url} lack pages {sorted(missing)}")
    pages = [
        urls.relative(list_url, part_url(n) if part_url else urls.list_part_url(list_url, n))
        for n in range(1, parts + 1)
    ]
    rows = ",".join(
        text for n in range(1, parts + 1) if (text := zlib.decompress(chunks[n]).decode("utf-8"))
    )
    return ('{"pages":' + _json(pages) + ',"rows":[' + rows + "]}").encode("utf-8")


# gzip level 6 (zlib's default): at 1,000 drugs the 18 rows files, 7.8 MB of JSON, take 0.44 MB
# in 0.09 s; level 9 takes 0.42 MB in 0.26 s (the rows repeat the same labels and links).
ROWS_GZIP_LEVEL = 6


def rows_file(rows: bytes) -> bytes:
    """assemble_rows as the site holds it (urls.list_rows_url): gzip, the same bytes for the same rows
    (mtime 0, no file name), which tracker.js inflates with the browser's DecompressionStream."""
    return gzip.compress(rows, compresslevel=ROWS_GZIP_LEVEL, mtime=0)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_ROW_START = re.compile(r"<tr[\s>]")


def _body_rows(body: str):
    """The rows of a table's <tbody> (its inside), as data, one at a time."""
    starts = [m.start() for m in _ROW_START.finditer(body)] + [len(body)]
    for start, end in pairwise(starts):
        chunk = body[start:end]
        rows = _fast_rows(chunk)
        if rows is None:
            parser = _Rows()
            parser.feed(chunk)
            parser.close()
            rows = parser.rows
        yield from rows


# Long sections of record pages ----------------------------------------------------------------
# A section of a record's page with more rows than a page holds (a company's pipeline, an
# indication's drugs, a landscape, …) shows its first PAGE_ROWS rows on the record's page and
# continues on further pages (urls.section_part_url), as a long list does. Each section's rows are
# worked out by ONE function below, which the record's template, its further pages and
# record_sections (the pages to write) all ask.
SECTION_TITLES = {
    "pipeline": "Pipeline",
    "drugs": "Drugs",
    "landscape": "Landscape",
    "landscape-bars": "Landscape (pipeline bars)",
    "trials": "Trials",
    "deals": "Deals",
    "events": "Events",
    "events-and-deals": "Events and deals",
    "cited-by": "Cited by",
}
# The section of a record's page that lists the events naming it, by the record's kind (named
# as its heading: a drug's events are its approvals, filings, designations and deals).
EVENT_SECTIONS = {
    "drugs": "events-and-deals",
    "companies": "events",
    "indications": "events",
    "trials": "events",
}
# Sections whose table has filters over its rows (tracker.js): a rows.json.gz beside their pages.
SECTIONS_WITH_ROWS_JSON = frozenset(
    ["pipeline", "drugs", "trials", "deals", "events", "events-and-deals"]
)


def _per_record(t: Tracker, kind: str, record_id: str, name: str, make):
    """make(), worked out once per tracker for a record that many records name (its page and
    each further page of its long sections ask for it; forked render workers inherit it), and
    at each call for any other record (not held: there are thousands)."""
    if len(t.referenced_by.get((kind, record_id), ())) <= page_rows():
        return make()
    return once(t, (name, kind, record_id), make)


def company_programmes(t: Tracker, company: str):
    """(drug → the company's roles, drug → its rows within the company's territory and role)."""
    return _per_record(
        t,
        "companies",
        company,
        "programmes",
        lambda: (t.drugs_of_company(company), t.programmes_of_company(company)),
    )


def landscape_matrix(t: Tracker, kind: str, record_id: str):
    """The landscape matrix of a company (by indication, within its territory and role), an
    indication (by target, in it and its narrower indications) or a target (by indication)."""
    return _per_record(t, kind, record_id, "matrix", lambda: _matrix(t, kind, record_id))


def _matrix(t: Tracker, kind: str, record_id: str):
    if kind == "companies":
        roles, programmes = company_programmes(t, record_id)
        return landscape.by_indication(t, list(roles), programmes)
    if kind == "indications":
        scope = t.indication_with_descendants(record_id)
        return landscape.by_target(t, t.drugs_in_indication(record_id), scope)
    return landscape.by_indication(t, t.cited_by("targets", record_id, "drugs"))


def landscape_bars(t: Tracker, kind: str, record_id: str):
    """The pipeline bars beside landscape_matrix: each drug's highest phase per indication."""
    return _per_record(t, kind, record_id, "bars", lambda: _bars(t, kind, record_id))


def _bars(t: Tracker, kind: str, record_id: str):
    if kind == "companies":
        roles, programmes = company_programmes(t, record_id)
        return landscape.bars(t, list(roles), None, programmes)
    if kind == "indications":
        scope = t.indication_with_descendants(record_id)
        return landscape.bars(t, t.drugs_in_indication(record_id), scope)
    return landscape.bars(t, t.cited_by("targets", record_id, "drugs"))


# The section of a record's page that lists its drugs, by the record's kind.
DRUG_SECTIONS = {"companies": "pipeline", "indications": "drugs", "targets": "drugs"}


def section_drugs(t: Tracker, kind: str, record_id: str) -> list[str]:
    """The drugs a record's page lists: a company's (its pipeline), an indication's, a target's."""
    if kind == "companies":
        return list(t.drugs_of_company(record_id))
    if kind == "indications":
        return t.drugs_in_indication(record_id)
    return t.cited_by(kind, record_id, "drugs")


CITED_BY_KINDS = ("drugs", "targets", "companies", "indications", "trials", "events")


def cited_by_all(t: Tracker, source: str) -> list[tuple[str, str]]:
    """(kind, id) of every record citing a source, in the order its page lists them."""
    return [(kind, rid) for kind in CITED_BY_KINDS for rid in t.cited_by("sources", source, kind)]


def _section_sizes(t: Tracker, kind: str, record_id: str) -> dict[str, int]:
    """The sections of a record's page longer than a page → how many rows each has. A landscape
    is worked out only when its rows could be too many (it has no more rows than the drugs'
    status rows)."""
    size = page_rows()
    sizes: dict[str, int] = {}
    if kind in ("companies", "indications", "targets"):
        drugs = section_drugs(t, kind, record_id)
        sizes[DRUG_SECTIONS[kind]] = len(drugs)
        if sum(len(t.phase_rows.get(d, ())) for d in drugs) > size:
            sizes["landscape"] = len(landscape_matrix(t, kind, record_id).rows)
            sizes["landscape-bars"] = len(landscape_bars(t, kind, record_id))
    if kind in ("companies", "indications", "drugs"):
        sizes["trials"] = len(t.cited_by(kind, record_id, "trials"))
    if kind == "companies":
        sizes["deals"] = len(t.deals_for(record_id))
    if kind in EVENT_SECTIONS:
        sizes[EVENT_SECTIONS[kind]] = len(t.cited_by(kind, record_id, "events"))
    if kind == "sources":
        sizes["cited-by"] = len(cited_by_all(t, record_id))
    return {section: rows for section, rows in sizes.items() if paged(rows)}


def record_sections(t: Tracker) -> dict[tuple[str, str], dict[str, int]]:
    """(kind, record id) → its page's long sections and their rows, for every record that has
    any (worked out once per tracker)."""

    def every() -> dict[tuple[str, str], dict[str, int]]:
        found = {}
        for kind in ("companies", "indications", "targets", "drugs", "trials", "sources"):
            for record_id in t.ids(kind):
                sizes = _section_sizes(t, kind, record_id)
                if sizes:
                    found[(kind, record_id)] = sizes
        return found

    return once(t, ("record_sections", page_rows()), every)


def section_pager(
    base: str, kind: str, record_id: str, section: str, part: int, total: int, noun: str
):
    """The pager of a section of a record's page (`part` 1: on the record's page; 0: the whole
    section, for its rows.json.gz), or None when the section is short enough for one page."""
    return pager(
        base,
        urls.section_url(kind, record_id, section),
        part,
        total,
        noun,
        lambda n: urls.section_part_url(kind, record_id, section, n),
    )


def company_filters(page, company: str):
    """whole_list_filters for a company's pipeline: each drug's stages within the company's
    territory and role, and the filter options of every drug and programme."""
    return once(page.tracker, ("company filters", company), _company_filters, page, company)


def _company_filters(page, company):
    roles, programmes = company_programmes(page.tracker, company)
    stages = [page.tracker.stage_by_region(d, rows=programmes.get(d, [])) for d in roles]
    rows = [row for rows in programmes.values() for row in rows]
    return page.filter_choices(stages, list(roles), rows)

"""Long lists cut into pages (site/listing.py): every row once across the pages, working page
links, the rows' JSON the filters read; a short list is one page, as before. The fixture records
are paged by lowering the rows a page holds (PIPELINE_TRACKER_PAGE_ROWS)."""

from __future__ import annotations

import gzip
import json
import posixpath
import re
from html.parser import HTMLParser

import pytest
from conftest import FIXTURES, ROOT
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import load_records
from pipeline_tracker.site import listing, render, urls
from pipeline_tracker.site.render import (
    SiteOptions,
    list_rows_files,
    page_jobs,
    paged_lists,
    render_job,
)


@pytest.fixture(scope="module")
def tracker():
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    return link(records)


class _Paged(HTMLParser):
    """The first link of each row of the table marked data-pt-paged, and the pager's links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[str] = []
        self.pager: list[tuple[str, str, dict]] = []  # (href, text, attributes)
        self.status: list[str] = []
        self._in_table: str | bool = False
        self._in_row = self._in_pager = self._in_status = False
        self._link: tuple[str, dict] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (tag == "table" and ("data-pt-paged" in a or "data-pt-paged-list" in a)) or (
            tag == "ul" and "data-pt-paged-list" in a
        ):
            self._in_table = "tr" if tag == "table" else "li"  # what a row of it is
        elif tag == self._in_table and "pt-subrow" not in (a.get("class") or ""):
            self._in_row = True
        elif tag == "a" and self._in_row:
            self.rows.append(a["href"])
            self._in_row = False
        elif tag == "nav" and "data-pt-pager" in a:
            self._in_pager = True
        elif tag == "p" and self._in_pager:
            self._in_status, self._text = True, []
        elif tag == "a" and self._in_pager:
            self._link, self._text = (a["href"], a), []

    def handle_endtag(self, tag):
        if (tag, self._in_table) in (("table", "tr"), ("ul", "li")):
            self._in_table = self._in_row = False
        elif tag == self._in_table:
            self._in_row = False  # a row with no link (a total) names no record
        elif tag == "nav":
            self._in_pager = False
        elif tag == "p" and self._in_status:
            self.status.append("".join(self._text).strip())
            self._in_status = False
        elif tag == "a" and self._link:
            href, a = self._link
            self.pager.append((href, " ".join("".join(self._text).split()), a))
            self._link = None

    def handle_data(self, data):
        if self._in_status or self._link:
            self._text.append(data)


def _parse(html: str) -> _Paged:
    parser = _Paged()
    parser.feed(html)
    return parser


def _record_id(href: str) -> str:
    return href.rstrip("/").rsplit("/", 1)[-1]


def _pages(tracker, monkeypatch, rows: int) -> dict[str, dict[str, str]]:
    """Every page of every paged list with `rows` rows a page: list src → {src: html}."""
    monkeypatch.setenv(listing.PAGE_ROWS_ENV, str(rows))
    lists: dict[str, dict[str, str]] = {src: {} for src in paged_lists(tracker)}
    for job in page_jobs(tracker):
        src = job[0]
        if job[3]:
            continue
        first = next((s for s in lists if urls.list_url_of_src(src) == urls.src_url(s)), None)
        if first:
            lists[first][src] = render_job(tracker, SiteOptions(), job).html
    return lists


def _whole(tracker, src: str) -> list[str]:
    """The rows of a list rendered whole (part 0: as the site shows a short list)."""
    template, kind, _ = paged_lists(tracker)[src]
    values = render._list_values(tracker, src, kind, SiteOptions(), 0, template)
    return _parse(render._render(tracker, template, src, SiteOptions(), **values)[0]).rows


def test_a_paged_list_shows_every_row_exactly_once_in_the_whole_lists_order(tracker, monkeypatch):
    pages = _pages(tracker, monkeypatch, 1)
    whole = {src: _whole(tracker, src) for src in pages}
    assert "quality/old-sources.md" in whole  # a check with many findings has its own pages
    assert {"landscapes/targets.md", "landscapes/pipeline.md"} <= set(whole)  # views too
    assert all(len(rendered) > 1 for rendered in pages.values())  # every list pages at 1 a page
    for src, rendered in pages.items():
        rows = whole[src]
        assert len(rendered) == len(rows), src  # a note row (deals) stays with its row
        seen = [href for html in rendered.values() for href in _parse(html).rows]
        # links are relative to each page: compare the records they name, in order
        assert [_record_id(h) for h in seen] == [_record_id(h) for h in rows], src


def test_page_links_lead_to_the_pages_of_the_list(tracker, monkeypatch):
    pages = _pages(tracker, monkeypatch, 1)
    for first, rendered in pages.items():
        if len(rendered) == 1:
            continue
        addresses = {urls.src_url(src) for src in rendered}
        count = len(rendered)
        for n, src in enumerate(rendered, start=1):
            page = _parse(rendered[src])
            here = urls.src_url(src)
            assert urls.part_of_src(src) == n
            assert page.status and page.status[0].startswith(f"Page {n} of {count}:"), page.status
            targets = {}
            for href, text, attrs in page.pager:
                target = posixpath.normpath(posixpath.join(here, href)) + "/"
                assert target in addresses, (src, href)
                targets.setdefault(text, target)
                if attrs.get("aria-current") == "page":
                    assert target == here
            numbered = {t for text, t in targets.items() if re.fullmatch(r"Page \d+", text)}
            assert here in numbered and urls.list_url_of_src(first) in numbered
            if n > 1:
                assert targets["‹ Previous page"] == urls.src_url(list(rendered)[n - 2])
            else:
                assert "‹ Previous page" not in targets
            if n < count:
                assert targets["Next page ›"] == urls.src_url(list(rendered)[n])
            else:
                assert "Next page ›" not in targets


def _links(nodes):
    """The attributes of each link in a JSON row's nodes, in document order."""
    for node in nodes:
        if isinstance(node, list):
            if node[0] == "a":
                yield node[1]
            yield from _links(node[2])


def test_the_rows_json_holds_every_row_with_the_page_it_is_on(tracker, monkeypatch):
    pages = _pages(tracker, monkeypatch, 2)
    files = list_rows_files(tracker, SiteOptions())
    for first, rendered in pages.items():
        list_url = urls.src_url(first)
        if len(rendered) == 1 or "data-pt-paged=" not in next(iter(rendered.values())):
            # one page, or no table to filter (a landscape matrix, a list of findings)
            assert urls.list_rows_url(list_url) not in files
            continue
        raw = gzip.decompress(files[urls.list_rows_url(list_url)])
        assert b"\n" not in raw and b": " not in raw[:200]  # minified
        data = json.loads(raw)
        assert [posixpath.normpath(posixpath.join(list_url, p)) + "/" for p in data["pages"]] == [
            urls.src_url(src) for src in rendered
        ]
        on_pages = {
            _record_id(href): n
            for n, html in enumerate(rendered.values(), start=1)
            for href in _parse(html).rows
        }
        in_json = {}
        for part, attrs, cells in data["rows"]:
            if "pt-subrow" in attrs.get("class", ""):
                continue
            link = next(_links([node for cell in cells for node in cell[1]]), None)
            if link:  # the first link of the row, as on the page
                in_json[_record_id(link["href"])] = part
        assert in_json == on_pages, first


def test_record_text_in_the_rows_json_is_text_never_markup(monkeypatch):
    """tracker.js builds rows from the JSON with textContent: a name with markup in it stays
    a string inside a cell, never a tag of the JSON tree."""
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    tracker = link(records)  # its own: pages cache what they worked out of a tracker's records
    name = tracker.get("drugs", tracker.tracked_ids()[0])
    name["name"] = '<img src=x onerror="alert(1)">'
    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")
    data = json.loads(
        gzip.decompress(list_rows_files(tracker, SiteOptions())[urls.list_rows_url("drugs/")])
    )

    def tags(nodes):
        for node in nodes:
            if isinstance(node, list):
                yield node[0]
                yield from tags(node[2])

    texts = json.dumps(data)
    assert "<img src=x" in texts  # the name, as text
    assert all(t in listing.TAGS for _, _, cells in data["rows"] for c in cells for t in tags(c[1]))


def test_the_rows_files_are_gzip_and_the_same_bytes_for_the_same_rows(tracker, monkeypatch):
    """tracker.js inflates the file; a rebuild of the same records writes the same bytes (no
    time stamp, no file name in the gzip header), so a deploy does not see it changed."""
    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")
    files = list_rows_files(tracker, SiteOptions())
    assert files and files == list_rows_files(tracker, SiteOptions())
    for path, raw in files.items():
        assert urls.is_list_rows_url(path) and path.endswith(".gz"), path
        assert raw[:3] == b"\x1f\x8b\x08" and not raw[3] & 0x08, path  # gzip, deflate, no name
        assert raw[4:8] == bytes(4), path  # mtime 0
        assert json.loads(gzip.decompress(raw))["rows"], path
    assert not urls.is_list_rows_url("drugs/index.html")
    assert not urls.is_list_rows_url(urls.json_path("drugs", "x"))


def test_short_lists_are_one_page_as_before(tracker):
    jobs = page_jobs(tracker)
    assert not any(f"/{urls.PAGES_DIR}/" in job[0] for job in jobs)
    for src in paged_lists(tracker):
        job = next(j for j in jobs if j[0] == src)
        html = render_job(tracker, SiteOptions(), job).html
        assert "data-pt-pager" not in html and "data-pt-paged" not in html
    assert list_rows_files(tracker, SiteOptions()) == {}


def test_list_addresses_round_trip():
    for first in ("drugs/index.md", "deals.md", "landscapes/regions.md"):
        list_url = urls.src_url(first)
        assert urls.list_part_src(first, 1) == first
        assert urls.list_part_url(list_url, 1) == list_url
        for n in (2, 3, 40):
            src = urls.list_part_src(first, n)
            assert urls.part_of_src(src) == n
            assert urls.src_url(src) == urls.list_part_url(list_url, n)
            assert urls.list_url_of_src(src) == list_url
    assert urls.part_of_src("drugs/page.md") == 1  # a drug whose id is "page"


@pytest.mark.parametrize("rows", ["3", "1"])
def test_a_long_timeline_is_split_by_year_and_links_to_events_follow(tracker, monkeypatch, rows):
    """Past a page of events the timeline has a page per year, and a year with more events than
    a page holds a page per month (the events the source dates to the year alone stay on the
    year's page, which lists its months with true counts): each event is on exactly one page,
    the overview lists the years with true counts, and links to an event (a deal's date, the
    events feed) lead to the page that holds it."""
    from pipeline_tracker.records.ids import event_anchor
    from pipeline_tracker.site.feed import build_feed

    monkeypatch.setenv(listing.PAGE_ROWS_ENV, rows)
    jobs = {job[0]: job for job in page_jobs(tracker)}
    pages = [src for src in jobs if src.startswith(urls.TIMELINE)]
    years = [src for src in pages if src.count("/") == 1]
    assert len(years) > 1
    holds: dict[str, str] = {}
    html = {src: render_job(tracker, SiteOptions(), jobs[src]).html for src in pages}
    for src in pages:
        for anchor in re.findall(r'<article [^>]*id="([^"]+)"', html[src]):
            assert anchor not in holds, anchor
            holds[anchor] = urls.src_url(src)
    assert set(holds) == {event_anchor(e) for e in tracker.ids("events")}
    overview = render_job(tracker, SiteOptions(), jobs["timeline.md"]).html
    assert "<article" not in overview
    listed = re.findall(r'<a href="[^"]*timeline/([^"]+)/">[^<]+</a>: (\d+) events?</li>', overview)
    assert sum(int(n) for _, n in listed) == len(tracker.ids("events"))
    assert [urls.timeline_year_src(year) for year, _ in listed] == years
    months = [src for src in pages if src.count("/") == 2]
    assert bool(months) == (rows == "1"), "the fixture has a year of two events with months"
    for year, count in listed:
        under = [urls.src_url(src) for src in months if src.startswith(f"timeline/{year}/")]
        page = html[urls.timeline_year_src(year)]
        shown = re.findall(
            r'<li><a href="[^"]*timeline/([^"]+)/">[^<]+</a>: (\d+) events?</li>', page
        )
        assert [f"timeline/{month}/" for month, _ in shown] == under
        on_page = len(re.findall(r"<article ", page))
        assert on_page + sum(int(n) for _, n in shown) == int(count), year
        for month, n in shown:
            assert len(re.findall(r"<article ", html[urls.timeline_year_src(month)])) == int(n)

    def follows(href: str, page_url: str) -> None:
        path, _, anchor = href.partition("#")
        target = posixpath.normpath(posixpath.join(page_url, path)) + "/"
        assert holds[anchor] == target, href

    deals = render_job(tracker, SiteOptions(), jobs["deals.md"]).html
    linked = re.findall(r'href="([^"]*#event-[^"]*)"', deals)
    assert linked
    for href in linked:
        follows(href, "deals/")
    feed = build_feed(tracker).decode("utf-8")
    for href in re.findall(r'href="([^"]*#event-[^"]*)"', feed):
        follows(href, "")


def test_the_rows_json_keeps_a_cells_list_and_what_each_item_says(tracker):
    """A company's programmes (and a deal's parties and terms) are a list in their cell: the
    rows a filter brings in from the JSON keep it, with each programme's regions (which the
    region filter reads), instead of running the programmes into one line."""
    from pipeline_tracker.model.tracker import regions_holding

    page = render.PageContext(tracker, "companies/x.md", SiteOptions())
    company, drug, rows = next(
        (c, d, rows)
        for c in tracker.ids("companies")
        for d, rows in tracker.programmes_of_company(c).items()
        if len(rows) >= 2
    )
    row = page.company_row(drug, "developer", tracker.stage_by_region(drug, rows=rows), rows)
    html = f'<table class="pt-table" data-pt-paged="rows.json.gz"><tbody>\n{row}\n</tbody></table>'
    ((rows_url, part, chunk),) = listing.page_rows_chunks(f"companies/{company}.md", html)
    assert (rows_url, part) == (f"companies/{company}/rows.json.gz", 1)
    data = json.loads(listing.assemble_rows(f"companies/{company}/", 1, {1: chunk}))
    ((_, _, cells),) = data["rows"]
    (listed,) = [node for node in cells[2][1] if isinstance(node, list)]
    assert listed[0] == "ul"
    items = [node for node in listed[2] if isinstance(node, list)]
    assert [item[0] for item in items] == ["li"] * len(rows)
    assert sorted(item[1]["data-regions"] for item in items) == sorted(
        " ".join(regions_holding([r.region])) for r in rows
    )


_ANCHOR = re.compile(r'"#((?:ref|inferred)-\d+)"')  # an href, in the page or in the JSON
_PAGED_TBODY = re.compile(
    r'<table [^>]*data-pt-paged="([^"]+)"[^>]*>.*?<tbody>(.*?)</tbody>', re.DOTALL
)


def test_a_rows_citations_and_notes_are_numbered_as_on_the_page_the_row_is_on(
    tmp_path, monkeypatch
):
    """A filter shows rows of every page of a list from its rows file: each row's citations
    ([3], #ref-3) and notes (#inferred-1) are numbered as on the page the row is on, whose
    references they point to (the first page of a record's section is the record's page, which
    cites sources before the section does)."""
    from synth import synthesize  # benchmarks/, on the path (conftest)

    synthesize(30, tmp_path / "records", seed=7)
    records, problems = load_records(tmp_path / "records", ROOT)
    assert problems == []
    tracker = link(records)
    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")
    jobs = {job[0]: job for job in page_jobs(tracker)}
    lists = render.rows_lists(tracker)
    files = list_rows_files(tracker, SiteOptions())
    assert set(files) == set(lists)
    checked = 0
    for rows_url, content in files.items():
        data = json.loads(gzip.decompress(content))
        every = lists[rows_url]
        for part, src in enumerate(every.pages, start=1):
            page = render_job(tracker, SiteOptions(), jobs[src]).html
            (body,) = [
                b
                for href, b in _PAGED_TBODY.findall(page)
                if posixpath.normpath(posixpath.join(urls.src_url(src), href)) == rows_url
            ]
            in_file = _ANCHOR.findall(json.dumps([r for r in data["rows"] if r[0] == part]))
            assert in_file == _ANCHOR.findall(body), (rows_url, part)
            checked += len(in_file)
    assert checked > 20

"""Long sections of record pages cut into pages (listing.record_sections): the first rows on the
record's page, the rest on further pages at stable addresses; every row exactly once, pager links
that lead to the section's pages, the rows' JSON that filters read, and short sections as before.
The fixture records are paged by lowering the rows a page holds (PIPELINE_TRACKER_PAGE_ROWS)."""

from __future__ import annotations

import gzip
import json
import posixpath
import re
import shutil
from html import unescape

import pytest
from conftest import FIXTURES, ROOT
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import load_records
from pipeline_tracker.site import listing, render, urls
from pipeline_tracker.site.render import SiteOptions, list_rows_files, page_jobs, render_job


@pytest.fixture(scope="module")
def fixture_tracker():
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    return link(records)


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    """The fixture records and one more deal between LianBio and BridgeBio (a copy of their
    alliance under another id, test data only), so that a company's deals run to two pages."""
    records_dir = tmp_path_factory.mktemp("sections") / "records"
    shutil.copytree(FIXTURES, records_dir)
    deal = records_dir / "events" / "lianbio-bridgebio-alliance-2020.yaml"
    copy = deal.read_text(encoding="utf-8").replace(
        "id: lianbio-bridgebio-alliance-2020", "id: lianbio-bridgebio-alliance-2020-copy"
    )
    (deal.parent / "lianbio-bridgebio-alliance-2020-copy.yaml").write_text(copy, encoding="utf-8")
    records, problems = load_records(records_dir, ROOT)
    assert problems == []
    return link(records)


_NAV = re.compile(r"<nav class=\"pt-pager\".*?</nav>", re.DOTALL)
_HREF = re.compile(r'href="([^"]*)"')
_BODY = re.compile(r'<tbody>(.*?)</tbody>|<ul class="pt-cited-by"[^>]*>(.*?)</ul>', re.DOTALL)


def _rows(html: str) -> list[str]:
    """The rows of the first table (or cited-by list) in `html`, each as the record its first
    link names (its text when it links nothing): links are relative to each page."""
    match = _BODY.search(html)
    assert match, html[:300]
    table = match.group(1) is not None
    body = match.group(1) if table else match.group(2)
    found = []
    for row in re.split(r"<tr[\s>]" if table else r"<li[\s>]", body)[1:]:
        if row.lstrip().startswith('class="pt-subrow"'):
            continue
        href = _HREF.search(row)
        if href:
            found.append(unescape(href.group(1)).rstrip("/").rsplit("/", 1)[-1])
        else:
            found.append(" ".join(re.sub(r"<[^>]+>", " ", row).split()))
    return found


def _section_html(html: str, section: str) -> tuple[str, list[str]]:
    """The part of a page between the two pagers of `section` (the pager links to its page 2,
    or this page is one of its further pages), and the pager's links."""
    navs = [m for m in _NAV.finditer(html) if f"/{section}/{urls.PAGES_DIR}/" in m.group(0)]
    assert len(navs) == 2, (section, len(navs))
    return html[navs[0].end() : navs[1].start()], _HREF.findall(navs[0].group(0))


def _sections(tracker, monkeypatch, rows: int):
    """{(kind, id, section): {page address: html}} for every long section, page 1 first."""
    monkeypatch.setenv(listing.PAGE_ROWS_ENV, str(rows))
    jobs = page_jobs(tracker)
    by_src = {job[0]: job for job in jobs}
    found = {}
    for (kind, record_id), sections in listing.record_sections(tracker).items():
        record = render_job(tracker, SiteOptions(), by_src[urls.page_src(kind, record_id)]).html
        for section, count in sections.items():
            pages = {urls.record_url(kind, record_id): record}
            for part in range(2, listing.parts(count) + 1):
                src = urls.section_part_src(kind, record_id, section, part)
                pages[urls.src_url(src)] = render_job(tracker, SiteOptions(), by_src[src]).html
            found[(kind, record_id, section)] = pages
    return found


def _whole(tracker, kind: str, record_id: str, section: str) -> str:
    """The section rendered whole (part 0: as a short section shows on the record's page)."""
    src = urls.section_src(kind, record_id, section)
    values = render._section_values(tracker, src, 0)
    return render._render(tracker, render.SECTION_TEMPLATE, src, SiteOptions(), **values)[0]


@pytest.mark.parametrize("rows", [1, 2])
def test_a_long_section_shows_every_row_exactly_once_across_its_pages(tracker, monkeypatch, rows):
    sections = _sections(tracker, monkeypatch, rows)
    kinds = {(kind, section) for kind, _, section in sections}
    # The fixture records have long sections of these sorts even at two rows a page.
    assert {
        ("indications", "drugs"),
        ("targets", "drugs"),
        ("companies", "landscape"),
        ("targets", "landscape-bars"),
        ("sources", "cited-by"),
    } <= kinds
    for (kind, record_id, section), pages in sections.items():
        whole = _rows(_whole(tracker, kind, record_id, section).split("<h2 ", 2)[1])
        seen = []
        for n, html in enumerate(pages.values(), start=1):
            shown_rows = _rows(_section_html(html, section)[0])
            assert 0 < len(shown_rows) <= rows, (kind, record_id, section, n)
            seen += shown_rows
            total = f"of {len(whole):,}</p>"  # the pager's truthful total: every row, all pages
            assert total in html, (kind, record_id, section)
        assert seen == whole, (kind, record_id, section)


@pytest.mark.parametrize("rows", [1, 2])
def test_pager_links_of_a_section_lead_to_its_pages_and_back(tracker, monkeypatch, rows):
    sections = _sections(tracker, monkeypatch, rows)
    if rows == 1:  # every sort of section is long at one row a page
        assert {section for _, _, section in sections} == set(listing.SECTION_TITLES)
    for (kind, record_id, section), pages in sections.items():
        record_url = urls.record_url(kind, record_id)
        anchors = set(re.findall(r' id="([^"]+)"', pages[record_url]))
        for here, html in pages.items():
            _, links = _section_html(html, section)
            targets = set()
            for href in links:
                path, _, fragment = unescape(href).partition("#")
                target = posixpath.normpath(posixpath.join(here, path)) + "/"
                assert target in pages, (here, href)
                if target == record_url:  # page 1: the record's page, at the section's heading
                    assert fragment in anchors, (here, href)
                targets.add(target)
            order = list(pages)
            n = order.index(here)
            # this page, the first and the last, and the pages either side of this one
            wanted = {here, order[0], order[-1], *order[max(0, n - 1) : n + 2]}
            assert wanted <= targets, here
            if here != record_url:  # a further page names the record and links back to it
                name = render.display_name(tracker, kind, record_id)
                assert "<h1" in html and str(listing.SECTION_TITLES[section]).lower() in html
                assert name in html.split("</h1>")[0]
                assert urls.relative(here, record_url) in html


def test_the_rows_json_of_a_long_table_holds_every_row_with_its_page(tracker, monkeypatch):
    sections = _sections(tracker, monkeypatch, 2)
    files = list_rows_files(tracker, SiteOptions())
    checked = 0
    for (kind, record_id, section), pages in sections.items():
        rows_url = urls.list_rows_url(urls.section_url(kind, record_id, section))
        if section not in listing.SECTIONS_WITH_ROWS_JSON:
            assert rows_url not in files  # a landscape, a list: no filter to feed
            continue
        data = json.loads(gzip.decompress(files[rows_url]))
        base = urls.section_url(kind, record_id, section)
        resolved = [
            posixpath.normpath(posixpath.join(base, p.partition("#")[0])) + "/"
            for p in data["pages"]
        ]
        assert resolved == list(pages)
        on_pages = [
            (row, n)
            for n, html in enumerate(pages.values(), start=1)
            for row in _rows(_section_html(html, section)[0])
        ]
        in_json = []
        for part, attrs, cells in data["rows"]:
            if "pt-subrow" in attrs.get("class", ""):
                continue
            hrefs = re.findall(r'"href": "([^"]*)"', json.dumps(cells))
            in_json.append((hrefs[0].rstrip("/").rsplit("/", 1)[-1], part))
        assert in_json == on_pages, (kind, record_id, section)
        # The table on each page names the file, relative to that page.
        for here, html in pages.items():
            named = re.findall(r'data-pt-paged="([^"]*)"', html)
            assert rows_url in {posixpath.normpath(posixpath.join(here, n)) for n in named}
        checked += 1
    assert checked  # the indication's and target's drug tables


def test_further_pages_are_generated_pages_out_of_the_record_pages_search_entry(
    tracker, monkeypatch
):
    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")
    jobs = page_jobs(tracker)
    further = [job for job in jobs if job[1] == render.SECTION_TEMPLATE]
    assert further
    for src, _template, kind, record_id in further:
        assert record_id == ""  # no record job: no JSON-LD, no record search document of its own
        page = render_job(tracker, SiteOptions(), (src, _template, kind, record_id))
        assert "<table" not in page.head and '<ul class="pt-cited-by"' not in page.head
        assert page.linked_data == ""
        # listed right after its record's page
        index = jobs.index((src, _template, kind, record_id))
        owner = urls.section_of_src(src)
        assert any(
            job[3] == owner[1] and job[2] == owner[0] for job in jobs[max(0, index - 40) : index]
        )


def test_short_sections_are_one_page_as_before(tracker):
    assert listing.record_sections(tracker) == {}
    jobs = page_jobs(tracker)
    assert not any(job[1] == render.SECTION_TEMPLATE for job in jobs)
    for job in jobs:
        if job[3]:
            html = render_job(tracker, SiteOptions(), job).html
            assert "data-pt-pager" not in html and "data-pt-paged" not in html, job[0]


def test_section_addresses_round_trip():
    for kind, record_id, section in [
        ("companies", "synthco-0000", "pipeline"),
        ("targets", "erbb2", "landscape-bars"),
        ("sources", "page", "cited-by"),
    ]:
        assert urls.section_part_url(kind, record_id, section, 1).startswith(
            urls.record_url(kind, record_id) + "#"
        )
        for n in (2, 3, 40):
            src = urls.section_part_src(kind, record_id, section, n)
            assert urls.src_url(src) == urls.section_part_url(kind, record_id, section, n)
            assert urls.part_of_src(src) == n
            assert urls.section_of_src(src) == (kind, record_id, section)
        assert urls.section_of_src(urls.section_src(kind, record_id, section)) == (
            kind,
            record_id,
            section,
        )


_ARTICLE = re.compile(r"<article[^>]*>(.*?)</article>", re.DOTALL)


def _broken_links(site, url: str) -> list[str]:
    """Links of a built page's article that lead to no file of the site, or to no such id."""
    html = (site / url / "index.html").read_text(encoding="utf-8")
    broken = []
    for href in re.findall(r'href="([^"]*)"', _ARTICLE.search(html).group(1)):
        href = unescape(href)
        if href.startswith(("http:", "https:", "mailto:")):
            continue
        path, _, fragment = href.partition("#")
        target = posixpath.normpath(posixpath.join(url, path)) if path else url.rstrip("/")
        file = site / target / "index.html" if not posixpath.splitext(target)[1] else site / target
        html_file = file.suffix == ".html"  # a JSON document's #id is a key, not an anchor
        if not file.is_file() or (
            fragment and html_file and f'id="{fragment}"' not in file.read_text(encoding="utf-8")
        ):
            broken.append(href)
    return broken


def test_a_built_site_has_each_further_page_in_the_sitemap_out_of_the_nav_links_resolving(
    paged_site, fixture_tracker, monkeypatch
):
    from conftest import SITE_URL

    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")
    further = [job[0] for job in page_jobs(fixture_tracker) if job[1] == render.SECTION_TEMPLATE]
    assert further
    sitemap = (paged_site / "sitemap.xml").read_text(encoding="utf-8")
    home = (paged_site / "index.html").read_text(encoding="utf-8")
    nav = home[home.find('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.find('class="md-sidebar md-sidebar--secondary"')]
    owners = set()
    for src in further:
        url = urls.src_url(src)
        assert (paged_site / url / "index.html").is_file(), url
        assert f"<loc>{SITE_URL}{url}</loc>" in sitemap, url
        assert url not in nav, url
        assert _broken_links(paged_site, url) == [], url
        kind, record_id, section = urls.section_of_src(src)
        owners.add(urls.record_url(kind, record_id))
        if section in listing.SECTIONS_WITH_ROWS_JSON:
            rows = urls.list_rows_url(urls.section_url(kind, record_id, section))
            assert json.loads(gzip.decompress((paged_site / rows).read_bytes()))["rows"]
    for url in owners:  # the record pages' pagers lead to pages that exist
        assert _broken_links(paged_site, url) == [], url

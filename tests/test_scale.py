"""Scale machinery at small sizes: synthetic trees, the fast readers, render --out, preview subsets.

Speed itself is measured by `make bench`, never here.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import BIN, FIXTURES, ROOT, mkdocs_build
from linkcheck import check_site
from pipeline_tracker.mkdocs_adapter.search import UNINDEXED_CLOSE, UNINDEXED_OPEN
from pipeline_tracker.records import load
from pipeline_tracker.records.schemas import SCHEMA_DIR, schema_set
from pipeline_tracker.records.validate import load_and_check
from pipeline_tracker.records.yaml_reader import read_events, read_plain
from synth import synthesize


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))
    }


@pytest.fixture(scope="module")
def synth30(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "records"
    synthesize(30, out, seed=7)
    return out


def test_synth_tree_validates(synth30):
    records, problems = load_and_check(synth30)
    assert problems == []
    assert len(records["drugs"]) == 30
    assert all(len(records[kind]) for kind in load.KINDS)
    assert all(rid.startswith("synth") for by_id in records.values() for rid in by_id)


def test_synth_is_deterministic(tmp_path, synth30):
    synthesize(30, tmp_path / "same", seed=7)
    synthesize(30, tmp_path / "other", seed=8)
    assert _tree_bytes(tmp_path / "same") == _tree_bytes(synth30)
    assert _tree_bytes(tmp_path / "other") != _tree_bytes(synth30)


def test_synth_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "drugs").mkdir()
    (tmp_path / "drugs" / "real.yaml").write_text("id: real\n")
    with pytest.raises(ValueError):
        synthesize(3, tmp_path)
    assert (tmp_path / "drugs" / "real.yaml").exists()


def test_synth_cli(tmp_path):
    result = subprocess.run(
        [str(BIN / "pipeline-tracker"), "synth", "--drugs", "5", "--out", str(tmp_path / "t")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "t" / "drugs" / "synthdrug-00004.yaml").exists()


def _record_texts(synth30: Path):
    for folder in (FIXTURES, synth30):
        for path in sorted(folder.glob("*/*.yaml")):
            yield path, path.read_text(encoding="utf-8")


def test_fast_reader_agrees_with_careful_reader(synth30):
    fast_count = 0
    for path, text in _record_texts(synth30):
        fast = read_plain(text)
        careful = read_events(text)
        if fast is not None:
            fast_count += 1
            assert fast[0] == careful[0], path
            assert fast[1] == careful[1], path
            assert read_plain(text, positions=False) == (careful[0], None), path
    assert fast_count > 100


@pytest.mark.parametrize(
    "text",
    [
        "id: x\nname: &a x\n",
        "id: x\nname: *a\n",
        "id: !!str x\n",
        "<<: {a: 1}\n",
        "a: 1\na: 2\n",
        "a: yes\n",
        "a: 017\n",
        "a: .nan\n",
        "---\na: 1\n---\nb: 2\n",
        "a: " + "[" * 40 + "]" * 40 + "\n",
        "12: x\n",
        "a: 2019-01-01\n",
    ],
)
def test_fast_reader_leaves_unusual_files_to_the_careful_reader(text):
    fast = read_plain(text)
    if fast is not None:  # only plain data may come back, and then exactly as the careful reader
        assert fast == read_events(text)


def _mutations(data: dict):
    """Broken copies of a record: each field removed, retyped or replaced by a bad value."""
    for key in list(data):
        for bad in (None, 12, "", "X" * 5000, ["a", "a"], {"a": 1}, "Not a Slug!", "2024-13-40"):
            broken = copy.deepcopy(data)
            broken[key] = bad
            yield broken
        broken = copy.deepcopy(data)
        del broken[key]
        yield broken
    yield {**copy.deepcopy(data), "unknown_field": 1}


def test_schema_gate_and_messages_agree(synth30):
    """jsonschema-rs (the yes/no gate) and python-jsonschema (the messages) give one verdict."""
    schemas = schema_set(SCHEMA_DIR)
    records, _ = load.load_records(FIXTURES, ROOT)
    synthetic, _ = load.load_records(synth30)
    checked = 0
    for tree in (records, synthetic):
        for kind, by_id in tree.items():
            for record in list(by_id.values())[:4]:
                assert schemas.gates[kind].is_valid(record.data), record.path
                for data in _mutations(record.data):
                    gate = schemas.gates[kind].is_valid(data)
                    errors = list(schemas.messages[kind].iter_errors(data))
                    assert gate == (not errors), (record.path, data)
                    checked += 1
    assert checked > 500


def _page_urls(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def test_render_out_builds_the_same_pages_with_plain_mkdocs(tmp_path, synth30, monkeypatch):
    """`render --out` then plain MkDocs builds the hooked build's pages, and both hold together
    (every link and #anchor resolves), landscape cells' own pages among them (cells crowded by
    naming one drug, and one more under "more")."""
    from pipeline_tracker.site import listing

    monkeypatch.setenv(listing.CELL_NAMES_ENV, "1")
    monkeypatch.setenv(listing.CELL_MORE_ENV, "1")
    hooked = tmp_path / "hooked"
    result = mkdocs_build(hooked, records=synth30)
    assert result.returncode == 0, result.stderr
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(synth30), NO_MKDOCS_2_WARNING="1")
    out = tmp_path / "plain"
    rendered = subprocess.run(
        [str(BIN / "pipeline-tracker"), "render", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert rendered.returncode == 0, rendered.stderr
    assert "hooks" not in (out / "mkdocs.yml").read_text(encoding="utf-8")
    plain_env = {k: v for k, v in env.items() if k != "PIPELINE_TRACKER_RECORDS"}
    plain = subprocess.run(
        [
            str(BIN / "mkdocs"),
            "build",
            "--strict",
            "-f",
            str(out / "mkdocs.yml"),
            "-d",
            str(tmp_path / "plain-site"),
        ],
        cwd=out,
        env=plain_env,
        capture_output=True,
        text=True,
    )
    assert plain.returncode == 0, plain.stderr
    plain_site = tmp_path / "plain-site"
    assert _page_urls(plain_site) == _page_urls(hooked)
    assert any("/cells/" in url for url in _page_urls(hooked))
    assert check_site(hooked) == [] and check_site(plain_site) == []
    assert (plain_site / "drugs" / "synthdrug-00003" / "index.html").exists()
    # The hook hands MkDocs record pages as HTML instead of Markdown and keeps their tables away
    # from the search plugin: readers and search must not see a difference.
    compared = 0
    for url in sorted(_page_urls(hooked)):
        if (
            url.split("/")[0]
            in ("drugs", "targets", "companies", "indications", "trials", "sources")
            or url == "timeline/index.html"
        ):
            assert _article(hooked / url) == _article(plain_site / url), url
            compared += 1
    assert compared > 50
    # Search differs by design: the hooked build is indexed by Pagefind (which skips what the
    # plain build's Material search skips), the plain build keeps Material's search.
    assert (plain_site / "search" / "search_index.json").exists()
    assert (hooked / "pagefind" / "pagefind.js").exists()


def _article(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    start = html.index('<article class="md-content__inner md-typeset">')
    body = html[start : html.rindex("</article>")].replace(" data-search-exclude", "")
    if UNINDEXED_OPEN in body:  # the hooked build wraps what Pagefind leaves out
        body = body.replace(UNINDEXED_OPEN, "", 1)
        cut = body.rindex(UNINDEXED_CLOSE)
        body = body[:cut] + body[cut + len(UNINDEXED_CLOSE) :]
    return "\n".join(
        line.rstrip() for line in body.splitlines() if line.strip()
    )  # blank lines aside


def test_record_pages_index_names_not_tables(built_site):
    from pagefind_index import fragments

    page = fragments(built_site)["/drugs/zevorcabtagene-autoleucel/"]
    assert "CT053" in page["content"]
    assert "LUMMICAR" not in page["content"].upper()  # its trials table stays out of the index
    assert page["meta"]["title"] == "zevorcabtagene autoleucel"


def test_the_sites_own_pages_are_found_by_their_titles_as_records_by_their_names(
    built_site, paged_site
):
    """A list's first page holds its title among the names search weighs most, as a record page
    holds its name (render.PageContext.title): every drug's page says "Drug", and at 10,000
    drugs a search for "drugs" showed the Drugs index 146th before."""
    from pagefind_index import fragments

    indexed = fragments(built_site)
    titles = {
        "/drugs/": "Drugs",
        "/trials/": "Trials",
        "/companies/": "Companies",
        "/timeline/": "Timeline",
        "/landscapes/": "Landscapes",
        "/quality/": "Data quality",
        "/deals/": "Deals",
    }
    for url, title in titles.items():
        assert indexed[url]["meta"]["names"] == title, url
        assert indexed[url]["meta"]["title"] == title, url
        # Its preview is its introduction, as the page shows it (Pagefind's excerpt began
        # "Drugs. Drugs. Tracked assets: …").
        page = (built_site / url.strip("/") / "index.html").read_text(encoding="utf-8")
        intro = re.search(r'<p data-pagefind-meta="summary">(.*?)</p>', page, re.DOTALL)
        assert intro, url
        shown = " ".join(html.unescape(re.sub(r"<[^>]+>", "", intro.group(1))).split())
        assert indexed[url]["meta"]["summary"] == shown, url
    # A record section's page and a timeline year are not the site's own lists: their titles
    # are not names (a record's name is, on its own page).
    paged = fragments(paged_site)
    others = [url for url in paged if "/page/" in url or url.startswith("/timeline/2")]
    assert any("/page/" in url for url in others) and any("/timeline/2" in url for url in others)
    assert [url for url in others if "names" in paged[url]["meta"]] == []


def test_preview_subset_holds_neighbours_and_what_they_name():
    from pipeline_tracker.tools.preview import subset

    files, complaints = subset(FIXTURES, [FIXTURES / "drugs" / "zevorcabtagene-autoleucel.yaml"])
    assert complaints == []
    keys = set(files)
    assert ("drugs", "zevorcabtagene-autoleucel") in keys
    assert ("trials", "lummicar-1") in keys  # names the drug
    assert ("targets", "tnfrsf17") in keys  # named by the drug
    assert ("drugs", "zanidatamab") not in keys
    _records, problems = load_and_check(FIXTURES)
    assert not problems


def test_preview_rejects_paths_outside_records(tmp_path):
    from pipeline_tracker.tools.preview import subset

    _files, complaints = subset(FIXTURES, [tmp_path / "x.yaml"])
    assert complaints


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))


def test_quick_read_records_still_report_line_and_column(tmp_path, synth30):
    # Records read the quick way carry no positions; a failing check finds them from the text.
    records = tmp_path / "records"
    shutil.copytree(synth30, records)
    drug = records / "drugs" / "synthdrug-00003.yaml"
    lines = drug.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("phase:"))
    indent = lines[at].index("phase:")
    lines[at] = lines[at][: indent + len("phase: ")] + "phase 9"
    drug.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _records, problems = load_and_check(records)
    [problem] = [p for p in problems if p.path.endswith("synthdrug-00003.yaml")]
    assert (problem.line, problem.col) == (at + 1, indent + len("phase: ") + 1)
    assert problem.pointer.endswith("/phase") and "'phase 9'" in problem.message


def test_pages_rendered_in_two_processes_are_the_pages_rendered_in_one(monkeypatch, synth30):
    """The build renders pages in forked processes (one per core): every page, in the same order,
    byte for byte what one process renders; PIPELINE_TRACKER_WORKERS=1 keeps it in one."""
    from pipeline_tracker.site import render
    from pipeline_tracker.site.build import load_tracker

    tracker = load_tracker(synth30)
    options = render.SiteOptions(today="2025-02-15")
    monkeypatch.setattr(render, "PARALLEL_MIN_PAGES", 1)
    meanwhile: list[str] = []
    serial = render.render_pages(tracker, options)
    parallel = render.render_pages(
        tracker, options, workers=2, meanwhile=lambda: meanwhile.append("ran")
    )
    assert meanwhile == ["ran"]
    assert list(parallel) == list(serial)
    assert parallel == serial
    monkeypatch.setenv(render.WORKERS_ENV, "1")
    assert render.render_workers() == 1
    monkeypatch.delenv(render.WORKERS_ENV)
    assert render.render_workers() == min(2, os.cpu_count() or 1)


def test_search_fragments_are_bundled_and_read_back_whole(tmp_path):
    """Pagefind's one fragment per page becomes a few bundles; every fragment is found, byte for
    byte, in the bundle its name hashes to; no fragment file is written, nor Pagefind's unused
    interfaces, and its scripts read the bundles."""
    from pipeline_tracker.site.search_index import (
        BUNDLES,
        UNUSED,
        fragment_bundle,
        write_index_files,
    )

    output = tmp_path / "pagefind"
    written = {f"en_{n:07x}": os.urandom(50 + n) for n in range(100)}
    files = {f"fragment/{name}.pf_fragment": blob for name, blob in written.items()}
    files |= {"pagefind.js": b"export const x = 1;\n", "index/en_1.pf_index": b"words"}
    files |= {name: b"unused" for name in UNUSED}
    write_index_files(output, files)
    bits = json.loads((output / BUNDLES).read_text())["bits"]
    bundles = sorted((output / "fragment").glob("*"))
    assert 1 < len(bundles) <= 100 // 4 and all(p.suffix == ".pf_bundle" for p in bundles)
    found = {}
    for path in bundles:
        head, _, body = path.read_bytes().partition(b"\n")
        for name, (offset, length) in json.loads(head).items():
            assert path.name == f"{fragment_bundle(name, bits)}.pf_bundle"
            found[name] = body[offset : offset + length]
    assert found == written
    script = (output / "pagefind.js").read_text()
    assert "pf_bundle" in script and script.endswith("export const x = 1;\n")
    assert (output / "index" / "en_1.pf_index").read_bytes() == b"words"
    assert not any((output / name).exists() for name in UNUSED)


def test_a_large_site_is_indexed_in_parts_that_hold_every_page(tmp_path, monkeypatch):
    """Pagefind's memory grows with the pages of one run: past PART_PAGES pages the site is
    indexed in parts, listed in pagefind/parts.json, which together hold every page once."""
    from pagefind_index import _fragments, fragments
    from pipeline_tracker.site.search_index import index_site

    site = tmp_path / "site"
    for n in range(5):
        page = site / f"p{n}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(
            '<!doctype html><html lang="en"><body><article class="md-content__inner">'
            f"<h1>page {n}</h1><p>word{n}</p></article></body></html>"
        )
    monkeypatch.setenv("PIPELINE_TRACKER_SEARCH_PART_PAGES", "2")
    index_site(site)
    parts = json.loads((site / "pagefind" / "parts.json").read_text())["parts"]
    assert parts == ["parts/1/", "parts/2/"]
    sizes = [len(_fragments(site / "pagefind" / part)) for part in [""] + parts]
    assert sizes == [2, 2, 1]  # dealt in turn: p0 p3 | p1 p4 | p2
    assert set(fragments(site)) == {f"/p{n}/" for n in range(5)}
    names = sorted(p.name for p in site.iterdir())
    assert names == ["p0", "p1", "p2", "p3", "p4", "pagefind"]  # no part folder left behind
    monkeypatch.delenv("PIPELINE_TRACKER_SEARCH_PART_PAGES")
    index_site(site)
    assert json.loads((site / "pagefind" / "parts.json").read_text())["parts"] == []
    assert not (site / "pagefind" / "parts").exists()


def test_search_parts_are_as_few_and_as_even_as_the_part_size_allows():
    """The parts, indexed side by side (one Pagefind each), hold every page once, each in path
    order, none past the part size, as few as can hold them, and none more than a page longer
    than another: two parts of 4,001 and 4,000 pages end together, where 8,000 and 1 would not.
    And each is a sample of the whole site, not a run of its paths: Pagefind scores a page
    against its own part, so a part holding every company and no trial scored a company's
    "trials" section far above the Trials index (site/search_index.py search_parts)."""
    from pipeline_tracker.site.search_index import search_parts

    for count, size in [(0, 3), (1, 1), (5, 2), (7, 3), (8001, 8000), (28929, 8000)]:
        pages = [f"p{n:05d}/index.html" for n in range(count)]
        parts = search_parts(pages, size)
        assert sorted(page for part in parts for page in part) == pages
        assert all(part == sorted(part) for part in parts)
        assert len(parts) == max(1, -(-count // size))
        lengths = [len(part) for part in parts]
        assert max(lengths) <= size and max(lengths) - min(lengths) <= 1, lengths
    kinds = ["companies", "drugs", "trials"]
    pages = sorted(f"{kind}/{n:04d}/index.html" for kind in kinds for n in range(3000))
    for part in search_parts(pages, 4000):  # three parts of 3,000 pages
        shares = [sum(page.startswith(kind) for page in part) for kind in kinds]
        assert shares == [1000, 1000, 1000], shares


def _pages_written_in_order(folder: Path, order) -> Path:
    for n in order:
        page = folder / f"p{n % 3}" / f"q{n}" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            '<!doctype html><html lang="en"><body><article class="md-content__inner">'
            f"<h1>page {n}</h1><p>shared word{n} word{n % 4}</p></article></body></html>"
        )
    return folder


def test_the_search_index_does_not_depend_on_the_order_pages_were_written(tmp_path):
    """The same pages give the same index bytes whatever order a file system lists them in
    (another machine's, a memory file system's): Pagefind is given them in path order. In memory
    (/dev/shm, where a folder lists its files newest first) Pagefind's command line, which
    indexes in listing order, gave two indexes here."""
    from pipeline_tracker.site.search_index import index_site

    shm = Path("/dev/shm")
    where = shm if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path
    with tempfile.TemporaryDirectory(dir=where) as folder:
        one = _pages_written_in_order(Path(folder) / "one", range(12))
        other = _pages_written_in_order(Path(folder) / "other", reversed(range(12)))
        if where == shm:  # listed in two orders, as Pagefind's command line would read them
            assert list(os.listdir(one / "p0")) != list(os.listdir(other / "p0"))
        index_site(one)
        index_site(other)
        files = {
            p.relative_to(one).as_posix(): p.read_bytes() for p in one.rglob("*") if p.is_file()
        }
        assert {
            p.relative_to(other).as_posix(): p.read_bytes() for p in other.rglob("*") if p.is_file()
        } == files
        assert "pagefind/pagefind-entry.json" in files


def _filtered_pages(folder: Path, count: int) -> Path:
    values = {"kind": ["Drug", "Trial", "Target"], "region": ["China", "Japan", "United States"]}
    for n in range(count):
        spans = "".join(
            f'<span data-pagefind-filter="{name}">{options[(n * (i + 1)) % len(options)]}</span>'
            for i, (name, options) in enumerate(values.items())
        )
        spans += f'<span data-pagefind-filter="phase">phase {n % 4}</span>'
        page = folder / f"p{n}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(
            '<!doctype html><html lang="en"><body><article class="md-content__inner">'
            f"<h1>page {n}</h1><div hidden data-pagefind-ignore>{spans}</div>"
            f"<p>word{n % 5}</p></article></body></html>"
        )
    return folder


def test_search_filters_come_out_the_same_on_every_run(tmp_path):
    """Pagefind writes its filters' values, and its list of filters, in a different order on
    every run: the same pages gave other filter files, another meta file and another entry
    file. Three runs over the same pages give the same bytes; the filters read back hold every
    page's values, sorted."""
    import gzip

    from pipeline_tracker.site.search_index import SIGNATURE, cbor_decode, index_site

    runs = []
    for n in range(3):
        site = _filtered_pages(tmp_path / f"site{n}", 30)
        index_site(site)
        runs.append(
            {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
        )
    assert runs[0] == runs[1] == runs[2]
    filters = {}
    for path, blob in runs[0].items():
        if path.endswith(".pf_filter"):
            data = gzip.decompress(blob)
            (name, values), end = cbor_decode(data, len(SIGNATURE))
            assert end == len(data)
            filters[name] = {value: pages for value, pages in values}
            assert list(filters[name]) == sorted(filters[name])
    assert sorted(filters) == ["kind", "phase", "region"]
    assert sorted(filters["phase"]) == ["phase 0", "phase 1", "phase 2", "phase 3"]
    assert sum(len(pages) for pages in filters["kind"].values()) == 30


def test_search_index_binary_files_are_read_and_written_as_pagefind_writes_them(
    tmp_path, monkeypatch
):
    """The CBOR the build reads Pagefind's filter and meta files with writes them back byte for
    byte (before sorting): nothing else in them changes."""
    import gzip

    from pipeline_tracker.site import search_index
    from pipeline_tracker.site.search_index import (
        SIGNATURE,
        cbor_decode,
        cbor_encode,
        index_pages,
        site_pages,
    )

    monkeypatch.setattr(search_index, "canonical_filters", lambda files: files)  # Pagefind's own
    site = _filtered_pages(tmp_path / "site", 300)
    index_pages(site, None, site_pages(site, None), tmp_path / "out")
    checked = 0
    for path in [*(tmp_path / "out").glob("*.pf_meta"), *(tmp_path / "out" / "filter").glob("*")]:
        data = gzip.decompress(path.read_bytes())[len(SIGNATURE) :]
        value, end = cbor_decode(SIGNATURE + data, len(SIGNATURE))
        assert end == len(SIGNATURE) + len(data)
        assert cbor_encode(value) == data
        checked += 1
    assert checked == 4  # the meta file and three filters


def test_pagefind_answers_are_read_whole_however_they_arrive():
    """Pagefind's service answers are base64 JSON ended by a comma, some of them megabytes (the
    index's files): each is read whole whether the pipe gives it a byte at a time or with others."""
    import base64

    from pipeline_tracker.site.search_index import _answers

    sent = [{"message_id": n, "payload": {"text": "é," * (n * 2_000)}} for n in range(4)]
    stream = b"".join(base64.b64encode(json.dumps(m).encode()) + b"," for m in sent)

    class Pipe:
        def __init__(self, size: int):
            self.size, self.at = size, 0

        def read1(self, wanted: int) -> bytes:
            piece = stream[self.at : self.at + min(wanted, self.size)]
            self.at += len(piece)
            return piece

    for size in (1, 3, 65_536, len(stream)):
        assert list(_answers(Pipe(size))) == sent


def test_a_page_search_cannot_read_stops_the_index_with_its_name(tmp_path):
    """A page gone before Pagefind is given it (a build cleaned up under it): the build stops
    with the page's name, and does not wait for Pagefind, which waits for more pages."""
    from pipeline_tracker.site.search_index import SearchIndexError, index_pages

    _pages_written_in_order(tmp_path, range(2))
    pages = ["p0/q0/index.html", "p0/q9/index.html", "p1/q1/index.html"]
    with pytest.raises(SearchIndexError, match=r"p0/q9/index\.html: No such file"):
        index_pages(tmp_path, None, pages, tmp_path / "pagefind")
    assert not (tmp_path / "pagefind").exists()


def _primary_nav(html: str) -> str:
    """The primary navigation (up to the end of its sidebar: record pages' shell drops the
    theme's indentation, MkDocs' own pages keep it)."""
    start = html.index('<nav class="md-nav md-nav--primary"')
    return html[start : re.compile(r"</nav>\s*</div>").search(html, start).start()]


def test_navigation_reused_across_record_pages_still_marks_each_nav_page(built_site):
    """Record pages take the navigation from one script (assets/nav.js, overrides/main.html):
    not in the page, with no item marked current and links from the site's root; each page
    listed in the nav still carries its own, marking itself, with links relative to where it is.
    (test_browser.py follows the script's nav in a browser.)"""
    drugs = sorted(p.parent for p in (built_site / "drugs").glob("*/index.html"))
    assert len(drugs) >= 2
    for drug in drugs[:2]:
        html = (drug / "index.html").read_text(encoding="utf-8")
        assert "md-nav--primary" not in html
        assert '<script src="../../assets/nav.js"></script>' in html
    script = (built_site / "assets" / "nav.js").read_text(encoding="utf-8")
    assert "md-nav--primary" in script and "md-nav__link--active" not in script
    assert "../" not in script and "/companies/" in script
    for kind, title in (("drugs", "Drugs"), ("companies", "Companies"), ("trials", "Trials")):
        nav = _primary_nav((built_site / kind / "index.html").read_text(encoding="utf-8"))
        active = nav[nav.index("md-nav__link--active") :]
        assert active.startswith('md-nav__link--active">') or 'href="./"' in nav, kind
        assert title in active[:400], kind
        assert 'href="../drugs/"' in nav or kind == "drugs", kind


def test_cpu_log_accounts_for_a_part_only_when_asked(tmp_path, monkeypatch):
    # make bench reads the build's CPU by part from this log; an ordinary build writes nothing.
    from pipeline_tracker.site import cpu_log

    log = tmp_path / "cpu.jsonl"
    monkeypatch.delenv(cpu_log.ENV, raising=False)
    with cpu_log.part("load"):
        sum(range(10**5))
    assert not log.exists()
    monkeypatch.setenv(cpu_log.ENV, str(log))
    with cpu_log.part("load"):
        sum(i * i for i in range(2 * 10**6))
    with cpu_log.part("search index"):
        subprocess.run([sys.executable, "-c", "sum(i * i for i in range(2 * 10**6))"], check=True)
    parts = cpu_log.read(str(log))
    assert set(parts) == {"load", "search index"}
    assert parts["load"] > 0.01
    assert parts["search index"] > 0.01  # a child process's CPU counts once it is waited for


def test_lists_cut_from_a_search_document_leave_its_result_unchanged(tmp_path):
    """The lists of a page that lists the tree (tables, events, references) and its filters' form
    are cut out of its search document before Pagefind reads it: its result (text, title, words
    and their places, headings) is the one Pagefind makes of the whole page, which leaves them
    out too."""
    from pagefind_index import fragments
    from pipeline_tracker.mkdocs_adapter.search import search_document
    from pipeline_tracker.site.search_index import cut_excluded, index_site

    article = (
        '<h1 id="timeline-2019">Timeline: 2019</h1><p>What happened in the year.</p>'
        '<form class="pt-table-filters" hidden><label>Target <select name="target">'
        '<option value="x">formword</option></select></label>'
        '<script type="application/json" data-pt-options>{"x": "scriptword"}</script></form>'
        '<table class="pt-table pt-sortable"><tr><td>rowword'
        '<table class="pt-chart"><tr><td>chartword</td></tr></table></td></tr></table>'
        '<article class="pt-event" id="event-a"><h3 id="e">eventword</h3></article>'
        '<table class="pt-table"><tr><td>keptword</td></tr></table>'
        '<h2 id="references">References</h2>'
        '<ol class="pt-references"><li id="ref-1">sourceword</li></ol><p>closing words</p>'
    )
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    (whole / "t").mkdir(parents=True)
    (cut / "t").mkdir(parents=True)
    (whole / "t" / "index.html").write_text(
        '<!doctype html><html lang="en"><head><title>x</title></head><body><header>menu</header>'
        f'<article class="md-content__inner md-typeset">{article}</article></body></html>'
    )
    document = search_document(article)
    (cut / "t" / "index.html").write_text(document)
    for word in ("formword", "scriptword", "rowword", "chartword", "eventword", "sourceword"):
        assert word not in document
    assert "keptword" in document and "closing words" in document
    index_site(whole)
    index_site(cut)
    [(url, of_whole)] = fragments(whole).items()
    of_cut = fragments(cut)[url]
    assert "keptword" in of_cut["content"] and "rowword" not in of_whole["content"]

    def shown(fragment):  # Pagefind's sub-results are the headings with text
        anchors = [a for a in fragment["anchors"] if a["element"][0] == "h" and a["text"]]
        return {k: v for k, v in fragment.items() if k != "anchors"}, anchors

    assert shown(of_cut) == shown(of_whole)
    unended = '<p>a</p><table class="pt-sortable"><tr><td>b</td></tr>'
    assert cut_excluded(unended) == unended  # Pagefind, not this, then leaves the table out


def test_counts_of_a_thousand_and_more_read_grouped_by_thousands(tmp_path):
    """At scale the home page's coverage and an index's caption and pager print counts past 999
    as "3,755", not "3755" (fragments.counted and number, which every count goes through)."""
    from pipeline_tracker.model.tracker import link
    from pipeline_tracker.site import data_and_coverage, render

    synthesize(1000, tmp_path / "records", seed=0)
    records, problems = load.load_records(tmp_path / "records")
    assert problems == []
    tracker = link(records)
    options = render.SiteOptions(today="2025-02-15")
    total = sum(len(tracker.ids(kind)) for kind in load.KINDS)
    coverage = data_and_coverage.coverage_block(tracker, options)
    assert f"**{total:,} records**" in coverage and total >= 1000
    assert f"| {len(tracker.ids('drugs')):,} |" in coverage
    jobs = {job[0]: job for job in render.page_jobs(tracker)}
    index = render.render_job(tracker, options, jobs["drugs/index.md"]).html
    tracked = len(tracker.tracked_ids())
    assert tracked >= 1000 and f"{tracked:,} tracked drugs" in index
    assert f"of {tracked:,}</p>" in index  # the pager's total


def test_a_trials_enrolment_and_sites_read_as_counts(records_copy):
    """A trial's enrolment and number of sites, as its record gives them, read as every count
    does: grouped by thousands, and one site is "1 site"."""
    from pipeline_tracker.site import render
    from pipeline_tracker.site.build import load_tracker

    trial = records_copy / "trials" / "empowher-303.yaml"
    text = trial.read_text(encoding="utf-8")
    assert "  count: 170\n" in text and "  - count: 550\n" in text
    text = text.replace("  count: 170\n", "  count: 1\n").replace("count: 550\n", "count: 12500\n")
    trial.write_text(text, encoding="utf-8")
    tracker = load_tracker(records_copy)
    job = ("trials/empowher-303.md", "trial.html.j2", "trials", "empowher-303")
    html = render.render_job(tracker, render.SiteOptions(), job).html
    assert "about 1 site</dd>" in html
    assert "about 12,500 participants" in html


_HIT = re.compile(r'<td class="pt-landscape__hit" data-count="(\d+)">(.*?)</td>', re.DOTALL)
_NAMED = re.compile(r'<li><a href="[^"]*/drugs/([a-z0-9-]+)/"')
_ELSEWHERE = re.compile(
    r'<p class="pt-more__elsewhere">and (\d+) more on <a href="([^"]+)">this cell’s page</a></p>'
)


def test_a_landscape_cell_past_its_more_lists_every_drug_on_pages_of_its_own(monkeypatch, synth30):
    """A landscape cell names its first drugs, its "more" a bounded few (listing.more_cut), then
    says how many are left and links to the cell's own pages, which list every drug of the cell in
    its order (paged when many) and link back to the landscape's page holding the row. So it is
    for the landscapes of every drug and for a company's, an indication's and a target's; a cell
    within its "more" has no page."""
    from posixpath import join, normpath

    from pipeline_tracker.site import listing, urls
    from pipeline_tracker.site.build import load_tracker
    from pipeline_tracker.site.render import CELL_TEMPLATE, SiteOptions, page_jobs, render_job

    monkeypatch.setenv(listing.CELL_NAMES_ENV, "1")
    monkeypatch.setenv(listing.CELL_MORE_ENV, "1")
    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")
    tracker = load_tracker(synth30)
    jobs = {job[0]: job for job in page_jobs(tracker)}

    def html(src: str) -> str:
        return render_job(tracker, SiteOptions(), jobs[src]).html

    def target(src: str, href: str) -> str:
        return normpath(join(urls.src_url(src), href.partition("#")[0])) + "/"

    landscapes = [
        src
        for src, (_, template, kind, rid) in jobs.items()
        if template == "landscapes.html.j2"
        or (rid and kind in listing.DRUG_SECTIONS)
        or "/landscape/page/" in src
    ]
    linked, kinds = set(), set()
    for src in landscapes:
        page = html(src)
        for count, cell in _HIT.findall(page):
            count = int(count)
            rest = _ELSEWHERE.search(cell)
            if count <= 2:
                assert rest is None, cell
                continue
            kinds.add(src.split("/")[0])
            named = _NAMED.findall(cell)
            assert len(named) == 2 and int(rest.group(1)) == count - 2, cell
            cell_url = target(src, rest.group(2))
            linked.add(cell_url)
            listed, part = [], 1
            while (part_src := urls.list_part_src(cell_url[:-1] + ".md", part)) in jobs:
                cell_page = html(part_src)
                listed += _NAMED.findall(cell_page.partition('class="pt-cell-drugs"')[2])
                back = re.search(r"One cell of the landscape “<a href=\"([^\"]+)\"", cell_page)
                assert target(part_src, back.group(1)) == urls.src_url(src), part_src
                fragment = back.group(1).partition("#")[2]
                assert not fragment or f'id="{fragment}"' in page, back.group(1)
                part += 1
            assert len(listed) == count and listed[:2] == named, cell_url
    cell_pages = {urls.list_url_of_src(s) for s, job in jobs.items() if job[1] == CELL_TEMPLATE}
    assert cell_pages == linked
    # Search leaves a cell's pages out (search_index.site_pages): they would come before the
    # record whose name their heading repeats.
    for src, job in jobs.items():
        page = urls.src_url(src) + "index.html"
        assert urls.is_landscape_cell_page(page) == (job[1] == CELL_TEMPLATE), page
    assert {"landscapes", "companies", "indications"} <= kinds, kinds


def test_search_reads_every_page_but_a_landscape_cells_and_further_pages(tmp_path):
    """Pagefind is given every page of the site but a landscape cell's, a long list's pages
    after the first (their title and introduction are the first page's; their rows are records
    with pages of their own), and its own files. A record section's second page stays: it
    alone carries the section's title ("Acme: pipeline"); its later pages repeat it."""
    from pipeline_tracker.site.search_index import OUTPUT, site_pages

    pages = [
        "index.html",
        "landscapes/index.html",
        "landscapes/modality/cells/approved/small-molecule/index.html",
        "landscapes/targets/cells/phase-2/erbb2/page/2/index.html",
        "companies/cells/index.html",  # a company whose id is "cells"
        "companies/acme/index.html",
        "companies/acme/landscape/page/2/index.html",
        "companies/acme/landscape/cells/filed/_no-target-recorded/index.html",
        "drugs/index.html",
        "drugs/page/2/index.html",
        "landscapes/regions/page/3/index.html",
        "quality/old-sources/page/2/index.html",
        "drugs/page/index.html",  # a drug whose id is "page"
        "drugs/page/pipeline/index.html",
        "drugs/2/index.html",  # a drug whose id is "2"
        "companies/page/pipeline/page/12/index.html",
        "companies/page/pipeline/page/2/index.html",
        "companies/acme/trials/page/3.html",  # without directory URLs
        "timeline/2024/03/index.html",
        f"{OUTPUT}/x.html",
    ]
    for page in pages:
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text("<html></html>", encoding="utf-8")
    assert site_pages(tmp_path, None) == sorted(
        [
            "index.html",
            "landscapes/index.html",
            "companies/cells/index.html",
            "companies/acme/index.html",
            "drugs/index.html",
            "drugs/page/index.html",
            "drugs/page/pipeline/index.html",
            "drugs/2/index.html",
            "companies/page/pipeline/page/2/index.html",
            "companies/acme/landscape/page/2/index.html",
            "timeline/2024/03/index.html",
        ]
    )

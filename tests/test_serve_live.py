"""`mkdocs serve` renders again only what an edit touches (mkdocs_adapter/liveserve.py): under a
real `mkdocs serve` on a copy of the fixture records, an edit shows on the record's page and on the
list that names it, a new record's page appears and goes when the record is deleted, and a broken
record shows the problems banner on record pages and lists until it is fixed."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import FIXTURES
from test_serve_notice import _copy_site_files, mkdocs_serve

NEW_DRUG = """id: servetest-drug
name: Servetest drug
modality: monoclonal antibody
targets:
  - target: erbb2
    action: binder
    sources:
      - komen-empowher-303
evidence:
  modality:
    - komen-empowher-303
last_reviewed: "2026-11-21"
"""
NEW_COMPANY = """id: servetest-co
name: Servetest company
country: CN
sources:
  - geneonline-2023-01-17-carsgen-huadong
last_reviewed: "2026-11-21"
"""
BANNER = "Records have problems"
TODAY = "2026-11-30"  # the records' "today", the same for serve and the builds it is compared with
GUARD = 240  # seconds: a guard against a hang, not a speed check (that is `make bench`)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read()
            if url.endswith(".gz") and body[:2] == b"\x1f\x8b":  # the gzip-compressed exports
                body = gzip.decompress(body)
            return response.status, body.decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


def _until(url: str, check, what: str) -> str:
    deadline = time.monotonic() + GUARD
    status, text = 0, ""
    while time.monotonic() < deadline:
        status, text = _get(url)
        if check(status, text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"{url}: {what} never came (last status {status})")


def _site_to_serve(tmp_path: Path) -> tuple[Path, Path, dict]:
    """The site's files and a copy of the fixture records in `tmp_path`, and the environment
    `mkdocs serve` runs them in."""
    site = _copy_site_files(tmp_path / "site")
    records = tmp_path / "records"
    shutil.copytree(FIXTURES, records)
    env = dict(
        os.environ,
        PIPELINE_TRACKER_RECORDS=str(records),
        NO_MKDOCS_2_WARNING="1",
        PIPELINE_TRACKER_TODAY=TODAY,
    )
    return site, records, env


@pytest.fixture
def served(tmp_path: Path):
    site, records, env = _site_to_serve(tmp_path)
    with mkdocs_serve(site, env) as (base, lines, _server):
        _until(base + "drugs/trastuzumab/", lambda s, t: s == 200, "the first build")
        yield base, records, lines


def test_an_edit_reaches_the_record_page_and_the_lists_naming_it(served):
    base, records, lines = served
    drug = records / "drugs" / "trastuzumab.yaml"
    drug.write_text(
        drug.read_text(encoding="utf-8").replace(
            "name: trastuzumab\n", "name: trastuzumab Servetest\n"
        ),
        encoding="utf-8",
    )
    _until(base + "drugs/trastuzumab/", lambda s, t: "trastuzumab Servetest" in t, "the edit")
    _until(base + "drugs/", lambda s, t: "trastuzumab Servetest" in t, "the edit in the index")
    # a page of another record that lists the drug (its target's page)
    _until(base + "targets/erbb2/", lambda s, t: "trastuzumab Servetest" in t, "the target page")
    # the open data follows too
    _until(base + "data/drugs.csv.gz", lambda s, t: "trastuzumab Servetest" in t, "the export")
    # and the server says how long each part took (the slowest is what an edit waits for)
    said = _said(lines, "open data (tables)")
    parts = (
        r"lists and open data updated in [\d.]+ s \(lists [\d.]+ s, "
        r"open data \(records\) [\d.]+ s, open data \(tables\) [\d.]+ s;"
    )
    assert re.search(parts, said), said
    assert not any("Traceback" in line for line in lines), "".join(lines[-30:])


def _said(lines: list[str], words: str) -> str:
    """The first line of the server's output holding `words`, once it has said it."""
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline:
        found = [line for line in list(lines) if words in line]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"the server never said {words!r}: {''.join(lines[-30:])}")


def test_a_new_record_gets_a_page_which_goes_with_the_record(served):
    base, records, _ = served
    assert _get(base + "drugs/servetest-drug/")[0] == 404
    added = records / "drugs" / "servetest-drug.yaml"
    added.write_text(NEW_DRUG, encoding="utf-8")
    _until(base + "drugs/servetest-drug/", lambda s, t: "Servetest drug" in t, "the new page")
    _until(base + "drugs/", lambda s, t: "Servetest drug" in t, "the new drug in the index")
    added.unlink()
    _until(base + "drugs/servetest-drug/", lambda s, t: s == 404, "the page going")
    _until(base + "drugs/", lambda s, t: s == 200 and "Servetest drug" not in t, "the index")


def test_a_new_company_gets_its_feed_and_open_data_which_go_with_it(served):
    """The open data and the feeds are made again beside the lists (another process): a new
    company's feed and rows appear, and go when the record goes."""
    base, records, _ = served
    feed = base + "feeds/companies/servetest-co.xml"
    assert _get(feed)[0] == 404
    added = records / "companies" / "servetest-co.yaml"
    added.write_text(NEW_COMPANY, encoding="utf-8")
    _until(feed, lambda s, t: s == 200 and "Servetest company" in t, "the new feed")
    _until(base + "data/companies.csv.gz", lambda s, t: "Servetest company" in t, "the export")
    _until(base + "companies/", lambda s, t: "Servetest company" in t, "the companies index")
    added.unlink()
    _until(feed, lambda s, t: s == 404, "the feed going")
    _until(base + "data/companies.csv.gz", lambda s, t: "Servetest" not in t, "the export")


def test_a_broken_record_shows_the_problems_on_record_pages_and_lists(served):
    base, records, _ = served
    drug = records / "drugs" / "pyrotinib.yaml"
    good = drug.read_text(encoding="utf-8")
    drug.write_text(good.replace("id: pyrotinib", "id: pyrotinib\nnot_a_field: 1"), "utf-8")
    for page in ("drugs/trastuzumab/", "drugs/", "targets/erbb2/"):
        text = _until(base + page, lambda s, t: BANNER in t, f"the banner on {page}")
        assert "not_a_field" in text
    drug.write_text(good, encoding="utf-8")
    for page in ("drugs/trastuzumab/", "drugs/"):
        _until(base + page, lambda s, t: s == 200 and BANNER not in t, f"the banner going ({page})")


def test_a_settings_edit_reaches_every_page(served, tmp_path):
    """Not a records edit: mkdocs.yml, docs/ or templates changed, so every page is made again."""
    base, _records, _ = served
    config = tmp_path / "site" / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert text.startswith("site_name: Open Pipeline Tracker\n")
    config.write_text(text.replace("site_name: Open", "site_name: Servetest Open", 1), "utf-8")
    for page in ("drugs/trastuzumab/", "targets/erbb2/", "drugs/"):
        _until(base + page, lambda s, t: "Servetest Open Pipeline Tracker" in t, page)


def test_an_edit_while_the_last_ones_lists_are_made_loses_neither(served):
    """A second edit saved while the first one's lists and open data are being made stops that
    work and starts it again: what the first edit left to do is done with the second's. (On the
    fixture records that work takes 0.1-0.2 s, so the second edit usually, not always, finds it
    under way: two of three runs did; either way both edits must reach every page.)"""
    base, records, lines = served

    def rename(drug: str, to: str) -> None:
        path = records / "drugs" / f"{drug}.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace(f"name: {drug}\n", f"name: {to}\n"), "utf-8"
        )

    rename("trastuzumab", "trastuzumab Servetest")
    _until(base + "drugs/trastuzumab/", lambda s, t: "trastuzumab Servetest" in t, "the edit")
    rename("zanidatamab", "zanidatamab Servetest")  # the first edit's lists are under way
    _until(base + "drugs/zanidatamab/", lambda s, t: "zanidatamab Servetest" in t, "the edit")
    for page in ("drugs/", "data/drugs.csv.gz"):
        _until(
            base + page,
            lambda s, t: "trastuzumab Servetest" in t and "zanidatamab Servetest" in t,
            f"both edits on {page}",
        )
    # The index of erbb2, which lists both drugs, also holds both once the work is done.
    _until(
        base + "targets/erbb2/",
        lambda s, t: "trastuzumab Servetest" in t and "zanidatamab Servetest" in t,
        "both edits on the target page",
    )
    assert not any("Traceback" in line for line in lines), "".join(lines[-30:])


def _rows_files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): gzip.decompress(path.read_bytes())
        for path in site.rglob("rows.json.gz")
    }


def test_the_rows_of_paged_lists_under_serve_are_a_builds(tmp_path: Path, monkeypatch):
    """Under `mkdocs serve` the rows files of paged lists (which their filters read) come from the
    pages as written, as a build's do: after the first build and after an edit (a drug renamed,
    on the drugs index, its target's and its companies' pages), every rows file is byte for byte
    what `mkdocs build` of the same records writes, and none is left over; so after a second
    edit."""
    from conftest import mkdocs_build

    site, records, env = _site_to_serve(tmp_path)
    env["PIPELINE_TRACKER_PAGE_ROWS"] = "2"
    for name in ("PIPELINE_TRACKER_PAGE_ROWS", "PIPELINE_TRACKER_TODAY"):  # the builds' too
        monkeypatch.setenv(name, env[name])

    def built() -> dict[str, bytes]:
        out = tmp_path / f"built{len(list(tmp_path.glob('built*')))}"
        result = mkdocs_build(out, records, site / "mkdocs.yml")
        assert result.returncode == 0, result.stderr
        return _rows_files(out)

    def served_match(base: str, expected: dict[str, bytes]) -> None:
        for path, rows in expected.items():
            _until(base + path, lambda s, t, rows=rows: t.encode() == rows, f"{path} as built")
        live = site / "site" / ".pt-live"
        assert set(_rows_files(live)) <= set(expected), set(_rows_files(live)) - set(expected)

    with mkdocs_serve(site, env) as (base, lines, _server):
        _until(base + "drugs/trastuzumab/", lambda s, t: s == 200, "the first build")
        before = built()
        assert len(before) >= 5, sorted(before)  # paged at two rows: the indexes, a company's …
        served_match(base, before)
        # Two edits, one after the other: the second's rows files hold pages the first made
        # again and the second does not touch (breast cancer's drugs name zanidatamab; the
        # second edit, an FGFR drug, touches neither its indication nor its target).
        for name in ("zanidatamab", "infigratinib"):
            drug = records / "drugs" / f"{name}.yaml"
            drug.write_text(
                drug.read_text(encoding="utf-8").replace(
                    f"name: {name}\n", f"name: {name} Servetest\n"
                ),
                encoding="utf-8",
            )
            after = built()
            assert any(f"{name} Servetest".encode() in rows for rows in after.values())
            served_match(base, after)
        assert not any("Traceback" in line for line in lines), "".join(lines[-30:])

"""Open data, the Atom feed, landscapes and data-quality checks, as a site user meets them."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
import yaml
from conftest import open_data
from pipeline_tracker.model import quality
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import KINDS, load_records
from pipeline_tracker.site import urls
from pipeline_tracker.site.build import build_outputs, load_tracker
from pipeline_tracker.site.exports import build_exports
from pipeline_tracker.site.feed import atom_time, build_feed, event_updated
from pipeline_tracker.site.render import SiteOptions

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "records"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def tracker():
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    return link(records)


def _csv(path: Path) -> list[dict]:
    """Rows of a published CSV table (gzip-compressed: data/drugs.csv.gz)."""
    return list(csv.DictReader(io.StringIO(open_data(path.parent, path.name))))


# Open data -----------------------------------------------------------------


def test_every_record_is_published_as_json_and_in_the_whole_dataset(built_site, tracker):
    whole = json.loads((built_site / "data/tracker.json").read_text(encoding="utf-8"))
    assert whole["format_version"] and whole["licence"]["name"] == "CC-BY-4.0"
    for kind in KINDS:
        listed, documents = {}, 0
        for path in whole["records"][kind]["files"]:
            records = json.loads(open_data(built_site / "data", path))["records"]
            listed.update(records)
            documents += len(records)
        assert sorted(listed) == tracker.ids(kind) and whole["records"][kind]["count"] == len(
            listed
        )
        assert documents == len(listed), "each record's document is in one file only"
        for rid in tracker.ids(kind):
            shard = hashlib.sha256(rid.encode()).hexdigest()[:2]  # as the open data page says
            bundle = json.loads(open_data(built_site, f"data/{kind}/{shard}.json.gz"))
            assert bundle["format_version"] == whole["format_version"] and bundle["kind"] == kind
            document = bundle["records"][rid]
            assert document["record"] == tracker.get(kind, rid) == listed[rid]["record"]
            page = (
                built_site / f"data/{kind}" / document["page"].split("#")[0]
            ).resolve() / "index.html"
            assert page.is_file(), document["page"]


def test_development_status_csv_has_stated_and_derived_rows(built_site, tracker):
    rows = _csv(built_site / "data/development-status.csv.gz")
    stated = sum(
        len(s["regions"])
        for d in tracker.ids("drugs")
        for s in tracker.get("drugs", d).get("status", [])
    )
    assert sum(r["basis"] == "status" for r in rows) == stated
    derived = [r for r in rows if r["basis"] != "status"]
    assert derived, "trial- and event-derived rows are exported too"
    for row in derived:
        assert (
            row["basis_id"] in tracker.records[{"trial": "trials", "event": "events"}[row["basis"]]]
        )
    assert len(rows) == sum(len(v) for v in tracker.phase_rows.values())


def test_datapackage_describes_every_csv_header_and_type(built_site):
    package = json.loads((built_site / "data/datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    for fmt, suffix in (("csv", "csv.gz"), ("parquet", "parquet"), ("sqlite", "sqlite.gz")):
        assert {r["path"] for r in package["resources"] if r["format"] == fmt} == {
            p.name for p in (built_site / "data").glob(f"*.{suffix}")
        }
    for resource in (r for r in package["resources"] if r["format"] == "csv"):
        rows = list(csv.reader(io.StringIO(open_data(built_site / "data", resource["path"]))))
        fields = resource["schema"]["fields"]
        assert rows[0] == [f["name"] for f in fields]
        for f_index, field in enumerate(fields):
            for row in rows[1:]:
                value = row[f_index]
                if value and field["type"] in ("integer", "number"):
                    float(value)
                if value and field["type"] in ("array", "object"):
                    assert isinstance(json.loads(value), list if field["type"] == "array" else dict)
        if "primaryKey" in resource["schema"]:
            keys = [row[0] for row in rows[1:]]
            assert len(keys) == len(set(keys))


def _is_json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), (list, dict))
    except ValueError:
        return False


def test_every_csv_cell_has_the_shape_its_datapackage_field_declares(built_site):
    """An analyst reads each column one way: every cell of every CSV fits its field's type and
    constraints; '; '-separated columns never hold JSON; a date's precision matches the date."""
    package = json.loads((built_site / "data/datapackage.json").read_text(encoding="utf-8"))
    checked = set()
    for resource in (r for r in package["resources"] if r["format"] == "csv"):
        rows = _csv(built_site / "data" / resource["path"])
        for field in resource["schema"]["fields"]:
            name, kind = field["name"], field["type"]
            constraints = field.get("constraints", {})
            for row in rows:
                value = row[name]
                if value == "":
                    continue
                where = f"{resource['path']} {name}: {value[:60]!r}"
                checked.add((resource["path"], name))
                if kind == "integer":
                    int(value)
                elif kind == "number":
                    float(value)
                elif kind == "boolean":
                    assert value in ("true", "false"), where
                elif kind in ("array", "object"):
                    parsed = json.loads(value)
                    assert isinstance(parsed, list if kind == "array" else dict), where
                    if name == "quotes" or name.endswith("_quotes"):
                        assert all(set(q) == {"source", "quote"} for q in parsed), where
                else:
                    assert kind == "string", where
                    if "separated by '; '" in field["description"]:
                        assert not _is_json(value), where
                if "enum" in constraints:
                    allowed = constraints["enum"]
                    assert (float(value) if kind == "number" else value) in allowed, where
                if "pattern" in constraints:
                    assert re.fullmatch(constraints["pattern"], value), where
            if name.endswith("_precision"):
                date_column = name.removesuffix("_precision")
                for row in rows:
                    date = row[date_column]
                    expected = {0: "", 4: "year", 7: "month", 10: "day"}[len(date)]
                    if date and row.get(f"{date_column}_approximate"):
                        expected = "approximate"  # the source gives it only approximately
                    assert row[name] == expected, (resource["path"], date_column, date)
    # The columns this checks are filled somewhere in the fixture build.
    for path, column in [
        ("trials.csv.gz", "sources"),
        ("events.csv.gz", "sources"),
        ("drugs.csv.gz", "status"),
        ("development-status.csv.gz", "quotes"),
        ("development-status.csv.gz", "date_precision"),
    ]:
        assert (path, column) in checked


def test_ids_and_quotes_of_citations_are_separate_columns(built_site, tracker):
    for kind in ("trials", "events"):
        rows = {r["id"]: r for r in _csv(built_site / f"data/{kind}.csv.gz")}
        for rid in tracker.ids(kind):
            sources = tracker.get(kind, rid)["sources"]
            ids = [c if isinstance(c, str) else c["source"] for c in sources]
            quotes = [c for c in sources if isinstance(c, dict) and "quote" in c]
            assert rows[rid]["sources"] == "; ".join(dict.fromkeys(ids))
            assert (json.loads(rows[rid]["quotes"]) if rows[rid]["quotes"] else []) == quotes


# The status-row fields a status entry can mark inferred, and their reason column in exports.
INFERRED_STATUS_COLUMNS = {
    "phase": "phase_inferred",
    "indication": "indication_inferred",
    "regions": "region_inferred",
    "date": "date_inferred",
}


# Status rows a curator inferred, as the live records have them: an approval the source does not
# print, and a first approval whose indication and (month) date the source leaves out.
INFERRED_ROWS = {
    "inetetamab": {
        "indication": "breast-cancer",
        "regions": ["CN"],
        "phase": "approved",
        "inferred": {"phase": "the source prints no approval; it calls it a second-line option"},
        "sources": ["inetetamab-pyrotinib-chemo-mbc-registry-entry"],
    },
    "infigratinib": {
        "indication": "cholangiocarcinoma",
        "regions": ["XX"],
        "phase": "approved",
        "date": "2021-06",
        "inferred": {
            "date": "about six months before the Hainan access of December 2021",
            "indication": "the source does not name the indication of the first approval",
        },
        "sources": ["hainan-infigratinib-npp-case-study"],
    },
}


def test_inferred_values_are_marked_in_the_csv_and_json_exports(records_copy):
    for drug, row in INFERRED_ROWS.items():
        path = records_copy / "drugs" / f"{drug}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.setdefault("status", []).append(row)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    tracker = load_tracker(records_copy, records_copy.parent)
    files = build_exports(tracker)
    csv_rows = list(csv.DictReader(io.StringIO(open_data(files, "data/development-status.csv.gz"))))
    status_json = []
    seen = set()
    for drug in tracker.ids("drugs"):
        document = json.loads(open_data(files, urls.json_path("drugs", drug)))["records"][drug]
        # A JSON row leaves out what it has no value for: the CSV's empty cells.
        assert all("" not in row.values() for row in document["development_status"])
        document["development_status"] = [
            {name: row.get(name, "") for name in csv_rows[0]}
            for row in document["development_status"]
        ]
        status_json += document["development_status"]
        for entry in tracker.get("drugs", drug).get("status") or []:
            reasons = entry.get("inferred") or {}
            for region in entry["regions"]:
                key = (drug, entry["indication"], region, "status", entry.get("date", ""))
                for rows in (csv_rows, document["development_status"]):
                    matching = [
                        r
                        for r in rows
                        if (r["drug"], r["indication"], r["region"], r["basis"], r["date"]) == key
                    ]
                    assert matching, key
                    for field, column in INFERRED_STATUS_COLUMNS.items():
                        assert {r[column] for r in matching} == {reasons.get(field, "")}, key
            seen |= set(reasons)
    assert {"phase", "indication", "date"} <= seen
    # An analyst's "approved" query can tell inferred approvals apart.
    approved = [r for r in csv_rows if r["phase"] == "approved"]
    assert any(r["phase_inferred"] for r in approved)
    assert any(not r["phase_inferred"] for r in approved)
    # A month date stays a month: its precision says so beside it, in CSV and JSON.
    for rows in (csv_rows, status_json):
        month = [r for r in rows if r["date"] == "2021-06"]
        assert month and all(r["date_precision"] == "month" for r in month)
    # Trials and events: the reason beside the field, and every reason in `inferred`.
    for kind, fields in (("trials", ("start_date",)), ("events", ("date",))):
        rows = {
            r["id"]: r for r in csv.DictReader(io.StringIO(open_data(files, f"data/{kind}.csv.gz")))
        }
        for rid in tracker.ids(kind):
            reasons = tracker.get(kind, rid).get("inferred") or {}
            for field in fields:
                assert rows[rid][f"{field}_inferred"] == reasons.get(field, "")
            assert (json.loads(rows[rid]["inferred"]) if rows[rid]["inferred"] else {}) == reasons
        if kind == "events":
            assert any(r["date_inferred"] for r in rows.values())


def test_schemas_are_published_unchanged(built_site):
    """The records' schemas as in schema/, but for `$id`: without site_url a published schema has
    none (its `$ref`s resolve beside it; with site_url, see test_linked_data)."""
    for schema in (ROOT / "schema").glob("*.schema.json"):
        source = json.loads(schema.read_text(encoding="utf-8"))
        published = json.loads((built_site / "data/schema" / schema.name).read_text("utf-8"))
        source.pop("$id")
        assert published == source


def test_csv_cells_cannot_start_a_spreadsheet_formula(records_copy):
    drug = records_copy / "drugs" / "zanidatamab.yaml"
    data = yaml.safe_load(drug.read_text(encoding="utf-8"))
    attacks = {"mechanism": '=HYPERLINK("http://evil.example","x")', "notes": "@SUM(A1:A2)"}
    data.update(attacks)
    data["synonyms"] = ["+cmd|' /C calc'!A0", *data.get("synonyms", [])]
    data["evidence"]["synonyms"] = list(data["evidence"]["modality"])
    data["status"][0]["note"] = "-2+3"
    drug.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    files = build_exports(load_tracker(records_copy, records_copy.parent))
    row = next(
        r
        for r in csv.DictReader(io.StringIO(open_data(files, "data/drugs.csv.gz")))
        if r["id"] == "zanidatamab"
    )
    for field, text in attacks.items():
        assert row[field] == "'" + text
    assert row["synonyms"].startswith("'+cmd")
    status = [
        r
        for r in csv.DictReader(io.StringIO(open_data(files, "data/development-status.csv.gz")))
        if r["note"].endswith("-2+3")
    ]
    assert status and all(r["note"] == "'-2+3" for r in status)
    every_cell = [
        c
        for path in files
        if path.endswith(".csv.gz")
        for r in csv.reader(io.StringIO(open_data(files, path)))
        for c in r
    ]

    def number(text: str) -> bool:  # a negative number (ChEMBL's -1) is data, not a formula
        try:
            float(text)
        except ValueError:
            return False
        return True

    assert not [
        c for c in every_cell if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not number(c)
    ]


def test_data_page_links_every_download(built_site):
    html = (built_site / "data/index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="\.\./(data/[^"]+|feed\.xml)"', html))
    on_disk = {
        p.relative_to(built_site).as_posix()
        for p in (built_site / "data").rglob("*")
        if p.is_file()
    }
    on_disk.discard("data/index.html")
    # Whole-dataset files are each linked; per-record documents by their address pattern and an
    # example per kind (a list of every record would make this page grow with the tracker).
    per_record = {p for p in on_disk if p.count("/") == 2 and not p.startswith("data/schema/")}
    assert on_disk - per_record <= linked
    kinds = {p.split("/")[1] for p in per_record}
    assert kinds == set(KINDS)
    for kind in kinds:
        assert f"data/{kind}/&lt;shard&gt;.json.gz" in html
        assert any(link.startswith(f"data/{kind}/") for link in linked), kind
    assert "CC BY" in html or "Creative Commons Attribution" in html


def test_record_pages_link_their_json_document(built_site):
    for kind in ("drugs", "targets", "companies", "indications", "trials", "sources"):
        for page in (built_site / kind).glob("*/index.html"):
            rid = page.parent.name
            html = page.read_text(encoding="utf-8")
            link = re.search(
                rf'<a class="[^"]*pt-json" href="\.\./\.\./(data/{kind}/[0-9a-f]{{2}}\.json\.gz)#{rid}"',
                html,
            )
            assert link, page
            bundle = json.loads(open_data(built_site, link.group(1)))
            assert bundle["records"][rid]["record"]["id"] == rid


def test_no_file_holds_every_record_document(built_site, tracker):
    """Per-record documents are bundled (at most 256 files a kind), never one file per record."""
    for kind in KINDS:
        files = list((built_site / "data" / kind).glob("*.json.gz"))
        assert 0 < len(files) <= 256
        assert sum(len(json.loads(open_data(f.parent, f.name))["records"]) for f in files) == len(
            tracker.ids(kind)
        )


def test_exports_do_not_depend_on_the_build_date():
    first = build_outputs(FIXTURES, ROOT, SiteOptions(today="2020-01-01"))
    later = build_outputs(FIXTURES, ROOT, SiteOptions(today="2035-06-30"))
    assert first.static == later.static
    assert first.html_pages["quality.md"].html != later.html_pages["quality.md"].html


# Feed ----------------------------------------------------------------------


def test_feed_is_atom_newest_first_with_updated_from_the_data(built_site):
    feed = ET.fromstring((built_site / "feed.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    stamps = [e.findtext(f"{ATOM}updated") for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    # An event is dated by the day it reached the tracker when that is later than its own date
    # (feed.event_updated, from the repository's history); a review by its date.
    tracker = load_tracker(FIXTURES, ROOT)
    dated = [e for e in tracker.ids("events") if tracker.get("events", e).get("date")]
    times = [event_updated(tracker, e) for e in dated]
    for e in dated:
        own, added = tracker.get("events", e)["date"], tracker.history.of("events", e).added
        assert event_updated(tracker, e) == max(atom_time(own), atom_time(added or own))
    reviews = [tracker.get(k, r).get("last_reviewed") for k in KINDS for r in tracker.ids(k)]
    times += [atom_time(d) for d in reviews if d]
    assert feed.findtext(f"{ATOM}updated") == max(times) == stamps[0]
    for tag in ("id", "title", "updated"):
        assert all(e.find(f"{ATOM}{tag}") is not None for e in entries)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids))
    linked = {e.find(f"{ATOM}link").get("href") for e in entries}
    dated = {e for e in tracker.ids("events") if tracker.get("events", e).get("date")}
    assert {f"timeline/#event-{e}" for e in dated} <= linked
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml"[^>]*href="[^"]*feed\.xml"', home
    )
    assert build_feed(tracker) == (built_site / "feed.xml").read_bytes()


# Landscapes and pages ------------------------------------------------------


def _landscape_cells(html: str) -> list[tuple[str, list[str]]]:
    """(row header text, [cell text]) for every body row of the first landscape matrix."""
    table = re.search(r'<table class="pt-table pt-landscape">.*?</table>', html, re.DOTALL).group(0)
    head = re.search(r"<thead>(.*?)</thead>", table, re.DOTALL).group(1)
    header = [re.sub("<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.DOTALL).group(1)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        th = re.sub("<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", tr, re.DOTALL).group(1))
        cells = [
            re.sub("<[^>]+>", " ", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.DOTALL)
        ]
        rows.append((th, dict(zip(header[1:], cells))))
    return rows


def test_target_landscape_puts_each_drug_under_its_highest_phase(built_site, tracker):
    target = max(tracker.ids("targets"), key=lambda t: len(tracker.cited_by("targets", t, "drugs")))
    html = (built_site / f"targets/{target}/index.html").read_text(encoding="utf-8")
    assert 'id="landscape"' in html
    rows = dict(_landscape_cells(html))
    for drug in tracker.cited_by("targets", target, "drugs"):
        for indication in {r.indication for r in tracker.phase_rows.get(drug, [])}:
            best = tracker.highest_phase(drug, indication=indication)
            cells = rows[tracker.get("indications", indication)["name"]]
            name = tracker.get("drugs", drug)["name"]
            assert name in cells[best.phase]
            assert all(
                name not in text
                for phase, text in cells.items()
                if phase not in (best.phase, "Drugs")
            )


def test_landscapes_overview_and_entity_pages_have_landscapes(built_site, tracker):
    html = (built_site / "landscapes/index.html").read_text(encoding="utf-8")
    for section in ("by-modality", "by-target", "by-indication", "pipeline-overview"):
        assert f'id="{section}"' in html
    modalities = {
        tracker.get("drugs", d)["modality"]
        for d in tracker.ids("drugs")
        if tracker.highest_phase(d)
    }
    assert {row for row, _ in _landscape_cells(html)} == modalities
    for kind in ("indications", "companies"):
        page = (built_site / f"{kind}/{tracker.ids(kind)[0]}/index.html").read_text(
            encoding="utf-8"
        )
        assert 'id="landscape"' in page


_CELL = re.compile(r'<td class="pt-landscape__hit" data-count="(\d+)">(.*?)</td>', re.DOTALL)


def test_a_crowded_landscape_cell_names_its_first_drugs_and_keeps_the_rest_a_click_away(
    tracker, monkeypatch
):
    """A cell names its first drugs; the rest are in the same cell behind "N more" (a <details>).
    The count and the drugs named are all of them."""
    from pipeline_tracker.site import listing
    from pipeline_tracker.site.render import render_job

    monkeypatch.setattr(listing, "CELL_NAMES", 1)
    job = ("landscapes/index.md", "landscapes.html.j2", "", "")
    html = render_job(tracker, SiteOptions(), job).html
    kinds = set()
    for count, cell in _CELL.findall(html):
        count = int(count)
        named = re.findall(r"<li>(.*?)</li>", cell, re.DOTALL)
        assert len(named) == count
        first, _, more = cell.partition('<details class="pt-more">')
        if count == 1:
            assert not more, cell
            kinds.add("whole")
            continue
        kinds.add("cut")
        assert len(re.findall(r"<li>", first)) == 1
        summary = re.search(r"<summary>(\d+) more<", more)
        assert summary and int(summary.group(1)) == count - 1
        assert len(re.findall(r"<li>", more)) == count - 1
    assert kinds == {"whole", "cut"}, "the fixture landscapes need crowded and short cells"
    assert "a cell of more than 1 names the first 1, and the rest under “more”" in html
    monkeypatch.setattr(listing, "CELL_NAMES", 12)
    assert "the rest under “more”" not in render_job(tracker, SiteOptions(), job).html


_INDEX_ROW = re.compile(
    r'<tr><td><a href="[^"]*/(?:targets|companies|indications)/([a-z0-9-]+)/"[^>]*>.*?'
    r'<td data-sort="(\d+)">(.*?)</td>\s*<td data-sort=',
    re.DOTALL,
)
_DRUG_LINK = re.compile(r'href="[^"]*/drugs/([a-z0-9-]+)/"')


@pytest.mark.parametrize("kind", ["targets", "companies", "indications"])
def test_an_index_rows_drugs_name_the_first_and_keep_the_rest_a_click_away(
    tracker, monkeypatch, kind
):
    """The Drugs cell of a target's, company's or indication's row names its first drugs and
    holds the rest behind "N more (T in all)" in the same cell: every drug is still linked, in
    the tracker's order. The rows of a paged index (the JSON its filter reads) keep the "more"."""
    from pipeline_tracker.site import listing
    from pipeline_tracker.site.render import list_rows_files, render_job

    drugs_of = {
        "targets": lambda rid: tracker.cited_by("targets", rid, "drugs"),
        "companies": lambda rid: list(tracker.drugs_of_company(rid)),
        "indications": tracker.drugs_in_indication,
    }[kind]
    job = (urls.page_src(kind, "index"), f"index_{kind}.html.j2", kind, "")
    monkeypatch.setenv(listing.CELL_NAMES_ENV, "1")
    html = render_job(tracker, SiteOptions(), job).html
    rows = _INDEX_ROW.findall(html)
    assert len(rows) == len(tracker.ids(kind))
    kinds = set()
    for rid, count, cell in rows:
        expected = list(drugs_of(rid))
        assert int(count) == len(expected)
        assert _DRUG_LINK.findall(cell) == expected, rid
        first, _, more = cell.partition('<details class="pt-more">')
        if len(expected) < 2:
            assert not more, cell
            kinds.add("whole")
            continue
        kinds.add("cut")
        assert len(_DRUG_LINK.findall(first)) == 1
        summary = re.search(r"<summary>(\d+) more<.*?> \((\d+) in all\)</summary>", more)
        assert summary, more
        assert (int(summary.group(1)), int(summary.group(2))) == (len(expected) - 1, len(expected))
    assert "cut" in kinds, f"the fixture needs a {kind[:-1]} with two drugs or more"
    monkeypatch.setenv(listing.CELL_NAMES_ENV, "")
    assert 'class="pt-more"' not in render_job(tracker, SiteOptions(), job).html
    # Paged two rows a page, the list's rows file keeps each "more" as a <details>.
    monkeypatch.setenv(listing.CELL_NAMES_ENV, "1")
    monkeypatch.setenv(listing.PAGE_ROWS_ENV, "2")
    files = list_rows_files(tracker, SiteOptions())
    data = json.loads(open_data(files, urls.list_rows_url(urls.src_url(job[0]))))
    assert '["details", {"class": "pt-more"}, [["summary"' in json.dumps(data["rows"])


def test_an_index_rows_more_names_a_bounded_few_and_links_the_rest_on_the_records_page(
    tracker, monkeypatch
):
    """Past listing.more_cut, a row's "more" stops naming drugs and says how many more the
    row's own record page lists, linking to that page's drugs (pipeline) section: a page of 150
    rows weighs the same whatever the tree's size."""
    from pipeline_tracker.site import listing
    from pipeline_tracker.site.render import display_name, page_jobs, render_job

    monkeypatch.setenv(listing.CELL_NAMES_ENV, "1")
    monkeypatch.setenv(listing.CELL_MORE_ENV, "1")
    jobs = {job[0]: job for job in page_jobs(tracker)}
    bounded = set()
    for kind in ("targets", "companies", "indications"):
        index_src = urls.page_src(kind, "index")
        html = render_job(tracker, SiteOptions(), jobs[index_src]).html
        for rid, count, cell in _INDEX_ROW.findall(html):
            expected = listing.section_drugs(tracker, kind, rid)
            assert int(count) == len(expected)
            if len(expected) < 3:
                assert "pt-more__elsewhere" not in cell, cell
                continue
            bounded.add(kind)
            assert _DRUG_LINK.findall(cell) == expected[:2], rid  # one named, one in the "more"
            summary = re.search(r"<summary>(\d+) more<.*?> \((\d+) in all\)</summary>", cell)
            assert (int(summary.group(1)), int(summary.group(2))) == (
                len(expected) - 1,
                len(expected),
            )
            rest = re.search(
                r'<span class="pt-more__elsewhere">and (\d+) more on <a href="([^"]+)">'
                r"the page of ([^<]+)</a></span></details>",
                cell,
            )
            assert rest, cell
            assert int(rest.group(1)) == len(expected) - 2
            assert unescape(rest.group(3)) == display_name(tracker, kind, rid)
            path, _, anchor = rest.group(2).partition("#")
            assert posixpath.normpath(posixpath.join(urls.src_url(index_src), path)) + "/" == (
                urls.record_url(kind, rid)
            )
            record = render_job(tracker, SiteOptions(), jobs[urls.page_src(kind, rid)]).html
            assert anchor == listing.DRUG_SECTIONS[kind] and f'id="{anchor}"' in record
    assert {"targets", "indications"} <= bounded, "the fixture needs rows of three drugs or more"


def test_timeline_events_carry_filter_attributes(built_site, tracker):
    """Each event's type, year and every region it lies within (China holds a Hainan event)."""
    from pipeline_tracker.model.tracker import regions_containing

    html = (built_site / "timeline/index.html").read_text(encoding="utf-8")
    for event in tracker.ids("events"):
        data = tracker.get("events", event)
        tag = re.search(rf'<article [^>]*id="event-{event}"[^>]*>', html).group(0)
        assert f'data-type="{data["type"]}"' in tag
        regions = sorted({c for r in data.get("regions", []) for c in regions_containing(r)})
        assert f'data-regions="{" ".join(regions)}"' in tag
        assert f'data-year="{data["date"][:4] if data.get("date") else "undated"}"' in tag


def test_chinese_name_is_shown_and_searchable(records_copy, tmp_path):
    from conftest import add_chinese_name, mkdocs_build

    name_zh = add_chinese_name(records_copy)
    result = mkdocs_build(tmp_path / "site", records_copy)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    page = (site / "drugs/zevorcabtagene-autoleucel/index.html").read_text(encoding="utf-8")
    assert re.search(
        rf'<h1[^>]*>zevorcabtagene autoleucel <span lang="zh"[^>]*>{name_zh}</span>', page
    )
    assert name_zh in (site / "landscapes/index.html").read_text(encoding="utf-8")
    from pagefind_index import fragments

    hits = [
        url
        for url, page in fragments(site).items()
        if re.search(rf"(^|\s){name_zh}(\s|$)", page["content"])
    ]
    assert "/drugs/zevorcabtagene-autoleucel/" in hits


# Data quality --------------------------------------------------------------


def _phase_row_with_news(tracker):
    for drug in tracker.ids("drugs"):
        for row in tracker.highest_by_indication_region(drug):
            if row.active and row.phase != "approved" and quality.last_news(tracker, row):
                return row
    pytest.skip("no dated, active, unapproved programme in the records")


def test_no_development_reported_after_two_years_without_news(tracker):
    row = _phase_row_with_news(tracker)
    news = quality.date_end(quality.last_news(tracker, row))
    assert not quality.no_development_reported(tracker, row, news + dt.timedelta(days=365))
    two_years_on = quality.years_before(news, years=-2)
    assert not quality.no_development_reported(tracker, row, two_years_on)
    assert quality.no_development_reported(tracker, row, two_years_on + dt.timedelta(days=1))


def test_drug_page_marks_stale_programmes(built_site, tracker):
    today = quality.build_today()
    for drug in tracker.ids("drugs"):
        html = (built_site / f"drugs/{drug}/index.html").read_text(encoding="utf-8")
        status = re.search(r'id="development-status".*?</table>', html, re.DOTALL)
        expected = any(
            quality.no_development_reported(tracker, r, today)
            for r in tracker.phase_rows.get(drug, [])
        )
        assert bool(status and "no development reported" in status.group(0)) == expected, drug


def test_quality_report_finds_stale_reviews_old_sources_unused_records_and_conflicts(records_copy):
    tracker = load_tracker(records_copy, records_copy.parent)
    reviewed = max(
        quality.date_end(tracker.get(k, r)["last_reviewed"])
        for k in KINDS
        for r in tracker.ids(k)
        if tracker.get(k, r).get("last_reviewed")
    )
    assert quality.report(tracker, reviewed).stale_records == []
    later = quality.report(tracker, reviewed + dt.timedelta(days=400))
    assert len(later.stale_records) == sum(
        1 for k in KINDS for r in tracker.ids(k) if tracker.get(k, r).get("last_reviewed")
    )
    assert later.old_claims or not any(
        tracker.get("sources", s).get("date") for s in tracker.ids("sources")
    )

    assert quality.report(tracker, reviewed).conflicts == []
    event = next(  # an approval in a named indication: one that puts a drug at a phase there
        e
        for e in tracker.ids("events")
        if tracker.get("events", e)["type"] == "approval"
        and tracker.get("events", e).get("indications")
    )
    path = records_copy / "events" / f"{event}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["regions"] = ["JP"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (records_copy / "targets" / "zzz1.yaml").write_text(
        "id: zzz1\nsymbol: ZZZ1\nname: unused test target\n", encoding="utf-8"
    )
    changed = load_tracker(records_copy, records_copy.parent)
    found = quality.report(changed, reviewed)
    messages = {(c.region, c.message.split(" but ")[0]) for c in found.conflicts}
    assert ("JP", "approval event") in messages and any(
        m == "approved status row" for _, m in messages
    )
    assert "zzz1" in found.unused_targets


def test_bad_today_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    from conftest import mkdocs_build

    monkeypatch.setenv(quality.TODAY_ENV, "next tuesday")
    result = mkdocs_build(tmp_path / "site", FIXTURES)
    assert result.returncode != 0
    assert "not a date" in result.stderr and "Traceback" not in result.stderr


def test_undated_sources_are_listed_with_the_rest_a_click_away(records_copy, monkeypatch):
    """Data quality, old sources: every source that prints no date is linked; a long list names
    its first and keeps the rest behind "N more (T in all)"."""
    from pipeline_tracker.site import listing
    from pipeline_tracker.site.render import render_job

    for path in sorted((records_copy / "sources").glob("*.yaml"))[:3]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^date: .*\n", "", text), encoding="utf-8")
    tracker = load_tracker(records_copy, records_copy.parent)
    undated = [s for s in tracker.ids("sources") if "date" not in tracker.get("sources", s)]
    assert len(undated) >= 3
    job = ("quality/old-sources.md", "quality.html.j2", "", "")
    html = render_job(tracker, SiteOptions(), job).html
    listed = r"print no date.*?</p>\s*<div[^>]*>(.*?)</div>"
    said = re.search(r"(\d+) sources " + listed, html, re.DOTALL)
    assert said and int(said.group(1)) == len(undated)
    assert re.findall(r'href="[^"]*/sources/([a-z0-9-]+)/"', said.group(2)) == undated
    monkeypatch.setenv(listing.CELL_NAMES_ENV, "1")
    html = render_job(tracker, SiteOptions(), job).html
    cell = re.search(listed, html, re.DOTALL).group(1)
    first, _, more = cell.partition('<details class="pt-more">')
    assert len(re.findall(r"/sources/", first)) == 1
    assert re.search(rf"<summary>{len(undated) - 1} more<.*?\({len(undated)} in all\)", more)
    assert len(re.findall(r"/sources/", more)) == len(undated) - 1

"""Open data releases: the data version, Parquet, SQLite, Data Package v2, the changelog."""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
import yaml
from arro3.io import read_parquet
from pipeline_tracker.cli import main
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import load_records
from pipeline_tracker.site.build import load_tracker
from pipeline_tracker.site.exports import build_exports

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "records"


@pytest.fixture(scope="module")
def tracker():
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    return link(records)


@pytest.fixture(scope="module")
def data(tracker, tmp_path_factory) -> Path:
    """The fixture records' open data written to a folder, as the site publishes it."""
    folder = tmp_path_factory.mktemp("open-data")
    for path, content in build_exports(tracker).items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return folder / "data"


def _database(data: Path) -> sqlite3.Connection:
    """The published database as a user opens it: tracker.sqlite.gz decompressed beside it."""
    opened = data / "tracker.sqlite"
    if not opened.exists():
        opened.write_bytes(gzip.decompress((data / "tracker.sqlite.gz").read_bytes()))
    return sqlite3.connect(opened)


def _package(data: Path) -> dict:
    return json.loads((data / "datapackage.json").read_text("utf-8"))


def test_the_database_is_published_gzip_compressed_and_reproducible(data):
    """A static host serves at most 25 MiB a file: the database (about 70 MB at 10,000 drugs)
    is published gzip-compressed, named as such in tracker.json and datapackage.json, with no
    file name or time in the gzip header (the same records give the same bytes)."""
    package = _package(data)
    listed = json.loads((data / "tracker.json").read_text("utf-8"))["sqlite"]
    resource = next(r for r in package["resources"] if r["format"] == "sqlite")
    assert listed == resource["path"] == "tracker.sqlite.gz"
    assert resource["compression"] == "gz" and "gunzip" in resource["description"]
    raw = (data / listed).read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0", "gzip, no modification time"
    assert not raw[3] & 0x08, "no file name in the header"
    assert gzip.decompress(raw).startswith(b"SQLite format 3\x00")


def _typed(value: str, kind: str):
    if value == "":
        return None
    return {"number": float, "integer": int, "boolean": lambda v: v == "true"}.get(kind, str)(value)


def _csv_rows(data: Path, resource: dict) -> list[list]:
    assert resource["path"].endswith(".csv.gz") and resource["compression"] == "gz"
    text = gzip.decompress((data / resource["path"]).read_bytes())
    assert text.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark"
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    kinds = [f["type"] for f in resource["schema"]["fields"]]
    assert rows[0] == [f["name"] for f in resource["schema"]["fields"]]
    return [[_typed(v, k) for v, k in zip(row, kinds, strict=True)] for row in rows[1:]]


def test_frictionless_validates_the_data_package_v2_with_every_file(data):
    from frictionless import Package, system

    package = _package(data)
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert {r["format"] for r in package["resources"]} == {"csv", "parquet", "sqlite"}
    with system.use_context(trusted=True):
        report = Package(str(data / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "message"])
    # Controlled vocabularies are categories, from the schemas' enums.
    status = next(r for r in package["resources"] if r["name"] == "development-status")
    fields = {f["name"]: f for f in status["schema"]["fields"]}
    common = json.loads((ROOT / "schema/common.schema.json").read_text("utf-8"))
    assert fields["route"]["categories"] == common["$defs"]["route"]["enum"]
    assert "special access" in fields["phase"]["categories"]
    assert {"fields": ["drug"], "reference": {"resource": "drugs", "fields": ["id"]}} in status[
        "schema"
    ]["foreignKeys"]
    compared = set()
    for resource in package["resources"]:
        schema_file = ROOT / f"schema/{resource['name'].removesuffix('-parquet')}.schema.json"
        kind = (
            json.loads(schema_file.read_text("utf-8"))["properties"]
            if schema_file.is_file()
            else {}
        )
        for field in resource.get("schema", {}).get("fields", []):
            assert field["description"].strip(), (resource["name"], field["name"])
            if "enum" in kind.get(field["name"], {}):
                assert field["categories"] == kind[field["name"]]["enum"], field["name"]
                compared.add((resource["name"], field["name"]))
    assert {("drugs", "modality"), ("trials-parquet", "phase")} <= compared


def test_parquet_and_sqlite_hold_the_same_rows_as_the_csvs(data):
    package = _package(data)
    database = _database(data)
    for resource in (r for r in package["resources"] if r["format"] == "csv"):
        expected = _csv_rows(data, resource)
        names = [f["name"] for f in resource["schema"]["fields"]]
        table = read_parquet(str(data / f"{resource['name']}.parquet")).read_all()
        columns = [table.column(name).to_pylist() for name in names]
        assert [list(row) for row in zip(*columns, strict=True)] == expected, resource["name"]
        quoted = ", ".join(f'"{n}"' for n in names)
        sql_name = resource["name"].replace("-", "_")
        stored = database.execute(f'SELECT {quoted} FROM "{sql_name}" ORDER BY rowid').fetchall()
        kinds = [f["type"] for f in resource["schema"]["fields"]]
        stored = [
            [bool(v) if k == "boolean" and v is not None else v for v, k in zip(row, kinds)]
            for row in stored
        ]
        assert stored == expected, resource["name"]
    assert expected, "the fixture deals table has rows"


def test_sqlite_foreign_keys_hold_and_views_answer_like_the_model(data, tracker):
    database = _database(data)
    declared = database.execute(
        "SELECT count(*) FROM sqlite_master m, pragma_foreign_key_list(m.name)"
    ).fetchone()[0]
    assert declared > 10
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    asked = 0
    for drug in tracker.ids("drugs"):
        for region, row in tracker.stage_by_region(drug).items():
            answer = database.execute(
                "SELECT phase, indication, development_status FROM "
                "highest_phase_per_drug_and_region WHERE drug = ? AND region = ?",
                (drug, region),
            ).fetchall()
            assert answer == [(row.phase, row.indication, row.status)], (drug, region)
            asked += 1
    assert asked
    deals = database.execute("SELECT DISTINCT event, term FROM deals_with_terms").fetchall()
    assert deals and all(term for _event, term in deals)


def test_data_version_is_in_every_export(data, tracker):
    version = tracker.data_version
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}-[0-9a-f]{8}", version)
    package = _package(data)
    assert package["version"] == version and package["format_version"]
    for file in [*data.rglob("*.json"), *data.rglob("*.json.gz")]:
        if file.parent.name != "schema" and file.name != "datapackage.json":
            text = file.read_bytes()
            text = gzip.decompress(text) if file.suffix == ".gz" else text
            assert json.loads(text)["data_version"] == version, file
    for file in data.glob("*.parquet"):
        metadata = read_parquet(str(file)).read_all().schema.metadata
        assert metadata[b"data_version"] == version.encode(), file
        assert metadata[b"format_version"] == package["format_version"].encode()
    meta = dict(_database(data).execute("SELECT key, value FROM meta"))
    assert meta["data_version"] == version and meta["format_version"] == package["format_version"]


def test_data_version_is_in_the_footer_and_the_citation(built_site, tracker):
    version = tracker.data_version
    for page in ("index.html", "data/index.html", f"drugs/{tracker.ids('drugs')[0]}/index.html"):
        html = (built_site / page).read_text("utf-8")
        footer = re.search(r'<div class="md-copyright pt-footer">.*?</div>', html, re.DOTALL)
        # A record page's own "Cite this page" names the version; its footer does not repeat it.
        assert footer and (version in footer.group(0)) == ("pt-cite-this" not in html), page
        assert "accessed on the date you read it" not in html
    drug = (built_site / f"drugs/{tracker.ids('drugs')[0]}/index.html").read_text("utf-8")
    # (BibTeX and RIS are made from the section's fields by tracker.js: test_browser.py)
    assert f"Data version {version}" in drug and f'data-cite-version="{version}"' in drug


def test_data_version_changes_when_a_record_changes_and_not_otherwise(records_copy):
    first = load_tracker(records_copy, records_copy.parent).data_version
    path = records_copy / "targets" / min(p.name for p in (records_copy / "targets").iterdir())
    text = path.read_text("utf-8")
    # Same data written differently (a comment, key order): the same version.
    record = yaml.safe_load(text)
    reordered = dict(reversed(list(record.items())))
    path.write_text("# a comment\n" + yaml.safe_dump(reordered, allow_unicode=True), "utf-8")
    assert load_tracker(records_copy, records_copy.parent).data_version == first
    # Any edit, even one that leaves every review date alone: a new version, same date part.
    record["name"] = record["name"] + " (edited)"
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), "utf-8")
    edited = load_tracker(records_copy, records_copy.parent).data_version
    assert edited != first and edited.split("-")[0] == first.split("-")[0]


def test_parquet_and_sqlite_are_byte_identical_for_the_same_records(tracker):
    again = link(load_records(FIXTURES, ROOT)[0])
    first, second = build_exports(tracker), build_exports(again)
    for path in first:
        if path.endswith((".parquet", ".gz", ".json")):
            assert first[path] == second[path], path


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_changelog_lists_records_added_changed_and_removed_between_tags(
    records_copy, monkeypatch, capsys
):
    root = records_copy.parent
    monkeypatch.delenv("PIPELINE_TRACKER_RECORDS", raising=False)
    monkeypatch.chdir(root)
    _git(root, "init", "-q")
    _git(root, "add", "records")
    _git(root, "commit", "-qm", "first release")
    _git(root, "tag", "data-1")
    (records_copy / "targets/ptpn11.yaml").unlink()  # and the one drug naming it lets go
    bbp = records_copy / "drugs/bbp-398.yaml"
    bbp.write_text(
        bbp.read_text("utf-8").replace(
            "targets:\n  - target: ptpn11\n    action: inhibitor\n"
            "    sources:\n      - hainan-infigratinib-npp-case-study\n",
            "",
        ),
        "utf-8",
    )
    (records_copy / "indications/x-disease.yaml").write_text(
        "id: x-disease\nname: <b>x</b> disease\n", "utf-8"
    )
    edited = records_copy / "sources" / min(p.name for p in (records_copy / "sources").iterdir())
    record = yaml.safe_load(edited.read_text("utf-8"))
    record["title"] = record["title"] + " (corrected)"
    edited.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), "utf-8")
    _git(root, "add", "-A", "records")
    _git(root, "commit", "-qm", "second release")
    out = root / "changelog.md"
    assert main(["changelog", "data-1", "--head", "HEAD", "--out", str(out)]) == 0
    raw = out.read_text("utf-8")
    assert "<b>" not in raw  # record text is escaped for Markdown
    text = html.unescape(raw)  # as GitHub shows the release body
    version = load_tracker(records_copy, root).data_version
    assert text.startswith(f"# Data version {version}")
    assert "1 added, 1 removed, 2 changed" in text
    assert "### Added records\n- indications/x-disease: <b>x</b> disease" in text
    assert "targets/ptpn11" in text.split("### Removed records")[1]
    assert "drugs/bbp-398: removed targets" in text
    assert f"sources/{edited.stem}: changed title" in text
    assert main(["changelog", "no-such-tag"]) == 1
    assert "changelog: cannot read the records at no-such-tag" in capsys.readouterr().err


def test_citation_file_names_no_invented_people_or_doi():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text("utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["message"] and cff["title"]
    assert cff["authors"] == [{"name": "The Open Pipeline Tracker contributors"}]
    assert "doi" not in cff and "identifiers" not in cff


def test_the_open_data_pages_one_liners_load_each_format(data, monkeypatch):
    """The Python lines the Open data page shows run as printed, in the data folder."""
    import pandas as pd

    template = (ROOT / "hooks/pipeline_tracker/site/templates/data.md.j2").read_text("utf-8")
    lines = re.findall(r"`(pd\.read_[a-z]+\(.*?\))`", template)
    assert {line.split("(")[0] for line in lines} == {
        "pd.read_csv",
        "pd.read_parquet",
        "pd.read_sql",
    }
    _database(data)  # the page says: decompress tracker.sqlite.gz first
    monkeypatch.chdir(data)
    for line in lines:
        frame = eval(line, {"pd": pd, "sqlite3": sqlite3})  # the page template's own text
        assert len(frame) and ({"drug", "event"} & set(frame.columns)), line
        assert not any(str(c).startswith("\ufeff") for c in frame.columns), line


def test_release_workflow_calls_the_changelog_and_archives_the_open_data():
    from pipeline_tracker.cli import build_parser

    workflow = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text("utf-8"))
    steps = [step.get("run", "") for step in workflow["jobs"]["release"]["steps"]]
    script = "\n".join(steps)
    assert {"make install", "make build"} <= {s.strip() for s in steps}
    assert "make test" in script
    call = re.search(r"pipeline-tracker (changelog [^\n]+)", script).group(1)
    args = build_parser().parse_args(call.replace('"', "").split())
    assert args.func.__name__ == "cmd_changelog" and args.head and args.out
    assert 'json.load(open("site/data/tracker.json"))["data_version"]' in script
    assert "-C site data" in script and "--notes-file changelog.md" in script
    # The archive holds the database decompressed too, beside the site's tracker.sqlite.gz.
    assert script.index("gunzip --keep site/data/tracker.sqlite.gz") < script.index("-C site data")

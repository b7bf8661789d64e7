"""`pipeline-tracker import ctgov`: real ClinicalTrials.gov API v2 records (tests/fixtures/ctgov,
see tests/fixtures/README.md) into cited records, re-imports, drift checks and bad input."""

from __future__ import annotations

import copy
import json
import urllib.error
from pathlib import Path

import pytest
from conftest import ROOT, mkdocs_build
from import_helpers import (
    Response,
    assert_refused_unchanged,
    load,
    problems_of,
    run_import,
    save,
    snapshot,
    use_records,
    wrong_shape_outcomes,
)
from pipeline_tracker.cli import main

CTGOV = ROOT / "tests" / "fixtures" / "ctgov"
REAL = ["nct00791778", "nct02576665", "nct06382129"]


def study(name: str) -> dict:
    return json.loads((CTGOV / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def tree(records_copy: Path, monkeypatch) -> Path:
    return use_records(records_copy, monkeypatch)


def run(capsys, *args: str) -> tuple[int, str, str]:
    return run_import(capsys, "ctgov", *args)


def test_real_records_import_validate_and_build(tree: Path, tmp_path: Path, capsys):
    for name in REAL:
        code, out, err = run(capsys, str(CTGOV / f"{name}.json"))
        assert code == 0, err
        assert f"records/trials/{name}.yaml" in out
    assert problems_of(tree) == []
    assert main(["fmt", "--check", str(tree)]) == 0
    capsys.readouterr()
    trial = load(tree, "trials", "nct00791778")
    assert trial["registry_ids"] == [
        {"registry": "nct", "id": "NCT00791778"},
        {"registry": "eudract", "id": "2008-004429-41"},
    ]
    assert (trial["phase"], trial["status"], trial["status_as_of"]) == (
        "phase 2",
        "completed",
        "2015-06",
    )
    assert trial["design"] == {
        "allocation": "randomized",
        "masking": "double-blind",
        "model": "parallel",
    }
    assert trial["removed_countries"] == ["CN"] and {"US", "HK", "KR"} <= set(trial["countries"])
    assert trial["enrolment"][0]["count"] == 246 and trial["enrolment"][0]["type"] == "actual"
    assert (trial["completion_date"], trial["completion_date_type"]) == ("2012-12", "actual")
    assert [e["type"] for e in trial["endpoints"]] == ["primary", "secondary", "secondary"]
    pfs = trial["results"][0]
    assert (pfs["value"], pfs["unit"], pfs["ci_low"], pfs["ci_high"], pfs["n"]) == (
        386,
        "days",
        230,
        691,
        123,
    )
    # the censored upper bound is 'NA' in the registry: not estimable, never a number
    assert trial["results"][2]["ci_high"] == "not estimable"
    # OS medians are 'NA': no value to record, so no result for them
    assert not any(r["endpoint"] == "Overall Survival (OS)" for r in trial["results"])
    assert trial["arms"][1]["regimen"] == [{"label": "Placebo", "role": "comparator"}]
    drug = load(tree, "drugs", "sorafenib")
    assert drug["review"] == "imported" and drug["modality"] == "not stated"
    assert drug["code_names"] == ["BAY43-9006"] and drug["synonyms"] == ["Nexavar"]
    assert load(tree, "companies", "bayer") == {
        "id": "bayer",
        "name": "Bayer",
        "review": "imported",
    }
    source = load(tree, "sources", "ctgov-nct00791778")
    assert source["local_copy"] == "ctgov-nct00791778.json"
    assert source["url"] == "https://clinicaltrials.gov/study/NCT00791778"
    assert (tree / "archive" / "ctgov-nct00791778.json").read_bytes() == (
        CTGOV / "nct00791778.json"
    ).read_bytes()

    site = tmp_path / "site"
    result = mkdocs_build(site, tree)
    assert result.returncode == 0, result.stderr
    page = (site / "trials" / "nct00791778" / "index.html").read_text()
    assert 'href="https://www.clinicaltrials.gov/study/NCT00791778"' in page
    assert "Full analysis set (FAS)=all randomized participants" in page  # a quote, shown
    assert "2012-12 (actual)" in page
    quality = (site / "quality" / "index.html").read_text()
    assert "Imported, awaiting review" in quality
    assert "sorafenib/" in quality and "review: imported" in quality


def test_reimport_changes_nothing(tree: Path, capsys):
    assert run(capsys, str(CTGOV / "nct00791778.json"))[0] == 0
    before = snapshot(tree)
    code, out, _ = run(capsys, str(CTGOV / "nct00791778.json"))
    assert code == 0 and "no change" in out
    assert snapshot(tree) == before


def changed_study() -> dict:
    data = study("nct00791778")
    data["protocolSection"]["statusModule"]["overallStatus"] = "TERMINATED"
    data["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 250
    return data


def test_check_reports_status_and_enrolment_and_writes_nothing(tree: Path, tmp_path, capsys):
    assert run(capsys, str(CTGOV / "nct00791778.json"))[0] == 0
    before = snapshot(tree)
    code, out, _ = run(capsys, save(tmp_path, changed_study()), "--check")
    assert code == 1
    assert "status completed → terminated" in out
    assert "enrolment 246 actual → 250 actual" in out
    assert snapshot(tree) == before
    code, out, _ = run(capsys, str(CTGOV / "nct00791778.json"), "--check")
    assert code == 0 and "in step" in out


def test_reimport_updates_registry_fields_and_keeps_curated_ones(tree: Path, tmp_path, capsys):
    assert run(capsys, str(CTGOV / "nct00791778.json"))[0] == 0
    path = tree / "trials" / "nct00791778.yaml"
    text = path.read_text().replace(
        "title: Comparison of Nexavar", "acronym: TRIAL-X\ntitle: Comparison of Nexavar"
    )
    path.write_text(text + "notes: Curated note.\n")
    code, out, err = run(capsys, save(tmp_path, changed_study()))
    assert code == 0, err
    assert "status completed → terminated" in out
    trial = load(tree, "trials", "nct00791778")
    assert trial["status"] == "terminated" and trial["enrolment"][0]["count"] == 250
    assert trial["acronym"] == "TRIAL-X" and trial["notes"] == "Curated note."
    assert problems_of(tree) == []


def test_check_all_compares_each_trial_with_its_archived_copy(tree: Path, capsys):
    assert run(capsys, str(CTGOV / "nct00791778.json"))[0] == 0
    assert run(capsys, "--check", "--all")[0] == 0
    path = tree / "trials" / "nct00791778.yaml"
    path.write_text(path.read_text().replace("status: completed", "status: recruiting"))
    code, out, _ = run(capsys, "--check", "--all")
    assert code == 1
    assert "records/trials/nct00791778.yaml: status recruiting → completed" in out


def edge(name: str, change) -> dict:
    data = copy.deepcopy(study(name))
    change(data["protocolSection"])
    return data


def _anticipated(p):
    p["statusModule"]["startDateStruct"] = {"date": "2099-03", "type": "ESTIMATED"}
    p["statusModule"]["completionDateStruct"] = {"date": "2099-12", "type": "ESTIMATED"}
    p["designModule"]["enrollmentInfo"]["type"] = "ESTIMATED"


EDGES = {
    "anticipated dates": (
        "nct06382129",
        _anticipated,
        {"start_date": "2099-03", "start_date_type": "anticipated", "completion_date": "2099-12"},
    ),
    "no phase": (
        "nct02576665",
        lambda p: p["designModule"].pop("phases"),
        {"phase": "phase unknown"},
    ),
    "several phases": (
        "nct02576665",
        lambda p: p["designModule"].update(phases=["PHASE1", "PHASE2"]),
        {"phase": "phase 1/2"},
    ),
    "early phase 1": (
        "nct02576665",
        lambda p: p["designModule"].update(phases=["EARLY_PHASE1"]),
        {"phase": "phase 1", "phase_detail": "early phase 1"},
    ),
    "unknown sponsor": ("nct02576665", lambda p: p.pop("sponsorCollaboratorsModule"), {}),
    "no locations": ("nct02576665", lambda p: p.pop("contactsLocationsModule"), {}),
}


@pytest.mark.parametrize("case", list(EDGES))
def test_edge_cases_import_and_validate(case: str, tree: Path, tmp_path, capsys):
    name, change, expected = EDGES[case]
    code, _, err = run(capsys, save(tmp_path, edge(name, change)))
    assert code == 0, err
    trial = load(tree, "trials", name)
    for key, value in expected.items():
        assert trial[key] == value
    if case == "unknown sponsor":
        assert "sponsors" not in trial
    if case == "no locations":
        assert "countries" not in trial
    if case == "anticipated dates":
        assert trial["enrolment"][0]["type"] == "planned"
    assert problems_of(tree) == []


def _withdrawn(p):
    p["statusModule"]["overallStatus"] = "WITHDRAWN"


BAD = {
    "observational": (lambda: (CTGOV / "nct06604689.json").read_text(), "only interventional"),
    "withdrawn": (lambda: json.dumps(edge("nct00791778", _withdrawn)), "withdrawn"),
    "truncated": (lambda: (CTGOV / "nct00791778.json").read_text()[:4000], "truncated"),
    "not v2": (lambda: json.dumps({"FullStudiesResponse": {"FullStudies": []}}), "not a Clinical"),
    "search results": (lambda: json.dumps({"studies": [study("nct02576665")]}), "search results"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_one_line_exit_1_nothing_written(case: str, tree: Path, tmp_path, capsys):
    text, words = BAD[case]
    assert_refused_unchanged(tree, words, lambda: run(capsys, save(tmp_path, text())))


def test_nct_id_is_fetched_from_the_registry(tree: Path, capsys, monkeypatch):
    asked = []

    def urlopen(request, timeout):
        asked.append(request.full_url)
        return Response((CTGOV / "nct02576665.json").read_bytes())

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    code, _, err = run(capsys, "NCT02576665")
    assert code == 0, err
    assert asked == ["https://clinicaltrials.gov/api/v2/studies/NCT02576665"]
    assert load(tree, "trials", "nct02576665")["status"] == "terminated"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (urllib.error.HTTPError("u", 404, "Not Found", {}, None), "has no study with this id"),  # type: ignore[arg-type]
        (urllib.error.URLError("no network"), "cannot reach ClinicalTrials.gov"),
    ],
)
def test_nct_id_that_cannot_be_fetched(error, words, tree: Path, capsys, monkeypatch):
    def urlopen(request, timeout):
        raise error

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    before = snapshot(tree)
    code, _, err = run(capsys, "NCT99999999")
    assert code == 1 and len(err.strip().splitlines()) == 1 and words in err
    assert snapshot(tree) == before


def test_interventions_link_to_drugs_by_any_name(tree: Path, capsys):
    (tree / "drugs" / "izabren.yaml").write_text(
        "id: izabren\nname: IZA BREN\nmodality: not stated\n"
    )
    assert run(capsys, str(CTGOV / "nct06382129.json"))[0] == 0
    trial = load(tree, "trials", "nct06382129")
    assert trial["drugs"][0] == "izabren"  # otherNames 'iza-bren', case and punctuation aside
    assert not (tree / "drugs" / "bl-b01d1.yaml").exists()


def test_json_quotes_must_be_the_registry_value(tree: Path, capsys):
    assert run(capsys, str(CTGOV / "nct00791778.json"))[0] == 0
    path = tree / "trials" / "nct00791778.yaml"
    good = path.read_text()
    path.write_text(good.replace("    quote: COMPLETED", "    quote: TERMINATED"))
    assert any("quote is not the value" in p for p in problems_of(tree))
    path.write_text(
        good.replace("pointer: /protocolSection/statusModule/overallStatus", "pointer: /nothing")
    )
    assert any("holds nothing at this pointer" in p for p in problems_of(tree))
    # without a pointer, a quote must be a whole value the record holds, not a fragment
    path.write_text(
        good.replace(
            "    pointer: /protocolSection/statusModule/overallStatus\n    quote: COMPLETED",
            "    quote: COMPLETE",
        )
    )
    assert any("not a value the archived record holds" in p for p in problems_of(tree))


def test_registry_text_is_untrusted(tree: Path, tmp_path, capsys):
    """Text from a registry record reaches pages escaped, and names no path: record ids are slugs
    made by the import, whatever the record says."""

    def hostile(p):
        p["identificationModule"]["briefTitle"] = "<script>alert(1)</script> Trial"
        p["conditionsModule"]["conditions"] = ["../../etc/passwd <b>Cancer</b>"]

    code, _, err = run(capsys, save(tmp_path, edge("nct06382129", hostile)))
    assert code == 0, err
    assert (tree / "indications" / "etc-passwd-b-cancer-b.yaml").is_file()
    assert problems_of(tree) == []
    site = tmp_path / "site"
    result = mkdocs_build(site, tree)
    assert result.returncode == 0, result.stderr
    page = (site / "trials" / "nct06382129" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page


def test_quality_lists_registry_copies_older_than_a_year(tree: Path, capsys):
    import datetime as dt

    from pipeline_tracker.model import quality
    from pipeline_tracker.model.tracker import link
    from pipeline_tracker.records.load import load_records

    assert run(capsys, str(CTGOV / "nct00791778.json"))[0] == 0
    tracker = link(load_records(tree)[0])
    fresh = quality.report(tracker, dt.date(2026, 12, 1))  # retrieved 2026-09-02
    assert fresh.old_registry_copies == []
    assert ("drugs", "sorafenib") in fresh.imported and ("companies", "bayer") in fresh.imported
    later = quality.report(tracker, dt.date(2027, 9, 3))
    assert later.old_registry_copies == [("nct00791778", "ctgov-nct00791778", "2026-09-02")]


def test_check_all_online_asks_the_registry(tree: Path, capsys, monkeypatch):
    assert run(capsys, str(CTGOV / "nct00791778.json"))[0] == 0
    asked = []

    def urlopen(request, timeout):
        asked.append(request.full_url)
        if request.full_url.endswith("NCT00791778"):
            return Response(json.dumps(changed_study()).encode())
        raise urllib.error.URLError("offline")

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    code, out, _ = run(capsys, "--check", "--all", "--online")
    assert code == 1
    assert "https://clinicaltrials.gov/api/v2/studies/NCT00791778" in asked
    assert "records/trials/nct00791778.yaml: status completed → terminated" in out


def test_any_value_of_the_wrong_shape_gives_a_record_or_one_refusal(records_copy: Path):
    """Each value of a real record replaced by another shape (a number, text, a list, an object,
    null): the import builds a schema-valid trial or refuses in one line; never a traceback."""
    from pipeline_tracker.records.load import load_records
    from pipeline_tracker.tools.ctgov import _check_schema, parse_study, plan

    records = load_records(records_copy)[0]

    def build(raw: bytes) -> None:
        _check_schema(plan(parse_study(raw, "x"), raw, records)[0])

    outcomes = wrong_shape_outcomes(study("nct00791778"), ("x\n<b>", [], None), build)
    assert outcomes["built"] > outcomes["refused"] > 0

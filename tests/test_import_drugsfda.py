"""`pipeline-tracker import drugsfda`: a real openFDA drugsfda response (tests/fixtures/drugsfda,
see tests/fixtures/README.md) into cited approval and designation events, re-imports, drift checks
and bad input. The edge cases are derived from the real record in code, each change named."""

from __future__ import annotations

import copy
import json
import re
import urllib.error
from pathlib import Path

import pytest
from conftest import ROOT, mkdocs_build
from import_helpers import (
    answering,
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
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import load_records

FIXTURE = ROOT / "tests" / "fixtures" / "drugsfda" / "drugsfda_imatinib.json"
APPROVAL = "fda-approval-nda021588-orig-1"


def response() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def tree(records_copy: Path, monkeypatch) -> Path:
    return use_records(records_copy, monkeypatch)


def run(capsys, *args: str) -> tuple[int, str, str]:
    return run_import(capsys, "drugsfda", *args)


def add_imatinib(records: Path, synonym: str = "") -> None:
    """A curated drug recorded by its INN (and, given, a synonym)."""
    text = "id: imatinib\nname: imatinib\nmodality: not stated\n"
    if synonym:
        text += (
            f"synonyms:\n  - {synonym}\nevidence:\n  synonyms:\n    - source: drugsfda-nda021588\n"
            f"      quote: {synonym.upper()}\n"
        )
    (records / "drugs" / "imatinib.yaml").write_text(text)


def test_real_response_imports_validates_and_builds(tree: Path, tmp_path: Path, capsys):
    add_imatinib(tree)
    code, out, err = run(capsys, str(FIXTURE))
    assert code == 0, err
    assert "NDA021588: 3 new events" in out
    assert problems_of(tree) == []
    assert main(["fmt", "--check", str(tree)]) == 0
    capsys.readouterr()
    event = load(tree, "events", APPROVAL)
    assert event["type"] == "approval" and event["agency"] == "FDA"
    assert (event["date"], event["regions"], event["companies"]) == (
        "2003-04-18",
        ["US"],
        ["novartis"],
    )
    assert "NDA021588" in event["summary"] and "GLEEVEC" in event["summary"]
    assert "indications" not in event and "route" not in event  # the source states neither
    assert "Indication not stated in Drugs@FDA" in event["notes"]
    # 'IMATINIB MESYLATE' matches the drug recorded as 'imatinib' only without the salt: inferred
    assert event["drugs"] == ["imatinib"]
    assert "imatinib mesylate" in event["inferred"]["drugs"]
    assert not (tree / "drugs" / "imatinib-mesylate.yaml").exists()
    assert {"source": "drugsfda-nda021588", "pointer": "/results/0/application_number",
            "quote": "NDA021588"} in event["sources"]  # fmt: skip
    priority = load(tree, "events", "fda-priority-review-nda021588-orig-1")
    assert (priority["type"], priority["designation"]) == ("designation", "priority review")
    assert "date" not in priority  # Drugs@FDA dates the approval, not the designation
    orphan = load(tree, "events", "fda-orphan-nda021588-orig-1")
    assert orphan["designation"] == "orphan drug"
    assert load(tree, "companies", "novartis") == {
        "id": "novartis",
        "name": "NOVARTIS",
        "review": "imported",
    }
    source = load(tree, "sources", "drugsfda-nda021588")
    assert (source["kind"], source["local_copy"], source["retrieved"]) == (
        "regulatory document",
        "drugsfda-nda021588.json",
        "2026-08-11",
    )
    assert (tree / "archive" / "drugsfda-nda021588.json").read_bytes() == FIXTURE.read_bytes()
    # an approval without an indication puts the drug at no phase: no status row is invented
    assert link(load_records(tree)[0]).phase_rows.get("imatinib", []) == []

    site = tmp_path / "site"
    result = mkdocs_build(site, tree)
    assert result.returncode == 0, result.stderr
    timeline = (site / "timeline" / "index.html").read_text()
    entry = timeline[timeline.index(f'id="event-{APPROVAL}"') :]
    entry = entry[: entry.index("</article>")]
    assert "NDA021588" in entry and "2003-04-18" in entry
    # cites the source whose archived copy is the Drugs@FDA record, with the values it quotes
    ref = re.search(r'href="#(ref-[0-9]+)" title="Source [0-9]+: “NDA021588”', entry)
    assert ref, entry
    assert f'<li id="{ref[1]}"><a href="../sources/drugsfda-nda021588/">' in timeline
    # the Data quality page asks a curator for the indication the source does not name
    quality = (site / "quality" / "index.html").read_text()
    asks = [li for li in quality.split("<li>") if "an approval whose indication no record" in li]
    assert any(f"#event-{APPROVAL}" in li for li in asks), asks
    assert "Companie " not in quality  # the kind's name, not its plural cut short
    source_page = (site / "sources" / "drugsfda-nda021588" / "index.html").read_text()
    assert "<dt>Archived copy</dt> <dd><code>drugsfda-nda021588.json</code>" in source_page
    assert "(inferred)" in entry  # the drug linked by its name without the salt
    assert "Indication not stated in Drugs@FDA" in entry
    quality = (site / "quality" / "index.html").read_text()
    assert "novartis/" in quality and "review: imported" in quality


def test_unmatched_ingredient_becomes_a_minimal_drug_named_as_printed(tree: Path, capsys):
    assert run(capsys, str(FIXTURE))[0] == 0
    drug = load(tree, "drugs", "imatinib-mesylate")
    assert (drug["name"], drug["modality"], drug["review"]) == (
        "imatinib mesylate",
        "not stated",
        "imported",
    )
    assert drug["synonyms"] == ["GLEEVEC"] and "inn" not in drug  # a salt name is not an INN
    event = load(tree, "events", APPROVAL)
    assert event["drugs"] == ["imatinib-mesylate"] and "inferred" not in event
    assert problems_of(tree) == []


def test_a_drug_going_by_the_salt_name_matches_without_inference(tree: Path, capsys):
    add_imatinib(tree, synonym="imatinib mesylate")
    assert run(capsys, str(FIXTURE))[0] == 0
    event = load(tree, "events", APPROVAL)
    assert event["drugs"] == ["imatinib"] and "inferred" not in event


def test_reimport_changes_nothing(tree: Path, capsys):
    assert run(capsys, str(FIXTURE))[0] == 0
    before = snapshot(tree)
    code, out, _ = run(capsys, str(FIXTURE))
    assert code == 0 and "no change" in out
    assert snapshot(tree) == before


def with_supplements(data: dict) -> dict:
    """The real application with two efficacy supplements (one approved, one tentatively), a
    labeling supplement, and a resubmission not approved."""
    subs = data["results"][0]["submissions"]
    efficacy = {
        "submission_type": "SUPPL",
        "submission_number": "5",
        "submission_status": "AP",
        "submission_status_date": "20061019",
        "review_priority": "STANDARD",
        "submission_class_code": "EFFICACY",
        "submission_class_code_description": "Efficacy",
    }
    subs.append(efficacy)
    subs.append({**efficacy, "submission_number": "6", "submission_status": "TA"})
    subs.append({**efficacy, "submission_number": "7", "submission_status": "CR"})
    subs.append(
        {**efficacy, "submission_number": "8", "submission_class_code": "LABELING"}
        | {"submission_class_code_description": "Labeling"}
    )
    return data


def test_check_reports_new_submissions_and_status_changes(tree: Path, tmp_path, capsys):
    assert run(capsys, str(FIXTURE))[0] == 0
    before = snapshot(tree)
    changed = with_supplements(response())
    changed["results"][0]["submissions"][0]["submission_status_date"] = "20030419"
    code, out, _ = run(capsys, save(tmp_path, changed), "--check")
    assert code == 1
    assert "new submission SUPPL 5 (AP, 20061019, STANDARD, EFFICACY)" in out
    assert "ORIG 1: submission_status_date 20030418 → 20030419" in out
    assert snapshot(tree) == before
    code, out, _ = run(capsys, str(FIXTURE), "--check")
    assert code == 0 and "in step" in out


def test_reimport_adds_new_approvals_and_keeps_curated_fields(tree: Path, tmp_path, capsys):
    assert run(capsys, str(FIXTURE))[0] == 0
    path = tree / "events" / f"{APPROVAL}.yaml"
    path.write_text(path.read_text() + "indications:\n  - biliary-tract-cancer\n")
    code, out, err = run(capsys, save(tmp_path, with_supplements(response())))
    assert code == 0, err
    assert "1 new event" in out
    assert load(tree, "events", APPROVAL)["indications"] == ["biliary-tract-cancer"]
    suppl = load(tree, "events", "fda-approval-nda021588-suppl-5")
    assert suppl["date"] == "2006-10-19" and "supplement 5 to NDA021588" in suppl["summary"]
    assert "TA" in out and "tentative approval" in out  # SUPPL 6 named, not imported
    for number in (6, 7, 8):
        assert not (tree / "events" / f"fda-approval-nda021588-suppl-{number}.yaml").exists()
    assert not (tree / "events" / "fda-priority-review-nda021588-suppl-5.yaml").exists()
    assert problems_of(tree) == []
    # the curated indication now gives the drug an approved row in the US
    rows = link(load_records(tree)[0]).phase_rows["imatinib-mesylate"]
    assert [(r.indication, r.region, r.phase) for r in rows] == [
        ("biliary-tract-cancer", "US", "approved")
    ]


def _no_orig(data):
    subs = with_supplements(data)["results"][0]["submissions"]
    subs.pop(0)


def _several(data):
    other = copy.deepcopy(data["results"][0])
    other["application_number"] = "NDA021335"
    other["products"][0]["dosage_form"] = "CAPSULE"
    generic = copy.deepcopy(data["results"][0])
    generic["application_number"] = "ANDA078340"
    generic["sponsor_name"] = "SUN PHARM"
    data["results"] += [other, generic]


def _unknown_sponsor(data):
    data["results"][0]["sponsor_name"] = "ACME ONCOLOGY"


def _no_sponsor(data):
    data["results"][0].pop("sponsor_name")


def _two_ingredients(data):
    data["results"][0]["products"][0]["active_ingredients"].append(
        {"name": "RITONAVIR", "strength": "100MG"}
    )


EDGES = {
    "no ORIG approval": (_no_orig, ["fda-approval-nda021588-suppl-5"]),
    "several applications": (
        _several,
        [APPROVAL, "fda-approval-nda021335-orig-1"],
    ),
    "unknown sponsor": (_unknown_sponsor, [APPROVAL]),
    "no sponsor": (_no_sponsor, [APPROVAL]),
    "two ingredients": (_two_ingredients, [APPROVAL]),
}


@pytest.mark.parametrize("case", list(EDGES))
def test_edge_cases_import_and_validate(case: str, tree: Path, tmp_path, capsys):
    change, events = EDGES[case]
    data = response()
    change(data)
    code, out, err = run(capsys, save(tmp_path, data))
    assert code == 0, err
    approvals = sorted(p.stem for p in (tree / "events").glob("fda-approval-*.yaml"))
    assert approvals == sorted(events)
    assert problems_of(tree) == []
    event = load(tree, "events", events[0])
    if case == "no ORIG approval":
        assert not (tree / "events" / f"{APPROVAL}.yaml").exists()
    if case == "several applications":
        # each application its own archived copy, cited at the same pointers
        copy_ = json.loads((tree / "archive" / "drugsfda-nda021335.json").read_text())
        assert [r["application_number"] for r in copy_["results"]] == ["NDA021335"]
        assert copy_["meta"] == data["meta"]
        assert "ANDA078340: an ANDA (a generic); not imported" in out
        assert not (tree / "companies" / "sun-pharm.yaml").exists()
        # both applications link the one drug the first one made
        assert load(tree, "events", "fda-approval-nda021335-orig-1")["drugs"] == [
            "imatinib-mesylate"
        ]
        assert not (tree / "drugs" / "imatinib-mesylate-2.yaml").exists()
    if case == "unknown sponsor":
        assert event["companies"] == ["acme-oncology"]
        assert load(tree, "companies", "acme-oncology")["review"] == "imported"
    if case == "no sponsor":
        assert "companies" not in event
    if case == "two ingredients":
        assert event["drugs"] == ["imatinib-mesylate", "ritonavir"]
        # a brand of a combination is no synonym of either ingredient
        assert "synonyms" not in load(tree, "drugs", "ritonavir")


def _all_tentative(data):
    data["results"][0]["submissions"][0]["submission_status"] = "TA"


def _only_anda(data):
    data["results"][0]["application_number"] = "ANDA078340"


def _only_labeling(data):
    _no_orig(data)
    subs = data["results"][0]["submissions"]
    data["results"][0]["submissions"] = [s for s in subs if s["submission_number"] == "8"]


def changed(change) -> str:
    data = response()
    change(data)
    return json.dumps(data)


BAD = {
    "not openFDA": (lambda: json.dumps({"protocolSection": {}}), "not an openFDA drugsfda"),
    "empty results": (lambda: changed(lambda d: d.update(results=[])), "holds no application"),
    "truncated": (lambda: FIXTURE.read_text()[:1500], "truncated"),
    "over 2 MiB": (lambda: " " * (2 * 1024 * 1024 + 1), "larger than 2 MiB"),
    "no approved submission": (lambda: changed(_all_tentative), "no approved submission"),
    "only an ANDA": (lambda: changed(_only_anda), "ANDA078340: an abbreviated application"),
    "no milestone": (lambda: changed(_only_labeling), "no development milestones"),
    "openFDA error": (
        lambda: json.dumps({"error": {"code": "NOT_FOUND", "message": "No matches found!"}}),
        "openFDA answered 'No matches found!'",
    ),
    "not an application": (
        lambda: changed(lambda d: d["results"][0].pop("application_number")),
        "not a Drugs@FDA application",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_one_line_exit_1_nothing_written(case: str, tree: Path, tmp_path, capsys):
    text, words = BAD[case]
    assert_refused_unchanged(tree, words, lambda: run(capsys, save(tmp_path, text())))


def test_application_number_is_fetched_from_openfda(tree: Path, capsys, monkeypatch):
    asked = answering(monkeypatch, FIXTURE.read_bytes())
    code, _, err = run(capsys, "NDA021588")
    assert code == 0, err
    assert asked == ['https://api.fda.gov/drug/drugsfda.json?search=application_number:"NDA021588"']
    assert (tree / "events" / f"{APPROVAL}.yaml").is_file()


FETCH_ERRORS = {
    "not found": (urllib.error.HTTPError("u", 404, "Not Found", {}, None), "has no application"),  # type: ignore[arg-type]
    "offline": (urllib.error.URLError("no network"), "cannot reach Drugs@FDA"),
}


@pytest.mark.parametrize("case", list(FETCH_ERRORS))
def test_application_number_that_cannot_be_fetched(case, tree: Path, capsys, monkeypatch):
    error, words = FETCH_ERRORS[case]
    answering(monkeypatch, error=error)
    assert_refused_unchanged(tree, words, lambda: run(capsys, "BLA761150"))


def test_an_approval_recorded_by_hand_is_not_recorded_twice(tree: Path, capsys):
    add_imatinib(tree)
    (tree / "events" / "fda-approval-imatinib-2003.yaml").write_text(
        "id: fda-approval-imatinib-2003\ntype: approval\nsummary: FDA approved Gleevec tablets.\n"
        'date: "2003-04-18"\ndrugs:\n  - imatinib\nagency: FDA\nsources:\n'
        "  - geneonline-2023-01-17-carsgen-huadong\n"
    )
    code, out, _ = run(capsys, str(FIXTURE))
    assert code == 0
    assert "events/fda-approval-imatinib-2003.yaml already records this approval" in out
    assert not (tree / "events" / f"{APPROVAL}.yaml").exists()


def test_quotes_must_be_the_archived_value(tree: Path, capsys):
    assert run(capsys, str(FIXTURE))[0] == 0
    path = tree / "events" / f"{APPROVAL}.yaml"
    path.write_text(path.read_text().replace('quote: "20030418"', 'quote: "20030419"'))
    assert any("quote is not the value" in p for p in problems_of(tree))


def test_any_value_of_the_wrong_shape_gives_events_or_one_refusal(records_copy: Path):
    """Each value of the real response (with supplements) replaced by another shape: the import
    builds schema-valid records or refuses in one line; never a traceback."""
    from pipeline_tracker.tools.drugsfda import _check, parse_response, plan

    records = load_records(records_copy)[0]

    def build(raw: bytes) -> None:
        for built in plan(parse_response(raw, "x")[0], raw, records):
            _check(built)

    outcomes = wrong_shape_outcomes(with_supplements(response()), ("x\n<b>", [], None, 7), build)
    assert outcomes["built"] > outcomes["refused"] > 0

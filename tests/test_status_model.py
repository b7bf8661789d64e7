"""Status model v2 on the fixture tree: special access never ranks as approval, counts are of
distinct drugs, company pages keep to their territory and role, quotes are checked against the
archived copy of their source, and the phase crosswalk covers every rung."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, open_data
from pipeline_tracker.model import landscape
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.evidence import normalise
from pipeline_tracker.records.load import load_records
from pipeline_tracker.records.phases import CROSSWALK, LADDER, SPECIAL_ACCESS, crosswalk, within
from pipeline_tracker.records.validate import load_and_check
from pipeline_tracker.site.build import load_tracker
from pipeline_tracker.site.exports import build_exports


@pytest.fixture(scope="module")
def tracker():
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    return link(records)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Special access ------------------------------------------------------------------


def test_special_access_is_its_own_row_and_never_the_highest_phase(tracker):
    access = tracker.special_access_rows("infigratinib")
    assert access and all(r.phase == SPECIAL_ACCESS and r.region == "CN-HI" for r in access)
    best = tracker.highest_phase("infigratinib")
    assert best is not None and best.phase != "approved" and not best.special_access
    assert all(not r.special_access for r in tracker.highest_by_indication_region("infigratinib"))


def test_special_access_is_not_counted_in_landscapes(tracker):
    matrix = landscape.by_indication(tracker, tracker.tracked_ids())
    assert "approved" not in {c for row in matrix.rows for c in row.cells} or all(
        drug != "infigratinib" for row in matrix.rows for drug, _ in row.cells.get("approved", [])
    )
    assert SPECIAL_ACCESS not in matrix.columns


def test_special_access_badge_on_the_drug_page(built_site):
    page = (built_site / "drugs/infigratinib/index.html").read_text(encoding="utf-8")
    assert "pt-phase--special-access" in page
    assert 'class="pt-phase pt-phase--approved"' not in page


def test_a_drug_with_special_access_only_is_found_by_the_special_access_phase():
    """A drug whose only rows are special access: the Drugs index's phase cell says "special
    access only", and with no region chosen its phase filter (data-phase, what tracker.js matches
    ?phase= against) and the search box's phase filter both find it under special access, the
    value the box's link to the index gives."""
    import re

    from pipeline_tracker.site.render import SiteOptions, render_job
    from pipeline_tracker.site.search_meta import SPECIAL_ACCESS_ONLY, filter_layout, search_filters

    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    data = records["drugs"]["infigratinib"].data
    data["status"] = [row for row in data["status"] if row.get("route") == "special access"]
    for trial in [t for t, r in records["trials"].items() if "infigratinib" in r.data["drugs"]]:
        del records["trials"][trial]  # a trial of a drug puts it at the trial's phase
    tracker = link(records)
    assert tracker.highest_phase("infigratinib") is None and tracker.special_access_rows(
        "infigratinib"
    )
    job = ("drugs/index.md", "index_drugs.html.j2", "drugs", "")
    html = render_job(tracker, SiteOptions(), job).html
    rows = [
        attrs
        for attrs, body in re.findall(r"<tr ([^>]*)>(.*?)</tr>", html, re.DOTALL)
        if 'drugs/infigratinib/"' in body
    ]
    assert len(rows) == 1 and "special access only" in html
    phase = re.search(r'data-phase="([^"]*)"', rows[0])
    assert ("phase", SPECIAL_ACCESS_ONLY) in search_filters(tracker, "drugs", "infigratinib")
    layout = filter_layout({"phase": {SPECIAL_ACCESS_ONLY, "approved"}})
    assert phase and [SPECIAL_ACCESS_ONLY, phase.group(1)] in layout["filters"]["phase"]


def test_a_special_access_row_names_its_scheme_and_has_no_phase(records_copy):
    drug = records_copy / "drugs/infigratinib.yaml"
    _edit(drug, "    route: special access\n", "    route: special access\n    phase: approved\n")
    _, problems = load_and_check(records_copy, records_copy.parent)
    assert any(p.pointer.startswith("/status/0") for p in problems), [p.text() for p in problems]


# Distinct counts -----------------------------------------------------------------


def test_landscape_totals_count_distinct_drugs(tracker):
    matrix = landscape.by_target(tracker, tracker.tracked_ids())
    rows_with_infigratinib = [
        row
        for row in matrix.rows
        if any(d == "infigratinib" for c in row.cells.values() for d, _ in c)
    ]
    assert len(rows_with_infigratinib) == 3  # FGFR1, FGFR2, FGFR3
    drugs = {d for row in matrix.rows for cell in row.cells.values() for d, _ in cell}
    assert matrix.count == len(drugs)
    assert matrix.shared and sum(row.count for row in matrix.rows) > matrix.count
    for phase in matrix.columns:
        assert matrix.total(phase) == len(
            {d for row in matrix.rows for d, _ in row.cells.get(phase, [])}
        )


def test_comparator_only_drugs_are_labelled_and_listed_apart(tracker, built_site):
    others = tracker.untracked_ids()
    assert "trastuzumab" in others and "infigratinib" not in others
    assert tracker.trial_roles("trastuzumab") == {"comparator": 1}
    page = (built_site / "drugs/index.html").read_text(encoding="utf-8")
    tracked_part, _, other_part = page.partition("<details")
    assert "drugs/infigratinib/" in tracked_part and "drugs/trastuzumab/" in other_part
    assert "drugs/trastuzumab/" not in tracked_part
    assert "no phase recorded" not in tracked_part
    assert "comparator in 1 trial" in other_part


# Territory -----------------------------------------------------------------------


def test_within_understands_subdivisions_and_groups():
    assert within("CN-HI", ["CN", "HK", "MO"])
    assert not within("CN", ["CN-HI"])
    assert not within("WW", ["CN"])
    assert within("US", ["XN"]) and within("XN", ["US", "CA", "MX"]) and not within("XN", ["US"])
    assert not within("XX", ["CN"])


def test_a_licensee_sees_only_its_territory_and_the_licensor_not_the_licensees(tracker):
    lianbio = tracker.programmes_of_company("lianbio")["infigratinib"]
    assert lianbio and all(within(r.region, ["CN", "HK", "MO"]) for r in lianbio)
    assert any(r.special_access for r in lianbio)
    bridgebio = tracker.programmes_of_company("bridgebio-pharma")["infigratinib"]
    assert bridgebio and not any(within(r.region, ["CN", "HK", "MO"]) for r in bridgebio)
    assert any(r.region == "WW" for r in bridgebio)


def test_the_company_page_leaves_out_programmes_outside_its_territory(built_site):
    page = (built_site / "companies/lianbio/index.html").read_text(encoding="utf-8")
    pipeline = page.split('id="pipeline"')[1].split('id="landscape"')[0]
    table = pipeline[pipeline.index("<table") :]  # the filters above it offer every region
    assert "Worldwide" not in table and "China" in table


# Quotes --------------------------------------------------------------------------

SOURCE = "nmpa-zanidatamab-btc-approval-news-2025"
QUOTE = "the National Medical Products Administration (NMPA) approved the marketing of Zanidatamab"


def test_a_quote_found_in_the_archived_copy_passes(records_copy):
    _, problems = load_and_check(records_copy, records_copy.parent)
    assert problems == []
    assert QUOTE in (records_copy / "drugs/zanidatamab.yaml").read_text(encoding="utf-8")


def test_a_quote_absent_from_the_archived_copy_fails_with_its_place(records_copy):
    drug = records_copy / "drugs/zanidatamab.yaml"
    _edit(drug, QUOTE, "the NMPA granted full approval to Zanidatamab")
    _, problems = load_and_check(records_copy, records_copy.parent)
    texts = [p.text() for p in problems]
    assert len(texts) == 1
    assert texts[0].startswith("records/drugs/zanidatamab.yaml:")
    assert "/sources/0/quote: quote not found in the archived copy" in texts[0]


def test_quotes_are_compared_whitespace_and_unicode_normalised(records_copy):
    drug = records_copy / "drugs/zanidatamab.yaml"
    # Line-broken, with a non-breaking space and full-width parentheses (NFKC folds them).
    _edit(
        drug,
        f"quote: {QUOTE}",
        "quote: 'the National   Medical\u00a0Products Administration \uff08NMPA\uff09 approved the"
        " marketing of Zanidatamab'",
    )
    _, problems = load_and_check(records_copy, records_copy.parent)
    assert problems == [], [p.text() for p in problems]
    assert normalise("a \u2018b\u2019  c\n") == "a 'b' c"


def test_a_quote_under_evidence_is_checked_too(records_copy):
    drug = records_copy / "drugs/zanidatamab.yaml"
    _edit(
        drug,
        "evidence:\n",
        f"evidence:\n  name_zh:\n    - source: {SOURCE}\n      quote: words no source printed\n",
    )
    _, problems = load_and_check(records_copy, records_copy.parent)
    assert any("/evidence/name_zh/0/quote: quote not found" in p.text() for p in problems)


def test_a_missing_archived_copy_is_reported_on_the_source(records_copy):
    (records_copy / "archive/000_0f28aca7d3a3d3db.txt").unlink()
    _, problems = load_and_check(records_copy, records_copy.parent)
    assert [p.pointer for p in problems] == ["/local_copy"]


def test_quotes_are_shown_with_their_citation(built_site):
    page = (built_site / "drugs/zanidatamab/index.html").read_text(encoding="utf-8")
    assert "pt-cite--quoted" in page and '<ul class="pt-quotes">' in page
    assert "approved the marketing of Zanidatamab" in page


# Crosswalk -----------------------------------------------------------------------


def test_every_rung_has_a_crosswalk_entry():
    assert set(CROSSWALK) == {*LADDER, SPECIAL_ACCESS}
    assert crosswalk("phase 1/2").ctgov_phases == ("PHASE1", "PHASE2")
    assert crosswalk(SPECIAL_ACCESS).opentargets_stage == ""  # never "approval"
    assert crosswalk(SPECIAL_ACCESS).chembl_max_phase is None


# Open Targets' ClinicalStageCategory, as defined in opentargets/clinical_mining,
# src/clinical_mining/schemas.py (commit df8d136f14bc693a4b93b05259f6083e3190955c).
OPENTARGETS_CLINICAL_STAGE_CATEGORY = {
    "WITHDRAWAL",
    "APPROVAL",
    "PHASE_4",
    "PREAPPROVAL",
    "PHASE_3",
    "PHASE_2_3",
    "PHASE_2",
    "PHASE_1_2",
    "PHASE_1",
    "EARLY_PHASE_1",
    "IND",
    "PRECLINICAL",
    "UNKNOWN",
}
# ChEMBL max_phase values, as ChEMBL's FAQ "What is max phase?"
# (chembl.gitbook.io/chembl-interface-documentation/frequently-asked-questions/
# drug-and-compound-questions) and its molecule_dictionary.MAX_PHASE documentation give them.
CHEMBL_MAX_PHASE = {4, 3, 2, 1, 0.5, -1, None}


def test_crosswalk_joins_with_open_targets_enum_and_chembl_rule():
    entries = [*CROSSWALK.values(), crosswalk("approved", "withdrawn")]
    assert {e.opentargets_stage for e in entries} - {""} <= OPENTARGETS_CLINICAL_STAGE_CATEGORY
    assert {e.chembl_max_phase for e in entries} <= CHEMBL_MAX_PHASE
    assert crosswalk("approved").opentargets_stage == "APPROVAL"
    assert crosswalk("approved", "withdrawn").opentargets_stage == "WITHDRAWAL"
    assert crosswalk("filed").opentargets_stage == "PREAPPROVAL"
    assert crosswalk("phase 1/2").opentargets_stage == "PHASE_1_2"
    assert crosswalk("preclinical").opentargets_stage == "PRECLINICAL"
    assert crosswalk("phase unknown").opentargets_stage == "UNKNOWN"
    # ChEMBL: "Phase 1 ... includes ... trials defined by ClinicalTrials.gov as 'Phase 1/Phase 2'":
    # a combined-phase trial counts as the lower phase.
    assert crosswalk("phase 1/2").chembl_max_phase == 1
    assert crosswalk("phase 2/3").chembl_max_phase == 2
    assert crosswalk("approved").chembl_max_phase == 4
    assert crosswalk("phase unknown").chembl_max_phase == -1
    assert crosswalk("preclinical").chembl_max_phase is None  # ChEMBL: NULL = preclinical


def test_exports_carry_the_crosswalk_and_the_route():
    files = build_exports(load_tracker(FIXTURES, ROOT))
    rows = list(csv.DictReader(io.StringIO(open_data(files, "data/development-status.csv.gz"))))
    access = [r for r in rows if r["route"] == SPECIAL_ACCESS]
    assert access and all(
        r["opentargets_stage"] == "" and r["chembl_max_phase"] == "" for r in access
    )
    approved = [r for r in rows if r["phase"] == "approved"]
    assert approved and all(r["chembl_max_phase"] == "4" for r in approved)
    assert any(r["date_inferred"] for r in rows)


def test_the_methodology_page_publishes_the_crosswalk():
    text = (ROOT / "docs/methodology.md").read_text(encoding="utf-8")
    rows = {"approved, then withdrawn from the market": crosswalk("approved", "withdrawn")}
    for phase, entry in {**CROSSWALK, **rows}.items():
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| {phase} |")), None)
        assert line is not None, f"methodology crosswalk has no row for {phase}"
        chembl = "" if entry.chembl_max_phase is None else f"{entry.chembl_max_phase:g}"
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[1] == (chembl or "—")
        assert cells[2] == (entry.opentargets_stage or "—")
        assert cells[3] == (", ".join(entry.ctgov_phases) or "—")
    # The page names the documents the values come from, and ChEMBL's lower-phase rule.
    assert "opentargets/clinical_mining" in text and "src/clinical_mining/schemas.py" in text
    assert "What is max phase?" in text and "**lower** phase" in text
    assert "higher phase" not in text


def test_target_company_and_indication_facts_need_a_citation(records_copy):
    company = records_copy / "companies/lianbio.yaml"
    text = company.read_text(encoding="utf-8")
    company.write_text(text.split("sources:\n")[0] + 'last_reviewed: "2026-11-21"\n')
    _, problems = load_and_check(records_copy, records_copy.parent)
    assert [p.text().split(": ")[1] for p in problems if "lianbio" in p.path] == ["/tickers"]

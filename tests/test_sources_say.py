"""What the sources say, on fixture records: a trial's status as of a date, unranked outcome
measures, confidence bounds of every shape, result notes, approximate dates, inferred or unstated
identity facts, territories (not stated, worldwide, in the source's words), filing stages,
designations held by a class, and people named. Each value validates, survives `fmt`, shows on
its page and reaches the exports."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, open_data
from pipeline_tracker.records.validate import load_and_check
from pipeline_tracker.site.build import build_outputs
from pipeline_tracker.tools.fmt import format_text

GENEONLINE = "geneonline-2023-01-17-carsgen-huadong"
HAINAN = "hainan-infigratinib-npp-case-study"
KOMEN = "komen-empowher-303"

# New records in the shape the sources call for, keys in a curator's order (fmt puts them right).
TRIAL = f"""id: new-model-trial
title: A study the source says is under way
status_sources:
  - source: {GENEONLINE}
    quote: CARsgen is conducting Phase 1b2 LUMMICAR Study 2 in North America
status_as_of: "2023-01-17"
status: ongoing
phase: phase 1/2
drugs:
  - zevorcabtagene-autoleucel
indications:
  - multiple-myeloma
people:
  - name: Sara Tolaney
    degrees: M.D., M.P.H.
    role: Principal Investigator and Steering Committee member
    affiliation: Chief of the Division of Breast Oncology at Dana-Farber Cancer Institute
    sources:
      - source: {KOMEN}
        quote: a Principal Investigator and Steering Committee member of the EmpowHER-303 trial
endpoints:
  - name: overall survival
    abbreviation: OS
    timeframe: 4 years
    description: The time from the beginning of treatment to the death of the patient
  - name: objective response rate
    type: primary
results:
  - endpoint: both bounds
    value: 50
    unit: "%"
    ci_low: 40.5
    ci_high: 60.5
    sources:
      - {GENEONLINE}
  - endpoint: lower bound only
    value: 12.5
    unit: months
    ci_low: 10.2
    sources:
      - {GENEONLINE}
  - endpoint: upper bound only
    value: 12.5
    unit: months
    ci_high: 14.8
    sources:
      - {GENEONLINE}
  - endpoint: upper bound not estimable
    value: 20.1
    unit: months
    ci_low: 15.3
    ci_high: not estimable
    note: The source prints the upper bound as NE.
    sources:
      - {GENEONLINE}
  - endpoint: no bounds
    value: 78.6
    unit: "%"
    sources:
      - {GENEONLINE}
sources:
  - {GENEONLINE}
"""

APPROVAL = f"""id: new-model-approximate-approval
type: approval
summary: A first approval the source dates only approximately.
date_approximate: approximately six months after the drug’s first global approval
date: "2021-06"
drugs:
  - infigratinib
indications:
  - cholangiocarcinoma
regions:
  - US
sources:
  - source: {HAINAN}
    quote: approximately six months after the drug’s first global approval
"""

FILING = f"""id: new-model-filing
type: filing
filing_stage: accepted for review
summary: The regulator accepted the application for review.
date: "2022-10"
drugs:
  - zevorcabtagene-autoleucel
indications:
  - multiple-myeloma
regions:
  - CN
agency: NMPA
sources:
  - {GENEONLINE}
"""

CLASS_DESIGNATION = f"""id: new-model-class-designation
type: designation
designation: breakthrough therapy
designation_scope: class
designation_class: CAR-T cell therapy
summary: In China, CAR-T cell therapy holds the Breakthrough Therapy designation.
drugs:
  - zevorcabtagene-autoleucel
regions:
  - CN
sources:
  - source: {GENEONLINE}
    quote: In China, CAR-T cell therapy holds the Breakthrough Therapy designation.
"""

DEAL = f"""id: new-model-deal
type: deal
summary: An alliance over a territory the source names in words.
date: "2020-08"
drugs:
  - bbp-398
parties:
  - company: lianbio
    role: licensee
  - company: bridgebio-pharma
    role: licensor
territory:
  - CN
territory_as_stated: China and other major Asian markets
people:
  - name: Yizhe Wang
    role: Chief Executive
    affiliation: LianBio
    sources:
      - source: {HAINAN}
        quote: said Yizhe Wang, Ph.D., Chief Executive of LianBio
sources:
  - source: {HAINAN}
    quote: to develop and commercialize select BridgeBio programs in China and other major Asian markets
"""

DRUG = f"""id: new-model-drug
name: new-model-drug
modality: small molecule
inferred:
  modality: the source calls it an 'SHP2 inhibitor' and never states its modality
evidence:
  modality:
    - source: {HAINAN}
      quote: SHP2 inhibitor BBP-398
companies:
  - company: lianbio
    role: licensee
    territory:
      - CN
    territory_as_stated: China and other major Asian markets
    sources:
      - source: {HAINAN}
        quote: to develop and commercialize select BridgeBio programs in China and other major Asian markets
  - company: bridgebio-pharma
    role: developer
    sources:
      - {HAINAN}
  - company: qed-therapeutics
    role: manufacturer
    territory:
      - WW
    sources:
      - {HAINAN}
status:
  - indication: cholangiocarcinoma
    regions:
      - US
    phase: approved
    date: "2021-06"
    date_approximate: approximately six months after the drug’s first global approval
    inferred:
      date: June 2021 is about six months before December 2021
    sources:
      - source: {HAINAN}
        quote: approximately six months after the drug’s first global approval
"""

UNSTATED_DRUG = """id: unstated-drug
name: unstated-drug
modality: not stated
"""

NEW = {
    "trials/new-model-trial.yaml": TRIAL,
    "events/new-model-approximate-approval.yaml": APPROVAL,
    "events/new-model-filing.yaml": FILING,
    "events/new-model-class-designation.yaml": CLASS_DESIGNATION,
    "events/new-model-deal.yaml": DEAL,
    "drugs/new-model-drug.yaml": DRUG,
    "drugs/unstated-drug.yaml": UNSTATED_DRUG,
}


def _write(records: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (records / name).write_text(text, encoding="utf-8")


def _text(markup: str) -> str:
    """A page's words as a reader sees them: tags dropped, entities decoded, spaces collapsed."""
    words = html.unescape(re.sub(r'<a class="headerlink"[^>]*>.*?</a>|<[^>]+>', " ", markup))
    return re.sub(r"\s+", " ", words).replace(" )", ")")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import shutil

    from conftest import FIXTURES

    records = tmp_path_factory.mktemp("sources-say") / "records"
    shutil.copytree(FIXTURES, records)
    _write(records, NEW)
    return build_outputs(records, ROOT)


def _page(site, src: str) -> str:
    return _text(site.html_pages[src].html)


# Validate and fmt ------------------------------------------------------------------------------


def test_new_values_validate(records_copy):
    _write(records_copy, NEW)
    _, problems = load_and_check(records_copy, records_copy.parent)
    assert [p.text() for p in problems] == []


@pytest.mark.parametrize("name", sorted(NEW))
def test_fmt_puts_new_values_in_schema_order_and_round_trips(name):
    kind = name.split("/")[0]
    canonical, problems = format_text(NEW[name], f"records/{name}", kind)
    assert problems == [] and canonical is not None
    assert format_text(canonical, f"records/{name}", kind)[0] == canonical  # a fixed point
    if kind == "trials":
        assert '\nstatus: ongoing\nstatus_as_of: "2023-01-17"\nstatus_sources:' in canonical
        assert "ci_high: not estimable" in canonical
    if name.endswith("approximate-approval.yaml"):
        assert 'date: "2021-06"\ndate_approximate: approximately six months' in canonical


# Pages ------------------------------------------------------------------------------------------


def test_trial_status_shows_as_of_its_date_with_its_source(site):
    page = _page(site, "trials/new-model-trial.md")
    assert "Status ongoing (as of 2023-01-17) [" in page
    drug = _page(site, "drugs/zevorcabtagene-autoleucel.md")
    assert "ongoing (as of 2023-01-17)" in drug  # the drug's trials table says the same


def test_a_trial_without_status_still_says_not_reported(site):
    assert "Status not reported" in _page(site, "trials/lummicar-1.md")


def test_unranked_outcome_measures_show_type_not_stated_with_time_frame(site):
    page = _page(site, "trials/new-model-trial.md")
    assert "overall survival (OS) not stated 4 years The time from the beginning" in page
    assert "objective response rate primary" in page


@pytest.mark.parametrize(
    "shown",
    [
        "50 % (95% CI 40.5–60.5)",
        "12.5 months (95% CI from 10.2; upper bound not reported)",
        "12.5 months (95% CI up to 14.8; lower bound not reported)",
        "20.1 months (95% CI 15.3–not estimable)",
    ],
)
def test_every_combination_of_confidence_bounds_renders(site, shown):
    assert shown.replace("50 %", "50%") in _page(site, "trials/new-model-trial.md")
    assert shown in _page(site, "drugs/zevorcabtagene-autoleucel.md")  # headline results


def test_a_result_without_bounds_shows_no_interval(site):
    page = _page(site, "trials/new-model-trial.md")
    assert "no bounds 78.6%" in page and "78.6% (95% CI" not in page


def test_a_result_note_shows_under_the_result(site):
    for src in ("trials/new-model-trial.md", "drugs/zevorcabtagene-autoleucel.md"):
        assert "Note The source prints the upper bound as NE." in _page(site, src)


def test_people_named_show_on_the_trial_event_and_source_pages(site):
    trial = _page(site, "trials/new-model-trial.md")
    assert (
        "People named Sara Tolaney, M.D., M.P.H. — Principal Investigator and Steering Committee "
        "member; Chief of the Division of Breast Oncology at Dana-Farber Cancer Institute ["
        in trial
    )
    assert "Yizhe Wang — Chief Executive; LianBio" in _page(site, "timeline.md")
    source = _page(site, "sources/komen-empowher-303.md")
    assert "People named Sara Tolaney" in source


def test_an_approximate_date_reads_about_with_the_source_words(site):
    drug = _page(site, "drugs/new-model-drug.md")
    assert (
        "about 2021-06 (inferred) (“approximately six months after the drug’s first global "
        "approval”)" in drug
    )
    timeline = _page(site, "timeline.md")
    assert "about 2021-06 (“approximately six months after" in timeline
    infigratinib = _page(site, "drugs/infigratinib.md")
    assert "about 2021-06" in infigratinib  # the event's row on the drug it approves


def test_exact_dates_are_not_marked_about(site):
    assert "about 2022-10" not in _page(site, "timeline.md")


def test_identity_fact_marked_inferred_or_not_stated(site):
    drug = _page(site, "drugs/new-model-drug.md")
    assert "Modality small molecule (inferred) [" in drug
    # the reason is readable on the page, not only on hover
    assert "new-model-drug: modality : the source calls it an 'SHP2 inhibitor'" in drug
    assert "Modality not stated in the sources" in _page(site, "drugs/unstated-drug.md")


def test_territory_not_stated_is_not_worldwide(site):
    drug = _page(site, "drugs/new-model-drug.md")
    assert "BridgeBio Pharma developer not stated" in drug
    assert "Worldwide" in drug  # QED's role, stated WW
    assert "not limited" not in drug
    assert (
        "China as the source puts it: “China and other major Asian markets”" in drug
        or "CN as the source puts it: “China and other major Asian markets”" in drug
    )


def test_a_role_with_territory_not_stated_covers_the_drugs_rows(site):
    programmes = site.tracker.programmes_of_company("bridgebio-pharma")
    assert {r.region for r in programmes["new-model-drug"]} == {"US"}
    lianbio = site.tracker.programmes_of_company("lianbio")
    assert "new-model-drug" not in lianbio  # its territory (CN) holds no row of the drug


def test_deal_territory_in_the_source_words_on_deals_company_and_timeline(site):
    words = "as the source puts it: “China and other major Asian markets”"
    assert words in _page(site, "deals.md")
    assert words in _page(site, "companies/lianbio.md")
    assert words in _page(site, "timeline.md")


def test_filing_stage_and_class_designation_on_the_timeline_and_drug_page(site):
    timeline = _page(site, "timeline.md")
    assert "Filing (accepted for review)" in timeline
    assert "Designation: breakthrough therapy (held by a class: CAR-T cell therapy)" in timeline
    drug = _page(site, "drugs/zevorcabtagene-autoleucel.md")
    assert "Filing (accepted for review)" in drug
    assert "Designation: breakthrough therapy (held by a class: CAR-T cell therapy)" in drug


# Exports ----------------------------------------------------------------------------------------


def _csv(site, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(open_data(site.static, f"data/{name}.gz"))))


def test_exports_carry_the_new_values(site):
    trials = {r["id"]: r for r in _csv(site, "trials.csv")}
    trial = trials["new-model-trial"]
    assert (trial["status"], trial["status_as_of"]) == ("ongoing", "2023-01-17")
    assert json.loads(trial["people"])[0]["name"] == "Sara Tolaney"
    results = json.loads(trial["results"])
    assert {r["endpoint"]: r.get("ci_high") for r in results}["upper bound not estimable"] == (
        "not estimable"
    )
    events = {r["id"]: r for r in _csv(site, "events.csv")}
    assert events["new-model-filing"]["filing_stage"] == "accepted for review"
    designation = events["new-model-class-designation"]
    assert (designation["designation_scope"], designation["designation_class"]) == (
        "class",
        "CAR-T cell therapy",
    )
    approval = events["new-model-approximate-approval"]
    assert approval["date_approximate"].startswith("approximately")
    assert approval["date_precision"] == "approximate"  # never read as the exact month
    assert events["new-model-filing"]["date_precision"] == "month"
    deals = [r for r in _csv(site, "deals.csv") if r["event"] == "new-model-deal"]
    assert deals[0]["territory_as_stated"] == "China and other major Asian markets"
    status = [
        r
        for r in _csv(site, "development-status.csv")
        if r["drug"] == "new-model-drug" and r["basis"] == "status"
    ]
    assert status[0]["date"] == "2021-06" and status[0]["date_approximate"].startswith(
        "approximately six months"
    )
    assert status[0]["date_precision"] == "approximate"
    from pipeline_tracker.site import urls

    shard = json.loads(open_data(site.static, urls.json_path("drugs", "new-model-drug")))
    drug = shard["records"]["new-model-drug"]
    assert drug["record"]["inferred"]["modality"].startswith("the source calls it")
    assert drug["development_status"][0]["date_approximate"].startswith("approximately")


def test_the_feed_says_approximate_and_filing_stage(site):
    feed = site.static["feed.xml"].decode("utf-8")
    assert "(date approximate: “approximately six months after" in feed
    assert "Filing (accepted for review): zevorcabtagene autoleucel" in feed


# Record text stays text ------------------------------------------------------------------------


def _hostile_records(words: str) -> dict[str, str]:
    """Records whose new free-text values (and the quotes holding them) are `words`."""
    # JSON's \uXXXX escapes are YAML's too: a control character or non-character in the words
    # reaches the reader as an escape (a raw one is refused before any check).
    said = json.dumps(words, ensure_ascii=True)
    person = f"""  - name: {said}
    degrees: {json.dumps(words[:100], ensure_ascii=True)}
    role: {said}
    affiliation: {said}
    sources:
      - unarchived-source
"""
    cited = f"""  - source: unarchived-source
    quote: {said}
"""
    return {
        "sources/unarchived-source.yaml": "id: unarchived-source\ntitle: A source with no copy\n"
        "kind: other\n",
        "events/hostile-deal.yaml": f"""id: hostile-deal
type: deal
summary: A deal.
date: "2020-08"
date_approximate: {said}
drugs:
  - bbp-398
parties:
  - company: lianbio
    role: licensee
territory_as_stated: {said}
people:
{person}sources:
{cited}""",
        "events/hostile-designation.yaml": f"""id: hostile-designation
type: designation
designation: other
designation_scope: class
designation_class: {json.dumps(words[:300], ensure_ascii=True)}
summary: A designation.
drugs:
  - bbp-398
sources:
  - unarchived-source
""",
        "trials/hostile-trial.yaml": f"""id: hostile-trial
title: A trial.
phase: phase 2
status: ongoing
status_sources:
{cited}drugs:
  - bbp-398
indications:
  - solid-tumors
people:
{person}endpoints:
  - name: response
    timeframe: {json.dumps(words[:300], ensure_ascii=True)}
    description: {said}
    sources:
{cited.replace("  - ", "      - ").replace("    quote", "        quote")}results:
  - endpoint: response
    value: 1
    unit: "%"
    ci_low: not estimable
    note: {said}
    sources:
      - unarchived-source
sources:
  - unarchived-source
""",
        "drugs/hostile-drug.yaml": f"""id: hostile-drug
name: hostile-drug
modality: other
inferred:
  modality: {said}
companies:
  - company: lianbio
    role: licensee
    territory_as_stated: {said}
    inferred:
      role: {said}
    sources:
{cited.replace("  - ", "      - ").replace("    quote", "        quote")}status:
  - indication: solid-tumors
    regions:
      - CN
    phase: phase 1
    date: "2020"
    date_approximate: {said}
    sources:
{cited.replace("  - ", "      - ").replace("    quote", "        quote")}""",
    }


def test_the_new_text_values_stay_text_on_every_page(tmp_path):
    import shutil

    from conftest import FIXTURES
    from test_security import PAYLOAD, Page

    built = {}
    for name, words in (("plain", "plain words"), ("hostile", PAYLOAD)):
        records = tmp_path / name / "records"
        shutil.copytree(FIXTURES, records)
        _write(records, _hostile_records(words))
        built[name] = build_outputs(records, ROOT).html_pages
    shown = 0
    for src, page in built["hostile"].items():
        hostile, plain = Page(page.html), Page(built["plain"][src].html)
        assert hostile.dangerous == [], src
        assert hostile.shape == plain.shape, src  # the words added no element or attribute
        shown += "<script>alert(1)</script>" in "".join(hostile.text)
    assert shown >= 6  # trial, drug, deals, timeline, company and source pages show it as text


# Scaffolds and the Data model page -------------------------------------------------------------


def test_scaffolds_offer_the_new_ways_to_say_it():
    from pipeline_tracker.tools.scaffold import scaffold

    drug = scaffold("drugs", "example")
    assert "not stated" in drug  # an allowed modality
    assert "inferred" in drug.splitlines()[4]  # listed among the optional fields
    assert "evidence:\n  # " in drug and '    - "TODO: citation"' in drug
    trial = scaffold("trials", "example")
    optional = trial.splitlines()[4]
    for field in ("status_as_of", "status_sources", "people", "endpoints"):
        assert field in optional


def test_data_model_page_documents_the_new_values():
    from pipeline_tracker.site.data_model_page import data_model_page

    page = html.unescape(data_model_page())
    rows = {
        line.split(" | ")[0].strip("| ").replace("\\_", "_"): line for line in page.splitlines()
    }
    assert "number or text" in rows["ci_low"] and "not estimable" in rows["ci_low"]
    assert "ongoing" in rows["status"] and "planned" in rows["status"]
    assert "accepted for review" in rows["filing_stage"]
    assert "class" in rows["designation_scope"]
    assert "not stated" in rows["territory"] and "WW" in rows["territory"]
    for field in ("status_as_of", "territory_as_stated", "date_approximate", "people", "note"):
        assert field in rows

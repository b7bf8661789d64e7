"""The phase ladder and the regions we name: shared vocabulary of the model and the pages."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline_tracker.records.schemas import vocabulary

# The ladder, lowest to highest, as common.schema.json defines it (the one place it is written).
LADDER = vocabulary("phase")
RANK = {phase: rank for rank, phase in enumerate(LADDER)}
# The columns of a pipeline chart; "phase unknown" shares the phase 1 column's left edge.
CHART_COLUMNS = ["preclinical", "phase 1", "phase 2", "phase 3", "filed", "approved"]
TRIAL_PHASE_TO_LADDER = {
    "phase 1": "phase 1",
    "phase 1/2": "phase 1/2",
    "phase 2": "phase 2",
    "phase 2/3": "phase 2/3",
    "phase 3": "phase 3",
    "phase unknown": "phase unknown",
    # phase 4 trials run after approval; they do not say where a drug was approved, so they add no row.
}
SPECIAL_ACCESS = "special access"
# What a drug with special access and no phase has instead of a phase, wherever a phase is shown.
SPECIAL_ACCESS_ONLY = "special access only"
# Event types that put a drug somewhere: special access is a route, not a rung of the ladder.
EVENT_TYPE_TO_LADDER = {"approval": "approved", "filing": "filed", "special access": SPECIAL_ACCESS}
INACTIVE = ("suspended", "discontinued", "withdrawn")


@dataclass(frozen=True)
class Crosswalk:
    """Where one of our rungs sits on other resources' scales, so exports join with theirs."""

    chembl_max_phase: float | None  # ChEMBL max_phase: 4, 3, 2, 1, 0.5, -1; None: NULL/no value
    opentargets_stage: str  # Open Targets' ClinicalStageCategory value; "" when none fits
    ctgov_phases: tuple[str, ...]  # ClinicalTrials.gov phase values; () when no trial phase fits
    note: str = ""


# ChEMBL max_phase, as ChEMBL documents it: FAQ "What is max phase?"
# (https://chembl.gitbook.io/chembl-interface-documentation/frequently-asked-questions/drug-and-compound-questions)
# and the schema documentation of molecule_dictionary.MAX_PHASE: 4 approved, 3, 2, 1, 0.5 early
# phase 1, -1 clinical phase unknown, NULL preclinical. A combined-phase trial counts as the LOWER
# phase: phase 1 "includes ... trials that are defined by ClinicalTrials.gov as 'Phase 1/Phase 2'",
# phase 2 includes "Phase 2/Phase 3". ChEMBL has no filing stage.
# Open Targets: the values of ClinicalStageCategory in opentargets/clinical_mining,
# src/clinical_mining/schemas.py (commit df8d136f14bc693a4b93b05259f6083e3190955c): WITHDRAWAL,
# APPROVAL, PHASE_4, PREAPPROVAL, PHASE_3, PHASE_2_3, PHASE_2, PHASE_1_2, PHASE_1, EARLY_PHASE_1,
# IND, PRECLINICAL, UNKNOWN. Its phase map (src/clinical_mining/dataset/clinical_report.py) puts
# "preclinical" at PRECLINICAL, a "clinical trial" without phase at UNKNOWN, "nda filed" and
# "application submitted" at PREAPPROVAL, "withdrawn from market" at WITHDRAWAL.
# ClinicalTrials.gov phases describe trials only, so filing, approval, special access and
# preclinical work have none (PHASE4 is post-marketing study, not approval).
# Special access is never approval on any scale: it gets no value anywhere.
OPENTARGETS_STAGES = (
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
)
CROSSWALK: dict[str, Crosswalk] = {
    "preclinical": Crosswalk(None, "PRECLINICAL", (), "ChEMBL: NULL (preclinical)"),
    "phase unknown": Crosswalk(-1, "UNKNOWN", (), "clinical, phase not given"),
    "phase 1": Crosswalk(1, "PHASE_1", ("PHASE1",)),
    "phase 1/2": Crosswalk(1, "PHASE_1_2", ("PHASE1", "PHASE2"), "ChEMBL: the lower phase"),
    "phase 2": Crosswalk(2, "PHASE_2", ("PHASE2",)),
    "phase 2/3": Crosswalk(2, "PHASE_2_3", ("PHASE2", "PHASE3"), "ChEMBL: the lower phase"),
    "phase 3": Crosswalk(3, "PHASE_3", ("PHASE3",)),
    "filed": Crosswalk(3, "PREAPPROVAL", (), "ChEMBL has no filing stage: its highest trial phase"),
    "approved": Crosswalk(4, "APPROVAL", ()),
    "special access": Crosswalk(None, "", (), "not an approval; no equivalent stage"),
}
WITHDRAWN = Crosswalk(4, "WITHDRAWAL", (), "ChEMBL keeps max_phase 4 and flags the withdrawal")


def crosswalk(phase: str, development_status: str = "active") -> Crosswalk:
    """The crosswalk entry for a row: an approval later withdrawn from the market maps to
    Open Targets' 'withdrawal'."""
    if phase == "approved" and development_status == "withdrawn":
        return WITHDRAWN
    return CROSSWALK[phase]


REGION_NAMES = {
    "WW": "Worldwide",
    "EU": "European Union",
    "XN": "North America",
    "XX": "region not named in the source",
    "CN": "China",
    "CN-HI": "China · Hainan",
    "HK": "Hong Kong",
    "MO": "Macau",
    "TW": "Taiwan",
    "US": "United States",
    "CA": "Canada",
    "MX": "Mexico",
    "BR": "Brazil",
    "AR": "Argentina",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "IT": "Italy",
    "ES": "Spain",
    "NL": "Netherlands",
    "BE": "Belgium",
    "CH": "Switzerland",
    "AT": "Austria",
    "SE": "Sweden",
    "DK": "Denmark",
    "NO": "Norway",
    "FI": "Finland",
    "PL": "Poland",
    "IE": "Ireland",
    "PT": "Portugal",
    "CZ": "Czechia",
    "HU": "Hungary",
    "GR": "Greece",
    "RU": "Russia",
    "TR": "Türkiye",
    "IL": "Israel",
    "IN": "India",
    "JP": "Japan",
    "KR": "South Korea",
    "SG": "Singapore",
    "TH": "Thailand",
    "MY": "Malaysia",
    "VN": "Viet Nam",
    "PH": "Philippines",
    "ID": "Indonesia",
    "AU": "Australia",
    "NZ": "New Zealand",
    "ZA": "South Africa",
    "EG": "Egypt",
    "SA": "Saudi Arabia",
    "AE": "United Arab Emirates",
}
UNSPECIFIED_REGION = "—"
# Named groups of countries, as sources name them, with the membership territory matching uses.
# WW has no list: it is everywhere, and within no narrower territory.
REGION_GROUPS: dict[str, frozenset[str]] = {
    # The European Union's 27 member states.
    "EU": frozenset(
        [
            "AT",
            "BE",
            "BG",
            "HR",
            "CY",
            "CZ",
            "DK",
            "EE",
            "FI",
            "FR",
            "DE",
            "GR",
            "HU",
            "IE",
            "IT",
            "LV",
            "LT",
            "LU",
            "MT",
            "NL",
            "PL",
            "PT",
            "RO",
            "SK",
            "SI",
            "ES",
            "SE",
        ]
    ),
    # North America as sources use it for trials and launches: the United States, Canada, Mexico.
    "XN": frozenset({"US", "CA", "MX"}),
}
WORLDWIDE = "WW"
NOT_NAMED = "XX"  # the source places the fact somewhere without naming where


def countries_of(region: str) -> frozenset[str] | None:
    """The countries a region code covers; None for worldwide or an unreported region."""
    if region in (WORLDWIDE, UNSPECIFIED_REGION, NOT_NAMED):
        return None
    if region in REGION_GROUPS:
        return REGION_GROUPS[region]
    return frozenset({region.split("-", 1)[0]})


def within(region: str, territory) -> bool:
    """Whether a region lies wholly inside a territory (a list of region codes): CN-HI is within
    CN; North America is within US+CA+MX; worldwide is within nothing narrower than WW."""
    territory = list(territory)
    if WORLDWIDE in territory:
        return True
    if region in territory:
        return True
    covered: set[str] = set()
    for code in territory:
        countries = countries_of(code)
        if countries is not None and "-" not in code:
            covered |= countries
    countries = countries_of(region)
    return countries is not None and countries <= covered


def region_name(code: str | None) -> str:
    if not code or code == UNSPECIFIED_REGION:
        return "region not reported"
    return REGION_NAMES.get(code, code)


_REGION_CODES = {name: code for code, name in REGION_NAMES.items()}


def region_code(name: str) -> str:
    """The code region_name names `name` by (a code it has no name for stands for itself)."""
    return _REGION_CODES.get(name, name)


def higher(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if RANK[a] >= RANK[b] else b

"""The phase ladder and the regions we name: shared vocabulary of the model and the pages."""

from __future__ import annotations

LADDER = [
    "preclinical",
    "phase unknown",
    "phase 1",
    "phase 1/2",
    "phase 2",
    "phase 2/3",
    "phase 3",
    "filed",
    "approved",
]
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
EVENT_TYPE_TO_LADDER = {"approval": "approved", "filing": "filed"}
INACTIVE = ("suspended", "discontinued", "withdrawn")

REGION_NAMES = {
    "WW": "Worldwide",
    "EU": "European Union",
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


def region_name(code: str | None) -> str:
    if not code or code == UNSPECIFIED_REGION:
        return "region not reported"
    return REGION_NAMES.get(code, code)


def higher(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if RANK[a] >= RANK[b] else b

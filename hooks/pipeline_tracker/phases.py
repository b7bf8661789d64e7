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
SPECIAL_ACCESS = "special access"
# Event types that put a drug somewhere: special access is a route, not a rung of the ladder.
EVENT_TYPE_TO_LADDER = {"approval": "approved", "filing": "filed", "special access": SPECIAL_ACCESS}
INACTIVE = ("suspended", "discontinued", "withdrawn")

REGION_NAMES = {
    "WW": "Worldwide",
    "EU": "European Union",
    "XN": "North America",
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


def countries_of(region: str) -> frozenset[str] | None:
    """The countries a region code covers; None for worldwide or an unreported region."""
    if region in (WORLDWIDE, UNSPECIFIED_REGION):
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


def higher(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if RANK[a] >= RANK[b] else b

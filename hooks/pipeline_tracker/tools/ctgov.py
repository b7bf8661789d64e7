"""`pipeline-tracker import ctgov`: a ClinicalTrials.gov API v2 study record into cited records.

The registry's JSON is archived as it came (records/archive/ctgov-<nct>.json) and becomes the local
copy of a source record (`ctgov-<nct>`); every imported fact cites it with a JSON pointer to the
value it rests on (and that value as the quote, where it is text), so `validate` checks each fact
against the archived record. Interventions, sponsors and conditions are linked to the drug, company
and indication records whose names match; the others become minimal records (name and the
registry's own aliases, `review: imported`) that the Data quality page lists.

Importing a trial that already exists updates only what the registry owns (REGISTRY_OWNED) and
keeps every curated field; `--check` says what an import would change, without writing.

Input is untrusted: it is size-bounded before it is parsed, strict JSON, and no path is taken from
it (record ids are slugs made here and checked); every value is checked by the schemas before
anything is written, and pages escape it like any record text.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline_tracker.records.evidence import ARCHIVE, citation_ids
from pipeline_tracker.records.load import load_records, records_dir
from pipeline_tracker.records.problems import visible
from pipeline_tracker.tools import importing
from pipeline_tracker.tools.importing import (
    MAX_BYTES,
    ImportRefused,
    RecordBuilder,
    canonical,
    check_schema,
    norm,
    parse,
    read_file,
    write_changed,
)
from pipeline_tracker.tools.importing import as_list as _list
from pipeline_tracker.tools.importing import get as _get
from pipeline_tracker.tools.importing import text as _text
from pipeline_tracker.tools.importing import unique as _unique

API = "https://clinicaltrials.gov/api/v2/studies/{}"
STUDY_URL = "https://clinicaltrials.gov/study/{}"
NCT = re.compile(r"NCT[0-9]{8}")
DATE = re.compile(r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?")

# Trial fields the registry owns: a re-import replaces them (list entries only where they cite the
# registry record); every other field is the curator's and is kept as it is.
REGISTRY_OWNED = (
    "status",
    "status_as_of",
    "status_sources",
    "countries",
    "removed_countries",
    "enrolment",
    "endpoints",
    "results",
    "start_date",
    "start_date_type",
    "primary_completion_date",
    "primary_completion_date_type",
    "completion_date",
    "completion_date_type",
)
STATUS = {
    "NOT_YET_RECRUITING": "not yet recruiting",
    "RECRUITING": "recruiting",
    "ENROLLING_BY_INVITATION": "enrolling by invitation",
    "ACTIVE_NOT_RECRUITING": "active, not recruiting",
    "COMPLETED": "completed",
    "TERMINATED": "terminated",
    "SUSPENDED": "suspended",
    "UNKNOWN": "unknown",
}
PHASES = {
    ("EARLY_PHASE1",): ("phase 1", "early phase 1"),
    ("PHASE1",): ("phase 1", None),
    ("PHASE1", "PHASE2"): ("phase 1/2", None),
    ("PHASE2",): ("phase 2", None),
    ("PHASE2", "PHASE3"): ("phase 2/3", None),
    ("PHASE3",): ("phase 3", None),
    ("PHASE4",): ("phase 4", None),
}
ALLOCATION = {"RANDOMIZED": "randomized", "NON_RANDOMIZED": "non-randomized"}
MASKING = {
    "NONE": "open-label",
    "SINGLE": "single-blind",
    "DOUBLE": "double-blind",
    "TRIPLE": "triple-blind",
    "QUADRUPLE": "quadruple-blind",
}
MODEL = {
    "SINGLE_GROUP": "single group",
    "PARALLEL": "parallel",
    "CROSSOVER": "crossover",
    "FACTORIAL": "factorial",
    "SEQUENTIAL": "sequential",
}
ARM_TYPE = {
    "EXPERIMENTAL": ("experimental", "investigational"),
    "ACTIVE_COMPARATOR": ("active comparator", "comparator"),
    "PLACEBO_COMPARATOR": ("placebo comparator", "comparator"),
    "SHAM_COMPARATOR": ("other", "comparator"),
}
DATE_TYPE = {"ACTUAL": "actual", "ESTIMATED": "anticipated"}
ENROLMENT_TYPE = {"ACTUAL": "actual", "ESTIMATED": "planned"}
NOT_DRUGS = {"PROCEDURE", "RADIATION", "BEHAVIORAL", "DEVICE", "DIAGNOSTIC_TEST", "OTHER"}
NOT_DRUGS |= {"DIETARY_SUPPLEMENT"}
UNITS = {
    "days": "days",
    "weeks": "weeks",
    "months": "months",
    "years": "years",
    "percentage of participants": "%",
    "percent of participants": "%",
    "percentage": "%",
    "participants": "patients",
}
# ClinicalTrials.gov country names that differ from CLDR's English names (babel, below).
COUNTRY_ALIASES = {
    "Hong Kong": "HK",
    "Macau": "MO",
    "Russian Federation": "RU",
    "Korea, Republic of": "KR",
    "Korea, Democratic People's Republic of": "KP",
    "Turkey": "TR",
    "Czech Republic": "CZ",
    "Iran, Islamic Republic of": "IR",
    "Moldova, Republic of": "MD",
    "Syrian Arab Republic": "SY",
    "Tanzania": "TZ",
    "Congo, The Democratic Republic of the": "CD",
    "Libyan Arab Jamahiriya": "LY",
    "North Macedonia": "MK",
    "Macedonia, The Former Yugoslav Republic of": "MK",
    "Côte D'Ivoire": "CI",
    "Viet Nam": "VN",
    "Palestinian Territory, occupied": "PS",
    "Lao People's Democratic Republic": "LA",
}


_COUNTRIES: dict[str, str] | None = None


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a registry country name, or None when not known here."""
    global _COUNTRIES
    if _COUNTRIES is None:
        from babel import Locale  # mkdocs-material's dependency; CLDR's English names

        _COUNTRIES = {
            norm(v): k
            for k, v in Locale("en").territories.items()
            if len(k) == 2 and k.isalpha() and k.isupper()
        }
        _COUNTRIES.update({norm(k): v for k, v in COUNTRY_ALIASES.items()})
    return _COUNTRIES.get(norm(name))


# -- reading ---------------------------------------------------------------------------------


def fetch(nct: str) -> bytes:
    """The study record from the registry's API, size-bounded; ImportRefused when it cannot."""
    return importing.fetch(
        API.format(nct), nct, "ClinicalTrials.gov", "ClinicalTrials.gov has no study with this id"
    )


def read_input(given: str) -> tuple[bytes, str]:
    """(bytes, name shown) of a file, or of an NCT id fetched from the registry."""
    path = Path(given)
    if NCT.fullmatch(given.upper()) and not path.exists():
        return fetch(given.upper()), given.upper()
    return read_file(given, "a saved study record or an NCT id")


def parse_study(data: bytes, shown: str) -> dict:
    """The study record, checked to be one complete API v2 interventional study we can import."""
    study = parse(data, shown, "ClinicalTrials.gov")
    if isinstance(study, dict) and isinstance(study.get("studies"), list):
        raise ImportRefused(f"{shown}: a list of search results, not one study record")
    protocol = study.get("protocolSection") if isinstance(study, dict) else None
    if not isinstance(protocol, dict):
        raise ImportRefused(
            f"{shown}: not a ClinicalTrials.gov API v2 study record (no protocolSection); "
            "save it from https://clinicaltrials.gov/api/v2/studies/<NCT id>"
        )
    nct = _get(study, "protocolSection", "identificationModule", "nctId")
    if not isinstance(nct, str) or not NCT.fullmatch(nct):
        raise ImportRefused(f"{shown}: the record has no NCT id (identificationModule.nctId)")
    study_type = _get(study, "protocolSection", "designModule", "studyType")
    if study_type != "INTERVENTIONAL":
        kind = str(study_type or "not stated").lower().replace("_", " ")
        raise ImportRefused(
            f"{nct}: study type {visible(kind)}; only interventional trials are imported"
        )
    if _get(study, "protocolSection", "statusModule", "overallStatus") == "WITHDRAWN":
        raise ImportRefused(
            f"{nct}: withdrawn before it enrolled anyone; there is no trial to import"
        )
    return study


# -- building --------------------------------------------------------------------------------


@dataclass
class Imported:
    nct: str
    trial_id: str
    trial: dict
    source: dict
    new_records: dict[tuple[str, str], dict]
    notes: list[str]
    raw: bytes


class Builder(RecordBuilder):
    def __init__(self, study: dict, raw: bytes, records, trial_id: str | None):
        self.nct: str = study["protocolSection"]["identificationModule"]["nctId"]
        super().__init__(study, f"ctgov-{self.nct.lower()}", records)
        self.study = study
        self.raw = raw
        self.trial_id = trial_id or self.nct.lower()

    # the parts of a trial record --------------------------------------------------------------

    def interventions(self) -> list[tuple[int, dict, str | None]]:
        """(index, intervention, drug id or None for a non-drug) in the registry's order."""
        found: list[tuple[int, dict, str | None]] = []
        items = self.at("/protocolSection/armsInterventionsModule/interventions")
        for i, item in enumerate(_list(items)):
            name = _text(item.get("name") if isinstance(item, dict) else None, 300)
            if name is None:
                continue
            kind = item.get("type")
            if str(kind) in NOT_DRUGS or norm(name).startswith(("placebo", "matchingplacebo")):
                found.append((i, item, None))
                continue
            found.append((i, item, self.drug(i, item, name)))
        return found

    def drug(self, i: int, item: dict, name: str) -> str | None:
        base = f"/protocolSection/armsInterventionsModule/interventions/{i}"
        head, inner = name, []
        match = re.fullmatch(r"\s*([^()]+?)\s*\(([^()]+)\)\s*", name)
        if match:  # "Sorafenib (Nexavar, BAY43-9006)": the name and the aliases it gives
            head, inner = match.group(1), [p.strip() for p in match.group(2).split(",")]
        others = [o for o in _list(item.get("otherNames")) if _text(o, 300)]
        aliases = [a for a in [*inner, *others] if a and norm(a) and norm(a) != norm(head)]
        aliases = list(dict.fromkeys(aliases))
        codes = [a for a in aliases if re.search(r"[0-9]", a) and " " not in a]
        synonyms = [a for a in aliases if a not in codes and len(a) <= 300]
        make: dict = {"name": head, "modality": "not stated"}
        evidence: dict = {}
        name_cite = self.cite(f"{base}/name")
        if codes:
            make["code_names"] = codes
            evidence["code_names"] = [name_cite] + self._alias_cites(base, item, codes)
        if synonyms:
            make["synonyms"] = synonyms
            evidence["synonyms"] = [name_cite] + self._alias_cites(base, item, synonyms)
        if evidence:
            make["evidence"] = {k: _unique(v) for k, v in evidence.items()}
        return self.link("drugs", [head, name, *aliases], make)

    def _alias_cites(self, base: str, item: dict, aliases: list[str]) -> list[dict]:
        others = _list(item.get("otherNames"))
        return [self.cite(f"{base}/otherNames/{others.index(a)}") for a in aliases if a in others]

    def arms(self, interventions) -> tuple[list[dict], list[str]]:
        """Arms with regimens, and the trial's drugs (those of experimental arms first)."""
        arms: list[dict] = []
        first: list[str] = []
        rest: list[str] = []
        groups = self.at("/protocolSection/armsInterventionsModule/armGroups") or []
        for group in groups if isinstance(groups, list) else []:
            label = _text(group.get("label") if isinstance(group, dict) else None, 300)
            kinds = ARM_TYPE.get(str(group.get("type"))) if isinstance(group, dict) else None
            if label is None or kinds is None:
                continue  # no-intervention and 'other' arms: no role the registry states
            regimen = []
            for _, item, drug in interventions:
                if label not in _list(item.get("armGroupLabels")):
                    continue
                if drug:
                    regimen.append({"drug": drug, "role": kinds[1]})
                    (first if kinds[1] == "investigational" else rest).append(drug)
                else:
                    regimen.append({"label": item["name"], "role": kinds[1]})
            if regimen:
                arms.append({"label": label, "type": kinds[0], "regimen": _unique(regimen)})
        drugs = [d for _, _, d in interventions if d]
        return arms, list(dict.fromkeys([*first, *rest, *drugs]))

    def dates(self, trial: dict, cites: list[dict]) -> None:
        status = "/protocolSection/statusModule"
        for key, struct in (
            ("start_date", "startDateStruct"),
            ("primary_completion_date", "primaryCompletionDateStruct"),
            ("completion_date", "completionDateStruct"),
        ):
            value = self.at(f"{status}/{struct}/date")
            if not (isinstance(value, str) and DATE.fullmatch(value)):
                continue
            trial[key] = value
            cites.append(self.cite(f"{status}/{struct}/date"))
            kind = DATE_TYPE.get(self.word(f"{status}/{struct}/type") or "")
            if kind:
                trial[f"{key}_type"] = kind
                cites.append(self.cite(f"{status}/{struct}/type"))

    def countries(self, trial: dict, cites: list[dict]) -> None:
        base = "/protocolSection/contactsLocationsModule/locations"
        locations = self.at(base)
        codes: dict[str, int] = {}
        for i, location in enumerate(locations if isinstance(locations, list) else []):
            name = location.get("country") if isinstance(location, dict) else None
            if isinstance(name, str) and name not in codes.values():
                code = country_code(name)
                if code is None:
                    self.notes.append(f"country '{visible(name)}' has no ISO code here; left out")
                elif code not in codes:
                    codes[code] = i
        if codes:
            trial["countries"] = sorted(codes)
            cites += [self.cite(f"{base}/{i}/country") for i in codes.values()]
        removed_base = "/derivedSection/miscInfoModule/removedCountries"
        removed = self.at(removed_base)
        out: dict[str, int] = {}
        for i, name in enumerate(removed if isinstance(removed, list) else []):
            code = country_code(name) if isinstance(name, str) else None
            if code:
                out.setdefault(code, i)
            else:
                self.notes.append(f"removed country '{visible(name)}' has no ISO code; left out")
        if out:
            trial["removed_countries"] = sorted(out)
            cites += [self.cite(f"{removed_base}/{i}") for i in out.values()]

    def endpoints(self) -> list[dict]:
        found = []
        for key, kind in (("primaryOutcomes", "primary"), ("secondaryOutcomes", "secondary")):
            base = f"/protocolSection/outcomesModule/{key}"
            items = self.at(base)
            for i, item in enumerate(items if isinstance(items, list) else []):
                name = _text(_get(item, "measure"), 300)
                if name is None:
                    self.notes.append(f"{kind} outcome {i + 1}: no measure of ≤300 characters")
                    continue
                endpoint: dict = {"name": name, "type": kind}
                sources = [self.cite(f"{base}/{i}/measure")]
                timeframe = _text(_get(item, "timeFrame"), 300)
                if timeframe:
                    endpoint["timeframe"] = timeframe
                    sources.append(self.cite(f"{base}/{i}/timeFrame"))
                description = _text(_get(item, "description"), 4000)
                if description:
                    endpoint["description"] = description
                    sources.append(self.cite(f"{base}/{i}/description"))
                endpoint["sources"] = _unique(sources)
                found.append(endpoint)
        return found

    def results(self) -> list[dict]:
        """Posted primary and secondary outcome values per arm, where their unit is one the
        schema has and they are a single number per group (no categories)."""
        found = []
        base = "/resultsSection/outcomeMeasuresModule/outcomeMeasures"
        measures = self.at(base)
        for i, measure in enumerate(measures if isinstance(measures, list) else []):
            if not isinstance(measure, dict) or measure.get("type") not in ("PRIMARY", "SECONDARY"):
                continue
            title = _text(measure.get("title"), 300)
            unit = UNITS.get(str(measure.get("unitOfMeasure", "")).strip().lower())
            classes = _list(measure.get("classes"))
            if not title or not unit or measure.get("reportingStatus") not in (None, "POSTED"):
                continue
            if len(classes) != 1 or len(_list(_get(classes, 0, "categories"))) != 1:
                continue
            groups = {
                g["id"]: g
                for g in _list(measure.get("groups"))
                if isinstance(g, dict) and isinstance(g.get("id"), str)
            }
            counts = {
                c["groupId"]: c.get("value")
                for c in _list(_get(measure, "denoms", 0, "counts"))
                if isinstance(c, dict) and isinstance(c.get("groupId"), str)
            }
            ci = measure.get("dispersionType") == "95% Confidence Interval"
            where = f"{base}/{i}/classes/0/categories/0/measurements"
            for j, value in enumerate(_list(_get(classes, 0, "categories", 0, "measurements"))):
                number = _number(_get(value, "value"))
                if number is None:
                    continue  # 'NA': not estimated; nothing to record as a value
                result: dict = {"endpoint": title, "value": number, "unit": unit}
                sources = [
                    self.cite(f"{base}/{i}/title"),
                    self.cite(f"{where}/{j}/value"),
                    self.cite(f"{base}/{i}/unitOfMeasure"),
                ]
                if ci:
                    sources.append(self.cite(f"{base}/{i}/dispersionType"))
                    for key, limit in (("ci_low", "lowerLimit"), ("ci_high", "upperLimit")):
                        bound = _get(value, limit)
                        if bound == "NA":
                            result[key] = "not estimable"
                        elif _number(bound) is not None:
                            result[key] = _number(bound)
                        else:
                            continue
                        sources.append(self.cite(f"{where}/{j}/{limit}"))
                group_id = _get(value, "groupId")
                group_id = group_id if isinstance(group_id, str) else None
                group = groups.get(group_id) or {} if group_id else {}
                arm = _text(group.get("title"), 200)
                if arm:
                    result["arm"] = arm
                population = _text(measure.get("populationDescription"), 300)
                if population:
                    result["population"] = population
                    sources.append(self.cite(f"{base}/{i}/populationDescription"))
                n = counts.get(group_id) if group_id else None
                if isinstance(n, str) and n.isdigit():
                    result["n"] = int(n)
                param = measure.get("paramType")
                if isinstance(param, str) and param.isupper():
                    result["note"] = (
                        f"As the registry posts it: {param.lower().replace('_', ' ')}"
                        + (", with its 95% confidence interval" if ci else "")
                        + "."
                    )
                    sources.append(self.cite(f"{base}/{i}/paramType"))
                result["sources"] = _unique(sources)
                found.append(result)
        return found

    def build(self) -> Imported:
        p = "/protocolSection"
        ident = f"{p}/identificationModule"
        title = _text(self.at(f"{ident}/briefTitle"), 4000) or _text(
            self.at(f"{ident}/officialTitle"), 4000
        )
        if title is None:
            raise ImportRefused(f"{self.nct}: the record has no title")
        cites: list[dict] = [self.cite(f"{ident}/nctId")]
        trial: dict = {"id": self.trial_id, "title": title}
        cites.append(
            self.cite(
                f"{ident}/briefTitle"
                if self.at(f"{ident}/briefTitle")
                else f"{ident}/officialTitle"
            )
        )
        official = _text(self.at(f"{ident}/officialTitle"), 4000)
        if official and official != title:
            trial["official_title"] = official
            cites.append(self.cite(f"{ident}/officialTitle"))
        registry_ids = [{"registry": "nct", "id": self.nct}]
        for i, item in enumerate(_list(self.at(f"{ident}/secondaryIdInfos"))):
            value, kind = _get(item, "id"), _get(item, "type")
            if kind == "EUDRACT_NUMBER" and re.fullmatch(r"[0-9]{4}-[0-9]{6}-[0-9]{2}", str(value)):
                registry_ids.append({"registry": "eudract", "id": value})
                cites.append(self.cite(f"{ident}/secondaryIdInfos/{i}/id"))
            elif kind == "CTIS" and re.fullmatch(
                r"[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}", str(value)
            ):
                registry_ids.append({"registry": "ctis", "id": value})
                cites.append(self.cite(f"{ident}/secondaryIdInfos/{i}/id"))
        trial["registry_ids"] = registry_ids
        design = f"{p}/designModule"
        phases = self.at(f"{design}/phases")
        key = (
            tuple(phases)
            if isinstance(phases, list) and all(isinstance(x, str) for x in phases)
            else ()
        )
        phase, detail = PHASES.get(key, ("phase unknown", None))
        trial["phase"] = phase
        if detail:
            trial["phase_detail"] = detail
        for i in range(len(key)):
            cites.append(self.cite(f"{design}/phases/{i}"))
        trial["study_type"] = "interventional"
        cites.append(self.cite(f"{design}/studyType"))
        info = f"{design}/designInfo"
        shape: dict = {}
        allocation = self.word(f"{info}/allocation")
        model = self.word(f"{info}/interventionModel")
        if allocation in ALLOCATION:
            shape["allocation"] = ALLOCATION[allocation]
            cites.append(self.cite(f"{info}/allocation"))
        elif allocation == "NA" and model == "SINGLE_GROUP":
            shape["allocation"] = "single-arm"
            cites += [self.cite(f"{info}/allocation"), self.cite(f"{info}/interventionModel")]
        masking = self.word(f"{info}/maskingInfo/masking")
        if masking in MASKING:
            shape["masking"] = MASKING[masking]
            cites.append(self.cite(f"{info}/maskingInfo/masking"))
        if model in MODEL:
            shape["model"] = MODEL[model]
            cites.append(self.cite(f"{info}/interventionModel"))
        if shape:
            trial["design"] = shape
        status = f"{p}/statusModule"
        overall = self.word(f"{status}/overallStatus")
        if overall in STATUS:
            trial["status"] = STATUS[overall]
            status_cites = [self.cite(f"{status}/overallStatus")]
            verified = self.at(f"{status}/statusVerifiedDate")
            if isinstance(verified, str) and DATE.fullmatch(verified):
                trial["status_as_of"] = verified
                status_cites.append(self.cite(f"{status}/statusVerifiedDate"))
            trial["status_sources"] = status_cites
        interventions = self.interventions()
        arms, drugs = self.arms(interventions)
        if not drugs:
            raise ImportRefused(
                f"{self.nct}: no drug or biological among its interventions; not imported"
            )
        trial["drugs"] = drugs
        cites += [
            self.cite(f"{p}/armsInterventionsModule/interventions/{i}/name")
            for i, _, d in interventions
            if d
        ]
        sponsors = f"{p}/sponsorCollaboratorsModule"
        lead = _text(self.at(f"{sponsors}/leadSponsor/name"), 300)
        if lead:
            company = self.link("companies", [lead], {"name": lead})
            if company:
                trial["sponsors"] = [company]
                cites.append(self.cite(f"{sponsors}/leadSponsor/name"))
        collaborators = []
        for i, item in enumerate(_list(self.at(f"{sponsors}/collaborators"))):
            name = _text(_get(item, "name"), 300)
            company = self.link("companies", [name], {"name": name}) if name else None
            if company and company not in trial.get("sponsors", []):
                collaborators.append(company)
                cites.append(self.cite(f"{sponsors}/collaborators/{i}/name"))
        if collaborators:
            trial["collaborators"] = list(dict.fromkeys(collaborators))
        indications = []
        for i, condition in enumerate(_list(self.at(f"{p}/conditionsModule/conditions"))):
            name = _text(condition, 300)
            found = self.link("indications", [name], {"name": name}) if name else None
            if found:
                indications.append(found)
                cites.append(self.cite(f"{p}/conditionsModule/conditions/{i}"))
        if not indications:
            raise ImportRefused(f"{self.nct}: the record names no condition; not imported")
        trial["indications"] = list(dict.fromkeys(indications))
        self.countries(trial, cites)
        count = self.at(f"{design}/enrollmentInfo/count")
        kind = ENROLMENT_TYPE.get(self.word(f"{design}/enrollmentInfo/type") or "")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0 and kind:
            trial["enrolment"] = [
                {
                    "count": count,
                    "type": kind,
                    "sources": [
                        self.cite(f"{design}/enrollmentInfo/count"),
                        self.cite(f"{design}/enrollmentInfo/type"),
                    ],
                }
            ]
        elif isinstance(count, int):
            self.notes.append("enrolment: the record does not say actual or anticipated; left out")
        if arms:
            trial["arms"] = arms
        endpoints = self.endpoints()
        if endpoints:
            trial["endpoints"] = endpoints
        results = self.results()
        if results:
            trial["results"] = results
        self.dates(trial, cites)
        trial["sources"] = _unique(cites)
        return Imported(
            self.nct, self.trial_id, trial, self.source(title), self.new, self.notes, self.raw
        )

    def source(self, title: str) -> dict:
        source: dict = {
            "id": self.sid,
            "title": title,
            "kind": "trial registry",
            "publisher": "ClinicalTrials.gov",
        }
        posted = self.at("/protocolSection/statusModule/lastUpdatePostDateStruct/date")
        if isinstance(posted, str) and DATE.fullmatch(posted):
            source["date"] = posted
        version = self.at("/derivedSection/miscInfoModule/versionHolder")
        if isinstance(version, str) and DATE.fullmatch(version):
            source["retrieved"] = version
        source["url"] = STUDY_URL.format(self.nct)
        source["language"] = "en"
        source["local_copy"] = f"{self.sid}.json"
        source["notes"] = (
            f"The ClinicalTrials.gov record of {self.nct}, imported with `pipeline-tracker import "
            "ctgov`. Its date is the record's last update posted; retrieved is the registry's data "
            "version of the archived copy."
        )
        return source


def _number(value) -> float | int | None:
    if not isinstance(value, str) or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value.strip()):
        return None
    number = float(value)
    return int(number) if number.is_integer() and "." not in value else number


# -- merging, checking, writing --------------------------------------------------------------


def _cites(entry, sid: str) -> bool:
    return isinstance(entry, dict) and sid in citation_ids(entry.get("sources"))


def merge(old: dict, new: dict, sid: str) -> dict:
    """The existing trial with the registry-owned fields from the import; curated fields kept.
    List entries (enrolment, endpoints, results) are replaced only where they cite the registry."""
    merged = dict(old)
    for key in REGISTRY_OWNED:
        if key in ("enrolment", "endpoints", "results"):
            kept = [e for e in old.get(key) or [] if not _cites(e, sid)]
            entries = kept + list(new.get(key) or [])
            if entries:
                merged[key] = entries
            else:
                merged.pop(key, None)
        elif key in new:
            merged[key] = new[key]
        elif key.endswith("_type") and key[: -len("_type")] in new:
            merged.pop(key, None)  # the registry gives the date without saying actual/anticipated
    if "status" in new and "status_as_of" not in new:
        merged.pop("status_as_of", None)
    kept = [c for c in old.get("sources") or [] if citation_ids([c]) != (sid,)]
    merged["sources"] = _unique(kept + new["sources"])
    return merged


def _summary(key: str, value) -> str:
    if value is None:
        return "not stated"
    if key == "enrolment":
        return "; ".join(f"{e['count']} {e['type']}" for e in value) or "not stated"
    if key in ("countries", "removed_countries"):
        return ", ".join(value)
    if key == "endpoints":
        return "; ".join(f"{e['name']} ({e.get('type', 'not stated')})" for e in value)
    if key == "results":
        return "; ".join(
            f"{r['endpoint']}{' · ' + r['arm'] if r.get('arm') else ''}: {r['value']} {r['unit']}"
            for r in value
        )
    if key == "status_sources":
        return ""
    return str(value)


def changes(old: dict, merged: dict) -> list[str]:
    """'field: old → new' for every registry-owned field the import changes."""
    lines = []
    for key in REGISTRY_OWNED:
        if key == "status_sources" or old.get(key) == merged.get(key):
            continue
        before, after = _summary(key, old.get(key)), _summary(key, merged.get(key))
        if key in ("endpoints", "results") and before != after:
            gone = [x for x in before.split("; ") if x and x not in after.split("; ")]
            added = [x for x in after.split("; ") if x and x not in before.split("; ")]
            words = [f"added {visible(x)!r}" for x in added] + [
                f"removed {visible(x)!r}" for x in gone
            ]
            lines.append(f"{key}: " + ("; ".join(words) or "details changed"))
        elif before != after:
            lines.append(f"{key} {visible(before)} → {visible(after)}")
        else:
            lines.append(f"{key}: citations changed")
    return lines


def find_trial(records, nct: str) -> str | None:
    for rid, record in sorted(records.get("trials", {}).items()):
        data = record.data if isinstance(record.data, dict) else {}
        for entry in data.get("registry_ids") or []:
            if isinstance(entry, dict) and str(entry.get("id", "")).upper() == nct:
                return rid
    return None


def plan(study: dict, raw: bytes, records) -> tuple[Imported, dict | None]:
    """The import, and the existing trial's data when the trial is already recorded."""
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    existing = find_trial(records, nct)
    if existing is None and nct.lower() in records.get("trials", {}):
        raise ImportRefused(
            f"{nct}: records/trials/{nct.lower()}.yaml exists but does not name {nct} "
            "under registry_ids; add it there or rename that record"
        )
    built = Builder(study, raw, records, existing).build()
    old = records["trials"][existing].data if existing else None
    if old is not None:
        built.trial = merge(old, built.trial, f"ctgov-{nct.lower()}")
        built.new_records = {}  # a re-import changes the trial's registry fields only
        old_source = records["sources"].get(f"ctgov-{nct.lower()}")
        if old_source is not None:
            built.source = {**old_source.data, **built.source}
    return built, old


def _check_schema(imported: Imported) -> None:
    docs = [("trials", imported.trial), ("sources", imported.source)]
    docs += [(kind, data) for (kind, _), data in imported.new_records.items()]
    check_schema(imported.nct, docs)


def write(imported: Imported, records_path: Path) -> list[str]:
    """Write the archive copy and every record that changes; the paths written."""
    files: list[tuple[Path, bytes]] = []
    sid = imported.source["id"]
    files.append((records_path / ARCHIVE / f"{sid}.json", imported.raw))
    files.append(
        (records_path / "sources" / f"{sid}.yaml", canonical("sources", imported.source).encode())
    )
    for (kind, rid), data in sorted(imported.new_records.items()):
        files.append((records_path / kind / f"{rid}.yaml", canonical(kind, data).encode()))
    trial = canonical("trials", imported.trial).encode()
    files.append((records_path / "trials" / f"{imported.trial_id}.yaml", trial))
    return write_changed(files, records_path)


def _say(text: str) -> None:
    print(text)


def import_one(given: str, records_path: Path, check: bool) -> int:
    raw, shown = read_input(given)
    study = parse_study(raw, shown)
    records, _problems = load_records(records_path)
    imported, old = plan(study, raw, records)
    _check_schema(imported)
    where = f"records/trials/{imported.trial_id}.yaml"
    if check:
        if old is None:
            _say(f"{imported.nct}: not in the records yet (import it without --check)")
            return 1
        found = changes(old, imported.trial)
        for line in found:
            _say(f"{where}: {line}")
        if not found:
            _say(f"{where}: in step with {imported.nct} as given")
        return 1 if found else 0
    written = write(imported, records_path)
    for note in imported.notes:
        _say(f"{imported.nct}: note: {note}")
    if not written:
        _say(f"{where}: no change ({imported.nct} as recorded)")
        return 0
    if old is not None:
        for line in changes(old, imported.trial):
            _say(f"{where}: {line}")
    for kind, rid in sorted(imported.new_records):
        _say(f"records/{kind}/{rid}.yaml: new, review: imported (check it against a source)")
    _say(
        f"{'updated' if old is not None else 'wrote'} {where} from {imported.nct} "
        f"({len(written)} file{'s' if len(written) != 1 else ''} written); "
        "run `pipeline-tracker validate`"
    )
    return 0


def check_all(records_path: Path, online: bool) -> int:
    """--check --all: every imported trial (one with an archived registry copy) against that copy
    (or, with online, the registry itself); trials never imported are named and skipped."""
    records, _problems = load_records(records_path)
    differ = 0
    checked = 0
    for rid, record in sorted(records.get("trials", {}).items()):
        data = record.data if isinstance(record.data, dict) else {}
        ncts = [
            str(e.get("id"))
            for e in data.get("registry_ids") or []
            if isinstance(e, dict) and e.get("registry") == "nct"
        ]
        for nct in ncts:
            if not NCT.fullmatch(nct):
                continue
            copy = records_path / ARCHIVE / f"ctgov-{nct.lower()}.json"
            if not copy.is_file() or copy.is_symlink():
                # A trial curated by hand, never imported: comparing it with the registry would
                # list every field the registry words differently, so it is named, not compared.
                _say(f"records/trials/{rid}.yaml: no registry copy of {nct} to compare (import it)")
                continue
            try:
                raw = fetch(nct) if online else copy.read_bytes()[: MAX_BYTES + 1]
                study = parse_study(raw, nct)
                imported, old = plan(study, raw, records)
            except ImportRefused as refused:
                _say(f"records/trials/{rid}.yaml: {refused}")
                differ += 1
                continue
            checked += 1
            found = changes(old or {}, imported.trial)
            for line in found:
                _say(f"records/trials/{rid}.yaml: {line}")
            differ += bool(found)
    print(
        f"{checked} trial{'s' if checked != 1 else ''} compared with "
        f"{'the registry' if online else 'their archived registry copies'}; "
        f"{differ} differ{'s' if differ == 1 else ''}.",
        file=sys.stderr,
    )
    return 1 if differ else 0


def run(
    inputs: list[str],
    check: bool = False,
    all_trials: bool = False,
    online: bool = False,
    root: Path | None = None,
) -> int:
    """The `import ctgov` command."""
    records_path = records_dir(root or Path.cwd())
    if all_trials:
        if not check or inputs:
            print("import ctgov: --all goes with --check and no inputs", file=sys.stderr)
            return 1
        return check_all(records_path, online)
    if not inputs:
        print("import ctgov: give a saved study record (JSON) or an NCT id", file=sys.stderr)
        return 1
    return importing.run_each(
        "import ctgov", inputs, lambda given: import_one(given, records_path, check)
    )

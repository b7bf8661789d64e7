"""Cross-record rules: what the JSON Schemas cannot say. One small named function per rule."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator, Sequence

from pipeline_tracker.records.dates import DATE_FORM, parse_date
from pipeline_tracker.records.evidence import (
    IDENTITY_FIELDS,
    citation_quotes,
    normalise,
    rule_described_facts_cited,
    rule_identity_facts_cited,
)
from pipeline_tracker.records.ids import reserved_id
from pipeline_tracker.records.load import SINGULAR, Record
from pipeline_tracker.records.normalise import name_key
from pipeline_tracker.records.phases import RANK
from pipeline_tracker.records.problems import Problem

Records = dict[str, dict[str, Record]]


def subjects(records: Records, kind: str | None = None) -> Iterator[Record]:
    """The records a rule checks: those that passed their schema. A rule never reads a value of
    the wrong type (`code_names: 5`, `drugs: [{a: 1}]`): the schema has already said what is wrong
    there. Records that failed it still exist, as targets of references."""
    for name in [kind] if kind else list(records):
        for record in records[name].values():
            if record.schema_ok:
                yield record


# Where each kind points at other records: (path pattern, kind pointed at). "*" is any list index.
REFERENCES: dict[str, list[tuple[str, str]]] = {
    "drugs": [
        ("targets/*/target", "targets"),
        ("targets/*/sources/*", "sources"),
        ("companies/*/company", "companies"),
        ("companies/*/sources/*", "sources"),
        ("status/*/indication", "indications"),
        ("status/*/sources/*", "sources"),
        *((f"evidence/{field}/*", "sources") for field in IDENTITY_FIELDS),
    ],
    "targets": [("sources/*", "sources")],
    "companies": [("parent", "companies"), ("sources/*", "sources")],
    "indications": [
        ("parent", "indications"),
        ("epidemiology/*/sources/*", "sources"),
        ("sources/*", "sources"),
    ],
    "trials": [
        ("drugs/*", "drugs"),
        ("sponsors/*", "companies"),
        ("indications/*", "indications"),
        ("arms/*/regimen/*/drug", "drugs"),
        ("arms/*/regimen/*/options/*", "drugs"),
        ("enrolment/*/sources/*", "sources"),
        ("endpoints/*/sources/*", "sources"),
        ("results/*/sources/*", "sources"),
        ("status_sources/*", "sources"),
        ("people/*/sources/*", "sources"),
        ("sources/*", "sources"),
    ],
    "events": [
        ("drugs/*", "drugs"),
        ("indications/*", "indications"),
        ("parties/*/company", "companies"),
        ("terms/*/sources/*", "sources"),
        ("trials/*", "trials"),
        ("companies/*", "companies"),
        ("people/*/sources/*", "sources"),
        ("sources/*", "sources"),
    ],
    "sources": [],
}
DATE_KEYS = {"date", "start_date", "status_as_of", "last_reviewed"}


def walk(data, pattern: str, pointer: str = "") -> Iterator[tuple[str, object]]:
    """(pointer, value) for every value in data at a path pattern such as 'status/*/sources/*'."""
    head, _, rest = pattern.partition("/")
    if head == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from _step(item, rest, f"{pointer}/{index}")
    elif isinstance(data, dict) and head in data:
        yield from _step(data[head], rest, f"{pointer}/{head}")


def _step(value, rest: str, pointer: str):
    if rest:
        yield from walk(value, rest, pointer)
    else:
        yield pointer, value


def references(record: Record) -> Iterator[tuple[str, str, str]]:
    """(pointer, kind, id) for every reference a record makes. A citation may be an id or
    {source: id, quote: ...}; the pointer then names its `source`."""
    if record.memo is None:
        return _references(record)
    found = record.memo.get(references)
    if found is None:
        found = record.memo[references] = tuple(_references(record))
    return iter(found)


def _references(record: Record) -> Iterator[tuple[str, str, str]]:
    for pattern, kind in REFERENCES[record.kind]:
        for pointer, value in walk(record.data, pattern):
            if isinstance(value, str):
                yield pointer, kind, value
            elif (
                kind == "sources"
                and isinstance(value, dict)
                and isinstance(value.get("source"), str)
            ):
                yield f"{pointer}/source", kind, value["source"]


def rule_id_matches_file_name(records: Records) -> Iterator[Problem]:
    """A record's id is its file name."""
    for record in subjects(records):
        value = record.data.get("id")
        if value != record.id:
            yield record.problem(
                "/id" if "id" in record.data else "",
                f"id {value!r} differs from the file name '{record.id}.yaml'",
                f"set id: {record.id}",
                "ids",
            )


HINT_BUDGET = 64  # "did you mean" searches per run: each compares one id with every id of a kind


def rule_ids_not_reserved(records: Records) -> Iterator[Problem]:
    """No record id is a name the site uses itself (ids.py): `index`, `references`, `ref-<n>`."""
    for by_id in records.values():
        for record in by_id.values():
            if reserved_id(record.id):
                yield record.problem(
                    "/id" if "id" in record.data else "",
                    f"'{record.id}' is a reserved name and cannot be a record id",
                    "the site uses it for its own pages or anchors; choose a more specific id",
                    "ids",
                )


def rule_references_resolve(records: Records) -> Iterator[Problem]:
    """Every id a record names exists as a record of the right kind."""
    hints: dict[tuple[str, str], str] = {}
    for record in subjects(records):
        for pointer, target_kind, target_id in references(record):
            if target_id in records[target_kind]:
                continue
            key = (target_kind, target_id)
            if key not in hints:
                # A "did you mean" search costs a pass over every id of the kind: a file naming
                # thousands of unknown ids gets it for the first few only.
                close = (
                    difflib.get_close_matches(target_id, list(records[target_kind]), 1, 0.6)
                    if len(hints) < HINT_BUDGET
                    else []
                )
                hints[key] = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else f"add records/{target_kind}/{target_id}.yaml"
                )
            yield record.problem(
                pointer,
                f"no {SINGULAR[target_kind]} record '{target_id}'",
                hints[key],
                "references",
            )


def _drug_names(record: Record) -> Sequence[tuple[str, str, str]]:
    """(pointer, name, name_key) of each of a drug's names, each key once, in field order; kept in
    the record's memo where it has one (records/cache.py)."""
    if record.memo is not None and _drug_names in record.memo:
        return record.memo[_drug_names]
    data = record.data
    names = [("/name", data.get("name")), ("/inn", data.get("inn"))]
    for field in ("code_names", "synonyms"):  # any data: this record may have failed its schema
        listed = data.get(field)
        names += (
            [(f"/{field}/{i}", n) for i, n in enumerate(listed)] if isinstance(listed, list) else []
        )
    found: list[tuple[str, str, str]] = []
    mine = set()
    for pointer, name in names:
        if not isinstance(name, str):
            continue
        key = name_key(name)
        if key in mine or not key:
            continue
        mine.add(key)
        found.append((pointer, name, key))
    if record.memo is not None:
        record.memo[_drug_names] = tuple(found)
    return found


def rule_drug_names_unique(records: Records) -> Iterator[Problem]:
    """No name, INN, code name or synonym belongs to two drugs: compared as the search compares
    them (normalise.name_key: case, width and the punctuation around words do not count). A drug
    that failed its schema still owns its well-typed names, so a clash with it is found now, not
    in a later round; problems are reported on schema-valid drugs only."""
    owner: dict[str, str] = {}
    for record in records["drugs"].values():
        for pointer, name, key in _drug_names(record):
            if key in owner and owner[key] != record.id and record.schema_ok:
                yield record.problem(
                    pointer,
                    f"'{name}' also names drug '{owner[key]}'",
                    "a code name or synonym may belong to one drug only",
                    "names",
                )
            owner.setdefault(key, record.id)


def rule_registry_ids_unique(records: Records) -> Iterator[Problem]:
    """A registry id (NCT…, CTR…) belongs to one trial only."""
    owner: dict[str, str] = {}
    for record in records["trials"].values():  # failed ones own their ids too (no later round)
        registry_ids = record.data.get("registry_ids")
        for index, entry in enumerate(registry_ids if isinstance(registry_ids, list) else []):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            key = entry["id"].upper()
            if key in owner and owner[key] != record.id and record.schema_ok:
                yield record.problem(
                    f"/registry_ids/{index}/id",
                    f"{entry['id']} is already the id of trial '{owner[key]}'",
                    "merge the two trial records",
                    "registry",
                )
            owner.setdefault(key, record.id)


def _date_values(data, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in DATE_KEYS and isinstance(value, str):
                if key == "start_date" and data.get("start_date_type") == "anticipated":
                    continue  # a registry's anticipated start may lie ahead
                yield f"{pointer}/{key}", value
            elif isinstance(value, (dict, list)):  # only containers hold more dates
                yield from _date_values(value, f"{pointer}/{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if isinstance(value, (dict, list)):
                yield from _date_values(value, f"{pointer}/{index}")


def rule_dates_real_and_past(records: Records, today: dt.date | None = None) -> Iterator[Problem]:
    """Every date exists on the calendar and is not in the future."""
    today = today or dt.date.today()
    for record in subjects(records):
        for pointer, value in _date_values(record.data):
            if not DATE_FORM.match(value):
                continue  # the schema reports the form
            parts = parse_date(value)
            if parts is None:
                yield record.problem(
                    pointer, f"'{value}' is not a real date", "check the month and day", "dates"
                )
                continue
            year, month, day = parts
            earliest = dt.date(year, month or 1, day or 1)
            if earliest > today:
                yield record.problem(
                    pointer,
                    f"'{value}' is in the future",
                    "record what has happened, dated when it happened",
                    "dates",
                )


def rule_parents_acyclic(records: Records) -> Iterator[Problem]:
    """Following parent links from an indication or a company never comes back to it (a record
    that is its own parent included)."""
    for kind, what in (("indications", "an indication"), ("companies", "a company")):
        by_id = records[kind]
        for record in subjects(records, kind):
            seen = {record.id}
            current = record.data.get("parent")
            while isinstance(current, str) and current in by_id:
                if current in seen:
                    yield record.problem(
                        "/parent",
                        f"parent chain loops back through '{current}'",
                        f"{what} cannot be its own parent or ancestor",
                        "references",
                    )
                    break
                seen.add(current)
                current = by_id[current].data.get("parent")


def rule_trial_lists_its_regimen_drugs(records: Records) -> Iterator[Problem]:
    """Investigational drugs in a trial's arms are listed in the trial's drugs."""
    for record in subjects(records, "trials"):
        listed = set(record.data.get("drugs") or [])
        for pointer, component in walk(record.data, "arms/*/regimen/*"):
            if isinstance(component, dict) and component.get("role") == "investigational":
                drug = component.get("drug")
                if isinstance(drug, str) and drug not in listed:
                    yield record.problem(
                        f"{pointer}/drug",
                        f"investigational drug '{drug}' is not in the trial's drugs",
                        f"add {drug} to drugs",
                        "references",
                    )


PLACEHOLDER = re.compile(r"^TODO\b")  # what `pipeline-tracker new` writes where a value must go


def placeholders(data, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(pointer, text) of every placeholder value still in a record's data."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from placeholders(
                value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            )
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from placeholders(value, f"{pointer}/{index}")
    elif isinstance(data, str) and PLACEHOLDER.match(data):
        yield pointer, data


def rule_placeholders_filled(records: Records) -> Iterator[Problem]:
    """No "TODO: …" placeholder from a scaffolded record is left unfilled. Every record, schema
    problems or not: a placeholder is text wherever it is, and the walk reads any data."""
    for by_id in records.values():
        for record in by_id.values():
            if record.text and "TODO" not in record.text and "\\" not in record.text:
                continue  # no placeholder can be in the data (no escapes could spell one either)
            for pointer, text in placeholders(record.data):
                yield record.problem(
                    pointer,
                    f"placeholder still unfilled: {text!r}",
                    "write the value your source gives, or delete an optional field",
                    "placeholder",
                )


def rule_approval_routes_fit_the_phase(records: Records) -> Iterator[Problem]:
    """A standard or conditional approval route belongs to a row at 'filed' or 'approved'."""
    for record in subjects(records, "drugs"):
        for index, row in enumerate(record.data.get("status") or []):
            if not isinstance(row, dict):
                continue
            route, phase = row.get("route"), row.get("phase")
            if (
                route in ("standard approval", "conditional approval")
                and phase in RANK  # a phase off the ladder is the schema's to report
                and phase not in ("filed", "approved")
            ):
                yield record.problem(
                    f"/status/{index}/route",
                    f"route '{route}' on a row at {phase!r}",
                    "an approval route goes with phase 'filed' or 'approved'; leave route out otherwise",
                    "status",
                )


# Fields that carry the source's own words for a value beside it: each must occur in a quote that
# the same entry cites (an event's, a status row's or a company role's `sources`).
WORDS_FIELDS = ("date_approximate", "territory_as_stated")
# Where such entries are: (kind, path pattern of the entry; "" is the record itself).
WORDS_ENTRIES = (
    ("drugs", "status/*"),
    ("drugs", "companies/*"),
    ("events", ""),
)


def _entries(data, pattern: str) -> Iterator[tuple[str, object]]:
    return iter([("", data)]) if not pattern else walk(data, pattern)


def rule_source_words_are_quoted(records: Records) -> Iterator[Problem]:
    """The source's words for an approximate date or a territory (date_approximate,
    territory_as_stated) occur in a quote the same entry cites: they are the source's, not ours."""
    for kind, pattern in WORDS_ENTRIES:
        for record in subjects(records, kind):
            for pointer, entry in _entries(record.data, pattern):
                if not isinstance(entry, dict):
                    continue
                quotes = [normalise(q).casefold() for _, q in citation_quotes(entry.get("sources"))]
                for field in WORDS_FIELDS:
                    words = entry.get(field)
                    if isinstance(words, str) and not any(
                        normalise(words).casefold() in q for q in quotes
                    ):
                        yield record.problem(
                            f"{pointer}/{field}",
                            f"{field} {words!r} is not in any quote this entry cites",
                            "copy the source's words from a quote under this entry's sources "
                            "(add the quote if it is missing)",
                            "quotes",
                        )


def rule_inferred_names_stated_fields(records: Records) -> Iterator[Problem]:
    """A drug's `inferred:` names identity facts the record states, and a target or company
    entry's `inferred:` names fields that entry states (a reason for a field that is not there, or
    for a modality 'not stated', explains nothing on the page)."""
    for record in subjects(records, "drugs"):
        for pattern in ("targets/*", "companies/*"):
            for pointer, entry in walk(record.data, pattern):
                if not isinstance(entry, dict):
                    continue
                for field in entry.get("inferred") or {}:
                    if field not in entry or field in ("inferred", "sources"):
                        yield record.problem(
                            f"{pointer}/inferred/{field}",
                            f"inferred names '{field}', which this entry does not state",
                            "inferred: lists fields of this entry whose value you inferred",
                            "evidence",
                        )
        for field in record.data.get("inferred") or {}:
            value = record.data.get(field)
            if field not in IDENTITY_FIELDS or value is None or value == "not stated":
                yield record.problem(
                    f"/inferred/{field}",
                    f"inferred names '{field}', which this drug does not state"
                    if field in IDENTITY_FIELDS
                    else f"inferred names '{field}', which is not an identity fact",
                    "inferred: lists identity facts the record states: "
                    + ", ".join(IDENTITY_FIELDS),
                    "evidence",
                )


def rule_ci_bounds_around_value(records: Records) -> Iterator[Problem]:
    """A result's reported confidence bounds lie on either side of its value (ci_low ≤ value ≤
    ci_high), where they are numbers; 'not estimable' bounds are not compared."""
    for record in subjects(records, "trials"):
        for pointer, result in walk(record.data, "results/*"):
            if not isinstance(result, dict):
                continue
            value = result.get("value")
            if not isinstance(value, (int, float)):
                continue
            for field, below in (("ci_low", True), ("ci_high", False)):
                bound = result.get(field)
                if not isinstance(bound, (int, float)) or (
                    bound <= value if below else bound >= value
                ):
                    continue
                yield record.problem(
                    f"{pointer}/{field}",
                    f"{field} {bound} is on the wrong side of the value {value}",
                    "check the bounds against the source (lower bound first)",
                    "results",
                )


def rule_special_access_is_no_approval(records: Records) -> Iterator[Problem]:
    """An approval or filing event never has route 'special access': special access is an event
    type of its own (its scheme in `pathway`) and never counts as an approval anywhere."""
    for record in subjects(records, "events"):
        kind = record.data.get("type")
        if record.data.get("route") == "special access" and kind in ("approval", "filing"):
            yield record.problem(
                "/route",
                f"route 'special access' on an event of type '{kind}': "
                "special access is never an approval",
                "write type: special access and name the scheme in pathway",
                "status",
            )


RULES = [
    rule_id_matches_file_name,
    rule_ids_not_reserved,
    rule_references_resolve,
    rule_drug_names_unique,
    rule_registry_ids_unique,
    rule_dates_real_and_past,
    rule_parents_acyclic,
    rule_trial_lists_its_regimen_drugs,
    rule_placeholders_filled,
    rule_identity_facts_cited,
    rule_described_facts_cited,
    rule_approval_routes_fit_the_phase,
    rule_source_words_are_quoted,
    rule_inferred_names_stated_fields,
    rule_ci_bounds_around_value,
    rule_special_access_is_no_approval,
]

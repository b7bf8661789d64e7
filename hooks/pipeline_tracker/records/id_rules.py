"""Rule: every external identifier matches its registry's pattern (the Bioregistry's, see
identifiers.py), so each one links to a page that exists. Kept apart from rules.py; validate.py
runs ID_RULES after RULES."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline_tracker.records import identifiers
from pipeline_tracker.records.load import Record
from pipeline_tracker.records.problems import Problem
from pipeline_tracker.records.rules import walk

Records = dict[str, dict[str, Record]]


def _ids(record: Record) -> Iterator[tuple[str, str, object]]:
    """(pointer of the id, scheme, id) for every external id in a record."""
    for pattern, scheme in identifiers.ID_FIELDS.get(record.kind, ()):
        for pointer, value in walk(record.data, pattern):
            if scheme == "registry":
                if isinstance(value, dict) and isinstance(value.get("registry"), str):
                    yield f"{pointer}/id", value["registry"], value.get("id")
            else:
                yield pointer, scheme, value


def rule_ids_match_their_registry(records: Records) -> Iterator[Problem]:
    """An HGNC, UniProt, NCBI Gene, MeSH, MONDO, ChEMBL, … or trial registry id is well formed."""
    for by_id in records.values():
        for record in by_id.values():
            if not record.schema_ok:
                continue  # rules read only schema-valid data (rules.subjects)
            for pointer, scheme, value in _ids(record):
                if not isinstance(value, (str, int)) or isinstance(value, bool):
                    continue  # the schema reports a wrong type
                why = identifiers.problem(scheme, value)
                if why:
                    yield record.problem(
                        pointer,
                        why,
                        "copy the id from the database's own page",
                        "identifier",
                    )


ID_RULES = [rule_ids_match_their_registry]


def drop_repeated(problems: list[Problem]) -> list[Problem]:
    """An id the schema already rejects (its own pattern) is reported once, by the schema."""
    other = {(p.path, p.pointer) for p in problems if p.rule != "identifier"}
    return [p for p in problems if p.rule != "identifier" or (p.path, p.pointer) not in other]

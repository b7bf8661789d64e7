"""Rule: every region code comes from one vocabulary: ISO 3166-1 alpha-2 countries and ISO 3166-2
subdivisions as the `pycountry` package ships them (a maintained copy of the ISO lists, offline),
plus the named groups of phases.py (WW, EU, XN, XX). The schema's pattern only says "two capitals,
maybe a suffix"; this says whether the code exists. Kept apart from rules.py; validate.py runs it.

Where regions are is read from schema/ (every field that refers to `$defs/region`), so a new
region field is checked without touching this file."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

from pipeline_tracker.records.load import Record
from pipeline_tracker.records.phases import NOT_NAMED, REGION_GROUPS, WORLDWIDE
from pipeline_tracker.records.problems import Problem
from pipeline_tracker.records.rules import subjects, walk
from pipeline_tracker.records.schemas import schema_set

Records = dict[str, dict[str, Record]]

GROUPS = frozenset({WORLDWIDE, NOT_NAMED, *REGION_GROUPS})
# Codes people write that ISO does not use, with the ISO code they mean. UK and EL are the
# European Union's own abbreviations for the United Kingdom and Greece.
ALIASES = {"UK": "GB", "EL": "GR"}


@functools.cache
def iso_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 and ISO 3166-2 code, read from pycountry's own tables (its JSON
    files, a few tens of milliseconds; building its objects for the 5,000 subdivisions takes
    ten times as long)."""
    import pycountry

    folder = Path(pycountry.DATABASE_DIR)
    countries = json.loads((folder / "iso3166-1.json").read_text(encoding="utf-8"))["3166-1"]
    subdivisions = json.loads((folder / "iso3166-2.json").read_text(encoding="utf-8"))["3166-2"]
    return frozenset([c["alpha_2"] for c in countries] + [s["code"] for s in subdivisions])


def known(code: str) -> bool:
    """Whether a region code is one of ours: a named group, an ISO country or subdivision."""
    return code in GROUPS or code in iso_codes()


def closest(code: str) -> str:
    """The valid code a curator most likely meant, or "" when there is no good guess."""
    if code in ALIASES:
        return ALIASES[code]
    if "-" in code:
        country, _, part = code.partition("-")
        if country in GROUPS and known(part):
            return part  # EU-DE: a group has no subdivisions; the country is DE
        country = ALIASES.get(country, country)
        if known(country) and country not in GROUPS:
            sub = f"{country}-{part}"
            return sub if known(sub) else country
    upper = code.upper()
    if upper != code and known(upper):
        return upper
    return ""


def _region_paths(node, doc: str, path: tuple, schemas: dict, depth: int = 0) -> Iterator[str]:
    if depth > 40 or not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref.endswith("/$defs/region"):
            yield "/".join(path)
            return
        target, _, fragment = ref.partition("#")
        doc = target[: -len(".schema.json")] if target else doc
        found = schemas.get(doc, {})
        for part in fragment.strip("/").split("/") if fragment.strip("/") else []:
            found = found.get(part, {}) if isinstance(found, dict) else {}
        yield from _region_paths(found, doc, path, schemas, depth + 1)
    for key, value in (node.get("properties") or {}).items():
        yield from _region_paths(value, doc, (*path, key), schemas, depth + 1)
    if isinstance(node.get("items"), dict):
        yield from _region_paths(node["items"], doc, (*path, "*"), schemas, depth + 1)
    for key in ("allOf", "anyOf", "oneOf"):
        for value in node.get(key) or ():
            yield from _region_paths(value, doc, path, schemas, depth + 1)
    for key in ("if", "then", "else"):
        yield from _region_paths(node.get(key), doc, path, schemas, depth + 1)


def region_paths() -> dict[str, list[str]]:
    """Per kind, the path patterns ('status/*/regions/*') of every region field in schema/."""
    schemas = schema_set().schemas
    return {
        kind: sorted(set(_region_paths(schema, kind, (), schemas)))
        for kind, schema in schemas.items()
        if kind != "common"
    }


def rule_regions_known(records: Records) -> Iterator[Problem]:
    """Every region code names a real country, subdivision or one of our named groups."""
    paths = region_paths()
    for record in subjects(records):
        for pattern in paths.get(record.kind, ()):
            for pointer, value in walk(record.data, pattern):
                if not isinstance(value, str) or known(value):
                    continue
                guess = closest(value)
                yield record.problem(
                    pointer,
                    f"'{value}' is not an ISO 3166 country or subdivision code or one of our groups",
                    (f"did you mean '{guess}'? " if guess else "")
                    + "use an ISO 3166-1 alpha-2 code (CN, US, GB), an ISO 3166-2 subdivision "
                    "(CN-HI), or a group: WW, EU, XN, XX",
                    "regions",
                )


REGION_RULES = [rule_regions_known]

"""A record `validate` accepts always builds (issue 16, issue 17).

Records are generated from schema/ by hypothesis-jsonschema, so a field or value added to a schema
is fuzzed here without a hand-written generator. Each example puts one generated record of some
kinds into a copy of the fixture records (replacing a fixture record or added beside them), runs
the checks `pipeline-tracker validate` runs, and when they pass, builds: every page rendered, every
export and feed made (site/build.py, the plain functions the MkDocs hook calls). An exception there
is a record the checks let through and the site cannot show: a curator would get a traceback.

The schema alone makes records that point nowhere, so before checking, a generated record is made
to fit the tree, the way a curator's record would:
* every id it names (found with the rules' own REFERENCES table) points at a record of the right
  kind: ids are drawn from the fixture ids, then mapped one-to-one onto ids of the kind wanted;
* dates are real, past dates at each precision (year, month, day);
* a quote citing a source with an archived copy is a quote the fixtures already take from that
  copy; an identity or described fact gets a citation; an investigational regimen drug is listed
  in the trial's drugs.
Whatever validate still refuses is skipped (hypothesis.assume): the property is about what it
accepts. Examples are derandomized and use no database, so every run tries the same records.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, Phase, assume, event, given, note, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import _canonicalise, _from_schema, from_schema
from jsonschema import Draft202012Validator
from pipeline_tracker.records import identifiers, regions
from pipeline_tracker.records.evidence import DESCRIBED_FACTS, IDENTITY_FIELDS
from pipeline_tracker.records.load import KINDS, load_records
from pipeline_tracker.records.rules import REFERENCES, WORDS_ENTRIES, WORDS_FIELDS, walk
from pipeline_tracker.records.schemas import ecma_pattern, load_schemas
from pipeline_tracker.records.validate import load_and_check
from pipeline_tracker.site.build import build_outputs

# Optional fields each record has at least, before some are left out again: hypothesis-jsonschema
# draws about five and favours names early in the alphabet, so trial `results` was never drawn.
# More makes the conditional schemas (drug status rows, events) much slower to draw from.
EXTRA_FIELDS = 4
MAX_ITEMS = 3  # longer lists cost generation and build time and reach no other code
# Keywords that say nothing about validity (they only slow hypothesis-jsonschema down), and the
# keywords whose value maps names to schemas (a property may be called "title").
ANNOTATIONS = {"$id", "$schema", "$comment", "title", "description", "examples", "default"}
NAME_MAPS = {"properties", "$defs", "patternProperties", "dependentSchemas"}


def _fixture_records():
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    return records


FIXTURE_RECORDS = _fixture_records()
NEW_ID = {kind: f"generated-{kind}" for kind in KINDS}  # an added record's id
ALL_IDS = sorted(
    {rid for by_id in FIXTURE_RECORDS.values() for rid in by_id} | set(NEW_ID.values())
)
LOCAL_COPY = {
    rid: record.data["local_copy"]
    for rid, record in FIXTURE_RECORDS["sources"].items()
    if "local_copy" in record.data
}
ARCHIVED = sorted((FIXTURES / "archive").iterdir())


def _fixture_quotes() -> dict[str, list[str]]:
    """Archived copy → the quotes the fixture records take from it (each occurs in it)."""
    quotes: dict[str, set[str]] = {}
    for kind, by_id in FIXTURE_RECORDS.items():
        for record in by_id.values():
            for _pointer, citation in _citations(record.data, kind):
                if isinstance(citation, dict) and "quote" in citation:
                    copy_name = LOCAL_COPY.get(citation["source"])
                    if copy_name:
                        quotes.setdefault(copy_name, set()).add(citation["quote"])
    return {name: sorted(found) for name, found in quotes.items()}


def _citations(data: dict, kind: str):
    """(pointer, value) of every citation in a record: a source id or {source, quote}."""
    for pattern, target in REFERENCES[kind]:
        if target == "sources":
            yield from walk(data, pattern)


QUOTES = _fixture_quotes()


# Generation schemas ----------------------------------------------------------------------------

# Dates the rules accept: real and past, at the three precisions the schema allows.
PAST_DATES = st.tuples(
    st.dates(dt.date(1, 1, 1), dt.date(2025, 12, 31)), st.sampled_from([10, 7, 4])
).map(lambda drawn: drawn[0].isoformat()[: drawn[1]])
# Region codes from the one vocabulary the rules accept (ISO 3166 and our named groups): a few
# of each kind, so drawing stays quick and subdivisions and groups come up.
REGION_CODES = sorted(
    {"CN", "CN-HI", "US", "GB", "DE", "JP", "HK", "MO", "TW"} | set(regions.GROUPS)
)
CUSTOM_FORMATS = {
    "x-record-id": st.sampled_from(ALL_IDS),  # re-pointed at the right kind after drawing
    "x-past-date": PAST_DATES,
    "x-region": st.sampled_from(REGION_CODES),
}


def _generation_schema(kind: str, schemas: dict[str, dict]) -> dict:
    """The kind's schema as hypothesis-jsonschema can draw from it quickly: common.schema.json's
    definitions copied in (it resolves local references only), ids and dates drawn by the custom
    strategies above (a regex strategy per id made generation ten times slower), ECMA `$` as `\\Z`,
    oneOf as anyOf (its alternatives never overlap here; validate checks the real schema) and
    lists of at most MAX_ITEMS."""

    def local(node, names: bool = False):
        """A schema node, or with `names` a map of name → schema (properties, $defs)."""
        if isinstance(node, list):
            return [local(item) for item in node]
        if not isinstance(node, dict):
            return node
        if names:
            return {name: local(value) for name, value in node.items()}
        out = {}
        for key, value in node.items():
            if key in ANNOTATIONS:
                continue
            if key == "$ref" and isinstance(value, str):
                out[key] = "#" + value.split("#", 1)[1]
            elif key == "pattern" and isinstance(value, str):
                out[key] = ecma_pattern(value).pattern
            elif key == "oneOf":
                out["anyOf"] = local(value)
            else:
                out[key] = local(value, key in NAME_MAPS)
        if out.get("type") == "array":
            most = min(out.get("maxItems", MAX_ITEMS), MAX_ITEMS)
            out["maxItems"] = max(out.get("minItems", 0), most)
        if out.get("type") in ("number", "integer"):  # the reader refuses |n| >= 10^15
            out.setdefault("maximum", 10**15 - 1)
            out.setdefault("minimum", -(10**15) + 1)
        return out

    schema = local(schemas[kind])
    optional = len(schema["properties"]) - len(schema.get("required", []))
    schema["minProperties"] = len(schema.get("required", [])) + min(EXTRA_FIELDS, optional)
    defs = local(schemas["common"]["$defs"])
    defs["slug"] = {"type": "string", "format": "x-record-id"}
    defs["date"] = {"type": "string", "format": "x-past-date"}
    defs["region"] = {"type": "string", "format": "x-region"}
    # Amounts the rules accept are whole cents: draw cents and scale them.
    defs["money"]["properties"]["amount"] = {"type": "integer", "minimum": 0, "maximum": 10**12}
    schema["$defs"] = {**defs, **schema.get("$defs", {})}
    return schema


def _speed_up_hypothesis_jsonschema() -> None:
    """Two shortcuts through hypothesis-jsonschema 0.23's private functions (each only if it is
    there; without them the test is correct, about three times slower): it checks every merged
    subschema against the 2020-12 metaschema (ours are checked once, in tests/test_schemas.py),
    and it canonicalises a property's schema again at every draw (cached here by its JSON)."""
    if hasattr(_canonicalise, "_get_validator_class"):
        _canonicalise._get_validator_class = lambda schema: Draft202012Validator
    original = getattr(_from_schema, "__from_schema", None)
    if original is None:
        return
    cache: dict[tuple, st.SearchStrategy] = {}

    def cached(schema, *, alphabet, custom_formats):
        key = (json.dumps(schema, sort_keys=True), id(alphabet), id(custom_formats))
        if key not in cache:
            cache[key] = original(schema, alphabet=alphabet, custom_formats=custom_formats)
        return cache[key]

    setattr(_from_schema, "__from_schema", cached)


_speed_up_hypothesis_jsonschema()
SCHEMAS = load_schemas()
GENERATION_SCHEMAS = {kind: _generation_schema(kind, SCHEMAS) for kind in KINDS}


@functools.cache
def record_strategy(kind: str) -> st.SearchStrategy:
    """Records of `kind` drawn from its generation schema. Made at the first draw, not when the
    module is imported: hypothesis-jsonschema takes about 5 s over our schemas, which every
    `make test` worker paid while collecting, before any test ran, and only one of them uses."""
    return from_schema(
        GENERATION_SCHEMAS[kind],
        custom_formats=CUSTOM_FORMATS,
        allow_x00=False,
        codec="utf-8",
    )


# Fitting a generated record into the tree ------------------------------------------------------


def _set(data, pointer: str, value) -> None:
    *parents, last = pointer.strip("/").split("/")
    for part in parents:
        data = data[int(part)] if isinstance(data, list) else data[part]
    if isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value


def _parent(data, pointer: str):
    for part in pointer.strip("/").split("/")[:-1]:
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


@st.composite
def generated_trees(draw) -> dict[str, tuple[str, dict]]:
    """kind → (id, data) of the records to write: each kind is left out, added as a new record or
    replaces a fixture record (shrinking leaves kinds out, then adds rather than replaces)."""
    chosen: dict[str, tuple[str, dict]] = {}
    for kind in KINDS:
        if draw(st.sampled_from([False, True, True, True, True]), label=f"include {kind}"):
            data = draw(record_strategy(kind), label=kind)
            rid = draw(st.sampled_from([NEW_ID[kind], *sorted(FIXTURE_RECORDS[kind])]))
            data = copy.deepcopy(data)
            _leave_out_some_optional_fields(draw, data, GENERATION_SCHEMAS[kind])
            chosen[kind] = (rid, data)
    ids = {
        kind: sorted(FIXTURE_RECORDS[kind])
        + [rid for rid, _ in [chosen.get(kind, ("", {}))] if rid == NEW_ID[kind]]
        for kind in KINDS
    }
    # One-to-one: distinct ids drawn stay distinct (lists of ids are uniqueItems).
    order = {kind: draw(st.permutations(ids[kind])) for kind in KINDS}
    for kind, (rid, data) in chosen.items():
        data["id"] = rid
        if data.get("parent") is not None:
            data["parent"] = draw(st.sampled_from(sorted(set(ids[kind]) - {rid})))
        mapping: dict[tuple[str, str], str] = {}
        for pattern, target in REFERENCES[kind]:
            for pointer, value in list(walk(data, pattern)):
                if isinstance(value, dict):
                    pointer, value = f"{pointer}/source", value.get("source")
                if not isinstance(value, str):
                    continue
                key = (target, value)
                if key not in mapping:
                    used = sum(1 for t, _ in mapping if t == target)
                    mapping[key] = order[target][used % len(order[target])]
                _set(data, pointer, mapping[key])
        _cite_what_the_rules_want_cited(kind, data, order["sources"][0])
    sources = {rid: data for kind, (rid, data) in chosen.items() if kind == "sources"}
    if sources:
        ((rid, data),) = sources.items()
        if "local_copy" in data:  # keep quotes of the fixtures citing it true
            data["local_copy"] = LOCAL_COPY.get(rid) or draw(st.sampled_from(ARCHIVED)).name
    copies = dict(LOCAL_COPY)
    for rid, data in sources.items():
        copies.pop(rid, None)
        if "local_copy" in data:
            copies[rid] = data["local_copy"]
    for kind, (_rid, data) in chosen.items():
        for _pointer, citation in list(_citations(data, kind)):
            if isinstance(citation, dict):
                citation.pop("pointer", None)  # a JSON pointer needs a JSON copy; none here
            if isinstance(citation, dict) and "quote" in citation:
                archived = copies.get(citation["source"])
                if archived in QUOTES:
                    citation["quote"] = draw(st.sampled_from(QUOTES[archived]))
                elif archived:
                    del citation["quote"]
        _dedupe_citations(kind, data)
        _drop_ids_no_registry_knows(kind, data)
        _say_only_what_the_sources_say(kind, data)
    return chosen


def _entries_with_words(kind: str, data: dict):
    """The entries that may carry the source's words (rules.WORDS_ENTRIES)."""
    for entry_kind, pattern in WORDS_ENTRIES:
        if entry_kind == kind:
            yield from (
                entry
                for _pointer, entry in (walk(data, pattern) if pattern else [("", data)])
                if isinstance(entry, dict)
            )


def _say_only_what_the_sources_say(kind: str, data: dict) -> None:
    """What the rules of issue 16 item 4 want: the source's words occur in a quote the entry
    cites (else they go), a value needs its partner (an approximate date its date, a status date
    its status), `inferred:` names fields that are there, CI bounds lie either side of the value,
    a drug's identity facts are cited unless inferred."""
    for entry in _entries_with_words(kind, data):
        quotes = [
            c["quote"] for c in entry.get("sources") or () if isinstance(c, dict) and "quote" in c
        ]
        for field in WORDS_FIELDS:
            if field in entry:
                if quotes:
                    entry[field] = quotes[0][:300].strip() or quotes[0][:300]
                else:
                    del entry[field]
        if "date_approximate" in entry and "date" not in entry:
            del entry["date_approximate"]
    if kind == "trials" and "status" not in data:
        data.pop("status_as_of", None)
        data.pop("status_sources", None)
    if kind == "events":
        if data.get("designation_scope") != "class" or data.get("type") != "designation":
            data.pop("designation_class", None)
        if data.get("type") != "designation":
            data.pop("designation_scope", None)
        if data.get("type") != "filing":
            data.pop("filing_stage", None)
    if kind == "trials":
        for result in data.get("results") or []:
            value = result.get("value")
            for field, below in (("ci_low", True), ("ci_high", False)):
                bound = result.get(field)
                numbers = isinstance(bound, (int, float)) and isinstance(value, (int, float))
                if numbers and ((bound > value) if below else (bound < value)):
                    del result[field]
    if kind == "drugs":
        for holder, allowed in [(data, set(IDENTITY_FIELDS))] + [
            (entry, None) for key in ("targets", "companies") for entry in data.get(key) or []
        ]:
            inferred = holder.get("inferred")
            if isinstance(inferred, dict):
                for field in list(inferred):
                    stated = field in holder and holder[field] != "not stated"
                    if (
                        not stated
                        or (allowed is not None and field not in allowed)
                        or field
                        in (
                            "inferred",
                            "sources",
                        )
                    ):
                        del inferred[field]
                if not inferred:
                    del holder["inferred"]


def _leave_out_some_optional_fields(draw, data, schema: dict, node: dict | None = None) -> None:
    """Leave out about one optional field in four, at every level. hypothesis-jsonschema draws
    field names from a sorted list, favouring its start: `ci_high` came with nearly every `ci_low`,
    and a result with the lower bound alone was never drawn."""
    node = schema if node is None else node
    while isinstance(node, dict) and "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    if not isinstance(node, dict):
        return
    if isinstance(data, list) and isinstance(node.get("items"), dict):
        for item in data:
            _leave_out_some_optional_fields(draw, item, schema, node["items"])
    properties = node.get("properties")
    if not isinstance(data, dict) or not isinstance(properties, dict):
        return
    for key in [k for k in data if k in properties]:
        _leave_out_some_optional_fields(draw, data[key], schema, properties[key])
        if key not in node.get("required", ()) and draw(st.sampled_from([False] * 3 + [True])):
            del data[key]


def _cite_what_the_rules_want_cited(kind: str, data: dict, source: str) -> None:
    if kind == "drugs" and any(f in data for f in IDENTITY_FIELDS):
        data.setdefault("evidence", {})
    if kind == "drugs" and isinstance(data.get("evidence"), dict):
        for field in IDENTITY_FIELDS:
            if field in data and not data["evidence"].get(field):
                data["evidence"][field] = [source]
        for target in data.get("targets") or []:
            if not target.get("sources"):
                target["sources"] = [source]
    described = any(f in data for f in DESCRIBED_FACTS.get(kind, ()))
    if described and not data.get("sources"):
        data["sources"] = [source]
    if kind == "trials":
        for _pointer, component in walk(data, "arms/*/regimen/*"):
            drug = component.get("drug")
            if component.get("role") == "investigational" and drug and drug not in data["drugs"]:
                data["drugs"].append(drug)


def _drop_ids_no_registry_knows(kind: str, data: dict) -> None:
    """An HGNC, ICD-10, … id the schema's pattern allows but its registry's does not: a curator
    writes only ids they are sure of, so leave it out (the fixtures hold well-formed ones)."""
    for pattern, scheme in identifiers.ID_FIELDS.get(kind, ()):
        if scheme == "registry":
            continue  # trial registry ids: the schema holds each registry's pattern
        for pointer, value in list(walk(data, pattern)):
            if identifiers.problem(scheme, value):
                parent = _parent(data, pointer)
                del parent[pointer.rsplit("/", 1)[1]]
                if not parent and pointer.count("/") > 1:  # external_ids: {} is no map of ids
                    del _parent(data, pointer.rsplit("/", 1)[0])[pointer.split("/")[1]]


def _dedupe_citations(kind: str, data: dict) -> None:
    """Two citations made equal by the fixes above (same source and quote) become one."""
    lists = {}
    for pointer, _value in list(_citations(data, kind)):
        parent = _parent(data, pointer)
        if isinstance(parent, list):
            lists[id(parent)] = parent
    for citations in lists.values():
        unique = {json.dumps(c, sort_keys=True): c for c in citations}
        citations[:] = list(unique.values())


# The property ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("generated") / "records"
    shutil.copytree(FIXTURES, target)
    return target


def _write(tree: Path, chosen: dict[str, tuple[str, dict]]) -> dict[Path, bytes | None]:
    """Write the records; returns what each file held before (None: it did not exist)."""
    before: dict[Path, bytes | None] = {}
    for kind, (rid, data) in chosen.items():
        file = tree / kind / f"{rid}.yaml"
        before[file] = file.read_bytes() if file.exists() else None
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return before


def _restore(before: dict[Path, bytes | None]) -> None:
    for file, content in before.items():
        if content is None:
            file.unlink()
        else:
            file.write_bytes(content)


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # No shrinking: on these trees it ran for the full five minutes Hypothesis allows. The
    # traceback names the template and field; the example shows every record written.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(chosen=generated_trees())
def test_every_record_validate_accepts_builds(tree, chosen):
    before = _write(tree, chosen)
    for file in before:
        note(f"{file.relative_to(tree.parent)}:\n{file.read_text(encoding='utf-8')}")
    try:
        _records, problems = load_and_check(tree, tree.parent)  # what `validate` runs
        for problem in problems:
            event(f"refused: {problem.rule}")
        assume(not problems)
        for kind in chosen:
            event(f"built with generated {kind}")
        build_outputs(tree, tree.parent)  # every page, export and feed: no exception
    finally:
        _restore(before)


# Regressions: records validate accepted and the build could not show -------------------------


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _page_text(build, src: str) -> str:
    from pipeline_tracker.site.escape import plain

    return " ".join(plain(build.html_pages[src].html).split())


@pytest.mark.parametrize(
    "bounds, shown",
    [
        ("    ci_low: 41.0\n    ci_high: 62.0\n", "(95% CI 41.0–62.0)"),
        ("    ci_low: 41.0\n", "(95% CI from 41.0; upper bound not reported)"),
        ("    ci_high: 62.0\n", "(95% CI up to 62.0; lower bound not reported)"),
        ("", "51.6%"),
    ],
    ids=["both", "low only", "high only", "neither"],
)
def test_a_result_with_either_confidence_bound_builds(records_copy, bounds, shown):
    """A result with `ci_low` and no `ci_high` passed validate, then the build stopped with a Jinja
    UndefinedError ('dict object' has no attribute 'ci_high') naming no file."""
    trial = records_copy / "trials/herizon-btc-01.yaml"
    _edit(trial, "    n: 62\n", "    n: 62\n" + bounds)
    assert load_and_check(records_copy, records_copy.parent)[1] == []
    build = build_outputs(records_copy, records_copy.parent)
    trial_page = _page_text(build, "trials/herizon-btc-01.md")
    drug_page = _page_text(build, "drugs/zanidatamab.md")  # the headline results table
    for text in (trial_page, drug_page):
        assert "51.6" in text and shown.replace("51.6%", "") in text
        if not bounds:
            assert "95% CI" not in text.split("51.6", 1)[1].split("mDoR", 1)[0]


def test_an_approval_event_with_special_access_route_is_refused(records_copy):
    """Special access is never an approval: an `approval` event with `route: special access` was
    accepted, then exported as approved (ChEMBL max phase 4, Open Targets approval) and titled
    "Approval" in the feed. Validate now refuses it, one line naming file, line and field."""
    from test_hostile import run_cli

    event_file = records_copy / "events/nmpa-approval-zanidatamab-btc-2025.yaml"
    _edit(event_file, "agency: NMPA\n", "agency: NMPA\nroute: special access\n")
    result = run_cli(["validate"], records_copy)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        (
            "records/events/nmpa-approval-zanidatamab-btc-2025.yaml:15:8: /route: route "
            "'special access' on an event of type 'approval': special access is never an approval "
            "(write type: special access and name the scheme in pathway)"
        )
    ]
    _edit(event_file, "route: special access\n", "route: conditional approval\n")
    assert load_and_check(records_copy, records_copy.parent)[1] == []  # approval routes still fit


def test_a_today_too_early_to_look_back_from_is_one_line(tmp_path, monkeypatch):
    """PIPELINE_TRACKER_TODAY=0001-01-01 is a date, but the checks look years back from it:
    `mkdocs build` ended in a traceback (ValueError: year -1 is out of range)."""
    from conftest import BIN, mkdocs_build

    monkeypatch.setenv("PIPELINE_TRACKER_TODAY", "0001-01-01")
    line = (
        "$PIPELINE_TRACKER_TODAY:1:1: '0001-01-01' is too early: the checks look back 2 years "
        "and 12 months from it (write the build's date as YYYY-MM-DD)"
    )
    built = mkdocs_build(tmp_path / "site", FIXTURES)
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert line in built.stderr.splitlines()
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(FIXTURES))
    rendered = subprocess.run(
        [str(BIN / "pipeline-tracker"), "render", "--out", str(tmp_path / "plain")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rendered.returncode == 1 and rendered.stderr.splitlines() == [line]


def test_a_deal_with_an_empty_territory_note_and_no_territory_builds(records_copy):
    """The schema allows `territory_note: ""`; with no `territory` the timeline then read
    `e.territory` and the build stopped with UndefinedError ('dict object' has no attribute
    'territory'). Found by the generated records above."""
    deal = records_copy / "events/carsgen-huadong-zevor-cel-2023.yaml"
    _edit(deal, "territory:\n  - CN\nterritory_as_stated: mainland China\n", 'territory_note: ""\n')
    assert load_and_check(records_copy, records_copy.parent)[1] == []
    build = build_outputs(records_copy, records_copy.parent)
    timeline = build.html_pages["timeline.md"].html
    entry = timeline.split("carsgen-huadong-zevor-cel-2023", 1)[1].split("</dl>", 1)[0]
    # A deal whose territory the source does not give says so (never an empty line, never
    # "worldwide"); an empty note adds nothing.
    assert re.search(
        r'<dt>Territory</dt>\s*<dd><span class="pt-muted">not stated</span></dd>', entry
    )
    # With a territory and an empty note, the territory is what the reader sees.
    _edit(deal, 'territory_note: ""\n', 'territory:\n  - CN\nterritory_note: ""\n')
    timeline = build_outputs(records_copy, records_copy.parent).html_pages["timeline.md"].html
    entry = timeline.split("carsgen-huadong-zevor-cel-2023", 1)[1].split("</dl>", 1)[0]
    assert re.search(r"<dt>Territory</dt>\s*<dd>China</dd>", entry)

"""The JSON Schemas themselves: valid 2020-12 schemas whose every property is documented."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from pipeline_tracker.records.load import KINDS
from pipeline_tracker.records.schemas import load_schemas, schema_dir


def test_every_kind_has_a_schema_file():
    names = {path.name for path in schema_dir().glob("*.schema.json")}
    assert {f"{kind}.schema.json" for kind in KINDS} <= names


@pytest.mark.parametrize("name", sorted(load_schemas()))
def test_schema_is_valid_against_the_2020_12_meta_schema(name):
    schema = load_schemas()[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def _properties(node, path=""):
    # Conditional subschemas (if/then) restate properties only to constrain them; they are not fields.
    if isinstance(node, dict):
        for key, sub in (node.get("properties") or {}).items():
            yield f"{path}/{key}", sub
        for key, value in node.items():
            if key in ("properties",):
                for pkey, sub in value.items():
                    yield from _properties(sub, f"{path}/{pkey}")
            elif isinstance(value, (dict, list)) and key not in (
                "examples",
                "default",
                "const",
                "enum",
                "if",
                "then",
                "else",
                "not",
            ):
                yield from _properties(value, path)
    elif isinstance(node, list):
        for item in node:
            yield from _properties(item, path)


@pytest.mark.parametrize("name", sorted(load_schemas()))
def test_every_property_has_title_description_and_examples(name):
    schema = load_schemas()[name]
    missing = []
    for path, prop in _properties(schema):
        if "$ref" in prop and len(prop) == 1:
            continue  # documented at the referenced definition
        for field in ("title", "description", "examples"):
            if field not in prop and not ("$ref" in prop and field in prop):
                missing.append(f"{path}: {field}")
    assert not missing, f"{name}: undocumented properties:\n" + "\n".join(sorted(set(missing)))


def test_schema_examples_are_valid_json():
    for path in schema_dir().glob("*.schema.json"):
        json.loads(path.read_text(encoding="utf-8"))


def _patterns(node, found):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.append((node["pattern"], (node.get("examples") or [None])[0]))
        for value in node.values():
            _patterns(value, found)
    elif isinstance(node, list):
        for value in node:
            _patterns(value, found)
    return found


def test_no_schema_pattern_accepts_a_trailing_newline_in_either_validator():
    """ECMA-262 `$` is the end of the text; Python's also matches before a final newline. Both
    validators (jsonschema-rs, the gate; python-jsonschema, the messages) must refuse 'x\\n'."""
    import jsonschema_rs
    from pipeline_tracker.records.schemas import MessageValidator

    checked = 0
    for name, schema in load_schemas().items():
        for pattern, example in _patterns(schema, []):
            if not isinstance(example, str):
                continue
            sub = {"type": "string", "pattern": pattern}
            assert jsonschema_rs.Draft202012Validator(sub).is_valid(example), (name, pattern)
            assert MessageValidator(sub).is_valid(example), (name, pattern)
            assert not jsonschema_rs.Draft202012Validator(sub).is_valid(example + "\n")
            assert not MessageValidator(sub).is_valid(example + "\n"), (name, pattern)
            checked += 1
    assert checked >= 10


def test_a_schema_edit_takes_effect_without_a_restart(tmp_path):
    """`mkdocs serve` runs in one process: schemas are re-read when a file changes."""
    import os
    import shutil

    from pipeline_tracker.records.schemas import schema_set

    folder = tmp_path / "schema"
    shutil.copytree(schema_dir(), folder)
    before = schema_set(folder)
    assert "maxLength" not in before.schemas["targets"]["properties"]["id"]
    drugs = folder / "targets.schema.json"
    schema = json.loads(drugs.read_text(encoding="utf-8"))
    schema["properties"]["id"]["maxLength"] = 3
    drugs.write_text(json.dumps(schema), encoding="utf-8")
    stat = drugs.stat()
    os.utime(drugs, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    after = schema_set(folder)
    assert after.schemas["targets"]["properties"]["id"]["maxLength"] == 3
    assert not after.gates["targets"].is_valid({"id": "long-id"})

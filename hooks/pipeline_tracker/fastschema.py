"""A fast yes/no schema check (fastjsonschema) in front of jsonschema, which still writes messages.

jsonschema walks a record in about 80 µs; the compiled check takes a few. Records that pass the
compiled check have no schema problems; any record it rejects (or cannot check) goes to jsonschema,
which finds every problem and its message exactly as before. So the fast path may only be
*stricter* than jsonschema, never laxer: a schema using a keyword outside DRAFT7_KEYWORDS is not
compiled at all, and formats and defaults are switched off (jsonschema asserts no format and fills
no default).

fastjsonschema speaks draft-07, so each schema is rewritten first: every `$ref` (into its own
`$defs` or common.schema.json's) is replaced by the schema it names, and where a `$ref` has
sibling keywords (ignored by draft-07, applied by 2020-12) both go under `allOf`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import fastjsonschema

# Keywords whose meaning is the same in draft-07 and 2020-12 (and annotations, which do nothing).
DRAFT7_KEYWORDS = frozenset(
    [
        "$schema",
        "$id",
        "$ref",
        "$defs",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "type",
        "enum",
        "const",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "items",
        "additionalItems",
        "maxItems",
        "minItems",
        "uniqueItems",
        "contains",
        "maxProperties",
        "minProperties",
        "required",
        "properties",
        "patternProperties",
        "additionalProperties",
        "dependencies",
        "propertyNames",
        "if",
        "then",
        "else",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "format",
    ]
)
# Keys whose value is a map of names to schemas, or a list of schemas (not keywords themselves).
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependencies")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "items")
_SCHEMA_VALUES = (
    "not",
    "if",
    "then",
    "else",
    "contains",
    "additionalItems",
    "additionalProperties",
    "propertyNames",
)
_ANNOTATIONS = frozenset(("title", "description", "examples", "$comment", "default", "deprecated"))


class _Unsupported(Exception):
    """The schema uses something this rewrite does not translate; use jsonschema alone."""


def _rewrite(node, file: str, schemas: dict[str, dict], seen: tuple = ()):
    """A self-contained draft-07 copy of one 2020-12 (sub)schema from `file`: every `$ref` is
    replaced by what it points at (a `$ref` call in fastjsonschema's code formats a name string
    on every call, which costs more than the check itself)."""
    if isinstance(node, list):
        return [_rewrite(item, file, schemas, seen) for item in node]
    if not isinstance(node, dict):
        return node
    unknown = set(node) - DRAFT7_KEYWORDS
    if unknown:
        raise _Unsupported(min(unknown))
    out: dict = {}
    for key, value in node.items():
        if key in ("$schema", "$id", "$defs", "$ref", "format") or key in _ANNOTATIONS:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _rewrite(sub, file, schemas, seen) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS or key in _SCHEMA_VALUES:
            out[key] = _rewrite(value, file, schemas, seen)
        elif key == "const" and isinstance(value, str):
            out["enum"] = [value]  # the same test; fastjsonschema's terse mode cannot compile const
        else:
            out[key] = value
    if "$ref" not in node:
        return out
    target_file, _, fragment = node["$ref"].partition("#")
    target_file = target_file or file
    if (
        not fragment.startswith("/$defs/")
        or fragment.count("/") != 2
        or (target_file, fragment) in seen
    ):
        raise _Unsupported(node["$ref"])
    source = schemas.get(target_file.replace(".schema.json", ""), {})
    name = fragment[len("/$defs/") :]
    if name not in source.get("$defs", {}):
        raise _Unsupported(node["$ref"])
    target = _rewrite(source["$defs"][name], target_file, schemas, (*seen, (target_file, fragment)))
    return {"allOf": [target, out]} if out else target


def draft7(schemas: dict[str, dict], kind: str) -> dict:
    """The schema of one kind as a self-contained draft-07 schema."""
    main = _rewrite(schemas[kind], f"{kind}.schema.json", schemas)
    main["$schema"] = "http://json-schema.org/draft-07/schema#"
    return main


@functools.lru_cache(maxsize=4)
def fast_validators(folder: Path) -> dict[str, Callable | None]:
    """Kind → compiled yes/no check, or None where the schema cannot be compiled faithfully."""
    from pipeline_tracker.schemas import load_schemas  # schemas.py imports this module

    schemas = load_schemas(folder)
    compiled: dict[str, Callable | None] = {}
    for kind in schemas:
        if kind == "common":
            continue
        try:
            compiled[kind] = fastjsonschema.compile(
                draft7(schemas, kind),
                use_default=False,
                use_formats=False,
                detailed_exceptions=False,
            )  # messages come from jsonschema
        except (_Unsupported, fastjsonschema.JsonSchemaDefinitionException):
            compiled[kind] = None
    return compiled


def passes(kind: str, data, folder: Path) -> bool:
    """True when the record certainly has no schema problem; False means 'ask jsonschema'."""
    check = fast_validators(folder).get(kind)
    if check is None:
        return False
    try:
        check(data)
    except Exception:  # noqa: BLE001 - any doubt goes to jsonschema, which reports properly
        return False
    return True

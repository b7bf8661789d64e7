r"""The JSON Schemas in schema/: loading them and turning schema errors into curator messages.

Two validators, one verdict:

* jsonschema-rs (`jsonschema_rs`, Rust, 2020-12 natively) is the fast yes/no gate: a record it
  accepts has no schema problem, and costs a few microseconds.
* python-jsonschema writes the messages, for the records the gate rejects: its errors carry the
  schema path, value and keyword that `describe` turns into a curator's sentence.

Both must agree. JSON Schema patterns are ECMA-262 regular expressions, where `$` is the end of
the text; in Python `$` also matches before a final newline, so `id: "evil\n"` would pass
`^[a-z0-9-]+$`. jsonschema-rs follows ECMA; for python-jsonschema the `pattern` keyword is
replaced by one that compiles each pattern with every unescaped `$` (outside a character class)
written as `\Z`. tests/test_schemas.py checks that both reject a trailing newline for every
pattern in schema/.

Schemas are cached by file name, modification time and size, so under `mkdocs serve` an edit to a
schema takes effect on the next rebuild.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema import validators as _jsonschema_validators
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from pipeline_tracker.records.load import Record
from pipeline_tracker.records.problems import Problem, pointer_token


def schema_dir() -> Path:
    """The repository's schema/ when running from a checkout (editable install, hook beside the
    package), else the copy a built wheel carries as pipeline_tracker/schema/ (see setup.py)."""
    package = Path(__file__).resolve().parents[1]  # pipeline_tracker/ (this file is in records/)
    checkout = package.parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "schema").is_dir():
        return checkout / "schema"
    return package / "schema"


SCHEMA_DIR = schema_dir()


# ECMA-262 character class escapes, which differ from Python's: ECMA `\s` is WhiteSpace and
# LineTerminator (so U+FEFF is a space, U+0085 and U+001C-U+001F are not), `\d` and `\w` are
# ASCII only (Python's `\d` matches any Unicode digit).
_ECMA_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ECMA_CLASSES = {"s": _ECMA_SPACE, "d": "0-9", "w": "A-Za-z0-9_"}


@functools.lru_cache(maxsize=256)
def ecma_pattern(pattern: str) -> re.Pattern:
    r"""A JSON Schema (ECMA-262) pattern as a Python regex: an unescaped `$` outside a character
    class is the end of the text (`\Z`), never "before a final newline"; `\s`, `\d`, `\w` and
    their negations match what they match in ECMA-262 (see _ECMA_CLASSES)."""
    out, index, in_class = [], 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escape = pattern[index + 1 : index + 2]
            # A negated class inside a class ([^\S]) is no member list: it keeps Python's
            # meaning, and should the validators then disagree, the gate's message is shown.
            if escape.lower() in _ECMA_CLASSES and not (in_class and escape.isupper()):
                members = _ECMA_CLASSES[escape.lower()]
                out.append(members if in_class else f"[{'^' if escape.isupper() else ''}{members}]")
                index += 2
                continue
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
        index += 1
    return re.compile("".join(out))


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _canonical(value):
    """A hashable form in which two JSON values are equal exactly when JSON Schema calls them
    equal: 1 and 1.0 are, 1 and true are not; key order does not count."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        return ("number", int(value) if float(value).is_integer() else value)
    if isinstance(value, list):
        return ("array", tuple(_canonical(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((key, _canonical(item)) for key, item in value.items()))
    return ("other", repr(value))


def _unique_items(validator, unique, instance, schema):
    """uniqueItems in one pass (python-jsonschema compares every pair: 4,000 citations took 23 s)."""
    if not unique or not validator.is_type(instance, "array"):
        return
    seen = set()
    for item in instance:
        key = _canonical(item)
        if key in seen:
            yield ValidationError("has non-unique elements")
            return
        seen.add(key)


# Draft 2020-12 with the `pattern` keyword applied the ECMA way and a linear `uniqueItems`.
MessageValidator = _jsonschema_validators.extend(
    Draft202012Validator, {"pattern": _pattern, "uniqueItems": _unique_items}
)


def _signature(folder: Path) -> tuple:
    """What the cache is keyed on: each schema file's name, modification time and size."""
    files = []
    for path in sorted(folder.glob("*.schema.json")):
        stat = path.stat()
        files.append((path.name, stat.st_mtime_ns, stat.st_size))
    return (str(folder), tuple(files))


@dataclass(frozen=True)
class SchemaSet:
    """The schemas of one folder as they are on disk now, with both validators of each kind."""

    schemas: dict[str, dict]
    gates: dict  # kind → jsonschema_rs validator (yes/no)
    messages: dict  # kind → MessageValidator (messages)

    def errors(self, kind: str, data) -> list[tuple[str, str, str]]:
        """(pointer, message, hint) for each way `data` breaks the schema of `kind`. The fast
        gate decides; the message validator only runs on what the gate refuses."""
        gate = self.gates.get(kind)
        try:
            if gate is not None and gate.is_valid(data):
                return []
        except UnicodeEncodeError:
            # A lone surrogate the Rust gate cannot encode (YAML files cannot hold one; data
            # built in code, as the fuzz tests do, can): the message validator alone decides.
            gate = None
        found = [describe(error) for error in self.messages[kind].iter_errors(data)]
        if not found and gate is not None:
            # The gate's verdict never goes without a message: should the two validators ever
            # disagree on a keyword, the gate's own errors are the message.
            found = [(_pointer(e.instance_path), e.message, "") for e in gate.iter_errors(data)]
        return found

    def problems(self, record: Record) -> list[Problem]:
        return [
            record.problem(pointer, message, hint, "schema")
            for pointer, message, hint in self.errors(record.kind, record.data)
        ]


@functools.lru_cache(maxsize=4)
def _schema_set(signature: tuple) -> SchemaSet:
    folder = Path(signature[0])
    schemas = {
        name[: -len(".schema.json")]: json.loads((folder / name).read_text(encoding="utf-8"))
        for name, _mtime, _size in signature[1]
    }
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    rs_registry = jsonschema_rs.Registry([(s["$id"], s) for s in schemas.values()])
    kinds = [kind for kind in schemas if kind != "common"]
    return SchemaSet(
        schemas,
        {
            kind: jsonschema_rs.Draft202012Validator(schemas[kind], registry=rs_registry)
            for kind in kinds
        },
        {kind: MessageValidator(schemas[kind], registry=registry) for kind in kinds},
    )


def schema_set(folder: Path = SCHEMA_DIR) -> SchemaSet:
    """The schemas of `folder`, read again whenever a file in it changed."""
    return _schema_set(_signature(folder))


def resolve(node: dict, doc: str, schemas: dict[str, dict]) -> tuple[dict, str]:
    """Follow $ref (into common.schema.json or the same file); sibling keywords override."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        target, _, fragment = node["$ref"].partition("#")
        if target:
            doc = target[: -len(".schema.json")]
        found = schemas[doc]
        for part in fragment.strip("/").split("/") if fragment.strip("/") else []:
            found = found[part]
        node = {**found, **{k: v for k, v in node.items() if k != "$ref"}}
        seen += 1
    return node, doc


def vocabulary(name: str, folder: Path = SCHEMA_DIR) -> list:
    """The allowed values of a shared definition in common.schema.json (e.g. "phase"): the one
    place a vocabulary is written; code that needs it reads it here."""
    schemas = load_schemas(folder)
    if "common" not in schemas:
        raise RuntimeError(f"no common.schema.json in {folder}: the package needs its schemas")
    node, _doc = resolve({"$ref": f"common.schema.json#/$defs/{name}"}, "common", schemas)
    return list(node["enum"])


def load_schemas(folder: Path = SCHEMA_DIR) -> dict[str, dict]:
    """Every schema file by its stem: 'drugs', 'common', …"""
    return schema_set(folder).schemas


def _pointer(path) -> str:
    return "".join("/" + pointer_token(part) for part in path)


def _leaf(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf/if-then failures, the most specific underlying error."""
    while error.context:
        # A branch written for another type of value (a slug where an object was given) has
        # nothing to tell: "should be text" for a citation whose quote is too short misleads.
        fitting = [
            e
            for e in error.context
            if not (e.validator == "type" and e.absolute_path == error.absolute_path)
        ]
        deeper = best_match(fitting or error.context)
        if deeper is None:
            break
        error = deeper
    return error


def _closest(value, allowed) -> str:
    names = [str(a) for a in allowed]
    match = difflib.get_close_matches(str(value), names, n=1, cutoff=0.5)
    return match[0] if match else ""


def describe(error: ValidationError) -> tuple[str, str, str]:
    """(pointer, message, hint) a curator understands, for one schema error."""
    error = _leaf(error)
    pointer = _pointer(error.absolute_path)
    value = error.instance
    if error.validator == "enum":
        allowed = error.validator_value
        closest = _closest(value, allowed)
        hint = (
            (f"did you mean '{closest}'? " if closest else "")
            + "allowed: "
            + ", ".join(map(str, allowed))
        )
        return pointer, f"{value!r} is not one of the allowed values", hint
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extras = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        if extras:
            extra = extras[0]
            closest = _closest(extra, allowed)
            hint = (
                f"did you mean '{closest}'?" if closest else "allowed fields: " + ", ".join(allowed)
            )
            return f"{pointer}/{extra}", f"unknown field '{extra}'", hint
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else error.message
        title = error.schema.get("properties", {}).get(name, {}).get("title", "")
        return pointer, f"missing required field '{name}'" + (f" ({title})" if title else ""), ""
    if error.validator == "dependentRequired":
        pair = re.findall(r"'([^']+)' is a dependency of '([^']+)'", error.message)
        if pair:
            needed, field = pair[0]
            return (
                f"{pointer}/{field}",
                f"{field} needs '{needed}'",
                f"add {needed}, or remove {field}",
            )
    spec = error.validator_value
    if error.validator == "not" and isinstance(spec, dict) and list(spec) == ["required"]:
        fields = spec["required"]
        if len(fields) == 1 and isinstance(value, dict) and fields[0] in value:
            return (
                f"{pointer}/{fields[0]}",
                f"'{fields[0]}' does not belong here",
                "the Data model page says which fields go together",
            )
    if error.validator == "pattern":
        title = error.schema.get("title") or (error.path[-1] if error.path else "value")
        example = (error.schema.get("examples") or [""])[0]
        hint = f"e.g. {example!r}" if example else error.schema.get("description", "")
        if "a-z0-9" in str(error.validator_value):
            return (
                pointer,
                f"{value!r} is not a lowercase ASCII slug",
                "use a-z, 0-9 and single hyphens",
            )
        return pointer, f"{value!r} is not a valid {title!s}", hint
    if error.validator == "type":
        expected = error.validator_value
        return (
            pointer,
            f"{value!r} should be {_a(expected)}",
            "quote text values" if expected == "string" else "",
        )
    if error.validator in ("minLength", "maxLength") and isinstance(value, str):
        title = error.schema.get("title") or "text"
        limit = error.validator_value
        if error.validator == "minLength":
            return pointer, f"{value!r} is too short: {title} needs {limit} characters or more", ""
        return (
            pointer,
            f"too long: {title} holds {limit} characters at most ({len(value)} given)",
            "",
        )
    if error.validator in ("minItems",) and error.validator_value == 1:
        return pointer, "needs at least one entry", ""
    if error.validator == "uniqueItems":
        return pointer, "has the same entry twice", "remove the repeat"
    return pointer, error.message, ""


def _a(expected) -> str:
    names = {
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "array": "a list",
        "object": "a mapping of field: value",
    }
    if isinstance(expected, list):
        return " or ".join(names.get(e, e) for e in expected)
    return names.get(expected, expected)


def schema_problems(
    record: Record, folder: Path = SCHEMA_DIR, schemas: SchemaSet | None = None
) -> list[Problem]:
    """The schema problems of one record (`schemas`: a SchemaSet already read, for many records)."""
    return (schemas or schema_set(folder)).problems(record)

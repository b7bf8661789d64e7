"""The JSON Schemas in schema/: loading them and turning schema errors into curator messages."""

from __future__ import annotations

import difflib
import functools
import json
import re
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from pipeline_tracker.fastschema import passes
from pipeline_tracker.load import Record
from pipeline_tracker.problems import Problem, pointer_token


def schema_dir() -> Path:
    """The repository's schema/ when running from a checkout (editable install, hook beside the
    package), else the copy a built wheel carries as pipeline_tracker/schema/ (see setup.py)."""
    package = Path(__file__).resolve().parent
    checkout = package.parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "schema").is_dir():
        return checkout / "schema"
    return package / "schema"


SCHEMA_DIR = schema_dir()


@functools.lru_cache(maxsize=4)
def load_schemas(folder: Path = SCHEMA_DIR) -> dict[str, dict]:
    """Every schema file by its stem: 'drugs', 'common', …"""
    return {
        path.name[: -len(".schema.json")]: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.schema.json"))
    }


@functools.lru_cache(maxsize=4)
def validators(folder: Path = SCHEMA_DIR) -> dict[str, Draft202012Validator]:
    schemas = load_schemas(folder)
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return {
        kind: Draft202012Validator(schema, registry=registry)
        for kind, schema in schemas.items()
        if kind != "common"
    }


def _pointer(path) -> str:
    return "".join("/" + pointer_token(part) for part in path)


def _leaf(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf/if-then failures, the most specific underlying error."""
    while error.context:
        deeper = best_match(error.context)
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


def schema_problems(record: Record, folder: Path = SCHEMA_DIR) -> list[Problem]:
    if passes(
        record.kind, record.data, folder
    ):  # compiled yes/no check; jsonschema writes messages
        return []
    validator = validators(folder)[record.kind]
    problems = []
    for error in validator.iter_errors(record.data):
        pointer, message, hint = describe(error)
        problems.append(record.problem(pointer, message, hint, "schema"))
    return problems

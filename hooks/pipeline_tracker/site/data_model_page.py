"""The "Data model" page: every record kind's fields, generated from schema/*.schema.json.

The schemas are the one description of the data; this page is how curators read them. Schema text
goes through escape.py like record text, so a title or example can never become markup.
"""

from __future__ import annotations

import json

from pipeline_tracker.records.load import KINDS
from pipeline_tracker.records.schemas import load_schemas, resolve
from pipeline_tracker.site.escape import markdown_text

_TYPES = {
    "string": "text",
    "integer": "whole number",
    "number": "number",
    "boolean": "true or false",
    "object": "mapping",
    "array": "list",
}
_NAMED = {
    "slug": "record id",
    "date": "date",
    "region": "region code",
    "url": "URL",
    "phase": "phase",
    "sources": "list of citations (a source id, or source and quote)",
    "citation": "citation (a source id, or source and quote)",
    "route": "route",
    "scheme": "text",
    "development_status": "development status",
    "inferred": "mapping of field to reason",
    "money": "amount and currency",
    "text": "text",
    "name": "text",
    "date_basis": "text",
}


def _type(raw: dict, node: dict) -> str:
    ref = str(raw.get("$ref", ""))
    if "/$defs/" in ref and ref.rsplit("/", 1)[1] in _NAMED:
        return _NAMED[ref.rsplit("/", 1)[1]]
    kind = node.get("type", "")
    if not kind and node.get("anyOf"):  # e.g. a number or the words 'not estimable'
        return " or ".join(_type({}, branch) for branch in node["anyOf"])
    if isinstance(kind, list):
        return " or ".join(_TYPES.get(k) or k for k in kind)
    return _TYPES.get(kind, kind or "any")


def _form(node: dict, raw: dict | None = None) -> str:
    """Allowed values or the form a value takes, in words."""
    if node.get("enum"):
        return "one of: " + ", ".join(map(str, node["enum"]))
    if node.get("anyOf"):
        return "; or ".join(f for branch in node["anyOf"] if (f := _form(branch)))
    parts = []
    named = str((raw or {}).get("$ref", "")).rsplit("/", 1)[-1] in _NAMED  # the type says the form
    if node.get("pattern") and not named:
        parts.append("pattern " + node["pattern"])
    if "minimum" in node:
        parts.append(f"at least {node['minimum']}")
    if node.get("maxLength"):
        parts.append(f"at most {node['maxLength']} characters")
    if node.get("minItems"):
        parts.append(f"at least {node['minItems']} entr{'y' if node['minItems'] == 1 else 'ies'}")
    return "; ".join(parts)


def _cell(value) -> str:
    return str(markdown_text(value)) if value not in (None, "") else ""


def _tables(
    node: dict, doc: str, schemas: dict, heading: str, out: list[str], level: int = 3
) -> None:
    """A table of an object's fields, then one section per nested object (list items included)."""
    node, doc = resolve(node, doc, schemas)
    required = set(node.get("required", []))
    nested: list[tuple[str, dict, str]] = []
    out += [
        "| Field | Type | Required | Allowed values | Description | Example |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, raw in node.get("properties", {}).items():
        field, field_doc = resolve(raw, doc, schemas)
        described = {
            **field,
            **{k: raw[k] for k in ("title", "description", "examples") if k in raw},
        }
        kind = _type(raw, field)
        form = _form(field, raw)
        if field.get("type") == "array":
            item_raw = field.get("items", {})
            item, _item_doc = resolve(item_raw, field_doc, schemas)
            if item.get("type") == "object" and item.get("properties"):
                kind = f"list of {item.get('title', 'entries').lower()}"
                nested.append((f"{heading} › {key}", item_raw, field_doc))
            elif kind == "list":
                kind = f"list of {_type(item_raw, item)}"
            form = "; ".join(p for p in (_form(item, item_raw), form) if p)
        elif field.get("type") == "object" and field.get("properties"):
            nested.append((f"{heading} › {key}", raw, doc))
        example = (described.get("examples") or [None])[0]
        example_text = json.dumps(example, ensure_ascii=False) if example is not None else ""
        title = described.get("title", "")
        text = " — ".join(t for t in (title, described.get("description", "")) if t)
        out.append(
            "| "
            + " | ".join(
                [
                    _cell(key),
                    _cell(kind),
                    "yes" if key in required else "",
                    _cell(form),
                    _cell(text),
                    _cell(example_text),
                ]
            )
            + " |"
        )
    out.append("")
    for title, raw, nested_doc in nested:
        out += [f"{'#' * level} {_cell(title)}", ""]
        _tables(raw, nested_doc, schemas, title, out, min(level + 1, 6))


def data_model_page() -> str:
    """Markdown for data-model.md: one section per record kind, a field table per object."""
    schemas = load_schemas()
    out = [
        "# Data model",
        "",
        (
            "Every record is a YAML file `records/<kind>/<id>.yaml`, checked against the JSON Schema "
            "`schema/<kind>.schema.json`. This page is generated from those schemas at build time. "
            "Start a record with `pipeline-tracker new <kind> <id>`; the contributing guide walks "
            "through an example."
        ),
        "",
        (
            "Dates are written in double quotes as a year, a year and month, or a full date "
            '(`"2019"`, `"2022-10"`, `"2025-05-29"`). A record id is a lowercase slug and is also the '
            "file name."
        ),
        "",
    ]
    for kind in KINDS:
        schema = schemas[kind]
        out += [
            f"## {_cell(schema.get('title', kind))} ({kind}) {{#{kind}}}",
            "",
            _cell(schema.get("description", "")),
            "",
        ]
        _tables(schema, kind, schemas, kind, out)
    return "\n".join(out) + "\n"

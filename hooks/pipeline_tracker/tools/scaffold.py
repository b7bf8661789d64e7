"""Start a record from its schema: `pipeline-tracker new <kind> <id>` writes the required fields.

Each required field gets a comment (its title and description, allowed values, an example) and a
"TODO: …" placeholder that `validate` reports until it is filled. The comments are for the curator
filling the file in; `fmt --strip-comments` drops them once the TODOs are done.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline_tracker.records.ids import reserved_id
from pipeline_tracker.records.load import KINDS, SLUG, records_dir
from pipeline_tracker.records.problems import visible
from pipeline_tracker.records.schemas import load_schemas, resolve
from pipeline_tracker.tools.fmt import _quoted
from pipeline_tracker.tools.safefs import UnsafePath, check_inside, write_atomic


def _comment(node: dict, pad: str) -> list[str]:
    title, text = node.get("title", ""), node.get("description", "")
    lines = [f"{pad}# {title}: {text}".rstrip(": ") if title or text else ""]
    if node.get("enum"):
        lines.append(f"{pad}# Allowed: " + ", ".join(map(str, node["enum"])))
    elif node.get("examples"):
        lines.append(f"{pad}# Example: " + json.dumps(node["examples"][0], ensure_ascii=False))
    return [line for line in lines if line]


def _placeholder(node: dict) -> str:
    if node.get("enum"):
        return _quoted("TODO: one of " + ", ".join(map(str, node["enum"])))
    what = (node.get("title") or "value").lower()
    if node.get("type") in ("number", "integer"):
        return _quoted(f"TODO: {what} (a number)")
    return _quoted(f"TODO: {what}")


# Optional fields a new record almost always needs, written like required ones: a drug's modality
# is cited under evidence unless it is marked inferred or 'not stated' (records/evidence.py).
SUGGESTED = {"drugs": ("evidence",), "drugs/evidence": ("modality",)}


def _fields(
    node: dict, doc: str, schemas: dict, indent: int, record_id: str | None = None, where: str = ""
) -> list[str]:
    """Comment and placeholder lines for the required (and suggested) fields of an object schema."""
    node, doc = resolve(node, doc, schemas)
    pad = " " * indent
    lines: list[str] = []
    required = list(node.get("required", []))
    keys = required + [k for k in SUGGESTED.get(where, ()) if k not in required]
    for key in keys:
        raw = node.get("properties", {}).get(key, {})
        field, field_doc = resolve(raw, doc, schemas)
        described = {**field, **{k: raw[k] for k in ("title", "description") if k in raw}}
        lines += _comment(described, pad)
        if key == "id" and record_id is not None:
            lines.append(f"{pad}id: {record_id}")
        elif field.get("type") == "array":
            item, item_doc = resolve(field.get("items", {}), field_doc, schemas)
            lines.append(f"{pad}{key}:")
            if item.get("type") == "object":
                inner = _fields(item, item_doc, schemas, indent + 4)
                first = next(i for i, line in enumerate(inner) if not line.lstrip().startswith("#"))
                inner[first] = f"{pad}  - {inner[first].lstrip()}"
                lines += inner
            else:
                lines.append(f"{pad}  - {_placeholder(item)}")
        elif field.get("type") == "object":
            lines.append(f"{pad}{key}:")
            lines += _fields(field, field_doc, schemas, indent + 2, where=f"{where}/{key}")
        else:
            lines.append(f"{pad}{key}: {_placeholder(field)}")
    return lines


def scaffold(kind: str, record_id: str) -> str:
    """The text of a new record: required fields with placeholders, each under its description."""
    schemas = load_schemas()
    schema = schemas[kind]
    path = f"records/{kind}/{record_id}.yaml"
    optional = [k for k in schema.get("properties", {}) if k not in schema.get("required", [])]
    head = [
        (
            f"# New {schema.get('title', kind).lower()} record. "
            "Replace every TODO with what your source says,"
        ),
        "# then run:",
        f"#   pipeline-tracker validate {path}",
        f"#   pipeline-tracker fmt --strip-comments {path}",
        "# Optional fields (see the Data model page): " + ", ".join(optional),
    ]
    return "\n".join(head + _fields(schema, kind, schemas, 0, record_id, kind)) + "\n"


def run(kind: str, record_id: str, root: Path | None = None) -> int:
    """The `new` command: write records/<kind>/<id>.yaml, refusing a bad id or an existing file."""
    root = root or Path.cwd()
    records = records_dir(root)
    folder = records / kind
    target = folder / f"{record_id}.yaml"
    if kind not in KINDS:
        print(f"new: unknown kind '{visible(kind)}' (kinds: {', '.join(KINDS)})", file=sys.stderr)
        return 1
    if not SLUG.match(record_id) or len(record_id) > 80 or reserved_id(record_id):
        print(
            f"new: '{visible(record_id)}' is not a record id (use a-z, 0-9 and single hyphens, at "
            "most 80 characters, e.g. zanidatamab; not a reserved name such as 'index')",
            file=sys.stderr,
        )
        return 1
    try:
        check_inside(target, records)
        existing = (
            [f for f in folder.iterdir() if f.name.lower() == target.name.lower()]
            if folder.is_dir()
            else []
        )
        if existing:
            print(
                f"new: {visible(existing[0].as_posix())} already exists; edit it instead",
                file=sys.stderr,
            )
            return 1
        write_atomic(target, scaffold(kind, record_id).encode("utf-8"), records, exclusive=True)
    except FileExistsError:
        print(f"new: {target.as_posix()} already exists; edit it instead", file=sys.stderr)
        return 1
    except (OSError, UnsafePath) as error:
        print(f"new: cannot write {visible(target.as_posix())}: {visible(error)}", file=sys.stderr)
        return 1
    print(
        f"wrote {target.as_posix()}: fill in every TODO, then run "
        f"`pipeline-tracker validate {target.as_posix()}`",
        file=sys.stderr,
    )
    return 0

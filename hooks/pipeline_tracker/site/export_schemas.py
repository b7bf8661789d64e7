"""The JSON Schemas the open data publishes under data/schema/, and how each export names its own.

Published: the records' schemas (schema/*.schema.json), and the schemas of the JSON files the
build writes: data/tracker.json (tracker.schema.json), each kind's files of per-record documents
(`<kind>-documents.schema.json`: the whole file, each document in it, and its `record` member by
the kind's record schema) and a development status row (development-status-row.schema.json, made
from the status CSV's columns, exports.STATUS_COLUMNS, so the two never disagree).

Every exported JSON file names its schema in `$schema`. With site_url the schemas' `$id`s and the
`$schema` the exports give are addresses on the published site (urls.absolute), so `$ref`s between
schemas resolve there; without site_url no address is guessed: the published schemas carry no
`$id` (a validator then resolves `$ref`s against the file it read: the files beside it) and
exports name their schema relative to themselves.

Envelopes (files and documents) accept members they do not list: a minor format version may add
one (exports.FORMAT_VERSION); the records inside are checked as strictly as in the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline_tracker.records.load import KINDS
from pipeline_tracker.records.schemas import schema_dir
from pipeline_tracker.site import urls

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FOLDER = f"{urls.DATA_DIR}/schema"
TRACKER_SCHEMA = "tracker.schema.json"
STATUS_ROW_SCHEMA = "development-status-row.schema.json"
SLUG = {"$ref": "common.schema.json#/$defs/slug"}
FORMAT_VERSION_PATTERN = "^[0-9]+\\.[0-9]+\\.[0-9]+$"
# Status row fields that always hold a value; every other member is left out of a row without one.
_NEVER_EMPTY = ("drug", "indication", "region", "phase", "development_status", "basis")
# Status CSV columns whose cells join a list with '; ': in JSON they are lists of these items.
_LIST_ITEMS = {
    "sources": SLUG,
    "ctgov_phases": {"type": "string", "pattern": "^[A-Z0-9_]+$"},
}
_QUOTE = {
    "type": "object",
    "required": ["source", "quote"],
    "additionalProperties": False,
    "properties": {"source": SLUG, "quote": {"type": "string"}},
}


# What every export envelope begins with: its schema, the format's version and the data's.
_VERSIONS = {
    "$schema": {"type": "string", "description": "This schema's address."},
    "format_version": {"type": "string", "pattern": FORMAT_VERSION_PATTERN},
    "data_version": {
        "type": "string",
        "pattern": "^([0-9]{4}\\.[0-9]{2}\\.[0-9]{2}-)?[0-9a-f]{8}$",
        "description": "The data's version (Tracker.data_version): the newest review date and "
        "a hash of every record's content.",
    },
}


def documents_schema(kind: str) -> str:
    """The file name of the schema of a kind's files of per-record documents."""
    return f"{kind}-documents.schema.json"


def schema_address(name: str, site_url: str | None, from_dir: str) -> str:
    """How a file in `from_dir` (e.g. "data/drugs") names the published schema `name`: its address
    on the site with site_url, else a path relative to that file's folder."""
    path = f"{SCHEMA_FOLDER}/{name}"
    return urls.absolute(site_url, path) or urls.relative(from_dir, path)


def _identified(name: str, schema: dict, site_url: str | None) -> dict:
    """`schema` with the `$id` it is published under (its site address), or none without
    site_url; `$schema` first, as in schema/."""
    out = {"$schema": DRAFT}
    address = urls.absolute(site_url, f"{SCHEMA_FOLDER}/{name}")
    if address:
        out["$id"] = address
    out.update((k, v) for k, v in schema.items() if k not in ("$schema", "$id"))
    return out


def status_row_schema(columns) -> dict:
    """A development status row as the JSON documents give it, from the status CSV's columns
    (name, type, description and the pattern or values each cell must match). A member with no
    value (the CSV's empty cell) is left out (exports.given), so every member present holds one."""
    properties: dict[str, dict] = {}
    for column in columns:
        description = column.description.replace(", separated by '; '", "")
        if column.name in _LIST_ITEMS:
            prop: dict = {"type": "array", "minItems": 1, "items": _LIST_ITEMS[column.name]}
        elif column.type == "array":
            prop = {"type": "array", "minItems": 1, "items": _QUOTE}
        elif column.type in ("number", "integer", "boolean"):
            prop = {"type": column.type}
            if "enum" in column.constraints:
                prop["enum"] = list(column.constraints["enum"])
        else:
            prop = {"type": "string"}
            if "enum" in column.constraints:
                prop["enum"] = list(column.constraints["enum"])
            elif "pattern" in column.constraints:
                prop["pattern"] = f"^(?:{column.constraints['pattern']})$"
            else:
                prop["minLength"] = 1
        properties[column.name] = {"description": description, **prop}
    return {
        "title": "Development status row",
        "description": "One drug × indication × region phase claim, stated by curators or derived "
        "from a trial or an event (basis), with the reason for every inferred value and the "
        "equivalent ChEMBL, Open Targets and ClinicalTrials.gov values. The same row as a line of "
        "data/development-status.csv.gz, with lists as JSON lists; a member the row has no value for (an "
        "empty cell of the CSV) is left out.",
        "type": "object",
        "required": [column.name for column in columns if column.name in _NEVER_EMPTY],
        "additionalProperties": False,
        "properties": properties,
    }


def documents_file_schema(kind: str) -> dict:
    """A file data/<kind>/<shard>.json.gz (gzip-compressed JSON): the documents of the records
    whose id falls in the shard."""
    document: dict = {
        "type": "object",
        "required": ["page", "record", "cited_by"],
        "properties": {
            "page": {
                "type": "string",
                "description": "The record's page: its address with site_url, else relative to "
                "this file.",
            },
            "record": {"$ref": f"{kind}.schema.json", "description": "The record, as curated."},
            "cited_by": {
                "type": "object",
                "description": "Ids of the records that name this one, by their kind.",
                "propertyNames": {"enum": list(KINDS)},
                "additionalProperties": {"type": "array", "items": SLUG},
            },
        },
    }
    if kind == "drugs":
        document["required"].append("development_status")
        document["properties"]["development_status"] = {
            "type": "array",
            "description": "Every development status row of the drug, stated and derived.",
            "items": {"$ref": STATUS_ROW_SCHEMA},
        }
    return {
        "title": f"Open Pipeline Tracker: a file of {kind} documents",
        "description": f"data/{kind}/<shard>.json.gz, once decompressed: the JSON document of each "
        f"{kind} record whose "
        "id's SHA-256 begins with the shard's two hex digits, by id.",
        "type": "object",
        "required": ["format_version", "data_version", "kind", "shard", "schema", "records"],
        "properties": {
            **_VERSIONS,
            "kind": {"const": kind},
            "shard": {"type": "string", "pattern": "^[0-9a-f]{2}$"},
            "schema": {
                "type": "string",
                "description": "The record schema: its address with site_url, else relative "
                "to this file.",
            },
            "records": {
                "type": "object",
                "propertyNames": SLUG,
                "additionalProperties": {"$ref": "#/$defs/document"},
            },
        },
        "$defs": {"document": document},
    }


def tracker_schema() -> dict:
    """data/tracker.json: where the whole dataset is."""
    return {
        "title": "Open Pipeline Tracker: the dataset",
        "description": "data/tracker.json: for each kind its record count and the files holding "
        "its documents (paths relative to data/), and the other files of the dataset.",
        "type": "object",
        "required": ["format_version", "data_version", "licence", "kinds", "records"],
        "properties": {
            **_VERSIONS,
            "licence": {
                "type": "object",
                "required": ["name", "path"],
                "properties": {
                    "name": {"type": "string"},
                    "title": {"type": "string"},
                    "path": {"type": "string"},
                },
            },
            "kinds": {"type": "array", "items": {"enum": list(KINDS)}, "uniqueItems": True},
            "records": {
                "type": "object",
                "propertyNames": {"enum": list(KINDS)},
                "additionalProperties": {
                    "type": "object",
                    "required": ["count", "files"],
                    "properties": {
                        "count": {"type": "integer", "minimum": 0},
                        "files": {
                            "type": "array",
                            "items": {
                                "type": "string",
                                "pattern": "^[a-z]+/[0-9a-f]{2}\\.json\\.gz$",
                            },
                        },
                    },
                },
            },
            "development_status": {"type": "string"},
            "datapackage": {"type": "string"},
            "sqlite": {
                "type": "string",
                "description": "The SQLite database, gzip-compressed, relative to data/.",
            },
        },
    }


def what(path: str) -> str:
    """What a published schema describes, in words, for the Open data page."""
    name = path.rsplit("/", 1)[-1]
    if name == TRACKER_SCHEMA:
        return "JSON Schema (draft 2020-12) of data/tracker.json"
    if name == STATUS_ROW_SCHEMA:
        return "JSON Schema of a development status row in the drugs' JSON documents"
    if name.endswith("-documents.schema.json"):
        kind = name[: -len("-documents.schema.json")]
        return (
            f"JSON Schema of the files data/{kind}/<shard>.json.gz (decompressed; the whole file)"
        )
    if name == "common.schema.json":
        return "JSON Schema of the definitions the records' schemas share"
    return "JSON Schema (draft 2020-12) the records are checked against"


def _dump(schema: dict) -> bytes:
    return (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def published_schemas(status_columns, site_url: str | None = None) -> dict[str, bytes]:
    """Site path → bytes of every schema under data/schema/, each with the `$id` of its published
    address (none without site_url)."""
    schemas: dict[str, dict] = {}
    for path in sorted(Path(schema_dir()).glob("*.schema.json")):
        schemas[path.name] = json.loads(path.read_text(encoding="utf-8"))
    schemas[TRACKER_SCHEMA] = tracker_schema()
    schemas[STATUS_ROW_SCHEMA] = status_row_schema(status_columns)
    for kind in KINDS:
        schemas[documents_schema(kind)] = documents_file_schema(kind)
    return {
        f"{SCHEMA_FOLDER}/{name}": _dump(_identified(name, schema, site_url))
        for name, schema in sorted(schemas.items())
    }

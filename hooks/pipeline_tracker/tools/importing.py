"""What every registry import shares: reading a size-bounded JSON record (a file, or a URL when
online), citing it by JSON pointer, linking names to existing records or minimal new ones, and
writing the archive copy and records safely (schema-checked first, then through tools/safefs).

The importers (tools/ctgov.py, tools/drugsfda.py) say what a registry's fields mean; this module
knows nothing about any registry.
"""

from __future__ import annotations

import re
import sys
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from pipeline_tracker.records.evidence import MAX_ARCHIVE_BYTES, json_text, parse_json_copy
from pipeline_tracker.records.ids import reserved_id
from pipeline_tracker.records.load import SINGULAR, SLUG
from pipeline_tracker.records.problems import visible
from pipeline_tracker.records.schemas import load_schemas, schema_set
from pipeline_tracker.tools.fmt import canonical_data, dump
from pipeline_tracker.tools.safefs import UnsafePath, write_atomic

MAX_BYTES = MAX_ARCHIVE_BYTES  # the archive check refuses larger copies; so does the import
TIMEOUT = 30


class ImportRefused(Exception):
    """One line for the curator: why nothing was written."""


def norm(text: str) -> str:
    """A name as compared for linking: case, punctuation and spaces ignored."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug


def get(data, *keys):
    """The value under a path of keys and list indexes, or None where the shape differs."""
    for key in keys:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def as_list(value) -> list:
    """A registry list, or none: a value of another shape is not read as one."""
    return value if isinstance(value, list) else []


def text(value, limit: int) -> str | None:
    """A registry string that fits a field, else None (never cut: a cut value says less)."""
    if isinstance(value, str) and value.strip() and len(value) <= limit and value == value.strip():
        return value
    return None


def unique(items: list) -> list:
    seen: list = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


# -- reading ---------------------------------------------------------------------------------


def fetch(url: str, shown: str, registry: str, not_found: str) -> bytes:
    """A record from a registry's API, size-bounded; ImportRefused (one line) when it cannot."""
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": "pipeline-tracker"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise ImportRefused(f"{shown}: {not_found}") from None
        raise ImportRefused(
            f"{shown}: {registry} answered HTTP {error.code}; try again later"
        ) from None
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        reason = getattr(error, "reason", error)
        raise ImportRefused(
            f"{shown}: cannot reach {registry} ({visible(str(reason))}); save {url} "
            "as a file and import the file"
        ) from None
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"{shown}: the registry's record is larger than 2 MiB; not imported")
    return data


def read_file(given: str, what: str) -> tuple[bytes, str]:
    """(bytes, name shown) of a saved record; `what` names what the file should be."""
    path = Path(given)
    shown = visible(given)
    try:
        if not path.is_file():
            raise ImportRefused(f"{shown}: no such file (give {what})")
        if path.stat().st_size > MAX_BYTES:
            raise ImportRefused(f"{shown}: larger than 2 MiB; not a single registry record")
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise ImportRefused(f"{shown}: cannot read it: {visible(error.strerror)}") from None
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"{shown}: larger than 2 MiB; not a single registry record")
    return data, shown


def parse(data: bytes, shown: str, registry: str):
    """Strict JSON of a whole document, else ImportRefused naming what is wrong."""
    try:
        return parse_json_copy(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportRefused(f"{shown}: not UTF-8 text; not a {registry} record") from None
    except (ValueError, RecursionError) as error:
        raise ImportRefused(
            f"{shown}: not a complete JSON document (truncated?): {visible(str(error))}"
        ) from None


# -- linking and citing ----------------------------------------------------------------------


# The fields a record of each kind goes by, for linking a registry's names to it.
NAME_FIELDS = {
    "drugs": ("name", "inn", "code_names", "synonyms"),
    "companies": ("name", "former_names"),
    "indications": ("name", "synonyms"),
}


class Index:
    """Existing records by the normalised names they go by."""

    def __init__(self, records) -> None:
        self.by_name: dict[str, dict[str, str]] = {kind: {} for kind in NAME_FIELDS}
        for kind, fields in NAME_FIELDS.items():
            for rid, record in sorted(records.get(kind, {}).items()):
                data = record.data if isinstance(record.data, dict) else {}
                self.by_name[kind].setdefault(norm(rid), rid)
                for key in fields:
                    values = data.get(key)
                    for value in values if isinstance(values, list) else [values]:
                        if isinstance(value, str) and norm(value):
                            self.by_name[kind].setdefault(norm(value), rid)

    def find(self, kind: str, names: list[str]) -> str | None:
        for name in names:
            if norm(name) in self.by_name[kind]:
                return self.by_name[kind][norm(name)]
        return None


class RecordBuilder:
    """Builds records from one registry record (`self.doc`, archived as source `self.sid`): cites
    values by JSON pointer and links names to existing records or to minimal new ones."""

    def __init__(self, doc, sid: str, records) -> None:
        self.doc = doc
        self.sid = sid
        self.records = records
        self.index = Index(records)
        self.new: dict[tuple[str, str], dict] = {}
        self.notes: list[str] = []

    def at(self, pointer: str):
        data = self.doc
        for part in pointer.strip("/").split("/"):
            data = get(data, int(part) if part.isdigit() else part)
        return data

    def word(self, pointer: str) -> str | None:
        """A registry code (an enum value) at a pointer, or None when something else is there."""
        value = self.at(pointer)
        return value if isinstance(value, str) else None

    def cite(self, pointer: str) -> dict:
        """A citation of the registry record at a pointer, quoting the value when it is text."""
        citation: dict = {"source": self.sid, "pointer": pointer}
        value = json_text(self.at(pointer))
        if isinstance(self.at(pointer), str) and value and 3 <= len(value) <= 1000:
            citation["quote"] = value
        return citation

    def new_id(self, kind: str, name: str) -> str | None:
        base = slugify(name)
        if not base or not SLUG.match(base):
            return None
        rid, n = base, 2
        while rid in self.records.get(kind, {}) or (kind, rid) in self.new or reserved_id(rid):
            suffix = f"-{n}"
            rid, n = base[: 80 - len(suffix)].rstrip("-") + suffix, n + 1
        return rid

    def link(self, kind: str, names: list[str], make: dict) -> str | None:
        """The id of the record going by one of `names`, or a new minimal record's id."""
        found = self.index.find(kind, names)
        if found:
            return found
        for (k, known), data in self.new.items():
            if k == kind and norm(data["name"]) in {norm(n) for n in names}:
                return known
        rid = self.new_id(kind, names[0])
        if rid is None:
            self.notes.append(
                f"{SINGULAR[kind]} '{visible(names[0])}' has no usable name; left out"
            )
            return None
        self.new[(kind, rid)] = {"id": rid, **make, "review": "imported"}
        self.index.by_name[kind].update({norm(n): rid for n in names})
        return rid


# -- checking and writing --------------------------------------------------------------------


def canonical(kind: str, data: dict) -> str:
    schemas = load_schemas()
    return dump(canonical_data(data, schemas[kind], kind, schemas))


def check_schema(shown: str, docs: list[tuple[str, dict]]) -> None:
    """ImportRefused at the first record (kind, data) the schemas would not accept: the same
    verdict `validate` gives (records.schemas.SchemaSet.errors), in one line."""
    schemas = schema_set()
    for kind, data in docs:
        for where, message, hint in schemas.errors(kind, data)[:1]:
            detail = f"{message} ({hint})" if hint else message
            raise ImportRefused(
                f"{shown}: the {SINGULAR[kind]} record would not be valid at "
                f"{visible(where or '/')}: {visible(detail[:300])}; nothing written"
            )


def write_changed(files: list[tuple[Path, bytes]], records_path: Path) -> list[str]:
    """Write each (path, content) whose file does not already hold it; the paths written."""
    written = []
    for path, content in files:
        try:
            if path.is_file() and path.read_bytes() == content:
                continue
        except OSError:
            pass
        write_atomic(path, content, records_path)
        written.append(path)
    return [str(p) for p in written]


def run_each(command: str, inputs: list[str], import_one: Callable[[str], int]) -> int:
    """Import each input in turn; a refusal or a failed write is one line on stderr, exit 1."""
    status = 0
    for given in inputs:
        try:
            status |= import_one(given)
        except ImportRefused as refused:
            print(f"{command}: {refused}", file=sys.stderr)
            status = 1
        except (OSError, UnsafePath) as error:
            print(
                f"{command}: {visible(given)}: cannot write: {visible(str(error))}",
                file=sys.stderr,
            )
            status = 1
    return status

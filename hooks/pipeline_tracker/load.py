"""Read record files strictly: libyaml, no duplicate keys, no aliases, positions kept for messages."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline_tracker.problems import Problem

KINDS = ("drugs", "targets", "companies", "indications", "trials", "events", "sources")
MAX_FILE_BYTES = 256 * 1024
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_YAML11_BOOLS = re.compile(r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_TAB_INDENT = re.compile(r"^ *\t", re.M)


@dataclass
class Record:
    """One record as read from its file, with the line and column of every JSON pointer."""

    kind: str
    id: str
    path: str  # as shown to curators, relative to the repository root
    data: dict
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    text: str = ""

    def where(self, pointer: str) -> tuple[int, int]:
        """Line and column of the closest enclosing pointer that has a position."""
        while pointer and pointer not in self.positions:
            pointer = pointer.rsplit("/", 1)[0]
        return self.positions.get(pointer, (1, 1))

    def problem(self, pointer: str, message: str, hint: str = "", rule: str = "schema") -> Problem:
        line, col = self.where(pointer)
        return Problem(self.path, line, col, pointer, message, hint, rule)


class _Loader(yaml.CSafeLoader):
    """libyaml's parser; we build the data ourselves from its node tree."""


def _escape(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


class _BadYaml(Exception):
    def __init__(self, line: int, col: int, pointer: str, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.col, self.pointer, self.message, self.hint = line, col, pointer, message, hint


def _build(node, pointer: str, positions: dict, loader: _Loader, seen: set):
    if id(node) in seen:
        raise _BadYaml(
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            pointer,
            "YAML aliases (*name) are not allowed in records",
            "write the value out in full",
        )
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _BadYaml(key_node.start_mark.line + 1, key_node.start_mark.column + 1, pointer, "mapping keys must be plain text")
            key = key_node.value
            child = f"{pointer}/{_escape(key)}"
            if key in result:
                raise _BadYaml(
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    child,
                    f"duplicate key '{key}'",
                    "each key may appear once; merge the two entries",
                )
            # Scalars are located at their value, containers at their key.
            mark = value_node.start_mark if isinstance(value_node, yaml.ScalarNode) else key_node.start_mark
            positions[child] = (mark.line + 1, mark.column + 1)
            result[key] = _build(value_node, child, positions, loader, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = f"{pointer}/{index}"
            positions[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_build(item, child, positions, loader, seen))
        return items
    if node.tag == "tag:yaml.org,2002:bool" and _YAML11_BOOLS.match(node.value):
        raise _BadYaml(
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            pointer,
            f"'{node.value}' would be read as a yes/no value",
            f"quote it if you mean the text: '{node.value}'; write true or false for a yes/no value",
        )
    value = loader.construct_object(node, deep=True)
    if isinstance(value, (dt.date, dt.datetime)):
        # An unquoted date is read as the curator meant it: the same text.
        return node.value
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise _BadYaml(node.start_mark.line + 1, node.start_mark.column + 1, pointer, f"'{node.value}' is not a usable number")
    return value


def parse_record_text(text: str, path: str, kind: str, record_id: str) -> tuple[Record | None, list[Problem]]:
    """Parse one record's text; a record comes back only when the YAML itself is sound."""
    if _TAB_INDENT.search(text):
        line = text[: _TAB_INDENT.search(text).end()].count("\n") + 1
        return None, [Problem(path, line, 1, "", "tab used for indentation", "indent with spaces", "yaml")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(path, 1, 1, "", "the file is empty", "start from `pipeline-tracker new`", "yaml")]
        positions: dict[str, tuple[int, int]] = {"": (node.start_mark.line + 1, node.start_mark.column + 1)}
        data = _build(node, "", positions, loader, set())
    except _BadYaml as bad:
        return None, [Problem(path, bad.line, bad.col, bad.pointer, bad.message, bad.hint, "yaml")]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(part for part in (error.context, error.problem) if part)
        return None, [Problem(path, line, col, "", f"YAML syntax: {message}", "", "yaml")]
    except yaml.YAMLError as error:
        return None, [Problem(path, 1, 1, "", f"YAML syntax: {error}", "", "yaml")]
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return None, [Problem(path, 1, 1, "", "a record must be a mapping of field: value", "", "yaml")]
    return Record(kind, record_id, path, data, positions, text), []


def read_record(file: Path, root: Path, kind: str) -> tuple[Record | None, list[Problem]]:
    """Read one record file, refusing what is not a small UTF-8 YAML file with a slug name."""
    shown = _shown_path(file, root)
    record_id = file.name[: -len(".yaml")]
    if not SLUG.match(record_id):
        return None, [
            Problem(shown, 1, 1, "", f"file name '{file.name}' is not a lowercase ASCII slug", "use a-z, 0-9 and single hyphens, e.g. zevorcabtagene-autoleucel.yaml", "ids")
        ]
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(shown, 1, 1, "", f"file is {size} bytes; records may be at most {MAX_FILE_BYTES}", "split it or shorten the text", "yaml")]
        raw = file.read_bytes()
    except OSError as error:
        return None, [Problem(shown, 1, 1, "", f"cannot read the file: {error.strerror}", "", "yaml")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(shown, line, 1, "", "the file is not valid UTF-8", "save it as UTF-8", "yaml")]
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse_record_text(text, shown, kind, record_id)


def _shown_path(file: Path, root: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def records_dir(root: Path | None = None) -> Path:
    """The records folder: $PIPELINE_TRACKER_RECORDS if set, else records/ under root."""
    env = os.environ.get("PIPELINE_TRACKER_RECORDS")
    if env:
        return Path(env)
    return (root or Path.cwd()) / "records"


def load_records(records: Path, root: Path | None = None) -> tuple[dict[str, dict[str, Record]], list[Problem]]:
    """Read every record under records/<kind>/; returns records by kind and id, and problems."""
    if root is None or not records.resolve().is_relative_to(root.resolve()):
        root = records.parent  # paths read records/<kind>/<id>.yaml wherever the tree lives
    by_kind: dict[str, dict[str, Record]] = {kind: {} for kind in KINDS}
    problems: list[Problem] = []
    if not records.is_dir():
        return by_kind, [Problem(_shown_path(records, root), 1, 1, "", "records folder not found", "run from the repository root or set PIPELINE_TRACKER_RECORDS", "files")]
    for entry in sorted(records.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and entry.name not in KINDS:
            problems.append(Problem(_shown_path(entry, root), 1, 1, "", f"unknown record kind '{entry.name}'", "kinds: " + ", ".join(KINDS), "files"))
        elif not entry.is_dir():
            problems.append(Problem(_shown_path(entry, root), 1, 1, "", "records go in records/<kind>/<id>.yaml", "", "files"))
    lowered: dict[tuple[str, str], str] = {}
    for kind in KINDS:
        folder = records / kind
        if not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            if file.name.startswith("."):
                continue
            if file.is_symlink() or not file.is_file() or not file.name.endswith(".yaml"):
                problems.append(Problem(_shown_path(file, root), 1, 1, "", "only <id>.yaml files (no links, folders or other endings) belong here", "", "files"))
                continue
            key = (kind, file.name.lower())
            if key in lowered:
                problems.append(Problem(_shown_path(file, root), 1, 1, "", f"id differs only by case from {lowered[key]}", "", "ids"))
                continue
            lowered[key] = file.name
            record, found = read_record(file, root, kind)
            problems.extend(found)
            if record is not None:
                by_kind[kind][record.id] = record
    return by_kind, problems

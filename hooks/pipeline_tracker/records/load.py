"""Read record files strictly: libyaml, no duplicate keys, no aliases, positions kept for messages."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml

from pipeline_tracker.records.problems import Problem
from pipeline_tracker.records.yaml_reader import (
    MAX_DEPTH,  # noqa: F401 - re-exported: the nesting limit
    BadYaml,
    read,
    read_events,
)

KINDS = ("drugs", "targets", "companies", "indications", "trials", "events", "sources")
# One record of a kind, as messages and templates name it ("no company record 'x'").
SINGULAR = {kind: "company" if kind == "companies" else kind[:-1] for kind in KINDS}
MAX_FILE_BYTES = 256 * 1024
# \A…\Z, never ^…$: Python's $ also matches before a final newline, and "evil\n" is no slug.
SLUG = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)
# What YAML refuses to read: C0/C1 controls other than tab, LF, CR and NEL; surrogates; U+FFFE/F.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass
class Record:
    """One record as read from its file, with the line and column of every JSON pointer."""

    kind: str
    id: str
    path: str  # as shown to curators, relative to the repository root
    data: dict
    # None until needed: files read the quick way are re-read for positions only if a check fails.
    positions: dict[str, tuple[int, int]] | None = None
    text: str = ""
    # False once the record failed its schema: cross-record rules then leave it alone.
    schema_ok: bool = True
    # Results derived from this record alone (its references, its problems under a one-record
    # rule), kept while the record object lives: a dict only for records read through a
    # records.cache.FileCache, whose unchanged files keep their Record object between loads.
    memo: dict | None = field(default=None, compare=False, repr=False)

    def where(self, pointer: str) -> tuple[int, int]:
        """Line and column of the closest enclosing pointer that has a position."""
        if self.positions is None:
            self.positions = positions_of(self.text)
        positions = self.positions
        while pointer and pointer not in positions:
            pointer = pointer.rsplit("/", 1)[0]
        return positions.get(pointer, (1, 1))

    def problem(self, pointer: str, message: str, hint: str = "", rule: str = "schema") -> Problem:
        line, col = self.where(pointer)
        return Problem(self.path, line, col, pointer, message, hint, rule)


def forget_texts(records: dict[str, dict[str, Record]]) -> None:
    """Drop the records' file text once every check has passed (only positions of problems need
    it, and every problem has been found by then): kept, it is a copy of the whole tree."""
    for by_id in records.values():
        for record in by_id.values():
            record.text = ""


def _bad_character(text: str) -> tuple[int, int, str] | None:
    match = _NON_PRINTABLE.search(text)
    if not match:
        return None
    line = text.count("\n", 0, match.start()) + 1
    col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return line, col, f"U+{ord(match.group()):04X}"


def parse_record_text(
    text: str, path: str, kind: str, record_id: str
) -> tuple[Record | None, list[Problem]]:
    """Parse one record's text; a record comes back only when the YAML itself is sound."""
    tab = _TAB_INDENT.search(text) if "\t" in text else None
    if tab:
        line = text.count("\n", 0, tab.end()) + 1
        return None, [
            Problem(
                path,
                line,
                tab.end() - tab.start(),
                "",
                "tab used for indentation",
                "indent with spaces",
                "yaml",
            )
        ]
    bad_char = _bad_character(text)
    if bad_char:
        line, col, code = bad_char
        return None, [
            Problem(
                path,
                line,
                col,
                "",
                f"control character {code} is not allowed",
                "delete it; YAML files hold printable text only",
                "yaml",
            )
        ]
    try:
        data, positions = read(text)
    except BadYaml as bad:
        return None, [Problem(path, bad.line, bad.col, bad.pointer, bad.message, bad.hint, "yaml")]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(part for part in (error.context, error.problem) if part)
        return None, [Problem(path, line, col, "", f"YAML syntax: {message}", "", "yaml")]
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, [Problem(path, 1, 1, "", f"YAML syntax: {first}", "", "yaml")]
    if not isinstance(data, dict):
        return None, [
            Problem(
                path,
                1,
                1,
                "",
                "a record must be a mapping of field: value",
                "start with a line like `id: ...`",
                "yaml",
            )
        ]
    return Record(kind, record_id, path, data, positions, text), []


def positions_of(text: str) -> dict[str, tuple[int, int]]:
    """Line and column of every JSON pointer in a record's text (read the careful way)."""
    try:
        return read_events(text)[1]
    except (BadYaml, yaml.YAMLError):
        return {}


def read_record(
    file: Path, root: Path, kind: str, shown: str | None = None
) -> tuple[Record | None, list[Problem]]:
    """Read one record file, refusing what is not a small UTF-8 YAML file with a slug name.
    `shown` is _shown_path(file, root) when the caller already knows it (it costs a realpath)."""
    shown = shown if shown is not None else _shown_path(file, root)
    record_id = file.name[: -len(".yaml")]
    if not SLUG.match(record_id):
        return None, [
            Problem(
                shown,
                1,
                1,
                "",
                f"file name '{_visible(file.name)}' is not a lowercase ASCII slug",
                "use a-z, 0-9 and single hyphens, e.g. zevorcabtagene-autoleucel.yaml",
                "ids",
            )
        ]
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    shown,
                    1,
                    1,
                    "",
                    f"file is {size} bytes; records may be at most {MAX_FILE_BYTES}",
                    "split it or shorten the text",
                    "yaml",
                )
            ]
        with file.open("rb") as handle:  # at most the limit, should the file grow meanwhile
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            return None, [
                Problem(
                    shown,
                    1,
                    1,
                    "",
                    f"file is over {MAX_FILE_BYTES} bytes; records may be at most {MAX_FILE_BYTES}",
                    "split it or shorten the text",
                    "yaml",
                )
            ]
    except OSError as error:
        return None, [
            Problem(shown, 1, 1, "", f"cannot read the file: {error.strerror}", "", "yaml")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [
            Problem(shown, line, 1, "", "the file is not valid UTF-8", "save it as UTF-8", "yaml")
        ]
    text = text.removeprefix("\ufeff")
    return parse_record_text(text, shown, kind, record_id)


def _shown_path(file: Path, root: Path) -> str:
    try:  # a link is shown where it is, not where it points
        shown = (file.parent.resolve() / file.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = file.as_posix()
    return _visible(shown)


def _visible(name: str) -> str:
    """A file name fit for a one-line message: control characters (a newline!) written as \\xNN."""
    return _CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def records_dir(root: Path | None = None) -> Path:
    """The records folder: $PIPELINE_TRACKER_RECORDS if set, else records/ under root."""
    env = os.environ.get("PIPELINE_TRACKER_RECORDS")
    if env:
        return Path(env)
    return (root or Path.cwd()) / "records"


def records_folder_problem(records: Path, root: Path) -> Problem | None:
    """One line when the records folder is not one: missing, a file, or a folder holding none of
    the kind folders (a wrong $PIPELINE_TRACKER_RECORDS, such as records/drugs)."""
    env = os.environ.get("PIPELINE_TRACKER_RECORDS")
    named = f"PIPELINE_TRACKER_RECORDS={_visible(env)}" if env and Path(env) == records else ""
    shown = named or _shown_path(records, root)
    hint = (
        "point it at a folder holding drugs/, trials/, …, or unset it"
        if named
        else "run from the repository root or set PIPELINE_TRACKER_RECORDS"
    )
    try:
        if not records.exists():
            return Problem(shown, 1, 1, "", "records folder not found", hint, "files")
        if not records.is_dir():
            return Problem(shown, 1, 1, "", "is a file, not a records folder", hint, "files")
        entries = [e.name for e in records.iterdir() if not e.name.startswith(".")]
    except (OSError, ValueError) as error:
        return Problem(shown, 1, 1, "", f"cannot read the records folder: {error}", hint, "files")
    if entries and not (set(entries) & {*KINDS, "archive"}):
        return Problem(
            shown,
            1,
            1,
            "",
            "not a records folder: it holds none of " + ", ".join(f"{k}/" for k in KINDS),
            hint,
            "files",
        )
    return None


class FileReader(Protocol):
    """What load_records asks of a cache (records/cache.py FileCache, which imports this module):
    read_record's result for a file, or the last one if the file is unchanged."""

    def read(
        self, entry: os.DirEntry, folder: Path, root: Path, kind: str, shown: str | None
    ) -> tuple[Record | None, list[Problem]]: ...


def load_records(
    records: Path, root: Path | None = None, cache: FileReader | None = None
) -> tuple[dict[str, dict[str, Record]], list[Problem]]:
    """Read every record under records/<kind>/; returns records by kind and id, and problems.
    With `cache` (records/cache.py), a file unchanged since the cache read it is not read again."""
    if root is None or not records.resolve().is_relative_to(root.resolve()):
        root = records.parent  # paths read records/<kind>/<id>.yaml wherever the tree lives
    by_kind: dict[str, dict[str, Record]] = {kind: {} for kind in KINDS}
    problems: list[Problem] = []
    wrong = records_folder_problem(records, root)
    if wrong is not None:
        return by_kind, [wrong]
    for entry in sorted(records.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and entry.name not in KINDS and entry.name != "archive":
            problems.append(
                Problem(
                    _shown_path(entry, root),
                    1,
                    1,
                    "",
                    f"unknown record kind '{entry.name}'",
                    "kinds: " + ", ".join(KINDS),
                    "files",
                )
            )
        elif not entry.is_dir():
            problems.append(
                Problem(
                    _shown_path(entry, root),
                    1,
                    1,
                    "",
                    "records go in records/<kind>/<id>.yaml",
                    "",
                    "files",
                )
            )
    for kind in KINDS:
        folder = records / kind
        if folder.is_symlink():
            problems.append(
                Problem(
                    _shown_path(folder, root),
                    1,
                    1,
                    "",
                    "a record folder may not be a link",
                    "make it a real folder inside records/",
                    "files",
                )
            )
            continue
        if not folder.is_dir():
            continue
        # One scandir per folder: its entries know whether they are links or files without a
        # system call each, and a cached file costs one stat (reloads under `mkdocs serve`).
        with os.scandir(folder) as scan:
            dirents = sorted(scan, key=lambda e: e.name)
        names = {dirent.name for dirent in dirents}
        # Every file here is shown under the folder's own shown path: one realpath per folder.
        shown_folder = _shown_path(folder, root)
        same_place = not shown_folder.startswith("/") and shown_folder == _visible(shown_folder)
        for dirent in dirents:
            if dirent.name.startswith("."):
                continue
            if dirent.is_symlink():
                problems.append(
                    Problem(
                        _shown_path(folder / dirent.name, root),
                        1,
                        1,
                        "",
                        "a record file may not be a link",
                        "links can point outside records/; commit the file itself",
                        "files",
                    )
                )
                continue
            if not dirent.is_file() or not dirent.name.endswith(".yaml"):
                problems.append(
                    Problem(
                        _shown_path(folder / dirent.name, root),
                        1,
                        1,
                        "",
                        "only <id>.yaml files (no links, folders or other endings) belong here",
                        "",
                        "files",
                    )
                )
                continue
            if dirent.name != dirent.name.lower() and dirent.name.lower() in names:
                problems.append(
                    Problem(
                        _shown_path(folder / dirent.name, root),
                        1,
                        1,
                        "",
                        f"file name '{_visible(dirent.name)}' is not a lowercase ASCII slug and differs only by case from '{_visible(dirent.name.lower())}'",
                        "ids are lowercase: merge the two records into one file",
                        "ids",
                    )
                )
                continue
            shown = f"{shown_folder}/{_visible(dirent.name)}" if same_place else None
            if cache is None:
                record, found = read_record(folder / dirent.name, root, kind, shown)
            else:
                record, found = cache.read(dirent, folder, root, kind, shown)
            problems.extend(found)
            if record is not None:
                by_kind[kind][record.id] = record
    return by_kind, problems

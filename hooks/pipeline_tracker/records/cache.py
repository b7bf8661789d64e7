"""What reading and checking each file found, kept between builds (`mkdocs serve` rebuilds after
every edit): a file whose modification time, size and inode are unchanged is not read, parsed or
schema-checked again. The cross-record rules, the quote checks and `link()` still see every record,
so a reload finds the same problems and the same records as a cold load.

One FileCache object per records tree, kept by the caller between builds; nothing is global. A
file changed within the file system's timestamp granularity without changing its size could be
missed: the stat is taken before the read, so such a file is read again on the next change.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline_tracker.records.history import History, _git, read_history
from pipeline_tracker.records.load import Record, read_record
from pipeline_tracker.records.problems import Problem

Stamp = tuple[int, int, int]  # st_mtime_ns, st_size, st_ino


def stamp_of(stat: os.stat_result) -> Stamp:
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


@dataclass
class _Read:
    """One record file as last read: its stamp then, how it was shown, what reading it found."""

    stamp: Stamp
    where: tuple[str, str, str | None]  # root, kind, shown path: the same file read the same way
    record: Record | None
    problems: tuple[Problem, ...]
    schemas: object = None  # the schema set `schema` was found with (schemas.schema_set())
    schema: tuple[Problem, ...] = ()


@dataclass
class _Copy:
    """One archived copy as last read (evidence.read_copy): its value, None when unreadable."""

    stamp: Stamp
    where: str
    value: object
    problems: tuple[Problem, ...]


@dataclass
class FileCache:
    """Per-file results of reading records, checking their schema and reading archived copies,
    and the git history per HEAD. `reads` counts files actually read (tests, the bench)."""

    reads: int = 0
    _files: dict[str, _Read] = field(default_factory=dict)
    _by_record: dict[int, _Read] = field(default_factory=dict)  # id(record) → its entry
    _copies: dict[str, _Copy] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)
    _history: tuple[tuple[str, bytes], History] | None = None

    def read(
        self, entry: os.DirEntry, folder: Path, root: Path, kind: str, shown: str | None
    ) -> tuple[Record | None, list[Problem]]:
        """load.read_record(the entry's file, …), or what it returned last time if the file is
        unchanged (then without a Path made: a reload of 40,000 files makes none)."""
        key = entry.path
        self._seen.add(key)
        try:
            stamp = stamp_of(entry.stat())
        except OSError:
            return read_record(folder / entry.name, root, kind, shown)  # says why it cannot be
        where = (str(root), kind, shown)
        known = self._files.get(key)
        if known is not None and known.stamp == stamp and known.where == where:
            return known.record, list(known.problems)
        self.reads += 1
        record, problems = read_record(folder / entry.name, root, kind, shown)
        if record is not None:
            record.memo = {}
        self._forget(key)
        self._files[key] = _Read(stamp, where, record, tuple(problems))
        if record is not None:
            self._by_record[id(record)] = self._files[key]
        return record, problems

    def schema_problems(
        self, record: Record, schemas, check: Callable[[Record], list[Problem]]
    ) -> list[Problem]:
        """check(record) (its schema problems), unless this record object was checked against
        the same schema set before. Records not read through this cache are always checked."""
        known = self._by_record.get(id(record))
        if known is None or known.record is not record:
            return check(record)
        if known.schemas is not schemas:
            if record.memo:
                record.memo.clear()  # what the rules found assumed the old verdict
            known.schema = tuple(check(record))
            known.schemas = schemas
        return list(known.schema)

    def copy(
        self, file: Path, where: str, read: Callable[[Path, str], tuple[Any, list[Problem]]]
    ) -> tuple[Any, list[Problem]]:
        """read(file, where) for an archived copy, or its last result if the file is unchanged."""
        key = str(file)
        self._seen.add(key)
        try:
            stamp = stamp_of(file.stat())
        except OSError:
            return read(file, where)
        known = self._copies.get(key)
        if known is not None and known.stamp == stamp and known.where == where:
            return known.value, list(known.problems)
        self.reads += 1
        value, problems = read(file, where)
        self._copies[key] = _Copy(stamp, where, value, tuple(problems))
        return value, problems

    def history(self, records_path: Path) -> History:
        """records.history.read_history(records_path), read again only when HEAD has moved (the
        dates come from commits only, never from the work tree)."""
        folder = Path(records_path)
        head = _git(["rev-parse", "HEAD"], folder) if folder.is_dir() else None
        if head is None:
            self._history = None
            return read_history(folder)
        key = (str(folder.resolve()), head)
        if self._history is not None and self._history[0] == key:
            return self._history[1]
        history = read_history(folder)
        self._history = (key, history)
        return history

    def begin(self) -> None:
        """Start a load: files not looked up again before `end` are forgotten (deleted files)."""
        self._seen = set()

    def end(self) -> None:
        for key in [k for k in self._files if k not in self._seen]:
            self._forget(key)
        for key in [k for k in self._copies if k not in self._seen]:
            del self._copies[key]
        self._seen = set()

    def _forget(self, key: str) -> None:
        known = self._files.pop(key, None)
        if known is not None and known.record is not None:
            self._by_record.pop(id(known.record), None)

"""When each record was added and last changed, read from the repository's git history at build time.

One `git log` pass over the records folder for the whole build (never one git call per record),
bounded to the newest MAX_COMMITS commits on the first-parent line (a change's date is the day it
reached the branch, merge or commit). Dates come from commits (committer time, UTC), never from
the clock, so a rebuild gives the same pages.

Never a wrong date: outside a git checkout, without git, or when git fails, `available` is False
and every date is unknown. Past the MAX_COMMITS cap, a record added earlier has no "added" date
(unknown, not the oldest date seen). A shallow clone's cut commit shows every file as added: its
lines are skipped, so a date comes only from commits whose parent git has. A record with
uncommitted changes keeps its last committed dates; a record never committed has none.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline_tracker.records.load import KINDS

MAX_COMMITS = 5000  # commits read; older ones leave "added" unknown, never wrong
RECENT_CHANGES = 2000  # newest record-file changes kept, for the "Recently changed" page and feed
GIT_TIMEOUT = 60  # seconds; a slower git is treated as no git
_EMPTY = "0" * 40


@dataclass(frozen=True)
class RecordDates:
    """A record's dates from the history: YYYY-MM-DD, or "" when the history cannot say."""

    added: str = ""
    changed: str = ""


@dataclass(frozen=True)
class FileChange:
    """One record file changed by one commit: A (added), M (modified) or D (deleted), with the
    blob ids before and after (git object names; "" for none)."""

    kind: str
    record_id: str
    status: str
    date: str
    commit: str
    old_blob: str
    new_blob: str


@dataclass
class History:
    """The records' history as one build read it."""

    available: bool = False
    reason: str = "not read"  # why dates are unknown, in words ("not a git checkout")
    dates: dict[tuple[str, str], RecordDates] = field(default_factory=dict)
    recent: list[FileChange] = field(default_factory=list)  # newest first, RECENT_CHANGES at most
    top: Path | None = None  # the folder git ran in (blobs are read there)
    # Blob id → text already read (a blob never changes): a History kept between builds (one
    # per HEAD, records/cache.py) reads each blob once.
    blobs: dict[str, tuple[int, str]] = field(default_factory=dict, compare=False, repr=False)

    def of(self, kind: str, record_id: str) -> RecordDates:
        return self.dates.get((kind, record_id), RecordDates())


def _git(args: list[str], cwd: Path, data: bytes | None = None) -> bytes | None:
    """git's output, or None when git is missing, fails or is too slow (no traceback)."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _day(stamp: str) -> str:
    return datetime.fromtimestamp(int(stamp), UTC).date().isoformat()


def _record_of(path: str) -> tuple[str, str] | None:
    parts = path.split("/")
    if len(parts) == 2 and parts[0] in KINDS and parts[1].endswith(".yaml"):
        return parts[0], parts[1][: -len(".yaml")]
    return None


def read_history(
    records_path: Path, max_commits: int = MAX_COMMITS, recent: int = RECENT_CHANGES
) -> History:
    """The dates of every record file under `records_path`, from one `git log`."""
    folder = Path(records_path)
    if not folder.is_dir():
        return History(reason="no records folder")
    shallow = _git(["rev-parse", "--is-shallow-repository"], folder)
    if shallow is None:
        return History(reason="not a git checkout")
    log = _git(
        [
            "-c",
            "core.quotePath=false",
            "log",
            "-z",
            f"--max-count={max_commits}",
            "--first-parent",
            "--diff-merges=first-parent",
            "--no-renames",  # a renamed record is a new id: removed, then added
            "--raw",
            "--no-abbrev",
            "--relative",
            "--format=%x01%H %ct %P",
            "--",
            ".",
        ],
        folder,
    )
    if log is None:
        return History(reason="git log failed")
    history = History(available=True, reason="", top=folder)
    parse_log(log.decode("utf-8", "replace"), history, shallow.strip() == b"true", recent)
    return history


def parse_log(text: str, history: History, shallow: bool, recent: int = RECENT_CHANGES) -> None:
    """Fill `history` from `git log -z --raw --format=%x01%H %ct %P` output, newest first."""
    commits = [chunk for chunk in text.split("\x01") if chunk]
    added: dict[tuple[str, str], str] = {}
    changed: dict[tuple[str, str], str] = {}
    settled: set[tuple[str, str]] = set()  # records whose latest addition has been seen
    for chunk in commits:
        header, _, body = chunk.partition("\0")
        fields = header.split()
        if len(fields) < 2 or not fields[1].isdigit():
            continue
        commit, date, parents = fields[0], _day(fields[1]), fields[2:]
        if shallow and not parents:
            # Where a shallow clone's history is cut: git shows every file there as added, which
            # says nothing of when it was (a true first commit is not told apart: unknown too).
            continue
        parts = body.lstrip("\n").split("\0")
        for meta, path in zip(parts[0::2], parts[1::2], strict=False):
            fields = meta.lstrip(":").split()
            if len(fields) < 5:
                continue
            key = _record_of(path)
            if key is None:
                continue
            status = fields[4][:1]
            changed.setdefault(key, date)
            if status == "A" and key not in settled:
                added[key] = date
                settled.add(key)
            elif status == "D":
                settled.add(key)  # an older addition was of a record since removed
            if len(history.recent) < recent:
                history.recent.append(
                    FileChange(
                        key[0],
                        key[1],
                        status,
                        date,
                        commit,
                        "" if fields[2] == _EMPTY else fields[2],
                        "" if fields[3] == _EMPTY else fields[3],
                    )
                )
    for key in changed.keys() | added.keys():
        history.dates[key] = RecordDates(added.get(key, ""), changed.get(key, ""))


def read_blobs(history: History, blobs: list[str], max_bytes: int) -> dict[str, str]:
    """Blob id → text for the given blobs, with one `git cat-file --batch`; a blob larger than
    `max_bytes` or unreadable is left out."""
    known: dict[str, str] = {}  # read before (by an earlier build on the same History)
    for blob in blobs:
        held = history.blobs.get(blob)
        if held is not None and held[0] <= max_bytes:
            known[blob] = held[1]
    wanted = sorted({b for b in blobs if b and b not in history.blobs})
    if not wanted or history.top is None:
        return known
    out = _git(["cat-file", "--batch"], history.top, ("\n".join(wanted) + "\n").encode())
    if out is None:
        return known
    found: dict[str, str] = {}
    at = 0
    for blob in wanted:
        end = out.find(b"\n", at)
        if end < 0:
            break
        head = out[at:end].split()
        at = end + 1
        if len(head) != 3 or head[1] != b"blob":
            continue  # "<sha> missing"
        size = int(head[2])
        if size <= max_bytes:
            found[blob] = out[at : at + size].decode("utf-8", "replace")
            history.blobs[blob] = (size, found[blob])
        at += size + 1
    return {**known, **found}

"""Loading the tracker again after an edit (`mkdocs serve`): build.load_tracker with a cache kept
between builds, so only the files changed since the last load are read and schema-checked."""

from __future__ import annotations

from pathlib import Path

from pipeline_tracker.model.changes import recent_changes
from pipeline_tracker.model.tracker import Tracker, link
from pipeline_tracker.records.cache import FileCache
from pipeline_tracker.records.history import read_history
from pipeline_tracker.records.problems import RecordsInvalid
from pipeline_tracker.records.validate import load_and_check


def load_tracker(
    records_path: Path,
    root: Path | None = None,
    cache: FileCache | None = None,
    previous: Tracker | None = None,
) -> Tracker:
    """build.load_tracker, reusing what `cache` holds and, with `previous` (the last tracker
    loaded through the same cache), linking again only what changed: the same tracker and the
    same problems (RecordsInvalid) as a cold load. Without a cache it is a cold load."""
    records, problems = load_and_check(records_path, root, cache)
    if problems:
        raise RecordsInvalid(problems)
    tracker = link(records, previous if cache is not None else None)
    tracker.history = cache.history(records_path) if cache else read_history(records_path)
    tracker.recent_changes = recent_changes(tracker, tracker.history)
    return tracker

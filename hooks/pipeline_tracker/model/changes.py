"""What changed in the records recently, in readers' words, from the history one build read.

`recent_changes` is the one decision behind the "Recently changed" page and its feed: a record
added, a new event (an event record added: an approval added today from a 2024 notice is news
today), a drug whose stated phase changed (old and new status rows compared with the one status
label), a record removed. Other edits (a typo, a new source for the same fact) are left out: the
record page says when it last changed and links its history.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline_tracker.model.claims import display_name, event_label, status_label
from pipeline_tracker.model.tracker import Tracker, status_phase_rows
from pipeline_tracker.records.history import FileChange, History, read_blobs
from pipeline_tracker.records.load import MAX_FILE_BYTES, parse_record_text
from pipeline_tracker.records.phases import region_name

MAX_ENTRIES = 50  # entries on the page and in the feed
MAX_COMPARED = 200  # drug edits whose old and new text are read to find phase changes

ADDED = "added"
NEW_EVENT = "new event"
PHASE_CHANGED = "phase changed"
REMOVED = "removed"


@dataclass(frozen=True)
class RecordChange:
    """One change for readers: when it reached the tracker, which record, what happened."""

    date: str  # the commit's day (UTC), YYYY-MM-DD
    kind: str
    record_id: str
    change: str  # ADDED, NEW_EVENT, PHASE_CHANGED, REMOVED
    name: str  # the record's display name (its id when removed)
    details: tuple[str, ...]  # plain text lines: "Breast cancer · China: phase 2 → phase 3"
    commit: str
    event_date: str = ""  # a new event's own date ("" when the source gives none)
    exists: bool = True  # the record is in the tracker now (its page can be linked)


def _stated_phases(kind: str, record_id: str, text: str) -> dict[tuple[str, str], set[str]] | None:
    """(indication, region) → the labels a drug's own status entries give there; None when the
    text cannot be read as a drug."""
    record, _problems = parse_record_text(text, f"{kind}/{record_id}.yaml", kind, record_id)
    if record is None:
        return None
    try:
        rows = status_phase_rows(record)
    except (KeyError, TypeError, AttributeError, ValueError):  # an old text of another shape
        return None
    found: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        found.setdefault((row.indication, row.region), set()).add(status_label(row).plain)
    return found


def _phase_details(tracker: Tracker, before: dict, after: dict) -> tuple[str, ...]:
    lines = []
    for key in sorted(before.keys() | after.keys()):
        was, now = sorted(before.get(key, ())), sorted(after.get(key, ()))
        if was == now:
            continue
        indication, region = key
        where = (
            f"{display_name(tracker.records, 'indications', indication)} · {region_name(region)}"
        )
        lines.append(f"{where}: {'; '.join(was) or 'none'} → {'; '.join(now) or 'none'}")
    return tuple(lines)


def recent_changes(
    tracker: Tracker, history: History, limit: int = MAX_ENTRIES
) -> list[RecordChange]:
    """The newest record changes readers care about, newest first (at most `limit`)."""
    if not history.available:
        return []
    edits = [c for c in history.recent if c.status == "M" and c.kind == "drugs"][:MAX_COMPARED]
    texts = read_blobs(
        history, [b for c in edits for b in (c.old_blob, c.new_blob)], MAX_FILE_BYTES
    )
    compared = {id(c) for c in edits}
    found: list[RecordChange] = []
    for change in history.recent:
        if len(found) >= limit:
            break
        entry = _classify(tracker, change, texts if id(change) in compared else {})
        if entry is not None:
            found.append(entry)
    return found


def _classify(tracker: Tracker, change: FileChange, texts: dict[str, str]) -> RecordChange | None:
    kind, rid = change.kind, change.record_id
    exists = rid in tracker.records.get(kind, {})
    name = display_name(tracker.records, kind, rid)
    if change.status == "D":
        return RecordChange(change.date, kind, rid, REMOVED, name, (), change.commit, exists=exists)
    if change.status == "A":
        if kind == "events" and exists:
            event = tracker.get("events", rid)
            drugs = ", ".join(display_name(tracker.records, "drugs", d) for d in event["drugs"])
            label = event_label(event).plain + (f": {drugs}" if drugs else "")
            return RecordChange(
                change.date,
                kind,
                rid,
                NEW_EVENT,
                name,
                (label,),
                change.commit,
                event_date=str(event.get("date", "")),
            )
        return RecordChange(change.date, kind, rid, ADDED, name, (), change.commit, exists=exists)
    if change.status == "M" and kind == "drugs":
        old, new = texts.get(change.old_blob), texts.get(change.new_blob)
        if old is None or new is None:
            return None
        before, after = _stated_phases(kind, rid, old), _stated_phases(kind, rid, new)
        if before is None or after is None or before == after:
            return None
        details = _phase_details(tracker, before, after)
        return RecordChange(change.date, kind, rid, PHASE_CHANGED, name, details, change.commit)
    return None

"""Data-quality checks that depend on the calendar: stale reviews, old news, old sources, conflicts.

Everything date-dependent takes `today` as an argument. The build's one "today" comes from
`build_today()`: $PIPELINE_TRACKER_TODAY (YYYY-MM-DD) when set, else the build machine's date, so
the quality page and the "no development reported" markers change with the build date and nothing
else; tests and reproducible rebuilds pin the date with the variable.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import os
import weakref
from dataclasses import dataclass, field

from pipeline_tracker.model.tracker import PhaseRow, Tracker, status_phase_rows
from pipeline_tracker.records.dates import date_end
from pipeline_tracker.records.evidence import citation_ids
from pipeline_tracker.records.load import KINDS
from pipeline_tracker.records.problems import Problem, RecordsInvalid

TODAY_ENV = "PIPELINE_TRACKER_TODAY"
REVIEW_MONTHS = 12  # a record not reviewed for longer than this is stale
NEWS_YEARS = 2  # a status with no news for longer than this is "no development reported"
SOURCE_YEARS = 2  # a claim whose newest source is older than this rests on old sources
REGISTRY_MONTHS = 12  # a trial's registry copy retrieved longer ago than this is out of date


def build_today(value: str | None = None) -> dt.date:
    """The build's "today": `value`, else $PIPELINE_TRACKER_TODAY, else the machine's date."""
    text = value if value is not None else os.environ.get(TODAY_ENV, "")
    if not text:
        return dt.date.today()
    return _today_of(text)


@functools.lru_cache(maxsize=8)
def _today_of(text: str) -> dt.date:
    """The date a "today" text names (asked for on every table row: worked out once per text;
    a text it refuses raises again each time)."""
    try:
        today = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise _bad_today(f"'{text}' is not a date", "write it as YYYY-MM-DD") from None
    try:  # the furthest the checks look back must still be a date (0001-01-01 was a traceback)
        years_before(today, max(NEWS_YEARS, SOURCE_YEARS), REVIEW_MONTHS)
    except ValueError:
        raise _bad_today(
            f"'{text}' is too early: the checks look back {LOOK_BACK} from it",
            "write the build's date as YYYY-MM-DD",
        ) from None
    return today


LOOK_BACK = f"{max(NEWS_YEARS, SOURCE_YEARS)} years and {REVIEW_MONTHS} months"


def _bad_today(message: str, hint: str) -> RecordsInvalid:
    return RecordsInvalid([Problem(f"${TODAY_ENV}", 1, 1, "", message, hint, "config")])


def years_before(today: dt.date, years: int = 0, months: int = 0) -> dt.date:
    """The same calendar day `years` and `months` earlier (29 February falls back to the 28th)."""
    total = today.year * 12 + today.month - 1 - years * 12 - months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


_NEWS: tuple[weakref.ref, dict] | None = None  # the tracker last asked about, and its answers


def last_news(tracker: Tracker, row: PhaseRow) -> str:
    """The newest date known about a drug in an indication: the row's own date or any event's.
    Worked out once per row of a tracker (pages ask again for the same row: its drug's pipeline,
    status table, landscapes), as records do not change while a tracker is in use."""
    global _NEWS
    if _NEWS is None or _NEWS[0]() is not tracker:
        _NEWS = (weakref.ref(tracker), {})
    known = _NEWS[1]
    news = known.get(row)
    if news is None:
        news = known[row] = _last_news(tracker, row)
    return news


def _last_news(tracker: Tracker, row: PhaseRow) -> str:
    dates = [row.date] if row.date else []
    for event in tracker.events_for("drugs", row.drug):
        data = tracker.get("events", event)
        if row.indication in (data.get("indications") or [row.indication]) and data.get("date"):
            dates.append(data["date"])
    return max(dates, key=lambda d: date_end(d) or dt.date.min) if dates else ""


def no_development_reported(tracker: Tracker, row: PhaseRow, today: dt.date | str | None) -> bool:
    """An active development row, not yet approved, with no dated news for more than NEWS_YEARS
    years. Special access is not development: it is never flagged."""
    if not row.active or row.phase == "approved" or row.special_access:
        return False
    news = date_end(last_news(tracker, row))
    today = today if isinstance(today, dt.date) else build_today(today)
    return news is not None and news < years_before(today, NEWS_YEARS)


@dataclass(frozen=True)
class Claim:
    """A sourced statement inside a record (any object with a `sources` list)."""

    kind: str
    record: str
    pointer: str
    sources: tuple[str, ...]
    newest: str


def claims(tracker: Tracker) -> list[Claim]:
    """Every object with a `sources` list, in every record, with its newest source date."""
    found: list[Claim] = []

    def walk(kind: str, rid: str, value, pointer: str) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("sources"), list):
                sources = citation_ids(value["sources"])
                dates = [
                    tracker.get("sources", s).get("date", "")
                    for s in sources
                    if s in tracker.records["sources"]
                ]
                newest = (
                    max(dates, key=lambda d: date_end(d) or dt.date.min)
                    if dates and all(dates)
                    else ""
                )
                found.append(Claim(kind, rid, pointer or "/", sources, newest))
            for key, child in value.items():
                walk(kind, rid, child, f"{pointer}/{key}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(kind, rid, child, f"{pointer}/{index}")

    for kind in KINDS:
        for rid in tracker.ids(kind):
            walk(kind, rid, tracker.get(kind, rid), "")
    return found


@dataclass(frozen=True)
class Conflict:
    drug: str
    indication: str
    region: str
    message: str
    kind: str  # "events" or "drugs": where the unmatched half lives
    record: str


@dataclass
class QualityReport:
    today: dt.date
    stale_records: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # kind, id, last_reviewed
    never_reviewed: list[tuple[str, str]] = field(default_factory=list)
    no_development: list[tuple[PhaseRow, str]] = field(default_factory=list)  # row, last news
    old_claims: list[Claim] = field(default_factory=list)
    undated_sources: list[str] = field(default_factory=list)
    unused_targets: list[str] = field(default_factory=list)
    unused_indications: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    # Records a registry import created (`review: imported`), by kind and id, awaiting review.
    imported: list[tuple[str, str]] = field(default_factory=list)
    # Trials whose archived registry copy was retrieved before registry_cutoff: (trial, source,
    # retrieved); `pipeline-tracker import ctgov <NCT id>` refreshes them.
    old_registry_copies: list[tuple[str, str, str]] = field(default_factory=list)
    # Approval events that name no indication (a Drugs@FDA import never guesses one): no status
    # row comes from them until a curator adds the indication from the label.
    approvals_without_indication: list[str] = field(default_factory=list)

    @property
    def registry_cutoff(self) -> dt.date:
        return years_before(self.today, months=REGISTRY_MONTHS)

    @property
    def review_cutoff(self) -> dt.date:
        return years_before(self.today, months=REVIEW_MONTHS)

    @property
    def news_cutoff(self) -> dt.date:
        return years_before(self.today, NEWS_YEARS)

    @property
    def source_cutoff(self) -> dt.date:
        return years_before(self.today, SOURCE_YEARS)

    @property
    def total(self) -> int:
        return sum(
            len(items)
            for items in (
                self.stale_records,
                self.never_reviewed,
                self.no_development,
                self.old_claims,
                self.unused_targets,
                self.unused_indications,
                self.conflicts,
                self.imported,
                self.old_registry_copies,
                self.approvals_without_indication,
            )
        )


def approval_conflicts(tracker: Tracker) -> list[Conflict]:
    """Approval events and approved status rows that lack a drug x indication x region twin."""
    stated = {
        (row.drug, row.indication, row.region)
        for drug in tracker.ids("drugs")
        for row in status_phase_rows(tracker.records["drugs"][drug])
        if row.phase == "approved"
    }
    events: dict[tuple[str, str, str], str] = {}
    for event in tracker.ids("events"):
        data = tracker.get("events", event)
        if data["type"] != "approval":
            continue
        for drug in data["drugs"]:
            for indication in data.get("indications") or []:
                for region in data.get("regions") or []:
                    events.setdefault((drug, indication, region), event)
    found = [
        Conflict(
            *key,
            "approval event but no approved status row for this drug, indication and region",
            "events",
            event,
        )
        for key, event in events.items()
        if key not in stated
    ]
    found += [
        Conflict(
            *key,
            "approved status row but no approval event for this drug, indication and region",
            "drugs",
            key[0],
        )
        for key in stated
        if key not in events
    ]
    return sorted(found, key=lambda c: (c.drug, c.indication, c.region, c.kind))


def report(tracker: Tracker, today: dt.date) -> QualityReport:
    """Every data-quality finding as of `today`."""
    result = QualityReport(today)
    for kind in KINDS:
        for rid in tracker.ids(kind):
            reviewed = tracker.get(kind, rid).get("last_reviewed", "")
            if not reviewed:
                result.never_reviewed.append((kind, rid))
            elif (date_end(reviewed) or dt.date.max) < result.review_cutoff:
                result.stale_records.append((kind, rid, reviewed))
    result.stale_records.sort(key=lambda x: (x[2], x[0], x[1]))
    for drug in tracker.ids("drugs"):
        for row in tracker.highest_by_indication_region(drug):
            if no_development_reported(tracker, row, today):
                result.no_development.append((row, last_news(tracker, row)))
    for claim in claims(tracker):
        if claim.newest and (date_end(claim.newest) or dt.date.max) < result.source_cutoff:
            result.old_claims.append(claim)
    result.undated_sources = [
        s for s in tracker.ids("sources") if not tracker.get("sources", s).get("date")
    ]
    result.unused_targets = [
        t for t in tracker.ids("targets") if not tracker.cited_by("targets", t, "drugs")
    ]
    result.unused_indications = [
        i for i in tracker.ids("indications") if not tracker.drugs_in_indication(i)
    ]
    result.conflicts = approval_conflicts(tracker)
    result.imported = [
        (kind, rid)
        for kind in ("drugs", "companies", "indications")
        for rid in tracker.ids(kind)
        if tracker.get(kind, rid).get("review") == "imported"
    ]
    result.approvals_without_indication = [
        e
        for e in tracker.ids("events")
        if tracker.get("events", e).get("type") == "approval"
        and not tracker.get("events", e).get("indications")
    ]
    for trial in tracker.ids("trials"):
        for sid in citation_ids(tracker.get("trials", trial).get("sources")):
            source = tracker.records["sources"].get(sid)
            retrieved = source.data.get("retrieved", "") if source is not None else ""
            if (
                source is not None
                and source.data.get("kind") == "trial registry"
                and retrieved
                and (date_end(retrieved) or dt.date.max) < result.registry_cutoff
            ):
                result.old_registry_copies.append((trial, sid, retrieved))
    return result

"""A programme's history on a time axis: which lanes, which dated points, which qualifiers.

`programme_history` is the one decision behind every history chart (drug, indication and company
pages): the template only draws what it returns. A lane is a programme: drug × indication, split
by region only where the regions' histories differ (a status entry naming the US and the EU gives
one lane for both); special access has lanes of its own, never drawn as approval. Each status row
with a date is a point at that date, with its one label (claims.status_label) and its
qualifiers: a date the source gives only approximately, a date the curator inferred. Rows
without a date are listed, not drawn (no date is invented). On a drug's page, its other events
(designations, deals, …) are markers on an "Events" lane.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass

from pipeline_tracker.model.claims import display_name, event_label, status_label
from pipeline_tracker.model.tracker import PhaseRow, Tracker
from pipeline_tracker.records.dates import date_start
from pipeline_tracker.records.phases import EVENT_TYPE_TO_LADDER

MAX_LANES = 40  # lanes drawn; a page with more says how many and where the rest are


@dataclass(frozen=True)
class ChartPoint:
    """A dated fact on a lane: a status row (a phase reached or stated as of the date, or special
    access granted), or an event."""

    date: str  # as the source gives it: 2021, 2021-06, 2021-06-15 ("" when not given)
    day: int  # the first day the date can mean, as a proleptic ordinal (0 when no date)
    label: str  # the one label: status_label(row).text, or event_label(event).text
    stage: str  # what the mark shows: "approved", "phase-3", "inactive", "special-access", "event"
    approximate: str  # the source's words for an approximate date, "" when exact
    inferred: str  # the curator's reason when the date is inferred, "" when stated
    basis: str  # "status", "trial", "event"
    basis_id: str  # the trial's or event's id ("" for a stated status row)
    value_inferred: str = ""  # the reason when the phase, indication or region is inferred


@dataclass(frozen=True)
class Lane:
    drug: str
    indication: str  # "" on a drug's events lane
    regions: tuple[str, ...]  # the regions whose history this lane draws (in order)
    special_access: bool  # a special-access lane (named-patient, early access): never approval
    events: bool  # the drug's events lane (designations, deals, …)
    points: tuple[ChartPoint, ...]  # dated, oldest first
    undated: tuple[ChartPoint, ...]  # rows without a date: listed beside the chart, not drawn

    @property
    def as_of(self) -> str:
        """The lane's latest date: what it shows holds as of then."""
        return self.points[-1].date if self.points else ""


@dataclass(frozen=True)
class HistoryChart:
    lanes: tuple[Lane, ...]  # at most MAX_LANES
    programmes: int  # drug × indication programmes in all (special access apart), drawn or not
    capped: bool  # some lanes are not drawn (more than MAX_LANES)
    first_day: int  # the axis: 1 January of the oldest point's year, as an ordinal
    last_day: int  # … 31 December of the newest point's year
    years: tuple[tuple[int, str], ...]  # (ordinal of 1 January, "2021") for each year on the axis

    @property
    def span(self) -> int:
        return max(self.last_day - self.first_day, 1)

    @property
    def marks(self) -> frozenset[str]:
        """The kinds of mark the chart draws, which its legend and description name: "date" (a
        status as the source dates it), "approximate", "inferred", "special-access", "event"."""
        kinds = set()
        for lane in self.lanes:
            for p in lane.points:
                kinds.add(p.stage if p.stage in ("special-access", "event") else "date")
                if p.approximate:
                    kinds.add("approximate")
                if p.inferred:
                    kinds.add("inferred")
        return frozenset(kinds)


def _stage(row: PhaseRow) -> str:
    if row.special_access:
        return "special-access"
    if not row.active:
        return "inactive"
    return row.phase.replace(" ", "-").replace("/", "-")


@functools.lru_cache(maxsize=4096)
def _day(date: str) -> int:
    """The first day a partial date can mean, as an ordinal; 0 for no date (dates repeat a lot:
    computed once each)."""
    start = date_start(date) if date else None
    return start.toordinal() if start else 0


def _row_point(row: PhaseRow) -> ChartPoint:
    day = _day(row.date)
    label = status_label(row)
    return ChartPoint(
        date=row.date if day else "",
        day=day,
        label=label.text,
        stage=_stage(row),
        approximate=row.date_approximate,
        inferred=row.inferred_reason("date"),
        basis=row.basis,
        basis_id=row.basis_id,
        value_inferred="; ".join(f"{f}: {r}" for f, r in label.inferred_claim),
    )


def _event_point(event_id: str, event: dict) -> ChartPoint:
    date = str(event.get("date", ""))
    day = _day(date)
    label = event_label(event)
    return ChartPoint(
        date=date if day else "",
        day=day,
        label=label.text,
        stage="event",
        approximate=str(event.get("date_approximate", "")),
        inferred=dict(label.inferred).get("date", ""),
        basis="event",
        basis_id=event_id,
    )


def _lanes_of_drug(
    tracker: Tracker, drug: str, rows: list[PhaseRow], with_events: bool
) -> list[Lane]:
    by_programme: dict[tuple[str, bool], dict[str, list[PhaseRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        by_programme[(row.indication, row.special_access)][row.region].append(row)
    lanes = []
    for (indication, special), by_region in by_programme.items():
        # Regions whose histories are the same (same points) share a lane.
        merged: dict[tuple, list[str]] = {}
        histories: dict[tuple, list[ChartPoint]] = {}
        for region in sorted(by_region):
            points = sorted(
                {_row_point(r) for r in by_region[region]},
                key=lambda p: (p.day, p.label, p.basis_id),
            )
            key = tuple(points)
            merged.setdefault(key, []).append(region)
            histories[key] = points
        for key, regions in merged.items():
            points = histories[key]
            lanes.append(
                Lane(
                    drug,
                    indication,
                    tuple(regions),
                    special,
                    False,
                    tuple(p for p in points if p.day),
                    tuple(p for p in points if not p.day),
                )
            )
    lanes.sort(
        key=lambda lane: (
            display_name(tracker.records, "indications", lane.indication).lower(),
            lane.special_access,
            lane.regions,
        )
    )
    if with_events:
        points = []
        for event in tracker.events_for("drugs", drug):
            data = tracker.get("events", event)
            if EVENT_TYPE_TO_LADDER.get(data["type"]) and data.get("indications"):
                continue  # an approval, filing or special access is on its programme's lane
            points.append(_event_point(event, data))
        if points:
            points.sort(key=lambda p: (p.day, p.basis_id))
            lanes.append(
                Lane(
                    drug,
                    "",
                    (),
                    False,
                    True,
                    tuple(p for p in points if p.day),
                    tuple(p for p in points if not p.day),
                )
            )
    return lanes


def programme_history(
    tracker: Tracker,
    rows_by_drug: dict[str, list[PhaseRow]],
    with_events: bool = False,
    limit: int = MAX_LANES,
) -> HistoryChart:
    """The history chart of some drugs' programmes (`rows_by_drug`: drug → the status rows to
    draw: all of a drug's on its page, those in an indication or within a company's role on
    theirs). `with_events`: add each drug's events lane (a drug's own page)."""
    lanes: list[Lane] = []
    programmes = 0
    capped = False
    for drug in sorted(rows_by_drug, key=lambda d: display_name(tracker.records, "drugs", d)):
        rows = rows_by_drug[drug]
        programmes += len({(r.indication, r.special_access) for r in rows})
        if len(lanes) < limit:  # lanes past the cap are only counted: a page with thousands
            lanes.extend(_lanes_of_drug(tracker, drug, rows, with_events))  # stays cheap
        else:
            capped = True
    capped = capped or len(lanes) > limit
    shown = tuple(lanes[:limit])
    # A drawn point's date is a checked ISO date (records/dates.py): its year is its first four
    # digits. The axis runs from 1 January of the oldest year to 31 December of the newest.
    years_seen = [int(p.date[:4]) for lane in shown for p in lane.points]
    if not years_seen:
        return HistoryChart(shown, programmes, capped, 0, 1, ())
    first_year, last_year = min(years_seen), max(years_seen)
    years = tuple(
        (dt.date(year, 1, 1).toordinal(), str(year)) for year in range(first_year, last_year + 1)
    )
    last = dt.date(last_year, 12, 31).toordinal()
    return HistoryChart(shown, programmes, capped, years[0][0], last, years)


def drug_history(tracker: Tracker, drug: str) -> HistoryChart:
    """A drug's page: every programme of the drug, and its other events."""
    return programme_history(tracker, {drug: tracker.phase_rows.get(drug, [])}, with_events=True)


def indication_history(tracker: Tracker, indication: str) -> HistoryChart:
    """An indication's page: its drugs' programmes in it and its narrower indications."""
    scope = tracker.indication_with_descendants(indication)
    rows = {
        drug: [r for r in tracker.phase_rows.get(drug, []) if r.indication in scope]
        for drug in tracker.drugs_in_indication(indication)
    }
    return programme_history(tracker, {d: r for d, r in rows.items() if r})


def company_history(tracker: Tracker, company: str) -> HistoryChart:
    """A company's page: its drugs' programmes within its territory and role
    (Tracker.programmes_of_company, as its pipeline table)."""
    return programme_history(tracker, tracker.programmes_of_company(company))

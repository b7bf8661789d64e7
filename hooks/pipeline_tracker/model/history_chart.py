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

from collections import defaultdict
from dataclasses import dataclass

from pipeline_tracker.model.claims import display_name, event_label, status_label
from pipeline_tracker.model.tracker import PhaseRow, Tracker
from pipeline_tracker.records.dates import date_end, date_start
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
    total: int  # lanes before the cap
    first_day: int  # the axis: the first day of the oldest point's year
    last_day: int  # … the last day of the newest point's year
    years: tuple[tuple[int, str], ...]  # (ordinal of 1 January, "2021") for each year on the axis

    @property
    def capped(self) -> bool:
        return self.total > len(self.lanes)

    @property
    def span(self) -> int:
        return max(self.last_day - self.first_day, 1)


def _stage(row: PhaseRow) -> str:
    if row.special_access:
        return "special-access"
    if not row.active:
        return "inactive"
    return row.phase.replace(" ", "-").replace("/", "-")


def _row_point(row: PhaseRow) -> ChartPoint:
    start = date_start(row.date) if row.date else None
    label = status_label(row)
    return ChartPoint(
        date=row.date if start else "",
        day=start.toordinal() if start else 0,
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
    start = date_start(date) if date else None
    label = event_label(event)
    return ChartPoint(
        date=date if start else "",
        day=start.toordinal() if start else 0,
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
    for drug in sorted(rows_by_drug, key=lambda d: display_name(tracker.records, "drugs", d)):
        lanes.extend(_lanes_of_drug(tracker, drug, rows_by_drug[drug], with_events))
    total = len(lanes)
    shown = tuple(lanes[:limit])
    dates = [p.date for lane in shown for p in lane.points]
    if not dates:
        return HistoryChart(shown, total, 0, 1, ())
    starts = [date_start(d) for d in dates]
    ends = [date_end(d) for d in dates]
    first_year = min(s.year for s in starts if s)
    last_year = max(e.year for e in ends if e)
    first = date_start(str(first_year))
    last = date_end(str(last_year))
    assert first is not None and last is not None
    years = tuple(
        (start.toordinal(), str(year))
        for year in range(first_year, last_year + 1)
        if (start := date_start(f"{year:04d}")) is not None
    )
    return HistoryChart(shown, total, first.toordinal(), last.toordinal(), years)


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

"""What the tracker says about a fact, decided once, with the qualifiers that travel with it.

Every view asks these functions: record pages, indexes, landscapes, pipeline bars, the timeline,
deals, feeds, search previews, the PR `diff` summary and the exports. A view may show a label
short or long, but it never re-derives one from raw fields, so a qualifier (inferred, route,
scheme, development status) cannot fall off on the way.

- `status_label(row)`: the label of a status row (phase, or special access, + route + status),
  with the fields the curator inferred and why.
- `event_label(event)`: the label of an event (type + route or filing stage), likewise.
- `display_name(records, kind, id)`: what a record is called on every page, feed and summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline_tracker.records.phases import SPECIAL_ACCESS

if TYPE_CHECKING:
    from pipeline_tracker.model.tracker import PhaseRow

# Routes the label names: a standard approval is what "approved" means already.
_NAMED_ROUTES = ("conditional approval",)
# The fields of a status row a short label vouches for (the date has its own mark where shown).
CLAIM_FIELDS = ("phase", "indication", "region")


@dataclass(frozen=True)
class StatusLabel:
    """A status row's label: `text` is what a badge shows; `inferred` says which of the row's
    values the curator inferred and why (never dropped: views show `mark` beside the text)."""

    phase: str  # a rung of the ladder, or "special access"
    text: str  # e.g. "approved (conditional approval)", "phase 2 (discontinued)", "special access"
    special_access: bool
    active: bool
    scheme: str  # the special-access scheme, as the source names it
    inferred: tuple[tuple[str, str], ...]  # (field, reason) for every inferred field of the row

    def reason(self, field: str) -> str:
        return dict(self.inferred).get(field, "")

    @property
    def inferred_claim(self) -> tuple[tuple[str, str], ...]:
        """(field, reason) for the inferred values the label itself stands for: phase,
        indication and region (a landscape cell or a bar claims all three at once)."""
        return tuple((f, r) for f, r in self.inferred if f in CLAIM_FIELDS)

    @property
    def plain(self) -> str:
        """One line of plain text for search previews, feeds and the PR summary: the text, the
        scheme of special access, and which values are inferred."""
        text = self.text
        if self.special_access and self.scheme:
            text += f" under {self.scheme}"
        if self.special_access:
            text += " (not a marketing approval)"
        fields = [f"{f} inferred" for f, _ in self.inferred_claim]
        return text + (f" ({', '.join(fields)})" if fields else "")


def status_label(row: PhaseRow) -> StatusLabel:
    """The one label of a status row."""
    if row.special_access:
        text = SPECIAL_ACCESS
    else:
        text = row.phase
        if row.route in _NAMED_ROUTES:
            text += f" ({row.route})"
    if not row.active:
        text += f" ({row.status})"
    return StatusLabel(
        phase=row.phase,
        text=text,
        special_access=row.special_access,
        active=row.active,
        scheme=row.scheme,
        inferred=row.inferred,
    )


def date_text(row: PhaseRow) -> str:
    """A row's date in plain words: 'about 2021-06' when the source gives it only approximately,
    '(inferred)' when the curator inferred it, 'not given' when there is none."""
    if not row.date:
        return "not given"
    text = f"about {row.date}" if row.date_approximate else row.date
    return text + (" (inferred)" if row.inferred_reason("date") else "")


@dataclass(frozen=True)
class EventLabel:
    """An event's label: 'Approval (conditional approval)', 'Special access', 'Designation:
    Orphan Drug'; `inferred` as on a status row."""

    text: str
    inferred: tuple[tuple[str, str], ...]

    @property
    def plain(self) -> str:
        fields = [f"{f} inferred" for f, _ in self.inferred]
        return self.text + (f" ({', '.join(fields)})" if fields else "")


def event_label(event: dict[str, Any]) -> EventLabel:
    """The one label of an event; special access says so and is never an approval."""
    kind = str(event["type"])
    text = kind.capitalize()
    route = event.get("route") or ""
    if kind == "approval" and route and route != "standard approval":
        text += f" ({route})"
    stage = event.get("filing_stage")
    if kind == "filing" and stage:
        text += f" ({stage})"
    if event.get("designation"):
        text += f": {event['designation']}"
        if event.get("designation_scope") == "class":
            text += f" (held by a class: {event.get('designation_class', '')})"
    inferred = tuple(sorted((event.get("inferred") or {}).items()))
    return EventLabel(text, inferred)


@dataclass(frozen=True)
class IdentityFact:
    """A drug's identity fact (modality, mechanism, …): the value, and why it is inferred if the
    curator inferred it; `stated` is False for a value the source does not state ('not stated')."""

    value: str
    reason: str

    @property
    def stated(self) -> bool:
        return self.value != NOT_STATED

    @property
    def plain(self) -> str:
        if not self.stated:
            return NOT_STATED
        return self.value + (" (inferred)" if self.reason else "")


NOT_STATED = "not stated"


def identity_fact(data: dict[str, Any], field: str) -> IdentityFact:
    """The one reading of a record's identity fact, with its inferred reason."""
    value = data.get(field)
    reason = (data.get("inferred") or {}).get(field, "")
    return IdentityFact(str(value) if value not in (None, "") else NOT_STATED, str(reason))


def display_name(records, kind: str, record_id: str) -> str:
    """What a record is called everywhere: a target by its symbol, a trial by its acronym (else
    title), an event by its summary, anything else by its name (else title); the id when the
    record is missing or has none. `records` is kind → id → Record (or a Tracker's records)."""
    record = records.get(kind, {}).get(record_id)
    data = record.data if record is not None else {}
    if kind == "targets":
        name = data.get("symbol")
    elif kind == "trials":
        name = data.get("acronym") or data.get("title")
    elif kind == "events":
        name = data.get("summary")
    else:
        name = data.get("name") or data.get("title")
    return name if isinstance(name, str) and name else record_id

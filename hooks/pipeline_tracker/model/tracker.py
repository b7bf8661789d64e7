"""Link records both ways and compute derived facts (highest phases, back-references).

Raw fields stay in `Record.data`; everything here is derived, and named so a reader can tell.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from pipeline_tracker.records import types as rt
from pipeline_tracker.records.evidence import citation_ids, citation_quotes
from pipeline_tracker.records.history import History
from pipeline_tracker.records.load import Record
from pipeline_tracker.records.phases import (
    EVENT_TYPE_TO_LADDER,
    INACTIVE,
    NOT_NAMED,
    RANK,
    REGION_NAMES,
    SPECIAL_ACCESS,
    TRIAL_PHASE_TO_LADDER,
    UNSPECIFIED_REGION,
    within,
)
from pipeline_tracker.records.rules import references

Records = dict[str, dict[str, Record]]


@dataclass(frozen=True)
class PhaseRow:
    """One drug × indication × region phase claim, stated or derived, with where it came from."""

    drug: str
    indication: str
    region: str
    phase: str
    status: str  # active, suspended, discontinued, withdrawn
    date: str  # "" when not given
    biomarker: str
    line: str
    sources: tuple[str, ...]
    basis: str  # "status" | "trial" | "event"
    basis_id: str  # the trial or event id, or "" for a status row
    note: str = ""
    route: str = ""  # "", standard approval, conditional approval, special access
    scheme: str = ""  # the special-access scheme, as the source names it
    quotes: tuple[tuple[str, str], ...] = ()  # (source id, the source's words for this row)
    inferred: tuple[tuple[str, str], ...] = ()  # (field, the curator's reason)
    date_approximate: str = ""  # the source's words when it gives the date only approximately

    @property
    def special_access(self) -> bool:
        """Access under a named-patient or early-access scheme: never an approval, no phase."""
        return self.route == SPECIAL_ACCESS

    @property
    def rank(self) -> int:
        return RANK.get(self.phase, -1)

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE

    def inferred_reason(self, field: str) -> str:
        return dict(self.inferred).get(field, "")


def _best(rows: list[PhaseRow]) -> PhaseRow:
    """Highest phase, active rows first; ties go to stated rows, then the latest date. Callers
    pass development rows only: special access never ranks (see `development_rows`)."""
    basis_order = {"status": 2, "event": 1, "trial": 0}
    return max(rows, key=lambda r: (r.active, r.rank, basis_order[r.basis], r.date))


def development_rows(rows) -> list[PhaseRow]:
    """The rows that rank on the phase ladder: every row but special access."""
    return [r for r in rows if not r.special_access]


@dataclass
class Tracker:
    """All records plus the links and derived facts that pages need."""

    records: Records
    phase_rows: dict[str, list[PhaseRow]] = field(default_factory=dict)  # by drug
    referenced_by: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)
    # When each record was added and last changed (records/history.py; empty: dates unknown),
    # and the changes readers see on "Recently changed" (model/changes.recent_changes).
    history: History = field(default_factory=History)
    recent_changes: list = field(default_factory=list)
    # What the pages ask again and again (a drug's highest phase anywhere, the tracked drugs),
    # worked out once for the phase rows it was worked out from (`_memo`): at most one entry
    # a drug. A memo of every list any page asked about grew with the site and made serve's
    # background slower, not faster (benchmarks/README, seventeenth session); a paged list's
    # order is kept by site/listing.in_phase_order instead.
    _memos: dict = field(default_factory=dict, repr=False, compare=False)

    def _memo(self, name: str) -> dict:
        """A memo of derived facts, emptied whenever phase_rows is replaced (a tracker is made,
        then given its rows: model.tracker.link, relink)."""
        memos = self._memos
        if memos.get("of") is not self.phase_rows:
            memos.clear()
            memos["of"] = self.phase_rows
        memo = memos.get(name)
        if memo is None:
            memo = memos[name] = {}
        return memo

    def get(self, kind: str, record_id: str) -> dict:
        return self.records[kind][record_id].data

    # Typed reads (records/types.py, generated from schema/): a misspelt field is a type error.
    def drug(self, drug_id: str) -> rt.Drug:
        return cast(rt.Drug, self.records["drugs"][drug_id].data)

    def trial(self, trial_id: str) -> rt.Trial:
        return cast(rt.Trial, self.records["trials"][trial_id].data)

    def event(self, event_id: str) -> rt.Event:
        return cast(rt.Event, self.records["events"][event_id].data)

    def company(self, company_id: str) -> rt.Company:
        return cast(rt.Company, self.records["companies"][company_id].data)

    def indication(self, indication_id: str) -> rt.Indication:
        return cast(rt.Indication, self.records["indications"][indication_id].data)

    def ids(self, kind: str) -> list[str]:
        return sorted(self.records[kind])

    def cited_by(self, kind: str, record_id: str, by_kind: str) -> list[str]:
        """Ids of `by_kind` records that name (kind, record_id)."""
        return sorted(
            rid for k, rid in self.referenced_by.get((kind, record_id), ()) if k == by_kind
        )

    def events_for(self, kind: str, record_id: str) -> list[str]:
        """Ids of events naming a record, newest first (undated last)."""
        ids = self.cited_by(kind, record_id, "events")
        return sorted(ids, key=lambda e: (self.event(e).get("date", ""), e), reverse=True)

    def deals_for(self, company: str) -> list[str]:
        """Deal events a company is a party to, newest first."""
        return [e for e in self.events_for("companies", company) if self.event(e)["type"] == "deal"]

    def deals(self) -> list[str]:
        """Every deal event, newest first; undated deals last."""
        found = [e for e, r in self.records["events"].items() if r.data["type"] == "deal"]
        return sorted(
            found,
            key=lambda e: (
                bool(self.event(e).get("date")),
                self.event(e).get("date", ""),
                e,
            ),
            reverse=True,
        )

    def drugs_of_company(self, company: str) -> dict[str, str]:
        """Drug id → the company's roles for it, from drug records, trial sponsorships and deals."""
        roles: dict[str, set[str]] = defaultdict(set)
        for drug in self.cited_by("companies", company, "drugs"):
            for entry in self.drug(drug).get("companies") or []:
                if entry["company"] == company:
                    roles[drug].add(entry["role"])
        for trial in self.cited_by("companies", company, "trials"):
            if company in (self.trial(trial).get("sponsors") or []):
                for drug in self.trial(trial)["drugs"][:1]:
                    roles[drug].add("trial sponsor")
        for event in self.cited_by("companies", company, "events"):
            data = self.event(event)
            for party in data.get("parties") or []:
                if party["company"] == company:
                    for drug in data["drugs"]:
                        roles[drug].add(party["role"])
        return {drug: ", ".join(sorted(r)) for drug, r in sorted(roles.items())}

    def programmes_of_company(self, company: str) -> dict[str, list[PhaseRow]]:
        """Drug id → the rows that fall within this company's territory and role. The drug
        record's company entries decide when the company has one (they are the curated role):
        a licensee sees rows inside its licensed territory; a commercial partner only the
        commercial-stage rows there (filed, approved, special access: development stays with the
        developer); any other role (originator, developer, licensor, …) sees the rows inside its
        territory, if it has one, but none lying wholly inside another company's licensee
        territory. A company named only by a deal takes its side of the deal the same way. A
        trial sponsor always sees its own trials' rows. A territory not stated is no limit (nothing
        says the role is narrower); WW (worldwide) holds everywhere."""
        found: dict[str, dict[PhaseRow, None]] = defaultdict(dict)
        sponsored = {
            trial
            for trial in self.cited_by("companies", company, "trials")
            if company in (self.trial(trial).get("sponsors") or [])
        }
        for drug in self.drugs_of_company(company):
            rows = self.phase_rows.get(drug, [])
            companies = self.drug(drug).get("companies") or []
            entries = [
                (e["role"], e.get("territory")) for e in companies if e["company"] == company
            ]
            licensed_out = [
                e["territory"]
                for e in companies
                if e["company"] != company and e["role"] == "licensee" and e.get("territory")
            ]
            if not entries:  # named by deals only: its side of each deal
                for event in self.cited_by("companies", company, "events"):
                    data = self.event(event)
                    if drug not in data["drugs"]:
                        continue
                    sides = {
                        p["role"] for p in data.get("parties") or [] if p["company"] == company
                    }
                    if sides and sides != {"licensor"}:  # a licensor gives the territory away
                        entries.append(("licensee", data.get("territory")))
                    elif company in (data.get("companies") or []):
                        for row in rows:
                            if row.basis == "event" and row.basis_id == event:
                                found[drug][row] = None
            for role, territory in entries:
                for row in rows:
                    if _within_role(row, role, territory, licensed_out):
                        found[drug][row] = None
            for row in rows:
                if row.basis == "trial" and row.basis_id in sponsored:
                    found[drug][row] = None
        return {drug: list(rows) for drug, rows in sorted(found.items())}

    def people_named_by(self, source: str) -> list[tuple[str, str, dict]]:
        """(kind, record id, person) for every person a trial or event names on this source's
        word, in record order."""
        found = []
        for kind in ("trials", "events"):
            for record_id in self.cited_by("sources", source, kind):
                for person in self.get(kind, record_id).get("people") or []:
                    if source in citation_ids(person["sources"]):
                        found.append((kind, record_id, person))
        return found

    def company_highest_phase(self, company: str) -> PhaseRow | None:
        """A company's headline phase: the highest of the rows within its territory and role
        (`programmes_of_company`), so the Companies index says what the company's page says."""
        rows = [r for rows in self.programmes_of_company(company).values() for r in rows]
        ranked = development_rows(rows)
        return _best(ranked) if ranked else None

    def trial_roles(self, drug: str) -> dict[str, int]:
        """Role → number of trials in which the drug is in an arm's regimen with that role
        (investigational, comparator, background), for drugs with no phase of their own."""
        return dict(sorted(self._trial_roles.get(drug, {}).items()))

    @functools.cached_property
    def _trial_roles(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for trial, record in self.records["trials"].items():
            for arm in record.data.get("arms") or []:
                for component in arm.get("regimen") or []:
                    role = component.get("role") or "named"
                    for drug in [component.get("drug"), *(component.get("options") or [])]:
                        if drug:
                            found[drug][role].add(trial)
        return {d: {r: len(t) for r, t in roles.items()} for d, roles in found.items()}

    def results_of(self, trial_ids) -> list[tuple[str, rt.TrialResult]]:
        """(trial id, result) for every headline result of these trials, in order."""
        return [(tid, res) for tid in trial_ids for res in self.trial(tid).get("results") or []]

    def tracked(self, drug: str) -> bool:
        """A tracked asset: the drug has a development row or special access of its own."""
        return bool(self.phase_rows.get(drug))

    def tracked_ids(self) -> list[str]:
        return list(self._tracked_or_not()[True])

    def untracked_ids(self) -> list[str]:
        """Drugs named only as comparators, background therapy or deal subjects."""
        return list(self._tracked_or_not()[False])

    def _tracked_or_not(self) -> dict[bool, list[str]]:
        memo = self._memo("tracked")
        if not memo:
            memo.update({True: [], False: []})
            for drug in self.ids("drugs"):
                memo[self.tracked(drug)].append(drug)
        return memo

    def drugs_in_indication(self, indication: str) -> list[str]:
        """Drugs with any phase row in an indication or its narrower indications."""
        by_indication = self._drugs_by_indication  # one pass over all rows, not one per call
        return sorted(
            set().union(
                *(by_indication.get(i, ()) for i in self.indication_with_descendants(indication))
            )
        )

    @functools.cached_property
    def _drugs_by_indication(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for drug, rows in self.phase_rows.items():
            for row in rows:
                found[row.indication].add(drug)
        return dict(found)

    @functools.cached_property
    def _indication_children(self) -> dict[str, set[str]]:
        children: dict[str, set[str]] = defaultdict(set)
        for rid, record in self.records["indications"].items():
            parent = record.data.get("parent")
            if parent:
                children[parent].add(rid)
        return dict(children)

    def by_phase(self, drugs, indications: set[str] | None = None) -> list[str]:
        """Drug ids, highest phase first (active before inactive), then by id."""

        def key(drug: str):
            best = self.highest_phase(drug, indications=indications)
            return (-(best.active if best else -1), -(best.rank if best else -1), drug)

        return sorted(drugs, key=key)

    def best_of(self, drugs, indications: set[str] | None = None) -> PhaseRow | None:
        """The highest phase among several drugs."""
        found = [row for d in drugs if (row := self.highest_phase(d, indications=indications))]
        return _best(found) if found else None

    def aliases_of_drugs(self) -> dict[str, str]:
        """Drug id → code names, synonyms and INN joined for display and search."""
        memo = self._memo("aliases")
        if not memo:
            memo.update(self._aliases_of_drugs())
        return dict(memo)

    def _aliases_of_drugs(self) -> dict[str, str]:
        result = {}
        for drug, record in self.records["drugs"].items():
            data = record.data
            names = [*(data.get("code_names") or []), *(data.get("synonyms") or [])]
            if data.get("inn") and data["inn"] != data["name"]:
                names.append(data["inn"])
            result[drug] = ", ".join(names)
        return result

    def events_by_year(self) -> list[tuple[str, list[str]]]:
        """Events grouped by year, newest first; undated events last under 'Date not reported'."""
        groups: dict[str, list[str]] = defaultdict(list)
        for event, record in self.records["events"].items():
            date = record.data.get("date", "")
            groups[date[:4] or "Date not reported"].append(event)
        order = sorted((y for y in groups if y[0].isdigit()), reverse=True)
        if "Date not reported" in groups:
            order.append("Date not reported")
        return [
            (
                year,
                sorted(
                    groups[year],
                    key=lambda e: (self.event(e).get("date", ""), e),
                    reverse=True,
                ),
            )
            for year in order
        ]

    @staticmethod
    def money(value: dict) -> str:
        """An amount as a reader reads it: grouped digits, cents only when there are any, never a
        sign, an exponent or 'inf' (bounds.rule_amounts_printable refuses what would need one)."""
        amount = float(value["amount"])
        if not math.isfinite(amount) or amount < 0:
            return f"{value['currency']} (amount not shown)"
        cents = round(amount, 2) + 0.0  # + 0.0: -0.0 becomes 0.0
        text = f"{cents:,.0f}" if cents.is_integer() else f"{cents:,.2f}"
        return f"{'about ' if value.get('approximate') else ''}{value['currency']} {text}"

    def highest_by_indication_region(self, drug: str) -> list[PhaseRow]:
        """The highest phase per indication × region for one drug, sorted by phase (highest first)."""
        groups: dict[tuple[str, str], list[PhaseRow]] = defaultdict(list)
        for row in development_rows(self.phase_rows.get(drug, [])):
            groups[(row.indication, row.region)].append(row)
        best = [_best(rows) for rows in groups.values()]
        return sorted(best, key=lambda r: (-r.active, -r.rank, r.indication, r.region))

    def stage_by_region(
        self,
        drug: str,
        indications: set[str] | None = None,
        rows: list[PhaseRow] | None = None,
    ) -> dict[str, PhaseRow]:
        """Every region a drug's rows lie within (the row's own code, the country of a
        subdivision, a named group holding it, worldwide), with the highest row there: "within"
        semantics, so China holds a Hainan row. A region with special access only keeps its
        special-access row (never a phase); otherwise development rows rank as in `_best`.
        `rows`: only these of the drug's rows (a company page's programmes)."""
        rows = [
            r
            for r in (self.phase_rows.get(drug, []) if rows is None else rows)
            if r.region not in (UNSPECIFIED_REGION, NOT_NAMED)
        ]
        if indications is not None:
            rows = [r for r in rows if r.indication in indications]
        found: dict[str, list[PhaseRow]] = defaultdict(list)
        for r in rows:
            for code in regions_containing(r.region):
                found[code].append(r)
        best = {}
        for code, inside in found.items():
            ranked = development_rows(inside)
            best[code] = _best(ranked) if ranked else max(inside, key=lambda r: r.date)
        return best

    @staticmethod
    def row_facets(rows: list[PhaseRow]) -> set[tuple[str, str, str]]:
        """(region, route, development status) of each row, once for every region the row lies
        within (as in `stage_by_region`) and once for "" (any region): what a reader's route and
        status filters match, alone or with a region. A row with no stated route has route ""."""
        found = set()
        for r in rows:
            inside = (
                set()
                if r.region in (UNSPECIFIED_REGION, NOT_NAMED)
                else set(regions_containing(r.region))
            )
            for code in inside | {""}:
                found.add((code, r.route, r.status))
        return found

    def region_table(self, drug: str) -> tuple[list[str], list[tuple[str, dict[str, PhaseRow]]]]:
        """The region view of one drug: the regions its rows name (columns, most advanced
        first) and, per indication, the highest row in each (from highest_by_indication_region;
        a region with special access only shows its special-access row)."""
        cells: dict[str, dict[str, PhaseRow]] = defaultdict(dict)
        for row in self.highest_by_indication_region(drug):
            cells[row.indication][row.region] = row
        for row in self.special_access_rows(drug):
            cells[row.indication].setdefault(row.region, row)

        def column_key(region: str):
            ranks = [
                c[region].rank
                for c in cells.values()
                if region in c and not c[region].special_access
            ]
            return (-max(ranks, default=-1), region)

        regions = sorted({region for c in cells.values() for region in c}, key=column_key)
        return regions, list(cells.items())

    @functools.cached_property
    def data_version(self) -> str:
        """The data's version, the one every page, citation and export names: the newest
        `last_reviewed` date across all records as YYYY.MM.DD, a hyphen, and the first 8 hex
        digits of the SHA-256 of the canonical record set (every record's data as JSON, keys
        sorted, records in kind and id order), e.g. `2025.11.30-3f2a9c1b`. Any edit to any
        record changes the hash, a new review date also the date; the same records always give
        the same version (file layout, YAML comments and key order do not count). Without any
        review date it is the hash alone."""
        digest = hashlib.sha256()
        for kind in sorted(self.records):
            for record_id in sorted(self.records[kind]):
                canonical = json.dumps(
                    [kind, record_id, self.records[kind][record_id].data],
                    sort_keys=True,
                    ensure_ascii=False,
                    separators=(",", ":"),
                    default=str,
                )
                # surrogatepass: a lone surrogate the YAML reader let through still hashes
                digest.update(canonical.encode("utf-8", "surrogatepass") + b"\n")
        dates = [
            str(record.data.get("last_reviewed"))
            for by_id in self.records.values()
            for record in by_id.values()
            if record.data.get("last_reviewed")
        ]
        newest = max(dates, default="").replace("-", ".")
        return f"{newest}-{digest.hexdigest()[:8]}" if newest else digest.hexdigest()[:8]

    def pin_data_version(self, version: str) -> None:
        """Print `version` as this tracker's data version (a preview keeps the version of its
        first build, so that an edit changes only the pages it touches: `mkdocs serve`,
        mkdocs_adapter/liveserve.py). Never used by a build that publishes."""
        self.__dict__["data_version"] = version

    @property
    def data_date(self) -> str:
        """The date part of data_version (YYYY-MM-DD, or as precise as the newest review date;
        "" when no record has one)."""
        head, _, _ = self.data_version.rpartition("-")
        return head.replace(".", "-")

    def special_access_rows(self, drug: str) -> list[PhaseRow]:
        """A drug's special-access rows (named-patient and early-access schemes), newest first."""
        rows = [r for r in self.phase_rows.get(drug, []) if r.special_access]
        return sorted(rows, key=lambda r: (r.date, r.indication, r.region), reverse=True)

    def highest_phase(
        self, drug: str, indication: str | None = None, indications: set[str] | None = None
    ) -> PhaseRow | None:
        """A drug's headline phase: its highest anywhere (or in one indication or set). Special
        access is not a phase: it never counts."""
        if indication is None and indications is None:
            memo = self._memo("highest_phase")
            if drug not in memo:
                memo[drug] = self._highest_phase(drug)
            return memo[drug]
        return self._highest_phase(drug, indication, indications)

    def _highest_phase(
        self, drug: str, indication: str | None = None, indications: set[str] | None = None
    ) -> PhaseRow | None:
        rows = development_rows(self.phase_rows.get(drug, []))
        if indication is not None:
            rows = [r for r in rows if r.indication == indication]
        if indications is not None:
            rows = [r for r in rows if r.indication in indications]
        return _best(rows) if rows else None

    @staticmethod
    def highest_of(rows: list[PhaseRow]) -> PhaseRow | None:
        """The highest phase among some of a drug's rows (a company page's programmes), ranked
        as `highest_phase` ranks: special access never counts."""
        ranked = development_rows(rows)
        return _best(ranked) if ranked else None

    def indication_with_descendants(self, indication: str) -> set[str]:
        children = self._indication_children  # built once (the records do not change)
        found, todo = set(), [indication]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.add(current)
            todo.extend(children.get(current, ()))
        return found


@functools.cache
def regions_containing(region: str) -> frozenset[str]:
    """The region codes (named ones, the region itself, a subdivision's country) that `region`
    lies within: records/phases.within over each, once per code."""
    candidates = (set(REGION_NAMES) - {NOT_NAMED}) | {region, region.split("-", 1)[0]}
    return frozenset(code for code in candidates if within(region, [code]))


def regions_holding(regions) -> list[str]:
    """Every region (code) that the given regions lie within, sorted: a timeline event in Hainan
    is also in China and worldwide, as a drug's rows are (stage_by_region)."""
    return sorted({code for region in regions for code in regions_containing(region)})


COMMERCIAL_STAGES = ("filed", "approved")


def _within_role(row: PhaseRow, role: str, territory, licensed_out) -> bool:
    """Whether a status row belongs to a company holding `role` in `territory` (None: the role
    is not limited to a territory, or the source does not say)."""
    if territory and not within(row.region, territory):
        return False
    if role == "licensee":
        return True
    if role == "commercial partner":
        return row.special_access or row.phase in COMMERCIAL_STAGES
    return not any(within(row.region, t) for t in licensed_out)


# Which field of a status row each record field feeds: a status entry's `regions`, a trial's
# `countries` and an event's `regions` are a row's region; an event's type is a row's phase.
STATUS_ROW_FIELDS = {
    "phase": "phase",
    "indication": "indication",
    "regions": "region",
    "region": "region",
    "date": "date",
}
TRIAL_ROW_FIELDS = {"phase": "phase", "indications": "indication", "countries": "region"}
# Trial statuses that put no drug at the trial's phase: planned, or registered and not yet
# recruiting (ClinicalTrials.gov NOT_YET_RECRUITING): no participant is in it yet.
NOT_STARTED = ("planned", "not yet recruiting")
EVENT_ROW_FIELDS = {
    "type": "phase",
    "indications": "indication",
    "regions": "region",
    "date": "date",
}


def _inferred(
    reasons: dict[str, str] | None, fields: dict[str, str], keep_others: bool = False
) -> tuple[tuple[str, str], ...]:
    """(row field, reason) for a record's `inferred:` entries that feed a status row's fields
    (`fields`: record field → row field; `keep_others`: a status entry's other inferred fields,
    such as its line, stay under their own names). Two record fields feeding one row field join
    their reasons."""
    found: dict[str, list[str]] = defaultdict(list)
    for key, reason in (reasons or {}).items():
        field = fields.get(key, key if keep_others else "")
        if field and reason not in found[field]:
            found[field].append(reason)
    return tuple(sorted((field, "; ".join(why)) for field, why in found.items()))


def status_phase_rows(drug: Record) -> list[PhaseRow]:
    rows = []
    for entry in cast(rt.Drug, drug.data).get("status") or []:
        route = entry.get("route", "")
        for region in entry["regions"]:
            rows.append(
                PhaseRow(
                    drug.id,
                    entry["indication"],
                    region,
                    SPECIAL_ACCESS if route == SPECIAL_ACCESS else entry["phase"],
                    entry.get("development_status", "active"),
                    entry.get("date", ""),
                    entry.get("biomarker", ""),
                    entry.get("line", ""),
                    citation_ids(entry["sources"]),
                    "status",
                    "",
                    entry.get("note", ""),
                    route,
                    entry.get("scheme", ""),
                    citation_quotes(entry["sources"]),
                    _inferred(entry.get("inferred"), STATUS_ROW_FIELDS, keep_others=True),
                    entry.get("date_approximate", ""),
                )
            )
    return rows


def trial_phase_rows(trial: Record) -> list[PhaseRow]:
    """A trial puts its investigational drugs at its phase in its indications and countries, as
    of the date the source gives its status (else its start). A trial the source only plans, or
    that is not yet recruiting, puts no drug anywhere: planning a phase 2 trial is not being in
    phase 2."""
    data = cast(rt.Trial, trial.data)
    phase = TRIAL_PHASE_TO_LADDER.get(data["phase"])
    if phase is None or data.get("status") in NOT_STARTED:
        return []
    investigational = {
        component["drug"]
        for arm in data.get("arms") or []
        for component in arm["regimen"]
        if component.get("role") == "investigational" and component.get("drug")
    }
    drugs = investigational or set(data["drugs"][:1])
    status = {"terminated": "discontinued", "suspended": "suspended", "withdrawn": "withdrawn"}.get(
        data.get("status", ""), "active"
    )
    regions = data.get("countries") or [UNSPECIFIED_REGION]
    sources = citation_ids(data["sources"])
    date_field = "status_as_of" if data.get("status_as_of") else "start_date"
    return [
        PhaseRow(
            drug,
            indication,
            region,
            phase,
            status,
            str(data.get(date_field, "")),
            data.get("biomarker", ""),
            data.get("line", ""),
            sources,
            "trial",
            trial.id,
            inferred=_inferred(data.get("inferred"), {**TRIAL_ROW_FIELDS, date_field: "date"}),
        )
        for drug in sorted(drugs)
        for indication in data["indications"]
        for region in regions
    ]


def event_phase_rows(event: Record) -> list[PhaseRow]:
    """Approvals put a drug at 'approved', filings at 'filed', in the event's indications and
    regions; special-access events add special-access rows (no phase) under their scheme."""
    data = cast(rt.Event, event.data)
    phase = EVENT_TYPE_TO_LADDER.get(data["type"])
    if phase is None or not data.get("indications"):
        return []
    route = SPECIAL_ACCESS if phase == SPECIAL_ACCESS else data.get("route", "")
    scheme = data.get("pathway", "") if route == SPECIAL_ACCESS else ""
    regions = data.get("regions") or [UNSPECIFIED_REGION]
    return [
        PhaseRow(
            drug,
            indication,
            region,
            phase,
            "active",
            data.get("date", ""),
            data.get("biomarker", ""),
            data.get("line", ""),
            citation_ids(data["sources"]),
            "event",
            event.id,
            route=route,
            scheme=scheme,
            quotes=citation_quotes(data["sources"]),
            inferred=_inferred(data.get("inferred"), EVENT_ROW_FIELDS),
            date_approximate=data.get("date_approximate", ""),
        )
        for drug in data["drugs"]
        for indication in data["indications"]
        for region in regions
    ]


RELINK_MAX = 500  # records changed since `previous` above which link() links everything again


def link(records: Records, previous: Tracker | None = None) -> Tracker:
    """Build the cross-linked view of checked records. With `previous` (the tracker linked from an
    earlier load through the same records.cache.FileCache, whose unchanged records are the same
    objects), only what the changed records touch is linked again: the same tracker either way."""
    if previous is not None:
        relinked = _relink(records, previous)
        if relinked is not None:
            return relinked
    tracker = Tracker(records)
    referenced_by: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for kind, by_id in records.items():
        for record in by_id.values():
            for _pointer, target_kind, target_id in references(record):
                referenced_by[(target_kind, target_id)].add((kind, record.id))
    tracker.referenced_by = dict(referenced_by)
    rows: dict[str, list[PhaseRow]] = defaultdict(list)
    for drug in records["drugs"].values():
        rows[drug.id].extend(_rows_of(drug, status_phase_rows))
    for trial in records["trials"].values():
        for row in _rows_of(trial, trial_phase_rows):
            rows[row.drug].append(row)
    for event in records["events"].values():
        for row in _rows_of(event, event_phase_rows):
            rows[row.drug].append(row)
    tracker.phase_rows = {drug: _drop_redundant(drug_rows) for drug, drug_rows in rows.items()}
    return tracker


def _relink(records: Records, previous: Tracker) -> Tracker | None:
    """link(records) from `previous`, or None when too many records changed to be worth it. A
    record changed when its object differs: the FileCache keeps an unchanged file's object."""
    changed: list[tuple[str, str, Record | None, Record | None]] = []
    for kind in records.keys() | previous.records.keys():
        old, new = previous.records.get(kind, {}), records.get(kind, {})
        changed.extend(
            (kind, rid, old.get(rid), r) for rid, r in new.items() if old.get(rid) is not r
        )
        changed.extend((kind, rid, r, None) for rid, r in old.items() if rid not in new)
        if len(changed) > RELINK_MAX:
            return None
    referenced_by = dict(previous.referenced_by)
    copied: set[tuple[str, str]] = set()  # sets copied before a change: `previous` keeps its own

    def own(key: tuple[str, str]) -> set[tuple[str, str]]:
        if key not in copied:
            referenced_by[key] = set(referenced_by.get(key, ()))
            copied.add(key)
        return referenced_by[key]

    drugs: set[str] = set()  # drugs whose phase rows can differ
    for kind, rid, before, after in changed:
        for record in (r for r in (before, after) if r is not None):
            if kind == "drugs":
                drugs.add(rid)
            elif kind in ("trials", "events"):
                make = trial_phase_rows if kind == "trials" else event_phase_rows
                drugs |= {row.drug for row in _rows_of(record, make)}
        if before is not None:
            for _pointer, target_kind, target_id in references(before):
                own((target_kind, target_id)).discard((kind, rid))
        if after is not None:
            for _pointer, target_kind, target_id in references(after):
                own((target_kind, target_id)).add((kind, rid))
    for key in copied:
        if not referenced_by[key]:
            del referenced_by[key]
    tracker = Tracker(records, referenced_by=referenced_by)
    phase_rows = dict(previous.phase_rows)
    order = {
        kind: {rid: index for index, rid in enumerate(records[kind])}
        for kind in ("trials", "events")
    }
    for drug in drugs:
        rows: list[PhaseRow] = []
        if drug in records["drugs"]:
            rows.extend(_rows_of(records["drugs"][drug], status_phase_rows))
        for kind, make in (("trials", trial_phase_rows), ("events", event_phase_rows)):
            naming = [rid for k, rid in referenced_by.get(("drugs", drug), ()) if k == kind]
            for rid in sorted(naming, key=order[kind].__getitem__):
                rows.extend(row for row in _rows_of(records[kind][rid], make) if row.drug == drug)
        if rows or drug in records["drugs"]:
            phase_rows[drug] = _drop_redundant(rows)
        else:
            phase_rows.pop(drug, None)
    tracker.phase_rows = phase_rows
    return tracker


def _rows_of(record: Record, make) -> Sequence[PhaseRow]:
    """make(record): one record's phase rows, kept with the record where it keeps a memo (a
    record read through records.cache.FileCache: a reload links unchanged records again)."""
    if record.memo is None:
        return make(record)
    found = record.memo.get(make)
    if found is None:
        found = record.memo[make] = tuple(make(record))
    return found


def _drop_redundant(rows: list[PhaseRow]) -> list[PhaseRow]:
    """Derived rows that add nothing: the same indication, region and phase as a stated row, or no
    region at a phase no higher than another row in the same indication already shows."""
    stated = {(r.indication, r.region, r.phase) for r in rows if r.basis == "status"}
    best_in_indication: dict[str, int] = {}
    for r in rows:
        if r.region != UNSPECIFIED_REGION and r.active:
            best_in_indication[r.indication] = max(best_in_indication.get(r.indication, -1), r.rank)
    kept = []
    for r in rows:
        if r.basis != "status" and (r.indication, r.region, r.phase) in stated:
            continue
        if (
            r.basis != "status"
            and r.region == UNSPECIFIED_REGION
            and best_in_indication.get(r.indication, -1) >= r.rank
        ):
            continue
        kept.append(r)
    return kept

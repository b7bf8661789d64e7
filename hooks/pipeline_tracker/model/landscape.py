"""Competitive landscapes: drugs grouped by indication, target or modality against the phase ladder.

A landscape matrix has one row per group and one column per rung of the phase ladder; each cell
lists the drugs whose highest phase in that group is that rung. Pipeline bars list each drug's
highest phase per indication. Both are plain data here; templates/_landscape.j2 draws them.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from pipeline_tracker.model.claims import identity_fact
from pipeline_tracker.model.tracker import PhaseRow, Tracker, _best, development_rows
from pipeline_tracker.records.phases import CHART_COLUMNS, LADDER

RowsByDrug = dict[str, list[PhaseRow]]

NO_TARGET = "no target recorded"


@dataclass(frozen=True)
class MatrixRow:
    """One group: its key (a record id, or a label such as a modality) and drugs per phase."""

    key: str
    cells: dict[str, list[tuple[str, PhaseRow]]]  # phase → [(drug, its best row in this group)]

    @property
    def count(self) -> int:
        return sum(len(entries) for entries in self.cells.values())


@dataclass(frozen=True)
class Matrix:
    group_kind: str | None  # "indications", "targets", or None when keys are labels (modalities)
    group_title: str  # the row header, e.g. "Indication"
    rows: list[MatrixRow]
    # The drug's identity fact that places it in its row (e.g. "modality"), when rows are one:
    # a drug whose fact is inferred is marked so in the cell, with the reason.
    facet: str | None = None

    # Worked out once per matrix (cached_property): every page of a long landscape shows them.
    @functools.cached_property
    def columns(self) -> list[str]:
        """The ladder's main rungs always; phase unknown, 1/2 and 2/3 only when a drug is there."""
        used = {phase for row in self.rows for phase in row.cells}
        return [phase for phase in LADDER if phase in CHART_COLUMNS or phase in used]

    def total(self, phase: str) -> int:
        """Distinct drugs at this phase in any row: a drug in several rows counts once."""
        return self._totals.get(phase, 0)

    @functools.cached_property
    def _totals(self) -> dict[str, int]:
        drugs: dict[str, set[str]] = defaultdict(set)
        for row in self.rows:
            for phase, cell in row.cells.items():
                drugs[phase].update(drug for drug, _ in cell)
        return {phase: len(found) for phase, found in drugs.items()}

    @functools.cached_property
    def count(self) -> int:
        """Distinct drugs in the whole matrix."""
        return len({drug for row in self.rows for cell in row.cells.values() for drug, _ in cell})

    @functools.cached_property
    def shared(self) -> bool:
        """Whether some drug sits in more than one row (so row counts add up to more than `count`)."""
        return sum(row.count for row in self.rows) > self.count


def _matrix(
    groups: dict[str, dict[str, PhaseRow]],
    group_kind: str | None,
    title: str,
    facet: str | None = None,
) -> Matrix:
    rows = []
    # Ordered by id, not by display name: record text never decides the layout of a page.
    for key in sorted(groups, key=lambda k: (k == NO_TARGET, k)):
        cells: dict[str, list[tuple[str, PhaseRow]]] = defaultdict(list)
        for drug, row in sorted(groups[key].items()):
            cells[row.phase].append((drug, row))
        rows.append(MatrixRow(key, dict(cells)))
    return Matrix(group_kind, title, rows, facet)


def _rows(tracker: Tracker, drug: str, rows_by_drug: RowsByDrug | None) -> list[PhaseRow]:
    """A drug's ranked rows: all of them, or those a company page is limited to."""
    rows = tracker.phase_rows.get(drug, []) if rows_by_drug is None else rows_by_drug.get(drug, [])
    return development_rows(rows)


def _highest(rows: list[PhaseRow], indications: set[str] | None = None) -> PhaseRow | None:
    rows = [r for r in rows if indications is None or r.indication in indications]
    return _best(rows) if rows else None


def by_indication(tracker: Tracker, drugs, rows_by_drug: RowsByDrug | None = None) -> Matrix:
    """Rows = indications the drugs are developed in; each drug at its highest phase there."""
    groups: dict[str, dict[str, PhaseRow]] = defaultdict(dict)
    for drug in drugs:
        rows = _rows(tracker, drug, rows_by_drug)
        for indication in sorted({r.indication for r in rows}):
            best = _highest(rows, {indication})
            if best:
                groups[indication][drug] = best
    return _matrix(groups, "indications", "Indication")


def _targets(tracker: Tracker, drug: str) -> list[str]:
    return sorted({t["target"] for t in tracker.get("drugs", drug).get("targets") or []}) or [
        NO_TARGET
    ]


def by_target(tracker: Tracker, drugs, indications: set[str] | None = None) -> Matrix:
    """Rows = the drugs' targets; each drug at its highest phase (in `indications`, if given)."""
    groups: dict[str, dict[str, PhaseRow]] = defaultdict(dict)
    for drug in drugs:
        best = tracker.highest_phase(drug, indications=indications)
        if best:
            for target in _targets(tracker, drug):
                groups[target][drug] = best
    return _matrix(groups, "targets", "Target")


def by_modality(tracker: Tracker, drugs) -> Matrix:
    """Rows = modalities (the one reading of the fact, identity_fact: an inferred modality is
    marked in its cell); each drug at its highest phase anywhere."""
    groups: dict[str, dict[str, PhaseRow]] = defaultdict(dict)
    for drug in drugs:
        best = tracker.highest_phase(drug)
        if best:
            groups[identity_fact(tracker.get("drugs", drug), "modality").value][drug] = best
    return _matrix(groups, None, "Modality", facet="modality")


def bars(
    tracker: Tracker,
    drugs,
    indications: set[str] | None = None,
    rows_by_drug: RowsByDrug | None = None,
) -> list[PhaseRow]:
    """Each drug's highest phase per indication (over all regions), highest first."""
    found: list[PhaseRow] = []
    for drug in drugs:
        per_indication: dict[str, list[PhaseRow]] = defaultdict(list)
        for row in _rows(tracker, drug, rows_by_drug):
            if indications is None or row.indication in indications:
                per_indication[row.indication].append(row)
        found.extend(_best(rows) for rows in per_indication.values())
    return sorted(found, key=lambda r: (-r.active, -r.rank, r.drug, r.indication))


@dataclass(frozen=True)
class RegionView:
    """Drug × indication rows with one column per major region: each drug's stage there, side by
    side ("approved in China, phase 3 in the US, special access in Hainan" in one row)."""

    regions: list[str]  # the columns: the regions most rows name, at most `max_columns`
    rows: list[tuple[str, str, dict[str, PhaseRow]]]  # (drug, indication, region → its row)

    def others(self, cells: dict[str, PhaseRow]) -> list[tuple[str, PhaseRow]]:
        """A row's regions that have no column of their own, by code."""
        return sorted((code, row) for code, row in cells.items() if code not in self.regions)


def region_view(tracker: Tracker, drugs, max_columns: int = 6) -> RegionView:
    """Each drug's cells from Tracker.region_table (its highest row per indication and region;
    special access where a region has nothing else), drugs by highest phase, then id."""
    rows: list[tuple[str, str, dict[str, PhaseRow]]] = []
    uses: dict[str, int] = defaultdict(int)
    for drug in tracker.by_phase(drugs):
        _, by_indication = tracker.region_table(drug)
        for indication, cells in sorted(by_indication):
            rows.append((drug, indication, cells))
            for code in cells:
                uses[code] += 1
    regions = sorted(uses, key=lambda code: (-uses[code], code))[:max_columns]
    return RegionView(regions, rows)

"""Check records: the schema of each record, then the cross-record rules; every problem at once."""

from __future__ import annotations

from pathlib import Path

from pipeline_tracker.load import Record, load_records
from pipeline_tracker.problems import Problem
from pipeline_tracker.rules import RULES
from pipeline_tracker.schemas import schema_problems

Records = dict[str, dict[str, Record]]


def check_records(records: Records) -> list[Problem]:
    """Schema problems of every record, then cross-record rule problems."""
    problems: list[Problem] = []
    for kind in records.values():
        for record in kind.values():
            problems.extend(schema_problems(record))
    for rule in RULES:
        problems.extend(rule(records))
    return sorted(set(problems))


def load_and_check(records_path: Path, root: Path | None = None) -> tuple[Records, list[Problem]]:
    """Read and check the records tree; returns the records and every problem found."""
    records, problems = load_records(records_path, root)
    problems.extend(check_records(records))
    return records, sorted(set(problems))

"""The live records: every one is valid, canonical, cited and linked. Rules only, never a value:
a curator's correction must never require editing a test (code tests use tests/fixtures/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import KINDS, load_records
from pipeline_tracker.records.schemas import schema_problems
from pipeline_tracker.records.validate import load_and_check

ROOT = Path(__file__).resolve().parents[1]
RECORDS, LOAD_PROBLEMS = load_records(ROOT / "records", ROOT)
ALL = [record for kind in KINDS for record in RECORDS[kind].values()]


def test_records_load_without_problems():
    assert LOAD_PROBLEMS == []
    assert all(RECORDS[kind] for kind in KINDS), "every kind has at least one record"


@pytest.mark.parametrize("record", ALL, ids=[r.path for r in ALL])
def test_record_matches_its_schema(record):
    assert [p.text() for p in schema_problems(record)] == []


def test_whole_tree_passes_cross_record_rules():
    _, problems = load_and_check(ROOT / "records", ROOT)
    assert [p.text() for p in problems] == []


def test_every_source_is_cited_by_some_record():
    tracker = link(RECORDS)
    uncited = [s for s in RECORDS["sources"] if not tracker.referenced_by.get(("sources", s))]
    assert uncited == []

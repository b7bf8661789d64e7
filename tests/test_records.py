"""The real records: every one is valid, and the curated seed content is there and sourced."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_tracker.link import link
from pipeline_tracker.load import KINDS, load_records
from pipeline_tracker.schemas import schema_problems
from pipeline_tracker.validate import load_and_check

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


def test_seed_facts_are_recorded_with_sources():
    """The done-when path: zanidatamab → HER2 → BeiGene → HERIZON-BTC-01, cORR 51.6% with a source."""
    zanidatamab = RECORDS["drugs"]["zanidatamab"].data
    assert "erbb2" in [t["target"] for t in zanidatamab["targets"]]
    assert "beigene" in [c["company"] for c in zanidatamab["companies"]]
    trial = RECORDS["trials"]["herizon-btc-01"].data
    assert {"registry": "nct", "id": "NCT04466891"} in trial["registry_ids"]
    orr = [r for r in trial["results"] if r["value"] == 51.6]
    assert orr and orr[0]["unit"] == "%" and orr[0]["sources"]
    zevor = RECORDS["drugs"]["zevorcabtagene-autoleucel"].data
    assert "CT053" in zevor["code_names"] and "zevor-cel" in zevor["synonyms"]


def test_deal_terms_carry_amounts_and_sources():
    deal = RECORDS["events"]["carsgen-huadong-zevor-cel-2023"].data
    kinds = {t["kind"]: t for t in deal["terms"]}
    assert kinds["upfront"]["money"] == {"amount": 200000000, "currency": "CNY"}
    assert kinds["milestones"]["money"]["amount"] == 1025000000
    assert all(term["sources"] for term in deal["terms"])

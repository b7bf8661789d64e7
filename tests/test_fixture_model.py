"""The loader and linker on the fixture tree: identifiers, results and deal terms come through as written."""

from __future__ import annotations

from conftest import FIXTURES, ROOT
from pipeline_tracker.records.load import load_records

RECORDS, LOAD_PROBLEMS = load_records(FIXTURES, ROOT)


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

"""Issue 17: bounded cost. What one record may expand to, how many citations a claim may have,
file sizes checked before reading, a linear uniqueItems, a time limit on every workflow job.
Each test checks that a limit refuses with a message (speed itself is for benchmarks)."""

from __future__ import annotations

import pathlib

import pycountry
import pytest
import yaml
from conftest import ROOT
from pipeline_tracker.records.bounds import MAX_CITATIONS, MAX_ROWS_PER_RECORD
from test_rules import messages

FIXTURE_SOURCE = "nmpa-zanidatamab-btc-approval-news-2025"


def _write(records: pathlib.Path, path: str, data: dict) -> None:
    (records / path).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_an_event_that_multiplies_into_thousands_of_rows_is_refused(records_copy):
    """14 drugs × 8 indications × 100 regions: 1.3 KB of YAML, 11,200 status rows."""
    drugs = sorted(p.stem for p in (records_copy / "drugs").glob("*.yaml"))
    indications = sorted(p.stem for p in (records_copy / "indications").glob("*.yaml"))
    regions = sorted(c.alpha_2 for c in pycountry.countries)[:100]
    rows = len(drugs) * len(indications) * len(regions)
    assert rows > MAX_ROWS_PER_RECORD
    _write(
        records_copy,
        "events/big-approval.yaml",
        {
            "id": "big-approval",
            "type": "approval",
            "summary": "An approval everywhere.",
            "date": "2024-01-02",
            "date_basis": "event",
            "drugs": drugs,
            "indications": indications,
            "regions": regions,
            "sources": [FIXTURE_SOURCE],
        },
    )
    found = [m for m in messages(records_copy) if "big-approval" in m]
    assert any(
        f"/regions: this record makes {rows} status rows (drugs × indications × regions); "
        f"at most {MAX_ROWS_PER_RECORD}" in m
        for m in found
    ), found


def test_a_claim_with_thousands_of_citations_is_refused(records_copy):
    """4,000 citations with one repeat took the message writer's uniqueItems 23 s (2,000 here: a
    record file is at most 256 KiB)."""
    citations = [{"source": FIXTURE_SOURCE, "quote": f"quote number {n}"} for n in range(2000)]
    citations.append(dict(citations[0]))
    _write(
        records_copy,
        "events/cited-a-lot.yaml",
        {
            "id": "cited-a-lot",
            "type": "approval",
            "summary": "Cited a lot.",
            "date": "2024-01-02",
            "date_basis": "event",
            "drugs": ["zanidatamab"],
            "indications": ["biliary-tract-cancer"],
            "regions": ["CN"],
            "sources": citations,
        },
    )
    found = [m for m in messages(records_copy) if "cited-a-lot" in m]
    assert any(f"/sources: 2001 citations; at most {MAX_CITATIONS} per claim" in m for m in found)
    assert any("/sources: has the same entry twice" in m for m in found), found[:5]


@pytest.mark.parametrize(
    ("items", "unique"),
    [
        ([1, True], True),
        ([1, 1.0], False),
        ([0, False], True),
        ([{"a": 1, "b": 2}, {"b": 2, "a": 1}], False),
        ([[1, "x"], [1, "x"]], False),
        ([[1, "x"], ["x", 1]], True),
        (["a", "A"], True),
        ([None, None], False),
        ([{"a": [1, {"b": 2.0}]}, {"a": [1, {"b": 2}]}], False),
    ],
)
def test_the_linear_unique_items_agrees_with_json_schema(items, unique):
    import jsonschema_rs
    from jsonschema import Draft202012Validator
    from pipeline_tracker.records.schemas import MessageValidator

    schema = {"type": "array", "uniqueItems": True}
    assert MessageValidator(schema).is_valid(items) is unique
    assert Draft202012Validator(schema).is_valid(items) is unique  # python-jsonschema's own
    assert jsonschema_rs.validator_for(schema).is_valid(items) is unique


def _refuse_reading(monkeypatch, name: str) -> None:
    """Fail the test if a file called `name` is opened or read."""
    original_open, original_read = pathlib.Path.open, pathlib.Path.read_bytes

    def guarded_open(self, *args, **kwargs):
        assert self.name != name, f"{name} was read"
        return original_open(self, *args, **kwargs)

    def guarded_read(self):
        assert self.name != name, f"{name} was read"
        return original_read(self)

    monkeypatch.setattr(pathlib.Path, "open", guarded_open)
    monkeypatch.setattr(pathlib.Path, "read_bytes", guarded_read)


def test_an_oversized_archived_copy_is_refused_before_it_is_read(records_copy, monkeypatch):
    big = records_copy / "archive/huge.txt"
    with big.open("wb") as handle:  # sparse: 300 MB by its size, nothing on disk
        handle.truncate(300 * 1024 * 1024)
    _refuse_reading(monkeypatch, "huge.txt")
    found = messages(records_copy)
    assert found == ["records/archive/huge.txt:1:1: archived copy larger than 2 MiB"]


def test_an_oversized_record_is_refused_before_it_is_read(records_copy, monkeypatch):
    big = records_copy / "drugs/huge.yaml"
    with big.open("wb") as handle:
        handle.truncate(300 * 1024 * 1024)
    _refuse_reading(monkeypatch, "huge.yaml")
    found = messages(records_copy)
    assert len(found) == 1 and found[0].startswith("records/drugs/huge.yaml:1:1: file is ")


def test_archived_copies_are_unique_without_case(records_copy):
    """Two copies whose names differ only by case: one of them is lost on a case-insensitive
    disk (macOS, Windows), and the quotes would be checked against whichever survived."""
    original = records_copy / "archive/000_0f28aca7d3a3d3db.txt"
    (records_copy / "archive/000_0F28ACA7D3A3D3DB.txt").write_text("other", encoding="utf-8")
    assert original.is_file()
    found = messages(records_copy)
    assert len(found) == 1, found
    assert "differs only by case from '000_0F28ACA7D3A3D3DB.txt'" in found[0]


def test_every_workflow_job_has_a_time_limit():
    """A job without timeout-minutes holds a runner for six hours when a step hangs."""
    for file in sorted((ROOT / ".github/workflows").glob("*.yml")):
        workflow = yaml.safe_load(file.read_text(encoding="utf-8"))
        for name, job in workflow["jobs"].items():
            limit = job.get("timeout-minutes")
            assert isinstance(limit, int) and 0 < limit <= 60, (file.name, name)

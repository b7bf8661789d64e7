"""The home page states its coverage: records per kind (drugs split into tracked assets and others)
and the newest review and source dates, all from the records; docs/index.md stays hand-written."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import FIXTURES, ROOT
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import KINDS, load_records
from test_site import page


def test_home_page_counts_match_the_fixture_records(built_site: Path):
    records, problems = load_records(FIXTURES, ROOT)
    assert problems == []
    tracker = link(records)
    files = {kind: sorted((FIXTURES / kind).glob("*.yaml")) for kind in KINDS}
    text = page(built_site, "").text
    assert f"This build holds {sum(len(f) for f in files.values())} records" in text
    for kind, title in (
        ("drugs", "Drugs"),
        ("targets", "Targets"),
        ("companies", "Companies"),
        ("indications", "Indications"),
        ("trials", "Trials"),
        ("sources", "Sources"),
    ):
        assert f"{title} {len(files[kind])} " in text, kind
    tracked = len(tracker.tracked_ids())
    assert 0 < tracked < len(files["drugs"])  # the fixtures hold both kinds of drug
    assert f"— tracked assets {tracked} — other drugs {len(files['drugs']) - tracked} " in text
    deals = [p for p in files["events"] if "type: deal" in p.read_text(encoding="utf-8")]
    assert f"Events {len(files['events'])}, of which {len(deals)} deals" in text
    data = [yaml.safe_load(p.read_text(encoding="utf-8")) for f in files.values() for p in f]
    reviewed = max(d["last_reviewed"] for d in data if "last_reviewed" in d)
    published = max(
        yaml.safe_load(p.read_text(encoding="utf-8")).get("date", "") for p in files["sources"]
    )
    assert f"(the records' last_reviewed field) is {reviewed}." in text
    assert f"publication date among the cited documents is {published}." in text
    assert "Deliberately out of scope" in text


def test_home_page_source_stays_hand_written_with_one_marker():
    text = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert text.count("<!-- pipeline-tracker:coverage -->") == 1
    assert "This build holds" not in text

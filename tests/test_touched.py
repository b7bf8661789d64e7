"""After an edit, site.touched.pages_touched names every generated page whose HTML can differ, so
`mkdocs serve` renders only those: checked against the truth (every page rendered before and after
the edit, on fixture records) for edits of each kind, and it leaves unrelated records' pages out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from pipeline_tracker.site import build as incremental  # load_tracker with a cache
from pipeline_tracker.site.render import SiteOptions, page_jobs, render_job
from pipeline_tracker.site.touched import pages_touched

OPTIONS = SiteOptions(today="2026-11-30")
DRUG = "pyrotinib"
UNRELATED = "drugs/zevorcabtagene-autoleucel.md"  # a CAR-T drug: shares nothing with pyrotinib


def _render_all(tracker, version: str = "") -> dict[str, tuple]:
    """Every page; with `version`, the tracker's data version written as that one (every page
    prints it: pages_touched leaves it to the page side)."""
    pages = {}
    for job in page_jobs(tracker):
        page = render_job(tracker, OPTIONS, job)
        parts = (page.front_matter, page.html, page.linked_data, page.toc)
        if version:
            own = tracker.data_version
            parts = tuple(p.replace(own, version) if isinstance(p, str) else p for p in parts)
        pages[job[0]] = parts
    return pages


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The fixture records, loaded and every page rendered once, for every edit to compare with."""
    records = tmp_path_factory.mktemp("base") / "records"
    shutil.copytree(FIXTURES, records)
    tracker = incremental.load_tracker(records, records.parent)
    return records, tracker, _render_all(tracker)


def _edit(records: Path, path: str, old: str, new: str) -> None:
    file = records / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{path} no longer holds {old!r}: choose another edit"
    file.write_text(text.replace(old, new), encoding="utf-8")


EDITS = {
    "drug notes": ("drugs/pyrotinib.yaml", "No company is printed.", "Edited notes."),
    "drug mechanism": ("drugs/pyrotinib.yaml", "mechanism: HER2", "mechanism: Edited. HER2"),
    "drug target": ("drugs/pyrotinib.yaml", "target: erbb2", "target: fgfr1"),
    "drug name": ("drugs/trastuzumab.yaml", "name: trastuzumab", "name: trastuzumab (edited)"),
    "trial phase": ("trials/lummicar-2.yaml", "phase: phase 1/2", "phase: phase 3"),
    "company name": ("companies/carsgen.yaml", "name: CARsgen", "name: CARsgen Therapeutics"),
    "source title": (
        "sources/komen-empowher-303.yaml",
        "[Article on the EmpowHER-303 trial of zanidatamab]",
        "[Edited title]",
    ),
    "narrower indication": (
        "indications/cholangiocarcinoma.yaml",
        "name: cholangiocarcinoma",
        "name: cholangiocarcinoma (edited)",
    ),
    "event summary": (
        "events/ema-prime-zevor-cel.yaml",
        "is a designated Priority Medicine",
        "is an edited Priority Medicine",
    ),
}


@pytest.fixture
def edited(base, tmp_path):
    records_base, before, pages_before = base
    records = tmp_path / "records"
    shutil.copytree(records_base, records)

    def after(*edits: tuple[str, str, str]):
        for edit in edits:
            _edit(records, *edit)
        tracker = incremental.load_tracker(records, records.parent)
        pages = _render_all(tracker, before.data_version)
        differ = {
            src
            for src in pages.keys() | pages_before.keys()
            if pages.get(src) != pages_before.get(src)
        }
        return pages_touched(before, tracker), differ, pages

    return after


@pytest.mark.parametrize("name", sorted(EDITS))
def test_every_page_an_edit_changes_is_touched(edited, name):
    touched, differ, pages = edited(EDITS[name])
    assert differ, "the edit changes some page"
    assert differ <= touched, f"pages changed but not touched: {sorted(differ - touched)}"
    assert touched < pages.keys(), "an edit of one record does not touch every page"


@pytest.mark.parametrize("name", ["drug notes", "drug mechanism"])
def test_a_notes_edit_touches_the_records_own_page_only(edited, name):
    touched, differ, _pages = edited(EDITS[name])
    assert touched == differ == {"drugs/pyrotinib.md"}


def test_an_events_notes_edit_touches_the_timeline_and_deals(edited):
    """An event has no page: its notes are on the timeline and, for a deal, the deals list."""
    edit = (
        "events/carsgen-huadong-zevor-cel-2023.yaml",
        "notes: CARsgen remains",
        "notes: Edited. CARsgen remains",
    )
    touched, differ, _pages = edited(edit)
    assert {"timeline.md", "deals.md"} <= differ <= touched


def test_a_drugs_target_edit_touches_the_old_and_new_target_only(edited):
    touched, _differ, _pages = edited(EDITS["drug target"])
    assert {"drugs/pyrotinib.md", "targets/erbb2.md", "targets/fgfr1.md"} <= touched
    assert UNRELATED not in touched
    assert "targets/tnfrsf17.md" not in touched


def test_a_record_added_and_one_removed_are_touched(edited, base):
    records = base[0]
    touched, differ, _pages = edited()  # nothing edited: nothing touched
    assert touched == set() and differ == set()
    assert "targets/erbb9.md" not in base[2]
    new = records.parent / "new"
    shutil.copytree(records, new / "records")
    (new / "records" / "targets" / "erbb9.yaml").write_text(
        (records / "targets" / "fgfr1.yaml").read_text().replace("fgfr1", "erbb9")
    )
    (new / "records" / "events" / "ema-prime-zevor-cel.yaml").unlink()
    after = incremental.load_tracker(new / "records", new)
    touched = pages_touched(base[1], after)
    assert "targets/erbb9.md" in touched
    assert "drugs/zevorcabtagene-autoleucel.md" in touched  # the removed event named it
    assert "timeline.md" in touched


def test_further_pages_of_touched_records_and_lists_are_touched(base, tmp_path):
    """Every page_jobs page of a touched record (a long section's further pages) and every
    further page of a list is touched; an unrelated record's further pages are not."""
    records_base, before, _pages = base
    records = tmp_path / "records"
    shutil.copytree(records_base, records)
    jobs = [
        *page_jobs(before),
        ("drugs/pyrotinib/trials/page/2.md", "drug.html.j2", "drugs", "pyrotinib"),
        (
            "drugs/zevorcabtagene-autoleucel/trials/page/2.md",
            "drug.html.j2",
            "drugs",
            "zevorcabtagene-autoleucel",
        ),
        ("drugs/page/2.md", "index_drugs.html.j2", "drugs", ""),
    ]
    _edit(records, *EDITS["drug notes"])
    notes = pages_touched(before, incremental.load_tracker(records, records.parent), jobs)
    assert notes == {"drugs/pyrotinib.md", "drugs/pyrotinib/trials/page/2.md"}
    _edit(records, *EDITS["drug target"])
    wide = pages_touched(before, incremental.load_tracker(records, records.parent), jobs)
    assert {"drugs/pyrotinib/trials/page/2.md", "drugs/page/2.md"} <= wide
    assert "drugs/zevorcabtagene-autoleucel/trials/page/2.md" not in wide

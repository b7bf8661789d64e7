"""A reload under `mkdocs serve` reads only the files changed since the last load (records/cache.py)
and finds what a cold load finds: the same problems, the same records, the same linked tracker,
after an edit, a delete, an add, a rename, a file made invalid and fixed again, an archived copy
changed, and a commit (the history is read again only when HEAD moves)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from conftest import git
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.cache import FileCache
from pipeline_tracker.records.problems import RecordsInvalid
from pipeline_tracker.records.validate import load_and_check
from pipeline_tracker.site import build as incremental  # load_tracker with a cache

DRUG = "pyrotinib"


def _view(records) -> dict:
    """What a record is to the rest of the build: not the lazily filled positions."""
    return {
        (kind, rid): (r.path, r.data, r.text, r.schema_ok)
        for kind, by_id in records.items()
        for rid, r in by_id.items()
    }


def _same_as_cold(records_path: Path, cache: FileCache) -> list[str]:
    """Load warm through `cache` and cold; assert they agree; return the problems' text."""
    root = records_path.parent
    warm, warm_problems = load_and_check(records_path, root, cache)
    cold, cold_problems = load_and_check(records_path, root)
    assert warm_problems == cold_problems
    assert _view(warm) == _view(cold)
    if not cold_problems:
        warm_tracker, cold_tracker = link(warm), link(cold)
        assert warm_tracker.phase_rows == cold_tracker.phase_rows
        assert warm_tracker.referenced_by == cold_tracker.referenced_by
    return [p.text() for p in cold_problems]


def _reads(cache: FileCache, records_path: Path) -> int:
    before = cache.reads
    load_and_check(records_path, records_path.parent, cache)
    return cache.reads - before


def test_an_unchanged_tree_is_not_read_again(records_copy):
    cache = FileCache()
    assert _same_as_cold(records_copy, cache) == []
    files = sum(1 for _ in records_copy.rglob("*") if _.is_file())
    assert cache.reads == files  # every record file and archived copy, once
    assert _reads(cache, records_copy) == 0


def test_an_edit_reads_one_file_and_is_seen(records_copy):
    cache = FileCache()
    _same_as_cold(records_copy, cache)
    drug = records_copy / "drugs" / f"{DRUG}.yaml"
    drug.write_text(drug.read_text().replace("No company is printed.", "Edited."))
    assert _reads(cache, records_copy) == 1
    warm, _ = load_and_check(records_copy, records_copy.parent, cache)
    assert warm["drugs"][DRUG].data["notes"].endswith("Edited.")
    assert _same_as_cold(records_copy, cache) == []


def test_delete_add_and_rename_match_a_cold_load(records_copy):
    cache = FileCache()
    _same_as_cold(records_copy, cache)
    # delete a drug other records name: its references are reported, as cold
    (records_copy / "drugs" / DRUG).with_suffix(".yaml").unlink()
    problems = _same_as_cold(records_copy, cache)
    assert any(f"no drug record '{DRUG}'" in p for p in problems)
    # add it back under a new name: a rename (the id no longer matches the file name)
    shutil.copy(
        Path(__file__).parent / "fixtures" / "records" / "drugs" / f"{DRUG}.yaml",
        records_copy / "drugs" / "pyrotinib-renamed.yaml",
    )
    problems = _same_as_cold(records_copy, cache)
    assert any("pyrotinib-renamed.yaml" in p for p in problems)
    # rename it back: the tree is whole again
    (records_copy / "drugs" / "pyrotinib-renamed.yaml").rename(
        records_copy / "drugs" / f"{DRUG}.yaml"
    )
    assert _same_as_cold(records_copy, cache) == []
    # add a new target nobody names
    target = records_copy / "targets" / "erbb9.yaml"
    target.write_text(
        (records_copy / "targets" / "fgfr1.yaml").read_text().replace("fgfr1", "erbb9")
    )
    _same_as_cold(records_copy, cache)


def test_a_file_made_invalid_and_fixed_again(records_copy):
    cache = FileCache()
    _same_as_cold(records_copy, cache)
    drug = records_copy / "drugs" / f"{DRUG}.yaml"
    good = drug.read_text()
    drug.write_text(good + "summary: [unclosed\n")  # YAML syntax
    assert any("YAML syntax" in p for p in _same_as_cold(records_copy, cache))
    drug.write_text(good.replace("modality: small molecule", "modality: 5"))  # schema
    assert any("/modality" in p for p in _same_as_cold(records_copy, cache))
    drug.write_text(good.replace("target: erbb2", "target: erbb7"))  # a cross-record rule
    assert any("erbb7" in p for p in _same_as_cold(records_copy, cache))
    drug.write_text(good)
    assert _same_as_cold(records_copy, cache) == []


def test_an_archived_copy_edited_is_read_again(records_copy):
    cache = FileCache()
    _same_as_cold(records_copy, cache)
    copy = records_copy / "archive" / "003_742f5da637dd461e.txt"
    text = copy.read_text()
    copy.write_text("nothing the records quote")
    assert _reads(cache, records_copy) == 1
    assert any("quote not found" in p for p in _same_as_cold(records_copy, cache))
    copy.write_bytes(b"\xff not UTF-8")
    assert any("not UTF-8" in p for p in _same_as_cold(records_copy, cache))
    copy.write_text(text)
    assert _same_as_cold(records_copy, cache) == []


def test_a_schema_change_checks_every_record_again(records_copy, monkeypatch):
    """The schema verdict kept per record belongs to one schema set: another set checks again."""
    cache = FileCache()
    _same_as_cold(records_copy, cache)
    checked = []
    from pipeline_tracker.records import validate

    class Other:
        def problems(self, record):
            checked.append(record.id)
            return []

    monkeypatch.setattr(validate, "schema_set", Other)
    load_and_check(records_copy, records_copy.parent, cache)
    assert DRUG in checked


def test_the_tracker_reloaded_has_the_new_history_after_a_commit(records_copy):
    repo = records_copy.parent
    git(repo, "init", "-q")
    git(repo, "add", "records")
    git(repo, "commit", "-q", "-m", "records")
    cache = FileCache()
    first = incremental.load_tracker(records_copy, repo, cache)
    again = incremental.load_tracker(records_copy, repo, cache)
    assert again.history is first.history  # HEAD unchanged: not read again
    drug = records_copy / "drugs" / f"{DRUG}.yaml"
    drug.write_text(drug.read_text().replace("No company is printed.", "Edited."))
    git(repo, "commit", "-q", "-am", "edit")
    moved = incremental.load_tracker(records_copy, repo, cache)
    assert moved.history is not first.history
    assert [c.record_id for c in moved.history.recent][:1] == [DRUG]


def test_the_tracker_reloaded_raises_the_same_problems(records_copy):
    cache = FileCache()
    incremental.load_tracker(records_copy, records_copy.parent, cache)
    drug = records_copy / "drugs" / f"{DRUG}.yaml"
    drug.write_text(drug.read_text().replace("target: erbb2", "target: erbb7"))
    with pytest.raises(RecordsInvalid) as warm:
        incremental.load_tracker(records_copy, records_copy.parent, cache)
    with pytest.raises(RecordsInvalid) as cold:
        incremental.load_tracker(records_copy, records_copy.parent)
    assert warm.value.problems == cold.value.problems


def _linked_view(tracker) -> tuple:
    """What linking gives, and what the pages ask of it (each drug's headline phase, the tracked
    drugs, the aliases): a tracker relinked after an edit must not answer from the last one's."""
    derived = (
        {drug: tracker.highest_phase(drug) for drug in tracker.ids("drugs")},
        tracker.tracked_ids(),
        tracker.aliases_of_drugs(),
    )
    return tracker.phase_rows, tracker.referenced_by, _view(tracker.records), derived


def test_relinking_only_what_changed_gives_the_tracker_a_full_link_gives(records_copy):
    """Each step reloads through the cache and links from the last tracker; a cold load and a full
    link of the same files agree: phase rows (a trial's phase moved, an event gone, a trial
    added), back-references, the headline phases, and the earlier tracker is left as it was."""
    cache = FileCache()
    root = records_copy.parent
    last = incremental.load_tracker(records_copy, root, cache)
    first = copy.deepcopy(_linked_view(last))
    trial = records_copy / "trials" / "lummicar-2.yaml"
    steps = [
        lambda: trial.write_text(trial.read_text().replace("phase: phase 1/2", "phase: phase 3")),
        lambda: (records_copy / "events" / "ema-prime-zevor-cel.yaml").unlink(),
        lambda: shutil.copy(trial, records_copy / "trials" / "lummicar-3.yaml"),
        lambda: (records_copy / "trials" / "lummicar-3.yaml").write_text(
            trial.read_text().replace("id: lummicar-2", "id: lummicar-3")
        ),
        lambda: (records_copy / "drugs" / f"{DRUG}.yaml").write_text(
            (records_copy / "drugs" / f"{DRUG}.yaml")
            .read_text()
            .replace("target: erbb2", "target: fgfr1")
        ),
    ]
    for step in steps:
        step()
        linked = copy.deepcopy(_linked_view(last))
        try:
            warm = incremental.load_tracker(records_copy, root, cache, previous=last)
        except RecordsInvalid:
            continue  # the copy named lummicar-3 still says id: lummicar-2
        cold = incremental.load_tracker(records_copy, root)
        assert _linked_view(warm) == _linked_view(cold)
        assert _linked_view(last) == linked  # the earlier tracker is left as it was
        last = warm
    assert ("drugs", DRUG) in last.referenced_by[("targets", "fgfr1")]
    assert ("drugs", DRUG) not in last.referenced_by.get(("targets", "erbb2"), set())
    assert ("trials", "lummicar-3") in last.referenced_by[("drugs", "zevorcabtagene-autoleucel")]
    assert first != _linked_view(last)


def test_a_tracker_given_other_phase_rows_answers_from_them(records_copy):
    """Linking makes a tracker, then gives it its phase rows (link, relink): what the tracker
    worked out before (a drug's headline phase, the tracked drugs) follows the rows it has now."""
    tracker = incremental.load_tracker(records_copy, records_copy.parent)
    drug = tracker.tracked_ids()[0]
    assert tracker.highest_phase(drug) is not None
    tracker.phase_rows = {**tracker.phase_rows, drug: []}
    assert tracker.highest_phase(drug) is None
    assert drug in tracker.untracked_ids() and drug not in tracker.tracked_ids()


def test_a_history_kept_between_builds_reads_each_blob_once(records_copy, monkeypatch):
    """Recently changed compares a drug's text before and after each edit: a History kept per
    HEAD reads those texts from git once, and gives the same changes every build."""
    repo = records_copy.parent
    git(repo, "init", "-q")
    git(repo, "add", "records")
    git(repo, "commit", "-q", "-m", "records")
    drug = records_copy / "drugs" / f"{DRUG}.yaml"
    drug.write_text(drug.read_text().replace("No company is printed.", "Edited."))
    git(repo, "commit", "-q", "-am", "edit")
    cache = FileCache()
    first = incremental.load_tracker(records_copy, repo, cache)
    assert first.history.blobs  # the edited drug's two texts
    from pipeline_tracker.records import history

    calls = []
    real = history._git
    monkeypatch.setattr(
        history, "_git", lambda args, *a, **k: calls.append(args) or real(args, *a, **k)
    )
    again = incremental.load_tracker(records_copy, repo, cache, previous=first)
    assert again.recent_changes == first.recent_changes
    assert not any(args[0] == "cat-file" for args in calls)

"""A record's history at build time (issue 20, item 2): added and last-changed dates from git, the
"Recently changed" page and feed, event feed entries dated by the day they reached the tracker,
and the history chart. Git tests build a small repository of fixture records with dated commits."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest
from conftest import FIXTURES, git
from pipeline_tracker.site.build import build_outputs
from pipeline_tracker.site.render import SiteOptions

DRUG = "zevorcabtagene-autoleucel"
OLD_EVENT = "fda-orphan-zevor-cel-2019"  # an event of 2019, added to the tracker in 2024


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """Three commits: the records without one event (2024-01-10); the drug's North America row
    moved from phase 1/2 to phase 2 (2024-03-05); the 2019 event added (2024-06-01)."""
    repo = tmp_path_factory.mktemp("repo")
    records = repo / "records"
    shutil.copytree(FIXTURES, records)
    event = records / "events" / f"{OLD_EVENT}.yaml"
    held = event.read_bytes()
    event.unlink()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "records", date="2024-01-10")
    drug = records / "drugs" / f"{DRUG}.yaml"
    text = drug.read_text(encoding="utf-8")
    assert "    phase: phase 1/2\n" in text
    drug.write_text(text.replace("    phase: phase 1/2\n", "    phase: phase 2\n"), "utf-8")
    git(repo, "commit", "-q", "-am", "phase 2 in North America", date="2024-03-05")
    event.write_bytes(held)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the 2019 orphan designation", date="2024-06-01")
    return repo


def _build(records: Path, root: Path, **options):
    return build_outputs(records, root, SiteOptions(today="2026-12-02", **options))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_record_pages_say_when_the_record_was_added_and_last_changed(repo: Path):
    out = _build(repo / "records", repo, repo_url="https://example.org/tracker")
    page = out.html_pages[f"drugs/{DRUG}.md"].html
    assert "Added 2024-01-10 · last changed 2024-03-05" in _text(page)
    assert f'href="https://example.org/tracker/commits/main/records/drugs/{DRUG}.yaml"' in page, (
        "the change history is linked"
    )
    target = _text(out.html_pages["targets/erbb2.md"].html)
    assert "Added 2024-01-10 · last changed 2024-01-10" in target
    # Without repo_url the page names the file whose history to read.
    plain = _build(repo / "records", repo).html_pages[f"drugs/{DRUG}.md"].html
    assert f"git log -- records/drugs/{DRUG}.yaml" in plain


def test_event_feeds_date_an_old_event_by_the_day_it_reached_the_tracker(repo: Path):
    out = _build(repo / "records", repo)
    for path in ("feed.xml", "feeds/companies/carsgen.xml"):
        feed = feedparser.parse(out.static[path])
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        entry = next(e for e in feed.entries if OLD_EVENT in e.link)
        assert entry.updated == "2024-06-01T00:00:00Z", path  # not 2019: subscribers see it
        assert "2019" in entry.title and "Event date: 2019" in entry.summary
    # An event dated after the day it reached the tracker keeps its own date.
    feed = feedparser.parse(out.static["feed.xml"])
    later = next(e for e in feed.entries if "nmpa-approval-zanidatamab-btc-2025" in e.link)
    assert later.updated == "2025-05-29T00:00:00Z"  # its own date, later than its commit


def test_recently_changed_page_and_feed(repo: Path):
    out = _build(repo / "records", repo)
    feed = feedparser.parse(out.static["changes.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    kinds = [(e.updated[:10], e.tags[0].term, e.link) for e in feed.entries]
    assert kinds[0] == ("2024-06-01", "new event", f"timeline/#event-{OLD_EVENT}")
    assert ("2024-03-05", "phase changed", f"drugs/{DRUG}/") in kinds
    phase = next(e for e in feed.entries if e.tags[0].term == "phase changed")
    assert "phase 1/2 → phase 2" in phase.summary and "North America" in phase.summary
    assert ("2024-01-10", "added", "drugs/zanidatamab/") in kinds
    assert [k[0] for k in kinds] == sorted((k[0] for k in kinds), reverse=True)
    page = _text(out.html_pages["recent.md"].html)
    assert "2024-06-01 new event" in page and "event date 2019" in page
    assert "2024-03-05 phase changed" in page and "phase 1/2 → phase 2" in page
    # The same history gives the same bytes (dates come from commits, not the clock).
    assert _build(repo / "records", repo).static == out.static


def test_outside_a_git_checkout_dates_are_unknown_never_guessed(repo: Path, tmp_path: Path):
    copy = tmp_path / "plain" / "records"
    shutil.copytree(repo / "records", copy)
    out = _build(copy, copy.parent)
    page = _text(out.html_pages[f"drugs/{DRUG}.md"].html)
    assert "Added: date unknown (not a git checkout)" in page
    assert "last changed: date unknown" in page
    assert "2024-" not in page
    recent = _text(out.html_pages["recent.md"].html)
    assert "history was not available" in recent
    feed = feedparser.parse(out.static["changes.xml"])
    assert not feed.bozo and feed.entries == []
    events = feedparser.parse(out.static["feed.xml"])
    entry = next(e for e in events.entries if OLD_EVENT in e.link)
    assert entry.updated.startswith("2019-")  # the event's own date, as before


def test_a_shallow_clone_gives_no_date_from_where_its_history_was_cut(repo: Path, tmp_path: Path):
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    out = _build(clone / "records", clone)
    # The cut commit (2024-03-05) shows every file as added: no record gets that as its date.
    page = _text(out.html_pages[f"drugs/{DRUG}.md"].html)
    assert "Added: date unknown" in page and "last changed: date unknown" in page
    assert "2024-03-05" not in page
    # The newest commit's parent is known: its addition is dated.
    feed = feedparser.parse(out.static["changes.xml"])
    assert [(e.updated[:10], e.tags[0].term) for e in feed.entries] == [("2024-06-01", "new event")]


# The history chart ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def charted(tmp_path_factory):
    """The fixtures, with hostile text in an indication's name."""
    records = tmp_path_factory.mktemp("chart") / "records"
    shutil.copytree(FIXTURES, records)
    indication = records / "indications" / "cholangiocarcinoma.yaml"
    text = indication.read_text(encoding="utf-8")
    name = re.search(r"^name: (.*)$", text, re.MULTILINE).group(0)
    indication.write_text(text.replace(name, 'name: "cholangio <b>&x</b>"', 1), "utf-8")
    return _build(records, records.parent)


def _svg(html: str) -> str:
    return re.search(r'<svg class="pt-hc__svg".*?</svg>', html, re.DOTALL).group(0)


def _lanes(svg: str) -> list[str]:
    return re.findall(r'<g class="pt-hc__lane[^"]*">.*?</g>', svg, re.DOTALL)


def test_history_chart_draws_lanes_qualifiers_and_special_access(charted):
    html = charted.html_pages["drugs/infigratinib.md"].html
    svg = _svg(html)
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    lanes = _lanes(svg)
    labels = [re.search(r'class="pt-hc__label"[^>]*>(.*?)</text>', g).group(1) for g in lanes]
    # One lane per programme; special access on its own lane, never drawn as approval.
    special = [g for g in lanes if "pt-hc__lane--sa" in g]
    assert len(special) == 1 and "special access (not an approval)" in special[0]
    assert "pt-hc--special-access" in special[0] and "pt-hc--approved" not in special[0]
    assert any("gastric cancer" in label for label in labels)
    # The first global approval: approximately dated and inferred, on the events lane.
    events = next(g for g in lanes if "pt-hc__lane--events" in g)
    mark = re.search(r'<path class="([^"]*)"[^>]*><title>Approval, ([^<]*)</title>', events)
    assert "pt-hc__mark--approx" in mark.group(1) and "pt-hc__mark--inferred" in mark.group(1)
    assert mark.group(2) == "about 2021-06 (date inferred)"
    # Record text is escaped inside the SVG, and the legend and the table say the same in words.
    assert "cholangio &lt;b&gt;&amp;x&lt;/b&gt;" in svg and "<b>&x" not in html
    assert "approximate date" in html and "date inferred by the curator" in html
    table = re.search(r'<details class="pt-hc__table">.*?</details>', html, re.DOTALL).group(0)
    assert "about 2021-06 (date inferred)" in _text(table)


def test_history_chart_marks_an_inferred_date_and_says_as_of(charted):
    svg = _svg(charted.html_pages["drugs/zanidatamab.md"].html)
    inferred = re.findall(r'class="pt-hc__mark [^"]*pt-hc__mark--inferred[^"]*"', svg)
    assert inferred and all("pt-hc__mark--approx" not in m for m in inferred)
    assert "as of 2025-05-29" in svg


def test_indication_and_company_pages_chart_their_drugs_programmes(charted):
    company = _svg(charted.html_pages["companies/carsgen.md"].html)
    assert len(_lanes(company)) >= 2 and "zevorcabtagene autoleucel · multiple myeloma" in company
    indication = _svg(charted.html_pages["indications/multiple-myeloma.md"].html)
    assert "zevorcabtagene autoleucel · multiple myeloma" in indication
    # Rows without a date are listed, never drawn at an invented date.
    undated = charted.html_pages["indications/breast-cancer.md"].html
    assert '<svg class="pt-hc__svg"' not in undated and "No dated status to draw" in undated
    assert "date not given" in _text(undated)


def test_history_chart_is_capped():
    from pipeline_tracker.model import history_chart
    from pipeline_tracker.site.build import load_tracker

    tracker = load_tracker(FIXTURES)
    drugs = tracker.drugs_in_indication("breast-cancer")
    rows = {d: tracker.phase_rows[d] for d in drugs}
    full = history_chart.programme_history(tracker, rows)
    capped = history_chart.programme_history(tracker, rows, limit=2)
    assert len(full.lanes) > 2 and not full.capped
    assert capped.lanes == full.lanes[:2] and capped.capped
    pairs = {(r.drug, r.indication) for drug_rows in rows.values() for r in drug_rows}
    assert capped.programmes == full.programmes >= len(pairs)


def test_recently_changed_escapes_record_text(tmp_path: Path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES, repo / "records")
    drug = repo / "records" / "drugs" / "zanidatamab.yaml"
    hostile = '<img src=x onerror="alert(1)">&amp;'
    text = drug.read_text(encoding="utf-8")
    drug.write_text(text.replace("\nname: ", f"\nname: '{hostile}'\nx_was: ", 1), "utf-8")
    text = drug.read_text(encoding="utf-8")
    drug.write_text(re.sub(r"\nx_was: .*", "", text, count=1), "utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "records", date="2024-01-10")
    out = _build(repo / "records", repo)
    page = out.html_pages["recent.md"].html
    assert "<img" not in page and "&lt;img src=x" in page
    feed = feedparser.parse(out.static["changes.xml"])
    assert not feed.bozo
    assert any(e.title == f"Added drug: {hostile}" for e in feed.entries)

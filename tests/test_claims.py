"""One model of claims: a fact the curator inferred is marked inferred on every view that shows it,
the Companies index agrees with each company's page, notes reach every kind of page, and the
labels come from one function (claims.status_label / event_label) in every view."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from pipeline_tracker.model import claims, landscape
from pipeline_tracker.model.tracker import link
from pipeline_tracker.records.load import load_records
from pipeline_tracker.records.validate import load_and_check
from pipeline_tracker.site import search_meta
from pipeline_tracker.site.feed import build_feed
from pipeline_tracker.site.render import SiteOptions, render_pages
from pipeline_tracker.tools import diff

REASON = "the source prints no approval; it calls the drug a second-line option in China"
EVENT_REASON = "the source names no indication; taken from the trial the approval rests on"


MODALITY_REASON = "the registry entry calls it a new antibody"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def inferred_tree(tmp_path_factory) -> Path:
    """The fixture records plus: an approval of inetetamab in China whose phase the curator
    inferred, an event whose indication was inferred, and a note on one record of every kind."""
    records = tmp_path_factory.mktemp("claims") / "records"
    shutil.copytree(FIXTURES, records)
    _edit(
        records / "drugs/inetetamab.yaml",
        "notes:",
        "status:\n"
        "  - indication: breast-cancer\n"
        "    regions:\n"
        "      - CN\n"
        "    phase: approved\n"
        "    inferred:\n"
        f"      phase: {REASON}\n"
        "    sources:\n"
        "      - inetetamab-pyrotinib-chemo-mbc-registry-entry\n"
        "notes:",
    )
    _edit(
        records / "drugs/inetetamab.yaml",
        "  modality:\n    - inetetamab-pyrotinib-chemo-mbc-registry-entry\n",
        "",
    )
    _edit(
        records / "drugs/inetetamab.yaml",
        "evidence:\n",
        f"inferred:\n  modality: {MODALITY_REASON}\nevidence:\n",
    )
    _edit(
        records / "drugs/bbp-398.yaml",
        "evidence:\n  modality:\n    - hainan-infigratinib-npp-case-study\n",
        "inferred:\n  modality: an SHP2 inhibitor in oral development is usually one\nevidence:\n",
    )
    _edit(
        records / "events/nmpa-approval-zanidatamab-btc-2025.yaml",
        "inferred:\n",
        f"inferred:\n  indications: {EVENT_REASON}\n",
    )
    for kind, rid in [
        ("trials", "lummicar-1"),
        ("targets", "erbb2"),
        ("companies", "carsgen"),
        ("indications", "multiple-myeloma"),
        ("sources", "komen-empowher-303"),
        ("drugs", "zevorcabtagene-autoleucel"),
    ]:
        path = records / kind / f"{rid}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^notes: .*\n", "", text), encoding="utf-8")
        _edit(
            path,
            "last_reviewed:",
            f"notes: Curator note on {kind} {rid} <b>bold</b>.\nlast_reviewed:",
        )
    return records


@pytest.fixture(scope="module")
def tracker(inferred_tree):
    records, problems = load_and_check(inferred_tree, ROOT)
    assert problems == [], [str(p) for p in problems]
    return link(records)


@pytest.fixture(scope="module")
def pages(tracker):
    return {src: page.html for src, page in render_pages(tracker, SiteOptions()).items()}


_MARK = re.compile(r'class="pt-inferred"[^>]*>\((?:[a-z, ]+ )?inferred\)</a>')


def _marked(html: str, drug: str) -> bool:
    """Whether a link to the drug has an inferred mark ("(inferred)", or "(phase inferred)"
    where the value is not beside it) in the same table row or list item."""
    for cell in re.findall(r"<(tr|li)[^>]*>(.*?)</\1>", html, re.DOTALL):
        cell = cell[1]
        if f"/{drug}/" in cell and _MARK.search(cell):
            return True
    return False


def test_the_label_is_decided_once_and_keeps_the_inferred_phase(tracker):
    best = tracker.highest_phase("inetetamab")
    label = claims.status_label(best)
    assert label.text == "approved"
    assert label.reason("phase") == REASON
    assert "phase inferred" in label.plain


def test_inferred_phase_is_marked_on_every_page_that_shows_it(pages):
    facts = re.search(r"<dt>Highest phase</dt> <dd>(.*?)</dd>", pages["drugs/inetetamab.md"])
    assert facts and "approved" in facts.group(1) and "(inferred)" in facts.group(1)
    for src in [
        "drugs/index.md",  # the drugs index
        "landscapes/index.md",  # matrices and bars
        "indications/breast-cancer.md",  # drug table, landscape and bars of the indication
        "targets/erbb2.md",  # drugs naming the target
    ]:
        assert _marked(pages[src], "inetetamab"), f"{src}: inetetamab's inferred phase unmarked"


def test_inferred_reason_is_readable_without_hovering(pages):
    html = pages["landscapes/index.md"]
    marks = re.findall(r'class="pt-inferred" href="#(inferred-\d+)"', html)
    assert marks
    for anchor in set(marks):
        item = re.search(rf'<li id="{anchor}">(.*?)</li>', html, re.DOTALL)
        assert item, f"#{anchor} is linked but not on the page"
    assert REASON.replace("'", "&#39;") in html.split('<ol class="pt-inferences">', 1)[1]


def test_search_preview_marks_the_inferred_phase(tracker):
    parts, _tags = search_meta.summary_and_tags(tracker, "drugs", "inetetamab")
    assert any("approved" in p and "phase inferred" in p for p in parts), parts


def test_feed_entry_names_the_inferred_value(tracker):
    feed = build_feed(tracker).decode("utf-8")
    entries = re.findall(r"<entry>.*?</entry>", feed, re.DOTALL)
    entry = next(e for e in entries if "#event-nmpa-approval-zanidatamab-btc-2025" in e)
    assert "indications inferred" in entry and "the source names no indication" in entry


def test_diff_summary_says_when_a_phase_becomes_inferred(inferred_tree):
    new, problems = load_records(inferred_tree, ROOT)
    old, _ = load_records(FIXTURES, ROOT)
    assert problems == []
    lines = dict(diff.summary(old, new))["Phases"]
    assert any("inetetamab" in line and "phase inferred" in line for line in lines), lines


def test_landscape_cells_keep_the_row_with_its_reason(tracker):
    matrix = landscape.by_indication(tracker, tracker.tracked_ids())
    rows = [r for row in matrix.rows for cell in row.cells.values() for d, r in cell]
    assert any(r.drug == "inetetamab" and r.inferred_reason("phase") == REASON for r in rows)


def test_conditional_approval_is_said_once():
    from pipeline_tracker.model.tracker import PhaseRow

    row = PhaseRow(
        "d", "i", "US", "approved", "active", "", "", "", ("s",), "status", "",
        route="conditional approval",
    )  # fmt: skip
    assert claims.status_label(row).text == "approved (conditional approval)"
    assert claims.event_label({"type": "approval", "route": "conditional approval"}).text == (
        "Approval (conditional approval)"
    )


def test_company_index_agrees_with_each_company_page(tracker, pages):
    index = pages["companies/index.md"]
    for company in tracker.ids("companies"):
        row = re.search(rf'<tr><td[^>]*><a href="(?:[^"]*/)?{company}/">.*?</tr>', index, re.DOTALL)
        assert row, company
        page_rows = [r for rows in tracker.programmes_of_company(company).values() for r in rows]
        best = tracker.company_highest_phase(company)
        if best is None:
            assert "none within its territory or role" in row.group(0)
            continue
        assert best in page_rows
        assert f">{claims.status_label(best).text}<" in row.group(0), company


def test_a_licensee_s_rows_are_not_the_developer_s_and_a_commercial_partner_has_no_trials(tracker):
    lianbio = [r for rows in tracker.programmes_of_company("lianbio").values() for r in rows]
    qed = [r for rows in tracker.programmes_of_company("qed-therapeutics").values() for r in rows]
    assert lianbio and all(r.region in ("CN", "CN-HI", "HK", "MO") for r in lianbio)
    assert not set(lianbio) & set(qed), "the developer lists the licensee's China rows"
    huadong = [
        r for rows in tracker.programmes_of_company("huadong-medicine").values() for r in rows
    ]
    assert all(r.basis != "trial" for r in huadong), "a commercial partner lists development rows"


def test_notes_reach_every_kind_of_page_escaped(pages):
    for src in [
        "trials/lummicar-1.md",
        "targets/erbb2.md",
        "companies/carsgen.md",
        "indications/multiple-myeloma.md",
        "sources/komen-empowher-303.md",
        "drugs/zevorcabtagene-autoleucel.md",
    ]:
        kind, rid = src[:-3].split("/")
        assert f"Curator note on {kind} {rid} &lt;b&gt;bold&lt;/b&gt;." in pages[src], src


def test_inferred_fields_of_trials_and_events_reach_the_rows_they_make():
    from pipeline_tracker.model.tracker import event_phase_rows, trial_phase_rows
    from pipeline_tracker.records.load import Record

    trial = Record(
        "trials",
        "t",
        "records/trials/t.yaml",
        {
            "id": "t",
            "phase": "phase 2",
            "drugs": ["d"],
            "indications": ["i"],
            "countries": ["CN"],
            "inferred": {"phase": "the source says 'a mid-stage trial'", "countries": "sites"},
            "sources": ["s"],
        },
    )
    (row,) = trial_phase_rows(trial)
    assert row.inferred_reason("phase") == "the source says 'a mid-stage trial'"
    assert row.inferred_reason("region") == "sites"
    assert "phase inferred" in claims.status_label(row).plain
    event = Record(
        "events",
        "e",
        "records/events/e.yaml",
        {
            "id": "e",
            "type": "approval",
            "drugs": ["d"],
            "indications": ["i"],
            "regions": ["US"],
            "inferred": {"indications": "from the trial", "regions": "from the agency"},
            "sources": ["s"],
        },
    )
    (row,) = event_phase_rows(event)
    assert dict(row.inferred) == {"indication": "from the trial", "region": "from the agency"}


def test_a_planned_trial_puts_no_drug_at_its_phase_and_rows_date_from_the_status():
    from pipeline_tracker.model.tracker import trial_phase_rows
    from pipeline_tracker.records.load import Record

    data = {
        "id": "t",
        "phase": "phase 2",
        "drugs": ["d"],
        "indications": ["i"],
        "countries": ["CN"],
        "start_date": "2020-01",
        "sources": ["s"],
    }
    planned = Record("trials", "t", "records/trials/t.yaml", {**data, "status": "planned"})
    assert trial_phase_rows(planned) == []
    registered = Record("trials", "t", "t.yaml", {**data, "status": "not yet recruiting"})
    assert trial_phase_rows(registered) == []
    ongoing = {**data, "status": "ongoing", "status_as_of": "2021-12-21"}
    (row,) = trial_phase_rows(Record("trials", "t", "records/trials/t.yaml", ongoing))
    assert row.date == "2021-12-21" and row.phase == "phase 2"


def test_search_preview_and_index_mark_an_inferred_modality(tracker, pages):
    parts, _tags = search_meta.summary_and_tags(tracker, "drugs", "bbp-398")
    assert "small molecule (inferred)" in parts, parts
    assert claims.identity_fact({"modality": "not stated"}, "modality").plain == "not stated"
    assert _marked(pages["drugs/index.md"], "bbp-398")
    # the landscape that groups drugs by modality puts inetetamab (it has a phase; bbp-398 has
    # none) in its row by an inferred fact, and says so in the cell
    by_modality = pages["landscapes/index.md"].split("Drugs by modality", 2)[2]
    by_modality = by_modality.split("</table>", 1)[0]
    assert _marked(by_modality, "inetetamab") and not _marked(by_modality, "zanidatamab")
    assert f"modality inferred: {MODALITY_REASON}" in by_modality  # not only its phase's mark
    # and the two marks side by side say which fact each is about: the cell shows neither value
    cell = next(c for c in re.findall(r"<li>(.*?)</li>", by_modality) if "/inetetamab/" in c)
    assert [m for m in re.findall(r">\(([a-z, ]+) inferred\)<", cell)] == ["modality", "phase"]


def test_diff_summary_says_about_and_inferred_for_dates():
    from pipeline_tracker.model.tracker import PhaseRow

    row = PhaseRow(
        "d", "i", "XX", "approved", "active", "2021-06", "", "", ("s",), "status", "",
        inferred=(("date", "six months before"),), date_approximate="approximately six months",
    )  # fmt: skip
    assert claims.date_text(row) == "about 2021-06 (inferred)"

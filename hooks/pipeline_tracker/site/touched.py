"""Which generated pages an edit can change: the one decision a rebuild after an edit asks
(`mkdocs serve`), so only those pages are rendered again.

A record's page shows the record, the records it names and the records that name it (a drug page
lists its trials and events, a target page its drugs with their phases), and in the rows of a drug,
a trial or an event the records that row names (a target page shows its drugs' companies, a drug
page a deal's other drugs), and a page lists the rows of its trials and events too (a company page
the drugs of the trials it sponsors). So the pages an edit touches are: the changed records' pages;
the pages of the records linked to or from them, before or after the edit; through a linked drug,
trial or event, the pages of the records it links, and of those linked through their trials and
events; and the same for every drug of a trial or event that is changed or links a changed record
(a drug's phase rows carry its trials' and events' indications, dates and sources, so a source's
new title shows wherever the drug's rows do); the broader indications of every touched indication (an
indication's page counts its narrower ones' drugs); and every listing page (the indexes, the
timeline, landscapes, deals, recent changes, data quality). A drug whose phase rows differ counts
as changed even when its file did not (a trial or an event edit moves its phase).

An edit of a record's notes (or a drug's mechanism) alone touches that record's page only: no
other page and no listing shows them (templates: the notes macro, drug.html.j2; the drug page's
JSON-LD); an event's notes are on the timeline and the deals list, which are listings.

Not counted: the data version (Tracker.data_version) every page prints in its citation changes
with any edit, so every page differs by it; `mkdocs serve` prints the first build's version on
every page (Tracker.pin_data_version, mkdocs_adapter/liveserve.py). tests/test_touched.py checks the set against rendering every page before and
after an edit, the version aside.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline_tracker.model.tracker import Tracker
from pipeline_tracker.records.rules import references
from pipeline_tracker.site.render import PAGE_KINDS, page_jobs
from pipeline_tracker.site.urls import page_src

Key = tuple[str, str]  # (kind, record id)
# Records listed as rows on other records' pages, each row naming the row's own links (a target
# page lists its drugs with their companies and indications; an indication page its trials with
# their drugs and sponsors): a record's name reaches the pages two links away through them.
ROWS = ("drugs", "trials", "events")
# Records through which a page reaches rows one link further (a company page lists the drugs of
# the trials it sponsors, each row with the drug's companies).
JOINTS = ("trials", "events")


def changed_records(before: Tracker, after: Tracker) -> set[Key]:
    """Records added, removed, or whose data or history dates differ, and drugs whose phase rows
    differ (trials and events give drugs their phases)."""
    changed: set[Key] = set()
    for kind in before.records.keys() | after.records.keys():
        old, new = before.records.get(kind, {}), after.records.get(kind, {})
        for rid in old.keys() ^ new.keys():
            changed.add((kind, rid))
        for rid in old.keys() & new.keys():
            a, b = old[rid], new[rid]
            if a is not b and (a.data != b.data or a.path != b.path):
                changed.add((kind, rid))
    if before.history.dates != after.history.dates:
        for key in before.history.dates.keys() ^ after.history.dates.keys():
            changed.add(key)
        for key in before.history.dates.keys() & after.history.dates.keys():
            if before.history.dates[key] != after.history.dates[key]:
                changed.add(key)
    # A drug's phase rows come from its own record and the trials and events naming it.
    drugs = {rid for kind, rid in changed if kind == "drugs"}
    for key in [k for k in changed if k[0] in ("trials", "events")]:
        drugs |= {rid for kind, rid in _neighbours(key, before, after) if kind == "drugs"}
    for drug in drugs:
        if before.phase_rows.get(drug) != after.phase_rows.get(drug):
            changed.add(("drugs", drug))
    return changed


# Fields a record's own page alone shows; an event has no page (its notes are on listings).
OWN_PAGE_FIELDS = frozenset({"notes", "mechanism"})


def _own_page_only(before: Tracker, after: Tracker, key: Key) -> bool:
    """Whether the record's change shows on its own page only: it exists before and after, its
    data differs in OWN_PAGE_FIELDS alone, and neither its phase rows nor its dates moved."""
    kind, rid = key
    old = before.records.get(kind, {}).get(rid)
    new = after.records.get(kind, {}).get(rid)
    if kind == "events" or old is None or new is None or old.path != new.path:
        return False
    if before.history.of(kind, rid) != after.history.of(kind, rid):
        return False
    if kind == "drugs" and before.phase_rows.get(rid) != after.phase_rows.get(rid):
        return False

    def rest(data: dict) -> dict:
        return {field: value for field, value in data.items() if field not in OWN_PAGE_FIELDS}

    return old.data != new.data and rest(old.data) == rest(new.data)


def _linked(tracker: Tracker, key: Key) -> set[Key]:
    """Records this record names and records naming it, in one tracker."""
    found = set(tracker.referenced_by.get(key, ()))
    record = tracker.records.get(key[0], {}).get(key[1])
    if record is not None:
        found |= {(kind, rid) for _pointer, kind, rid in references(record)}
    return found


def _neighbours(key: Key, before: Tracker, after: Tracker) -> set[Key]:
    return _linked(before, key) | _linked(after, key)


def _broader(tracker: Tracker, indication: str) -> Iterable[str]:
    """The indication's parents, grandparents, …, each once (a cycle is a checked problem, but
    never loops here)."""
    seen: set[str] = set()
    records = tracker.records.get("indications", {})
    while indication in records and indication not in seen:
        seen.add(indication)
        parent = records[indication].data.get("parent")
        if not isinstance(parent, str):
            return
        yield parent
        indication = parent


def records_touched(before: Tracker, after: Tracker, changed: set[Key] | None = None) -> set[Key]:
    """The records whose pages (or, for events, timeline entries) can differ after the edit
    (`changed`: changed_records, when already made)."""
    changed = changed_records(before, after) if changed is None else changed
    touched = set(changed)
    wide = {key for key in changed if not _own_page_only(before, after, key)}
    # A drug's phase rows carry what its trials and events say (indication, sources, dates): a
    # change to a trial or event, or to a record one names, shows wherever that drug's rows do.
    for key in list(wide):
        for joint in {key} | _neighbours(key, before, after):
            if joint[0] in JOINTS:
                wide |= {k for k in _neighbours(joint, before, after) if k[0] == "drugs"}
    touched |= wide
    for key in wide:
        near = _neighbours(key, before, after)
        touched |= near
        for row in near:
            if row[0] not in ROWS:
                continue
            beyond = _neighbours(row, before, after)
            touched |= beyond
            for joint in beyond:  # a page lists the drugs of its trials and events too
                if joint[0] in JOINTS:
                    touched |= _neighbours(joint, before, after)
    for _kind, rid in [k for k in touched if k[0] == "indications"]:
        for tracker in (before, after):
            touched |= {("indications", parent) for parent in _broader(tracker, rid)}
    return touched


def pages_touched(
    before: Tracker,
    after: Tracker,
    jobs: Iterable[tuple[str, str, str, str]] | None = None,
    changed: set[Key] | None = None,
) -> set[str]:
    """Source paths (as render.page_jobs names them) of every generated page whose HTML can
    differ between the two trackers: nothing when no record changed. Every page of a touched
    record (its own page and any further page of its long sections) and every listing page with
    its further pages (`<kind>/page/N/`, a year of the timeline, a check of the quality report, a
    landscape view), taken from page_jobs: `jobs`, page_jobs(after) when already made
    (`changed`: changed_records, when already made)."""
    changed = changed_records(before, after) if changed is None else changed
    touched = records_touched(before, after, changed)
    pages = {page_src(kind, rid) for kind, rid in touched if kind in PAGE_KINDS}
    wide = any(not _own_page_only(before, after, key) for key in changed)
    if not touched:
        return pages
    for src, _template, kind, rid in page_jobs(after) if jobs is None else jobs:
        if (kind, rid) in touched if rid else wide:
            pages.add(src)
    return pages

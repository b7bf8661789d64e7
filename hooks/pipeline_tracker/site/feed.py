"""The Atom feeds: /feed.xml (dated events, and record reviews grouped by review date), each drug's,
company's and target's own feed, and /changes.xml (record changes: model/changes.py), newest first.

An event's entry is dated (<updated>) by the day the event reached the tracker (its record's
first commit, records/history.py) when that is later than the event's own date: an approval
added today from a 2024 notice is news today, and a feed reader files it under today. The
event's own date stays in the entry's title and summary. Outside a git checkout the event's own
date is used, as before.

No build timestamp: the feed's <updated> is the newest date in the entries, so the same records
(and history) always give the same bytes. Entry ids are name-based UUIDs of the record ids, stable across builds.
Links are absolute when mkdocs.yml sets site_url (urls.absolute), so a feed read anywhere (a feed
reader, a copy of the file) links back to the site; without site_url no address is guessed and
links are relative to the feed's own address, as Atom allows (RFC 4287 §2: resolved against the
feed's URI), so the site works under any base path.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from pipeline_tracker.model.claims import display_name, event_label
from pipeline_tracker.model.tracker import Tracker
from pipeline_tracker.records.dates import date_start
from pipeline_tracker.records.load import KINDS, SINGULAR
from pipeline_tracker.site import escape, listing
from pipeline_tracker.site.fragments import counted
from pipeline_tracker.site.urls import absolute, feed_path, record_url, site_root

ATOM = "http://www.w3.org/2005/Atom"
FEED_PATH = "feed.xml"
TITLE = "Open Pipeline Tracker: what changed"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:open-pipeline-tracker")


def atom_time(date: str) -> str:
    """An ISO date of any precision as an Atom timestamp (the first instant it can mean, UTC)."""
    start = date_start(date)
    if start is None:
        raise ValueError(f"not a date: {date!r}")
    return f"{start.isoformat()}T00:00:00Z"


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def _title(data: dict, drugs: str) -> str:
    """'Approval (conditional approval): x' from the event's one label (claims.event_label);
    special access says so and never 'approval'."""
    kind = event_label(data).text
    return f"{kind}: {drugs}" if drugs else kind


def _summary(data: dict) -> str:
    """The event's summary, then each value the curator inferred, with the reason."""
    inferred = event_label(data).inferred
    approximate = data.get("date_approximate")
    return (
        data["summary"]
        + "".join(f" ({field} inferred: {why})" for field, why in inferred)
        + (f" (date approximate: “{approximate}”)" if approximate else "")
    )


def _entries(tracker: Tracker) -> list[dict]:
    entries = _event_entries(tracker)
    entries.extend(_review_entries(tracker))
    return sorted(entries, key=lambda e: (e["updated"], e["id"]), reverse=True)


def event_updated(tracker: Tracker, event: str) -> str:
    """The Atom <updated> of an event's entry: the day its record was added to the tracker, or
    the event's own date if that is later or the history does not say (see the module's note)."""
    own = atom_time(tracker.get("events", event)["date"])
    added = tracker.history.of("events", event).added
    return max(own, atom_time(added)) if added else own


def _event_entries(tracker: Tracker) -> list[dict]:
    """One entry per dated event (unsorted)."""
    entries = []
    for event in tracker.ids("events"):
        data = tracker.get("events", event)
        if not data.get("date"):
            continue  # an undated event has no place in a dated feed; the timeline lists it
        drugs = ", ".join(display_name(tracker.records, "drugs", d) for d in data["drugs"])
        added = tracker.history.of("events", event).added
        entries.append(
            {
                "id": _urn(f"events/{event}"),
                "date": data["date"],
                "updated": event_updated(tracker, event),
                "title": f"{_title(data, drugs)} ({data['date']})",
                "link": record_url("events", event, listing.event_years(tracker)),
                "summary": f"Event date: {data['date']}"
                + (f"; added to the tracker {added}" if added else "")
                + ". "
                + _summary(data),
                "category": data["type"],
                "event": event,
            }
        )
    return entries


def _review_entries(tracker: Tracker) -> list[dict]:
    """One entry per review date: the records curators checked that day."""
    entries = []
    reviewed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kind in KINDS:
        for rid in tracker.ids(kind):
            date = tracker.get(kind, rid).get("last_reviewed")
            if date:
                reviewed[date].append((kind, rid))
    for date, records in reviewed.items():
        counts: dict[str, int] = defaultdict(int)
        for kind, _ in records:
            counts[kind] += 1
        listed = ", ".join(counted(counts[k], SINGULAR[k], k) for k in KINDS if counts[k])
        entries.append(
            {
                "id": _urn(f"reviews/{date}"),
                "date": date,
                "updated": atom_time(date),
                "title": f"{counted(len(records), 'record')} reviewed on {date}",
                "link": "data/",
                "summary": f"Curators checked these records against their sources: {listed}. "
                + "; ".join(f"{k}/{r}" for k, r in records),
                "category": "review",
            }
        )
    return entries


def _link(site_url: str | None, url: str, relative: str) -> str:
    """An address from the site root as a feed link: absolute with site_url, else `relative`."""
    return absolute(site_url, url) or relative


CURATORS = "Open Pipeline Tracker curators"  # every feed's author
RIGHTS = "Data: CC BY 4.0"


def _credits(feed: ET.Element) -> None:
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = CURATORS
    ET.SubElement(feed, f"{{{ATOM}}}rights").text = RIGHTS


def _feed_head(
    title: str, urn: str, path: str, page: str, newest: str, site_url: str | None
) -> ET.Element:
    """A site-level feed's element with its title, id, self and page links and updated time."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = _urn(urn)
    self_link = _link(site_url, path, path)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_link)
    alternate = _link(site_url, page, page)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=alternate)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest
    return feed


def build_feed(tracker: Tracker, site_url: str | None = None) -> bytes:
    """The feed document as UTF-8 bytes."""
    ET.register_namespace("", ATOM)
    entries = _entries(tracker)
    newest = max((e["updated"] for e in entries), default="1970-01-01T00:00:00Z")
    feed = _feed_head(TITLE, "feed", FEED_PATH, "timeline/", newest, site_url)
    _credits(feed)
    for e in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = escape.plain(e["title"])
        ET.SubElement(entry, f"{{{ATOM}}}id").text = e["id"]
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = e["updated"]
        link = _link(site_url, e["link"], e["link"])
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=link)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=e["category"])
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = escape.plain(e["summary"])
    ET.indent(feed)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )


# Per-record feeds ---------------------------------------------------------------------------
# feeds/companies/<id>.xml, feeds/targets/<id>.xml, holding the dated events that name the record
# or its drugs (record_feed_events), newest first, with the site-wide feed's entry ids. Each
# event's entry is written once and every feed joins the entries it needs, not a scan of the
# events per record. Drugs have no feed of their own (a drug's events are in its companies' and
# targets' feeds and in feed.xml; its page links them): one file per drug would be a third of a
# 10,000-drug site's files, which static hosts limit (40,000 files is the target of issue 19).
RECORD_FEED_KINDS = ("companies", "targets")


# Material's script fetches sitemap.xml beside every <link rel="alternate"> of a page: an empty one
# in each feed folder answers it (a feed beside each page would need one per record).
EMPTY_SITEMAP = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
)


record_feed_path = feed_path


def record_feed_events(tracker: Tracker, kind: str, record_id: str) -> list[str]:
    """Ids of the events a record's feed holds (dated or not): the events naming the record, and
    for a company or a target the events naming its drugs too (a company's drugs are those it
    develops, licenses, sponsors trials of or dealt in: Tracker.drugs_of_company; a target's, the
    drugs naming it). Uses the tracker's reference index."""
    found = set(tracker.cited_by(kind, record_id, "events"))
    if kind == "targets":
        drugs = tracker.cited_by("targets", record_id, "drugs")
    elif kind == "companies":
        drugs = list(tracker.drugs_of_company(record_id))
    else:
        drugs = []
    for drug in drugs:
        found.update(tracker.cited_by("drugs", drug, "events"))
    return sorted(found)


def _event_entry_xml(tracker: Tracker, prefix: str) -> dict[str, tuple[tuple[str, str], str]]:
    """Event id → (sort key, <entry> XML) for every dated event, links prefixed with `prefix`."""
    out = {}
    for e in _event_entries(tracker):
        out[e["event"]] = (
            (e["updated"], e["id"]),
            (
                "  <entry>\n"
                f"    <title>{_text(e['title'])}</title>\n"
                f"    <id>{e['id']}</id>\n"
                f"    <updated>{e['updated']}</updated>\n"
                f'    <link rel="alternate" type="text/html" href={quoteattr(prefix + e["link"])} />\n'
                f"    <category term={quoteattr(e['category'])} />\n"
                f'    <summary type="text">{_text(e["summary"])}</summary>\n'
                "  </entry>\n"
            ),
        )
    return out


def _text(value) -> str:
    return xml_escape(escape.plain(value))


def build_record_feeds(tracker: Tracker, files, site_url: str | None = None) -> None:
    """Write every company's and target's feed into `files` (site path → bytes).
    The record's display name (claims.display_name) names the feed."""
    # Without site_url, links are relative to the feed at feeds/<kind>/<id>.xml.
    prefix = site_root(site_url) or "../../"
    entries = _event_entry_xml(tracker, prefix)
    for kind in RECORD_FEED_KINDS:
        files[f"feeds/{kind}/sitemap.xml"] = EMPTY_SITEMAP
        for rid in tracker.ids(kind):
            mine = sorted(
                (entries[e] for e in record_feed_events(tracker, kind, rid) if e in entries),
                reverse=True,
            )
            newest = mine[0][0][0] if mine else None
            if newest is None:  # no dated event: the record's own review date, if any
                reviewed = tracker.get(kind, rid).get("last_reviewed")
                newest = atom_time(reviewed) if reviewed else "1970-01-01T00:00:00Z"
            self_link = _link(site_url, record_feed_path(kind, rid), f"{rid}.xml")
            page = prefix + record_url(kind, rid, listing.event_years(tracker))
            head = (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                f'<feed xmlns="{ATOM}">\n'
                f"  <title>{_text(display_name(tracker.records, kind, rid))}: events (Open Pipeline Tracker)</title>\n"
                f"  <id>{_urn(f'feed/{kind}/{rid}')}</id>\n"
                f'  <link rel="self" type="application/atom+xml" href={quoteattr(self_link)} />\n'
                f'  <link rel="alternate" type="text/html" href={quoteattr(page)} />\n'
                f"  <updated>{newest}</updated>\n"
                f"  <author>\n    <name>{CURATORS}</name>\n  </author>\n"
                f"  <rights>{RIGHTS}</rights>\n"
            )
            body = "".join(xml for _key, xml in mine)
            files[record_feed_path(kind, rid)] = (head + body + "</feed>\n").encode("utf-8")


# Record changes -----------------------------------------------------------------------------
# /changes.xml: what reached the tracker recently (model/changes.recent_changes), beside the event
# feeds; the page "Recently changed" (recent/) lists the same entries.
CHANGES_PATH = "changes.xml"
CHANGES_TITLE = "Open Pipeline Tracker: recently changed records"


def change_title(change) -> str:
    """'New event: Approval: Zanidatamab (2024-11-20)', 'Added drug: X', 'Phase changed: X'."""
    if change.change == "new event":
        head = change.details[0] if change.details else change.name
        return f"New event: {head}" + (f" ({change.event_date})" if change.event_date else "")
    noun = SINGULAR.get(change.kind, change.kind)
    if change.change == "phase changed":
        return f"Phase changed: {change.name}"
    return f"{change.change.capitalize()} {noun}: {change.name}"


def build_changes_feed(tracker: Tracker, site_url: str | None = None) -> bytes:
    """The record-changes feed: one entry per change, dated by the commit that made it. Links
    as build_feed's (absolute with site_url)."""
    ET.register_namespace("", ATOM)
    changes = tracker.recent_changes
    newest = max((atom_time(c.date) for c in changes), default="1970-01-01T00:00:00Z")
    feed = _feed_head(CHANGES_TITLE, "feed/changes", CHANGES_PATH, "recent/", newest, site_url)
    _credits(feed)
    for c in changes:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = escape.plain(change_title(c))
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _urn(
            f"changes/{c.commit}/{c.kind}/{c.record_id}"
        )
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = atom_time(c.date)
        link = (
            record_url(c.kind, c.record_id, listing.event_years(tracker)) if c.exists else "recent/"
        )
        link = _link(site_url, link, link)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=link)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=c.change)
        summary = f"{SINGULAR.get(c.kind, c.kind)} {c.record_id} {c.change} on {c.date}"
        summary += "".join(f"; {line}" for line in c.details)
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = escape.plain(summary)
    ET.indent(feed)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )

"""The Atom feed /feed.xml: dated events, and record reviews grouped by review date, newest first.

No build timestamp: the feed's <updated> is the newest date in the entries, so the same records
always give the same bytes. Entry ids are name-based UUIDs of the record ids, stable across builds;
links are relative to the feed's own address, so the site works under any base path.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from xml.etree import ElementTree as ET

from pipeline_tracker import escape
from pipeline_tracker.dates import date_start
from pipeline_tracker.ids import event_anchor
from pipeline_tracker.link import Tracker
from pipeline_tracker.load import KINDS

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


def _inferred_date(data: dict) -> bool:
    inferred = data.get("inferred")
    return isinstance(inferred, dict) and "date" in inferred


def _title(data: dict, drugs: str) -> str:
    """'Approval (conditional approval): x'; special access says so and never 'approval'."""
    kind = data["type"].capitalize()
    if data.get("route"):
        kind += f" ({data['route']})"
    return f"{kind}: {drugs}" if drugs else kind


def _entries(tracker: Tracker) -> list[dict]:
    entries = []
    for event in tracker.ids("events"):
        data = tracker.get("events", event)
        if not data.get("date"):
            continue  # an undated event has no place in a dated feed; the timeline lists it
        drugs = ", ".join(
            tracker.get("drugs", d)["name"] for d in data["drugs"] if d in tracker.records["drugs"]
        )
        entries.append(
            {
                "id": _urn(f"events/{event}"),
                "date": data["date"],
                "title": _title(data, drugs),
                "link": f"timeline/#{event_anchor(event)}",
                "summary": data["summary"]
                + (f" (date inferred: {data['inferred']['date']})" if _inferred_date(data) else ""),
                "category": data["type"],
            }
        )
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
        listed = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k])
        entries.append(
            {
                "id": _urn(f"reviews/{date}"),
                "date": date,
                "title": f"{len(records)} record(s) reviewed on {date}",
                "link": "data/",
                "summary": f"Curators checked these records against their sources: {listed}. "
                + "; ".join(f"{k}/{r}" for k, r in records),
                "category": "review",
            }
        )
    return sorted(entries, key=lambda e: (atom_time(e["date"]), e["id"]), reverse=True)


def build_feed(tracker: Tracker) -> bytes:
    """The feed document as UTF-8 bytes."""
    ET.register_namespace("", ATOM)
    entries = _entries(tracker)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = TITLE
    ET.SubElement(feed, f"{{{ATOM}}}id").text = _urn("feed")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=FEED_PATH)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href="timeline/")
    newest = max((atom_time(e["date"]) for e in entries), default="1970-01-01T00:00:00Z")
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Open Pipeline Tracker curators"
    ET.SubElement(feed, f"{{{ATOM}}}rights").text = "Data: CC BY 4.0"
    for e in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = escape.plain(e["title"])
        ET.SubElement(entry, f"{{{ATOM}}}id").text = e["id"]
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = atom_time(e["date"])
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=e["link"])
        ET.SubElement(entry, f"{{{ATOM}}}category", term=e["category"])
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = escape.plain(e["summary"])
    ET.indent(feed)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )

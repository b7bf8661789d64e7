"""Each company and target has its own Atom feed beside its page: the dated events naming it
(a company or a target: and naming its drugs), newest first, with the site-wide feed's entry ids.
A drug's page links the feeds that hold its events."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml
from conftest import FIXTURES
from pipeline_tracker.records.ids import event_anchor

ATOM = "{http://www.w3.org/2005/Atom}"


def _records(kind: str) -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((FIXTURES / kind).glob("*.yaml"))
    }


def _naming(kind: str, rid: str) -> set[str]:
    """Dated fixture events naming the record, read straight from the YAML."""
    events = {e: d for e, d in _records("events").items() if d.get("date")}
    if kind == "companies":
        own = {
            e
            for e, d in events.items()
            if rid in (d.get("companies") or [])
            or rid in [p["company"] for p in d.get("parties") or []]
        }
        # Its drugs: those it holds a role for, sponsors a trial of, or dealt in.
        drugs = {
            d
            for d, data in _records("drugs").items()
            if rid in [c["company"] for c in data.get("companies") or []]
        }
        drugs |= {
            t["drugs"][0] for t in _records("trials").values() if rid in (t.get("sponsors") or [])
        }
        drugs |= {d for e in own for d in events[e]["drugs"]}
        return own | {e for e, d in events.items() if drugs & set(d["drugs"])}
    drugs = {
        d
        for d, data in _records("drugs").items()
        if rid in [t["target"] for t in data.get("targets") or []]
    }
    return {e for e, d in events.items() if drugs & set(d["drugs"])}


def _site_feed_ids(site: Path) -> dict[str, str]:
    """Event id → its entry id in the site-wide feed.xml."""
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    return {
        entry.find(f"{ATOM}link").get("href").split("#")[1]: entry.findtext(f"{ATOM}id")
        for entry in feed.findall(f"{ATOM}entry")
        if entry.find(f"{ATOM}category").get("term") != "review"
    }


@pytest.mark.parametrize("kind", ["companies", "targets"])
def test_every_record_page_links_a_feed_of_exactly_its_events(built_site: Path, kind: str):
    site_ids = _site_feed_ids(built_site)
    nonempty = 0
    for rid in _records(kind):
        html = (built_site / kind / rid / "index.html").read_text(encoding="utf-8")
        # In the head, for feed readers; and a visible link near the edit link, for people.
        assert re.search(
            rf'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="../../feeds/{kind}/{rid}\.xml">',
            html,
        ), f"{kind}/{rid}: no feed in the head"
        assert (
            f'<a class="pt-feed" href="../../feeds/{kind}/{rid}.xml" '
            'type="application/atom+xml">Atom feed</a>'
        ) in html
        feed = ET.fromstring((built_site / "feeds" / kind / f"{rid}.xml").read_bytes())
        assert feed.tag == f"{ATOM}feed"
        entries = feed.findall(f"{ATOM}entry")
        linked = [e.find(f"{ATOM}link").get("href") for e in entries]
        events = [href.split("#")[1] for href in linked]
        assert sorted(events) == sorted(event_anchor(e) for e in _naming(kind, rid)), (
            f"{kind}/{rid}"
        )
        assert all(href.startswith("../../timeline/#") for href in linked)
        assert [e.findtext(f"{ATOM}id") for e in entries] == [site_ids[e] for e in events]
        stamps = [e.findtext(f"{ATOM}updated") for e in entries]
        assert stamps == sorted(stamps, reverse=True)
        assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == f"../../{kind}/{rid}/"
        if entries:
            assert feed.findtext(f"{ATOM}updated") == stamps[0]
            nonempty += 1
    assert nonempty, f"no {kind} feed has an entry: the fixtures test nothing"
    # Material's script fetches sitemap.xml beside each <link rel="alternate">: it must exist.
    ET.fromstring((built_site / "feeds" / kind / "sitemap.xml").read_bytes())


def test_drug_pages_link_no_feed_of_their_own(built_site: Path):
    """Drugs have no per-record feed (one file per drug would be a third of a large site's files):
    no drug page links one, and none is published; a drug page links the feeds of its companies
    and targets instead, which hold its events."""
    assert not (built_site / "feeds" / "drugs").exists()
    for rid, data in _records("drugs").items():
        html = (built_site / "drugs" / rid / "index.html").read_text(encoding="utf-8")
        assert "feeds/drugs/" not in html, rid
        linked = set(re.findall(r'class="pt-feed" href="../../feeds/(\w+/[\w-]+)\.xml"', html))
        owners = {f"companies/{c['company']}" for c in data.get("companies") or []}
        owners |= {f"targets/{t['target']}" for t in data.get("targets") or []}
        assert linked == owners, rid


def test_record_feeds_are_built_from_an_index_not_a_scan_per_record(tmp_path: Path, monkeypatch):
    """Each event's entry is written once and every feed joins the entries it needs (never one
    pass over the events per record: at 10,000 drugs that was minutes). Checked by counting the
    passes, not by a clock (this machine is shared: speed is `make bench`'s job)."""
    from pipeline_tracker.model.tracker import link
    from pipeline_tracker.records.load import load_records
    from pipeline_tracker.site import feed
    from synth import synthesize

    records_path = tmp_path / "records"
    synthesize(300, records_path)
    records, problems = load_records(records_path)
    assert problems == []
    tracker = link(records)
    passes = []
    entries = feed._event_entries
    monkeypatch.setattr(feed, "_event_entries", lambda t: passes.append(1) or entries(t))
    files: dict[str, bytes] = {}
    feed.build_record_feeds(tracker, files)
    assert len(passes) == 1
    companies = [
        p for p in files if p.startswith("feeds/companies/") and p != "feeds/companies/sitemap.xml"
    ]
    assert len(companies) == len(tracker.ids("companies"))
    assert not [p for p in files if p.startswith("feeds/drugs/")]  # a drug has no feed file
    assert sum(f.count(b"<entry>") for f in files.values()) > len(tracker.ids("companies"))


def test_a_company_feed_holds_its_drugs_events(built_site: Path):
    """CARsgen's feed had 1 entry while its drug's had 4 (issue 20): a company's feed now holds
    every dated event of the drugs it develops, and the drug's page links that feed."""
    drug = "zevorcabtagene-autoleucel"
    company = ET.fromstring((built_site / "feeds" / "companies" / "carsgen.xml").read_bytes())
    linked = {
        e.find(f"{ATOM}link").get("href").split("#")[1] for e in company.findall(f"{ATOM}entry")
    }
    drug_events = {
        event_anchor(e)
        for e, d in _records("events").items()
        if d.get("date") and drug in d["drugs"]
    }
    assert len(drug_events) > 1
    assert drug_events <= linked
    html = (built_site / "drugs" / drug / "index.html").read_text(encoding="utf-8")
    assert 'href="../../feeds/companies/carsgen.xml" type="application/atom+xml"' in html

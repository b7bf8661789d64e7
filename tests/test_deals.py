"""The Deals page and data/deals.csv list every deal with its parties, territory and terms."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import yaml
from conftest import FIXTURES, open_data
from pipeline_tracker.records.ids import event_anchor
from test_site import page, targets


def _deals() -> dict[str, dict]:
    found = {}
    for path in sorted((FIXTURES / "events").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["type"] == "deal":
            found[path.stem] = data
    return found


def _amount(value: float) -> str:
    return f"{value:,.0f}"


def test_deals_page_lists_every_deal_with_parties_and_amounts(built_site: Path):
    deals = _deals()
    assert deals, "the fixtures hold no deal"
    p = page(built_site, "deals/")
    links = targets(p)
    text = p.text
    assert f"{len(deals)} deals" in text
    for event, data in deals.items():
        assert links[data["date"]] == f"/timeline/#{event_anchor(event)}"
        for party in data["parties"]:
            company = yaml.safe_load(
                (FIXTURES / "companies" / f"{party['company']}.yaml").read_text(encoding="utf-8")
            )
            assert links[company["name"]] == f"/companies/{party['company']}/"
            assert f"{company['name']} ({party['role']})" in text
        if data.get("territory_as_stated"):
            assert f"as the source puts it: “{data['territory_as_stated']}”" in text
        if data.get("territory_note"):  # the curator's note: never shown as the source's words
            assert f"(note: {data['territory_note']})" in text
            assert f"as the source puts it: “{data['territory_note']}”" not in text
        for term in data.get("terms") or []:
            money = term["money"]
            shown = ("about " if money.get("approximate") else "") + (
                f"{money['currency']} {_amount(money['amount'])}"
            )
            assert f"{term['kind']}: {'up to ' if term.get('up_to') else ''}{shown}" in text
            if "money_usd" in term:
                usd = term["money_usd"]
                approx = "about " if usd.get("approximate") else ""
                assert (
                    f"US dollars as printed by the source: {approx}USD {_amount(usd['amount'])}"
                    in text
                )
        if not data.get("terms"):
            assert "no financial terms recorded" in text
    # The page is in the nav, under Pipeline, after the timeline.
    nav = yaml.safe_load((FIXTURES.parents[2] / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    pipeline = next(item["Pipeline"] for item in nav if "Pipeline" in item)
    assert {"Deals": "deals.md"} in pipeline
    assert targets(page(built_site, ""))["Deals"] == "/deals/"


def test_deals_csv_has_one_row_per_term_and_is_in_the_datapackage(built_site: Path):
    deals = _deals()
    rows = list(csv.DictReader(io.StringIO(open_data(built_site, "data/deals.csv.gz"))))
    expected = sum(max(1, len(d.get("terms") or [])) for d in deals.values())
    assert len(rows) == expected
    for row in rows:
        data = deals[row["event"]]
        if row["term"]:
            term = next(t for t in data["terms"] if t["kind"] == row["term"])
            assert float(row["amount"]) == term["money"]["amount"]
            assert row["currency"] == term["money"]["currency"]
            if "money_usd" not in term:
                assert row["usd_amount_as_printed"] == ""
    package = json.loads((built_site / "data/datapackage.json").read_text("utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "deals")
    assert [f["name"] for f in resource["schema"]["fields"]] == list(rows[0])
    assert 'href="../data/deals.csv.gz"' in (built_site / "data/index.html").read_text("utf-8")

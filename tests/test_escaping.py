"""Issue 17: one escaping path. Control characters never reach a page (quote hover text, inferred
reasons, the special-access scheme); every file the site writes beside record files has a
reserved name; amounts are printed only as whole cents, never '-0' or '5e-324'."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, mkdocs_build
from pipeline_tracker.model.tracker import Tracker
from pipeline_tracker.records.ids import reserved_id
from pipeline_tracker.records.load import KINDS
from test_rules import edit, messages

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
HOSTILE = "\\x02ctl\\e[31m \\uFFFE"  # as YAML escapes: U+0002, ESC, U+FFFE


@pytest.fixture(scope="module")
def control_site(tmp_path_factory) -> Path:
    """The fixture records with control characters in a quote (shown as hover text), an inferred
    reason (the (inferred) mark's title) and a special-access scheme."""
    base = tmp_path_factory.mktemp("controls")
    records = base / "records"
    shutil.copytree(FIXTURES, records)
    archive = records / "archive/000_0f28aca7d3a3d3db.txt"
    archive.write_text(
        archive.read_text(encoding="utf-8") + "\nHover \x02ctl\x1b[31m \ufffeshown here.\n",
        encoding="utf-8",
    )
    quote = "        quote: the National Medical Products Administration (NMPA) approved the marketing of Zanidatamab\n"
    edit(
        records / "drugs/zanidatamab.yaml",
        quote,
        quote
        + "      - source: nmpa-zanidatamab-btc-approval-news-2025\n"
        + f'        quote: "Hover {HOSTILE}shown here."\n',
    )
    edit(
        records / "events/nmpa-approval-zanidatamab-btc-2025.yaml",
        '  date: "the source prints',
        f'  date: "the source {HOSTILE}prints',
    )
    event = records / "events/hainan-npp-approval-infigratinib-2021.yaml"
    text = event.read_text(encoding="utf-8")
    event.write_text(
        re.sub(
            r"(?m)^pathway: .*$",
            lambda _m: f'pathway: "special {HOSTILE}Named Patient Program"',
            text,
        ),
        encoding="utf-8",
    )
    assert messages(records) == []
    result = mkdocs_build(base / "site", records)
    assert result.returncode == 0, result.stderr
    return base / "site"


def test_control_characters_in_hover_text_reasons_and_schemes_never_reach_a_page(control_site):
    pages = [p for p in control_site.rglob("*") if p.suffix in (".html", ".xml")]
    shown = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = CONTROLS.search(text)
        assert found is None, (
            page.relative_to(control_site),
            text[found.start() - 60 : found.end()],
        )
        shown += "ctl[31m" in text
    assert shown >= 3  # the text around them is there


def test_every_file_written_beside_record_files_has_a_reserved_name(built_site):
    """A record with id `sitemap` overwrote feeds/<kind>/sitemap.xml."""
    records = {kind: {p.stem for p in (FIXTURES / kind).glob("*.yaml")} for kind in KINDS}
    checked = 0
    for kind in KINDS:
        # data/<kind>/ holds shards named by hash (urls.json_shard), no file per record: a record
        # id cannot take a shard's place there.
        for folder, suffix in (
            (built_site / kind, ""),
            (built_site / "feeds" / kind, ".xml"),
        ):
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                name = entry.name if entry.is_dir() else entry.name.removesuffix(suffix)
                if entry.is_file() and entry.name == "index.html":
                    name = "index"
                if name not in records[kind]:
                    assert reserved_id(name), f"{entry.relative_to(built_site)}: not reserved"
                    checked += 1
    assert checked >= 2  # at least the kinds' index pages and a feed folder's sitemap.xml


def test_a_record_named_sitemap_is_refused(records_copy):
    (records_copy / "drugs/zanidatamab.yaml").rename(records_copy / "drugs/sitemap.yaml")
    found = [m for m in messages(records_copy) if "'sitemap' is a reserved name" in m]
    assert found


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(-0.0, "CNY 0"), (0, "CNY 0"), (1025000000, "CNY 1,025,000,000"), (1.5, "CNY 1.50")],
)
def test_amounts_print_as_whole_cents_without_sign_or_exponent(amount, shown):
    assert Tracker.money({"amount": amount, "currency": "CNY"}) == shown


@pytest.mark.parametrize("amount", ["5.0e-324", "0.001", "1.005"])
def test_an_amount_that_is_no_whole_number_of_cents_is_refused(records_copy, amount):
    line = edit(
        records_copy / "events/carsgen-huadong-zevor-cel-2023.yaml",
        "amount: 200000000\n",
        f"amount: {amount}\n",
    )
    found = messages(records_copy)
    assert len(found) == 1, found
    assert found[0].startswith(f"records/events/carsgen-huadong-zevor-cel-2023.yaml:{line}:")
    assert "is not a whole number of cents" in found[0]


def test_negative_zero_is_printed_as_zero_on_the_deals_page(records_copy, tmp_path):
    edit(
        records_copy / "events/carsgen-huadong-zevor-cel-2023.yaml",
        "amount: 200000000\n",
        "amount: -0.0\n",
    )
    assert messages(records_copy) == []
    result = mkdocs_build(tmp_path / "site", records_copy)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site/deals/index.html").read_text(encoding="utf-8")
    assert "CNY -0" not in html and "CNY 0" in html


@pytest.mark.parametrize(
    "text",
    [
        "</script><script>alert(1)</script>",
        "</SCRIPT >x",
        "<!-- <script> -->",
        "a & b > c",
        "line\u2028separator\u2029",
        "ctl\x02\x1b[31m\ufffe lone \ud800 surrogate",
    ],
)
def test_json_ld_text_cannot_leave_its_script_element(text):
    """escape.script_json: record text in a <script type="application/ld+json"> element; the
    JSON reads back as the text (control characters and lone surrogates dropped, as everywhere)."""
    import json

    from pipeline_tracker.site import escape

    encoded = escape.script_json({"name": text, "alternateName": [text], text: 1})
    assert not re.search(r"[<>&\u2028\u2029]", encoded)
    assert not CONTROLS.search(encoded)
    encoded.encode("utf-8")  # no lone surrogate left to fail the page's encoding
    expected = escape.plain(text)
    assert json.loads(encoded) == {"name": expected, "alternateName": [expected], expected: 1}

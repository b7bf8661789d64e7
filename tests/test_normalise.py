"""Issue 17: one normalisation for quotes, search tokens and duplicate drug names
(records/normalise.py), which never makes a non-empty quote empty or a different number equal."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
import yaml
from conftest import ROOT
from pipeline_tracker.records.normalise import NUMBER_PLANES_END, SEARCH_SEPARATOR, quote_form
from test_rules import edit, messages

DRUG = "drugs/zanidatamab.yaml"
QUOTE = "quote: the National Medical Products Administration (NMPA) approved the marketing of Zanidatamab\n"


def _quote(records, text: str) -> list[str]:
    edit(records / DRUG, QUOTE, f"quote: {text}\n")
    return messages(records)


def test_superscript_digits_are_not_the_digits_they_look_like(records_copy):
    """The archived text says '87 BTC patients'; '8⁷ BTC patients' is another number."""
    assert _quote(records_copy, "The study enrolled 87 BTC patients") == []
    records_copy_text = (records_copy / DRUG).read_text(encoding="utf-8")
    (records_copy / DRUG).write_text(
        records_copy_text.replace("enrolled 87 BTC", "enrolled 8⁷ BTC"), encoding="utf-8"
    )
    found = messages(records_copy)
    assert len(found) == 1 and "quote not found in the archived copy" in found[0]


@pytest.mark.parametrize(
    "invisible",
    [
        '"   "',
        '"\u00ad\u00ad\u00ad"',
        '"\u200b\u200b\u200b"',
        '"\u00ad \u200b \ufeff"',
        '"\u2060\u2060\u2060"',
    ],
)
def test_a_quote_of_spaces_or_invisible_characters_is_refused(records_copy, invisible):
    found = _quote(records_copy, invisible)
    assert len(found) == 1, found
    assert "/status/0/sources/0/quote: quote has no letter or digit" in found[0]


def test_typographic_variants_still_match():
    assert quote_form("“HER2‑high” — IHC\u00a03+") == quote_form('"HER2-high" - IHC 3+')
    assert quote_form("ＨＥＲ２") == "HER2"  # full-width letters and digits are the same number
    assert quote_form("10²⁵") != quote_form("1025")
    assert quote_form("½") != quote_form("1/2") and quote_form("③") != "3"


@pytest.mark.parametrize(
    "synonym",
    # "\x85" (a C1 control a YAML escape makes) is dropped on the page: the name reads the same
    ["(trastuzumab)", "trastuzumab,", "[trastuzumab]", "TRASTUZUMAB", "trastu\x85zumab"],
)
def test_a_name_that_searches_as_another_drug_is_refused(records_copy, synonym):
    """Search splits words at the separator: these all rank as 'trastuzumab'."""
    file = records_copy / "drugs/pyrotinib.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    assert "synonyms" not in data
    file.write_text(
        file.read_text(encoding="utf-8").replace(
            "\nname: ", f"\nsynonyms:\n  - {yaml.safe_dump(synonym).splitlines()[0]}\nname: ", 1
        ),
        encoding="utf-8",
    )
    found = [m for m in messages(records_copy) if "also names drug" in m]
    assert found == [
        (
            "records/drugs/trastuzumab.yaml:2:7: /name: 'trastuzumab' also names drug 'pyrotinib' "
            "(a code name or synonym may belong to one drug only)"
        )
    ]


def test_the_search_separator_is_the_one_the_name_rule_uses():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    match = re.search(r"^\s+separator: '(.+)'$", config, re.MULTILINE)
    assert match and match.group(1) == SEARCH_SEPARATOR


def test_no_compatibility_number_lies_above_the_planes_scanned():
    above = [
        code
        for code in range(NUMBER_PLANES_END, sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "No"
        and unicodedata.normalize("NFKC", chr(code)) != chr(code)
    ]
    assert above == []


def test_an_invisible_character_inside_a_name_hides_no_clash():
    from pipeline_tracker.records.normalise import name_key

    assert name_key("trastu\u200bzumab") == name_key("Trastuzumab") == "trastuzumab"
    assert name_key("T-DXd") == name_key("t dxd")

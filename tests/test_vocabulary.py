"""Issue 17: the two schema validators agree, and region codes come from one vocabulary."""

from __future__ import annotations

import jsonschema_rs
import pytest
from pipeline_tracker.records.load import parse_record_text
from pipeline_tracker.records.schemas import MessageValidator, load_schemas, schema_set
from test_rules import edit, messages
from test_schemas import _patterns

# Characters on which Python's and ECMA-262's `\s`, `\d`, `\w` differ, and some on which they agree.
TRICKY = "\u0085\ufeff\u00a0\u2028\u180e\u200b\u3000\u0663\u00e9_ \t"


def test_both_validators_agree_on_every_pattern_for_unicode_spaces_and_digits():
    """jsonschema-rs (the gate) and python-jsonschema (the messages) give one verdict on every
    pattern in schema/, also for characters Python and ECMA-262 class differently."""
    checked = 0
    for name, schema in load_schemas().items():
        for pattern, example in _patterns(schema, []):
            sub = {"type": "string", "pattern": pattern}
            gate, writer = jsonschema_rs.Draft202012Validator(sub), MessageValidator(sub)
            base = example if isinstance(example, str) else "x"
            for char in TRICKY:
                for text in (char, base + char, base[:2] + char + base[2:], char + base):
                    assert gate.is_valid(text) == writer.is_valid(text), (name, pattern, text)
                    checked += 1
    assert checked > 500


def test_a_url_the_gate_refuses_always_comes_with_a_message():
    """A zero-width no-break space inside a URL: the gate refused it and the message writer had
    nothing to say, so validate printed no problem at all."""
    text = (
        "id: s\ntitle: T\nkind: news\ndate: '2024'\nlanguage: en\n"
        "url: https://example.org/a\ufeffb\n"
    )
    record, problems = parse_record_text(text, "records/sources/s.yaml", "sources", "s")
    assert record is not None and not problems
    found = schema_set().problems(record)
    assert [p.pointer for p in found] == ["/url"], found


def test_the_gate_verdict_has_a_message_even_when_the_validators_disagree(monkeypatch):
    """Should the two validators ever disagree again, the gate's own error is the message."""
    schemas = schema_set()
    monkeypatch.setitem(schemas.messages, "sources", MessageValidator({}))
    text = "id: s\ntitle: T\nkind: nonsense\ndate: '2024'\nlanguage: en\n"
    record, _ = parse_record_text(text, "records/sources/s.yaml", "sources", "s")
    assert record is not None
    found = schemas.problems(record)
    assert found and found[0].pointer == "/kind"


@pytest.mark.parametrize(
    ("code", "hint"),
    [("UK", "did you mean 'GB'?"), ("EU-DE", "did you mean 'DE'?"), ("ZZ", "use an ISO 3166-1")],
)
def test_region_codes_come_from_iso_3166_and_our_groups(records_copy, code, hint):
    line = edit(records_copy / "drugs/zanidatamab.yaml", "      - CN\n", f"      - {code}\n")
    found = messages(records_copy)
    assert len(found) == 1, found
    assert found[0].startswith(f"records/drugs/zanidatamab.yaml:{line}:")
    assert f"'{code}' is not an ISO 3166 country or subdivision code" in found[0]
    assert hint in found[0]


def test_real_subdivisions_and_groups_are_regions(records_copy):
    text = (records_copy / "drugs/zanidatamab.yaml").read_text(encoding="utf-8")
    assert "      - CN\n" in text
    for code in ("CN-HI", "GB", "WW", "EU", "XN", "XX", "MM"):
        edit(records_copy / "drugs/zanidatamab.yaml", "      - CN\n", f"      - {code}\n")
        assert messages(records_copy) == [], code
        (records_copy / "drugs/zanidatamab.yaml").write_text(text, encoding="utf-8")


def test_every_region_field_of_the_schemas_is_checked():
    """The rule reads where regions are from schema/: a new region field is checked too."""
    from pipeline_tracker.records.regions import region_paths

    paths = region_paths()
    assert "status/*/regions/*" in paths["drugs"]
    assert "regions/*" in paths["events"] and "territory/*" in paths["events"]
    assert "countries/*" in paths["trials"]
    assert "country" in paths["companies"]


def test_the_region_vocabulary_is_pycountrys():
    """iso_codes reads pycountry's tables directly: the same codes its API knows."""
    import pycountry
    from pipeline_tracker.records.regions import iso_codes

    codes = iso_codes()
    assert {c.alpha_2 for c in pycountry.countries} <= codes
    assert {s.code for s in pycountry.subdivisions} <= codes
    assert "CN-HI" in codes and "UK" not in codes and "EU" not in codes


def test_an_import_is_refused_in_the_words_validate_uses():
    """The registry importers check what they would write with validate's own verdict, so a
    value the schema refuses reads the same, hint included, in both places."""
    from pipeline_tracker.tools.importing import ImportRefused, check_schema

    text = "id: s\ntitle: T\nkind: nonsens\ndate: '2024'\nlanguage: en\n"
    record, _ = parse_record_text(text, "records/sources/s.yaml", "sources", "s")
    assert record is not None
    (problem,) = schema_set().problems(record)
    with pytest.raises(ImportRefused) as refused:
        check_schema("NCT00000000", [("sources", record.data)])
    said = str(refused.value)
    assert said.startswith("NCT00000000: the source record would not be valid at /kind: ")
    assert problem.message in said and "did you mean 'news'?" in said
    assert "\n" not in said
    check_schema("NCT00000000", [("sources", {**record.data, "kind": "news"})])  # accepted

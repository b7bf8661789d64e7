"""Issue 17: rules you can count on. Every registered cross-record rule (validate.CHECKS) has its
own case on inline data, run through the whole check (so the case fails if the rule is not
registered), and removing any one registered rule makes at least one case fail.

Deleting 3 of the 13 rules once left all 173 record-checking tests passing: the fixture-based
tests checked the tree as a whole, and a missing rule just meant fewer problems."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
import yaml
from pipeline_tracker.records import validate
from pipeline_tracker.records.bounds import MAX_CITATIONS, MAX_ROWS_PER_RECORD
from pipeline_tracker.records.load import KINDS, parse_record_text

SRC = "src-one"
# A small valid tree: one record of each kind, every fact cited. Cases change a copy of it.
BASE: dict[str, dict[str, dict]] = {
    "sources": {SRC: {"id": SRC, "title": "A source", "kind": "news", "date": "2024-01-02"}},
    "indications": {"ind-one": {"id": "ind-one", "name": "Indication one"}},
    "targets": {
        "tgt-one": {
            "id": "tgt-one",
            "symbol": "TGT1",
            "name": "Target one",
            "hgnc": "HGNC:3430",
        }
    },
    "companies": {"co-one": {"id": "co-one", "name": "Company one"}},
    "drugs": {
        "drug-one": {
            "id": "drug-one",
            "name": "drug one",
            "modality": "small molecule",
            "evidence": {"modality": [SRC]},
            "targets": [{"target": "tgt-one", "action": "inhibitor", "sources": [SRC]}],
            "status": [
                {
                    "indication": "ind-one",
                    "regions": ["CN"],
                    "phase": "phase 2",
                    "date": "2024-01-02",
                    "sources": [SRC],
                }
            ],
        }
    },
    "trials": {
        "trial-one": {
            "id": "trial-one",
            "title": "Trial one",
            "registry_ids": [{"registry": "nct", "id": "NCT04466891"}],
            "phase": "phase 2",
            "drugs": ["drug-one"],
            "indications": ["ind-one"],
            "sources": [SRC],
        }
    },
    "events": {
        "deal-one": {
            "id": "deal-one",
            "type": "deal",
            "summary": "A deal.",
            "date": "2024-01-02",
            "drugs": ["drug-one"],
            "parties": [
                {"company": "co-one", "role": "licensor"},
            ],
            "terms": [
                {"kind": "upfront", "money": {"amount": 1000, "currency": "USD"}, "sources": [SRC]}
            ],
            "sources": [SRC],
        }
    },
}


def check(data: dict[str, dict[str, dict]]) -> list[str]:
    """Every problem of an inline tree, as `kind/id pointer: message` lines, through the whole
    check (validate.check_records runs every registered rule)."""
    records: dict = {kind: {} for kind in KINDS}
    for kind, by_id in data.items():
        for rid, record_data in by_id.items():
            text = yaml.safe_dump(record_data, sort_keys=False, allow_unicode=True)
            record, problems = parse_record_text(text, f"records/{kind}/{rid}.yaml", kind, rid)
            assert record is not None and not problems, problems
            records[kind][rid] = record
    return [
        f"{p.path.removeprefix('records/').removesuffix('.yaml')} {p.pointer}: {p.message}"
        for p in validate.check_records(records)
    ]


def test_the_base_tree_is_clean():
    assert check(BASE) == []


def _drug(tree) -> dict:
    return tree["drugs"]["drug-one"]


def _second_drug(tree, **fields) -> None:
    tree["drugs"]["drug-two"] = {**copy.deepcopy(_drug(tree)), "id": "drug-two", **fields}


def _many_rows(tree) -> None:
    event = tree["events"]["deal-one"]
    event.update(type="approval", indications=["ind-one"], regions=["CN"])
    event["drugs"] = [f"drug-{n}" for n in range(MAX_ROWS_PER_RECORD + 1)]


# rule name → (change to the base tree, the problem line it must produce, start of it)
CASES: dict[str, tuple[Callable[[dict], None], str]] = {
    "rule_id_matches_file_name": (
        lambda t: _drug(t).update(id="drug-1"),
        "drugs/drug-one /id: id 'drug-1' differs from the file name 'drug-one.yaml'",
    ),
    "rule_ids_not_reserved": (
        lambda t: t["companies"].update(sitemap={"id": "sitemap", "name": "Sitemap"}),
        "companies/sitemap /id: 'sitemap' is a reserved name and cannot be a record id",
    ),
    "rule_references_resolve": (
        lambda t: _drug(t)["targets"][0].update(target="tgt-two"),
        "drugs/drug-one /targets/0/target: no target record 'tgt-two'",
    ),
    "rule_drug_names_unique": (
        lambda t: _second_drug(t, name="Drug One"),
        "drugs/drug-two /name: 'Drug One' also names drug 'drug-one'",
    ),
    "rule_registry_ids_unique": (
        lambda t: t["trials"].update(
            {"trial-two": {**copy.deepcopy(t["trials"]["trial-one"]), "id": "trial-two"}}
        ),
        "trials/trial-two /registry_ids/0/id: NCT04466891 is already the id of trial 'trial-one'",
    ),
    "rule_dates_real_and_past": (
        lambda t: t["sources"][SRC].update(date="2024-02-30"),
        f"sources/{SRC} /date: '2024-02-30' is not a real date",
    ),
    "rule_parents_acyclic": (
        lambda t: t["companies"]["co-one"].update(parent="co-one"),
        "companies/co-one /parent: parent chain loops back through 'co-one'",
    ),
    "rule_trial_lists_its_regimen_drugs": (
        lambda t: t["trials"]["trial-one"].update(
            arms=[
                {
                    "label": "A",
                    "type": "experimental",
                    "regimen": [
                        {"drug": "drug-one", "role": "investigational"},
                        {"drug": "tgt", "role": "investigational"},
                    ],
                }
            ]
        ),
        "trials/trial-one /arms/0/regimen/1/drug: investigational drug 'tgt' is not in the",
    ),
    "rule_placeholders_filled": (
        lambda t: t["sources"][SRC].update(title="TODO: title"),
        f"sources/{SRC} /title: placeholder still unfilled: 'TODO: title'",
    ),
    "rule_identity_facts_cited": (
        lambda t: _drug(t).update(inn="drugone"),
        "drugs/drug-one /inn: inn has no citation",
    ),
    "rule_described_facts_cited": (
        lambda t: t["targets"]["tgt-one"].update(description="A kinase."),
        "targets/tgt-one /description: description: no citation",
    ),
    "rule_approval_routes_fit_the_phase": (
        lambda t: _drug(t)["status"][0].update(route="standard approval"),
        "drugs/drug-one /status/0/route: route 'standard approval' on a row at 'phase 2'",
    ),
    "rule_ids_match_their_registry": (
        lambda t: t["trials"]["trial-one"]["registry_ids"].append(
            {"registry": "chictr", "id": "ChiCTRabcdef"}
        ),
        "trials/trial-one /registry_ids/1/id: 'ChiCTRabcdef' is no ChiCTR id",
    ),
    "rule_regions_known": (
        lambda t: _drug(t)["status"][0].update(regions=["UK"]),
        "drugs/drug-one /status/0/regions/0: 'UK' is not an ISO 3166 country or subdivision",
    ),
    "rule_status_rows_bounded": (
        _many_rows,
        f"events/deal-one /regions: this record makes {MAX_ROWS_PER_RECORD + 1} status rows",
    ),
    "rule_citations_bounded": (
        lambda t: t["trials"]["trial-one"].update(
            sources=[SRC] + [f"src-{n}" for n in range(MAX_CITATIONS)]
        ),
        f"trials/trial-one /sources: {MAX_CITATIONS + 1} citations; at most {MAX_CITATIONS}",
    ),
    "rule_source_words_are_quoted": (
        lambda t: _drug(t)["status"][0].update(date_approximate="about six months earlier"),
        "drugs/drug-one /status/0/date_approximate: date_approximate 'about six months earlier'",
    ),
    "rule_inferred_names_stated_fields": (
        lambda t: _drug(t).update(inferred={"mechanism": "a guess"}),
        "drugs/drug-one /inferred/mechanism: inferred names 'mechanism', which this drug does not",
    ),
    "rule_ci_bounds_around_value": (
        lambda t: t["trials"]["trial-one"].update(
            results=[{"endpoint": "ORR", "value": 40, "unit": "%", "ci_low": 50, "sources": [SRC]}]
        ),
        "trials/trial-one /results/0/ci_low: ci_low 50 is on the wrong side of the value 40",
    ),
    "rule_special_access_is_no_approval": (
        lambda t: t["events"].update(
            {
                "deal-one": {
                    "id": "deal-one",
                    "type": "approval",
                    "summary": "Access.",
                    "drugs": ["drug-one"],
                    "indications": ["ind-one"],
                    "regions": ["CN"],
                    "route": "special access",
                    "sources": [SRC],
                }
            }
        ),
        "events/deal-one /route: route 'special access' on an event of type 'approval'",
    ),
    "rule_amounts_printable": (
        lambda t: t["events"]["deal-one"]["terms"][0]["money"].update(amount=0.001),
        "events/deal-one /terms/0/money/amount: 0.001 is not a whole number of cents",
    ),
}


def _found(name: str) -> bool:
    change, expected = CASES[name]
    tree = copy.deepcopy(BASE)
    change(tree)
    return any(line.startswith(expected) for line in check(tree))


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_rule_finds_its_problem_on_inline_data(name):
    change, expected = CASES[name]
    tree = copy.deepcopy(BASE)
    change(tree)
    found = check(tree)
    assert any(line.startswith(expected) for line in found), found


def test_every_registered_rule_has_a_case():
    assert sorted(rule.__name__ for rule in validate.CHECKS) == sorted(CASES)


@pytest.mark.parametrize("rule", validate.CHECKS, ids=lambda rule: rule.__name__)
def test_removing_a_registered_rule_makes_a_case_fail(rule, monkeypatch):
    """A mutation test of the rule registry: with `rule` left out, some case no longer finds
    its problem (so a deleted rule cannot go unnoticed)."""
    monkeypatch.setattr(validate, "CHECKS", [r for r in validate.CHECKS if r is not rule])
    assert not all(_found(name) for name in CASES)

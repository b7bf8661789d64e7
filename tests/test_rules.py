"""Each check has a failing fixture whose curator-facing message is asserted (file, line, pointer, text)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from conftest import mkdocs_build
from pipeline_tracker.records.load import load_records
from pipeline_tracker.records.rules import rule_dates_real_and_past
from pipeline_tracker.records.validate import load_and_check

BIN = Path(sys.executable).parent


def edit(path: Path, old: str, new: str) -> int:
    """Replace text in a record file; returns the 1-based line where the change starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def messages(records: Path) -> list[str]:
    _, problems = load_and_check(records, records.parent)
    return [p.text() for p in problems]


def test_clean_copy_has_no_problems(records_copy):
    assert messages(records_copy) == []


def test_misspelt_phase_names_line_pointer_and_closest_value(records_copy):
    line = edit(records_copy / "drugs/zanidatamab.yaml", "phase: phase 3\n", "phase: phase 3x\n")
    found = messages(records_copy)
    assert len(found) == 1
    assert found[0].startswith(f"records/drugs/zanidatamab.yaml:{line}:")
    assert "/status/1/phase: 'phase 3x' is not one of the allowed values" in found[0]
    assert "did you mean 'phase 3'?" in found[0]


def test_dangling_reference_names_file_line_and_closest_id(records_copy):
    line = edit(
        records_copy / "drugs/zanidatamab.yaml", "  - target: erbb2\n", "  - target: erbb3\n"
    )
    found = messages(records_copy)
    assert found == [
        (
            f"records/drugs/zanidatamab.yaml:{line}:13: /targets/0/target: no target record 'erbb3' "
            "(did you mean 'erbb2'?)"
        )
    ]


def test_missing_source_is_reported(records_copy):
    edit(
        records_copy / "events/fda-rmat-zevor-cel-2019.yaml",
        "sources:\n  - ",
        "sources:\n  - nosuch-",
    )
    found = messages(records_copy)
    assert len(found) == 1 and "/sources/0: no source record 'nosuch-" in found[0]


def test_id_must_equal_file_name(records_copy):
    edit(records_copy / "targets/fgfr1.yaml", "id: fgfr1", "id: fgfr-1")
    assert messages(records_copy) == [
        "records/targets/fgfr1.yaml:1:5: /id: id 'fgfr-1' differs from the file name 'fgfr1.yaml' (set id: fgfr1)"
    ]


def test_file_name_must_be_a_slug(records_copy):
    (records_copy / "targets/fgfr1.yaml").rename(records_copy / "targets/FGFR1.yaml")
    found = messages(records_copy)
    assert any(
        m.startswith(
            "records/targets/FGFR1.yaml:1:1: file name 'FGFR1.yaml' is not a lowercase ASCII slug"
        )
        for m in found
    )


def test_code_name_shared_by_two_drugs(records_copy):
    edit(
        records_copy / "drugs/infigratinib.yaml",
        "name: infigratinib\n",
        "name: infigratinib\ncode_names:\n  - ct053\n",
    )
    edit(
        records_copy / "drugs/infigratinib.yaml",
        "evidence:\n",
        "evidence:\n  code_names:\n    - hainan-infigratinib-npp-case-study\n",
    )
    found = messages(records_copy)
    assert len(found) == 1
    assert "/code_names/0: 'ct053' also names drug 'zevorcabtagene-autoleucel'" in found[0] or (
        "'CT053' also names drug 'infigratinib'" in found[0]
    )


def test_registry_id_shared_by_two_trials(records_copy):
    edit(records_copy / "trials/empowher-303.yaml", "NCT06435429", "NCT04466891")
    found = messages(records_copy)
    assert len(found) == 1
    assert "NCT04466891 is already the id of trial" in found[0]


def test_registry_id_must_match_its_registry_format(records_copy):
    edit(records_copy / "trials/empowher-303.yaml", "NCT06435429", "NCT0643542")
    found = messages(records_copy)
    assert (
        len(found) == 1
        and "/registry_ids/0/id: 'NCT0643542' is not a valid NCT id (NCT followed by 8 digits"
        in found[0]
    )


def test_impossible_date(records_copy):
    edit(
        records_copy / "events/nmpa-approval-zanidatamab-btc-2025.yaml",
        '"2025-05-29"',
        '"2025-02-30"',
    )
    found = messages(records_copy)
    assert len(found) == 1 and "'2025-02-30' is not a real date" in found[0]


def test_future_date(records_copy):
    records, _ = load_records(records_copy, records_copy.parent)
    found = list(rule_dates_real_and_past(records, today=dt.date(2024, 1, 1)))
    assert any("'2025-05-29' is in the future" in p.text() for p in found)


def test_unknown_field_gets_closest_name(records_copy):
    edit(records_copy / "drugs/zanidatamab.yaml", "modality:", "modalty:")
    found = messages(records_copy)
    assert any("/modalty: unknown field 'modalty' (did you mean 'modality'?)" in m for m in found)
    assert any("missing required field 'modality'" in m for m in found)


def test_duplicate_key_is_refused_with_its_line(records_copy):
    line = edit(
        records_copy / "drugs/zanidatamab.yaml",
        "modality: bispecific antibody\n",
        "modality: bispecific antibody\nmodality: CAR-T\n",
    )
    found = messages(records_copy)
    assert found[0].startswith(
        f"records/drugs/zanidatamab.yaml:{line + 1}:1: /modality: duplicate key 'modality'"
    )


def test_indication_parent_cycle(records_copy):
    edit(
        records_copy / "indications/biliary-tract-cancer.yaml",
        "name:",
        "parent: cholangiocarcinoma\nname:",
    )
    found = messages(records_copy)
    assert any("parent chain loops back" in m for m in found)


def test_every_problem_is_reported_at_once(records_copy):
    edit(records_copy / "drugs/zanidatamab.yaml", "phase: phase 3\n", "phase: phase 3x\n")
    edit(records_copy / "trials/lummicar-1.yaml", "drugs:\n  - ", "drugs:\n  - nosuch-")
    edit(records_copy / "targets/fgfr1.yaml", "id: fgfr1", "id: fgfr-1")
    files = {m.split(":", 1)[0] for m in messages(records_copy)}
    assert files >= {
        "records/drugs/zanidatamab.yaml",
        "records/trials/lummicar-1.yaml",
        "records/targets/fgfr1.yaml",
    }


def run_cli(records: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(records))
    return subprocess.run(
        [str(BIN / "pipeline-tracker"), "validate", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=records.parent,
    )


def test_cli_validate_exit_codes_and_messages(records_copy):
    ok = run_cli(records_copy)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    line = edit(
        records_copy / "drugs/zanidatamab.yaml", "  - target: erbb2\n", "  - target: erbb3\n"
    )
    bad = run_cli(records_copy)
    assert bad.returncode == 1
    assert (
        f"records/drugs/zanidatamab.yaml:{line}:13: /targets/0/target: no target record 'erbb3'"
        in bad.stdout
    )
    assert "Traceback" not in bad.stdout + bad.stderr


def test_build_stops_on_a_broken_reference_with_the_same_message(records_copy, tmp_path):
    line = edit(
        records_copy / "drugs/zanidatamab.yaml", "  - target: erbb2\n", "  - target: erbb3\n"
    )
    result = mkdocs_build(tmp_path / "site", records=records_copy)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert (
        f"records/drugs/zanidatamab.yaml:{line}:13: /targets/0/target: no target record 'erbb3'"
        in output
    )
    assert "Traceback" not in output


# What the sources say ----------------------------------------------------------------------------


def test_identity_fact_needs_a_quote_or_an_inferred_reason_or_not_stated(records_copy):
    drug = records_copy / "drugs/bbp-398.yaml"
    edit(drug, "evidence:\n  modality:\n    - hainan-infigratinib-npp-case-study\n", "evidence:\n")
    found = messages(records_copy)
    assert any(
        m.startswith("records/drugs/bbp-398.yaml:3:") and "/modality: modality has no citation" in m
        for m in found
    ), found
    reason = "inferred:\n  modality: the source says only 'SHP2 inhibitor'\n"
    edit(drug, "evidence:\n", reason + "evidence:\n")
    assert messages(records_copy) == []
    edit(drug, reason, "")
    edit(drug, "modality: small molecule\n", "modality: not stated\n")
    assert messages(records_copy) == []


def test_inferred_must_name_an_identity_fact_the_drug_states(records_copy):
    line = edit(
        records_copy / "drugs/bbp-398.yaml",
        "modality: small molecule\n",
        "modality: small molecule\ninferred:\n  inn: no INN is printed\n",
    )
    found = messages(records_copy)
    assert any(
        m.startswith(f"records/drugs/bbp-398.yaml:{line + 2}:")
        and "/inferred/inn: inferred names 'inn', which this drug does not state" in m
        for m in found
    ), found


def test_source_words_must_occur_in_a_quote_the_entry_cites(records_copy):
    event = records_copy / "events/carsgen-huadong-zevor-cel-2023.yaml"
    line = edit(
        event, "territory_as_stated: mainland China\n", "territory_as_stated: Greater China\n"
    )
    assert (
        f"records/events/carsgen-huadong-zevor-cel-2023.yaml:{line}:22: /territory_as_stated: "
        "territory_as_stated 'Greater China' is not in any quote this entry cites"
    ) in "\n".join(messages(records_copy))


def test_approximate_date_words_need_a_date_and_a_quote_holding_them(records_copy):
    event = records_copy / "events/nmpa-nda-acceptance-zevor-cel-2022.yaml"
    line = edit(event, 'date: "2022-10"\n', "date_approximate: around October\n")
    assert messages(records_copy) == [
        (
            f"records/events/nmpa-nda-acceptance-zevor-cel-2022.yaml:{line}:19: /date_approximate: "
            "date_approximate needs 'date' (add date, or remove date_approximate)"
        )
    ]
    edit(
        event,
        "date_approximate: around October\n",
        'date: "2022-10"\ndate_approximate: around October\n',
    )
    assert any(
        "/date_approximate: date_approximate 'around October' is not in any quote" in m
        for m in messages(records_copy)
    )


def test_ci_bound_on_the_wrong_side_of_the_value(records_copy):
    line = edit(
        records_copy / "trials/herizon-btc-01.yaml",
        "    n: 62\n",
        "    ci_low: 55.0\n    ci_high: not estimable\n    n: 62\n",
    )
    found = messages(records_copy)
    assert (
        f"records/trials/herizon-btc-01.yaml:{line}:13: /results/0/ci_low: ci_low 55.0 is on the wrong side of the value 51.6 (check the bounds against the source (lower bound first))"
        in found
    ), found


def test_a_lower_bound_alone_validates_and_builds(records_copy, tmp_path):
    edit(
        records_copy / "trials/herizon-btc-01.yaml", "    n: 62\n", "    ci_low: 41.0\n    n: 62\n"
    )
    assert messages(records_copy) == []
    result = mkdocs_build(tmp_path / "site", records=records_copy)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site/trials/herizon-btc-01/index.html").read_text(encoding="utf-8")
    assert "(95% CI from 41.0; upper bound not reported)" in page


def test_status_as_of_and_class_designation_need_their_partners(records_copy):
    edit(
        records_copy / "trials/lummicar-2.yaml",
        "line: relapsed",
        'status_as_of: "2023-01-17"\nline: relapsed',
    )
    edit(
        records_copy / "events/china-breakthrough-zevor-cel.yaml",
        "designation: breakthrough therapy\n",
        "designation: breakthrough therapy\ndesignation_scope: class\n",
    )
    found = messages(records_copy)
    assert any("records/trials/lummicar-2.yaml" in m and "status" in m for m in found), found
    assert any(
        "records/events/china-breakthrough-zevor-cel.yaml" in m and "designation_class" in m
        for m in found
    ), found


def test_an_entry_inferred_must_name_a_field_the_entry_states(records_copy):
    line = edit(
        records_copy / "drugs/bbp-398.yaml",
        "    role: licensee\n",
        "    role: licensee\n    inferred:\n      territory_as_stated: nothing here\n",
    )
    found = messages(records_copy)
    assert any(
        m.startswith(f"records/drugs/bbp-398.yaml:{line + 2}:")
        and "/companies/1/inferred/territory_as_stated: inferred names 'territory_as_stated', which"
        in m
        for m in found
    ), found


def test_a_too_short_quote_is_named_as_such_not_as_the_wrong_type(records_copy):
    """A citation is a slug or an {source, quote} mapping: a two-letter quote was reported as the
    mapping 'should be text' (the slug branch), which sent the curator the wrong way."""
    edit(
        records_copy / "drugs/zanidatamab.yaml",
        "quote: the National Medical Products Administration (NMPA) approved the marketing of "
        "Zanidatamab",
        'quote: "NM"',
    )
    found = messages(records_copy)
    assert len(found) == 1, found
    assert "/status/0/sources/0/quote: 'NM' is too short" in found[0]
    assert "should be text" not in found[0]

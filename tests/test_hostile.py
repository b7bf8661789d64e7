"""Hardening, round 2 (issue 12): whatever a pull request holds, no crash, no bypass, no write
outside the records, no forged output. Each test is one thing a hostile contributor would try."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import BIN, FIXTURES, ROOT, mkdocs_build
from pipeline_tracker.mkdocs_adapter.livebuild import LiveBuild
from pipeline_tracker.records import rules
from pipeline_tracker.records.load import load_records
from pipeline_tracker.records.validate import load_and_check

LINE = re.compile(r"^records/[a-z]+/[^:]+\.yaml:\d+:\d+: .+$")


def run_cli(args: list[str], records: Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(records))
    return subprocess.run(
        [str(BIN / "pipeline-tracker"), *args],
        cwd=cwd or records.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode >= 0  # not killed by a signal (a segfault is -11)


# Crashes -------------------------------------------------------------------------------------

DEEP = {
    "sequences": "- " * 100_000 + "x\n",
    "mappings": "? " * 100_000 + "x\n",
    "mixed": "a:\n  " + "- ? " * 50_000 + "x\n",
    "spaced": "-   " * 60_000 + "x\n",  # indicators apart by more than one blank
}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deep_block_nesting_is_a_message_for_validate_and_fmt(records_copy, shape):
    """200 KB of `- - - … x` (no brackets) crashed libyaml's composer in C: every command died."""
    (records_copy / "drugs/zanidatamab.yaml").write_text(DEEP[shape], encoding="utf-8")
    for args in (["validate"], ["fmt", "--check"]):
        result = run_cli(args, records_copy)
        _no_traceback(result)
        assert "records/drugs/zanidatamab.yaml:" in result.stdout, args


def test_deep_block_nesting_fails_mkdocs_build_with_a_message(records_copy, tmp_path):
    (records_copy / "drugs/zanidatamab.yaml").write_text(DEEP["sequences"], encoding="utf-8")
    result = mkdocs_build(tmp_path / "site", records_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "records/drugs/zanidatamab.yaml:1:" in result.stderr
    assert "nested more than 32 levels deep" in result.stderr


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_huge_numbers_are_refused_with_a_message(records_copy):
    """A 5,000-digit integer (Python refuses to convert it) and a deal of 10^309 (schema-valid
    before, then OverflowError while building)."""
    deal = records_copy / "events/carsgen-huadong-zevor-cel-2023.yaml"
    _edit(deal, "amount: 200000000", "amount: 1" + "0" * 309)
    drug = records_copy / "drugs/zanidatamab.yaml"
    drug.write_text(drug.read_text(encoding="utf-8") + "x_count: " + "9" * 5000 + "\n")
    result = run_cli(["validate"], records_copy)
    _no_traceback(result)
    assert "carsgen-huadong-zevor-cel-2023.yaml:22:" in result.stdout
    assert "a number of 310 digits is too large for a record" in result.stdout
    assert "a number of 5000 digits is too large" in result.stdout


def test_amounts_are_bounded_by_the_schema_too(records_copy):
    deal = records_copy / "events/carsgen-huadong-zevor-cel-2023.yaml"
    _edit(deal, "amount: 200000000", "amount: 1.0e+300")
    result = run_cli(["validate"], records_copy)
    _no_traceback(result)
    assert "carsgen-huadong-zevor-cel-2023.yaml:22:" in result.stdout


def test_rules_never_read_values_of_the_wrong_type(records_copy):
    """Wrong types in fields the cross-record rules read gave tracebacks."""
    drug = records_copy / "drugs/zanidatamab.yaml"
    drug.write_text(drug.read_text(encoding="utf-8") + "code_names: 5\n", encoding="utf-8")
    trial = records_copy / "trials/empowher-303.yaml"
    _edit(trial, "drugs:\n  - zanidatamab\n  - trastuzumab\n", "drugs:\n  - a: 1\n")
    company = records_copy / "companies/carsgen.yaml"
    company.write_text(company.read_text(encoding="utf-8") + "parent: [1]\n", encoding="utf-8")
    result = run_cli(["validate"], records_copy)
    _no_traceback(result)
    assert "records/drugs/zanidatamab.yaml" in result.stdout and "/code_names" in result.stdout
    assert "records/trials/empowher-303.yaml" in result.stdout and "/drugs/0" in result.stdout


# Bypasses: a trailing newline ----------------------------------------------------------------


def test_a_trailing_newline_passes_no_pattern(records_copy):
    """Python's `$` matches before a final newline: ids, NCT numbers and dates slipped through."""
    trial = records_copy / "trials/empowher-303.yaml"
    _edit(trial, "id: NCT06435429", 'id: "NCT06435429\\n"')
    event = records_copy / "events/fda-orphan-zevor-cel-2019.yaml"
    _edit(event, 'date: "2019"', "date: |\n  2019")
    drug = records_copy / "drugs/zanidatamab.yaml"
    _edit(drug, "  - target: erbb2\n", '  - target: "erbb2\\n"\n')
    result = run_cli(["validate"], records_copy)
    _no_traceback(result)
    out = result.stdout
    assert "empowher-303.yaml:6:" in out and "'NCT06435429\\n' is not a valid" in out
    assert "fda-orphan-zevor-cel-2019.yaml:4:" in out
    assert "/targets/0/target: 'erbb2\\n' is not a lowercase ASCII slug" in out


def test_a_file_and_id_with_a_newline_are_refused(records_copy):
    (records_copy / "drugs/evil\n.yaml").write_text('id: "evil\\n"\nname: Evil\n')
    by_kind, problems = load_records(records_copy, records_copy.parent)
    assert "evil\n" not in by_kind["drugs"]
    assert any("is not a lowercase ASCII slug" in p.message for p in problems)


def test_a_second_trial_with_a_newline_after_its_nct_id_is_no_new_trial(records_copy):
    original = records_copy / "trials/empowher-303.yaml"
    copy = records_copy / "trials/empowher-303-copy.yaml"
    text = original.read_text(encoding="utf-8").replace("id: empowher-303", "id: empowher-303-copy")
    copy.write_text(text.replace("id: NCT06435429", 'id: "NCT06435429\\n"'), encoding="utf-8")
    _records, problems = load_and_check(records_copy, records_copy.parent)
    assert any(
        p.path.endswith("empowher-303-copy.yaml") and "NCT06435429" in p.message for p in problems
    )


# Collisions ----------------------------------------------------------------------------------


def test_reserved_ids_are_refused(records_copy):
    for kind, old, new in (
        ("events", "fda-orphan-zevor-cel-2019", "ref-1"),
        ("events", "ema-prime-zevor-cel", "references"),
        ("drugs", "eribulin", "index"),
    ):
        file = records_copy / kind / f"{old}.yaml"
        _edit(file, f"id: {old}", f"id: {new}")
        file.rename(file.with_name(f"{new}.yaml"))
    _records, problems = load_and_check(records_copy, records_copy.parent)
    reserved = {p.path for p in problems if "is a reserved name" in p.message}
    assert reserved == {
        "records/events/ref-1.yaml",
        "records/events/references.yaml",
        "records/drugs/index.yaml",
    }


def test_companies_cannot_be_their_own_parents(records_copy):
    for company, parent in (("carsgen", "carsgen"), ("beigene", "lianbio"), ("lianbio", "beigene")):
        file = records_copy / f"companies/{company}.yaml"
        file.write_text(file.read_text(encoding="utf-8") + f"parent: {parent}\n", encoding="utf-8")
    _records, problems = load_and_check(records_copy, records_copy.parent)
    loops = {p.path for p in problems if "parent chain loops back" in p.message}
    assert loops == {f"records/companies/{c}.yaml" for c in ("carsgen", "beigene", "lianbio")}


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]*)"', html)


def test_record_text_cannot_take_an_element_id_of_the_page(records_copy, tmp_path):
    """An event named 2019 (a year heading), a drug named __config (Material's settings script):
    every element id on every page is unique, and Material's own ids belong to Material."""
    event = records_copy / "events/fda-orphan-zevor-cel-2019.yaml"
    _edit(event, "id: fda-orphan-zevor-cel-2019", "id: '2019'")
    event.rename(event.with_name("2019.yaml"))
    drug = records_copy / "drugs/zanidatamab.yaml"
    _edit(drug, "\nname: zanidatamab\n", "\nname: __config\n")
    result = mkdocs_build(tmp_path / "site", records_copy)
    assert result.returncode == 0, result.stderr
    for page in (tmp_path / "site").rglob("*.html"):
        ids = _ids(page.read_text(encoding="utf-8"))
        assert len(ids) == len(set(ids)), (page, sorted(i for i in ids if ids.count(i) > 1))
    drug_page = (tmp_path / "site/drugs/zanidatamab/index.html").read_text(encoding="utf-8")
    assert '<script id="__config"' in drug_page and '<h1 id="h-__config"' in drug_page


# Writes where they must not ------------------------------------------------------------------


def test_fmt_does_not_follow_a_link_out_of_the_records(records_copy, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: victim\nname:   victim\n", encoding="utf-8")
    (records_copy / "drugs/victim.yaml").symlink_to(outside)
    result = run_cli(["fmt"], records_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert outside.read_text(encoding="utf-8") == "id: victim\nname:   victim\n"
    assert "records/drugs/victim.yaml" in result.stdout


def test_fmt_leaves_the_old_file_when_a_write_is_interrupted(records_copy, monkeypatch):
    from pipeline_tracker.tools import fmt

    file = records_copy / "drugs/zanidatamab.yaml"
    messy = file.read_text(encoding="utf-8").replace("name: zanidatamab", "name:    zanidatamab")
    file.write_text(messy, encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # the process is stopped while writing

    monkeypatch.setattr(os, "replace", interrupted)
    monkeypatch.setattr(
        Path, "write_bytes", lambda self, data: (self.open("wb").write(data[:10]), interrupted())
    )
    monkeypatch.setenv("PIPELINE_TRACKER_RECORDS", str(records_copy))
    with pytest.raises(KeyboardInterrupt):
        fmt.run([str(file)], root=records_copy.parent)
    assert file.read_text(encoding="utf-8") == messy
    assert sorted(p.name for p in file.parent.iterdir() if p.name.startswith(".")) == []


def test_new_does_not_write_through_a_linked_kind_folder(records_copy, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (records_copy / "targets").rename(tmp_path / "targets-real")
    (records_copy / "targets").symlink_to(outside, target_is_directory=True)
    result = run_cli(["new", "targets", "x"], records_copy)
    _no_traceback(result)
    assert list(outside.iterdir()) == []


def test_new_when_the_records_path_is_a_file(tmp_path):
    records = tmp_path / "records"
    records.write_text("not a folder")
    result = run_cli(["new", "drugs", "x"], records)
    _no_traceback(result)
    assert "new:" in result.stderr and records.read_text() == "not a folder"


def test_synth_does_not_replace_real_records_under_a_planted_marker(records_copy):
    (records_copy / ".synthetic").write_text("planted by a pull request\n")
    before = sorted(p.name for p in records_copy.rglob("*.yaml"))
    result = run_cli(["synth", "--drugs", "5", "--out", str(records_copy)], records_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "was not written by synth" in result.stderr
    assert sorted(p.name for p in records_copy.rglob("*.yaml")) == before


# Forged output -------------------------------------------------------------------------------


def test_record_text_cannot_forge_problem_lines_or_terminal_codes(records_copy):
    drug = records_copy / "drugs/zanidatamab.yaml"
    forged = "records/drugs/eribulin.yaml:1:1: forged"
    drug.write_text(
        drug.read_text(encoding="utf-8")
        + f'"x\\n{forged}\\u001b[2J": 1\n'
        + f'code_names: ["a\\n{forged}\\u001b]0;title\\u0007"]\n',
        encoding="utf-8",
    )
    result = run_cli(["validate"], records_copy)
    _no_traceback(result)
    lines = result.stdout.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    assert not any(line.startswith("records/drugs/eribulin.yaml") for line in lines)
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout


def test_a_file_name_cannot_forge_an_annotation(records_copy):
    name = "a,line=99,title=x::forged.yaml"
    (records_copy / "drugs" / name).write_text("id: a\n", encoding="utf-8")
    result = run_cli(["validate", "--format", "github"], records_copy)
    _no_traceback(result)
    for line in result.stdout.splitlines():
        assert line.startswith("::error file=")
        properties, _message = line[len("::error ") :].split("::", 1)
        fields = dict(part.split("=", 1) for part in properties.split(","))
        assert set(fields) == {"file", "line", "col"}, line
        assert fields["line"].isdigit()


# Serve ---------------------------------------------------------------------------------------


def test_serve_shows_an_error_that_is_not_a_record_problem():
    live = LiveBuild(serving=True, last_good="the last good build")

    def broken():
        raise OSError("disk full \x1b[2J")

    assert live.build(broken) == "the last good build"
    banner = str(live.banner())
    assert "OSError: disk full" in banner and "\x1b" not in banner


def test_serve_watches_records_without_following_link_loops(tmp_path):
    """A link loop in records/ grew the watcher's memory past 2 GB in half a minute."""
    import importlib.util

    from mkdocs.livereload import LiveReloadServer

    spec = importlib.util.spec_from_file_location("tracker_hook", ROOT / "hooks/tracker_hook.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    records = tmp_path / "records"
    (records / "drugs").mkdir(parents=True)
    (records / "drugs/loop").symlink_to(records, target_is_directory=True)
    (records / "drugs/x.yaml").write_text("id: x\n")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.watch(str(tmp_path))  # as MkDocs watches docs/ before the hook runs
    try:
        hook._watch_without_following_links(server)
        server.watch(str(records))
        emitters = list(server.observer.emitters)
        assert emitters
        for emitter in emitters:
            snapshot = emitter._take_snapshot()
            assert len(snapshot.paths) < 20, len(snapshot.paths)
    finally:
        server.server_close()


# Cost ----------------------------------------------------------------------------------------


def test_many_unknown_ids_cost_a_bounded_number_of_hint_searches(records_copy, monkeypatch):
    trial = records_copy / "trials/empowher-303.yaml"
    unknown = "".join(f"  - unknown-drug-{i:05d}\n" for i in range(2000))
    _edit(trial, "drugs:\n  - zanidatamab\n", "drugs:\n  - zanidatamab\n" + unknown)
    calls = []
    real = difflib.get_close_matches
    monkeypatch.setattr(
        rules.difflib, "get_close_matches", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    _records, problems = load_and_check(records_copy, records_copy.parent)
    assert sum("no drug record 'unknown-drug-" in p.message for p in problems) == 2000
    assert len(calls) <= rules.HINT_BUDGET


# Workflows -----------------------------------------------------------------------------------


def _workflows():
    for file in sorted((ROOT / ".github/workflows").glob("*.yml")):
        yield file.name, yaml.safe_load(file.read_text(encoding="utf-8"))


def test_workflows_run_with_least_privilege_and_no_expansion_in_scripts():
    for name, workflow in _workflows():
        assert workflow.get("permissions") == {}, name
        for job_name, job in workflow["jobs"].items():
            write = {k for k, v in job.get("permissions", {}).items() if v == "write"}
            if name == "release.yml":
                # Runs on a maintainer's tag, never on a pull request; it creates the release, and
                # only the step that does (gh, no repository code) is handed the token.
                triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as True
                assert triggers == {"push": {"tags": ["data-*", "v*"]}}
                assert write == {"contents"}, (name, job_name)
                holders = [s for s in job["steps"] if "github.token" in json.dumps(s)]
                assert len(holders) == 1 and holders[0]["run"].startswith("gh release create")
            else:
                assert write <= {"pages", "id-token"}, (name, job_name)
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), (name, step)
                uses = step.get("uses", "")
                if uses:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), uses
                if uses.startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, name


# The next hostile contributor ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["[" * 100_000, "{" * 100_000, "&a " + "[" * 100_000])
def test_fmt_never_hands_deep_text_to_libyaml(records_copy, text):
    """fmt checks whether a text can be written unquoted by reading it back; 200 KB of '[' in a
    quoted value would have reached libyaml's recursive composer that way."""
    drug = records_copy / "drugs/zanidatamab.yaml"
    drug.write_text(drug.read_text(encoding="utf-8") + f'x_text: "{text}"\n', encoding="utf-8")
    result = run_cli(["fmt", "--check"], records_copy)
    assert result.returncode == 0, (result.returncode, result.stdout[-500:])  # -11: a segfault
    count = len(list(records_copy.glob("*/*.yaml")))  # every fixture record, the drug included
    assert f"{count} record file(s) already canonical." in result.stderr


def test_json_problems_carry_no_terminal_control_codes(records_copy):
    drug = records_copy / "drugs/zanidatamab.yaml"
    drug.write_text(drug.read_text(encoding="utf-8") + '"x\\u009b2J\\u2028": 1\n', encoding="utf-8")
    result = run_cli(["validate", "--format", "json"], records_copy)
    _no_traceback(result)
    assert "\x9b" not in result.stdout and "\u2028" not in result.stdout
    assert "x\x9b2J\u2028" in {p["pointer"][1:] for p in __import__("json").loads(result.stdout)}


def test_a_docs_link_out_of_the_repository_is_not_published(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in ("hooks", "overrides", "schema", "records"):
            (repo / entry.name).symlink_to(entry)
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", repo / "docs", symlinks=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("a maintainer's secret")
    (repo / "docs/leak.txt").symlink_to(secret)
    result = mkdocs_build(repo / "site", FIXTURES, repo / "mkdocs.yml")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "docs/ links to files outside the repository, which would be published: leak.txt" in (
        result.stderr
    )
    assert not (repo / "site/leak.txt").exists()


def test_no_formula_after_a_semicolon_in_csv_cells():
    """A spreadsheet whose list separator is ';' splits an unquoted cell there."""
    from pipeline_tracker.site.table_formats import cell

    assert cell("BLA filed;=HYPERLINK(1)") == "BLA filed;'=HYPERLINK(1)"
    assert cell(["eu", "@SUM(1)"]) == "eu; '@SUM(1)"
    assert cell("a; b") == "a; b"

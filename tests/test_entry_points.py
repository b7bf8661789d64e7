"""Issue 17: one check, every entry point: `validate FILE…` runs the quote and archive checks,
`preview` works on the live records, independent files' problems come in one run."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from conftest import BIN, ROOT
from test_rules import edit, messages

QUOTE = "approved the marketing of Zanidatamab\n"


def _validate(records: Path, *files: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(records))
    return subprocess.run(
        [str(BIN / "pipeline-tracker"), "validate", *(str(records / f) for f in files)],
        cwd=records.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_validate_file_checks_its_quotes(records_copy):
    """CONTRIBUTING, the scaffold's hint and pre-commit run `validate FILE`: a misquote there
    passed as '4 records OK'."""
    edit(records_copy / "drugs/zanidatamab.yaml", QUOTE, "approved the marketing of Zanidatamib\n")
    result = _validate(records_copy, "drugs/zanidatamab.yaml")
    assert result.returncode == 1, result.stderr
    assert "/status/0/sources/0/quote: quote not found in the archived copy" in result.stdout


def test_validate_an_archived_copy_checks_the_quotes_that_cite_it(records_copy):
    archive = records_copy / "archive/000_0f28aca7d3a3d3db.txt"
    archive.write_text(
        archive.read_text(encoding="utf-8").replace("Zanidatamab", "the drug"), encoding="utf-8"
    )
    result = _validate(records_copy, "archive/000_0f28aca7d3a3d3db.txt")
    assert result.returncode == 1, result.stderr
    assert "records/drugs/zanidatamab.yaml:" in result.stdout
    assert "quote not found in the archived copy" in result.stdout


def test_validate_file_reports_the_archived_copy_its_source_names(records_copy):
    (records_copy / "archive/000_0f28aca7d3a3d3db.txt").write_bytes(b"\xff\xfe not utf-8")
    result = _validate(records_copy, "sources/nmpa-zanidatamab-btc-approval-news-2025.yaml")
    assert result.returncode == 1
    assert "archive/000_0f28aca7d3a3d3db.txt:1:1: archived copy is not UTF-8 text" in result.stdout


def test_preview_builds_a_live_record_with_its_archived_copies(tmp_path):
    """preview never copied records/archive/, so every real record with a quote failed."""
    drug = ROOT / "records/drugs/zanidatamab.yaml"
    assert "quote:" in drug.read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PIPELINE_TRACKER_RECORDS"}
    result = subprocess.run(
        [
            str(BIN / "pipeline-tracker"),
            "preview",
            "--build-only",
            "--site-dir",
            str(tmp_path / "site"),
            str(drug),
        ],
        cwd=ROOT,
        env=dict(env, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "site/drugs/zanidatamab/index.html").is_file()


def test_a_name_clash_with_a_drug_that_failed_its_schema_is_reported_in_the_same_run(
    records_copy,
):
    """A clash used to wait until the other drug's schema problem was fixed (a second round)."""
    edit(records_copy / "drugs/trastuzumab.yaml", "modality: monoclonal antibody", "modality: 5")
    edit(records_copy / "drugs/zanidatamab.yaml", "\nname: zanidatamab\n", "\nname: trastuzumab\n")
    found = messages(records_copy)
    assert any(m.startswith("records/drugs/trastuzumab.yaml:") and "/modality" in m for m in found)
    assert any(
        m.startswith("records/drugs/zanidatamab.yaml:") and "also names drug 'trastuzumab'" in m
        for m in found
    ), found


def test_a_registry_id_clash_with_a_trial_that_failed_its_schema_is_reported_at_once(
    records_copy,
):
    edit(records_copy / "trials/empowher-303.yaml", "phase: phase 3", "phase: 3")
    edit(records_copy / "trials/herizon-btc-01.yaml", "id: NCT04466891", "id: NCT06435429")
    found = messages(records_copy)
    assert any("empowher-303.yaml" in m and "/phase" in m for m in found)
    assert any(
        "herizon-btc-01.yaml" in m and "is already the id of trial 'empowher-303'" in m
        for m in found
    ), found


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _diff(records: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(records))
    return subprocess.run(
        [str(BIN / "pipeline-tracker"), "diff", "HEAD"],
        cwd=records.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_diff_reports_an_archive_edit_and_the_quotes_it_breaks(records_copy):
    """An edit to an archived text printed 'No record changes'."""
    _git(records_copy.parent, "init", "-q")
    _git(records_copy.parent, "add", "-A")
    _git(records_copy.parent, "commit", "-qm", "base")
    archive = records_copy / "archive/000_0f28aca7d3a3d3db.txt"
    archive.write_text(
        archive.read_text(encoding="utf-8").replace("Zanidatamab", "the drug"), encoding="utf-8"
    )
    result = _diff(records_copy)
    assert result.returncode == 0, result.stderr
    assert "No record changes" not in result.stdout
    assert (
        "archive/000_0f28aca7d3a3d3db.txt: changed; cited by 1 quote; no longer found: "
        "drugs/zanidatamab /status/0/sources/0/quote"
    ) in result.stdout


def test_diff_does_not_read_an_oversized_record_of_the_base(records_copy):
    _git(records_copy.parent, "init", "-q")
    big = records_copy / "drugs/huge.yaml"
    big.write_text("id: huge\nname: x\nnotes: " + "x" * (300 * 1024) + "\n", encoding="utf-8")
    _git(records_copy.parent, "add", "-A")
    _git(records_copy.parent, "commit", "-qm", "base")
    big.unlink()
    result = _diff(records_copy)
    assert result.returncode == 0, result.stderr
    assert "records/drugs/huge.yaml at HEAD is larger than 262144 bytes; not read" in result.stderr


def test_serve_on_a_port_taken_during_the_first_build_is_one_line(tmp_path):
    """`make serve` checks the port before the build; a port taken while it builds ended in an
    OSError traceback. The hook checks again after the build (here: taken all along, and serve
    is started without the Makefile's check)."""
    import socket

    from conftest import FIXTURES

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(FIXTURES), NO_MKDOCS_2_WARNING="1")
        result = subprocess.run(
            [str(BIN / "mkdocs"), "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        holder.close()
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    line = f"serve: cannot listen on 127.0.0.1:{port}: Address already in use"
    assert line in result.stdout + result.stderr


def test_a_record_that_cannot_be_read_is_one_problem_not_one_per_reference(records_copy):
    """A YAML syntax error in a drug also gave 'no drug record' in every trial and event naming
    it: the curator was sent to fix five files that were right."""
    (records_copy / "drugs/zanidatamab.yaml").write_text("id: zanidatamab\nname: [unclosed\n")
    whole = _validate(records_copy)
    assert whole.returncode == 1
    lines = [line for line in whole.stdout.splitlines() if ": " in line]
    assert lines and all("drugs/zanidatamab.yaml:" in line for line in lines), whole.stdout
    assert "no drug record" not in whole.stdout
    # validate on a trial that names it: the broken file it depends on is reported, nothing else
    one = _validate(records_copy, "trials/empowher-303.yaml")
    assert one.returncode == 1
    assert "drugs/zanidatamab.yaml:" in one.stdout and "YAML syntax" in one.stdout
    assert "no drug record" not in one.stdout


def test_validate_counts_archived_copies_apart_from_records(records_copy):
    """`validate` on an archived copy said 'N records OK' with the text file counted a record."""
    archive = "archive/000_0f28aca7d3a3d3db.txt"
    with_copy = _validate(records_copy, archive, "drugs/zanidatamab.yaml")
    alone = _validate(records_copy, "drugs/zanidatamab.yaml")
    assert with_copy.returncode == alone.returncode == 0, with_copy.stdout
    assert with_copy.stderr.strip().endswith("and 1 archived copy OK.")
    records_with, records_alone = (int(r.stderr.split()[0]) for r in (with_copy, alone))
    # the copy's source is in scope with it, never the copy itself
    assert "archived" not in alone.stderr and records_with >= records_alone


def test_an_archived_copy_that_cannot_be_read_is_one_problem(records_copy):
    """A copy that is not UTF-8 also gave 'no archived copy' on its source (it is there) and one
    problem on each quote citing it: the curator was sent to the wrong files."""
    (records_copy / "archive/000_0f28aca7d3a3d3db.txt").write_bytes(b"\xff\xfe not utf-8")
    result = _validate(records_copy)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines == [
        "records/archive/000_0f28aca7d3a3d3db.txt:1:1: archived copy is not UTF-8 text"
    ], result.stdout


def test_stopping_preview_stops_its_server(tmp_path):
    """`pipeline-tracker preview` stopped by a signal (an editor's stop button, a script's kill)
    left its `mkdocs serve` running: the port stayed taken, serving a deleted folder. Stopped
    by SIGTERM, the server then left its temporary site folder behind (mkdocs_*, 5 MB a time):
    nothing stays in the temporary folder."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PIPELINE_TRACKER_RECORDS"}
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env["TMPDIR"] = str(temporary)
    preview = subprocess.Popen(
        [
            str(BIN / "pipeline-tracker"),
            "preview",
            "--dev-addr",
            f"127.0.0.1:{port}",
            str(ROOT / "records/drugs/zanidatamab.yaml"),
        ],
        cwd=ROOT,
        env=dict(env, NO_MKDOCS_2_WARNING="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: cleaned up whole if the test fails
    )
    try:
        deadline = time.monotonic() + 240  # a guard against a hang, not a speed check
        while not _answers(port):
            assert preview.poll() is None and time.monotonic() < deadline, "preview never served"
            time.sleep(0.1)
        preview.send_signal(signal.SIGTERM)
        assert preview.wait(timeout=60) != 0
        deadline = time.monotonic() + 30
        while _answers(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _answers(port), "the preview's server still serves after the preview stopped"
        assert sorted(p.name for p in temporary.iterdir()) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(preview.pid, signal.SIGKILL)
        preview.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False

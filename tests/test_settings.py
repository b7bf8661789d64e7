"""Issue 17: a maintainer setting with a bad value is one clear line, never a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, ROOT, mkdocs_build


def _run(args: list[str], value: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=value)
    return subprocess.run(
        [str(BIN / "pipeline-tracker"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", [["validate"], ["fmt", "--check"], ["new", "drugs", "x"]])
@pytest.mark.parametrize("value", ["missing", "a-file.txt", "records/drugs"])
def test_a_bad_records_setting_is_one_line_naming_it(tmp_path, command, value):
    (tmp_path / "a-file.txt").write_text("x")
    (tmp_path / "records" / "drugs").mkdir(parents=True)
    (tmp_path / "records" / "drugs" / "x.yaml").write_text("id: x\n")
    result = _run(command, value, tmp_path)
    lines = [line for line in result.stdout.splitlines() if line] + [
        line for line in result.stderr.splitlines() if line and "problem" not in line
    ]
    assert result.returncode == 1
    assert len(lines) == 1, lines
    assert f"PIPELINE_TRACKER_RECORDS={value}" in lines[0]
    assert not (tmp_path / "missing").exists()  # `new` created nothing
    assert not (tmp_path / "records" / "drugs" / "drugs").exists()


def test_a_bad_records_setting_stops_the_build_with_that_line(tmp_path):
    result = mkdocs_build(tmp_path / "site", ROOT / "records" / "drugs")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "not a records folder" in result.stderr

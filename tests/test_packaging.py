"""A plain (non-editable) install works away from the checkout: the wheel carries the schemas and
templates, `pipeline-tracker validate` checks the live records and `mkdocs build` renders them with
the installed package. Builds a wheel and a fresh virtual environment (about 15 s)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh venv holding the built wheel and its dependencies (pinned by the lock)."""
    work = tmp_path_factory.mktemp("packaging")
    dist = work / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q"]
        + ["--wheel-dir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("pipeline_tracker-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for path in sorted((ROOT / "schema").glob("*.schema.json")):
        assert f"pipeline_tracker/schema/{path.name}" in names
    assert "pipeline_tracker/site/templates/drug.html.j2" in names
    venv = work / "venv"
    # No pip of its own (ensurepip costs seconds): this pip installs into it (`--python`), and
    # without byte-compiling ahead (Python compiles what it imports).
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    # The lock's versions, without its hashes (hash-checking would also demand one for the wheel).
    pins = work / "constraints.txt"
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins.write_text("\n".join(line.rstrip(" \\") for line in lock if "==" in line) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q"]
        + ["--no-compile", "-c", str(pins), str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def test_validate_from_outside_the_checkout(installed: Path, tmp_path: Path):
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(ROOT / "records"))
    done = subprocess.run(
        [str(installed / "pipeline-tracker"), "validate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    where = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "import pipeline_tracker.records.schemas as s; print(s.schema_dir())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where.stdout + where.stderr


def test_mkdocs_build_with_the_installed_package(installed: Path, tmp_path: Path):
    """The site's own mkdocs.yml and docs, with only the hook file beside them: the hook imports
    the installed package, not the checkout's."""
    project = tmp_path / "project"
    for name in ("docs", "overrides", "records"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project)
    (project / "hooks").mkdir()
    shutil.copy(ROOT / "hooks" / "tracker_hook.py", project / "hooks")
    done = subprocess.run(
        [str(installed / "mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=project,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "drugs" / "zanidatamab" / "index.html").is_file()


def test_synth_from_an_installed_package_asks_for_a_checkout(installed: Path, tmp_path: Path):
    """The synthetic-tree generator sits beside the benchmark (benchmarks/synth.py), not in the
    package: an installed `pipeline-tracker synth` says so instead of failing on an import."""
    done = subprocess.run(
        [
            str(installed / "pipeline-tracker"),
            "synth",
            "--drugs",
            "2",
            "--out",
            str(tmp_path / "t"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "needs a checkout" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "t").exists()

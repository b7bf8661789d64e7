"""`mkdocs serve` re-runs the hook file on each rebuild but keeps the package imported: an edit to
the package must be announced as needing a restart, not silently ignored."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

_TWICE = """
import os, runpy, sys
from pathlib import Path
hook = sys.argv[1]
runpy.run_path(hook)
print("--- edited", file=sys.stderr)
edited = Path(hook).parent / "pipeline_tracker" / "site" / "feed.py"  # in a subpackage
stat = edited.stat()
os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
runpy.run_path(hook)
"""


def test_package_edit_under_serve_asks_for_a_restart(tmp_path: Path):
    hooks = tmp_path / "hooks"
    shutil.copytree(ROOT / "hooks", hooks, ignore=shutil.ignore_patterns("*.egg-info"))
    # A checkout's shape: the package reads its vocabularies (the phase ladder) from schema/.
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    done = subprocess.run(
        [sys.executable, "-c", _TWICE, str(hooks / "tracker_hook.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    before, after = done.stderr.split("--- edited")
    assert "Restart `mkdocs serve`" not in before
    assert "Restart `mkdocs serve`" in after

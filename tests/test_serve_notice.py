"""`mkdocs serve` keeps the package imported (and MkDocs 1.6 loads the hook file once per
process): an edit to the package must be announced as needing a restart, not silently ignored.
Checked under a real `mkdocs serve` on a copy of the repository's site files."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import BIN, FIXTURES, ROOT
from pipeline_tracker.tools.preview import stop_process

NOTICE = "Restart `mkdocs serve`"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _copy_site_files(tmp_path: Path) -> Path:
    for name in ("hooks", "schema", "docs", "overrides"):
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
        )
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


@contextlib.contextmanager
def mkdocs_serve(site: Path, env: dict, launcher: tuple[str, ...] = ()):
    """A real `mkdocs serve` of `site` on a free port: (its address, the lines it prints, as
    they come, the process); stopped at the end. `launcher`: what runs the command."""
    port = _free_port()
    server = subprocess.Popen(
        [*launcher, str(BIN / "mkdocs"), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=site,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(server.stdout or []), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}/", lines, server
    finally:
        stop_process(server, timeout=30)


def test_package_edit_under_a_real_serve_asks_for_a_restart(tmp_path: Path):
    site = _copy_site_files(tmp_path)
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(FIXTURES), NO_MKDOCS_2_WARNING="1")
    with mkdocs_serve(site, env) as (_base, lines, server):

        def wait_for(text: str, after: int = 0) -> int:
            deadline = time.monotonic() + 240  # a guard against a hang, not a speed check
            while time.monotonic() < deadline and server.poll() is None:
                for index in range(after, len(lines)):
                    if text in lines[index]:
                        return index
                time.sleep(0.2)
            raise AssertionError(f"{text!r} never came:\n" + "".join(lines[-40:]))

        first = wait_for("Serving on")
        assert not any(NOTICE in line for line in lines)
        edited = site / "hooks" / "pipeline_tracker" / "site" / "feed.py"  # in a subpackage
        stat = edited.stat()
        os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        notice = wait_for(NOTICE, first)
        assert "changed since `mkdocs serve` started" in lines[notice]


@pytest.mark.parametrize("stop", ["SIGINT, ignored as in a background job", "SIGTERM"])
def test_a_stopped_serve_leaves_nothing_in_the_temporary_folder(tmp_path: Path, stop: str):
    """`mkdocs serve` removes the site it builds into a temporary folder (mkdocs_*, 1.1 GB at
    10,000 drugs) only when stopped as by Ctrl-C. Started in the background by a shell without
    job control it ignores SIGINT, and SIGTERM ended it at once: `make bench` left 1.2 GB behind
    each run. Stopped either way, nothing stays."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = dict(
        os.environ,
        PIPELINE_TRACKER_RECORDS=str(FIXTURES),
        NO_MKDOCS_2_WARNING="1",
        TMPDIR=str(temporary),
    )
    ignore_sigint = stop.startswith("SIGINT")
    # SIGINT ignored as a shell without job control starts a job with `&`.
    launcher = ("sh", "-c", 'trap "" INT; exec "$@"', "sh") if ignore_sigint else ()
    with mkdocs_serve(ROOT, env, launcher) as (_base, lines, server):
        deadline = time.monotonic() + 240  # a guard against a hang, not a speed check
        while not any("Serving on" in line for line in lines):
            assert server.poll() is None and time.monotonic() < deadline, "".join(lines[-30:])
            time.sleep(0.2)
        assert list(temporary.iterdir()), "serve built its site elsewhere: nothing to check"
        server.send_signal(signal.SIGINT if ignore_sigint else signal.SIGTERM)
        server.wait(timeout=60)
    assert sorted(p.name for p in temporary.iterdir()) == []

"""Preview a few records on a large tree: build only the touched records and the pages around them.

`pipeline-tracker preview records/drugs/x.yaml …` copies into a scratch folder the touched
records, every record that names them, and everything those records name (so every reference
resolves), then runs `mkdocs serve` on that subset with PIPELINE_TRACKER_RECORDS pointing at it.
While it serves, the original files are polled and copied again when they change, so an edit shows
as fast as the subset builds. `--build-only` builds the subset once instead (for scripts and tests).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline_tracker.records.evidence import ARCHIVE
from pipeline_tracker.records.load import KINDS, load_records
from pipeline_tracker.records.rules import references

Key = tuple[str, str]


def subset(records_path: Path, paths: list[Path]) -> tuple[dict[Key, Path], list[str]]:
    """(kind, id) → source file of every record the preview needs, and complaints about paths."""
    records, _problems = load_records(records_path)
    base = records_path.resolve()
    touched: set[Key] = set()
    complaints = []
    for given in paths:
        try:
            kind, name = given.resolve().relative_to(base).parts
        except ValueError:
            complaints.append(f"{given}: not a record file under {records_path}/<kind>/")
            continue
        record_id = name.removesuffix(".yaml")
        if kind not in KINDS or record_id not in records[kind]:
            complaints.append(
                f"{given}: no readable record there (run `pipeline-tracker validate`)"
            )
            continue
        touched.add((kind, record_id))
    wanted = set(touched)
    for kind, by_id in records.items():  # records that name a touched record
        for record_id, record in by_id.items():
            if any((k, rid) in touched for _pointer, k, rid in references(record)):
                wanted.add((kind, record_id))
    todo = list(wanted)
    while todo:  # and everything named by what is in, so every reference resolves
        kind, record_id = todo.pop()
        for _pointer, k, rid in references(records[kind][record_id]):
            if rid in records.get(k, {}) and (k, rid) not in wanted:
                wanted.add((k, rid))
                todo.append((k, rid))
    files = {key: records_path / key[0] / f"{key[1]}.yaml" for key in sorted(wanted)}
    # The archived texts the subset's sources name: the build checks their quotes against them.
    for kind, record_id in sorted(wanted):
        copy = records[kind][record_id].data.get("local_copy") if kind == "sources" else None
        if isinstance(copy, str) and "/" not in copy and not copy.startswith("."):
            files[(ARCHIVE, copy)] = records_path / ARCHIVE / copy
    return files, complaints


def _target(out: Path, key: Key) -> Path:
    kind, name = key
    return out / kind / (name if kind == ARCHIVE else f"{name}.yaml")


def copy_subset(files: dict[Key, Path], out: Path) -> None:
    for key, source in files.items():
        if key[0] == ARCHIVE and (source.is_symlink() or not source.is_file()):
            continue  # the build reports the missing or linked copy
        target = _target(out, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _mtimes(files: dict[Key, Path]) -> dict[Key, float]:
    return {key: (path.stat().st_mtime_ns if path.exists() else 0) for key, path in files.items()}


def preview(
    records_path: Path,
    paths: list[Path],
    config: Path,
    build_only: bool = False,
    site_dir: Path | None = None,
    port: str = "127.0.0.1:8000",
) -> int:
    files, complaints = subset(records_path, paths)
    for complaint in complaints:
        print(f"preview: {complaint}", file=sys.stderr)
    if complaints or not files:
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="pipeline-preview-"))
    out = scratch / "records"
    copy_subset(files, out)
    count = sum(1 for kind, _name in files if kind != ARCHIVE)
    print(f"preview: {count} records in {out}", file=sys.stderr)
    env = dict(os.environ, PIPELINE_TRACKER_RECORDS=str(out), NO_MKDOCS_2_WARNING="1")
    mkdocs = str(Path(sys.executable).parent / "mkdocs")
    try:
        if build_only:
            site = site_dir or scratch / "site"
            return subprocess.run(
                [mkdocs, "build", "-q", "-f", str(config), "-d", str(site)], env=env
            ).returncode
        # Stopped by a signal (an editor's or a script's SIGTERM, not only Ctrl-C), the preview
        # stops its server too: it had kept serving, holding the port, with its folder gone.
        previous = signal.signal(signal.SIGTERM, _exit_on_signal)
        server = subprocess.Popen([mkdocs, "serve", "-f", str(config), "-a", port], env=env)
        try:
            seen = _mtimes(files)
            while server.poll() is None:
                time.sleep(0.3)
                now = _mtimes(files)
                if now != seen:
                    copy_subset({k: p for k, p in files.items() if p.exists()}, out)
                    seen = now
            return server.returncode
        finally:
            stop_process(server)
            signal.signal(signal.SIGTERM, previous)
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _exit_on_signal(signum: int, _frame) -> None:
    raise SystemExit(128 + signum)


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a process if it still runs (a `mkdocs serve`): interrupted first, as Ctrl-C does
    (`mkdocs serve` then removes the temporary folder it builds the site into; stopped by
    SIGTERM it left 5 MB in /tmp each time), then asked to terminate, then killed, `timeout`
    seconds apart."""
    for stop in (lambda: process.send_signal(signal.SIGINT), process.terminate, process.kill):
        if process.poll() is not None:
            return
        stop()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue

"""What the registry import tests (test_import_ctgov.py, test_import_drugsfda.py) share: saving a
derived record, snapshots of a records tree, a fake HTTP response, and every place in a record."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path

import yaml
from pipeline_tracker.records.validate import load_and_check


def save(tmp_path: Path, data, name: str = "record.json") -> str:
    """A derived record (JSON data, or text as it is) saved as a file to import."""
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def snapshot(records: Path) -> dict[str, bytes]:
    return {str(p.relative_to(records)): p.read_bytes() for p in records.rglob("*") if p.is_file()}


def load(records: Path, kind: str, rid: str) -> dict:
    return yaml.load((records / kind / f"{rid}.yaml").read_text(), Loader=yaml.CSafeLoader)


def problems_of(records: Path) -> list[str]:
    _, problems = load_and_check(records)
    return [f"{p.path}: {p.pointer}: {p.message}" for p in problems]


def assert_refused(code: int, err: str, words: str) -> None:
    """The import said why in one line on stderr, and exited 1."""
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err


class Response(io.BytesIO):
    """What urllib.request.urlopen returns, with these bytes as the body."""

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def pointers(data, pointer: str = "") -> Iterator[str]:
    """Every place in a record (the first two entries of a list: the rest are read the same)."""
    yield pointer
    if isinstance(data, dict):
        for key, value in data.items():
            yield from pointers(value, f"{pointer}/{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data[:2]):
            yield from pointers(value, f"{pointer}/{index}")


def replaced(data, pointer: str, value):
    """A copy of `data` with `value` at `pointer`."""
    data = copy.deepcopy(data)
    *parents, last = pointer.strip("/").split("/")
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[int(last) if isinstance(node, list) else last] = value
    return data


def answering(monkeypatch, body: bytes | None = None, error: Exception | None = None) -> list[str]:
    """urllib answering every request with `body` (or raising `error`); the URLs asked."""
    asked: list[str] = []

    def urlopen(request, timeout):
        asked.append(request.full_url)
        if error is not None:
            raise error
        return Response(body or b"")

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    return asked


def run_import(capsys, registry: str, *args: str) -> tuple[int, str, str]:
    """`pipeline-tracker import <registry> ARGS`: exit code, stdout, stderr."""
    from pipeline_tracker.cli import main

    code = main(["import", registry, *args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused_unchanged(records: Path, words: str, call) -> None:
    """`call()` (an import: code, stdout, stderr) is refused in one line and writes nothing."""
    before = snapshot(records)
    code, _out, err = call()
    assert_refused(code, err, words)
    assert snapshot(records) == before


def use_records(records: Path, monkeypatch) -> Path:
    """Point the command line at `records` ($PIPELINE_TRACKER_RECORDS), run from beside it."""
    monkeypatch.setenv("PIPELINE_TRACKER_RECORDS", str(records))
    monkeypatch.chdir(records.parent)
    return records


def wrong_shape_outcomes(original, wrongs, build) -> dict[str, int]:
    """`build(raw)` on `original` with each of `wrongs` at each of its places in turn: how many
    built and how many were refused (ImportRefused, in one line: anything else fails the test)."""
    from pipeline_tracker.tools.importing import ImportRefused

    outcomes = {"built": 0, "refused": 0}
    for pointer in list(pointers(original))[1:]:
        for wrong in wrongs:
            try:
                build(json.dumps(replaced(original, pointer, wrong)).encode())
                outcomes["built"] += 1
            except ImportRefused as refused:
                assert "\n" not in str(refused), (pointer, wrong)
                outcomes["refused"] += 1
    return outcomes

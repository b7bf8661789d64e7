"""What parts of a build cost in CPU seconds, for `make bench` (benchmarks/bench.py): the bench
reports the build's CPU against a floor that only renders and writes pages, and a build also
reads and checks every record and indexes the site for search, costs a reader of the table
needs to see apart. Written only when PIPELINE_TRACKER_CPU_LOG names a file: one JSON line per
part ({"part": name, "cpu": seconds}), this process and the child processes it waited for."""

from __future__ import annotations

import json
import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "PIPELINE_TRACKER_CPU_LOG"


def _used() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


@contextmanager
def part(name: str) -> Iterator[None]:
    """Log the CPU seconds the `with` block took under `name` (nothing when ENV is unset)."""
    path = os.environ.get(ENV)
    if not path:
        yield
        return
    before = _used()
    try:
        yield
    finally:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"part": name, "cpu": round(_used() - before, 3)}) + "\n")


def read(path: str) -> dict[str, float]:
    """The CPU seconds by part a build logged to `path` (parts logged twice are added up)."""
    parts: dict[str, float] = {}
    with open(path, encoding="utf-8") as log:
        for line in log:
            entry = json.loads(line)
            parts[entry["part"]] = parts.get(entry["part"], 0.0) + entry["cpu"]
    return parts

"""Bytes and files of every non-page file the build writes (open data and feeds), for one tree.

    .venv/bin/python benchmarks/export_sizes.py /work/trees/r10k [--json out.json]

Loads the tree once (site.build.load_tracker) and calls the same functions the build does
(exports.build_exports, feed.build_feed, build_changes_feed, build_record_feeds), in memory, with
no site_url: no MkDocs build, so a 10,000-drug tree takes a few minutes, not eleven. Prints one
line per file or group of files (the per-record JSON by kind, the schemas, the feeds by kind),
the total, and whether any file passes 25 MiB (what a static host serves as one file).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from pipeline_tracker.records.validate import paused_gc
from pipeline_tracker.site.build import load_tracker
from pipeline_tracker.site.exports import build_exports
from pipeline_tracker.site.feed import (
    CHANGES_PATH,
    FEED_PATH,
    build_changes_feed,
    build_feed,
    build_record_feeds,
)

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 25 * 2**20


def group(path: str) -> str:
    """The line a file is counted under: per-record JSON and feeds by kind, others by name."""
    parts = path.split("/")
    if parts[0] == "data" and len(parts) == 3:
        return "data/schema/*" if parts[1] == "schema" else f"data/{parts[1]}/*.json.gz"
    if parts[0] == "feeds":
        return f"feeds/{parts[1]}/*"
    return path


def measure(tree: Path) -> dict[str, int]:
    """Site path → bytes of every open-data file and feed of the tree."""
    files: dict[str, bytes] = {}
    with paused_gc():
        tracker = load_tracker(tree, ROOT)
        build_exports(tracker, files)
        files[FEED_PATH] = build_feed(tracker)
        files[CHANGES_PATH] = build_changes_feed(tracker)
        build_record_feeds(tracker, files)
    return {path: len(content) for path, content in files.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, help="a records folder, e.g. a synthetic tree")
    parser.add_argument("--json", type=Path, help="also write the sizes there")
    args = parser.parse_args()
    sizes = measure(args.tree)
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path, size in sizes.items():
        groups[group(path)][0] += size
        groups[group(path)][1] += 1
    for name, (size, count) in sorted(groups.items()):
        print(f"{name:32s} {size:>14,d} bytes {count:>6d} files")
    print(f"{'total':32s} {sum(sizes.values()):>14,d} bytes {len(sizes):>6d} files")
    over = sorted(path for path, size in sizes.items() if size > LIMIT)
    print("files over 25 MiB:", ", ".join(over) or "none")
    if args.json:
        args.json.write_text(json.dumps(sizes, indent=1, sort_keys=True) + "\n", "utf-8")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())

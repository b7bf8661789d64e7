"""The whole build as plain functions: records folder → checked tracker → generated pages and files."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pipeline_tracker.datamodel import data_model_page
from pipeline_tracker.exports import build_exports
from pipeline_tracker.feed import FEED_PATH, build_feed
from pipeline_tracker.extra_pages import render_extra_pages
from pipeline_tracker.link import Tracker, link
from pipeline_tracker.load import KINDS
from pipeline_tracker.problems import RecordsInvalid
from pipeline_tracker.quality import build_today
from pipeline_tracker.render import RenderedPage, SiteOptions, render_pages
from pipeline_tracker.validate import load_and_check, paused_gc


@dataclass
class BuildOutput:
    tracker: Tracker
    pages: dict[str, str]  # Markdown pages: src path → text
    html_pages: dict[str, RenderedPage]  # pages rendered to HTML (records, indexes, timeline)
    static: dict[str, bytes]  # other files copied into the site: path → bytes


def load_tracker(records_path: Path, root: Path | None = None) -> Tracker:
    """Read, check and link the records; raises RecordsInvalid carrying every problem."""
    records, problems = load_and_check(records_path, root)
    if problems:
        raise RecordsInvalid(problems)
    return link(records)


def build_outputs(
    records_path: Path, root: Path | None = None, options: SiteOptions = SiteOptions(), workers: int = 1
) -> BuildOutput:
    """Everything the site adds to MkDocs' own files. `workers` > 1 renders large trees' pages in
    that many forked processes (used by `mkdocs build`; the output is identical)."""
    with paused_gc():  # millions of small acyclic objects: the cyclic GC would only rescan them
        return _build_outputs(records_path, root, options, workers)


def _build_outputs(records_path: Path, root: Path | None, options: SiteOptions, workers: int) -> BuildOutput:
    tracker = load_tracker(records_path, root)
    options = replace(options, today=build_today(options.today).isoformat())  # one "today" per build
    static = {
        f"records/{kind}/{rid}.yaml": record.text.encode("utf-8")
        for kind in KINDS
        for rid, record in sorted(tracker.records[kind].items())
    }

    def exports() -> None:  # runs here while worker processes render pages
        static.update(build_exports(tracker))
        static[FEED_PATH] = build_feed(tracker)

    html_pages = render_pages(tracker, options, workers=workers, meanwhile=exports)
    pages = {"data-model.md": data_model_page()}
    pages.update(render_extra_pages(tracker, options, static))
    return BuildOutput(tracker, pages, html_pages, static)


def spill_static(static: dict[str, bytes], folder: Path) -> dict[str, Path]:
    """Write static outputs under `folder` so MkDocs copies them from disk instead of the build
    holding them all in memory; returns site path → file written."""
    written = {}
    for path, content in static.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written[path] = target
    return written

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
from pipeline_tracker.render import SiteOptions, render_pages
from pipeline_tracker.validate import load_and_check


@dataclass
class BuildOutput:
    tracker: Tracker
    pages: dict[str, str]  # Markdown pages: src path → text
    static: dict[str, bytes]  # other files copied into the site: path → bytes


def load_tracker(records_path: Path, root: Path | None = None) -> Tracker:
    """Read, check and link the records; raises RecordsInvalid carrying every problem."""
    records, problems = load_and_check(records_path, root)
    if problems:
        raise RecordsInvalid(problems)
    return link(records)


def build_outputs(records_path: Path, root: Path | None = None, options: SiteOptions = SiteOptions()) -> BuildOutput:
    tracker = load_tracker(records_path, root)
    options = replace(options, today=build_today(options.today).isoformat())  # one "today" per build
    pages = render_pages(tracker, options)
    pages["data-model.md"] = data_model_page()
    static = {
        f"records/{kind}/{rid}.yaml": record.text.encode("utf-8")
        for kind in KINDS
        for rid, record in sorted(tracker.records[kind].items())
    }
    static.update(build_exports(tracker))
    static[FEED_PATH] = build_feed(tracker)
    pages.update(render_extra_pages(tracker, options, static))
    return BuildOutput(tracker, pages, static)

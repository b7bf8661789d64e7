"""Site-wide pages beyond record pages: the landscapes overview, data quality and open data."""

from __future__ import annotations

import csv
import io

from pipeline_tracker.exports import DATA_DIR, FORMAT_VERSION, LICENCE
from pipeline_tracker.feed import FEED_PATH
from pipeline_tracker.link import Tracker
from pipeline_tracker.load import KINDS
from pipeline_tracker.quality import build_today, report
from pipeline_tracker.render import SiteOptions, render_page

CSV_DESCRIPTIONS = {
    "development-status": "One row per status row and region, stated or derived (see basis)",
}


def _rows(content: bytes) -> int:
    """Data rows of a CSV we wrote (header excluded); cells may hold line breaks, so parse it."""
    return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8")))) - 1


def render_extra_pages(
    tracker: Tracker, options: SiteOptions, static
) -> dict[str, str]:
    """landscapes/index.md, quality.md and data.md (which lists the files in `static`)."""
    pages = {
        "landscapes/index.md": render_page(
            tracker, "landscapes.md.j2", "landscapes/index.md", options
        ),
        "quality.md": render_page(
            tracker,
            "quality.md.j2",
            "quality.md",
            options,
            q=report(tracker, build_today(options.today)),
        ),
    }
    names = ["development-status", *KINDS]
    csvs = [
        (
            f"{DATA_DIR}/{name}.csv",
            _rows(static[f"{DATA_DIR}/{name}.csv"]),
            CSV_DESCRIPTIONS.get(name, f"One row per {name} record, flattened"),
        )
        for name in names
    ]
    pages["data.md"] = render_page(
        tracker,
        "data.md.j2",
        "data.md",
        options,
        files=static.sizes(),
        csvs=csvs,
        schemas=sorted(p for p in static if p.startswith(f"{DATA_DIR}/schema/")),
        per_record=[(kind, tracker.ids(kind)) for kind in KINDS],
        total_records=sum(len(tracker.ids(kind)) for kind in KINDS),
        feed_size=static.sizes()[FEED_PATH],
        licence=LICENCE,
        format_version=FORMAT_VERSION,
    )
    return pages

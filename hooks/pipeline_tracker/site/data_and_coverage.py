"""The open data page, which lists the files the build publishes (rendered once they exist), and
the home page's coverage block (records per kind, newest review and source dates)."""

from __future__ import annotations

import csv
import hashlib
import io

from pipeline_tracker.model.tracker import Tracker
from pipeline_tracker.records.load import KINDS
from pipeline_tracker.site import export_schemas, urls
from pipeline_tracker.site.exports import DATA_DIR, FORMAT_VERSION, LICENCE, SQLITE_PATH
from pipeline_tracker.site.feed import FEED_PATH
from pipeline_tracker.site.render import SiteOptions, render_page
from pipeline_tracker.site.table_formats import gunzip_bytes

CSV_DESCRIPTIONS = {
    "development-status": "One row per status row and region, stated or derived (see basis), "
    "with the reason for any inferred phase, indication, region or date, and the equivalent "
    "ChEMBL max_phase, Open Targets stage and ClinicalTrials.gov phases",
    "deals": "One row per deal term (a deal without recorded terms: one row); amounts as printed, "
    "a US dollar figure only where the source prints one",
}


COVERAGE_MARKER = "<!-- pipeline-tracker:coverage -->"


def coverage_block(tracker: Tracker, options: SiteOptions) -> str:
    """The home page's coverage (Markdown): records per kind, drugs split into tracked assets and
    others, and the newest review and source dates the records hold."""
    reviewed = [
        date
        for kind in KINDS
        for rid in tracker.ids(kind)
        if (date := tracker.get(kind, rid).get("last_reviewed"))
    ]
    published = [d for s in tracker.ids("sources") if (d := tracker.get("sources", s).get("date"))]
    return render_page(
        tracker,
        "coverage.md.j2",
        "index.md",
        options,
        total=sum(len(tracker.ids(kind)) for kind in KINDS),
        reviewed=max(reviewed, default=""),
        published=max(published, default=""),
    )


# CSV digest → its data rows: `mkdocs serve` renders this page at every rebuild, from the same
# files until they are made again (at 10,000 drugs, parsing them took seconds).
_ROWS: dict[bytes, int] = {}


def _rows(content: bytes) -> int:
    """Data rows of a CSV we wrote (header excluded); cells may hold line breaks, so parse it."""
    key = hashlib.sha256(content).digest()
    if key not in _ROWS:
        text = gunzip_bytes(content).decode("utf-8-sig")
        _ROWS[key] = sum(1 for _ in csv.reader(io.StringIO(text))) - 1
    return _ROWS[key]


def render_data_page(tracker: Tracker, options: SiteOptions, static) -> dict[str, str]:
    """data.md, which lists the files in `static`. (Landscapes and data quality are rendered with
    the record pages: render.page_jobs.)"""
    pages = {}
    names = ["development-status", "deals", *KINDS]
    csvs = [
        (
            urls.table_path(name, "csv"),
            _rows(static[urls.table_path(name, "csv")]),
            CSV_DESCRIPTIONS.get(name, f"One row per {name} record, flattened"),
        )
        for name in names
    ]
    parquets = [
        (urls.table_path(name, "parquet"), rows, what)
        for name, (_path, rows, what) in zip(names, csvs, strict=True)
    ]
    pages["data.md"] = render_page(
        tracker,
        "data.md.j2",
        "data.md",
        options,
        files=static.sizes(),
        csvs=csvs,
        parquets=parquets,
        sqlite=f"{DATA_DIR}/{SQLITE_PATH}",
        data_version=tracker.data_version,
        schemas=sorted(p for p in static if p.startswith(f"{DATA_DIR}/schema/")),
        per_record=[(kind, tracker.ids(kind)) for kind in KINDS],
        total_records=sum(len(tracker.ids(kind)) for kind in KINDS),
        feed_size=static.sizes()[FEED_PATH],
        licence=LICENCE,
        format_version=FORMAT_VERSION,
        json_url=urls.json_url,
        schema_what=export_schemas.what,
    )
    return pages

"""Every address the site gives a record, in one place: its page, its JSON, its YAML file, its feed.

Addresses are relative to the site root ("drugs/zanidatamab/"); a page turns one into a link
relative to itself with `from_page`, a file read outside the site (a feed, a JSON export, a
schema) into an absolute one with `absolute` when mkdocs.yml sets site_url (never guessed). Events have no page of their own: they live on the timeline
under their anchor (ids.event_anchor), so a reader who follows any link to an event lands on it.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Mapping

from pipeline_tracker.records.ids import event_anchor, heading_anchor

TIMELINE = "timeline/"
QUALITY = "quality/"  # the data quality checks; a long check has its own pages under it
DATA_DIR = "data"


def page_src(kind: str, record_id: str) -> str:
    """The Markdown source path MkDocs gets for a record's page, e.g. drugs/zanidatamab.md."""
    return f"{kind}/{record_id}.md"


def record_url(kind: str, record_id: str, event_years: Mapping[str, str] | None = None) -> str:
    """The address of a record's page from the site root (an event: its timeline entry, on the
    page of its year when a long timeline is split by year: `event_years`, from
    listing.event_years, maps an event to that page's year)."""
    if kind == "events":
        year = event_years.get(record_id) if event_years else None
        return f"{timeline_year_url(year) if year else TIMELINE}#{event_anchor(record_id)}"
    return f"{kind}/{record_id}/"


def timeline_year_url(year: str) -> str:
    """One year's page of a timeline split by year (timeline/2024/, timeline/undated/)."""
    return f"{TIMELINE}{year}/"


def timeline_year_src(year: str) -> str:
    return f"{TIMELINE}{year}.md"


def timeline_year_of_src(src: str) -> str:
    """Which year a timeline page shows ("" for timeline.md)."""
    return src[len(TIMELINE) : -len(".md")] if src.startswith(TIMELINE) else ""


def index_url(kind: str) -> str:
    return f"{kind}/"


PAGES_DIR = "page"  # a long list's further pages: drugs/page/2/ (no record id has a "/")
ROWS_FILE = "rows.json.gz"  # a paged list's rows: gzipped JSON (listing.rows_file)


def guide_url(anchor: str) -> str:
    """A section of the Methodology page (docs/methodology.md), by its heading's anchor."""
    return f"methodology/#{anchor}"


def src_url(src: str) -> str:
    """The address MkDocs gives a Markdown source path: drugs/index.md → drugs/, deals.md → deals/."""
    return src[: -len("index.md")] if src.endswith("index.md") else src[: -len(".md")] + "/"


def list_part_url(list_url: str, part: int) -> str:
    """Page `part` (from 1) of a long list whose first page is at `list_url` (drugs/ stays
    drugs/, then drugs/page/2/, …; landscapes/regions/page/2/)."""
    return list_url if part <= 1 else f"{list_url}{PAGES_DIR}/{part}/"


def list_part_src(list_src: str, part: int) -> str:
    """The Markdown source path of list_part_url: drugs/index.md, then drugs/page/2.md, …"""
    return list_src if part <= 1 else f"{src_url(list_src)}{PAGES_DIR}/{part}.md"


def part_of_src(src: str) -> int:
    """Which page of a list a source path is (list_part_src's inverse); 1 for any other page."""
    head, _, name = src.rpartition("/")
    if (head == PAGES_DIR or head.endswith("/" + PAGES_DIR)) and name[:-3].isdigit():
        return int(name[:-3]) if name.endswith(".md") else 1
    return 1


def further_page_of(path: str) -> tuple[str, int] | None:
    """(the folder of the long list (drugs/, landscapes/regions/) or record section
    (companies/x/pipeline/), the page's number) when `path` is a page after the first of one
    (its path in the site: list_part_url's …/page/<n>/index.html, or …/page/<n>.html without
    directory URLs); None for any other page."""
    parts = path.split("/")
    if parts[-1] == "index.html" and len(parts) >= 3:
        if parts[-3] == PAGES_DIR and parts[-2].isdigit():
            return "/".join(parts[:-3]) + "/", int(parts[-2])
        return None
    if len(parts) >= 2 and parts[-2] == PAGES_DIR and parts[-1][:-5].isdigit():
        return "/".join(parts[:-2]) + "/", int(parts[-1][:-5])
    return None


def is_section_url(url: str) -> bool:
    """Whether a list's folder is a record section's (section_url: companies/x/pipeline/)."""
    return url.count("/") == 3


def list_url_of_src(src: str) -> str:
    """The address of the first page of the list a page's source path belongs to (drugs/page/2.md
    → drugs/; drugs/index.md → drugs/)."""
    if part_of_src(src) > 1:
        return src[: src.rindex("/" + PAGES_DIR + "/") + 1]
    return src_url(src)


def quality_check_url(check: str) -> str:
    """The pages of one data quality check with more findings than one page holds."""
    return f"{QUALITY}{check}/"


def quality_check_src(check: str) -> str:
    return f"{QUALITY}{check}.md"


def quality_check_of_src(src: str) -> str:
    """Which check a quality page shows ("" for the overview, quality.md)."""
    list_url = list_url_of_src(src)
    return list_url[len(QUALITY) : -1] if list_url.startswith(QUALITY) else ""


LANDSCAPES = "landscapes/"


def landscape_view_url(view: str) -> str:
    """The pages of one view of the landscapes (by target, by indication, the pipeline bars)
    when it has more rows than one page holds."""
    return f"{LANDSCAPES}{view}/"


def landscape_view_src(view: str) -> str:
    return f"{LANDSCAPES}{view}.md"


def landscape_view_of_src(src: str) -> str:
    """Which view a landscapes page shows ("" for the overview and the region view)."""
    list_url = list_url_of_src(src)
    view = list_url[len(LANDSCAPES) : -1] if list_url.startswith(LANDSCAPES) else ""
    return "" if view == "regions" else view


# A landscape cell with more drugs than its "more" names (listing.cell_pages) has pages of its
# own beside its landscape's: landscapes/modality/cells/phase-2/small-molecule/,
# companies/x/landscape/cells/approved/breast-cancer/, then …/page/2/ when long. The row is
# listing.cell_row's (a record's id, or a label's slug).
CELLS_DIR = "cells"


def landscape_cell_url(landscape_url: str, phase: str, row: str) -> str:
    """The first page of a cell of the landscape whose pages are at `landscape_url`
    (landscape_view_url, or section_url(kind, id, "landscape") for a record's)."""
    return f"{landscape_url}{CELLS_DIR}/{phase_filter_value(phase)}/{row}/"


def landscape_cell_src(landscape_url: str, phase: str, row: str) -> str:
    return landscape_cell_url(landscape_url, phase, row)[:-1] + ".md"


def is_landscape_cell_page(path: str) -> bool:
    """Whether a page (its path in the site) is one of a landscape cell's (landscape_cell_url):
    landscapes/<view>/cells/… or <kind>/<id>/landscape/cells/…"""
    parts = path.split("/")
    return (parts[0] == LANDSCAPES[:-1] and parts[2:3] == [CELLS_DIR]) or (
        parts[2:4] == ["landscape", CELLS_DIR]
    )


def landscape_cell_of(cell_url: str) -> tuple[str, str, str]:
    """(landscape url, phase as a filter value, row) of a cell's first page (landscape_cell_url)."""
    head, phase, row = cell_url.rstrip("/").rsplit("/", 2)
    return head[: -len(CELLS_DIR)], phase, row


# A long section of a record's page (its pipeline, trials, landscape, …) shows its first rows on
# the record's page and continues at companies/<id>/pipeline/page/2/, … (listing.record_sections).
SECTION_HEADINGS = {"landscape-bars": "landscape"}  # a section's heading, when not its own name


def section_url(kind: str, record_id: str, section: str) -> str:
    """The folder of a long section's further pages and of its rows.json.gz: companies/x/pipeline/."""
    return f"{record_url(kind, record_id)}{section}/"


def section_src(kind: str, record_id: str, section: str) -> str:
    """The source path a section is rendered at whole (for its rows.json.gz): companies/x/pipeline.md."""
    return f"{kind}/{record_id}/{section}.md"


def section_part_url(kind: str, record_id: str, section: str, part: int) -> str:
    """Page `part` of a long section of a record's page: page 1 is the record's page, at the
    section's heading; then companies/x/pipeline/page/2/, …"""
    if part <= 1:
        heading = heading_anchor(SECTION_HEADINGS.get(section, section))
        return f"{record_url(kind, record_id)}#{heading}"
    return list_part_url(section_url(kind, record_id, section), part)


def section_part_src(kind: str, record_id: str, section: str, part: int) -> str:
    """The source path of section_part_url (part > 1): companies/x/pipeline/page/2.md."""
    return list_part_src(section_src(kind, record_id, section), part)


def section_of_src(src: str) -> tuple[str, str, str]:
    """(kind, record id, section) of a section's page (section_part_src, section_src)."""
    kind, record_id, section = list_url_of_src(src).rstrip("/").split("/")
    return kind, record_id, section


def list_rows_url(list_url: str) -> str:
    """Every row of a paged list as gzipped JSON (listing.rows_file), beside its first page: the
    one address of that file, which pages, the build, serve and the tests all ask."""
    return f"{list_url}{ROWS_FILE}"


def is_list_rows_url(path: str) -> bool:
    """Whether a path in the site is a paged list's rows file (list_rows_url)."""
    folder, _, _name = path.rpartition("/")
    return path == list_rows_url(f"{folder}/" if folder else "")


def json_shard(record_id: str) -> str:
    """Which of a kind's (at most 256) JSON files holds the record: the first two hex digits of
    the SHA-256 of its id. Stable as long as the id is, and computable by any program."""
    return hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:2]


# The open data's tables and per-record files are published gzip-compressed (exports.py: format
# 7): at 10,000 drugs 120 MB of CSV and JSON as text, about a sixth of that compressed.
GZIP_SUFFIX = ".gz"


def shard_path(kind: str, shard: str) -> str:
    """A kind's file of per-record documents, gzip-compressed JSON: data/drugs/3f.json.gz."""
    return f"{DATA_DIR}/{kind}/{shard}.json{GZIP_SUFFIX}"


def table_path(name: str, fmt: str) -> str:
    """A published table: data/drugs.csv.gz (CSV, gzip-compressed), data/drugs.parquet."""
    return f"{DATA_DIR}/{name}.{fmt}{GZIP_SUFFIX if fmt == 'csv' else ''}"


def json_path(kind: str, record_id: str) -> str:
    """The static-API file holding the record's document (under "records", by id)."""
    return shard_path(kind, json_shard(record_id))


def json_url(kind: str, record_id: str) -> str:
    """json_path, with the record's id as the fragment."""
    return f"{json_path(kind, record_id)}#{record_id}"


def yaml_path(kind: str, record_id: str) -> str:
    """The record's file in the repository (not published on the site)."""
    return f"records/{kind}/{record_id}.yaml"


def feed_path(kind: str, record_id: str) -> str:
    """The record's own Atom feed (drugs, companies and targets have one)."""
    return f"feeds/{kind}/{record_id}.xml"


def site_root(site_url: str | None) -> str | None:
    """mkdocs.yml's site_url with one trailing slash, or None when it is not set."""
    if not site_url or not site_url.strip():
        return None
    return site_url.strip().rstrip("/") + "/"


def absolute(site_url: str | None, url: str) -> str | None:
    """`url` (from the site root) as an absolute address on the published site, or None when
    site_url is not set (then no address outside the site can be given)."""
    root = site_root(site_url)
    return root + url if root is not None else None


def from_page(base: str, url: str) -> str:
    """`url` (from the site root) as a link from a page whose way back to the root is `base`
    ("../../" for drugs/x/)."""
    return base + url


def relative(from_dir: str, url: str) -> str:
    """`url` (from the site root) as a link from a file in `from_dir` (e.g. "data/drugs"),
    keeping a trailing slash and a fragment."""
    path, _, fragment = url.partition("#")
    rel = posixpath.relpath(path or ".", from_dir or ".")
    if path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel + (f"#{fragment}" if fragment else "")


# Filter values in a drug table's query string (drugs/?phase=phase-1-2&region=CN): tracker.js
# reads them; the search box links to them (search_meta.filter_layout).
SPECIAL_ACCESS_KEY = "special-access"  # special access as a phase filter's value (never a phase)


def phase_filter_value(phase: str) -> str:
    """A phase as a filter value: "phase 1/2" → "phase-1-2"."""
    return phase.replace(" ", "-").replace("/", "-")

"""Every address the site gives a record, in one place: its page, its JSON, its YAML copy, its feed.

Addresses are relative to the site root ("drugs/zanidatamab/"); a page turns one into a link
relative to itself with `from_page`. Events have no page of their own: they live on the timeline
under their anchor (ids.event_anchor), so a reader who follows any link to an event lands on it.
"""

from __future__ import annotations

import posixpath

from pipeline_tracker.records.ids import event_anchor

TIMELINE = "timeline/"
DATA_DIR = "data"


def page_src(kind: str, record_id: str) -> str:
    """The Markdown source path MkDocs gets for a record's page, e.g. drugs/zanidatamab.md."""
    return f"{kind}/{record_id}.md"


def record_url(kind: str, record_id: str) -> str:
    """The address of a record's page from the site root (an event: its timeline entry)."""
    if kind == "events":
        return f"{TIMELINE}#{event_anchor(record_id)}"
    return f"{kind}/{record_id}/"


def index_url(kind: str) -> str:
    return f"{kind}/"


def json_path(kind: str, record_id: str) -> str:
    """The record's static-API document."""
    return f"{DATA_DIR}/{kind}/{record_id}.json"


def yaml_path(kind: str, record_id: str) -> str:
    """The record's file in the repository, and its copy on the site at the same path."""
    return f"records/{kind}/{record_id}.yaml"


def feed_path(kind: str, record_id: str) -> str:
    """The record's own Atom feed (drugs, companies and targets have one)."""
    return f"feeds/{kind}/{record_id}.xml"


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

"""Pagefind search for the hooked MkDocs build: which part of a record page is indexed, and the
index written after the build (site/search_index.py does the indexing)."""

from __future__ import annotations

from pathlib import Path

from pipeline_tracker.site.search_index import index_site

# Around the part of a record page search leaves out (tables, references): Material's search saw
# only the page's head; Pagefind sees the whole article less what is marked so.
UNINDEXED_OPEN = '<div data-pagefind-ignore="all">'
UNINDEXED_CLOSE = "</div>"


def unindexed(rest: str) -> str:
    return UNINDEXED_OPEN + rest + UNINDEXED_CLOSE


def write_index(config) -> None:
    """After `mkdocs build` (not under `mkdocs serve`, which rebuilds often and serves from
    memory: the served site has a search box that says search is not available)."""
    index_site(Path(config.site_dir))

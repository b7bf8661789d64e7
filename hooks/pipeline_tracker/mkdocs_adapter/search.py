"""Pagefind search for the hooked MkDocs build: which part of a record page is indexed, and the
index written after the build (site/search_index.py does the indexing)."""

from __future__ import annotations

from pathlib import Path

from pipeline_tracker.site import cpu_log
from pipeline_tracker.site.search_index import cut_excluded, document_name, index_site, searched
from pipeline_tracker.site.search_meta import filter_layout

# Around the part of a record page search leaves out (tables, references): Material's search saw
# only the page's head; Pagefind sees the whole article less what is marked so.
UNINDEXED_OPEN = '<div data-pagefind-ignore="all">'
UNINDEXED_CLOSE = "</div>"


def unindexed(rest: str) -> str:
    return UNINDEXED_OPEN + rest + UNINDEXED_CLOSE


def search_document(indexed: str) -> str:
    """What search reads of a record page: the indexed part of its article (the rest is marked
    unindexed on the page, so Pagefind writes the same index either way) and none of the theme's
    page around it. Pagefind then parses about 2 KB a record page instead of about 50 KB: half
    its time (issue 19). The lists of pages that list the tree are cut out (cut_excluded)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>'
        f'<article class="md-content__inner md-typeset">{cut_excluded(indexed)}</article>'
        "</body></html>"
    )


def documents_folder(config) -> Path:
    """Where record pages' search documents are written during a build (removed after it)."""
    return Path(config.site_dir) / ".pt-search"


def write_document(config, page: str, rendered, banner: str) -> None:
    """The search document of a record page MkDocs writes itself (PIPELINE_TRACKER_THEME_PER_PAGE=1):
    what shell.page_writer writes for the pages it writes (`page`: its path in the site;
    `banner`: what the page shows above its head), so either way search reads the same, search
    filters included (RenderedPage.search_only)."""
    if not searched(page):
        return
    folder = documents_folder(config)
    folder.mkdir(parents=True, exist_ok=True)
    indexed = banner + rendered.head + rendered.search_only
    data = search_document(indexed).encode("utf-8", errors="xmlcharrefreplace")
    (folder / document_name(page)).write_bytes(data)


def write_index(config) -> None:
    """After `mkdocs build` (not under `mkdocs serve`, which rebuilds often and serves from
    memory: the served site has a search box that says search is not available)."""
    with cpu_log.part("search index"):
        index_site(Path(config.site_dir), documents_folder(config), filter_layout)

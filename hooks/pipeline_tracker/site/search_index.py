"""The site's search index: Pagefind over the built HTML, written to <site>/pagefind/.

Why Pagefind and not Material's lunr search: lunr ships the whole index as one JSON file that
every reader's browser downloads and loads before the first result (1.2 KB a page: 10 MB at
2,000 drugs, 33 MB at 10,000). Pagefind writes a chunked index: a query fetches a small entry
file, the one or two index chunks that hold its words and the fragments of the results shown,
so what a reader downloads does not grow with the site. It runs offline at build time (the
binary ships in the `pagefind-bin-extended` wheel) and the site makes no third-party request.

What is indexed (the same as Material's search saw before):
- only each page's article (`article.md-content__inner`): not the header, navigation or footer;
- on record pages, the title, summary line and facts; the tables and references below them sit
  in an element marked `data-pagefind-ignore="all"` (the hook puts it around them);
- on pages that list the whole tree, their title and introduction, not the list (EXCLUDE);
- the identifiers readers type (search_meta.py) carry `data-pagefind-weight`, so the record that
  holds an id comes first, and the summary line is the result's preview (`data-pagefind-meta`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT_SELECTOR = "article.md-content__inner"
# Not content: permalink marks ("¶"), the live-serve banner, and what Material's search was told
# to skip (citation marks: "[1]" glued to a word would hide the word). Nor the lists on pages
# that list the whole tree (index tables, landscapes, data quality, deals, timeline events and
# their references): each row is a record whose own page is indexed, and Pagefind keeps a page's
# indexed text in one fragment that a result downloads (the timeline's would pass 1 MB at 10,000
# drugs, data quality's several MB). Those pages are still found by title and introduction.
# Lost on the way: words that only an event's text holds (events have no page of their own).
EXCLUDE = (
    "a.headerlink",
    ".pt-live-problems",
    "[data-search-exclude]",
    "table.pt-sortable",
    "table.pt-landscape",
    "table.pt-chart",
    "article.pt-event",
    "ol.pt-references",
)
OUTPUT = "pagefind"
# Pagefind's own ready-made interfaces: the site uses its JavaScript API from assets/search.js.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


class SearchIndexError(RuntimeError):
    pass


def pagefind_binary() -> str:
    """The Pagefind binary from the pagefind-bin-extended wheel (Chinese and Japanese word
    segmentation included), never a download."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError as missing:  # pragma: no cover - a dependency of the project
        raise SearchIndexError(
            "the search index needs the Python package pagefind[extended] (make install)"
        ) from missing
    return str(get_executable())


def index_site(site_dir: Path) -> str:
    """Index the built site in `site_dir` with Pagefind (replacing any earlier index);
    returns Pagefind's summary. Raises SearchIndexError with Pagefind's output on failure."""
    site_dir = Path(site_dir)
    shutil.rmtree(site_dir / OUTPUT, ignore_errors=True)
    command = [
        pagefind_binary(),
        "--site",
        str(site_dir),
        "--output-subdir",
        OUTPUT,
        "--root-selector",
        ROOT_SELECTOR,
        "--force-language",
        "en",
        "--quiet",
    ]
    for selector in EXCLUDE:
        command += ["--exclude-selectors", selector]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0 or not (site_dir / OUTPUT / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind failed ({done.returncode}): {done.stdout}{done.stderr}")
    for name in UNUSED:
        (site_dir / OUTPUT / name).unlink(missing_ok=True)
    return done.stdout

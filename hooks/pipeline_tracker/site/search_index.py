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

Pagefind writes one fragment file per page (pagefind/fragment/*.pf_fragment; it has no option to
bundle them): at 10,000 drugs that is 27,000 files, as many as the pages themselves, which alone
takes a site past the file limits of static hosts. After indexing, the fragments are bundled into
a few files (bundle_fragments; about FRAGMENTS_PER_BUNDLE each), and a short script put before
Pagefind's own (templates/pagefind_bundles.js, in pagefind.js and pagefind-worker.js) answers
Pagefind's request for a fragment from its bundle: what Pagefind reads is byte for byte the
fragment it wrote.
"""

from __future__ import annotations

import json
import math
import os
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


def index_site(site_dir: Path, documents: Path | None = None) -> str:
    """Index the built site in `site_dir` with Pagefind (replacing any earlier index);
    returns Pagefind's summary. Raises SearchIndexError with Pagefind's output on failure.
    `documents`: a folder holding, for some pages, what search should read of them instead of
    the page (mkdocs_adapter.search.search_document); Pagefind indexes that folder, with every
    other page of the site linked into it, and the folder is removed."""
    site_dir = Path(site_dir)
    shutil.rmtree(site_dir / OUTPUT, ignore_errors=True)
    try:
        return _index(site_dir, documents)
    finally:
        if documents is not None:
            shutil.rmtree(documents, ignore_errors=True)


def _index(site_dir: Path, documents: Path | None) -> str:
    read = site_dir
    if documents is not None:
        _link_pages(site_dir, documents)
        read = documents
    done = subprocess.run(
        pagefind_command(read, site_dir / OUTPUT), capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0 or not (site_dir / OUTPUT / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind failed ({done.returncode}): {done.stdout}{done.stderr}")
    for name in UNUSED:
        (site_dir / OUTPUT / name).unlink(missing_ok=True)
    bundle_fragments(site_dir / OUTPUT)
    return done.stdout


def pagefind_command(read: Path, output: Path) -> list[str]:
    """The Pagefind command the build runs over the pages (or search documents) in `read`
    (benchmarks/pagefind_memory.py runs the same one to measure it)."""
    command = [
        pagefind_binary(),
        "--site",
        str(read),
        "--output-path",
        str(output),
        "--root-selector",
        ROOT_SELECTOR,
        "--force-language",
        "en",
        "--quiet",
    ]
    for selector in EXCLUDE:
        command += ["--exclude-selectors", selector]
    return command


def _link_pages(site_dir: Path, documents: Path) -> None:
    """Every page of the site that has no search document, linked (or copied) into `documents`."""
    for page in site_dir.rglob("*.html"):
        relative = page.relative_to(site_dir)
        if relative.parts[0] in (documents.name, OUTPUT):
            continue
        target = documents / relative
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(page, target)
        except OSError:
            shutil.copyfile(page, target)


# A result shown loads its fragment's bundle: ~16 fragments of about 1 KB make a bundle small to
# fetch (a query showing ten results fetches at most ten bundles) and cut the files 16-fold.
FRAGMENTS_PER_BUNDLE = 16
BUNDLES = "fragment-bundles.json"  # {"bits": b}: 2**b bundles, fragment/<n>.pf_bundle


def fragment_bundle(name: str, bits: int) -> int:
    """Which bundle holds fragment `name` (its file name without .pf_fragment): the top `bits`
    bits of the name's 32-bit FNV-1a hash. docs/assets/search.js computes the same."""
    value = 0x811C9DC5
    for char in name.encode("utf-8"):
        value = ((value ^ char) * 0x01000193) & 0xFFFFFFFF
    return value >> (32 - bits) if bits else 0


def bundle_fragments(output: Path) -> None:
    """Replace pagefind/fragment/*.pf_fragment with 2**bits bundles. A bundle is one line of JSON
    ({name: [offset, length]}, offsets from the byte after the line) and then the fragments' bytes
    as Pagefind wrote them, in name order: the same fragments always give the same bytes."""
    folder = output / "fragment"
    files = sorted(folder.glob("*.pf_fragment"))
    bits = max(0, math.floor(math.log2(max(1, len(files)) / FRAGMENTS_PER_BUNDLE)))
    bundles: dict[int, list[Path]] = {}
    for path in files:
        bundles.setdefault(fragment_bundle(path.stem, bits), []).append(path)
    for number, paths in sorted(bundles.items()):
        table, blobs, offset = {}, [], 0
        for path in paths:
            blob = path.read_bytes()
            table[path.stem] = [offset, len(blob)]
            blobs.append(blob)
            offset += len(blob)
        head = json.dumps(table, separators=(",", ":"), sort_keys=True).encode("ascii")
        (folder / f"{number}.pf_bundle").write_bytes(head + b"\n" + b"".join(blobs))
    for path in files:
        path.unlink()
    (output / BUNDLES).write_text(json.dumps({"bits": bits}), encoding="ascii")
    shim = (Path(__file__).parent / "templates" / "pagefind_bundles.js").read_text(encoding="utf-8")
    for script in ("pagefind.js", "pagefind-worker.js"):
        path = output / script
        if path.is_file():
            path.write_text(shim + path.read_text(encoding="utf-8"), encoding="utf-8")

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
- on pages that list the whole tree, their title and introduction, not the list (EXCLUDE; the
  lists are cut out of their search documents before Pagefind reads them, CUT);
- the identifiers readers type (search_meta.py) carry `data-pagefind-weight`, so the record that
  holds an id comes first, and the summary line is the result's preview (`data-pagefind-meta`).

Pagefind keeps every page's words in memory until it writes the index (1.3 GB for the 28,000
pages of 10,000 drugs): a large site is indexed in parts (PART_PAGES, below), which the search
box merges (benchmarks/pagefind-memory.md).

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
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT_SELECTOR = "article.md-content__inner"
# Not content: permalink marks ("¶"), the live-serve banner, and what Material's search was told
# to skip, and citation marks ("[1]" glued to a word would hide the word). Nor the lists on pages
# that list the whole tree (index tables, landscapes, data quality, deals, timeline events and
# their references): each row is a record whose own page is indexed, and Pagefind keeps a page's
# indexed text in one fragment that a result downloads (the timeline's would pass 1 MB at 10,000
# drugs, data quality's several MB). Those pages are still found by title and introduction.
# Lost on the way: words that only an event's text holds (events have no page of their own).
# The lists (CUT) are also cut out of a page's search document before Pagefind reads it
# (cut_excluded): they were 6.4 MB of the 11.1 MB Pagefind read at 1,000 drugs, and about a
# fifth of its CPU, for nothing it keeps.
CUT = (
    "table.pt-sortable",
    "table.pt-landscape",
    "table.pt-chart",
    "article.pt-event",
    "ol.pt-references",
)
EXCLUDE = ("a.headerlink", ".pt-live-problems", "[data-search-exclude]", "sup.pt-cite") + CUT
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
    pages = sorted(p.relative_to(read).as_posix() for p in read.rglob("*.html"))
    parts = search_parts(pages, part_pages())
    if len(parts) == 1:
        said = _run(read, site_dir / OUTPUT)
    else:
        said = ""
        with tempfile.TemporaryDirectory(dir=site_dir, prefix=".pt-search-part") as folder:
            for number, part in enumerate(parts):
                subset = Path(folder) / str(number)
                for relative in part:
                    target = subset / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.link(read / relative, target)
                    except OSError:
                        shutil.copyfile(read / relative, target)
                said += _run(subset, site_dir / OUTPUT / part_folder(number))
                shutil.rmtree(subset)
    layout = {"parts": [part_folder(n) for n in range(1, len(parts))]}
    (site_dir / OUTPUT / PARTS).write_text(json.dumps(layout), encoding="ascii")
    return said


# Pagefind keeps every page's words until it writes the index: ~55 KB a drug page, 1.3 GB for the
# 28,000 pages of 10,000 drugs (benchmarks/pagefind-memory.md). The pages are indexed in parts of
# at most PART_PAGES (in path order, so the same pages give the same parts), one Pagefind run
# each, ~450 MB at most; the first part is pagefind/, the others pagefind/parts/<n>/, listed in
# pagefind/parts.json, and the site's search script merges them (Pagefind's mergeIndex).
PART_PAGES = 8000
PARTS = "parts.json"


def part_pages() -> int:
    """PART_PAGES, or PIPELINE_TRACKER_SEARCH_PART_PAGES (tests index small sites in parts)."""
    value = os.environ.get("PIPELINE_TRACKER_SEARCH_PART_PAGES", "")
    return int(value) if value.isdigit() and int(value) > 0 else PART_PAGES


def search_parts(pages: list[str], size: int) -> list[list[str]]:
    """The pages (sorted paths) in runs of at most `size`; one (maybe empty) part at least."""
    return [pages[i : i + size] for i in range(0, len(pages), size)] or [[]]


def part_folder(number: int) -> str:
    return "" if number == 0 else f"parts/{number}/"


def _run(read: Path, output: Path) -> str:
    done = subprocess.run(
        pagefind_command(read, output), capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0 or not (output / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind failed ({done.returncode}): {done.stdout}{done.stderr}")
    for name in UNUSED:
        (output / name).unlink(missing_ok=True)
    bundle_fragments(output)
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
    """Every page of the site that has no search document, into `documents`: less its lists
    (cut_excluded) if it has any, else linked (or copied). A page MkDocs wrote whole (a list
    page under PIPELINE_TRACKER_THEME_PER_PAGE=1) is then indexed as its search document is."""
    for page in site_dir.rglob("*.html"):
        relative = page.relative_to(site_dir)
        if relative.parts[0] in (documents.name, OUTPUT):
            continue
        target = documents / relative
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        html = page.read_bytes().decode("utf-8", errors="surrogateescape")
        cut = cut_excluded(html)
        if cut != html:
            target.write_bytes(cut.encode("utf-8", errors="surrogateescape"))
            continue
        try:
            os.link(page, target)
        except OSError:
            shutil.copyfile(page, target)


def _cut_pattern(selectors: tuple[str, ...]) -> re.Pattern:
    names = sorted({selector.split(".")[0] for selector in selectors})
    return re.compile(rf"<({'|'.join(names)})\b([^>]*)>")


_CUT_START = _cut_pattern(CUT)
_CUT_CLASSES = {tuple(selector.split(".", 1)) for selector in CUT}
_CLASS = re.compile(r'\sclass="([^"]*)"')


def cut_excluded(html: str) -> str:
    """`html` (a page, or the part of it search reads) less the elements CUT names, which Pagefind leaves out
    anyway (EXCLUDE): what a result shows is the same. The index differs only in what Pagefind
    records of ids inside them (an event's anchor, with no text), which it never shows: a
    result's sub-results are its headings with text. Unchanged if an element never ends."""
    kept, position = [], 0
    for tag in _CUT_START.finditer(html):
        if tag.start() < position:
            continue
        classes = _CLASS.search(tag.group(2))
        names = classes.group(1).split() if classes else ()
        if not any((tag.group(1), name) in _CUT_CLASSES for name in names):
            continue
        close = _end_of(html, tag.group(1), tag.end())
        if close is None:
            return html
        kept.append(html[position : tag.start()])
        position = close
    kept.append(html[position:])
    return "".join(kept)


def _end_of(html: str, name: str, after: int) -> int | None:
    """Where the element `name` whose start tag ends at `after` ends (past its end tag), counting
    elements of the same name inside it; None if it never ends."""
    depth, position = 1, after
    tags = re.compile(rf"<(/?){name}[\s>]")
    while depth:
        tag = tags.search(html, position)
        if tag is None:
            return None
        depth += -1 if tag.group(1) else 1
        position = tag.end()
    close = html.find(">", position - 1)
    return None if close < 0 else close + 1


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

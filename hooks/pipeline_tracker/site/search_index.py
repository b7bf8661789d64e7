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
box merges (benchmarks/pagefind-memory.md). Pagefind indexes on one core; the parts are indexed
side by side (as many at once as render.render_workers), each in a Pagefind of its own.

Pagefind is given the pages in path order through its service, so its index does not depend on
the order a file system lists them (index_pages). Record pages' search documents carry filters
(kind, phase, status, region, and a drug's stage and statuses in each region:
search_meta.search_filters), which Pagefind writes in a different order on every run;
canonical_filters sorts them, so the same pages give the same bytes.

Pagefind makes one fragment file per page (pagefind/fragment/*.pf_fragment; it has no option to
bundle them): at 10,000 drugs that is 27,000 files, as many as the pages themselves, which alone
takes a site past the file limits of static hosts. The fragments are written in bundles instead
(write_bundles; about FRAGMENTS_PER_BUNDLE each), and a short script put before
Pagefind's own (templates/pagefind_bundles.js, in pagefind.js and pagefind-worker.js) answers
Pagefind's request for a fragment from its bundle: what Pagefind reads is byte for byte the
fragment it made.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline_tracker.site import urls
from pipeline_tracker.site.render import render_workers

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
    "form.pt-table-filters",  # Pagefind skips forms, but reads them: every target and company as
    # a filter's choices (106 KB on each page of the Drugs index at 10,000 drugs)
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


def index_site(
    site_dir: Path,
    documents: Path | None = None,
    filter_layout: Callable[[dict[str, set[str]]], dict] | None = None,
) -> None:
    """Index the built site in `site_dir` with Pagefind (replacing any earlier index). Raises
    SearchIndexError with Pagefind's output on failure. `documents`: a folder holding, for some
    pages, what search should read of them instead of the page
    (mkdocs_adapter.search.search_document); it is removed afterwards (search_text).
    `filter_layout`: from each filter's values in the index (all parts), what the search box
    is told of its filters (search_meta.filter_layout), written beside the parts' list
    (pagefind/parts.json): the box lists them without downloading Pagefind's filter files."""
    site_dir = Path(site_dir)
    shutil.rmtree(site_dir / OUTPUT, ignore_errors=True)
    values: dict[str, set[str]] = {}
    try:
        pages = site_pages(site_dir, documents)
        parts = search_parts(pages, part_pages())

        def index_part(number: int) -> dict[str, set[str]]:
            output = site_dir / OUTPUT / part_folder(number)
            return index_pages(site_dir, documents, parts[number], output)

        # Pagefind indexes on one core: the parts (one folder and one Pagefind each, nothing
        # shared) are indexed side by side, as many at once as pages are rendered (each
        # Pagefind holds at most a part's words).
        with ThreadPoolExecutor(max_workers=min(len(parts), render_workers())) as pool:
            for found in pool.map(index_part, range(len(parts))):
                for name, part_values in found.items():
                    values.setdefault(name, set()).update(part_values)
    finally:
        if documents is not None:
            shutil.rmtree(documents, ignore_errors=True)
    layout: dict = {"parts": [part_folder(n) for n in range(1, len(parts))]}
    if filter_layout is not None and values:
        layout.update(filter_layout(values))
    (site_dir / OUTPUT / PARTS).write_text(
        json.dumps(layout, ensure_ascii=True, sort_keys=True), encoding="ascii"
    )


def site_pages(site_dir: Path, documents: Path | None) -> list[str]:
    """Every page of the site search reads (paths relative to it, sorted; searched), not the
    search documents' folder or Pagefind's own."""
    skip = {OUTPUT} if documents is None else {OUTPUT, documents.name}
    found = []
    for page in site_dir.rglob("*.html"):
        relative = page.relative_to(site_dir)
        path = relative.as_posix()
        if relative.parts[0] not in skip and searched(path):
            found.append(path)
    return sorted(found)


def searched(page: str) -> bool:
    """Whether search reads the page at `page` (its path in the site). Not a landscape cell's
    pages: a list of drugs whose heading repeats a record's name (every cell of an indication's
    row), which would come before the record's own page. Nor a long list's pages after the first
    (drugs/page/2/, landscapes/regions/page/3/): search reads a list page's title and
    introduction, not its rows (CUT), and those are its first page's, which stands for the list.
    A record section's second page is read (companies/x/pipeline/page/2/): its first page is the
    record's, whose search document does not hold the section's title ("X: pipeline"), so the
    second stands for the section; its later pages repeat the second's title and introduction
    (thirteen results "Synthco 0000: trials" at 10,000 drugs, one a page). A page search does
    not read gets no search document."""
    if urls.is_landscape_cell_page(page):
        return False
    further = urls.further_page_of(page)
    if further is None:
        return True
    folder, number = further
    return urls.is_section_url(folder) and number == 2


def document_name(page: str) -> str:
    """The file name of the search document of `page` (a path in the site): the documents lie
    in one folder, named by a hash of the page's path (a folder per page, as the site has them,
    cost about 1 s of CPU per 1,000 drugs in mkdir alone)."""
    return hashlib.blake2b(page.encode("utf-8"), digest_size=16).hexdigest() + ".html"


def search_text(site_dir: Path, documents: Path | None, page: str) -> str:
    """What search reads of `page`. In a build (`documents` given): its search document if it
    has one (document_name), else the page less its lists (cut_excluded), so a page MkDocs wrote
    whole (a list page under PIPELINE_TRACKER_THEME_PER_PAGE=1) is indexed as its search
    document is. Else the page as it is."""
    if documents is None:
        return (site_dir / page).read_text(encoding="utf-8", errors="replace")
    try:
        return (documents / document_name(page)).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return cut_excluded((site_dir / page).read_text(encoding="utf-8", errors="replace"))


# Pagefind keeps every page's words until it writes the index: ~55 KB a drug page, 1.3 GB for the
# 28,000 pages of 10,000 drugs (benchmarks/pagefind-memory.md). The pages are indexed in parts of
# at most PART_PAGES (dealt from the pages in path order, so the same pages give the same parts),
# one Pagefind run each, ~450 MB at most, as even as can be (two at once end together); the
# first part is pagefind/, the others pagefind/parts/<n>/, listed in pagefind/parts.json, and the
# site's search script merges them (Pagefind's mergeIndex).
PART_PAGES = 8000
PARTS = "parts.json"


def part_pages() -> int:
    """PART_PAGES, or PIPELINE_TRACKER_SEARCH_PART_PAGES (tests index small sites in parts)."""
    value = os.environ.get("PIPELINE_TRACKER_SEARCH_PART_PAGES", "")
    return int(value) if value.isdigit() and int(value) > 0 else PART_PAGES


def search_parts(pages: list[str], size: int) -> list[list[str]]:
    """The pages (sorted paths) in as few parts of at most `size` as hold them, as even as can
    be (indexed side by side, they end together); one (maybe empty) part at least.

    The pages are dealt to the parts in turn, not cut into runs: each part is then a sample of
    the whole site, every kind of page in the same share. Pagefind scores a page against its
    own part's pages (how rare a word is there, how long a page is), and the search box merges
    the parts' results by those scores. Cut into runs of paths, the companies' part knew "trials"
    only from a few section pages' titles and scored them five times as high as the Trials index
    scored in the trials' part: at 10,000 drugs a search for "trials" showed forty sections of
    companies before it, and "Synthco 0110" showed ten drugs whose code names begin "0110…"
    before the company."""
    count = max(1, math.ceil(len(pages) / size))
    return [pages[first::count] for first in range(count)]


def part_folder(number: int) -> str:
    return "" if number == 0 else f"parts/{number}/"


# What Pagefind is told: the same options as its command line's --root-selector,
# --exclude-selectors and --force-language.
CONFIG = {
    "root_selector": ROOT_SELECTOR,
    "exclude_selectors": list(EXCLUDE),
    "force_language": "en",
}
TIMEOUT_S = 3600


def index_pages(
    site_dir: Path, documents: Path | None, pages: list[str], output: Path
) -> dict[str, set[str]]:
    """Pagefind's index of `pages` (search_text of each), written to `output`; each filter's
    values in it (filter_values).

    Pagefind's command line indexes a folder in the order its file system lists the files, and
    the order decides the index's bytes: the same pages in a folder written in another order (on
    another machine, or in memory) gave another index. So Pagefind runs as a service (`pagefind
    --service`, the protocol of its own Python and Node APIs: base64-encoded JSON requests and
    answers, each followed by a comma, on its stdin and stdout) and is given the pages one by
    one in path order: the same pages give the same index anywhere, and it reads no folder.
    Its index comes back in the answer (GetFiles) and is written here (write_index_files): its
    service stops as soon as its input ends, even while the files it was asked to write are
    still being written, and the fragments are bundled anyway. (Pagefind's Python API is not
    used: it waits 0.1 s before reading each answer, 47 minutes for 28,000 pages.)"""
    with tempfile.TemporaryFile() as stderr:
        service = subprocess.Popen(
            [pagefind_binary(), "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=site_dir,
        )
        timer = threading.Timer(TIMEOUT_S, service.kill)
        timer.daemon = True
        timer.start()
        problems: list[str] = []
        files: dict[str, bytes] = {}
        try:
            problems += _serve(service, site_dir, documents, pages, files)
        finally:
            timer.cancel()
            if service.stdin and not service.stdin.closed:
                with contextlib.suppress(OSError):
                    service.stdin.close()
            if service.wait(timeout=60) != 0:
                problems.append(f"exit status {service.returncode}")
            stderr.seek(0)
            said = stderr.read().decode("utf-8", errors="replace")
    if problems or "pagefind.js" not in files:
        raise SearchIndexError(f"Pagefind failed: {'; '.join(problems)} {said}".strip())
    return write_index_files(output, files)


def _serve(service, site_dir, documents, pages, files: dict[str, bytes]) -> list[str]:
    """Send `pages` to the Pagefind service, then ask for the index's files (into `files`);
    what it complained of."""
    stdin, answers = service.stdin, _answers(service.stdout)
    _send(stdin, 0, {"type": "NewIndex", "config": CONFIG})
    stdin.flush()
    created = next(answers, {}).get("payload", {})
    if created.get("type") != "NewIndex":
        return [str(created.get("message", "no index created"))]
    index, last = created["index_id"], len(pages) + 1

    unread: list[str] = []

    def requests() -> None:
        try:
            for number, page in enumerate(pages, start=1):
                try:
                    text = search_text(site_dir, documents, page)
                except OSError as error:  # the service stops when its input ends
                    unread.append(f"{page}: {error.strerror or error}")
                    stdin.close()
                    return
                add = {"type": "AddFile", "index_id": index, "file_path": page, "url": None}
                _send(stdin, number, add | {"file_contents": text})
            _send(stdin, last, {"type": "GetFiles", "index_id": index})
            stdin.flush()
        except OSError:  # Pagefind stopped: its answers (or their end) say why
            pass

    writer = threading.Thread(target=requests, daemon=True)
    writer.start()
    problems = []
    for answer in answers:
        payload, number = answer.get("payload", {}), answer.get("message_id") or 0
        if payload.get("type") == "Error":
            page = pages[number - 1] if 0 < number < last else ""
            problems.append(f"{page}: {payload.get('message')}".lstrip(": "))
        if number == last:
            for file in payload.get("files", ()):
                files[file["path"]] = base64.b64decode(file["content"])
            break
    else:
        problems.append("Pagefind stopped before it gave its index")
    writer.join()
    return unread + problems


def _send(stream, number: int, payload: dict) -> None:
    message = json.dumps({"message_id": number, "payload": payload}).encode("utf-8")
    stream.write(base64.b64encode(message) + b",")


def _answers(stream) -> Iterator[dict]:
    """The service's answers, decoded, as they come; ends when it closes its output. An answer
    can be megabytes (the index's files): its pieces are joined once, not each time one comes."""
    pending: list[bytes] = []
    while chunk := stream.read1(1 << 20):
        *ends, rest = chunk.split(b",")
        for end in ends:
            pending.append(end)
            yield json.loads(base64.b64decode(b"".join(pending)))
            pending = []
        pending.append(rest)


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


def write_index_files(output: Path, files: dict[str, bytes]) -> dict[str, set[str]]:
    """Pagefind's files (paths relative to its folder) into `output`, but its ready-made
    interfaces (UNUSED), with its filters in a fixed order (canonical_filters) and the
    fragments bundled (write_bundles); each filter's values (filter_values)."""
    fragments = {}
    shim = (Path(__file__).parent / "templates" / "pagefind_bundles.js").read_bytes()
    files = canonical_filters(files)
    for path, blob in sorted(files.items()):
        if path in UNUSED:
            continue
        if ".." in path.split("/") or path.startswith("/"):
            raise SearchIndexError(f"Pagefind gave a file outside its folder: {path}")
        folder, _, name = path.rpartition("/")
        if folder == "fragment" and name.endswith(".pf_fragment"):
            fragments[name.removesuffix(".pf_fragment")] = blob
            continue
        if path in ("pagefind.js", "pagefind-worker.js"):
            blob = shim + blob
        (output / path).parent.mkdir(parents=True, exist_ok=True)
        (output / path).write_bytes(blob)
    write_bundles(output, fragments)
    return filter_values(files)


def write_bundles(output: Path, fragments: dict[str, bytes]) -> None:
    """Pagefind's fragments (name: bytes), one file per page, as 2**bits bundles in
    output/fragment/. A bundle is one line of JSON ({name: [offset, length]}, offsets from the
    byte after the line) and then the fragments' bytes as Pagefind made them, in name order: the
    same fragments always give the same bytes. The search box's shim (templates/
    pagefind_bundles.js, put before pagefind.js and pagefind-worker.js) reads them."""
    bits = max(0, math.floor(math.log2(max(1, len(fragments)) / FRAGMENTS_PER_BUNDLE)))
    bundles: dict[int, list[str]] = {}
    for name in sorted(fragments):
        bundles.setdefault(fragment_bundle(name, bits), []).append(name)
    (output / "fragment").mkdir(parents=True, exist_ok=True)
    for number, names in sorted(bundles.items()):
        table, offset = {}, 0
        for name in names:
            table[name] = [offset, len(fragments[name])]
            offset += len(fragments[name])
        head = json.dumps(table, separators=(",", ":"), sort_keys=True).encode("ascii")
        body = b"".join(fragments[name] for name in names)
        (output / "fragment" / f"{number}.pf_bundle").write_bytes(head + b"\n" + body)
    (output / BUNDLES).write_text(json.dumps({"bits": bits}), encoding="ascii")


# Pagefind's binary files: gzip of SIGNATURE + CBOR (pagefind/src/output). Its filters
# (filter/<language>_<hash>.pf_filter: [filter, [[value, [page numbers]], …]]) and the list of
# them in its meta file (pagefind.<language>_<hash>.pf_meta: [version, pages, index chunks,
# [[filter, file hash], …], …]) come in a hash map's order, different on every run: the same
# pages gave other bytes, other file names and another pagefind-entry.json. canonical_filters
# sorts them and names the files by a hash of what they now hold, as Pagefind names its files.
SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
_FILTER_FILE = re.compile(r"filter/(?P<hash>[a-z-]+_[0-9a-f]+)\.pf_filter")
_META_FILE = re.compile(r"pagefind\.(?P<hash>(?P<language>[a-z-]+)_[0-9a-f]+)\.pf_meta")


def canonical_filters(files: dict[str, bytes]) -> dict[str, bytes]:
    """Pagefind's files with each filter's values sorted, the meta file's filters sorted by
    name, and the files that changed renamed by a hash of their content (filter files: 7 hex
    digits, the meta file: 10, as Pagefind's); pagefind-entry.json names the new meta file.
    The search box reads the same filters, values and pages. An index without filters is left
    as it is. SearchIndexError if the files are not laid out as Pagefind 1.5 lays them out."""
    metas = [path for path in files if _META_FILE.fullmatch(path)]
    filters = {m["hash"]: path for path in files if (m := _FILTER_FILE.fullmatch(path))}
    if not filters:
        return files
    if len(metas) != 1 or ENTRY not in files:
        raise SearchIndexError(f"Pagefind's index has no single meta file: {sorted(metas)}")
    out = {path: blob for path, blob in files.items() if path not in filters.values()}
    renamed = {}
    for old, path in sorted(filters.items()):
        name, values = _unpack(files[path], path)
        if not isinstance(values, list) or not all(
            isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) for v in values
        ):
            raise SearchIndexError(f"Pagefind's filter file {path} is not [filter, values]")
        content = cbor_encode([name, sorted(values, key=lambda v: v[0])])
        renamed[old] = f"{old.split('_')[0]}_{_digest(content, 7)}"
        out[f"filter/{renamed[old]}.pf_filter"] = _pack(content)
    meta_path = metas[0]
    meta = _unpack(files[meta_path], meta_path)
    if not isinstance(meta, list) or len(meta) < 4 or {f[1] for f in meta[3]} != set(renamed):
        raise SearchIndexError(f"Pagefind's meta file {meta_path} does not list its filters")
    meta[3] = sorted([name, renamed[old]] for name, old in meta[3])
    content = cbor_encode(meta)
    language = _META_FILE.fullmatch(meta_path)["language"]  # type: ignore[index]
    meta_hash = f"{language}_{_digest(content, 10)}"
    del out[meta_path]
    out[f"pagefind.{meta_hash}.pf_meta"] = _pack(content)
    entry = json.loads(files[ENTRY])
    entry["languages"][language]["hash"] = meta_hash
    out[ENTRY] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return out


def filter_values(files: dict[str, bytes]) -> dict[str, set[str]]:
    """Each filter's values in Pagefind's filter files (filter/*.pf_filter) among `files`."""
    found: dict[str, set[str]] = {}
    for path, blob in files.items():
        if _FILTER_FILE.fullmatch(path):
            name, values = _unpack(blob, path)
            found.setdefault(name, set()).update(value for value, _pages in values)
    return found


def _digest(content: bytes, digits: int) -> str:
    return hashlib.sha256(content).hexdigest()[:digits]


def _unpack(blob: bytes, path: str):
    try:
        data = gzip.decompress(blob)
    except (OSError, EOFError) as error:
        raise SearchIndexError(f"Pagefind's {path} is not gzip: {error}") from None
    if not data.startswith(SIGNATURE):
        raise SearchIndexError(f"Pagefind's {path} lacks its signature")
    value, end = cbor_decode(data, len(SIGNATURE))
    if end != len(data):
        raise SearchIndexError(f"Pagefind's {path} has bytes after its content")
    return value


def _pack(content: bytes) -> bytes:
    return gzip.compress(SIGNATURE + content, compresslevel=9, mtime=0)


# CBOR (RFC 8949) as Pagefind writes it: unsigned integers, text strings and definite-length
# arrays, each head in its shortest form. Anything else is refused, not guessed at.
def cbor_decode(data: bytes, at: int = 0):
    """(value, offset after it) of the CBOR item at `at`."""
    try:
        head = data[at]
        major, info, at = head >> 5, head & 31, at + 1
        if info < 24:
            number = info
        elif info <= 27:
            size = 1 << (info - 24)
            number, at = int.from_bytes(data[at : at + size], "big"), at + size
        else:
            raise ValueError(f"length form {info}")
        if major == 0:
            return number, at
        if major == 3:
            return data[at : at + number].decode("utf-8"), at + number
        if major == 4:
            items = []
            for _ in range(number):
                item, at = cbor_decode(data, at)
                items.append(item)
            return items, at
        raise ValueError(f"major type {major}")
    except (IndexError, ValueError, UnicodeDecodeError) as error:
        raise SearchIndexError(
            f"Pagefind's index holds CBOR this build cannot read: {error}"
        ) from None


def cbor_encode(value) -> bytes:
    if isinstance(value, bool) or not isinstance(value, (int, str, list)):
        raise SearchIndexError(f"not CBOR this build writes: {type(value).__name__}")
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _cbor_head(3, len(data)) + data
    return _cbor_head(4, len(value)) + b"".join(cbor_encode(item) for item in value)


def _cbor_head(major: int, number: int) -> bytes:
    if number < 0:
        raise SearchIndexError(f"not CBOR this build writes: {number}")
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise SearchIndexError(f"not CBOR this build writes: {number}")

"""Record pages in the theme's page shell, without MkDocs' per-page pipeline.

A record page (drug, target, company, indication, trial, source: thousands of them) differs from
every other page of its folder only in its title, description, feed, JSON-LD, table of contents,
address and article. Rendering Material's whole page template (and MkDocs' Markdown and plugin
events) for each one cost about half of a large build and kept every page in memory until the end.
Instead the theme renders, once per folder and kind of page, a shell in which each of those values
is a slot; a record page is the shell's text with its values put in the slots, written straight to
the site folder (issue 19).

Each shell is checked when it is made: a probe page with values that escaping or URL handling
would change (`<`, `&`, quotes, non-ASCII) is rendered whole by the theme and must equal the probe
assembled from the shell. A theme that escapes, filters or tests one of the values differently
therefore never gets a wrong page: that kind of page is rendered by the theme page by page.

MkDocs' own pages (the hand-written pages, the indexes and listings in the nav) are built by MkDocs
as before. The hook adds a stand-in file for each record page (RecordPageFile) so that links from
hand-written pages to `drugs/x.md` resolve and the sitemap lists it.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import posixpath
import re
from collections.abc import Callable, Collection, Iterable

from mkdocs import utils
from mkdocs.commands.build import get_context
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.meta import get_data

from pipeline_tracker.mkdocs_adapter.search import search_document, unindexed
from pipeline_tracker.site.search_index import document_name, searched

log = logging.getLogger("mkdocs.plugins.pipeline_tracker")

# Slots in a shell: `PtSlot7<name>Z`. A shell is rendered from theme text and these tokens only (no
# record text), so a token can only be where a value goes; a page's values are put between the
# shell's pieces, never searched. The content token ends with "<h1>" for pages whose article has a
# heading of level 1 (Material adds a title heading to those that have none).
_SLOT = re.compile(r"PtSlot7([a-z_]+)Z(?:<h1>)?")
# The record id slot, in the page's address: no record id holds "_" (ids are slugs), and the probe
# checks that the address is printed as it is.
SHELL_ID = "pt_shell_id"
# Meta values a page's shell has a slot for (printed as they are); any other meta value (as
# `hide: [toc]`, which the theme tests) is part of the shell itself.
SLOTTED = frozenset({"title", "description", "feed", "linked_data"})
# Meta values the theme is expected not to print (`tags` are for Material's search, which the
# hooked build does not run): a shell is made, and probed, with stand-in values, so every drug
# page shares one shell instead of having one of its own (two theme renders a page: a quarter of
# the build's CPU). If the theme printed them, the probe sees it and pages are themed one by one.
UNPRINTED = frozenset({"tags"})
_UNPRINTED_SHELL = {"tags": ["PtShellTag"]}
_UNPRINTED_PROBE = {"tags": ["Probe <tag> & “t”", "probe 2"]}
_BLANK_LINES = re.compile(r"\s*\n\s*")


def _token(name: str) -> str:
    return f"PtSlot7{name}Z"


_PROBE = {
    "title": "Probe <b>&amp;</b> “title” & 'q' \"dq\"",
    "description": "Probe <description> & “more” 'q' \"dq\"",
    "feed": "feeds/companies/probe-x.xml",
    "linked_data": '{"@context": "https://schema.org", "name": "probe \\u003c/script\\u003e"}',
}
_PROBE_ID = "probe-x"
_PROBE_CONTENT = '<h1 id="probe">Probe</h1>\n<p>Body &amp; “text” <a href="#a">a</a></p>'
_PROBE_TOC = [
    {
        "level": 1,
        "id": "probe",
        "name": "Probe &amp; “t”",
        "children": [{"level": 2, "id": "a-b", "name": "A &lt;b&gt;", "children": []}],
    }
]


class RecordPageFile(File):
    """A record page as MkDocs sees it: a file at the page's address that links from Markdown
    pages resolve to and the sitemap lists, which MkDocs neither renders nor copies (the hook
    writes the page itself after MkDocs' own pages)."""

    generated_by = "pipeline-tracker"

    def __init__(self, src_uri: str, config) -> None:
        folder, name = posixpath.split(src_uri)
        stem = posixpath.splitext(name)[0]
        dest = posixpath.join(folder, stem, "index.html") if config.use_directory_urls else None
        dest = dest or posixpath.join(folder, f"{stem}.html")
        super().__init__(
            src_uri,
            src_dir=None,
            dest_dir=config.site_dir,
            use_directory_urls=config.use_directory_urls,
            dest_uri=dest,
            inclusion=InclusionLevel.NOT_IN_NAV,
        )

    def is_documentation_page(self) -> bool:
        return False

    def is_static_page(self) -> bool:
        return False

    def is_media_file(self) -> bool:
        return False

    def copy_file(self, dirty: bool = False) -> None:
        """Written by the hook (write_record_pages), not copied."""


class SpilledFile(File):
    """A file the hook wrote into its temporary folder as it was made (open data, feeds: the hook's
    StaticFiles): moved into the site instead of copied, since the folder is removed after the
    build (a copy read and wrote every byte once more: 3% of the build's CPU at 1,000 drugs).
    Copied as MkDocs would where a move is impossible (the folder on another file system)."""

    def copy_file(self, dirty: bool = False) -> None:
        if dirty and not self.is_modified():
            return
        assert self.abs_src_path is not None
        target = self.abs_dest_path
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.replace(self.abs_src_path, target)
        except OSError:
            super().copy_file(dirty)


class PageShells:
    """The theme's page around a record page's article, rendered once per folder and kind of page."""

    def __init__(self, config, env, nav, files: Files) -> None:
        self.config, self.env, self.nav = config, env, nav
        self.doc_files = files.documentation_pages()
        self.template = env.get_template("main.html")
        self._toc_template = env.from_string(
            '{% import "partials/language.html" as lang with context %}'
            "{% set features = config.theme.features or [] %}"
            '{% include "partials/toc.html" %}'
        )
        self._shells: dict[tuple, list[str] | None] = {}
        self._tocs: dict[tuple, str] = {}

    # The theme, page by page --------------------------------------------------------------
    def _page(self, src_uri: str, meta: dict, content: str, toc: list) -> Page:
        file = File.generated(self.config, src_uri, content="")
        file.inclusion = InclusionLevel.NOT_IN_NAV
        page = Page(None, file, self.config)
        page.markdown = ""  # read: the title comes from meta
        page.meta = dict(meta)
        page.content = content
        page.toc = get_toc(toc)
        return page

    def themed(self, src_uri: str, meta: dict, content: str, toc: list, **extra) -> str:
        """The page as the theme renders it (what MkDocs' per-page build writes)."""
        page = self._page(src_uri, meta, content, toc)
        context = get_context(self.nav, self.doc_files, self.config, page)
        context.update(extra)  # type: ignore[typeddict-item]
        page.active = True
        try:
            return self.template.render(context)
        finally:
            page.active = False

    def _toc_html(self, folder: str, toc: list) -> str:
        # Material lists the sections under a first heading of level 1 (the page's title), not
        # the title itself: pages with the same sections share their table of contents.
        titled = bool(toc) and toc[0]["level"] == 1
        key = (folder, titled, _toc_key(toc[0]["children"] if titled else toc))
        html = self._tocs.get(key)
        if html is None:
            page = self._page(posixpath.join(folder, f"{SHELL_ID}.md"), {}, "", toc)
            context = get_context(self.nav, self.doc_files, self.config, page)
            html = self._tocs[key] = self._toc_template.render(context)
        return html

    # Shells ---------------------------------------------------------------------------------
    def _shell(
        self, folder: str, keys: tuple, fixed: tuple, has_toc: bool, has_h1: bool
    ) -> list[str] | None:
        key = (folder, keys, fixed, has_toc, has_h1)
        if key not in self._shells:
            self._shells[key] = self._make(folder, keys, fixed, has_toc, has_h1)
        return self._shells[key]

    def _make(
        self, folder: str, keys: tuple, fixed: tuple, has_toc: bool, has_h1: bool
    ) -> list[str] | None:
        """A shell for pages with these slotted meta keys and these other meta values (which
        the theme may test, as `hide`: they are part of the shell, not slots)."""
        kept = {name: _thawed(value) for name, value in fixed}
        unprinted = [name for name in keys if name in UNPRINTED]
        keys = tuple(name for name in keys if name not in UNPRINTED)
        meta = (
            {name: _token(name) for name in keys}
            | {name: _UNPRINTED_SHELL[name] for name in unprinted}
            | kept
        )
        content = _token("content") + ("<h1>" if has_h1 else "")
        toc = [{"level": 2, "id": _token("skip"), "name": "skip", "children": []}]
        text = self.themed(
            posixpath.join(folder, f"{SHELL_ID}.md"),
            meta,
            content,
            toc if has_toc else [],
            pt_toc=_token("toc"),
        )
        text = text.replace(SHELL_ID, _token("id"))
        pieces = _SLOT.split(text)
        # The probe: every value the theme could treat differently from the token it was shown.
        probe_meta = (
            {name: _PROBE.get(name, f"probe {name} <&>") for name in keys}
            | {name: _UNPRINTED_PROBE[name] for name in unprinted}
            | kept
        )
        probe_content = _PROBE_CONTENT if has_h1 else _PROBE_CONTENT.replace("h1", "h2")
        probe_toc = _PROBE_TOC if has_toc else []
        src = posixpath.join(folder, f"{_PROBE_ID}.md")
        whole = self.themed(src, probe_meta, probe_content, probe_toc)
        assembled = _fill(
            pieces,
            _values(
                _PROBE_ID, probe_meta, probe_content, self._toc_html(folder, probe_toc), probe_toc
            ),
        )
        if assembled is None or assembled != whole:
            log.info(
                "pipeline-tracker: the theme's page around %s pages is not a plain shell; "
                "rendering them page by page",
                folder,
            )
            return None
        # The theme's indentation: a third of a record page's shell. A run of white space that
        # holds a line break is one line break (the same on screen: the shell has no <pre>).
        return [
            _BLANK_LINES.sub("\n", piece) if index % 2 == 0 else piece
            for index, piece in enumerate(pieces)
        ]

    def page_html(self, src_uri: str, front_matter: str, content: str, toc: list, **meta) -> str:
        """The whole page: the theme's shell around `content` (the article's HTML)."""
        _, data = get_data(front_matter)
        data.update((k, v) for k, v in meta.items() if v)
        folder, name = posixpath.split(src_uri)
        # A shell has a slot for each SLOTTED value, a stand-in for each UNPRINTED one present,
        # and is made for the exact other values.
        keys = tuple(sorted(name for name in data if name in SLOTTED or name in UNPRINTED))
        fixed = tuple(
            sorted(
                (k, _frozen(v)) for k, v in data.items() if k not in SLOTTED and k not in UNPRINTED
            )
        )
        shell = self._shell(folder, keys, fixed, bool(toc), "<h1" in content)
        if shell is None:
            return self.themed(src_uri, data, content, toc)
        record_id = posixpath.splitext(name)[0]
        # The table of contents without the theme's indentation too, as the shell (half of it).
        toc_html = _BLANK_LINES.sub("\n", self._toc_html(folder, toc))
        filled = _fill(shell, _values(record_id, data, content, toc_html, toc))
        if filled is None:  # a slot this page has no value for (cannot happen: keys match)
            return self.themed(src_uri, data, content, toc)
        return filled


def _frozen(value):
    """A meta value as part of a shell's key (lists and dicts made hashable)."""
    if isinstance(value, list):
        return ("list", tuple(_frozen(item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, _frozen(v)) for k, v in value.items())))
    return ("value", value)


def _thawed(frozen):
    kind, value = frozen
    if kind == "list":
        return [_thawed(item) for item in value]
    if kind == "dict":
        return {k: _thawed(v) for k, v in value}
    return value


def _toc_key(toc: Iterable[dict]) -> tuple:
    return tuple(
        (item["level"], item["id"], item["name"], _toc_key(item.get("children", ())))
        for item in toc
    )


def _values(record_id: str, meta: dict, content: str, toc_html: str, toc: list) -> dict[str, str]:
    values = {name: str(value) for name, value in meta.items()}
    values.update(id=record_id, content=content, toc=toc_html)
    if toc:
        values["skip"] = toc[0]["id"]
    return values


def _fill(pieces: list[str], values: dict[str, str]) -> str | None:
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            value = values.get(piece)
            if value is None:
                return None
            out.append(value)
        else:
            out.append(piece)
    return "".join(out)


def write_sitemap(config, files: Files) -> None:
    """MkDocs' sitemap lists the pages it built: rewrite it (and its .gz) with the record pages,
    in the order of the site's files, as MkDocs' own template writes entries (only with site_url:
    without it the sitemap is empty)."""
    if not config.site_url:
        return
    env = config.theme.get_env()
    template = env.get_template("sitemap.xml")
    pages = []
    for file in files:
        if isinstance(file, RecordPageFile):
            page = Page(None, File.generated(config, file.src_uri, content=""), config)
            page.file.inclusion = InclusionLevel.NOT_IN_NAV
            pages.append(page.file)
        elif file.is_documentation_page() and file.page is not None:
            pages.append(file)
    output = template.render(pages=pages, config=config)
    path = os.path.join(config.site_dir, "sitemap.xml")
    utils.write_file(output.encode("utf-8"), path)
    docs = [file.page for file in files.documentation_pages() if file.page is not None]
    timestamp = utils.get_build_timestamp(pages=docs)
    gz_path = f"{path}.gz"
    with (
        open(gz_path, "wb") as stream,
        gzip.GzipFile(fileobj=stream, filename=gz_path, mode="wb", mtime=timestamp) as gz,
    ):
        gz.write(output.encode("utf-8"))


def page_writer(
    destinations: dict[str, str],
    shells: PageShells,
    wrap: Callable[[str], str],
    anchors_of: Collection[str] = (),
    search: tuple[str, str] | None = None,
    write_file: Callable[[str, bytes], None] | None = None,
) -> Callable:
    """`consume(src_uri, rendered)` for render.render_each: the page in its shell, written to its
    file (`destinations`: src path → path in the site folder; `wrap` adds what goes around the
    article, as the live banner). For the pages in `anchors_of` it returns their ids.
    `search`: (site folder, search documents folder): the part of the page search indexes is
    also written there (search.search_document), named by search_index.document_name.
    `write_file(path, bytes)`: how a file is written (`mkdocs serve` replaces files whole:
    liveserve.write_atomically)."""
    made: set[str] = set()

    def write(target: str, text: str) -> None:
        if write_file is not None:
            write_file(target, text.encode("utf-8", errors="xmlcharrefreplace"))
            return
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(target, "wb") as stream:
            stream.write(text.encode("utf-8", errors="xmlcharrefreplace"))

    def consume(src_uri: str, rendered) -> frozenset | None:
        rest = rendered.rest
        content = wrap(rendered.head + (unindexed(rest) if rest else ""))
        html = shells.page_html(
            src_uri,
            rendered.front_matter,
            content,
            list(rendered.toc),
            linked_data=rendered.linked_data,
        )
        target = destinations[src_uri]
        write(target, html)
        if search is not None:
            site, documents = search
            page = os.path.relpath(target, site).replace(os.sep, "/")
            if searched(page):
                write(
                    os.path.join(documents, document_name(page)),
                    search_document(wrap(rendered.head) + rendered.search_only),
                )
        return rendered.anchors if src_uri in anchors_of else None

    return consume


def links_to_record_anchors(files: Files) -> dict[str, list[tuple[str, str, str]]]:
    """Links from Markdown pages to an #anchor of a record page: record src path → (linking page,
    anchor, link as written). MkDocs checks such links only against pages it rendered."""
    wanted: dict[str, list[tuple[str, str, str]]] = {}
    for file in files.documentation_pages():
        page = file.page
        for target, links in (getattr(page, "links_to_anchors", None) or {}).items():
            if isinstance(target, RecordPageFile):
                for anchor, written in links.items():
                    wanted.setdefault(target.src_uri, []).append((file.src_uri, anchor, written))
    return wanted


def check_record_anchors(
    wanted: dict[str, list[tuple[str, str, str]]], anchors: dict[str, frozenset], level: int
) -> None:
    """MkDocs' own message, at the level mkdocs.yml sets (validation: anchors), for every link
    to an anchor a record page does not have."""
    for target, links in wanted.items():
        present = anchors.get(target, frozenset())
        for source, anchor, written in links:
            if anchor not in present:
                log.log(
                    level,
                    f"Doc file '{source}' contains a link '{written}', but the doc '{target}' "
                    f"does not contain an anchor '#{anchor}'.",
                )


# The navigation of pages outside the nav, from one script ------------------------------------
NAV_SCRIPT = "assets/nav.js"
_NAV_ROOT = "@@pt-root@@"  # the way to the site's root from the page, put in by the script
_NAV_UP = re.compile(r'((?:href|src)=")\.\./\.\.(?=[/"])')


def nav_script(config, env, nav, files: Files) -> str | None:
    """`assets/nav.js`: Material's navigation as a page outside the nav shows it (no item
    active), written into the page where the script stands. Material renders the whole nav into
    every page; on record pages (thousands, none of them in the nav) it was 3.1 KB of each, 89 MB
    of a 10,000-drug site (issue 19). Rendered once for a page two folders deep, its links made
    relative to the site's root; the script prefixes them with the way to the root its own
    address shows (`../..` on `drugs/x/`). None when the theme's nav has a link this cannot
    rewrite (the pages then carry the nav themselves)."""
    file = File.generated(config, "pt-nav/pt_nav.md", content="")
    file.inclusion = InclusionLevel.NOT_IN_NAV
    page = Page(None, file, config)
    page.meta = {}
    context = get_context(nav, files.documentation_pages(), config, page)
    html = env.from_string(
        '{% import "partials/language.html" as lang with context %}'
        "{% set features = config.theme.features or [] %}"
        '{% include "partials/nav.html" %}'
    ).render(context)
    html = _NAV_UP.sub(lambda m: m.group(1) + _NAV_ROOT, _BLANK_LINES.sub("\n", html).strip())
    if "../" in html or _NAV_ROOT not in html:
        return None
    return (
        "// The site's navigation on pages outside it (written by the tracker's build, "
        "mkdocs_adapter/shell.py: nav_script).\n"
        '(function(){var s=document.currentScript,r=s.getAttribute("src")'
        f'.slice(0,-{len(NAV_SCRIPT)}).replace(/\\/$/,"")||".";'
        f's.insertAdjacentHTML("beforebegin",{_script_string(html)}.split({_script_string(_NAV_ROOT)}).join(r))}})();\n'
    )


def _script_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True).replace("</", "<\\/")

"""MkDocs hook: wires build events to pipeline_tracker. Loading, checking and rendering live there."""

from __future__ import annotations

import functools
import os
import posixpath
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the package sits beside this hook

import pipeline_tracker
from mkdocs.exceptions import Abort, PluginError
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc
from pipeline_tracker.mkdocs_adapter import liveserve, search
from pipeline_tracker.mkdocs_adapter.livebuild import LIVE, port_taken, stop_as_ctrl_c
from pipeline_tracker.mkdocs_adapter.shell import (
    NAV_SCRIPT,
    PageShells,
    RecordPageFile,
    SpilledFile,
    check_record_anchors,
    links_to_record_anchors,
    nav_script,
    page_writer,
    write_sitemap,
)
from pipeline_tracker.records.load import records_dir
from pipeline_tracker.records.problems import RecordsInvalid, visible
from pipeline_tracker.records.schemas import schema_dir
from pipeline_tracker.site import template_cache
from pipeline_tracker.site.build import StaticFiles, build_outputs
from pipeline_tracker.site.render import (
    SiteOptions,
    records_edit_base,
    render_each,
    render_workers,
    rows_files,
)
from pipeline_tracker.site.search_index import SearchIndexError

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


_OUTPUT: dict = {}
# Pages rendered to HTML, waiting to be written: src path → RenderedPage (popped once written).
_HTML: dict = {}
# Where the unindexed rest of a record page goes: MkDocs and the search plugin only ever see the
# page's head (title and facts); the rest is put in place of this comment once the theme has
# rendered the page. Record text cannot forge it: its "<" is always escaped.
_REST = "<!--pipeline-tracker:rest-->"


def on_startup(command: str, dirty: bool) -> None:
    LIVE.serving = command == "serve"
    if LIVE.serving:
        stop_as_ctrl_c()


def _package_stamp() -> tuple[int, ...]:
    package = Path(pipeline_tracker.__file__).resolve().parent
    files = sorted([*package.rglob("*.py"), *package.rglob("*.j2")])
    return tuple(path.stat().st_mtime_ns for path in files)


# `mkdocs serve` keeps the package imported, and MkDocs 1.6 even loads this hook file once per
# process (Hooks._load_hook is lru_cached): edits to the package's Python code or templates would
# silently not apply. Every build compares the files with how they were when first loaded and
# says so until the restart (tests/test_serve_notice.py, under a real `mkdocs serve`).
_LOADED_STAMP = pipeline_tracker.__dict__.setdefault("_loaded_stamp", _package_stamp())


def _restart_notice() -> None:
    if _package_stamp() != _LOADED_STAMP:
        print(
            "pipeline-tracker: the package (hooks/pipeline_tracker) changed since `mkdocs serve` "
            "started; this rebuild still runs the old code. Restart `mkdocs serve` to use it.",
            file=sys.stderr,
        )


def on_pre_build(config: MkDocsConfig) -> None:
    if LIVE.serving:
        _restart_notice()
    # Records are read and checked here, before MkDocs empties the site folder: a bad record stops
    # the build with every problem while the last good site stays in place. Under `mkdocs serve`
    # the last good build is served with the problems shown on every page.
    root = _root(config)
    options = SiteOptions(
        edit_base=records_edit_base(
            config.extra.get("records_edit_base"),
            config.repo_url,
            config.edit_uri,
            Path(config.docs_dir).name,
        ),
        site_name=config.site_name,
        site_url=config.site_url or None,
        repo_url=config.repo_url or None,
    )
    _cleanup()
    # `mkdocs build` writes static files (record YAML, open data, feed) to a temporary folder as
    # they are made, for MkDocs to copy. `mkdocs serve` keeps them in memory, as the last good
    # build it may fall back to.
    # `mkdocs build` renders pages in one process per core (render_workers; `mkdocs serve`, which
    # runs threads, in its own process).
    folder, workers = None, 1
    if not LIVE.serving:
        folder = _OUTPUT["spill"] = Path(tempfile.mkdtemp(prefix="pipeline-tracker-static-"))
        workers = render_workers()
    # `mkdocs serve` renders again only what an edit touched (mkdocs_adapter/liveserve.py).
    live = liveserve.SITE if _live() else None
    if live is not None:
        live.stop_background()
        live.check_site(config)
        workers = 1 if live.serving else render_workers()  # forks only while no thread runs
    try:
        _OUTPUT["output"] = LIVE.build(
            lambda: build_outputs(
                records_dir(root),
                root,
                options,
                folder,
                workers,
                defer_records=_in_shell(),
                cache=LIVE.file_cache if LIVE.serving else None,
                previous=LIVE.previous_tracker(),
                in_nav=nav_sources(config.nav) if config.nav else None,
                static=live.static(config.site_dir) if live else None,
                run_exports=not (live and live.version),
                version=live.version if live else None,
                reuse=live.reuse if live else None,
                jobs_of=live.jobs_of if live else None,
                # a build: from the pages as written (on_post_build); so under `mkdocs serve`
                # (liveserve.LiveSite.rows_files) but with every page through MkDocs
                rows=LIVE.serving and not _live(),
            )
        )
    except RecordsInvalid as invalid:
        _cleanup()
        raise PluginError(str(invalid)) from None
    if live is not None and _OUTPUT["output"].tracker is not live.tracker:
        live.built(_OUTPUT["output"])
    config.extra["data_version"] = _OUTPUT["output"].tracker.data_version  # the footer's


# Record pages are written in the theme's page shell (mkdocs_adapter/shell.py). With this set to
# "1" they go through MkDocs' per-page build instead, as every page did before issue 19: slower,
# the same bytes (tests/test_page_shell.py builds both ways and compares them).
PER_PAGE_ENV = "PIPELINE_TRACKER_THEME_PER_PAGE"


def _in_shell() -> bool:
    return os.environ.get(PER_PAGE_ENV, "").strip() != "1"


def _live() -> bool:
    """`mkdocs serve` with record pages in the shell: pages kept in liveserve.LIVE_FOLDER."""
    return LIVE.serving and _in_shell()


def on_files(files: Files, config: MkDocsConfig) -> Files:
    _refuse_files_outside(files, Path(config.docs_dir), _root(config))
    live = liveserve.SITE if _live() else None
    output = _OUTPUT.pop("output")
    _OUTPUT["inserts"] = output.inserts
    _OUTPUT["linked_data"] = output.linked_data
    # Record pages: written by on_post_build in the theme's shell (mkdocs_adapter/shell.py);
    # MkDocs knows their addresses (links from Markdown pages, the sitemap), not their content.
    _OUTPUT["records"] = (output.tracker, output.options, output.record_jobs)
    if not LIVE.serving:  # the rows of paged lists: from these pages and the record pages'
        _OUTPUT["rows"] = [chunk for page in output.html_pages.values() for chunk in page.rows]
    for src_uri, content in output.pages.items():
        files.append(File.generated(config, src_uri, content=content))
    _HTML.clear()
    for src_uri in output.page_order:  # in one order, whichever way a page is written (sitemap)
        page = output.html_pages.get(src_uri)
        if page is None:
            files.append(
                live.stand_in(RecordPageFile, src_uri, config)
                if live
                else RecordPageFile(src_uri, config)
            )
            continue
        # MkDocs reads only the front matter (the title); the HTML is handed over in on_page_content.
        files.append(File.generated(config, src_uri, content=page.front_matter))
        _HTML[src_uri] = page
    static = output.static
    if _live():  # already in liveserve.LIVE_FOLDER, served from there
        for path in static:
            files.append(live.stand_in(liveserve.LiveStaticFile, path, config))  # type: ignore[union-attr]
        return files
    if static.folder is None:  # serving: copy to disk, as MkDocs copies files from disk
        static = StaticFiles(
            _OUTPUT.setdefault("spill", Path(tempfile.mkdtemp(prefix="pipeline-tracker-static-")))
        )
        for path, content in output.static.items():
            static[path] = content
    for path, written in static.written().items():
        files.append(SpilledFile.generated(config, path, abs_src_path=str(written)))
    return files


def _refuse_files_outside(files: Files, docs: Path, root: Path) -> None:
    """A link in docs/ pointing outside the repository (`docs/x -> /etc/passwd`, `~/.ssh`) would
    be published as it is: stop the build and name it instead."""
    outside = []
    for file in files:
        if file.generated_by or not file.abs_src_path:
            continue
        if not Path(os.path.abspath(file.abs_src_path)).is_relative_to(os.path.abspath(docs)):
            continue  # the theme's own files
        real = Path(os.path.realpath(file.abs_src_path))
        if not real.is_relative_to(root):
            outside.append(file.src_uri)
    if outside:
        names = ", ".join(visible(name) for name in sorted(outside))
        raise PluginError(
            f"docs/ links to files outside the repository, which would be published: {names} "
            "(commit the file itself, or remove the link)"
        )


def on_env(env, config: MkDocsConfig, files: Files):
    """Material renders the whole navigation into every page. A page that is not in the nav
    (record pages: thousands) shows the same navigation as every such page of its folder:
    overrides/main.html renders it once per folder (nav_key) and reuses it."""
    cache: dict = {}
    if _live():
        env.bytecode_cache = liveserve.SITE.templates
    else:  # compiled templates kept between builds (site/template_cache.py)
        env.bytecode_cache = template_cache.bytecode_cache("theme", Path(__file__))
    _OUTPUT["theme"] = (env, files)
    in_nav = {page.file.src_uri for page in _OUTPUT.get("nav_pages", ())}
    env.globals["pt_nav_cache"] = cache
    env.globals["pt_nav_key"] = functools.partial(nav_key, in_nav=in_nav)
    env.globals["pt_nav_remember"] = lambda key, html: cache.setdefault(key, html)
    script = nav_script(config, env, _OUTPUT.get("nav"), files) if _OUTPUT.get("nav") else None
    if script is not None:  # pages outside the nav show it from one script
        files.append(File.generated(config, NAV_SCRIPT, content=script))
        env.globals["pt_nav_script"] = NAV_SCRIPT
    else:
        env.globals.pop("pt_nav_script", None)
    return env


def on_nav(nav, config: MkDocsConfig, files: Files):
    _OUTPUT["nav_pages"] = list(nav.pages)
    _OUTPUT["nav"] = nav
    return nav


def nav_sources(nav) -> set[str]:
    """The Markdown files mkdocs.yml's nav lists: MkDocs builds those generated pages (the nav
    marks them); the others are written in the page shell like record pages."""
    found: set[str] = set()
    items = list(nav or [])
    while items:
        item = items.pop()
        if isinstance(item, dict):
            items.extend(item.values())
        elif isinstance(item, list):
            items.extend(item)
        elif isinstance(item, str) and item.endswith(".md"):
            found.add(item)
    return found


def nav_key(page, in_nav: set) -> str | None:
    """Pages with the same key render the same navigation: not in the nav (so no item of it is
    active) and with the same folder and depth (so its relative links are the same)."""
    file = getattr(page, "file", None)
    if file is None or file.src_uri in in_nav:
        return None
    url = page.url
    return f"{posixpath.dirname(url.rstrip('/'))}|{url.count('/')}"


def on_page_markdown(markdown: str, page, config: MkDocsConfig, files: Files) -> str:
    # Hand-written pages may hold a marker for a generated block (the home page's coverage).
    for marker, block in _OUTPUT.get("inserts", {}).items():
        if marker in markdown:
            markdown = markdown.replace(marker, block)
    return markdown


def on_page_content(html: str, page, config: MkDocsConfig, files: Files) -> str:
    # The Markdown is converted: drop both copies of it, so a large build does not hold every
    # page's source next to every page's HTML.
    page.markdown = ""
    if page.file.generated_by:
        page.file.content_string = ""
    rendered = _HTML.get(page.file.src_uri)
    if rendered is not None:
        page.toc = get_toc(list(rendered.toc))
        page.present_anchor_ids = set(rendered.anchors)
        html = rendered.head + (_REST if rendered.rest_z else "")
    return str(LIVE.banner()) + html


def on_page_context(context, page, config: MkDocsConfig, nav):
    # The page's schema.org JSON-LD, which overrides/main.html writes into the <head>.
    page.meta["linked_data"] = _OUTPUT.get("linked_data", {}).get(page.file.src_uri)
    return context


def on_post_page(output: str, page, config: MkDocsConfig) -> str:
    rendered = _HTML.pop(page.file.src_uri, None)
    if rendered is not None and rendered.rest_z:
        output = output.replace(_REST, search.unindexed(rendered.rest), 1)
    if rendered is not None and rendered.search_only and not LIVE.serving:
        search.write_document(config, page.file.dest_uri, rendered, str(LIVE.banner()))
    return output


def on_post_build(config: MkDocsConfig) -> None:
    rows, tracker = _OUTPUT.pop("rows", None), _OUTPUT["records"][0]
    written = _write_record_pages(config)
    if rows is not None:  # a build (not serve): the rows of paged lists, from their pages
        _write_rows_files(config, tracker, rows + written)
    _cleanup()
    if not LIVE.serving:
        try:
            search.write_index(config)
        except SearchIndexError as failed:
            raise PluginError(str(failed)) from None


def _write_rows_files(config: MkDocsConfig, tracker, chunks: list) -> None:
    """The rows files of paged lists (render.rows_files), from the rows of the pages written."""
    for path, content in rows_files(tracker, chunks).items():
        target = Path(config.site_dir) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _write_record_pages(config: MkDocsConfig) -> list:
    """Writes the record pages (and the other pages out of the nav); returns the rows of paged
    lists they hold (RenderedPage.rows)."""
    tracker, options, jobs = _OUTPUT.pop("records")
    if not jobs:
        return []
    env, files = _OUTPUT.pop("theme")
    shells = PageShells(config, env, _OUTPUT.pop("nav"), files)
    wanted = links_to_record_anchors(files)
    if _live():
        _write_live_pages(config, tracker, options, jobs, shells, wanted)
        return []
    destinations = {
        file.src_uri: file.abs_dest_path for file in files if isinstance(file, RecordPageFile)
    }
    banner = str(LIVE.banner())
    documents = None
    if not LIVE.serving:  # the part of each page search reads (search.search_document)
        shutil.rmtree(search.documents_folder(config), ignore_errors=True)  # a failed build's
        documents = (config.site_dir, str(search.documents_folder(config)))
    write = page_writer(destinations, shells, lambda html: banner + html, set(wanted), documents)

    def consume(src_uri: str, rendered):  # in the process that rendered the page
        anchors = write(src_uri, rendered)
        return (anchors, rendered.rows) if anchors is not None or rendered.rows else None

    said = render_each(tracker, options, jobs, consume, 1 if LIVE.serving else render_workers())
    anchors = {src: found for src, (found, _) in said.items() if found is not None}
    check_record_anchors(wanted, anchors, config.validation.links.anchors)  # type: ignore[arg-type]
    write_sitemap(config, files)
    return [chunk for _, rows in said.values() for chunk in rows]


def _write_live_pages(config, tracker, options, jobs, shells, wanted) -> None:
    live = liveserve.SITE
    destinations = liveserve.LiveDestinations(config)
    consume = page_writer(
        destinations,
        shells,
        lambda html: liveserve.BANNER_SLOT + html,  # filled as served (liveserve.live_app)
        set(wanted),
        write_file=liveserve.write_atomically,
    )
    workers = 1 if live.serving else render_workers()  # forks only while no thread runs
    anchors = live.write_pages(tracker, options, jobs, destinations, consume, workers)
    check_record_anchors(wanted, anchors, config.validation.links.anchors)  # type: ignore[arg-type]
    # No sitemap of the record pages: MkDocs' own lists its pages; a preview is not crawled.
    live.start_background(options, consume, config.site_dir)


def on_build_error(error: Exception) -> None:
    _cleanup()


def _cleanup() -> None:
    _HTML.clear()
    for key in ("records", "theme", "nav", "rows"):
        _OUTPUT.pop(key, None)
    spill = _OUTPUT.pop("spill", None)
    if spill is not None:
        shutil.rmtree(spill, ignore_errors=True)


def on_serve(server, config: MkDocsConfig, builder):
    taken = port_taken(server)
    if taken:
        raise Abort(taken)  # one line, as for a failed build, not MkDocs' bind traceback
    _watch_without_following_links(server)
    if _live():
        liveserve.SITE.rebuild = liveserve.rebuild_trigger(server)
        liveserve.SITE.serving = True
        server.set_app(liveserve.live_app(server.get_app(), server, lambda: str(LIVE.banner())))
        _OUTPUT["observer"] = liveserve.watch_records(server, str(records_dir(_root(config))))
    else:
        server.watch(str(records_dir(_root(config))))
    server.watch(str(schema_dir()))
    server.watch(str(Path(__file__).resolve().parent / "pipeline_tracker"))
    return server


def _watch_without_following_links(server) -> None:
    """MkDocs' polling observer walks watched folders with os.stat, which follows links: a link
    loop appearing in records/ or docs/ (as when a pull request is checked out) makes it walk
    forever, gigabytes in seconds, and rebuilds stop. With os.lstat a link is a file: never
    entered. Watches MkDocs made before this hook ran are made again the same way."""
    from watchdog.observers.polling import PollingEmitter, PollingObserver

    observer = getattr(server, "observer", None)
    if not isinstance(observer, PollingObserver) or not hasattr(observer, "_emitter_class"):
        return
    observer._emitter_class = functools.partial(PollingEmitter, stat=os.lstat)
    for path, count in list(getattr(server, "_watched_paths", {}).items()):
        for _ in range(count):
            server.unwatch(path)
        for _ in range(count):
            server.watch(path)


def on_shutdown() -> None:
    if _live():
        liveserve.SITE.stop_background()
    observer = _OUTPUT.pop("observer", None)
    if observer is not None:
        observer.stop()

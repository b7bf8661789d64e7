"""`mkdocs serve` at scale: after an edit, render only the pages the edit touches (issue 19).

MkDocs empties its site folder before every build, but leaves names starting with "." alone. So
under `mkdocs serve` the pages the hook writes itself (record pages, and the further pages of
long lists) and the files it publishes beside them (open data, feeds, the rows of paged lists) live
in a hidden folder of the site folder, LIVE_FOLDER, written once by the first build and then only
where an edit changed them; `live_app` (installed in on_serve) serves a page from there when the
site folder has none at that address. MkDocs itself builds only the hand-written pages and the
first pages of the lists in the nav, each time, as before.

After an edit (site.touched.pages_touched says which pages can differ):
  * while MkDocs rebuilds (the browser waits, as for any rebuild): the records are read again
    (only the changed files), the changed records' own pages are rendered and written, deleted
    records' pages removed; the nav's lists are the ones of the last build (reused, not
    rendered), and so is how long lists are cut into pages (render.paged_lists);
  * then, in forked processes (`Background`): the other touched pages (the pages of records
    that show a changed one, as a target page its drugs: megabytes each at scale) and the
    touched lists (first pages and further pages) in one, the open data and the feeds in two
    more beside it; once all are done, MkDocs rebuilds once more (with the fresh first pages)
    and the browser reloads. Until then a reader sees those pages, the lists' filters' rows,
    the open data and the feeds as they were before the edit, and the edited record's own page
    as it is now. A new edit stops those processes; their work is done again with the next
    one's.
The rows files of paged lists come from the pages as written, as in a build (each page's rows are
kept, LiveSite.rows): the first build and the background join them, rendering nothing again.
Every page prints the data version of the first build: the version changes with any edit, so
printing the new one would change every page. `mkdocs build` prints the real one.

Search (Pagefind) is not indexed under `mkdocs serve` (it is by `mkdocs build`).

The problems banner (livebuild.LiveBuild.banner) reaches the pages in LIVE_FOLDER when they are
served: they hold BANNER_SLOT where the banner goes, which live_app fills with the current banner.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing as mp
import os
import posixpath
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import jinja2
from mkdocs.structure.files import File, InclusionLevel

from pipeline_tracker.site.build import StaticFiles, write_static_files
from pipeline_tracker.site.exports import EXPORT_PARTS
from pipeline_tracker.site.listing import record_sections
from pipeline_tracker.site.render import (
    TEMPLATES,
    can_fork,
    is_record_job,
    page_jobs,
    paged_lists,
    render_each,
    render_job,
    rows_files,
)
from pipeline_tracker.site.touched import changed_records, pages_touched
from pipeline_tracker.site.urls import is_list_rows_url

log = logging.getLogger("mkdocs.plugins.pipeline_tracker")
LIVE_FOLDER = ".pt-live"
# Where a page in LIVE_FOLDER shows the problems banner (record text cannot forge it: its "<" is
# always escaped).
BANNER_SLOT = "<!--pipeline-tracker:live-banner-->"
# How much less CPU time a background process gets than the server's (`nice`).
BACKGROUND_NICENESS = 10

Job = tuple[str, str, str, str]


def live_folder(site_dir: str | os.PathLike) -> Path:
    return Path(site_dir) / LIVE_FOLDER


def write_atomically(target: str, data: bytes) -> None:
    """The file replaced whole: a page being served is never read half written."""
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".pt-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        with _quiet():
            os.unlink(temporary)
        raise


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return exc[0] is not None and issubclass(exc[0], OSError)


class LiveStaticFiles(StaticFiles):
    """StaticFiles in LIVE_FOLDER, each written atomically."""

    def __setitem__(self, path: str, content: bytes) -> None:
        assert self.folder is not None
        self._sizes[path] = len(content)
        write_atomically(str(self.folder / path), content)


class LiveStaticFile(File):
    """A file in LIVE_FOLDER as MkDocs sees it: links from Markdown pages resolve to it; MkDocs
    does not copy it (it is served from LIVE_FOLDER)."""

    generated_by = "pipeline-tracker"

    def __init__(self, path: str, config) -> None:
        super().__init__(
            path,
            src_dir=None,
            dest_dir=config.site_dir,
            use_directory_urls=False,
            inclusion=InclusionLevel.NOT_IN_NAV,
        )

    def is_documentation_page(self) -> bool:
        return False

    def is_static_page(self) -> bool:
        return False

    def copy_file(self, dirty: bool = False) -> None:
        """Already in LIVE_FOLDER."""


class LiveDestinations(dict):
    """src path → the file in LIVE_FOLDER a generated page is written to (where MkDocs would
    write it in the site folder, as shell.RecordPageFile says), for any page."""

    def __init__(self, config) -> None:
        super().__init__()
        self.folder = str(live_folder(config.site_dir))
        self.directory_urls = bool(config.use_directory_urls)

    def __missing__(self, src: str) -> str:
        folder, name = posixpath.split(src)
        stem = posixpath.splitext(name)[0]
        dest = posixpath.join(folder, stem, "index.html") if self.directory_urls else None
        dest = dest or posixpath.join(folder, f"{stem}.html")
        path = self[src] = os.path.join(self.folder, *dest.split("/"))
        return path


class TemplateCache(jinja2.BytecodeCache):
    """The theme's templates, compiled once per process: MkDocs makes the theme's Jinja
    environment again at every build, which compiled Material's templates again (seconds).
    Jinja checks each template's source against its checksum, so an edited template is compiled
    again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class LiveSite:
    """What the pages in LIVE_FOLDER were rendered from, kept between rebuilds (one per process:
    MkDocs may load the hook module again, never this package)."""

    def __init__(self) -> None:
        self.version: str | None = None  # the data version every page prints (the first build's)
        self.tracker: Any = None  # what the pages in LIVE_FOLDER show
        self.jobs: dict[str, Job] = {}  # the pages in LIVE_FOLDER (page_jobs), by src path
        self.destinations: dict[str, str] = {}  # src path → file in LIVE_FOLDER (LiveDestinations)
        self.sizes: dict[str, int] = {}  # files in LIVE_FOLDER beside the pages
        self.nav_pages: dict = {}  # the nav's list pages, rendered (src path → RenderedPage)
        self.nav_jobs: dict[str, Job] = {}  # their page_jobs
        self.all_jobs: list[Job] = []  # page_jobs of this build
        self.lists: dict | None = None  # render.paged_lists, as of the last time it was made
        self.sections: dict | None = None  # listing.record_sections, likewise
        self.files: dict[tuple, File] = {}  # stand-in files for MkDocs, made once
        self.templates = TemplateCache()
        self.stamp: tuple = ()  # site_stamp of the last build
        self.anchors: dict[str, object] = {}  # ids of record pages that docs link into
        # The rows of paged lists each page in LIVE_FOLDER holds (RenderedPage.rows), by src path:
        # the rows files are made from them, as a build makes them from the pages it writes.
        self.rows: dict[str, tuple] = {}
        self.stale: set[str] = set()  # pages the background has still to render
        self.exports_stale = False
        self.background: Background | None = None
        self.rebuild: Callable[[], None] | None = None  # asks `mkdocs serve` for a rebuild
        self.serving = False  # the server runs (its threads: no more forked render workers)

    @property
    def started(self) -> bool:
        return self.tracker is not None

    def static(self, site_dir: str) -> StaticFiles:
        static = LiveStaticFiles(live_folder(site_dir))
        static.adopt(self.sizes)
        return static

    def reuse(self, tracker) -> dict:
        """The nav's list pages of the last build, reused as they are (the background renders
        the touched ones): none at the first build."""
        return dict(self.nav_pages) if self.started and tracker is not self.tracker else {}

    def jobs_of(self, tracker) -> list[Job]:
        """page_jobs, with the long lists cut as they were (the background cuts them again)."""
        if self.lists is None or self.sections is None:
            self.lists, self.sections = paged_lists(tracker), record_sections(tracker)
        return page_jobs(tracker, self.lists, self.sections)

    def stand_in(self, kind: type, path: str, config) -> File:
        """A stand-in file (shell.RecordPageFile, LiveStaticFile), made once per address: making
        tens of thousands of them again at every rebuild costs seconds."""
        key = (kind, path)
        file = self.files.get(key)
        if file is None or file.dest_dir != config.site_dir:
            file = self.files[key] = kind(path, config)
        return file

    def check_site(self, config) -> None:
        """Everything is rendered again (as at the first build, the open data aside) when what
        every page is made with changed: mkdocs.yml, docs/, the theme's overrides, the page
        templates. Only an edit of records renders only what it touches."""
        stamp = site_stamp(config)
        if self.started and stamp != self.stamp:
            log.info("pipeline-tracker: the site's settings or templates changed: every page again")
            self.tracker, self.nav_pages, self.nav_jobs = None, {}, {}
            self.lists = self.sections = None
            self.stale.clear()
        self.stamp = stamp

    def stop_background(self) -> None:
        if self.background is not None:
            self.background.stop()
            self.background = None

    def built(self, output) -> None:
        """After build_outputs: remember the version and the nav pages rendered this time."""
        if self.version is None:
            self.version = output.tracker.data_version
            self.sizes = output.static.sizes()
        self.nav_pages = dict(output.html_pages)
        self.all_jobs = list(output.jobs)
        self.nav_jobs = {job[0]: job for job in output.jobs if job[0] in self.nav_pages}

    def write_pages(
        self,
        tracker,
        options,
        jobs: list[Job],
        destinations: LiveDestinations,
        consume: Callable,
        workers: int,
    ) -> dict:
        """Render the pages an edit touched (every page at the first build) into LIVE_FOLDER:
        record pages now, the lists later (Background); remove the pages that went. Returns
        the anchors `consume` reported."""
        new = {job[0]: job for job in jobs}
        if not self.started:
            now = jobs
        elif tracker is self.tracker:  # the same records (a docs edit, a failed build)
            now = []
        else:
            changed = changed_records(self.tracker, tracker)
            touched = pages_touched(self.tracker, tracker, self.all_jobs, changed)
            # The changed records' own pages now; the pages of the records around them (a
            # target page listing an edited drug: at scale, megabytes each) with the lists.
            now = [job for src, job in new.items() if src in touched and job[2:] in changed]
            later = touched - {job[0] for job in now}
            self.stale |= {src for src in later if src in self.nav_jobs or src in new}
            self.exports_stale |= bool(changed)
            for src in self.jobs.keys() - new.keys():
                with _quiet():
                    os.unlink(self.destinations[src])
        self.stale &= new.keys() | self.nav_jobs.keys()
        first = not self.started
        said = cast(
            dict[str, tuple], render_each(tracker, options, now, with_rows(consume), workers)
        )
        self.anchors.update({src: said[src][0] for src in said if said[src][0] is not None})
        self.rows = {src: rows for src, rows in self.rows.items() if src in new}
        self.rows.update(rows_of(now, said))
        self.tracker, self.jobs, self.destinations = tracker, new, destinations
        if first:  # every page rendered: their rows files too (after an edit: the background's)
            static = LiveStaticFiles(Path(destinations.folder))
            self.sizes = self.replace_rows_files(static, self.joined_rows_files(tracker))
        return self.anchors

    def joined_rows_files(self, tracker, rows: dict | None = None, nav: dict | None = None) -> dict:
        """The rows files of paged lists (render.rows_files) from the rows of the pages as written:
        those kept (self.rows, the nav's pages), or as just rendered again (`rows`, `nav`)."""
        pages = {**self.nav_pages, **(nav or {})}
        held = {**self.rows, **(rows or {})}
        return rows_files(
            tracker,
            [chunk for page in pages.values() for chunk in page.rows]
            + [chunk for chunks in held.values() for chunk in chunks],
        )

    def replace_rows_files(self, static: StaticFiles, files: dict[str, bytes]) -> dict[str, int]:
        """`files` written into `static`, and the rows files of lists that went removed: the
        sizes of the files in LIVE_FOLDER then."""
        for path, content in files.items():
            static[path] = content
        sizes = {}
        for path, size in self.sizes.items():
            if not is_list_rows_url(path) or path in files:
                sizes[path] = size
            elif static.folder is not None:
                with _quiet():
                    os.unlink(os.path.join(static.folder, path))
        return {**sizes, **static.sizes()}

    def start_background(self, options, consume: Callable, site_dir: str) -> None:
        if not (self.stale or self.exports_stale):
            return
        lists = [self.jobs[src] for src in sorted(self.stale) if src in self.jobs]
        self.background = Background(
            self, self.tracker, options, lists, consume, self.static(site_dir)
        )
        self.background.start()


def with_rows(consume: Callable) -> Callable:
    """`consume` for render.render_each that also hands back each page's rows of paged lists
    (RenderedPage.rows): (what `consume` returned, the rows), None when neither."""

    def consume_rows(src: str, rendered) -> tuple | None:
        said = consume(src, rendered)
        return (said, rendered.rows) if said is not None or rendered.rows else None

    return consume_rows


def rows_of(jobs: list[Job], said: dict) -> dict[str, tuple]:
    """The rows each page of `jobs` holds, from render_each(…, with_rows(…)): () for none."""
    return {job[0]: said[job[0]][1] if job[0] in said else () for job in jobs}


class Background:
    """The touched lists, the touched pages of records around the changed ones, and the open data
    and the feeds, rendered in forked processes (they inherit the tracker; the server's process
    stays free to serve): the lists in one, the open data in two more beside it (its records
    and its tables; at 10,000 drugs the open data takes 20 s of CPU), then a rebuild."""

    def __init__(self, site: LiveSite, tracker, options, lists: list[Job], consume, static):
        self.site, self.tracker, self.options = site, tracker, options
        self.lists, self.consume, self.static = lists, consume, static
        self.nav = [site.nav_jobs[src] for src in sorted(site.stale) if src in site.nav_jobs]
        self.exports = site.exports_stale
        self.cancelled = threading.Event()
        self.processes: list = []
        self.thread = threading.Thread(target=self._run, name="pipeline-tracker-live", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.cancelled.set()
        for process in list(self.processes):
            if process.is_alive():
                process.terminate()
        self.thread.join()

    def _lists(self) -> tuple[dict, dict, bool, tuple, list, dict]:
        """Runs in a child: the lists cut again, their pages written (those touched, and new
        ones), the nav's list pages returned, and the rows of the lists it rendered again."""
        lists, sections = paged_lists(self.tracker), record_sections(self.tracker)
        known = set(self.site.jobs) | set(self.site.nav_jobs)
        stale = {job[0] for job in self.lists} | {job[0] for job in self.nav}
        todo = [
            job
            for job in page_jobs(self.tracker, lists, sections)
            if job[0] in stale or (job[0] not in known and not is_record_job(job))
        ]
        nav = {}
        pages = []
        for job in todo:
            if job[0] in self.site.nav_jobs:
                nav[job[0]] = render_job(self.tracker, self.options, job)
            else:
                pages.append(job)
        fresh = rows_of(
            pages, render_each(self.tracker, self.options, pages, with_rows(self.consume), 1)
        )
        made = LiveStaticFiles(self.static.folder)
        rows = bool(todo)  # any page rendered again: the rows files from the pages as they are now
        if rows:
            for path, content in self.site.joined_rows_files(self.tracker, fresh, nav).items():
                made[path] = content
        return nav, made.sizes(), rows, (lists, sections), [job[0] for job in todo], fresh

    def _exports(self, part: str) -> dict:
        """Runs in a child beside _lists: one part of the open data (EXPORT_PARTS; the feeds
        with the records); their files' sizes."""
        made = LiveStaticFiles(self.static.folder)
        write_static_files(self.tracker, made, self.options, exports=(part,), rows=False)
        return made.sizes()

    def _run(self) -> None:
        started = time.perf_counter()
        works: list[Callable[[], object]] = [self._lists]
        labels = ["lists"]
        if self.exports:
            works += [functools.partial(self._exports, part) for part in EXPORT_PARTS]
            labels += [f"open data ({part})" for part in EXPORT_PARTS]
        try:
            timed = _in_children(works, self.cancelled, self)
        except Exception as error:  # noqa: BLE001 - never the server's end: say it, keep the old files
            if self.cancelled.is_set():  # stopped by a new edit: the next one does it again
                return
            print(
                f"pipeline-tracker: could not update the lists and open data: {error}",
                file=sys.stderr,
            )
            return
        if timed is None or self.cancelled.is_set():
            return
        results = [value for value, _seconds in timed]
        nav, made, rows, lists, done, fresh_rows = cast(
            tuple[dict, dict, bool, tuple, list, dict], results[0]
        )
        fresh = dict(made)
        for exported in results[1:]:
            fresh.update(cast(dict, exported))
        # What was there and is not made again, as a deleted record's feed, goes.
        site = self.site
        kept = {}
        for path, size in site.sizes.items():
            remade = rows if is_list_rows_url(path) else self.exports
            if not remade:
                kept[path] = size
            elif path not in fresh:
                with _quiet():
                    os.unlink(os.path.join(self.static.folder, path))
        site.sizes = {**kept, **fresh}
        if self.exports:
            site.exports_stale = False
        site.nav_pages.update(nav)
        site.rows = {src: chunks for src, chunks in site.rows.items() if src in site.jobs}
        site.rows.update(fresh_rows)
        site.stale -= set(done)
        site.lists, site.sections = lists
        helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        # Each part's own time too: the slowest is what an edit's lists and open data wait for.
        parts = ", ".join(f"{label} {seconds:.1f} s" for label, (_v, seconds) in zip(labels, timed))
        print(
            f"pipeline-tracker: lists and open data updated in {time.perf_counter() - started:.1f} s"
            f" ({parts}; largest helper process so far: {helper} MB)",
            file=sys.stderr,
        )
        if site.rebuild is not None:
            site.rebuild()


def site_stamp(config) -> tuple:
    """When each file the pages are made with (besides the records) last changed."""
    roots = [config.docs_dir, TEMPLATES]
    custom = getattr(config.theme, "custom_dir", None)
    if custom:
        roots.append(custom)
    found = []
    if config.config_file_path:
        found.append((config.config_file_path, os.stat(config.config_file_path).st_mtime_ns))
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                with _quiet():
                    found.append((path, os.lstat(path).st_mtime_ns))
    return tuple(sorted(found))


def _in_children(
    works: list[Callable[[], object]], cancelled: threading.Event, owner
) -> list | None:
    """Each of `works` in a forked process of its own, side by side (or here, one after the
    other, where a process cannot fork): (result, seconds it took) of each, in order; None if
    cancelled or one died. A work that raised is a RuntimeError here, once every process has
    ended."""
    if not can_fork():
        return [_timed(work) for work in works]
    context = mp.get_context("fork")
    # Their scratch files (the database is built in one: 70 MB at 10,000 drugs) go into a folder
    # removed here, however they end: a stopped process runs no cleanup of its own.
    scratch = tempfile.mkdtemp(prefix="pipeline-tracker-live-")
    try:
        return _run_children(works, cancelled, owner, context, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _timed(work: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    return work(), time.perf_counter() - started


def _run_children(works, cancelled: threading.Event, owner, context, scratch: str) -> list | None:
    started = []
    for work in works:
        receive, send = context.Pipe(duplex=False)

        def child(work=work, send=send) -> None:
            # terminate() ends it at once (serve's own SIGTERM handler stops the server cleanly).
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            # Below the server's process, which is still building the edited record's page when
            # these start: they take what CPU it leaves (three of them, on two cores).
            with contextlib.suppress(OSError):
                os.nice(BACKGROUND_NICENESS)
            tempfile.tempdir = scratch
            try:
                send.send(("ok", _timed(work)))
            except BaseException as error:  # noqa: BLE001 - reported by the parent
                send.send(("error", f"{type(error).__name__}: {error}"))

        process = context.Process(target=child, daemon=True)
        owner.processes.append(process)  # before the check: stop() sees it once it starts
        if cancelled.is_set():
            receive.close()
            send.close()
            break
        process.start()
        send.close()
        started.append((process, receive))
    answers: list = []
    for process, receive in started:
        try:
            answers.append(receive.recv())
        except EOFError:  # stopped (a new edit) or died
            answers.append(None)
        finally:
            receive.close()
        process.join()
    if len(started) < len(works) or None in answers:
        return None
    for status, value in answers:
        if status == "error":
            raise RuntimeError(value)
    return [value for _status, value in answers]


# Serving ---------------------------------------------------------------------------------------


def live_app(app, server, banner: Callable[[], str]):
    """A WSGI app around MkDocs' own: a request for an address the site folder has no file for
    is answered from LIVE_FOLDER, with the problems banner put in its slot; any other request
    goes to MkDocs as it came."""
    root = os.path.abspath(server.root)
    live = os.path.join(root, LIVE_FOLDER)
    mount = getattr(server, "mount_path", "/")

    def serve(environ, start_response):
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "ignore")
        if not (path + "/").startswith(mount):
            return app(environ, start_response)
        relative = path[len(mount) :]
        if path.endswith("/"):
            relative += "index.html"
        relative = posixpath.normpath("/" + relative).lstrip("/")
        if relative == LIVE_FOLDER or relative.startswith(LIVE_FOLDER + "/"):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"404 Not Found"]
        _wait_for_build(server)
        if os.path.exists(os.path.join(root, relative)):
            return app(environ, start_response)
        target = os.path.join(live, relative)
        if not os.path.isfile(target):
            if not path.endswith("/") and os.path.isfile(os.path.join(target, "index.html")):
                start_response("302 Found", [("Location", environ.get("PATH_INFO", "") + "/")])
                return []
            return app(environ, start_response)
        inner = dict(environ)
        inner["PATH_INFO"] = (mount + LIVE_FOLDER + "/" + relative).encode().decode("latin-1")
        if not relative.endswith(".html"):
            return app(inner, start_response)
        said: list = []
        body = b"".join(app(inner, lambda status, headers, exc_info=None: said.append(headers)))
        headers = said[0] if said else []
        status = "200 OK"
        body = body.replace(BANNER_SLOT.encode(), banner().encode("utf-8"), 1)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return serve


def _wait_for_build(server) -> None:
    """As MkDocs does before serving a file: wait while a rebuild runs (LiveReloadServer's
    state; other servers do not wait)."""
    condition = getattr(server, "_epoch_cond", None)
    if condition is None or not hasattr(server, "_wanted_epoch"):
        return
    with condition:
        condition.wait_for(lambda: server._visible_epoch == server._wanted_epoch)


def rebuild_trigger(server) -> Callable[[], None] | None:
    """A call asking `mkdocs serve` for a rebuild, as a file change does (LiveReloadServer's
    state: None for another server)."""
    condition = getattr(server, "_rebuild_cond", None)
    if condition is None or not hasattr(server, "_want_rebuild"):
        return None

    def rebuild() -> None:
        with condition:
            server._want_rebuild = True
            condition.notify_all()

    return rebuild


# Watching -----------------------------------------------------------------------------------

# The events of a file written, created, removed or moved (watchdog also reports files opened and
# closed unwritten: the rebuild's own reading, which must not trigger another).
_CHANGES = frozenset({"created", "deleted", "modified", "moved", "closed"})


def watch_records(server, path: str) -> object | None:
    """Watch the records folder with inotify, which costs nothing while idle, instead of MkDocs'
    polling, which stats every file twice a second (tens of thousands at scale: a third of a core).
    Falls back to MkDocs' watch where inotify is missing or refused. Returns the observer, to
    stop at the end."""
    rebuild = rebuild_trigger(server)
    try:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers.inotify import InotifyObserver
    except ImportError:  # not Linux
        rebuild = None
    if rebuild is None:
        server.watch(path)
        return None

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.is_directory or event.event_type not in _CHANGES:
                return
            if Path(str(event.src_path)).name.startswith(".pt-"):
                return
            rebuild()  # type: ignore[misc]

    observer = InotifyObserver()
    try:
        observer.schedule(Handler(), path, recursive=True)
        observer.daemon = True
        observer.start()
    except OSError:  # too many watches: poll as MkDocs does
        server.watch(path)
        return None
    return observer


def clear(site_dir: str) -> None:
    shutil.rmtree(live_folder(site_dir), ignore_errors=True)


SITE = LiveSite()

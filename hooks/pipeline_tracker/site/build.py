"""The whole build as plain functions: records folder → checked tracker → generated pages and files."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline_tracker.model.changes import recent_changes
from pipeline_tracker.model.quality import build_today
from pipeline_tracker.model.tracker import Tracker, link
from pipeline_tracker.records.cache import FileCache
from pipeline_tracker.records.history import read_history
from pipeline_tracker.records.load import forget_texts
from pipeline_tracker.records.problems import RecordsInvalid
from pipeline_tracker.records.validate import load_and_check, paused_gc
from pipeline_tracker.site import cpu_log
from pipeline_tracker.site.data_and_coverage import (
    COVERAGE_MARKER,
    coverage_block,
    render_data_page,
)
from pipeline_tracker.site.data_model_page import data_model_page
from pipeline_tracker.site.exports import EXPORT_PARTS, build_exports
from pipeline_tracker.site.feed import (
    CHANGES_PATH,
    FEED_PATH,
    build_changes_feed,
    build_feed,
    build_record_feeds,
)
from pipeline_tracker.site.linked_data import DATA_PAGE, dataset_script
from pipeline_tracker.site.render import (
    RenderedPage,
    SiteOptions,
    can_fork,
    in_forked_process,
    is_record_job,
    list_rows_files,
    page_jobs,
    render_pages,
)


class StaticFiles:
    """Files the site publishes beside its pages (open data, feeds): site path → bytes.
    Held in memory, or with `folder` written there as they are made, so a large build never
    holds them all at once (MkDocs then copies them from the folder)."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self._memory: dict[str, bytes] = {}
        self._sizes: dict[str, int] = {}
        self._folders: set[Path] = set()

    def __setitem__(self, path: str, content: bytes) -> None:
        self._sizes[path] = len(content)
        if self.folder is None:
            self._memory[path] = content
            return
        target = self.folder / path
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        with open(target, "wb") as stream:
            stream.write(content)

    def __getitem__(self, path: str) -> bytes:
        if self.folder is None:
            return self._memory[path]
        if path not in self._sizes:
            raise KeyError(path)
        return (self.folder / path).read_bytes()

    def __iter__(self):
        return iter(self._sizes)

    def __len__(self) -> int:
        return len(self._sizes)

    def sizes(self) -> dict[str, int]:
        return dict(self._sizes)

    def adopt(self, sizes: dict[str, int]) -> None:
        """Files another process wrote into this folder (their sizes, as it counted them)."""
        assert self.folder is not None
        self._sizes.update(sizes)

    def items(self):
        return ((path, self[path]) for path in self._sizes)

    def written(self) -> dict[str, Path]:
        """Site path → file written (only with a folder)."""
        assert self.folder is not None
        return {path: self.folder / path for path in self._sizes}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticFiles) and dict(self.items()) == dict(other.items())


@dataclass
class BuildOutput:
    tracker: Tracker
    pages: dict[str, str]  # Markdown pages: src path → text
    html_pages: dict[str, RenderedPage]  # pages rendered to HTML (records, indexes, timeline)
    static: StaticFiles  # other files copied into the site
    inserts: dict[str, str] = field(default_factory=dict)  # marker in a docs page → Markdown
    # page source path → its schema.org JSON-LD for the <head>, ready for a <script> element
    linked_data: dict[str, str] = field(default_factory=dict)
    # With records deferred: the record pages' jobs (render.page_jobs), for the caller to render
    # and write itself (render.render_each); html_pages then holds the other pages only.
    record_jobs: list = field(default_factory=list)
    options: SiteOptions | None = None  # as the pages were rendered with (today decided)
    page_order: list = field(default_factory=list)  # src paths of every page, in page_jobs order
    jobs: list = field(default_factory=list)  # page_jobs: every generated page


def load_tracker(
    records_path: Path,
    root: Path | None = None,
    cache: FileCache | None = None,
    previous: Tracker | None = None,
) -> Tracker:
    """Read, check and link the records, with their git history (one `git log` pass; dates
    unknown outside a checkout); raises RecordsInvalid carrying every problem.
    `cache` (kept by the caller between builds, as `mkdocs serve` does): only files changed
    since the last load through it are read and schema-checked; with `previous` (the tracker
    that load made) only what changed is linked again. The same tracker and problems as a
    cold load (tests/test_incremental.py)."""
    records, problems = load_and_check(records_path, root, cache)
    if problems:
        raise RecordsInvalid(problems)
    tracker = link(records, previous if cache is not None else None)
    tracker.history = cache.history(records_path) if cache else read_history(records_path)
    tracker.recent_changes = recent_changes(tracker, tracker.history)
    return tracker


def write_static_files(
    tracker: Tracker,
    static: StaticFiles,
    options: SiteOptions,
    exports: bool | Collection[str] = True,
    rows: bool = True,
) -> None:
    """The open data and the feeds (`exports`: True, or only these of exports.EXPORT_PARTS, the
    feeds going with "records") and the rows of paged lists (`rows`), into `static`."""
    parts = EXPORT_PARTS if exports is True else exports or ()
    if parts:
        build_exports(tracker, static, options.site_url, parts)
    if "records" in parts:
        static[FEED_PATH] = build_feed(tracker, options.site_url)
        static[CHANGES_PATH] = build_changes_feed(tracker, options.site_url)
        build_record_feeds(tracker, static, options.site_url)
    if rows:
        # Not open data: the rows a paged list's filters read, beside its first page (made while
        # the pages render).
        for path, content in list_rows_files(tracker, options).items():
            static[path] = content


def build_outputs(
    records_path: Path,
    root: Path | None = None,
    options: SiteOptions | None = None,
    static_folder: Path | None = None,
    workers: int = 1,
    defer_records: bool = False,
    cache: FileCache | None = None,
    previous: Tracker | None = None,
    in_nav: Collection[str] | None = None,
    static: StaticFiles | None = None,
    run_exports: bool = True,
    version: str | None = None,
    reuse: Callable[[Tracker], Mapping[str, RenderedPage]] | None = None,
    jobs_of: Callable[[Tracker], list] | None = None,
    rows: bool = True,
) -> BuildOutput:
    """Everything the site adds to MkDocs' own files. With `static_folder`, static files are
        written there as they are made instead of kept in memory. `workers` > 1 renders pages in that
        many forked processes (render_pages; the output is the same). `defer_records`: record pages
        are not rendered here but listed in `record_jobs`, and so are the other pages that are not in
    `in_nav`, if given (the further pages of long lists). `cache`, `previous`: see load_tracker.
    Under `mkdocs serve` (mkdocs_adapter/liveserve.py): `static`, the files already made (then
    `static_folder` is not used), `run_exports=False` leaves them as they are (made later), and
    `version` is printed as the data version (Tracker.pin_data_version), and `reuse(tracker)`
    names pages already rendered, used as they are; `jobs_of(tracker)` makes page_jobs.
    `rows=False`: the rows files of paged lists are left to the caller, who makes them from the
    pages it writes (render.rows_files of each RenderedPage.rows) instead of rendering them here."""
    with paused_gc():  # millions of small acyclic objects: the cyclic GC would only rescan them
        return _build_outputs(
            records_path,
            root,
            options or SiteOptions(),
            static_folder,
            workers,
            defer_records,
            cache,
            previous,
            None if in_nav is None else frozenset(in_nav),
            static,
            run_exports,
            version,
            reuse,
            jobs_of,
            rows,
        )


def _build_outputs(
    records_path: Path,
    root: Path | None,
    options: SiteOptions,
    static_folder: Path | None,
    workers: int = 1,
    defer_records: bool = False,
    cache: FileCache | None = None,
    previous: Tracker | None = None,
    in_nav: frozenset[str] | None = None,
    given: StaticFiles | None = None,
    run_exports: bool = True,
    version: str | None = None,
    reuse: Callable[[Tracker], Mapping[str, RenderedPage]] | None = None,
    jobs_of: Callable[[Tracker], list] | None = None,
    rows: bool = True,
) -> BuildOutput:
    with cpu_log.part("load"):
        tracker = load_tracker(records_path, root, cache, previous)
    if cache is None:
        # Checked: the files' text is needed again only by the next load through a cache (a
        # `mkdocs serve` rebuild). 38 MB at 10,000 drugs, in this process and every one it forks.
        forget_texts(tracker.records)
    if version:
        tracker.pin_data_version(version)
    options = replace(
        options, today=build_today(options.today).isoformat()
    )  # one "today" per build
    static = StaticFiles(static_folder) if given is None else given

    def exports() -> None:  # runs here while worker processes render pages
        if run_exports:
            write_static_files(tracker, static, options, rows=rows)

    def exports_elsewhere() -> None:
        # In a process of its own, when the files go to a folder: the tables, database and feeds
        # of a large tree take hundreds of MB while being made, which this process (it lives
        # until the site is written) would keep; the child hands back only the files' sizes.
        static.adopt(in_forked_process(exports_and_sizes))  # type: ignore[arg-type]

    def exports_and_sizes() -> dict[str, int]:
        exports()
        return static.sizes()

    jobs = page_jobs(tracker) if jobs_of is None else jobs_of(tracker)

    def deferred(job) -> bool:
        return defer_records and (
            is_record_job(job) or (in_nav is not None and job[0] not in in_nav)
        )

    record_jobs = [job for job in jobs if deferred(job)]
    elsewhere = static.folder is not None and workers > 1 and can_fork() and run_exports
    done = reuse(tracker) if reuse is not None else {}
    html_pages = render_pages(
        tracker,
        options,
        workers=workers,
        meanwhile=exports_elsewhere if elsewhere else exports,
        jobs=[job for job in jobs if not deferred(job) and job[0] not in done]
        if defer_records or done
        else None,
    )
    if done:
        html_pages = {
            job[0]: done.get(job[0]) or html_pages[job[0]] for job in jobs if not deferred(job)
        }
    pages = {"data-model.md": data_model_page()}
    pages.update(render_data_page(tracker, options, static))
    inserts = {COVERAGE_MARKER: coverage_block(tracker, options)}
    linked = {src: page.linked_data for src, page in html_pages.items() if page.linked_data}
    linked[DATA_PAGE] = dataset_script(tracker, static, options.site_url, options.site_name)
    order = [job[0] for job in jobs]
    return BuildOutput(
        tracker, pages, html_pages, static, inserts, linked, record_jobs, options, order, jobs
    )

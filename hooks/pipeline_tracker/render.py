"""Render the cross-linked tracker into Markdown pages (from templates), one per record and kind index."""

from __future__ import annotations

import multiprocessing as mp
import posixpath
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from pipeline_tracker import escape, landscape, quality
from pipeline_tracker.link import PhaseRow, Tracker
from pipeline_tracker.phases import CHART_COLUMNS, LADDER, RANK, region_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_KINDS = ("drugs", "targets", "companies", "indications", "trials", "sources")
KIND_TITLES = {
    "drugs": "Drugs",
    "targets": "Targets",
    "companies": "Companies",
    "indications": "Indications",
    "trials": "Trials",
    "sources": "Sources",
}
EXTERNAL = {
    "nct": "https://clinicaltrials.gov/study/{}",
    "hgnc": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/{}",
    "uniprot": "https://www.uniprot.org/uniprotkb/{}/entry",
    "ncbi_gene": "https://www.ncbi.nlm.nih.gov/gene/{}",
}
# Where a phase bar ends, as a share of the chart's width (six columns: preclinical … approved).
BAR_END = {
    "preclinical": 1,
    "phase unknown": 1.5,
    "phase 1": 2,
    "phase 1/2": 2.5,
    "phase 2": 3,
    "phase 2/3": 3.5,
    "phase 3": 4,
    "filed": 5,
    "approved": 6,
}


@dataclass(frozen=True)
class SiteOptions:
    """Site-wide settings pages need: where records can be edited, if anywhere."""

    edit_base: str | None = None  # e.g. https://github.com/org/repo/edit/main/ ; None: link the YAML copy
    today: str | None = None  # YYYY-MM-DD the date checks use; None: quality.build_today()


def page_path(kind: str, record_id: str) -> str:
    """The Markdown source path of a record's page, e.g. drugs/zanidatamab.md."""
    return f"{kind}/{record_id}.md"


def display_name(tracker: Tracker, kind: str, record_id: str) -> str:
    data = tracker.get(kind, record_id)
    if kind == "targets":
        return data.get("symbol", record_id)
    if kind == "trials":
        return data.get("acronym") or data.get("title", record_id)
    if kind == "events":
        return data.get("summary", record_id)
    return data.get("name") or data.get("title") or record_id


class PageContext:
    """What one page's template needs: relative links, numbered citations, escaping helpers."""

    def __init__(self, tracker: Tracker, src_uri: str, options: SiteOptions):
        self.tracker = tracker
        self.options = options
        self.src_uri = src_uri
        directory_url = src_uri[: -len("index.md")] if src_uri.endswith("index.md") else src_uri[: -len(".md")] + "/"
        self.base = "../" * directory_url.count("/")
        self.citations: list[str] = []

    # Links -----------------------------------------------------------------
    def url(self, kind: str, record_id: str) -> str:
        if kind == "events":
            return f"{self.base}timeline/#{record_id}"
        return f"{self.base}{kind}/{record_id}/"

    def index_url(self, kind: str) -> str:
        return f"{self.base}{kind}/"

    def link(self, kind: str, record_id: str, text: str | None = None) -> Markup:
        if record_id not in self.tracker.records[kind]:
            return escape.html_text(text or record_id)
        label = text if text is not None else display_name(self.tracker, kind, record_id)
        # As Markup('<a href="{}">{}</a>').format(url, plain(label)), without its slow formatter.
        return Markup(f'<a href="{escape.html_text(self.url(kind, record_id))}">{escape.html_text(label)}</a>')

    def links(self, kind: str, ids, sep: str = ", ") -> Markup:
        return Markup(sep).join(self.link(kind, i) for i in ids)

    def external(self, scheme: str, value) -> Markup:
        shown = escape.plain(value)
        url = escape.safe_url(EXTERNAL[scheme].format(shown)) if scheme in EXTERNAL else None
        if not url:
            return escape.html_text(shown)
        return Markup('<a href="{}" rel="external noopener">{}</a>').format(url, shown)

    def url_link(self, value, text=None) -> Markup:
        url = escape.safe_url(value)
        if not url:
            return escape.html_text(text or value)
        return Markup('<a href="{}" rel="external noopener nofollow">{}</a>').format(url, escape.plain(text or url))

    def edit_link(self, kind: str, record_id: str) -> Markup:
        path = f"records/{kind}/{record_id}.yaml"
        if self.options.edit_base:
            return Markup('<a class="pt-edit" href="{}">Edit this record</a> (<code>{}</code>)').format(
                self.options.edit_base + path, path
            )
        return Markup('<a class="pt-edit" href="{}">View this record</a> (<code>{}</code>, edit it by pull request)').format(
            self.base + path, path
        )

    # Citations ---------------------------------------------------------------
    def cite(self, sources) -> Markup:
        numbers = []
        for source in sources or ():
            if source not in self.citations:
                self.citations.append(source)
            numbers.append(self.citations.index(source) + 1)
        return Markup("").join(
            Markup('<sup class="pt-cite"><a href="#ref-{0}" title="Source {0}">[{0}]</a></sup>').format(n)
            for n in sorted(set(numbers))
        )

    def references(self) -> list[tuple[int, str]]:
        return [(n, source) for n, source in enumerate(self.citations, start=1)]

    # Phases ------------------------------------------------------------------
    def phase(self, row: PhaseRow | None) -> Markup:
        if row is None:
            return Markup('<span class="pt-phase pt-phase--none">no phase recorded</span>')
        label = row.phase if row.active else f"{row.phase} ({row.status})"
        css = row.phase.replace(" ", "-").replace("/", "-") if row.active else "inactive"
        return Markup('<span class="pt-phase pt-phase--{}" data-rank="{}">{}</span>').format(css, RANK[row.phase], label)

    def bar_width(self, phase: str) -> str:
        return f"{BAR_END[phase] / len(CHART_COLUMNS) * 100:.1f}%"

    def region(self, code: str) -> str:
        return region_name(code)

    def basis(self, row: PhaseRow) -> Markup:
        if row.basis == "trial":
            return Markup("trial {}").format(self.link("trials", row.basis_id))
        if row.basis == "event":
            return Markup("event: {}").format(self.link("events", row.basis_id, "timeline"))
        return Markup("stated")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every {{ }} is HTML-escaped unless it is Markup we built
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = escape.markdown_text
    env.filters["title"] = escape.front_matter_title
    env.globals.update(LADDER=LADDER, CHART_COLUMNS=CHART_COLUMNS, KIND_TITLES=KIND_TITLES)
    env.globals.update(landscape=landscape, quality=quality)  # landscape views, date checks
    return env


_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def render_page(tracker: Tracker, template: str, src_uri: str, options: SiteOptions, **values) -> str:
    page = PageContext(tracker, src_uri, options)
    return environment().get_template(template).render(page=page, t=tracker, **values)


_SUBHEADING = re.compile(r"^(#{2,6} [^\n{}]+?)[ \t]*$", re.M)


def search_first_section_only(markdown: str) -> str:
    """A record page's search entry is its title and facts (names, synonyms, code names, summary);
    its tables go unindexed. Each `##` heading gets Material's { data-search-exclude }, which keeps
    the section out of search/search_index.json (about 2 KB a page instead of 5-6 KB)."""
    return _SUBHEADING.sub(r"\1 { data-search-exclude }", markdown)


def page_jobs(tracker: Tracker) -> list[tuple[str, str, str, str]]:
    """(src path, template, kind, record id or "") for every generated page, in a fixed order."""
    jobs = []
    for kind in PAGE_KINDS:
        template = f"{kind[:-1] if kind != 'companies' else 'company'}.md.j2"
        jobs.extend((page_path(kind, record_id), template, kind, record_id) for record_id in tracker.ids(kind))
        jobs.append((f"{kind}/index.md", f"index_{kind}.md.j2", kind, ""))
    jobs.append(("timeline.md", "timeline.md.j2", "", ""))
    return jobs


def render_job(tracker: Tracker, options: SiteOptions, job: tuple[str, str, str, str]) -> str:
    src, template, kind, record_id = job
    if record_id:
        text = render_page(tracker, template, src, options, id=record_id, r=tracker.get(kind, record_id))
        return search_first_section_only(text)
    if kind:
        return render_page(tracker, template, src, options, kind=kind)
    return render_page(tracker, template, src, options)


# Set just before worker processes fork, so they inherit the tracker instead of unpickling it.
_FORKED: tuple[Tracker, SiteOptions, list] | None = None
PARALLEL_MIN_PAGES = 2000  # below this, starting processes costs more than it saves


def _render_share(share: int, shares: int) -> list[str]:
    tracker, options, jobs = _FORKED  # type: ignore[misc]
    return [render_job(tracker, options, job) for job in jobs[share::shares]]


def render_pages(
    tracker: Tracker,
    options: SiteOptions = SiteOptions(),
    workers: int = 1,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, str]:
    """Every generated page: Markdown source path → content. With workers > 1 and a large tree,
    pages are rendered in forked processes (one share each) while this process runs `meanwhile`;
    the result is the same as rendering them one by one."""
    global _FORKED
    jobs = page_jobs(tracker)
    if workers <= 1 or len(jobs) < PARALLEL_MIN_PAGES or "fork" not in mp.get_all_start_methods():
        if meanwhile:
            meanwhile()
        return {job[0]: render_job(tracker, options, job) for job in jobs}
    _FORKED = (tracker, options, jobs)
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_render_share, share, workers) for share in range(workers)]
            if meanwhile:
                meanwhile()
            shares = [future.result() for future in futures]
    finally:
        _FORKED = None
    texts: list[str] = [""] * len(jobs)
    for share, rendered in enumerate(shares):
        texts[share::workers] = rendered
    return {job[0]: text for job, text in zip(jobs, texts)}


def relative(from_src: str, to_url: str) -> str:
    """Relative URL between two directory-style page URLs (used by tests and exports)."""
    start = posixpath.dirname(from_src)
    return posixpath.relpath(to_url, start or ".")

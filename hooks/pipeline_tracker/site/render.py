"""Render the cross-linked tracker into pages (from templates), one per record and kind index.

Record pages, kind indexes and the timeline are rendered straight to HTML: MkDocs gets only their
front matter, so Python-Markdown never re-parses thousands of generated tables, and the hook hands
MkDocs the HTML, the table of contents and the anchor ids itself (see tracker_hook.py). The pages
curators write (and a few prose-heavy generated ones) stay Markdown.
"""

from __future__ import annotations

import functools
import math
import multiprocessing as mp
import os
import posixpath
import re
import weakref
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from types import FunctionType, MethodType
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import jinja2
import jinja2.runtime
from jinja2.compiler import CodeGenerator
from jinja2.utils import _PassArg
from markdown.extensions.toc import unique
from markupsafe import Markup
from markupsafe import escape as markup_escape

from pipeline_tracker.model import claims, history_chart, landscape, quality
from pipeline_tracker.model.claims import status_label
from pipeline_tracker.model.tracker import PhaseRow, Tracker, regions_holding
from pipeline_tracker.records import identifiers
from pipeline_tracker.records.evidence import citation_ids, citation_quotes
from pipeline_tracker.records.ids import event_anchor, heading_id, inferred_anchor
from pipeline_tracker.records.load import SINGULAR
from pipeline_tracker.records.phases import (
    CHART_COLUMNS,
    LADDER,
    SPECIAL_ACCESS_ONLY,
    region_name,
)
from pipeline_tracker.site import (
    cards,
    escape,
    fragments,
    linked_data,
    listing,
    search_meta,
    template_cache,
    urls,
)

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
class Citation:
    """One page's citation: its address, the data version, the plain text, and what BibTeX and
    RIS are made of (by tracker.js)."""

    url: str
    version: str
    text: str
    key: str
    title: str
    site: str
    year: str


@dataclass(frozen=True)
class SiteOptions:
    """Site-wide settings pages need: where records can be edited, if anywhere."""

    edit_base: str | None = (
        None  # e.g. https://github.com/org/repo/edit/main/ ; None: link the JSON document
    )
    today: str | None = None  # YYYY-MM-DD the date checks use; None: quality.build_today()
    # Zensical resolves a link in a page's raw HTML against the page's Markdown file, as it does
    # Markdown links; MkDocs leaves raw HTML as written, so links are relative to the page's URL.
    links_from_source: bool = False
    site_name: str = "Open Pipeline Tracker"  # mkdocs.yml site_name
    site_url: str | None = None  # mkdocs.yml site_url; None: citations give the page's path
    repo_url: str | None = None  # mkdocs.yml repo_url; None: pages name a record's file instead


def records_edit_base(
    explicit: str | None,
    repo_url: str | None,
    edit_uri: str | None,
    docs_dir: str = "docs",
) -> str | None:
    """Where records are edited: `extra.records_edit_base` if set, else the repository's edit
    address derived from repo_url + edit_uri (which point at the docs folder: records sit beside
    it, at the repository root). None when neither is set, or when edit_uri does not end in the
    docs folder (then the address cannot be derived, and is never guessed). An unset edit_uri
    takes MkDocs' own default for GitHub, GitLab and Bitbucket."""
    if explicit:
        return explicit if explicit.endswith("/") else explicit + "/"
    if not repo_url:
        return None
    if edit_uri is None:  # as MkDocs derives it (config_options.EditURI)
        host = urlsplit(repo_url).netloc.lower()
        if host in ("github.com", "gitlab.com"):
            edit_uri = "edit/master/docs/"
        elif host == "bitbucket.org":
            edit_uri = "src/default/docs/"
    if not edit_uri:
        return None
    if not edit_uri.endswith("/"):
        edit_uri += "/"
    docs_edit = urljoin(repo_url if repo_url.endswith("/") else repo_url + "/", edit_uri)
    folder = docs_dir.strip("/").rsplit("/", 1)[-1] + "/"
    if not docs_edit.endswith("/" + folder):
        return None
    return docs_edit[: -len(folder)]


page_path = urls.page_src


def display_name(tracker: Tracker, kind: str, record_id: str) -> str:
    return claims.display_name(tracker.records, kind, record_id)


_SHARED: tuple[weakref.ref, dict] | None = None


# Entries a shared cache keeps at most: at 10,000 drugs the links and badges of every page came to
# 270,000 entries and 76 MB in each render process, the most of its growth after the fork (the
# peak memory of the build). Most hits are on pages rendered close together (a record's sections,
# a list's pages), so a full cache simply starts again.
SHARED_CACHE_ENTRIES = 30_000


class _BoundedCache(dict):
    """A dict that empties itself when it holds `limit` entries and is given another."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key, value) -> None:
        if len(self) >= self.limit:
            self.clear()
        super().__setitem__(key, value)


def _shared(tracker: Tracker, name: str) -> dict:
    """A cache kept for as long as `tracker` is the one being rendered (one at a time), of at most
    SHARED_CACHE_ENTRIES entries."""
    global _SHARED
    if _SHARED is None or _SHARED[0]() is not tracker:
        _SHARED = (weakref.ref(tracker), {})
    caches = _SHARED[1]
    cache = caches.get(name)
    if cache is None:
        cache = caches[name] = _BoundedCache(SHARED_CACHE_ENTRIES)
    return cache


class FilterChoices(NamedTuple):
    """A drug table's filter choices (PageContext.filter_choices)."""

    regions: list[tuple[str, str]]  # (code, name), Worldwide first, then by name
    options: dict[str, list[tuple[str, str]]]  # filter name → (value, label)
    shown: frozenset[str]  # the filters the form shows (PageContext.shown_filters)
    json: Markup  # the shown filters' choices, for tracker.js


class PageContext:
    """What one page's template needs: relative links, numbered citations, escaping helpers."""

    def __init__(self, tracker: Tracker, src_uri: str, options: SiteOptions):
        self.tracker = tracker
        self.options = options
        self.src_uri = src_uri
        self.directory_url = directory_url = (
            src_uri[: -len("index.md")]
            if src_uri.endswith("index.md")
            else src_uri[: -len(".md")] + "/"
        )
        # The way back to the site root from where the builder resolves this page's links.
        self.base = "../" * (src_uri if options.links_from_source else directory_url).count("/")
        self.ui = components()  # the macros of _components.j2 (most pieces: fragments.py)
        # Pages share what is the same on each of them (a record's link at a page depth):
        # records do not change while a tracker's pages are rendered.
        self._links = _shared(tracker, "links")
        self._sources = _shared(tracker, "sources")
        self._badges = _shared(tracker, "badges")
        self.citations: list[str] = []
        self._cited: dict[str, int] = {}  # source → its number (its place in citations, from 1)
        self.quotes: dict[int, list[str]] = {}  # reference number → quotes cited from it here
        # The curator's inferences shown on this page, numbered: (what was inferred, reason).
        self.inferences: list[tuple[str, str]] = []
        self.toc: list[
            dict
        ] = []  # headings as Python-Markdown's toc tokens (MkDocs builds page.toc from them)
        self._heading_ids: set[str] = set()
        self._open: list[dict] = []  # the latest heading of each level above the next one

    # Headings ----------------------------------------------------------------
    def heading(self, level: int, text, extra: Markup | str = "") -> Markup:
        """A heading with the id and permalink Python-Markdown's toc extension would give it
        (same slug rules), recorded for the page's table of contents."""
        label = escape.html_text(text)
        anchor = unique(heading_id(escape.plain(text)), self._heading_ids)
        token = {"level": level, "id": anchor, "name": str(label), "children": []}
        while self._open and self._open[-1]["level"] >= level:
            self._open.pop()
        (self._open[-1]["children"] if self._open else self.toc).append(token)
        self._open.append(token)
        return fragments.heading(level, anchor, label, Markup(extra) if extra else "")

    def title(self, text) -> Markup:
        """The title (h1) of a page of the site's own (an index, the timeline, the landscapes,
        data quality): with its words among the names search weighs most
        (search_meta.names_line), as a record page's name is. Its words are also on every page
        the list holds ("Trial" in each trial's summary, "Synthco 0000: trials"): at 10,000 drugs
        a search for "drugs" showed the Drugs index 146th. The page's introduction, the paragraph
        after it, is marked as the result's preview (`data-pagefind-meta="summary"`), as a
        record's summary line is: Pagefind's excerpt would show the title twice."""
        return self.heading(1, text) + Markup("\n") + search_meta.names_line([text])

    def url(self, kind: str, record_id: str) -> str:
        return urls.from_page(
            self.base, urls.record_url(kind, record_id, listing.event_years(self.tracker))
        )

    def index_url(self, kind: str) -> str:
        return urls.from_page(self.base, urls.index_url(kind))

    def guide_url(self, anchor: str) -> str:
        """A section of the Methodology page, from this page."""
        return urls.from_page(self.base, urls.guide_url(anchor))

    def link(self, kind: str, record_id: str, text: str | None = None) -> Markup:
        key = (kind, record_id, text, self.base)
        shown = self._links.get(key)
        if shown is None:
            shown = self._links[key] = self._link(kind, record_id, text)
        return shown

    def _link(self, kind: str, record_id: str, text: str | None) -> Markup:
        if record_id not in self.tracker.records[kind]:
            return escape.html_text(text or record_id)
        label = text if text is not None else display_name(self.tracker, kind, record_id)
        # The one piece of HTML written here, not in _components.j2: a page has hundreds of links,
        # and a macro call costs several times this f-string. As Markup('<a href="{}">{}</a>')
        # .format(url, plain(label)), without its slow formatter.
        return Markup(
            f'<a href="{escape.html_text(self.url(kind, record_id))}">{escape.html_text(label)}</a>'
        )

    def drug_name(self, drug: str) -> Markup:
        """A drug's link, and its Chinese name after it when it has one (landscapes)."""
        key = ("drug name", drug, None, self.base)
        shown = self._links.get(key)
        if shown is None:
            zh = self.tracker.get("drugs", drug).get("name_zh")
            shown = self.link("drugs", drug) + (fragments.chinese_name(zh) if zh else "")
            self._links[key] = shown
        return shown

    def group_label(self, kind: str | None, key) -> Markup:
        """A landscape row's label: the record's link when the row is a record, else its key."""
        if kind and key in self.tracker.records[kind]:
            return self.link(kind, key)
        return escape.printed(key)

    def links(self, kind: str, ids, sep: str = ", ") -> Markup:
        return Markup(sep).join(self.link(kind, i) for i in ids)

    def cut_links(self, kind: str, ids, what: str, row: tuple[str, str] | None = None) -> Markup:
        """`links` for a cell that may name hundreds (an index row's drugs): the first
        listing.cell_cut of them, the rest behind "N more" (`what`: "drugs") in the same cell.
        `row`: (kind, id) of the record the row is, whose page lists all its drugs
        (listing.DRUG_SECTIONS): the "more" then names listing.more_cut of the rest and says how
        many more that page has, with a link to them."""
        ids = list(ids)
        cut = listing.cell_cut(len(ids))
        shown = self.links(kind, ids[:cut])
        if cut == len(ids):
            return shown
        rest = ids[cut:]
        held = listing.more_cut(len(rest)) if row else len(rest)
        inner = self.links(kind, rest[:held])
        if row and held < len(rest):
            section = listing.DRUG_SECTIONS[row[0]]
            url = urls.from_page(self.base, urls.section_part_url(row[0], row[1], section, 1))
            name = display_name(self.tracker, row[0], row[1])
            inner += fragments.more_elsewhere(len(rest) - held, url, name)
        return shown + fragments.more(len(rest), len(ids), what, inner)

    def more_open(self, count: int, what: str) -> Markup:
        """The start of a landscape cell's "N more" (its count badge says how many in all)."""
        return fragments.more_open(count, what)

    def more_on_cell_page(self, count: int, url: str) -> Markup:
        """The end of a landscape cell's "more" past its last name: how many more, and a link
        to the cell's own page (`url` from the site root, urls.landscape_cell_url)."""
        return fragments.more_on_cell_page(count, urls.from_page(self.base, url))

    def external(self, scheme: str, value) -> Markup:
        """An id linked to its page in its home database (Bioregistry URL formats)."""
        shown = escape.plain(value)
        iri = identifiers.iri(scheme, shown)
        url = escape.safe_url(iri) if iri else None
        return fragments.external_link(url, shown) if url else escape.html_text(shown)

    def id_label(self, scheme: str) -> str:
        return identifiers.label(scheme)

    def url_link(self, value, text=None) -> Markup:
        url = escape.safe_url(value)
        if not url:
            return escape.html_text(text or value)
        return fragments.outside_link(url, escape.plain(text or url))

    def edit_link(self, kind: str, record_id: str) -> Markup:
        """'Edit this record' (when the repository is known) or 'View this record', and JSON.
        Record YAML is not copied to the site (a third copy of every record): 'View' opens the
        record's JSON document."""
        path = urls.yaml_path(kind, record_id)
        json_url = urls.from_page(self.base, urls.json_url(kind, record_id))
        edit_url = self.options.edit_base + path if self.options.edit_base else ""
        return fragments.record_links(path, json_url, edit_url, json_url)

    def record_dates(self, kind: str, record_id: str) -> Markup:
        """When the record was added and last changed (from the repository's history, read once
        per build: records/history.py) and where its change history is: the repository's
        commits for the file when repo_url is set, else the file's name. 'date unknown', with
        the reason, when the history cannot say: never a guessed date."""
        history = self.tracker.history
        dates = history.of(kind, record_id)
        path = urls.yaml_path(kind, record_id)
        url = ""
        if self.options.repo_url:
            url = escape.safe_url(f"{self.options.repo_url.rstrip('/')}/commits/main/{path}") or ""
        reason = (
            history.reason if not history.available else "not committed, or before the history read"
        )
        return fragments.record_dates(dates.added, dates.changed, reason, path, url)

    def feed_link(self, kind: str, record_id: str) -> Markup:
        """' · Atom feed' linking the record's own feed (urls.feed_path)."""
        return fragments.feed_link(urls.from_page(self.base, urls.feed_path(kind, record_id)))

    def drug_feeds(self, drug: str) -> Markup:
        """' · its events in the Atom feeds of X, Y': a drug has no feed file of its own; its
        companies' and targets' feeds hold its events (feed.record_feed_events)."""
        data = self.tracker.get("drugs", drug)
        owners = [("companies", c["company"]) for c in data.get("companies") or []]
        owners += [("targets", t["target"]) for t in data.get("targets") or []]
        links = []
        for kind, rid in dict.fromkeys(owners):
            if rid in self.tracker.records.get(kind, {}):
                url = urls.from_page(self.base, urls.feed_path(kind, rid))
                links.append((display_name(self.tracker, kind, rid), url))
        return fragments.drug_feeds(links)

    def cite(self, sources, quotes=()) -> Markup:
        """Citation marks for a list of citations (ids, or {source, quote}); a quote is shown on
        hover and listed under its reference. `quotes` adds (source, quote) pairs kept apart.
        Marks stay out of the search index: "[1]" glued to a word would hide the word."""
        numbers: dict[int, list[str]] = {}
        pairs = [*citation_quotes(sources), *quotes]
        cited = self._cited
        for source in citation_ids(sources):
            n = cited.get(source)
            if n is None:
                self.citations.append(source)
                n = cited[source] = len(self.citations)
            numbers.setdefault(n, [])
        for source, quote in pairs:
            n = cited.get(source)
            if n is not None:
                numbers.setdefault(n, []).append(quote)
                said = self.quotes.setdefault(n, [])
                if quote not in said:
                    said.append(quote)
        return Markup("".join(fragments.cite_mark(n, numbers[n]) for n in sorted(numbers)))

    def quotes_of(self, n: int) -> list[str]:
        """The quotes cited from reference n on this page."""
        return self.quotes.get(n, [])

    def references(self) -> list[tuple[int, str]]:
        return [(n, source) for n, source in enumerate(self.citations, start=1)]

    def reference(self, n: int, source: str) -> Markup:
        """Entry n of the page's reference list: the source (linked; its publisher, date and
        address, the same on every page at this depth) and the quotes cited from it here. The
        address is a link named by its host (the source's own page and print show it whole)."""
        key = (source, self.base)
        described = self._sources.get(key)
        if described is None:
            data = self.tracker.get("sources", source)
            url = (
                self.url_link(data["url"], fragments.url_host(data["url"])) if "url" in data else ""
            )
            described = self._sources[key] = fragments.source_entry(
                self.link("sources", source), data, url
            )
        return fragments.reference_item(n, described, self.quotes_of(n))

    # Citation ----------------------------------------------------------------
    def citation(self, title: str) -> Citation:
        """How to cite this page: the plain text, and the fields tracker.js writes BibTeX and RIS
        from (citeFormats: the one place those formats are made). The page address is site_url +
        the page's path when mkdocs.yml sets site_url, else the path alone (no host is guessed).
        The version is the data version (Tracker.data_version: changes with any record edit), so
        a rebuild of the same records gives the same citation; no access date is claimed (the
        reader adds theirs)."""
        path = self.directory_url
        url = f"{self.options.site_url.rstrip('/')}/{path}" if self.options.site_url else path
        version = self.tracker.data_version
        year = self.tracker.data_date[:4] if version else ""
        site = self.options.site_name
        title = " ".join(str(title).split())
        text = f"{site}. {title}. {url}"
        if version:
            text += f". Data version {version}"
        text += "."
        key = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "index"
        return Citation(url, version, text, key, title, site, year)

    # Phases ------------------------------------------------------------------
    def phase(
        self, row: PhaseRow | None, drug: str | None = None, scheme: bool = True, claim=False
    ) -> Markup:
        """A phase badge from the row's one label (claims.status_label), with its inferred mark.
        Special access has its own badge and is never shown as an approval; a drug with no
        ranked row says why (comparator or background therapy in trials). `claim`: the badge
        stands for the row's indication and region too (an index or landscape cell), so an
        inferred indication or region is marked as well as an inferred phase."""
        if row is None:
            return self.no_phase(drug)
        key = (row, scheme, claim)
        shown = self._badges.get(key)  # a badge with no inferred mark is the same on every page
        if shown is not None:
            return shown
        label = status_label(row)
        if label.special_access:
            # The scheme, a long name, is plain text that wraps beside the badge, not in it.
            shown = fragments.special_access_badge(label.text, row.scheme if scheme else "")
            self._badges[key] = shown
            return shown
        css = row.phase.replace(" ", "-").replace("/", "-") if row.active else "inactive"
        badge = fragments.phase_badge(css, label.text)
        # The inferred mark: claim_mark(row), or inferred_mark(row, "phase").
        if claim:
            inferred = label.inferred_claim
        else:
            reason = row.inferred_reason("phase")
            inferred = (("phase", reason),) if reason else ()
        if not inferred:
            self._badges[key] = badge
            return badge
        return badge + self._mark(self._subject(row), inferred, named=claim)

    @staticmethod
    def phase_key(row: PhaseRow | None) -> str:
        """A row's stage as a filter value (URL- and attribute-safe): "approved", "phase-1-2",
        "special-access"; "none" when the drug has no ranked row."""
        if row is None:
            return "none"
        return urls.SPECIAL_ACCESS_KEY if row.special_access else PageContext.phase_value(row.phase)

    def headline_key(self, drug: str, best: PhaseRow | None) -> str:
        """A drug's phase (`best`, its highest) as the phase filter with no region matches it:
        phase_key, and special access for a drug with no phase but special access, as its
        phase cell (no_phase) and the search box's phase filter (search_meta) say it."""
        if best is None and self.tracker.special_access_rows(drug):
            return urls.SPECIAL_ACCESS_KEY
        return self.phase_key(best)

    @staticmethod
    def phase_value(phase: str) -> str:
        """A phase as a filter value: "phase 1/2" → "phase-1-2"."""
        return urls.phase_filter_value(phase)

    def filter_attrs(
        self,
        drug: str,
        stages: dict[str, PhaseRow],
        best: PhaseRow | None,
        rows: list[PhaseRow],
    ) -> Markup:
        """The data-* attributes the filters of a drug table read (tracker.js): every region the
        drug's rows lie within, its highest stage in each (Tracker.stage_by_region: the one
        decision, never re-derived in the browser), its highest phase, the (region, route,
        status) of its rows, and its modality, targets and companies."""
        data = self.tracker.get("drugs", drug)
        facets = sorted(
            f"{region or '*'}|{self.route_key(route)}|{status}"
            for region, route, status in self.tracker.row_facets(rows)
        )
        # The common case (every row active, no route stated) is left out to keep big tables
        # small: tracker.js reads a missing data-facets as that.
        plain = bool(rows) and all(not r.route and r.status == "active" for r in rows)
        attrs = {
            "regions": " ".join(sorted(stages)),
            "stages": " ".join(f"{c}={self.phase_key(stages[c])}" for c in sorted(stages)),
            "phase": self.headline_key(drug, best),
            **({} if plain else {"facets": " ".join(facets)}),
            "modality": self.option_key(data.get("modality", "")),
            "targets": " ".join(sorted({t["target"] for t in data.get("targets") or []})),
            "companies": " ".join(sorted({c["company"] for c in data.get("companies") or []})),
        }
        # As Markup(" ").join(Markup('data-{}="{}"').format(name, value) …), without its slow
        # formatter (which escapes both with markupsafe.escape).
        return Markup(
            " ".join(
                f'data-{markup_escape(name)}="{markup_escape(value)}"'
                for name, value in attrs.items()
            )
        )

    def drug_row(
        self,
        drug: str,
        stages: dict[str, PhaseRow],
        rows: list[PhaseRow],
        indications,
        region_filter: bool,
        extra: dict | None,
    ) -> Markup:
        """A drug table's row (_macros.j2 drug_table): the drug, its highest phase (with, when
        the table filters by region, its highest phase in each region, shown by tracker.js),
        modality, targets, companies, and the `extra` column's cell when there is one."""
        data = self.tracker.get("drugs", drug)
        best = self.tracker.highest_phase(drug, indications=indications)
        attrs = self.filter_attrs(drug, stages, best, rows)
        name = self.link("drugs", drug)
        if "name_zh" in data:
            name += fragments.zh_text(data["name_zh"])
        if region_filter:
            anywhere = self.phase(best, drug, claim=True)
            phase = fragments.stage(anywhere, "", None)
            for code, row in sorted(stages.items(), key=_ignore_case_key):
                here = self.phase(row, drug, claim=True)
                if here != anywhere:
                    phase += fragments.stage(here, code, row.rank)
        else:
            phase = self.phase(best, drug, claim=True)
        modality = escape.printed(data["modality"]) + self.inferred_in(data, "modality")
        targets = self.links("targets", [x["target"] for x in data.get("targets", [])])
        companies = _unique([x["company"] for x in data.get("companies", [])])
        return fragments.drug_row(
            attrs,
            name,
            best.rank if best else -1,
            phase,
            modality,
            targets,
            self.links("companies", companies),
            (escape.printed(extra[drug]),) if extra is not None else (),
        )

    def company_row(self, drug: str, role, stages: dict[str, PhaseRow], rows) -> Markup:
        """A row of a company's pipeline table: the drug, the company's role, and the drug's
        programmes within the company's territory and role (by indication), each cited."""
        attrs = self.filter_attrs(drug, stages, self.tracker.highest_of(rows), rows)
        link = self.link("drugs", drug)
        if rows:
            programmes = [
                (
                    self.link("indications", row.indication),
                    self.region(row.region),
                    self.phase(row),
                    self.cite(row.sources, row.quotes),
                    " ".join(regions_holding([row.region])),
                )
                for row in sorted(rows, key=_ignore_case_attribute("indication"))
            ]
            shown = fragments.programmes(programmes)
        elif not self.tracker.tracked(drug):
            shown = self.no_phase(drug)
        else:
            shown = escape.printed("none within this company's territory or role")
        return fragments.company_row(attrs, link, role, shown)

    @staticmethod
    def option_key(text: str) -> str:
        """A filter value with no spaces (a URL and attribute token): "small molecule" → "small-molecule"."""
        return re.sub(r"[^\w.-]+", "-", text.strip()).strip("-") or "none"

    def route_key(self, route: str) -> str:
        return self.option_key(route) if route else "not-stated"

    def filter_options(self, drugs, all_rows) -> dict[str, list[tuple[str, str]]]:
        """(value, label) of each filter beyond region, from the drugs a table lists and their
        rows: only values that occur. Phases: each a row holds, highest first, special access
        last as "special access only", what a drug's phase cell says when it has no phase (a
        drug's highest phase, anywhere or in a region, is one of its rows'; tracker.js counts
        each choice, so one that no drug has without a region chosen shows 0)."""
        t = self.tracker
        modalities = {t.get("drugs", d).get("modality", "") for d in drugs}
        targets = {x["target"] for d in drugs for x in t.get("drugs", d).get("targets") or []}
        companies = {x["company"] for d in drugs for x in t.get("drugs", d).get("companies") or []}
        routes = {r.route for r in all_rows}
        statuses = {r.status for r in all_rows}
        phases = {self.phase_key(r) for r in all_rows}
        ladder = [(self.phase_value(p), p) for p in reversed(LADDER)]
        return {
            "phase": [
                (k, p)
                for k, p in [*ladder, (urls.SPECIAL_ACCESS_KEY, SPECIAL_ACCESS_ONLY)]
                if k in phases
            ],
            "route": sorted((self.route_key(r), r or "not stated") for r in routes),
            "status": sorted((s, s) for s in statuses),
            "modality": sorted((self.option_key(m), m) for m in modalities if m),
            "target": sorted(
                ((x, display_name(t, "targets", x)) for x in targets), key=lambda o: o[1].lower()
            ),
            "company": sorted(
                ((x, display_name(t, "companies", x)) for x in companies),
                key=lambda o: o[1].lower(),
            ),
        }

    def filter_choices(self, stages, drugs, rows) -> FilterChoices:
        """What a drug table's filter form offers (_macros.j2 table_filters): the regions of
        `stages` and the other filters' options (filter_options of `drugs` and their `rows`), with
        their JSON. A paged list works it out once for all its pages (listing.whole_list_filters):
        every page offers the whole list's."""
        options = self.filter_options(drugs, rows)
        shown = self.shown_filters(options)
        return FilterChoices(
            self.region_options(stages), options, shown, self.options_json(options, shown)
        )

    @staticmethod
    def shown_filters(options: dict[str, list[tuple[str, str]]]) -> frozenset[str]:
        """The filters beyond region a drug table's form shows: phase always (with a single
        phase it still says which, counted, and a shared link naming it finds it), the others
        only with more than one choice (one would narrow nothing)."""
        return frozenset(n for n, choices in options.items() if n == "phase" or len(choices) > 1)

    @staticmethod
    def options_json(options: dict[str, list[tuple[str, str]]], shown: frozenset[str]) -> Markup:
        """The choices of the `shown` filters, as JSON for tracker.js ({name: [[value, label],
        …]}), safe inside a <script> element."""
        return escape.script_json(
            {
                name: [list(o) for o in choices]
                for name, choices in options.items()
                if name in shown and choices
            }
        )

    def region_options(self, stages) -> list[tuple[str, str]]:
        """(code, name) for every region in `stages` (dicts of region → row), by name."""
        codes = {code for by_region in stages for code in by_region}
        return sorted(((c, self.region(c)) for c in codes), key=lambda o: (o[0] != "WW", o[1]))

    @staticmethod
    def event_regions(event: dict) -> str:
        """A timeline event's data-regions: every region its own lie within (regions_holding:
        China holds a Hainan event), as a drug table's rows carry theirs."""
        return " ".join(regions_holding(event.get("regions", [])))

    def event_region_choices(self, event_ids) -> Markup:
        """The timeline's region filter for these events, listed as a drug table's region
        filter lists its regions (region_options), as JSON for tracker.js."""
        get = self.tracker.get
        held = [dict.fromkeys(self.event_regions(get("events", e)).split()) for e in event_ids]
        return escape.script_json({"region": [list(o) for o in self.region_options(held)]})

    def claim_mark(self, row: PhaseRow) -> Markup:
        """The inferred mark of a compact claim (a landscape cell, a bar, an index cell): the row's
        phase, indication and region, any of which the curator inferred. It names them ("(phase
        inferred)"): the value may not be beside it (a cell's phase is its column)."""
        inferred = status_label(row).inferred_claim
        return self._mark(self._subject(row), inferred, named=True) if inferred else Markup("")

    def event_date(self, event: dict, mark: bool = True) -> Markup:
        """An event's date, 'not reported' when absent, marked when the curator inferred it
        (`mark=False` inside a link: the caller puts `event_mark(event, "date")` after it)."""
        date = event.get("date")
        if not date:
            return fragments.muted("not reported")
        shown = fragments.about(event.get("date_approximate")) + fragments.time(date)
        return shown + self.event_mark(event, "date") if mark else shown

    def approx_words(self, words: str | None) -> Markup:
        """The source's words for an approximate date, shown beside it (not only on hover)."""
        return fragments.approx_words(words)

    def inferred_in(self, data: dict, field: str, named: bool = False) -> Markup:
        """'(inferred)' after a field of a record or entry that lists it in its `inferred:` map
        (a drug's identity facts, a target or company entry), linked to the reason. `named`:
        "(modality inferred)", where the value is not beside the mark (a landscape's cell)."""
        reason = (data.get("inferred") or {}).get(field) if isinstance(data, dict) else None
        if not reason:
            return Markup("")
        subject = next(
            (
                str(data[k])
                for k in ("name", "acronym", "title", "summary", "company", "target")
                if data.get(k)
            ),
            "",
        )
        return self._mark(subject, ((field, reason),), named)

    def territory(self, entry: dict) -> Markup:
        """Where a role or deal holds: its regions (WW shows as worldwide), the source's own words
        for it, or 'not stated' when the source does not say (never 'worldwide')."""
        places = [self.region(code) for code in entry.get("territory") or []]
        shown = fragments.territory(
            places, entry.get("territory_as_stated", ""), entry.get("territory_note", "")
        )
        return shown + self.inferred_in(entry, "territory")

    def trial_status(self, trial: dict, cite: bool = True) -> Markup:
        """A trial's status, as of the date the source gives it, with its citations (not on a page
        without a reference list, such as an index)."""
        status = trial.get("status")
        if not status:
            return fragments.muted("not reported")
        shown = fragments.trial_status(status, trial.get("status_as_of", ""))
        shown += self.inferred_in(trial, "status")
        return shown + self.cite(trial.get("status_sources", [])) if cite else shown

    def people(self, people) -> Markup:
        """People a source names: name (degrees) — role; affiliation, with citations."""
        entries = []
        for person in people or []:
            text = person["name"] + (f", {person['degrees']}" if person.get("degrees") else "")
            details = [person[k] for k in ("role", "affiliation") if person.get(k)]
            if details:
                text += " — " + "; ".join(details)
            entries.append((text, self.cite(person["sources"])))
        return self.ui.people(entries)

    def event_mark(self, event: dict, field: str) -> Markup:
        """'(inferred)' after an event's value the curator inferred (claims.event_label)."""
        reason = dict(claims.event_label(event).inferred).get(field)
        subject = str(event.get("summary", ""))
        return self._mark(subject, ((field, reason),) if reason else ())

    def inferred_mark(self, row: PhaseRow, field: str) -> Markup:
        """'(inferred)' after a value the curator inferred: a link to the numbered reason at the
        foot of the page (readable without hovering), with the reason on hover too."""
        reason = row.inferred_reason(field)
        return self._mark(self._subject(row), ((field, reason),)) if reason else Markup("")

    def _subject(self, row: PhaseRow) -> str:
        """What a row is about, in words, for the list of inferences."""
        drug = display_name(self.tracker, "drugs", row.drug)
        indication = (
            display_name(self.tracker, "indications", row.indication)
            if row.indication in self.tracker.records["indications"]
            else row.indication
        )
        return f"{drug} · {indication} · {region_name(row.region)}"

    def _mark(self, subject: str, inferred, named: bool = False) -> Markup:
        if not inferred:
            return Markup("")
        numbers = []
        for field, reason in inferred:
            entry = (f"{subject}: {field}" if subject else field, reason)
            if entry not in self.inferences:
                self.inferences.append(entry)
            numbers.append(self.inferences.index(entry) + 1)
        fields = ", ".join(f for f, _ in inferred)
        title = " · ".join(f"{f} inferred: {r}" for f, r in inferred)
        return fragments.inferred_mark(
            inferred_anchor(numbers[0]), title, fields, numbers[0], named
        )

    def inferred_notes(self) -> list[tuple[str, str, str]]:
        """(anchor, what was inferred, reason) for the list at the foot of the page."""
        return [
            (inferred_anchor(n), what, reason)
            for n, (what, reason) in enumerate(self.inferences, start=1)
        ]

    def no_phase(self, drug: str | None) -> Markup:
        """What to say for a drug with no ranked row: special access only, or its trial roles."""
        if drug and self.tracker.special_access_rows(drug):
            return fragments.special_access_badge(SPECIAL_ACCESS_ONLY, "")
        roles = self.tracker.trial_roles(drug) if drug else {}
        if roles:
            words = "; ".join(
                f"{role} in {fragments.counted(n, 'trial')}" for role, n in roles.items()
            )
            return fragments.phase_badge("other", words)
        return fragments.phase_badge("none", "no phase recorded")

    def status_row(self, row: PhaseRow) -> Markup:
        """A row of a drug's development status table, with its scheme and note under it."""
        indication = self.link("indications", row.indication) + self.inferred_mark(
            row, "indication"
        )
        region = escape.printed(self.region(row.region)) + self.inferred_mark(row, "region")
        phase = self.phase(row, scheme=False)
        if quality.no_development_reported(self.tracker, row, self.options.today):
            phase += fragments.NO_DEVELOPMENT
        cells = (
            indication,
            row.biomarker,
            row.line,
            region,
            phase,
            self.date(row),
            self.basis(row),
            self.cite(row.sources, row.quotes),
        )
        return fragments.status_row(cells, row.rank, row.scheme, row.note)

    def date(self, row: PhaseRow) -> Markup:
        """A row's date; an inferred date is marked, with the curator's reason linked."""
        if not row.date:
            return fragments.muted("not reported")
        return (
            fragments.about(row.date_approximate)
            + escape.html_text(row.date)
            + self.inferred_mark(row, "date")
            + fragments.approx_words(row.date_approximate)
        )

    # History chart (model/history_chart.py decides; the template draws) ----------------------
    CHART_WIDTH = 800  # the SVG's viewBox width; the chart scales with the column

    def chart_x(self, chart, day: int) -> str:
        """Where a day sits on the chart's axis, in viewBox units (8 units of margin each side)."""
        inner = self.CHART_WIDTH - 16
        return f"{8 + (day - chart.first_day) / chart.span * inner:.1f}"

    def lane_label(self, lane, with_drug: bool = False) -> str:
        """A lane's name in words: [drug ·] indication · regions (three named, then how many
        more) [· special access], or "[drug ·] other events"."""
        parts = [display_name(self.tracker, "drugs", lane.drug)] if with_drug else []
        if lane.events:
            return " · ".join([*parts, "other events"])
        indication = (
            display_name(self.tracker, "indications", lane.indication)
            if lane.indication in self.tracker.records["indications"]
            else lane.indication
        )
        names = [region_name(r) for r in lane.regions]
        regions = ", ".join(names[:3]) + (f" +{len(names) - 3} more" if len(names) > 3 else "")
        parts += [indication, regions]
        if lane.special_access:
            parts.append("special access (not an approval)")
        return " · ".join(parts)

    def history_axis(self, chart, top: int, height: int) -> Markup:
        """The chart's year lines from `top` to `height`, a year named every few lines (at most
        about 12 names)."""
        step = math.ceil(len(chart.years) / 12) or 1
        out = []
        for i, (day, year) in enumerate(chart.years):
            x = self.chart_x(chart, day)
            out.append(f'<line x1="{x}" x2="{x}" y1="{top - 4}" y2="{height - 4}" />\n')
            if i % step == 0:
                out.append(f'<text x="{x}" dx="3" y="14">{escape.printed_text(year)}</text>')
        return Markup("".join(out))

    def history_lanes(self, chart, top: int, lane_h: int, with_drug: bool = False) -> Markup:
        """The chart's lanes (SVG), each `lane_h` high from `top` (the macro's layout)."""
        return Markup(
            "".join(
                fragments.history_lane(
                    self, chart, lane, top + lane_h * i, self.lane_label(lane, with_drug)
                )
                for i, lane in enumerate(chart.lanes)
            )
        )

    def history_rows(self, chart, with_drug: bool = False) -> Markup:
        """The chart as table rows: every point of every lane, dated or not."""
        return Markup(
            "".join(
                fragments.history_rows(self, lane, self.lane_label(lane, with_drug))
                for lane in chart.lanes
            )
        )

    def chart_date(self, point) -> str:
        """A point's date in words: 'about 2021-06', '(date inferred)', 'date not given'."""
        if not point.date:
            return "date not given"
        text = f"about {point.date}" if point.approximate else point.date
        return text + (" (date inferred)" if point.inferred else "")

    def bar_width(self, phase: str) -> str:
        return f"{BAR_END[phase] / len(CHART_COLUMNS) * 100:.1f}%"

    @staticmethod
    def date_key(date: str) -> int:
        """A sortable number for an ISO date of any precision (2020-08 → 20200800); -1 if none."""
        digits = date.replace("-", "")
        return int((digits + "0000")[:8]) if digits.isdigit() else -1

    def region(self, code: str) -> str:
        return region_name(code)

    def basis(self, row: PhaseRow) -> Markup:
        if row.basis == "trial":
            return Markup("trial ") + self.link("trials", row.basis_id)
        if row.basis == "event":
            return Markup("event: ") + self.link("events", row.basis_id, "timeline")
        return Markup("stated")


def _ignore_case_key(item):
    """Jinja's dictsort key (case-insensitive by default)."""
    key = item[0]
    return key.lower() if isinstance(key, str) else key


def _ignore_case_attribute(name: str):
    """Jinja's sort(attribute=name) key (case-insensitive by default)."""

    def key(item):
        value = getattr(item, name)
        return value.lower() if isinstance(value, str) else value

    return key


def _unique(values: list) -> list:
    """Jinja's `unique` filter: first of each, strings compared case-insensitively."""
    seen: set = set()
    out = []
    for value in values:
        key = value.lower() if isinstance(value, str) else value
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _printable(value):
    return value if isinstance(value, Markup) else escape.plain(value)


_emit = escape.printed_text  # what `{{ value }}` writes: escape(_printable(value)), in one call


# Speed (a record page makes thousands of calls, attribute reads and prints): three shortcuts
# in how the compiled templates run, each giving exactly what Jinja's own path gives.
_NO_CONTEXT: dict = {}  # function → True when Jinja passes it nothing (no pass_context etc.)
_STOP = "value was undefined because a callable raised a StopIteration exception"


class _Context(jinja2.runtime.Context):
    def call(self, obj, /, *args, **kwargs):
        """Context.call, skipping its pass_context checks for plain functions and methods
        (PageContext's, the model's), which take no context: checked once per function."""
        kind = type(obj)
        if kind is MethodType or kind is FunctionType:
            func = obj.__func__ if kind is MethodType else obj
            plain = _NO_CONTEXT.get(func)
            if plain is None:
                plain = _NO_CONTEXT[func] = (
                    _PassArg.from_obj(obj) is None and _PassArg.from_obj(obj.__call__) is None
                )
            if plain:
                if kwargs:
                    kwargs.pop("_block_vars", None)
                    kwargs.pop("_loop_vars", None)
                try:
                    return obj(*args, **kwargs)
                except StopIteration:
                    return self.environment.undefined(_STOP)
        return super().call(obj, *args, **kwargs)


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _CodeGenerator(CodeGenerator):
    """Writes `environment.emit(x)` for an autoescaped `{{ x }}` instead of
    `escape(environment.finalize(x))`: the same text, one call instead of two."""

    _emitting = False

    def _output_child_pre(self, node, frame, finalize) -> None:
        if (
            not frame.eval_ctx.volatile
            and frame.eval_ctx.autoescape
            and finalize.src == "environment.finalize("
        ):
            self._emitting = True
            self.write("environment.emit(")
            return
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node, frame, finalize) -> None:
        if self._emitting:
            self._emitting = False
            self.write(")")
            return
        super()._output_child_post(node, frame, finalize)


class _Environment(jinja2.Environment):
    context_class = _Context
    code_generator_class = _CodeGenerator
    emit = staticmethod(_emit)

    def getattr(self, obj, attribute):
        """Environment.getattr (an attribute first, then an item); a record's dict has no
        attribute but dict's own, so a field is read straight away."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def _environment() -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every {{ }} is HTML-escaped unless it is Markup we built
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # Record text printed by {{ }} loses control characters and lone surrogates (which no
        # page can carry) before it is escaped; Markup built by PageContext passes unchanged.
        finalize=_printable,
        bytecode_cache=template_cache.bytecode_cache("pages"),  # compiled once, not every build
    )
    env.filters["md"] = escape.markdown_text
    env.filters["title"] = escape.front_matter_title
    env.filters["number"] = fragments.number  # a count: "3,607"
    env.filters["counted"] = fragments.counted  # a count and its noun: "3,607 drugs"
    env.globals.update(
        LADDER=LADDER,
        CHART_COLUMNS=CHART_COLUMNS,
        KIND_TITLES=KIND_TITLES,
        HISTORY_MARKS=fragments.HISTORY_MARKS,
    )
    env.globals.update(RECORD_NOUNS=SINGULAR)  # one name per kind (records.load)
    env.globals.update(history_chart=history_chart)  # the history charts' one model
    env.globals.update(landscape=landscape, quality=quality)  # landscape views, date checks
    # The one label of a status row and of an event; the one anchor of an event.
    env.globals.update(
        status_label=claims.status_label, event_label=claims.event_label, event_anchor=event_anchor
    )
    env.globals.update(urls=urls)  # every address a page writes
    env.globals.update(listing=listing)  # long lists cut into pages
    return env


_ENV: jinja2.Environment | None = None
_COMPONENTS = None


def components():
    """The macros of _components.j2 (loaded once)."""
    global _COMPONENTS
    if _COMPONENTS is None:
        _COMPONENTS = environment().get_template("_components.j2").module
    return _COMPONENTS


def environment() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def render_page(
    tracker: Tracker, template: str, src_uri: str, options: SiteOptions, **values
) -> str:
    return _render(tracker, template, src_uri, options, **values)[0]


def _render(
    tracker: Tracker, template: str, src_uri: str, options: SiteOptions, **values
) -> tuple[str, PageContext]:
    page = PageContext(tracker, src_uri, options)
    return environment().get_template(template).render(page=page, t=tracker, **values), page


_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_IDS = re.compile(r'\sid="([^"]*)"')  # record text cannot open an attribute: its quotes are escaped
_FIRST_SECTION = re.compile(r"^<h2 ", re.MULTILINE)
# Cells, terms and items written end to end ("<dt>UniProt</dt><dd>P04626</dd>") lose their
# boundary in search text, which keeps only the words: a space between them keeps "UniProt" and
# "P04626" apart (and changes nothing on screen: whitespace between cells is not rendered).
_GLUED = re.compile(r"</(dt|dd|td|th|caption|li)>(?=<)")


@dataclass(frozen=True)
class RenderedPage:
    """A generated page as HTML. `head` is what search indexes; `rest` (kept zlib-compressed, so a
    large build holds little) follows it on the page but stays out of the search index: a record
    page's search entry is its title and facts (names, synonyms, code names, mechanism), not its
    tables (about 1 KB a page instead of 5-6 KB)."""

    front_matter: str  # "---\ntitle: …\n---\n", read by MkDocs for the page title
    head: str
    rest_z: bytes
    toc: tuple  # Python-Markdown toc tokens
    linked_data: str = ""  # schema.org JSON-LD for the page's <head> (site/linked_data.py)
    rest_text: str | None = None  # `rest` uncompressed, for a page written as soon as rendered
    search_only: str = ""  # what the page's search document adds to `head`: its search filters
    # The rows of each paged list's table on the page (listing.page_rows_chunks), for the list's
    # rows file (rows_files).
    rows: tuple[tuple[str, int, bytes], ...] = ()

    @property
    def rest(self) -> str:
        if self.rest_text is not None:
            return self.rest_text
        return zlib.decompress(self.rest_z).decode("utf-8") if self.rest_z else ""

    @property
    def html(self) -> str:
        return self.head + self.rest

    @property
    def anchors(self) -> frozenset:
        """Every id on the page, for MkDocs' anchor validation: found when asked (only pages
        that hand-written pages link into are asked; finding them on every page was 3% of a
        build's CPU)."""
        return frozenset(_IDS.findall(self.html))

    def markdown(self) -> str:
        """The page as a Markdown file for plain MkDocs (`pipeline-tracker render`): the same HTML,
        with Material's data-search-exclude on the headings of the unindexed part."""
        rest = _FIRST_SECTION.sub("<h2 data-search-exclude ", self.rest)
        return f"{self.front_matter}\n{self.head}{rest}"


def rendered_page(
    text: str, page: PageContext, indexed_whole: bool, compress: bool = True
) -> RenderedPage:
    match = _FRONT_MATTER.match(text)
    front, body = (text[: match.end()], text[match.end() :]) if match else ("", text)
    body = body.lstrip()  # text before the <h1> would become a search section of its own
    body = cards.label_cells(body)  # data-label on cells: rows read as cards on a phone
    split = (
        len(body)
        if indexed_whole
        else (m.start() if (m := _FIRST_SECTION.search(body)) else len(body))
    )
    head, rest = body[:split], body[split:]
    head = _GLUED.sub(r"</\1> ", head)
    return RenderedPage(
        front_matter=front,
        head=head,
        rest_z=zlib.compress(rest.encode("utf-8"), 1) if rest and compress else b"",
        rest_text=None if compress else rest,
        toc=tuple(page.toc),
    )


# Paged lists that are no filterable table (a landscape matrix, the bars, a list of findings):
# they need no rows.json.gz, so none is rendered for them.
NO_ROWS_JSON = frozenset(
    [urls.landscape_view_src(v) for v in ("modality", "targets", "indications", "pipeline")]
    + [urls.quality_check_src(c) for c in ("unused", "imported")]
)


def paged_lists(tracker: Tracker) -> dict[str, tuple[str, str, int]]:
    """The lists that are cut into pages when long (site/listing.py): the source path of the
    first page → (template, kind, how many rows the list pages)."""
    lists: dict[str, tuple[str, str, int]] = {
        urls.page_src(kind, "index"): (
            f"index_{kind}.html.j2",
            kind,
            listing.index_rows(tracker, kind),
        )
        for kind in PAGE_KINDS
    }
    lists["deals.md"] = ("deals.html.j2", "", len(tracker.deals()))
    lists["landscapes/regions.md"] = (
        "landscape_regions.html.j2",
        "",
        len(listing.region_view(tracker).rows),
    )
    for name, view in listing.landscape_views(tracker).items():
        if listing.paged(listing.landscape_rows(view)):  # else the view stays on landscapes/
            lists[urls.landscape_view_src(name)] = (
                "landscapes.html.j2",
                "",
                listing.landscape_rows(view),
            )
    for src, drugs in listing.cell_pages(tracker).items():  # a landscape cell past its "more"
        lists[src] = (CELL_TEMPLATE, "", drugs)
    report = listing.quality_report(tracker, quality.build_today())
    for check, rows in listing.quality_lists(report).items():
        if listing.paged(len(rows)):  # else the check's findings stay on quality/ itself
            lists[urls.quality_check_src(check)] = ("quality.html.j2", "", len(rows))
    return lists


SECTION_TEMPLATE = "record_section.html.j2"  # a further page of a long section of a record
CELL_TEMPLATE = "landscape_cell.html.j2"  # the pages of a landscape cell past its "more"


def section_jobs(
    tracker: Tracker, kind: str, record_id: str, long_sections: dict | None = None
) -> list[tuple[str, str, str, str]]:
    """The further pages of the long sections of a record's page (listing.record_sections, or
    `long_sections` as made before)."""
    every = listing.record_sections(tracker) if long_sections is None else long_sections
    sections = every.get((kind, record_id))
    if not sections:
        return []
    return [
        (urls.section_part_src(kind, record_id, section, part), SECTION_TEMPLATE, kind, "")
        for section, rows in sections.items()
        for part in range(2, listing.parts(rows) + 1)
    ]


def page_jobs(
    tracker: Tracker,
    lists: dict[str, tuple[str, str, int]] | None = None,
    sections: dict[tuple[str, str], dict[str, int]] | None = None,
) -> list[tuple[str, str, str, str]]:
    """(src path, template, kind, record id or "") for every generated page, in a fixed order;
    a long list's further pages follow its first (urls.list_part_src), a record's long sections'
    further pages follow its page (section_jobs). `lists`, `sections`: paged_lists and
    listing.record_sections as made before (`mkdocs serve`, until it makes them again after an
    edit: at 10,000 drugs, finding the long sections takes seconds)."""
    lists = paged_lists(tracker) if lists is None else lists
    sections = listing.record_sections(tracker) if sections is None else sections
    jobs: list[tuple[str, str, str, str]] = []

    def listed(src: str, template: str, kind: str = "") -> None:
        count = listing.parts(lists[src][2]) if src in lists else 1
        jobs.extend(
            (urls.list_part_src(src, part), template, kind, "") for part in range(1, count + 1)
        )

    for kind in PAGE_KINDS:
        template = f"{SINGULAR[kind]}.html.j2"
        for record_id in tracker.ids(kind):
            jobs.append((page_path(kind, record_id), template, kind, record_id))
            jobs.extend(section_jobs(tracker, kind, record_id, sections))
        listed(f"{kind}/index.md", f"index_{kind}.html.j2", kind)
    jobs.append(("timeline.md", "timeline.html.j2", "", ""))
    if listing.event_years(tracker):  # a long timeline: a page per year (or month)
        jobs.extend(
            (urls.timeline_year_src(p.slug), "timeline.html.j2", "", "")
            for p in listing.timeline_pages(tracker)
        )
    jobs.append(("recent.md", "recent.html.j2", "", ""))
    listed("deals.md", "deals.html.j2")
    jobs.append(("landscapes/index.md", "landscapes.html.j2", "", ""))
    listed("landscapes/regions.md", "landscape_regions.html.j2")
    for src, (template, _kind, _rows) in lists.items():
        if template == "landscapes.html.j2":
            listed(src, template)
    for src, (template, _kind, _rows) in lists.items():
        if template == CELL_TEMPLATE:
            listed(src, template)
    jobs.append(("quality.md", "quality.html.j2", "", ""))
    for src in lists:
        if src.startswith(urls.QUALITY):
            listed(src, "quality.html.j2")
    return jobs


class RowsList(NamedTuple):
    """A paged list whose table has filters, so a rows file (urls.list_rows_url): where its pages
    are, how many there are, and the source path of each (a record's section: its first page
    is the record's page)."""

    list_url: str
    parts: int
    pages: tuple[str, ...]  # source paths, page 1 first
    part_url: Callable[[int], str] | None  # as listing.pager's


def rows_lists(tracker: Tracker) -> dict[str, RowsList]:
    """Rows file's address from the site root → its list, for every paged list with filters:
    the long lists (paged_lists; not a landscape, the bars or a list of findings, which have no
    filter) and the long sections of record pages with filters (listing.SECTIONS_WITH_ROWS_JSON)."""
    found = {}
    for src, (template, _kind, rows) in paged_lists(tracker).items():
        if listing.paged(rows) and src not in NO_ROWS_JSON and template != CELL_TEMPLATE:
            count = listing.parts(rows)
            pages = tuple(urls.list_part_src(src, n) for n in range(1, count + 1))
            found[urls.list_rows_url(urls.src_url(src))] = RowsList(
                urls.src_url(src), count, pages, None
            )
    for (kind, record_id), sections in listing.record_sections(tracker).items():
        for section, rows in sections.items():
            if section not in listing.SECTIONS_WITH_ROWS_JSON:
                continue
            list_url = urls.section_url(kind, record_id, section)
            count = listing.parts(rows)
            pages = (page_path(kind, record_id),) + tuple(
                urls.section_part_src(kind, record_id, section, n) for n in range(2, count + 1)
            )
            found[urls.list_rows_url(list_url)] = RowsList(
                list_url,
                count,
                pages,
                functools.partial(urls.section_part_url, kind, record_id, section),
            )
    return found


def rows_files(tracker: Tracker, chunks) -> dict[str, bytes]:
    """Every paged list's rows file (gzipped JSON: listing.rows_file) from the rows its pages
    hold (`chunks`: RenderedPage.rows of every page that has any): a row, its citations and
    notes numbered as on the page it is on."""
    by_file: dict[str, dict[int, bytes]] = {}
    for rows_url, part, rows in chunks:
        by_file.setdefault(rows_url, {})[part] = rows
    return {
        rows_url: listing.rows_file(
            listing.assemble_rows(
                every.list_url, every.parts, by_file.get(rows_url, {}), every.part_url
            )
        )
        for rows_url, every in rows_lists(tracker).items()
    }


def list_rows_files(tracker: Tracker, options: SiteOptions) -> dict[str, bytes]:
    """Every row of each paged list as gzipped JSON (rows_files), beside its first page
    (urls.list_rows_url), from its pages rendered here (a build takes them from the pages it
    writes: mkdocs_adapter, RenderedPage.rows)."""
    wanted = {src for every in rows_lists(tracker).values() for src in every.pages}
    jobs = [job for job in page_jobs(tracker) if job[0] in wanted]
    return rows_files(
        tracker,
        (chunk for job in jobs for chunk in render_job(tracker, options, job, compress=False).rows),
    )


def _section_values(tracker: Tracker, src: str, part: int | None = None) -> dict:
    """What record_section.html.j2 gets: the record, its name, which section and which page."""
    kind, record_id, section = urls.section_of_src(src)
    return {
        "kind": kind,
        "id": record_id,
        "r": tracker.get(kind, record_id),
        "name": display_name(tracker, kind, record_id),
        "section": section,
        "part": urls.part_of_src(src) if part is None else part,
    }


def _list_values(
    tracker: Tracker,
    src: str,
    kind: str,
    options: SiteOptions,
    part: int | None = None,
    template: str = "",
) -> dict:
    """What a list's template gets: its kind, which of its pages (0: all of it, as no page shows
    it: the tests' whole list) and where its first page is; on a quality page, the report and
    which check."""
    values: dict[str, object] = {"kind": kind} if kind else {}
    values.update(
        part=urls.part_of_src(src) if part is None else part, list_url=urls.list_url_of_src(src)
    )
    if template == "timeline.html.j2":
        values["year"] = urls.timeline_year_of_src(src)
    if template == "landscapes.html.j2":
        values["view"] = urls.landscape_view_of_src(src)
    if template == CELL_TEMPLATE:
        values["cell"] = listing.landscape_cell(tracker, urls.list_url_of_src(src))
    if src == "quality.md" or src.startswith(urls.QUALITY):
        values["q"] = listing.quality_report(tracker, quality.build_today(options.today))
        values["check"] = urls.quality_check_of_src(src)
    return values


def render_job(
    tracker: Tracker, options: SiteOptions, job: tuple[str, str, str, str], compress: bool = True
) -> RenderedPage:
    """One page of page_jobs. `compress`: keep the unindexed rest zlib-compressed (a page held
    until MkDocs writes it) or not (a page written at once)."""
    src, template, kind, record_id = job
    if record_id:
        text, page = _render(
            tracker, template, src, options, id=record_id, r=tracker.get(kind, record_id)
        )
        text, described = search_meta.decorate(text, tracker, kind, record_id)
        rendered = rendered_page(text, page, indexed_whole=False, compress=compress)
        node = linked_data.record_node(tracker, kind, record_id, options.site_url, described)
        return replace(
            rendered,
            linked_data=escape.script_json(node) if node else "",
            search_only=search_meta.search_filters_html(tracker, kind, record_id),
            rows=listing.page_rows_chunks(src, text),
        )
    if template == SECTION_TEMPLATE:  # indexed: its heading and where it belongs, not its rows
        text, page = _render(tracker, template, src, options, **_section_values(tracker, src))
        rendered = rendered_page(text, page, indexed_whole=False, compress=compress)
    else:
        values = _list_values(tracker, src, kind, options, None, template)
        text, page = _render(tracker, template, src, options, **values)
        rendered = rendered_page(text, page, indexed_whole=True, compress=compress)
    rows = listing.page_rows_chunks(src, text)
    return replace(rendered, rows=rows) if rows else rendered


# Set just before worker processes fork, so they inherit the tracker instead of unpickling it.
_FORKED: tuple[Tracker, SiteOptions, list] | None = None
PARALLEL_MIN_PAGES = 500  # below this, starting a process costs more than it saves
WORKERS_ENV = "PIPELINE_TRACKER_WORKERS"  # "1": render in this process only


def render_workers() -> int:
    """How many processes render pages: PIPELINE_TRACKER_WORKERS if set, else one per core (at
    most two: the pages' HTML then travels back to this process, which writes them)."""
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        return int(wanted)
    return min(2, os.cpu_count() or 1)


def _render_share(share: int, shares: int) -> list[RenderedPage]:
    tracker, options, jobs = _FORKED  # type: ignore[misc]
    return [render_job(tracker, options, job) for job in jobs[share::shares]]


def render_pages(
    tracker: Tracker,
    options: SiteOptions = SiteOptions(),
    workers: int = 1,
    meanwhile: Callable[[], None] | None = None,
    jobs: list[tuple[str, str, str, str]] | None = None,
) -> dict[str, RenderedPage]:
    """Every generated HTML page: Markdown source path → page. With workers > 1 (and a tree large
    enough, on a system that can fork) pages are rendered in forked processes, one share each,
    while this process runs `meanwhile`; the pages are the same as rendered one by one, in the
    same order. `jobs`: only these (of page_jobs)."""
    global _FORKED
    chosen = jobs is not None  # a few heavy listing pages: worth a process however few
    jobs = page_jobs(tracker) if jobs is None else jobs
    few = len(jobs) < PARALLEL_MIN_PAGES and not chosen
    if workers <= 1 or not jobs or few or "fork" not in mp.get_all_start_methods():
        if meanwhile:
            meanwhile()
        return {job[0]: render_job(tracker, options, job) for job in jobs}
    compile_templates(jobs)
    _FORKED = (tracker, options, jobs)
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_render_share, share, workers) for share in range(workers)]
            if meanwhile:
                meanwhile()
            shares = [future.result() for future in futures]
    finally:
        _FORKED = None
    rendered: list = [None] * len(jobs)
    for share, pages in enumerate(shares):
        rendered[share::workers] = pages
    return {job[0]: page for job, page in zip(jobs, rendered)}


def compile_templates(jobs: list[tuple[str, str, str, str]]) -> None:
    """Compile the jobs' templates, and the templates they import, here before forking: each
    forked process would otherwise compile them again (the imported ones, at their first import
    there: about 5% of a 1,000-drug build's CPU)."""
    env = environment()
    imported = env.list_templates(extensions=["j2"])
    for template in sorted({job[1] for job in jobs} | set(imported)):
        env.get_template(template)
    components()


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


_CALL: Callable[[], object] | None = None


def _call_forked() -> object:
    return _CALL()  # type: ignore[misc]


def in_forked_process(call: Callable[[], object]) -> object:
    """`call()` in a forked process (which inherits this one's data instead of unpickling it);
    its result comes back pickled, its memory goes with the process."""
    global _CALL
    _CALL = call
    try:
        with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as pool:
            return pool.submit(_call_forked).result()
    finally:
        _CALL = None


def is_record_job(job: tuple[str, str, str, str]) -> bool:
    """A record's own page (drug, target, …), as opposed to an index or listing page."""
    return bool(job[3])


_EACH: tuple[Tracker, SiteOptions, list, Callable] | None = None


def _consume(tracker, options, jobs, consume) -> dict:
    said = {}
    for job in jobs:
        value = consume(job[0], render_job(tracker, options, job, compress=False))
        if value is not None:
            said[job[0]] = value
    return said


def _consume_share(share: int, shares: int) -> tuple[int, dict]:
    tracker, options, jobs, consume = _EACH  # type: ignore[misc]
    return len(jobs[share::shares]), _consume(tracker, options, jobs[share::shares], consume)


def render_each(
    tracker: Tracker,
    options: SiteOptions,
    jobs: list[tuple[str, str, str, str]],
    consume: Callable[[str, RenderedPage], object],
    workers: int = 1,
) -> dict[str, object]:
    """Render `jobs` and hand each page to `consume(src path, page)` in the process that rendered
    it (with workers > 1, forked processes, one share each, as render_pages): pages are written
    as they are made and no process holds them all. Returns what `consume` returned that was not
    None, by src path."""
    global _EACH
    if workers <= 1 or len(jobs) < PARALLEL_MIN_PAGES or "fork" not in mp.get_all_start_methods():
        return _consume(tracker, options, jobs, consume)
    compile_templates(jobs)
    _EACH = (tracker, options, jobs, consume)
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_consume_share, share, workers) for share in range(workers)]
            shares = [future.result() for future in futures]
    finally:
        _EACH = None
    assert sum(count for count, _ in shares) == len(jobs)
    return {src: value for _, said in shares for src, value in said.items()}


def relative(from_src: str, to_url: str) -> str:
    """Relative URL between two directory-style page URLs (used by tests and exports)."""
    start = posixpath.dirname(from_src)
    return posixpath.relpath(to_url, start or ".")

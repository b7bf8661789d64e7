"""What the site's search sees of a record page: a short preview line and the ids readers type.

Material's search indexes a record page's head (title and facts, see render.RenderedPage). This
module adds two things to it:

- a one-line summary under the title (what the record is, its highest phase, its key ids), which
  is the first text of the page's search entry and so the preview a result shows;
- the names and identifiers readers type (a drug's, target's, company's or indication's own name,
  registry ids, code names, synonyms, HGNC symbols and ids, UniProt accessions, Chinese names) as
  the page's search `tags`, a field Material's search boosts far above title and text, so the
  page holding a name or an id ranks first (on the 1,000-drug synthetic tree, "Synthco 0000",
  named on the pages of hundreds of its drugs, did not bring its company's page among the
  first results before its name was here). Without the tags plugin Material
  shows tags only in search results, not on the page.

Chinese names are indexed as whole tokens (a Chinese name is one "word" between separators):
Material's search worker splits a Chinese query using the index's own terms, so typing a name
finds it with no segmentation at build time (no jieba) and no third-party request.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from pipeline_tracker.model.claims import display_name, identity_fact, status_label
from pipeline_tracker.records.phases import (
    LADDER,
    SPECIAL_ACCESS_ONLY,
    WORLDWIDE,
    region_code,
    region_name,
)
from pipeline_tracker.site import escape, urls
from pipeline_tracker.site.fragments import counted

_H1_END = re.compile(r"</h1>\n?")


# A record page's kind as its summary line and the search box's kind filter name it.
KIND_LABELS = {
    "drugs": "Drug",
    "targets": "Target",
    "companies": "Company",
    "indications": "Indication",
    "trials": "Trial",
    "sources": "Source",
}


def _phase(tracker, drug: str) -> str:
    best = tracker.highest_phase(drug)
    if best is None:
        return SPECIAL_ACCESS_ONLY if tracker.special_access_rows(drug) else "no phase recorded"
    return f"highest phase {stage_text(tracker, best)}"


def stage_text(tracker, row) -> str:
    """A status row in plain words with its qualifiers, where it holds: "approved (phase
    inferred) (breast cancer, China)", "special access (cholangiocarcinoma, China · Hainan)"."""
    where = display_name(tracker.records, "indications", row.indication)
    return f"{status_label(row).plain} ({where}, {region_name(row.region)})"


def _ids(data: dict, keys) -> list[str]:
    return [str(data[k]) for k in keys if data.get(k) not in (None, "")]


def summary_and_tags(tracker, kind: str, record_id: str) -> tuple[list[str], list[str]]:
    """(summary parts, search tags) for one record page; both plain text."""
    d = tracker.get(kind, record_id)
    ext = list((d.get("external_ids") or {}).values())
    if kind == "drugs":
        companies = []
        for c in d.get("companies") or []:
            name = display_name(tracker.records, "companies", c["company"])
            if name not in companies:
                companies.append(name)
        modality = identity_fact(d, "modality")
        parts = [KIND_LABELS[kind], modality.plain if modality.stated else "modality not stated"]
        parts.append(_phase(tracker, record_id))
        parts += [", ".join(companies)] if companies else []
        tags = (
            _ids(d, ["name"])
            + list(d.get("code_names") or [])
            + list(d.get("synonyms") or [])
            + _ids(d, ["inn", "name_zh"])
            + ext
        )
    elif kind == "targets":
        parts = [KIND_LABELS[kind], d.get("name", "")] + _ids(d, ["hgnc"])
        parts += [f"UniProt {d['uniprot']}"] if d.get("uniprot") else []
        tags = _ids(d, ["symbol", "name", "hgnc", "uniprot", "ncbi_gene"])
        tags += list(d.get("aliases") or [])
    elif kind == "trials":
        reg = [r["id"] for r in d.get("registry_ids") or [] if r.get("id")]
        drugs = [display_name(tracker.records, "drugs", x) for x in d.get("drugs") or []]
        parts = (
            [KIND_LABELS[kind], d.get("phase", "")] + reg + [", ".join(drugs), d.get("status", "")]
        )
        tags = reg + _ids(d, ["acronym"])
    elif kind == "companies":
        count = len(tracker.drugs_of_company(record_id))
        parts = [KIND_LABELS[kind], region_name(d["country"]) if d.get("country") else ""]
        parts.append(f"{counted(count, 'drug')} tracked")
        best = tracker.company_highest_phase(record_id)
        if best is not None:
            parts.append(f"highest phase within its territory and role {status_label(best).plain}")
        tags = _ids(d, ["name"]) + list(d.get("aliases") or []) + _ids(d, ["name_zh"])
    elif kind == "indications":
        count = len(tracker.drugs_in_indication(record_id))
        parts = [KIND_LABELS[kind], f"{counted(count, 'drug')} tracked"] + ext
        tags = _ids(d, ["name"]) + list(d.get("synonyms") or []) + ext
    else:
        parts = [KIND_LABELS[kind]] + _ids(d, ["publisher", "date"])
        tags = []
    seen: list[str] = []
    for tag in tags:
        if isinstance(tag, (str, int)) and str(tag).strip() and str(tag) not in seen:
            seen.append(str(tag))
    return [p for p in parts if p], seen


def filter_lists(values: dict[str, set[str]]) -> dict[str, list[str]]:
    """The search box's filters (kind, phase, status, region) and their values in the order it
    lists them, from each filter's values in the index, as the Drugs index lists its own
    (PageContext.filter_options): kinds as KIND_LABELS has them; phases highest first, special
    access last, with those a drug holds only in a region (read off the "stage" values: "special
    access only" in China · Hainan for a drug in phase 2 elsewhere); statuses by name; regions
    by name, Worldwide first. A filter needs two values."""
    kinds = [label for label in KIND_LABELS.values() if label in values.get("kind", ())]
    worldwide = region_name(WORLDWIDE)
    regions = sorted(values.get("region", ()), key=lambda name: (name != worldwide, name))
    phases = set(values.get("phase", ()))
    for stage in values.get("stage", ()):
        for region in regions:
            tail = stage_filter("", region)
            if stage.endswith(tail) and len(stage) > len(tail):
                phases.add(stage[: -len(tail)])
    ladder = [*reversed(LADDER), SPECIAL_ACCESS_ONLY]
    ladder.insert(ladder.index("approved"), "phase 4")  # a trial's phase

    def rank(phase: str) -> tuple[int, str]:
        return (ladder.index(phase) if phase in ladder else len(ladder), phase)

    lists = {
        "kind": kinds,
        "phase": sorted(phases, key=rank),
        "status": sorted(values.get("status", ())),
        "region": regions,
    }
    # A filter with one value narrows nothing (as a drug table's, PageContext.shown_filters,
    # but for its phase, which there says what the table holds).
    return {name: found for name, found in lists.items() if len(found) > 1}


def filter_layout(values: dict[str, set[str]]) -> dict:
    """What pagefind/parts.json tells the search box of its filters (search_index.index_site):
    each filter's values in filter_lists' order, each with the Drugs index's value for it (its
    `?phase=`, `?status=`, `?region=`: urls.phase_filter_value, the status, the region's code;
    "" where the index has none, as for a kind or a trial's phase 4), and the Drugs index's
    address. Chosen filters whose values all have one are the same question the index answers
    in its table (search_filters means what its filters mean), which the box links to."""

    def index_value(name: str, value: str) -> str:
        if name == "phase":
            if value == SPECIAL_ACCESS_ONLY:
                return urls.SPECIAL_ACCESS_KEY
            return urls.phase_filter_value(value) if value in LADDER else ""
        if name == "region":
            return region_code(value)
        return value if name == "status" else ""

    lists = filter_lists(values)
    return {
        "filters": {
            name: [[value, index_value(name, value)] for value in found]
            for name, found in lists.items()
        },
        "drugs_index": urls.index_url("drugs"),
    }


def search_filters(tracker, kind: str, record_id: str) -> list[tuple[str, str]]:
    """(filter, value) pairs a record page is found by in the search box's filters, meaning what
    the Drugs index's filters mean (PageContext.filter_attrs). Its kind (as its summary line says
    it). A drug's headline phase (Tracker.highest_phase; "special access only" when it has no
    phase), every status its rows hold (Tracker.row_facets), every region its rows lie within,
    and, per region (Tracker.stage_by_region: China holds a Hainan row), its stage there
    ("stage": "approved in China"), the statuses its rows there hold ("status_in": "discontinued
    in China") and the two together ("stage_status": "approved, active in China"). So a phase, a
    status and a region chosen together mean them in that region, not a phase somewhere and a
    row in the region. A trial's phase as its record gives it. A value keeps no qualifier of the
    fact (inferred, approximate): the result's preview, its summary line, shows them."""
    found = [("kind", KIND_LABELS[kind])]
    if kind == "drugs":
        best = tracker.highest_phase(record_id)
        if best is not None:
            found.append(("phase", stage_value(best)))
        elif tracker.special_access_rows(record_id):
            found.append(("phase", SPECIAL_ACCESS_ONLY))
        facets = tracker.row_facets(tracker.phase_rows.get(record_id, []))
        found += [("status", status) for status in sorted({s for r, _, s in facets if not r})]
        held: dict[str, set[str]] = {}
        for code, _route, status in facets:
            if code:
                held.setdefault(region_name(code), set()).add(status)
        stages = sorted(
            (region_name(code), stage_value(row))
            for code, row in tracker.stage_by_region(record_id).items()
        )
        found += [("region", region) for region, _ in stages]
        for region, phase in stages:
            found.append(("stage", stage_filter(phase, region)))
            for status in sorted(held.get(region, ())):
                found.append(("status_in", stage_filter(status, region)))
                found.append(("stage_status", stage_filter(f"{phase}, {status}", region)))
    elif kind == "trials":
        phase = tracker.get(kind, record_id).get("phase")
        if phase:
            found.append(("phase", str(phase)))
    return found


def stage_value(row) -> str:
    """A status row as a phase filter's value: its phase ("approved" for an approval under any
    route, "phase 3" whatever its development status, which the status filter holds), "special
    access only" for special access, never a phase."""
    label = status_label(row)
    return SPECIAL_ACCESS_ONLY if label.special_access else label.phase


def stage_filter(value: str, region: str) -> str:
    """A hidden filter's value for a phase, a status or both ("approved, active") in a region;
    assets/search.js writes the same."""
    return f"{value} in {region}"


def stages_in_regions(tracker, kind: str, record_id: str) -> list[tuple[str, str]]:
    """(meta key, text) of a drug's stage in each region (Tracker.stage_by_region, stage_text)
    where it is not its headline (Tracker.highest_phase): ("stage in Japan", "highest phase in
    Japan: phase 2 (discontinued) (gastric cancer, Japan)"), as the Drugs index's phase column
    is headed with a region chosen. A result found with a region chosen shows its
    stage there (assets/search.js), the fact the filters matched, with its qualifiers; where
    there is none, the summary line's highest phase is the stage there."""
    if kind != "drugs":
        return []
    best = tracker.highest_phase(record_id)
    return sorted(
        (
            stage_filter("stage", region_name(code)),
            f"highest phase {where(code)}: {stage_text(tracker, row)}",
        )
        for code, row in tracker.stage_by_region(record_id).items()
        if row != best
    )


def where(code: str) -> str:
    """A region as a phrase after a phase: "in China", "worldwide"."""
    return "worldwide" if code == WORLDWIDE else f"in {region_name(code)}"


def search_filters_html(tracker, kind: str, record_id: str) -> str:
    """A record page's search_filters as Pagefind reads them, and a drug's stages_in_regions as
    its metadata, for its search document only (not the published page: about 1 KB a drug page,
    10 MB at 10,000 drugs): an element whose text search does not index
    (`data-pagefind-ignore`; its filters and metadata are still read). Pagefind writes
    filter values in a different order on every run, which search_index.canonical_filters
    undoes, so builds stay reproducible."""
    # f-strings of escaped text, not Markup.format: its formatter was most of this function's
    # time (0.25 s against 0.11 s for 1,000 drug pages); the bytes are the same.
    spans = "".join(
        f'<span data-pagefind-filter="{escape.html_text(name)}">{escape.html_text(value)}</span>'
        for name, value in search_filters(tracker, kind, record_id)
    ) + "".join(
        f'<span data-pagefind-meta="{escape.html_text(key)}">{escape.html_text(text)}</span>'
        for key, text in stages_in_regions(tracker, kind, record_id)
    )
    return f"<div hidden data-pagefind-ignore>{spans}</div>"


DESCRIPTION_LIMIT = 160  # characters: what search results and link previews show of it


def description(
    tracker,
    kind: str,
    record_id: str,
    parts: list[str] | None = None,
    limit: int = DESCRIPTION_LIMIT,
) -> str:
    """A record page's one-line description (plain text, at most `limit` characters): its name,
    then its summary line ("zanidatamab: Drug · bispecific antibody · highest phase …"). The
    page's <meta name="description">, its Open Graph description and its JSON-LD all use it.
    `parts`: the record's summary parts (summary_and_tags), when the caller has them already."""
    if parts is None:
        parts, _tags = summary_and_tags(tracker, kind, record_id)
    name = " ".join(escape.plain(display_name(tracker.records, kind, record_id)).split())
    text = " ".join(f"{name}: {' · '.join(escape.plain(p) for p in parts)}".split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ·,;:") + "…"


# Pagefind (the hooked build's search, site/search_index.py): words in the summary line count
# twice, the identifiers readers type ten times as much as other text (Material's `tags` boost).
_SUMMARY_WEIGHT = "2"
_IDS_WEIGHT = "10"


def decorate(text: str, tracker, kind: str, record_id: str) -> tuple[str, str]:
    """A rendered record page with its description and search tags in its front matter and a
    summary line after its title, and that description. Record text is escaped on the way in (HTML, then a JSON string YAML reads).

    For Pagefind the summary line is also the result's preview (`data-pagefind-meta`); the tags
    follow it in a `hidden` paragraph that only the search index reads (Material's search reads
    them from the front matter). The search filters are not on the page: search_filters_html
    adds them to the page's search document."""
    parts, tags = summary_and_tags(tracker, kind, record_id)
    described = description(tracker, kind, record_id, parts)
    if text.startswith("---\n"):
        # Material writes the description into <meta name="description"> unescaped: escaped
        # here, as titles are.
        head = f"description: {escape.front_matter_title(described)}\n"
        if tags:
            head += "tags:" + "".join(f"\n  - {escape.front_matter_title(t)}" for t in tags) + "\n"
        text = "---\n" + head + text[len("---\n") :]
    line = Markup(' <span class="pt-summary__sep">·</span> ').join(
        escape.html_text(p) for p in parts
    )
    summary = Markup(
        '<p class="pt-summary" data-pagefind-meta="summary" data-pagefind-weight="{}">{}</p>\n'
    ).format(_SUMMARY_WEIGHT, line)
    if tags:
        summary += names_line(tags)
    return _H1_END.sub(lambda m: m.group(0) + str(summary), text, count=1), described


def names_line(names: list[str]) -> Markup:
    """The names readers type to find a page, in a `hidden` paragraph only the search index
    reads, weighted ten times as much as other text. Also the result's `names` (one per " | "):
    the search box puts a result whose title or one of these names IS the query first
    (assets/search.js), whatever a longer page's word counts say ("trastuzumab" finds
    trastuzumab before trastuzumab deruxtecan, and before a page whose notes repeat the word)."""
    return Markup(
        '<p class="pt-search-ids" hidden data-pagefind-weight="{}" '
        'data-pagefind-meta="names">{}</p>\n'
    ).format(_IDS_WEIGHT, Markup(" | ").join(escape.html_text(n) for n in names))

"""What search engines and link previews read in a page's <head>: schema.org JSON-LD.

A `Drug` on drug pages, a `MedicalTrial` on trial pages, an `Organization` on company pages, a
`BioChemEntity` on target pages, a `MedicalCondition` on indication pages and a `CreativeWork` on
source pages, each with the identifiers its record holds and nothing more (no value is made up to
fill a property),
and a `Dataset` on the Open data page: its downloads, licence, data version
(Tracker.data_version) and the span of the records' development dates. Addresses are absolute
with site_url (urls.absolute); without it, pages' own addresses are left out and downloads are
relative to the Open data page (JSON-LD resolves them against the page).

Record pages get theirs as they are rendered (render.render_job, RenderedPage.linked_data), the
Open data page from dataset_script; the hook puts each page's JSON-LD, already encoded for a
<script> element (escape.script_json), into the page's meta, and the theme override
(overrides/main.html) writes it into the <head>.
Each record page's one-line description is search_meta.description.
"""

from __future__ import annotations

from pipeline_tracker.model.claims import display_name
from pipeline_tracker.model.tracker import Tracker
from pipeline_tracker.records import identifiers
from pipeline_tracker.site import escape, listing, search_meta, urls
from pipeline_tracker.site.exports import DATA_DIR, LICENCE

CONTEXT = "https://schema.org"
DATA_PAGE = "data.md"
DATA_PAGE_URL = "data/"
# Downloads the Dataset lists: the files directly under data/ (per-record shards and schemas are
# reached from tracker.json), by extension.
ENCODINGS = {
    ".json": "application/json",
    ".csv": "text/csv",
    ".parquet": "application/vnd.apache.parquet",
    ".sqlite": "application/vnd.sqlite3",
    ".db": "application/vnd.sqlite3",
    ".zip": "application/zip",
    ".gz": "application/gzip",  # tracker.sqlite.gz: the database, compressed
}
TRACKER_ID = "Open Pipeline Tracker id"


def _property(name: str, value, url: str | None = None) -> dict:
    prop = {"@type": "PropertyValue", "propertyID": name, "value": str(value)}
    if url:
        prop["url"] = url
    return prop


def _scheme_id(scheme: str, value) -> dict:
    """An external id as a PropertyValue, with its page in its home database when known."""
    iri = identifiers.iri(scheme, value)
    return _property(identifiers.label(scheme), value, escape.safe_url(iri) if iri else None)


def _names(*lists) -> list[str]:
    out: list[str] = []
    for values in lists:
        for value in values or []:
            if isinstance(value, str) and value.strip() and value not in out:
                out.append(value)
    return out


def _drug(tracker: Tracker, rid: str, data: dict) -> dict:
    node: dict = {"@type": "Drug", "name": data["name"]}
    if data.get("inn"):
        node["nonProprietaryName"] = data["inn"]
    alternate = _names(data.get("code_names"), data.get("synonyms"), [data.get("name_zh")])
    if alternate:
        node["alternateName"] = alternate
    if data.get("mechanism"):
        node["mechanismOfAction"] = data["mechanism"]
    ids = [_property(TRACKER_ID, rid)]
    ids += [_property("code name", code) for code in data.get("code_names") or []]
    ids += [_scheme_id(s, v) for s, v in (data.get("external_ids") or {}).items()]
    return _identified(node, ids)


def _identified(node: dict, ids: list[dict]) -> dict:
    """The node with its identifiers, and as sameAs the addresses of those that have one."""
    node["identifier"] = ids
    same = [p["url"] for p in ids if p.get("url")]
    if same:
        node["sameAs"] = same
    return node


def _trial(tracker: Tracker, rid: str, data: dict) -> dict:
    node: dict = {"@type": "MedicalTrial", "name": data["title"]}
    alternate = _names([data.get("acronym"), data.get("official_title")])
    if alternate:
        node["alternateName"] = alternate
    ids = [_property(TRACKER_ID, rid)]
    ids += [_scheme_id(r["registry"], r["id"]) for r in data.get("registry_ids") or []]
    node["identifier"] = ids
    if data.get("phase"):
        node["phase"] = data["phase"]
    conditions = [
        {"@type": "MedicalCondition", "name": display_name(tracker.records, "indications", i)}
        for i in data.get("indications") or []
    ]
    if conditions:
        node["healthCondition"] = conditions
    sponsors = [
        {"@type": "Organization", "name": display_name(tracker.records, "companies", c)}
        for c in data.get("sponsors") or []
    ]
    if sponsors:
        node["sponsor"] = sponsors
    return node


def _company(tracker: Tracker, rid: str, data: dict) -> dict:
    node: dict = {"@type": "Organization", "name": data["name"]}
    alternate = _names(data.get("former_names"), [data.get("name_zh")])
    if alternate:
        node["alternateName"] = alternate
    node["identifier"] = [_property(TRACKER_ID, rid)]
    if data.get("tickers"):
        node["tickerSymbol"] = list(data["tickers"])
    if data.get("country"):
        address = {"@type": "PostalAddress", "addressCountry": data["country"]}
        if data.get("city"):
            address["addressLocality"] = data["city"]
        node["address"] = address
    return node


def _target(tracker: Tracker, rid: str, data: dict) -> dict:
    """A target as a BioChemEntity: a record may name a gene, a protein or a complex."""
    node: dict = {"@type": "BioChemEntity", "name": data["name"]}
    alternate = _names([data.get("symbol")], data.get("aliases"))
    if alternate:
        node["alternateName"] = alternate
    ids = [_property(TRACKER_ID, rid)]
    ids += [_scheme_id(k, data[k]) for k in ("hgnc", "uniprot", "ncbi_gene") if data.get(k)]
    return _identified(node, ids)


def _indication(tracker: Tracker, rid: str, data: dict) -> dict:
    node: dict = {"@type": "MedicalCondition", "name": data["name"]}
    alternate = _names(data.get("synonyms"))
    if alternate:
        node["alternateName"] = alternate
    ids = [_property(TRACKER_ID, rid)]
    ids += [_scheme_id(s, v) for s, v in (data.get("external_ids") or {}).items()]
    return _identified(node, ids)


def _source(tracker: Tracker, rid: str, data: dict) -> dict:
    """A source as a CreativeWork: its title, publisher, author, date and address as recorded."""
    node: dict = {"@type": "CreativeWork", "name": data["title"]}
    node["identifier"] = [_property(TRACKER_ID, rid)]
    if data.get("publisher"):
        node["publisher"] = {"@type": "Organization", "name": data["publisher"]}
    if data.get("author"):
        node["author"] = data["author"]
    if data.get("date"):
        node["datePublished"] = str(data["date"])
    if data.get("language"):
        node["inLanguage"] = data["language"]
    if url := escape.safe_url(data.get("url")):
        node["sameAs"] = url
    return node


BUILDERS = {
    "drugs": _drug,
    "targets": _target,
    "companies": _company,
    "indications": _indication,
    "trials": _trial,
    "sources": _source,
}


def record_node(
    tracker: Tracker,
    kind: str,
    rid: str,
    site_url: str | None = None,
    description: str | None = None,
) -> dict | None:
    """The schema.org node of a record page (None for kinds without one). `description`: the
    page's (search_meta.description), when the caller has it already."""
    builder = BUILDERS.get(kind)
    if builder is None:
        return None
    node = {"@context": CONTEXT, **builder(tracker, rid, tracker.get(kind, rid))}
    node["description"] = description or search_meta.description(tracker, kind, rid)
    url = urls.absolute(site_url, urls.record_url(kind, rid, listing.event_years(tracker)))
    if url:
        node["url"] = url
    return node


def temporal_coverage(tracker: Tracker) -> str:
    """The span of the records' development dates (status rows and dated events), as an ISO 8601
    interval ("2019-03/2025-05-29"); "" when no record is dated."""
    dates = [row.date for rows in tracker.phase_rows.values() for row in rows if row.date]
    dates += [d for e in tracker.ids("events") if (d := tracker.get("events", e).get("date"))]
    dates = [str(d) for d in dates]
    if not dates:
        return ""
    first, last = min(dates), max(dates)
    return first if first == last else f"{first}/{last}"


def dataset_node(tracker: Tracker, files, site_url: str | None, site_name: str) -> dict:
    """The Open data page's Dataset: every download directly under data/, the licence, the data
    version and the temporal coverage."""
    distributions = []
    for path in sorted(files):
        folder, _, name = path.rpartition("/")
        extension = name[name.rfind(".") :] if "." in name else ""
        if folder != DATA_DIR or extension not in ENCODINGS:
            continue
        url = urls.absolute(site_url, path) or urls.relative(DATA_PAGE_URL, path)
        distributions.append(
            {
                "@type": "DataDownload",
                "name": name,
                "encodingFormat": ENCODINGS[extension],
                "contentUrl": url,
            }
        )
    node: dict = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "name": site_name,
        "description": "Sourced records of drug development: drugs, targets, companies, "
        "indications, trials, events and their sources, with every development status row.",
        "license": LICENCE["path"],
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": f"{site_name} curators"},
        "distribution": distributions,
    }
    if tracker.data_version:
        node["version"] = tracker.data_version
    coverage = temporal_coverage(tracker)
    if coverage:
        node["temporalCoverage"] = coverage
    page = urls.absolute(site_url, DATA_PAGE_URL)
    if page:
        node["url"] = page
    return node


def dataset_script(tracker: Tracker, files, site_url: str | None, site_name: str) -> str:
    """The Open data page's JSON-LD, encoded for a <script> element."""
    return escape.script_json(dataset_node(tracker, files, site_url, site_name))

"""Open data under /data/: whole-dataset JSON, per-kind CSVs, per-record JSON, schemas, datapackage.

Everything here depends only on the records and the schemas (never on the build date), and is
written in a fixed order, so the same records always give byte-identical files (gzip without a
name or time). JSON is written without indentation (a third smaller); the tables' CSV and the
per-record files are gzip-compressed (format 7). Per-record documents are bundled: a kind's
records sit in at most 256 files, `data/<kind>/<shard>.json.gz`, the shard being the first two hex digits of the
SHA-256 of the record's id (urls.json_shard): a site of 10,000 drugs publishes hundreds of files
for them, not tens of thousands, and no file grows past a few hundred KB.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator

from pipeline_tracker.model.tracker import PhaseRow, Tracker
from pipeline_tracker.records.dates import PRECISIONS, date_precision
from pipeline_tracker.records.evidence import citation_ids, citation_quotes
from pipeline_tracker.records.load import KINDS, SINGULAR
from pipeline_tracker.records.phases import (
    LADDER,
    OPENTARGETS_STAGES,
    SPECIAL_ACCESS,
    UNSPECIFIED_REGION,
    crosswalk,
)
from pipeline_tracker.records.schemas import load_schemas, resolve, schema_dir
from pipeline_tracker.site import listing, urls
from pipeline_tracker.site.export_schemas import (
    TRACKER_SCHEMA,
    documents_schema,
    published_schemas,
    schema_address,
)
from pipeline_tracker.site.table_formats import (
    Column,
    Database,
    Table,
    gzip_bytes,
    parquet_file,
    table_csv,
)

# Bump the major number when a field or a published path is removed or changes meaning.
# 4.0.0: per-record documents bundled into shards (data/<kind>/<shard>.json, was <id>.json);
# data/tracker.json lists the shards instead of holding every record and status row.
# 5.0.0: CSVs start with a UTF-8 byte-order mark; datapackage.json is Data Package v2 (its
# `version` is now the data version); data_version in every file; Parquet and SQLite added.
# 6.0.0: the database is published gzip-compressed, data/tracker.sqlite.gz (was tracker.sqlite:
# about 70 MB at 10,000 drugs, past a static host's 25 MiB a file); in the drugs' JSON documents a
# development status row leaves out the members it has no value for (was: every column, "" or
# null when empty), a fifth of those files.
# 7.0.0: the CSV tables and the per-record JSON files are published gzip-compressed, like the
# database (data/drugs.csv.gz, data/drugs/3f.json.gz; were .csv and .json): at 10,000 drugs they
# were 118 MB of the site's 1.3 GB as text (urls.table_path, urls.shard_path).
FORMAT_VERSION = "7.0.0"
SQLITE_PATH = "tracker.sqlite.gz"
SQLITE_NAME = "tracker.sqlite"  # what the database is called once decompressed
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
DATA_DIR = "data"
# Patterns (Frictionless `constraints.pattern`, matched against the whole cell) for the columns
# whose shape a program relies on: ids, lists of ids, dates.
SLUG = "[a-z0-9]+(-[a-z0-9]+)*"
IDS = f"{SLUG}(; {SLUG})*"
DATE = "[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?"
REGION = f"[A-Z]{{2}}(-[A-Z0-9]{{1,3}})?|{UNSPECIFIED_REGION}"
# Fields of a kind that get a reason column (`<field>_inferred`) beside them: the ones a trial or
# an event puts into development status rows. Every reason also stays in the `inferred` column.
INFERRED_COLUMNS = {
    "trials": ("phase", "indications", "countries", "start_date"),
    "events": ("type", "date", "indications", "regions"),
}


def _ids(name: str, description: str) -> Column:
    return Column(name, "string", f"{description}, separated by '; '", {"pattern": IDS})


def _quotes(name: str, of: str) -> Column:
    return Column(
        name, "array", f"The sources' words for {of}: JSON list of {{source, quote}}; empty if none"
    )


def _precision(date_column: str) -> Column:
    return Column(
        f"{date_column}_precision",
        "string",
        f"How precise {date_column} is: day, month or year (approximate: the source gives it "
        "only roughly); empty when there is no date. Read a month or year date as that month or "
        "year, not its first day",
        {"enum": list(PRECISIONS)},
    )


def _inferred(column: str) -> Column:
    return Column(
        f"{column}_inferred",
        "string",
        f"Why the curator inferred {column}; empty when the source states it",
    )


def _vocabulary(document: str, definition: str) -> list:
    """A controlled vocabulary as the JSON Schema lists it (the one source of its values)."""
    schemas = load_schemas(schema_dir())
    return list(resolve({"$ref": f"#/$defs/{definition}"}, document, schemas)[0]["enum"])


def _term_kinds() -> list:
    schemas = load_schemas(schema_dir())
    terms = resolve(schemas["events"]["properties"]["terms"], "events", schemas)
    items = resolve(terms[0]["items"], terms[1], schemas)[0]
    return list(resolve(items["properties"]["kind"], "events", schemas)[0]["enum"])


STATUS_COLUMNS = [
    Column(
        "drug", "string", "Drug id (its document: data/drugs/<shard>.json.gz)", {"pattern": SLUG}
    ),
    Column("indication", "string", "Indication id", {"pattern": SLUG}),
    _inferred("indication"),
    Column("biomarker", "string", "Population or biomarker the row is limited to"),
    Column("line", "string", "Line of therapy or setting"),
    Column(
        "region",
        "string",
        "ISO 3166 code, or a group: WW (worldwide), EU, XN (North America), XX (not named); an "
        "em dash when the basis names no region",
        {"pattern": REGION},
    ),
    _inferred("region"),
    Column(
        "phase",
        "string",
        "Phase on the ladder preclinical … approved, or 'special access' (never an approval)",
        {"enum": [*LADDER, SPECIAL_ACCESS]},
    ),
    _inferred("phase"),
    Column(
        "route",
        "string",
        "standard approval, conditional approval or special access; empty if not given",
        {"enum": _vocabulary("common", "route")},
    ),
    Column("scheme", "string", "The special-access scheme, as the source names it"),
    Column(
        "development_status",
        "string",
        "active, suspended, discontinued or withdrawn",
        {"enum": _vocabulary("common", "development_status")},
    ),
    Column(
        "date",
        "string",
        "ISO 8601 date, as precise as the source (YYYY, YYYY-MM or YYYY-MM-DD; see date_precision)",
        {"pattern": DATE},
    ),
    _precision("date"),
    _inferred("date"),
    Column(
        "date_approximate",
        "string",
        "The source's words when it gives the date only approximately; empty for an exact date",
    ),
    Column(
        "basis",
        "string",
        "status: stated by curators; trial or event: derived from that record",
        {"enum": ["status", "trial", "event"]},
    ),
    Column("basis_id", "string", "The trial or event id a derived row comes from"),
    _ids("sources", "Source ids"),
    _quotes("quotes", "this row"),
    Column("note", "string", "Curator's note"),
    Column(
        "chembl_max_phase",
        "number",
        "ChEMBL max_phase equivalent (4, 3, 2, 1, 0.5, -1; a combined-phase trial counts as the "
        "lower phase, as ChEMBL's FAQ 'What is max phase?' says); empty if none (preclinical: "
        "ChEMBL's NULL; special access)",
        {"enum": [4, 3, 2, 1, 0.5, -1]},
    ),
    Column(
        "opentargets_stage",
        "string",
        "Open Targets ClinicalStageCategory value (opentargets/clinical_mining, "
        "src/clinical_mining/schemas.py); empty when none fits (special access)",
        {"enum": list(OPENTARGETS_STAGES)},
    ),
    Column(
        "ctgov_phases",
        "string",
        "ClinicalTrials.gov phase values, separated by '; '",
        {"pattern": "[A-Z0-9_]+(; [A-Z0-9_]+)*"},
    ),
]
DEAL_COLUMNS = [
    Column(
        "event",
        "string",
        "Deal event id (its document: data/events/<shard>.json.gz; its entry on the timeline)",
        {"pattern": SLUG},
    ),
    Column(
        "date",
        "string",
        "ISO 8601 date, as precise as the source (see date_precision); empty when not reported",
        {"pattern": DATE},
    ),
    _precision("date"),
    _inferred("date"),
    Column(
        "parties",
        "string",
        "company id (role), separated by '; '",
        {"pattern": f"{SLUG} \\([a-z ]+\\)(; {SLUG} \\([a-z ]+\\))*"},
    ),
    _ids("drugs", "Drug ids"),
    Column(
        "territory",
        "string",
        "Region codes where the rights apply, separated by '; '",
        {"pattern": "[A-Z]{2}(-[A-Z0-9]{1,3})?(; [A-Z]{2}(-[A-Z0-9]{1,3})?)*"},
    ),
    Column(
        "territory_note", "string", "A curator's note on the territory (not the source's words)"
    ),
    Column(
        "territory_as_stated",
        "string",
        "The territory in the source's own words, from a quote; with no territory either: not stated",
    ),
    Column("rights", "string", "Which rights change hands"),
    Column(
        "term",
        "string",
        "upfront, milestones, royalties, equity or other; empty for a deal with no recorded "
        "term (one row per term, one row for a deal without terms)",
        {"enum": _term_kinds()},
    ),
    Column("description", "string", "The term in words"),
    Column("up_to", "boolean", "The amount is a maximum ('up to')"),
    Column("amount", "number", "The amount as printed, in units of its currency"),
    Column("currency", "string", "ISO 4217 code of the amount as printed"),
    Column("approximate", "boolean", "The source gives the amount as approximate"),
    Column(
        "usd_amount_as_printed",
        "number",
        "A US dollar equivalent only where the source prints one (never converted by us)",
    ),
    Column("usd_approximate", "boolean", "The source's US dollar figure is approximate"),
    _ids("term_sources", "Source ids of the term"),
    _quotes("term_quotes", "the term"),
    _ids("deal_sources", "Source ids of the deal"),
    _quotes("deal_quotes", "the deal"),
]


def _in_data(path: str) -> str:
    """A site path under data/ as the files in data/ name it (relative to data/)."""
    return path.removeprefix(f"{DATA_DIR}/")


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _bare(pattern: str | None) -> str | None:
    """A schema's anchored ECMA pattern (^…$) as a whole-cell pattern; None if it is not one
    anchored pattern (e.g. ^a$|^b$)."""
    if not pattern or not (pattern.startswith("^") and pattern.endswith("$")):
        return None
    inner = pattern[1:-1]
    return None if "^" in inner or "$" in inner else inner


def _citation_quotes(citations) -> list[dict]:
    return [{"source": s, "quote": q} for s, q in citation_quotes(citations)]


def _date_precision(value, approximate: object = False) -> str:
    """The one place a date column's precision is worked out: 'approximate' when the record
    gives the source's words for an approximate date (date_approximate)."""
    return date_precision(value, bool(approximate)) if isinstance(value, str) else ""


Getter = Callable[[dict], object]


def _ids_of(data: dict, name: str) -> list[str]:
    return list(citation_ids(data.get(name)))


def _quotes_of(data: dict, name: str) -> list[dict]:
    return _citation_quotes(data.get(name))


def _precision_of(data: dict, name: str) -> str:
    return _date_precision(data.get(name), name == "date" and data.get("date_approximate"))


def _inferred_of(data: dict, name: str) -> str:
    return (data.get("inferred") or {}).get(name, "")


def _get(data: dict, name: str):
    return data.get(name)


def _quotes_name(field_name: str) -> str:
    return "quotes" if field_name == "sources" else f"{field_name}_quotes"


def kind_columns(kind: str) -> list[tuple[Column, Getter]]:
    """A kind's CSV columns in schema order, each with how its cell is read from a record. Lists
    of plain values are '; '-joined; nested values are JSON; citations give source ids and, in a
    column of their own, quotes; a date has its precision beside it; the fields trials and
    events put into status rows have their inferred reason beside them."""
    schemas = load_schemas(schema_dir())
    date_pattern = resolve({"$ref": "#/$defs/date"}, "common", schemas)[0]["pattern"]
    columns: list[tuple[Column, Getter]] = []
    for name, prop in schemas[kind]["properties"].items():
        prop, doc = resolve(prop, kind, schemas)
        kind_of = prop.get("type")
        description = prop.get("description", "").strip()
        items = resolve(prop.get("items", {}), doc, schemas)[0] if kind_of == "array" else {}
        if items.get("title") == "Citation":
            ids = Column(
                name,
                "string",
                f"{description} Source ids, separated by '; ' (their quotes: {_quotes_name(name)})",
                {"pattern": IDS},
            )
            columns.append((ids, functools.partial(_ids_of, name=name)))
            quotes = _quotes(_quotes_name(name), name)
            columns.append((quotes, functools.partial(_quotes_of, name=name)))
            continue
        if kind_of in ("integer", "number", "boolean"):
            column = Column(name, kind_of, description)
        elif kind_of == "array" and items.get("type") not in ("object", "array", None):
            column = Column(name, "string", f"{description} (values separated by '; ')")
            if item := _bare(items.get("pattern")):
                column.constraints["pattern"] = f"({item})(; ({item}))*"
        elif kind_of in ("array", "object"):
            column = Column(name, kind_of, f"{description} (JSON)")
        elif prop.get("pattern") == date_pattern:
            column = Column(name, "string", f"{description} (see {name}_precision)")
            column.constraints["pattern"] = DATE
        else:
            column = Column(name, "string", description)
            if "enum" in prop:
                column.constraints["enum"] = list(prop["enum"])
            elif pattern := _bare(prop.get("pattern")):
                column.constraints["pattern"] = pattern
        columns.append((column, functools.partial(_get, name=name)))
        if column.constraints.get("pattern") == DATE:
            columns.append((_precision(name), functools.partial(_precision_of, name=name)))
        if name in INFERRED_COLUMNS.get(kind, ()):
            columns.append((_inferred(name), functools.partial(_inferred_of, name=name)))
    return columns


def kind_fields(kind: str) -> list[dict]:
    """Frictionless field descriptors for a kind's CSV."""
    return [column.descriptor() for column, _ in kind_columns(kind)]


def _reason(row: PhaseRow, field_name: str) -> str:
    """Why the curator inferred a row's field (the model maps record fields to row fields)."""
    return row.inferred_reason(field_name)


def status_row(row: PhaseRow) -> dict:
    """A status row as the exports give it (CSV and JSON alike): the row, why any of its fields
    is inferred, the precision of its date, and where it sits on other resources' scales."""
    mapped = crosswalk(row.phase, row.status)
    return {
        "drug": row.drug,
        "indication": row.indication,
        "indication_inferred": _reason(row, "indication"),
        "biomarker": row.biomarker,
        "line": row.line,
        "region": row.region,
        "region_inferred": _reason(row, "region"),
        "phase": row.phase,
        "phase_inferred": _reason(row, "phase"),
        "route": row.route,
        "scheme": row.scheme,
        "development_status": row.status,
        "date": row.date,
        "date_precision": _date_precision(row.date, row.date_approximate),
        "date_inferred": _reason(row, "date"),
        "date_approximate": row.date_approximate,
        "basis": row.basis,
        "basis_id": row.basis_id,
        "sources": list(row.sources),
        "quotes": [{"source": s, "quote": q} for s, q in row.quotes],
        "note": row.note,
        "chembl_max_phase": mapped.chembl_max_phase,
        "opentargets_stage": mapped.opentargets_stage,
        "ctgov_phases": list(mapped.ctgov_phases),
    }


def _status_rows(tracker: Tracker, drug: str | None = None) -> list[PhaseRow]:
    drugs = [drug] if drug else sorted(tracker.phase_rows)
    rows = [row for d in drugs for row in tracker.phase_rows.get(d, [])]
    rows.sort(key=lambda r: (r.drug, r.indication, r.region, -r.rank, r.basis, r.basis_id, r.date))
    return rows


def development_status(tracker: Tracker, drug: str | None = None) -> list[dict]:
    """Every stated and derived status row (one per region), in a stable order."""
    return [status_row(r) for r in _status_rows(tracker, drug)]


page_url = urls.record_url


def record_document(
    tracker: Tracker, kind: str, record_id: str, site_url: str | None = None
) -> dict:
    """The static-API document for one record: its data, where its page is (absolute with
    site_url, else relative to the document's file), who cites it."""
    here = f"{DATA_DIR}/{kind}"
    page = urls.record_url(kind, record_id, listing.event_years(tracker))
    document = {
        "page": urls.absolute(site_url, page) or urls.relative(here, page),
        "record": tracker.get(kind, record_id),
        "cited_by": {by: ids for by in KINDS if (ids := tracker.cited_by(kind, record_id, by))},
    }
    if kind == "drugs":
        document["development_status"] = [
            given(row) for row in development_status(tracker, record_id)
        ]
    return document


def given(row: dict) -> dict:
    """A status row as the JSON documents give it: without the members it has no value for (an
    empty text, list or number; the CSV's empty cells), which would otherwise be a fifth of the
    drugs' files. Every row still has the members that always hold a value (export_schemas)."""
    return {name: value for name, value in row.items() if value not in ("", None, [])}


def record_shards(tracker: Tracker, kind: str, site_url: str | None = None) -> dict[str, dict]:
    """Site path → the shard holding those records' documents, by id in id order; `$schema`
    names the file's schema (export_schemas)."""
    by_shard: dict[str, list[str]] = {}
    for rid in tracker.ids(kind):
        by_shard.setdefault(urls.json_shard(rid), []).append(rid)
    return {
        urls.shard_path(kind, shard): {
            "$schema": schema_address(documents_schema(kind), site_url, f"{DATA_DIR}/{kind}"),
            "format_version": FORMAT_VERSION,
            "data_version": tracker.data_version,
            "kind": kind,
            "shard": shard,
            "schema": schema_address(f"{kind}.schema.json", site_url, f"{DATA_DIR}/{kind}"),
            "records": {rid: record_document(tracker, kind, rid, site_url) for rid in sorted(ids)},
        }
        for shard, ids in sorted(by_shard.items())
    }


def dataset(tracker: Tracker, shards: dict[str, list[str]], site_url: str | None = None) -> dict:
    """data/tracker.json: where the whole dataset is. It held every record and status row until
    format 4; at 10,000 drugs that is over 70 MB, past what static hosts serve (25 MiB a file),
    so it now lists the files that hold them (paths relative to data/)."""
    return {
        "$schema": schema_address(TRACKER_SCHEMA, site_url, DATA_DIR),
        "format_version": FORMAT_VERSION,
        "data_version": tracker.data_version,
        "licence": LICENCE,
        "kinds": list(KINDS),
        "records": {
            kind: {"count": len(tracker.ids(kind)), "files": shards.get(kind, [])} for kind in KINDS
        },
        "development_status": _in_data(urls.table_path("development-status", "csv")),
        "datapackage": "datapackage.json",
        "sqlite": SQLITE_PATH,
    }


def kind_table(tracker: Tracker, kind: str) -> Table:
    columns = kind_columns(kind)
    rows = []
    for rid in tracker.ids(kind):
        data = tracker.get(kind, rid)
        rows.append({column.name: get(data) for column, get in columns})
    return Table(
        kind,
        f"One row per {kind} record: plain lists and ids joined with '; ', nested fields and "
        "quotes as JSON text, each date with its precision beside it.",
        [column for column, _ in columns],
        rows,
        primary_key=["id"],
    )


def status_table(tracker: Tracker) -> Table:
    return Table(
        "development-status",
        "One row per development status row and region: stated by curators, or derived from a "
        "trial or an approval or filing event (see basis).",
        STATUS_COLUMNS,
        development_status(tracker),
        foreign_keys=[
            (["drug"], "drugs", ["id"]),
            (["indication"], "indications", ["id"]),
        ],
        row_key="row",
    )


def deal_rows(tracker: Tracker) -> list[dict]:
    """One row per deal term (a deal without terms: one row with no term), deals newest first."""
    rows = []
    for event in tracker.deals():
        data = tracker.get("events", event)
        deal = {
            "event": event,
            "date": data.get("date", ""),
            "date_precision": _date_precision(data.get("date"), data.get("date_approximate")),
            "date_inferred": (data.get("inferred") or {}).get("date", ""),
            "parties": [f"{p['company']} ({p['role']})" for p in data.get("parties") or []],
            "drugs": data["drugs"],
            "territory": data.get("territory") or [],
            "territory_note": data.get("territory_note", ""),
            "territory_as_stated": data.get("territory_as_stated", ""),
            "rights": data.get("rights", ""),
            "deal_sources": list(citation_ids(data["sources"])),
            "deal_quotes": _citation_quotes(data["sources"]),
        }
        for term in data.get("terms") or [None]:
            term = term or {}
            money, usd = term.get("money") or {}, term.get("money_usd") or {}
            rows.append(
                {
                    **deal,
                    "term": term.get("kind", ""),
                    "description": term.get("description", ""),
                    "up_to": term.get("up_to", False) if term else None,
                    "amount": money.get("amount"),
                    "currency": money.get("currency", ""),
                    "approximate": money.get("approximate", False) if money else None,
                    "usd_amount_as_printed": usd.get("amount"),
                    "usd_approximate": usd.get("approximate", False) if usd else None,
                    "term_sources": list(citation_ids(term.get("sources") or [])),
                    "term_quotes": _citation_quotes(term.get("sources") or []),
                }
            )
    return rows


def deals_table(tracker: Tracker) -> Table:
    return Table(
        "deals",
        "One row per deal term (a deal without recorded terms: one row). Amounts as the source "
        "prints them; a US dollar figure only where the source gives one, never converted.",
        DEAL_COLUMNS,
        deal_rows(tracker),
        foreign_keys=[(["event"], "events", ["id"])],
    )


def tables(tracker: Tracker) -> Iterator[Table]:
    """The tables published as CSV and Parquet (and in the database), in a fixed order, each
    made when asked for."""
    for kind in KINDS:
        yield kind_table(tracker, kind)
    yield status_table(tracker)
    yield deals_table(tracker)


_STATUS_ROW = Column(
    "status_row",
    "integer",
    "The development_status row (its `row`) the tracker ranks highest here",
)


def model_tables(tracker: Tracker) -> list[Table]:
    """Tables only the database holds: the model's highest-phase decisions, exported as they
    are (each names the development_status row it chose; never re-derived in SQL), and one
    link table per pair of kinds a record names."""
    number = {id(r): n for n, r in enumerate(_status_rows(tracker), start=1)}
    by_region, by_indication = [], []
    for drug in tracker.ids("drugs"):
        for region, row in sorted(tracker.stage_by_region(drug).items()):
            by_region.append({"drug": drug, "region": region, "status_row": number[id(row)]})
        for row in tracker.highest_by_indication_region(drug):
            by_indication.append(
                {
                    "drug": drug,
                    "indication": row.indication,
                    "region": row.region,
                    "status_row": number[id(row)],
                }
            )
    drug_column, indication_column = STATUS_COLUMNS[0], STATUS_COLUMNS[1]
    region_column = next(c for c in STATUS_COLUMNS if c.name == "region")
    chosen = (["status_row"], "development-status", ["row"])
    found = [
        Table(
            "highest-phase-by-region",
            "A drug's highest phase in each region, as its page shows it (Tracker.stage_by_region:"
            " every region the row lies within, so a subdivision's row counts for its country; a "
            "region with special access only has that row, which is never a phase).",
            [
                drug_column,
                Column(
                    "region",
                    "string",
                    "The region asked about (the row's own region may lie within it)",
                    {"pattern": REGION},
                ),
                _STATUS_ROW,
            ],
            by_region,
            primary_key=["drug", "region"],
            foreign_keys=[(["drug"], "drugs", ["id"]), chosen],
            files=False,
        ),
        Table(
            "highest-phase-by-indication-region",
            "A drug's highest phase per indication and region "
            "(Tracker.highest_by_indication_region; special access never ranks).",
            [drug_column, indication_column, region_column, _STATUS_ROW],
            by_indication,
            primary_key=["drug", "indication", "region"],
            foreign_keys=[(["drug"], "drugs", ["id"]), chosen],
            files=False,
        ),
    ]
    links: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for (kind, rid), by in tracker.referenced_by.items():
        for by_kind, by_id in by:
            links.setdefault((by_kind, kind), set()).add((by_id, rid))
    for (by_kind, kind), pairs in sorted(links.items()):
        one, other = SINGULAR[by_kind], SINGULAR[kind]
        if one == other:
            other = f"cited_{other}"
        found.append(
            Table(
                f"{by_kind}-{kind}",
                f"Which {kind} each of the {by_kind} records names (anywhere in the record).",
                [
                    Column(one, "string", f"The {SINGULAR[by_kind]} id", {"pattern": SLUG}),
                    Column(other, "string", f"The {SINGULAR[kind]} id it names", {"pattern": SLUG}),
                ],
                [{one: a, other: b} for a, b in sorted(pairs)],
                primary_key=[one, other],
                foreign_keys=[([one], by_kind, ["id"]), ([other], kind, ["id"])],
                files=False,
            )
        )
    return found


# The common questions, answered from the tables above (names joined in; nothing re-derived).
VIEWS = {
    "highest_phase_per_drug_and_region": """
SELECT h.drug, d.name AS drug_name, h.region, s.phase, s.phase_inferred, s.route, s.scheme,
       s.development_status, s.date, s.date_precision, s.indication, i.name AS indication_name,
       s.region AS row_region, s.basis, s.basis_id, s.sources, h.status_row
FROM highest_phase_by_region AS h
JOIN drugs AS d ON d.id = h.drug
JOIN development_status AS s ON s."row" = h.status_row
LEFT JOIN indications AS i ON i.id = s.indication""",
    "deals_with_terms": """
SELECT deals.*, events.summary AS deal_summary
FROM deals JOIN events ON events.id = deals.event
WHERE deals.term IS NOT NULL""",
}


FORMATS = {
    "csv": ("text/csv", "CSV, UTF-8 with a byte-order mark, gzip-compressed"),
    "parquet": ("application/vnd.apache.parquet", "Apache Parquet"),
}


def datapackage(tracker: Tracker, published: list[Table], database: list[Table]) -> dict:
    """datapackage.json, Data Package v2: a resource for every table file (CSV and Parquet, the
    same fields and rows) and for the SQLite database; controlled vocabularies as categories."""
    resources: list[dict] = []
    for fmt, (mediatype, what) in FORMATS.items():
        for table in published:
            name = table.name if fmt == "csv" else f"{table.name}-{fmt}"
            schema = table.schema()
            for key in schema.get("foreignKeys", []):
                key["reference"]["resource"] += "" if fmt == "csv" else f"-{fmt}"
            resource = {
                "name": name,
                "type": "table",
                "path": _in_data(urls.table_path(table.name, fmt)),
                "format": fmt,
                "mediatype": mediatype,
                "title": f"{table.name} ({what})",
                "description": table.description,
                "licenses": [LICENCE],
                "schema": schema,
            }
            if fmt == "csv":
                resource["encoding"] = "utf-8"
                resource["compression"] = "gz"
            resources.append(resource)
    listed = ", ".join(t.sql_name for t in database)
    resources.append(
        {
            "name": "tracker-sqlite",
            "path": SQLITE_PATH,
            "format": "sqlite",
            "mediatype": "application/vnd.sqlite3",
            "compression": "gz",
            "title": "The whole tracker as one SQLite database, gzip-compressed",
            "description": f"One SQLite database, gzip-compressed (decompress it first: gunzip "
            f"-k {SQLITE_PATH} gives {SQLITE_NAME}; then Python's sqlite3, no extension needed): the "
            f"tables {listed}, with primary and foreign keys declared; a meta table with "
            "data_version and format_version; views highest_phase_per_drug_and_region and "
            "deals_with_terms. The CSV and Parquet tables hold the same rows.",
            "licenses": [LICENCE],
        }
    )
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "open-pipeline-tracker",
        "title": "Open Pipeline Tracker",
        "version": tracker.data_version,
        "format_version": FORMAT_VERSION,
        "licenses": [LICENCE],
        "contributors": [{"title": "The Open Pipeline Tracker contributors", "roles": ["author"]}],
        "sources": [
            {
                "title": "The public documents every fact cites: one row each in the sources "
                "table (title, publisher, date, URL), quoted in the quotes columns",
                "path": _in_data(urls.table_path("sources", "csv")),
            }
        ],
        "description": "Sourced records of drug development; version is the data version (it "
        "changes whenever a record does), format_version the version of these files' layout. "
        "Cells that begin with =, +, -, @, a tab or a carriage return (at the start, or after "
        "a ';') are prefixed with an apostrophe so spreadsheets do not run them as formulas; "
        "the Parquet files and the database hold the same cells.",
        "resources": resources,
    }


def schema_files(site_url: str | None = None) -> dict[str, bytes]:
    """The records' schemas and those of the JSON exports (export_schemas), as published."""
    return published_schemas(STATUS_COLUMNS, site_url)


# build_exports in parts that need nothing of each other, for processes side by side (serve):
# the records (JSON shards, tracker.json, the schemas) and the tables (CSV, Parquet, the
# database, datapackage.json).
EXPORT_PARTS = ("records", "tables")


def build_exports(tracker: Tracker, files=None, site_url: str | None = None, parts=EXPORT_PARTS):
    """Every open-data file: site path → bytes, put into `files` one by one as each is made (a
    StaticFiles writing to disk keeps a large tree's exports out of memory); a new dict if None.
    With site_url (mkdocs.yml) links and schema addresses are absolute (urls.absolute).
    `parts`: only those of EXPORT_PARTS."""
    files = {} if files is None else files
    if "records" in parts:
        shards: dict[str, list[str]] = {}
        for kind in KINDS:
            for path, shard in record_shards(tracker, kind, site_url).items():
                files[path] = gzip_bytes(_json(shard))
                shards.setdefault(kind, []).append(_in_data(path))
        files[f"{DATA_DIR}/tracker.json"] = _json(dataset(tracker, shards, site_url))
    if "tables" in parts:
        meta = {
            "data_version": tracker.data_version,
            "format_version": FORMAT_VERSION,
            "licence": LICENCE["name"],
        }
        database = Database(meta)
        published = []
        for table in tables(tracker):
            files[urls.table_path(table.name, "csv")] = gzip_bytes(table_csv(table))
            files[urls.table_path(table.name, "parquet")] = parquet_file(table, meta)
            database.add(table)
            table.release()
            published.append(table)
        inside = []
        for table in model_tables(tracker):
            database.add(table)
            table.release()
            inside.append(table)
        files[f"{DATA_DIR}/{SQLITE_PATH}"] = database.finish(VIEWS)  # gzipped
        files[f"{DATA_DIR}/datapackage.json"] = _json(
            datapackage(tracker, published, [*published, *inside])
        )
    if "records" in parts:
        for path, content in schema_files(site_url).items():
            files[path] = content
    return files

"""Open data under /data/: whole-dataset JSON, per-kind CSVs, per-record JSON, schemas, datapackage.

Everything here depends only on the records and the schemas (never on the build date), and is
written in a fixed order, so the same records always give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from pathlib import Path

from pipeline_tracker.model.tracker import PhaseRow, Tracker
from pipeline_tracker.records.evidence import citation_ids
from pipeline_tracker.records.ids import event_anchor
from pipeline_tracker.records.load import KINDS
from pipeline_tracker.records.phases import OPENTARGETS_STAGES, crosswalk
from pipeline_tracker.records.schemas import load_schemas, resolve, schema_dir
from pipeline_tracker.site import escape

FORMAT_VERSION = "3.0.0"  # bump the major number when a field is removed or changes meaning
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
DATA_DIR = "data"
STATUS_FIELDS = [
    ("drug", "string", "Drug id (data/drugs/<id>.json)"),
    ("indication", "string", "Indication id"),
    ("biomarker", "string", "Population or biomarker the row is limited to"),
    ("line", "string", "Line of therapy or setting"),
    (
        "region",
        "string",
        (
            "ISO 3166 code, or a group: WW (worldwide), EU, XN (North America); an em dash when the "
            "basis names no region"
        ),
    ),
    (
        "phase",
        "string",
        "Phase on the ladder preclinical … approved, or 'special access' (never an approval)",
    ),
    (
        "route",
        "string",
        "standard approval, conditional approval or special access; empty if not given",
    ),
    ("scheme", "string", "The special-access scheme, as the source names it"),
    ("development_status", "string", "active, suspended, discontinued or withdrawn"),
    ("date", "string", "ISO 8601 date, as precise as the source (YYYY, YYYY-MM or YYYY-MM-DD)"),
    (
        "date_inferred",
        "string",
        "Why the curator inferred the date; empty when the source prints it",
    ),
    ("basis", "string", "status: stated by curators; trial or event: derived from that record"),
    ("basis_id", "string", "The trial or event id a derived row comes from"),
    ("sources", "string", "Source ids, separated by '; '"),
    ("quotes", "string", "The sources' words for this row: JSON list of {source, quote}"),
    ("note", "string", "Curator's note"),
    (
        "chembl_max_phase",
        "number",
        (
            "ChEMBL max_phase equivalent (4, 3, 2, 1, 0.5, -1; a combined-phase trial counts as "
            "the lower phase, as ChEMBL's FAQ 'What is max phase?' says); empty if none "
            "(preclinical: ChEMBL's NULL; special access)"
        ),
    ),
    (
        "opentargets_stage",
        "string",
        (
            "Open Targets ClinicalStageCategory value (opentargets/clinical_mining, "
            "src/clinical_mining/schemas.py): "
            + ", ".join(OPENTARGETS_STAGES)
            + "; empty when none fits (special access)"
        ),
    ),
    ("ctgov_phases", "string", "ClinicalTrials.gov phase values, separated by '; '"),
]
DEAL_FIELDS = [
    ("event", "string", "Deal event id (data/events/<id>.json; its entry on the timeline)"),
    ("date", "string", "ISO 8601 date, as precise as the source; empty when not reported"),
    ("parties", "string", "company id (role), separated by '; '"),
    ("drugs", "string", "Drug ids, separated by '; '"),
    ("territory", "string", "Region codes where the rights apply, separated by '; '"),
    ("territory_note", "string", "The territory in the source's words"),
    ("rights", "string", "Which rights change hands"),
    (
        "term",
        "string",
        (
            "upfront, milestones, royalties, equity or other; empty for a deal with no recorded "
            "term (one row per term, one row for a deal without terms)"
        ),
    ),
    ("description", "string", "The term in words"),
    ("up_to", "boolean", "The amount is a maximum ('up to')"),
    ("amount", "number", "The amount as printed, in units of its currency"),
    ("currency", "string", "ISO 4217 code of the amount as printed"),
    ("approximate", "boolean", "The source gives the amount as approximate"),
    (
        "usd_amount_as_printed",
        "number",
        "A US dollar equivalent only where the source prints one (never converted by us)",
    ),
    ("usd_approximate", "boolean", "The source's US dollar figure is approximate"),
    ("term_sources", "string", "Source ids of the term, separated by '; '"),
    ("deal_sources", "string", "Source ids of the deal, separated by '; '"),
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets in locales whose list separator is ';' split an unquoted cell at each ';': what
# follows one is the start of a cell too (list values are joined with '; ').
_FORMULA_AFTER_SEMICOLON = re.compile(r"(;[ \t\r\n]*)(?=[=+\-@\t\r])")


def cell(value) -> str | int | float:
    """A CSV cell: numbers as they are; text with formula-starting characters neutralised."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if value is None:
        return ""
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        text = "; ".join(escape.plain(v) for v in value)
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = escape.plain(value)
    if ";" in text:
        text = _FORMULA_AFTER_SEMICOLON.sub(r"\1'", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def kind_fields(kind: str) -> list[dict]:
    """Frictionless field descriptors for a kind's CSV, in schema order."""
    schemas = load_schemas(schema_dir())
    fields = []
    for name, prop in schemas[kind]["properties"].items():
        prop, doc = resolve(prop, kind, schemas)
        kind_of = prop.get("type")
        description = prop.get("description", "")
        if kind_of in ("integer", "number", "boolean"):
            ftype = kind_of
        elif kind_of == "array" and resolve(prop.get("items", {}), doc, schemas)[0].get(
            "type"
        ) not in (
            "object",
            "array",
        ):
            ftype = "string"
            description += " (values separated by '; ')"
        elif kind_of in ("array", "object"):
            ftype = kind_of
            description += " (JSON)"
        else:
            ftype = "string"
        fields.append({"name": name, "type": ftype, "description": description.strip()})
    return fields


def status_row(row: PhaseRow) -> dict:
    mapped = crosswalk(row.phase, row.status)
    return {
        "drug": row.drug,
        "indication": row.indication,
        "biomarker": row.biomarker,
        "line": row.line,
        "region": row.region,
        "phase": row.phase,
        "route": row.route,
        "scheme": row.scheme,
        "development_status": row.status,
        "date": row.date,
        "date_inferred": row.inferred_reason("date"),
        "basis": row.basis,
        "basis_id": row.basis_id,
        "sources": list(row.sources),
        "quotes": [{"source": s, "quote": q} for s, q in row.quotes],
        "note": row.note,
        "chembl_max_phase": mapped.chembl_max_phase,
        "opentargets_stage": mapped.opentargets_stage,
        "ctgov_phases": list(mapped.ctgov_phases),
    }


def development_status(tracker: Tracker, drug: str | None = None) -> list[dict]:
    """Every stated and derived status row (one per region), in a stable order."""
    drugs = [drug] if drug else sorted(tracker.phase_rows)
    rows = [row for d in drugs for row in tracker.phase_rows.get(d, [])]
    rows.sort(key=lambda r: (r.drug, r.indication, r.region, -r.rank, r.basis, r.basis_id, r.date))
    return [status_row(r) for r in rows]


def page_url(kind: str, record_id: str) -> str:
    """Site-relative address of a record's page (events live on the timeline)."""
    return f"timeline/#{event_anchor(record_id)}" if kind == "events" else f"{kind}/{record_id}/"


def record_document(tracker: Tracker, kind: str, record_id: str) -> dict:
    """The static-API document for one record: its data, where its page is, who cites it."""
    here = f"{DATA_DIR}/{kind}"
    document = {
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "id": record_id,
        "page": posixpath.relpath(page_url(kind, record_id).split("#")[0], here)
        + ("/" if kind != "events" else "/#" + record_id),
        "schema": f"../schema/{kind}.schema.json",
        "record": tracker.get(kind, record_id),
        "cited_by": {by: ids for by in KINDS if (ids := tracker.cited_by(kind, record_id, by))},
    }
    if kind == "drugs":
        document["development_status"] = development_status(tracker, record_id)
    return document


def dataset(tracker: Tracker) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "licence": LICENCE,
        "kinds": list(KINDS),
        "records": {
            kind: {rid: tracker.get(kind, rid) for rid in tracker.ids(kind)} for kind in KINDS
        },
        "development_status": development_status(tracker),
    }


def kind_csv(tracker: Tracker, kind: str) -> bytes:
    names = [f["name"] for f in kind_fields(kind)]
    return _csv(
        names, [[tracker.get(kind, rid).get(n) for n in names] for rid in tracker.ids(kind)]
    )


def status_csv(tracker: Tracker) -> bytes:
    names = [name for name, _, _ in STATUS_FIELDS]
    return _csv(names, [[row[n] for n in names] for row in development_status(tracker)])


def deal_rows(tracker: Tracker) -> list[dict]:
    """One row per deal term (a deal without terms: one row with no term), deals newest first."""
    rows = []
    for event in tracker.deals():
        data = tracker.get("events", event)
        deal = {
            "event": event,
            "date": data.get("date", ""),
            "parties": [f"{p['company']} ({p['role']})" for p in data.get("parties") or []],
            "drugs": data["drugs"],
            "territory": data.get("territory") or [],
            "territory_note": data.get("territory_note", ""),
            "rights": data.get("rights", ""),
            "deal_sources": list(citation_ids(data["sources"])),
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
                }
            )
    return rows


def deals_csv(tracker: Tracker) -> bytes:
    names = [name for name, _, _ in DEAL_FIELDS]
    return _csv(names, [[row[n] for n in names] for row in deal_rows(tracker)])


def datapackage(tracker: Tracker) -> dict:
    resources = [
        {
            "name": kind,
            "path": f"{kind}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": f"One row per {kind} record; nested fields as JSON text.",
            "schema": {"fields": kind_fields(kind), "primaryKey": ["id"]},
        }
        for kind in KINDS
    ]
    resources.append(
        {
            "name": "development-status",
            "path": "development-status.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": "One row per development status row and region: stated by curators, "
            "or derived from a trial or an approval or filing event (see basis).",
            "schema": {
                "fields": [{"name": n, "type": t, "description": d} for n, t, d in STATUS_FIELDS],
                "foreignKeys": [
                    {"fields": ["drug"], "reference": {"resource": "drugs", "fields": ["id"]}}
                ],
            },
        }
    )
    resources.append(
        {
            "name": "deals",
            "path": "deals.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": "One row per deal term (a deal without recorded terms: one row). "
            "Amounts as the source prints them; a US dollar figure only where the source gives "
            "one, never converted.",
            "schema": {
                "fields": [{"name": n, "type": t, "description": d} for n, t, d in DEAL_FIELDS],
                "foreignKeys": [
                    {"fields": ["event"], "reference": {"resource": "events", "fields": ["id"]}}
                ],
            },
        }
    )
    return {
        "profile": "tabular-data-package",
        "name": "open-pipeline-tracker",
        "title": "Open Pipeline Tracker",
        "version": FORMAT_VERSION,
        "licenses": [LICENCE],
        "description": "Sourced records of drug development. Cells that begin with =, +, -, @, "
        "a tab or a carriage return (at the start, or after a ';') are prefixed with an "
        "apostrophe so spreadsheets do not run them as formulas.",
        "resources": resources,
    }


def schema_files() -> dict[str, bytes]:
    return {
        f"{DATA_DIR}/schema/{path.name}": path.read_bytes()
        for path in sorted(Path(schema_dir()).glob("*.schema.json"))
    }


def build_exports(tracker: Tracker, files=None):
    """Every open-data file: site path → bytes, put into `files` one by one as each is made (a
    StaticFiles writing to disk keeps a large tree's exports out of memory); a new dict if None."""
    files = {} if files is None else files
    files[f"{DATA_DIR}/tracker.json"] = _json(dataset(tracker))
    files[f"{DATA_DIR}/datapackage.json"] = _json(datapackage(tracker))
    files[f"{DATA_DIR}/development-status.csv"] = status_csv(tracker)
    files[f"{DATA_DIR}/deals.csv"] = deals_csv(tracker)
    for kind in KINDS:
        files[f"{DATA_DIR}/{kind}.csv"] = kind_csv(tracker, kind)
        for rid in tracker.ids(kind):
            files[f"{DATA_DIR}/{kind}/{rid}.json"] = _json(record_document(tracker, kind, rid))
    for path, content in schema_files().items():
        files[path] = content
    return files

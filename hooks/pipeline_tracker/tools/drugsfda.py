"""`pipeline-tracker import drugsfda`: Drugs@FDA applications (openFDA `drug/drugsfda` JSON) into
cited approval and designation events.

An openFDA result is one application (NDA, BLA or ANDA) with its products and submissions. Each
approved submission that is a development milestone (the original application, and efficacy
supplements) becomes an `approval` event of FDA in the US on the submission's status date; a
submission reviewed under priority review, and one Drugs@FDA marks 'Orphan', also gives a
`designation` event (without a date: Drugs@FDA gives none for the designation). Drugs@FDA does not
say what indication a submission approved, so the events name none, and an approval without an
indication puts the drug at no phase anywhere (model/tracker.event_phase_rows) until a curator adds
the indication from the label. ANDAs (generics) are not milestones of the drug's development and
are not imported.

The application is archived (records/archive/drugsfda-<number>.json) as the local copy of a source
record (`drugsfda-<number>`); every fact cites it with a JSON pointer (and the value as the quote,
where it is text), so `validate` checks each fact against the archived copy. Ingredients are linked
to drugs by name (an INN, code name or synonym; a match only after dropping a salt word is marked
inferred), the sponsor to a company by name; the others become minimal records awaiting review.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
from pathlib import Path

from pipeline_tracker.records.evidence import ARCHIVE, citation_ids, parse_json_copy
from pipeline_tracker.records.load import SLUG, Record, load_records, records_dir
from pipeline_tracker.records.problems import visible
from pipeline_tracker.tools import importing
from pipeline_tracker.tools.importing import (
    ImportRefused,
    RecordBuilder,
    as_list,
    canonical,
    check_schema,
    get,
    norm,
    text,
    unique,
    write_changed,
)

API = 'https://api.fda.gov/drug/drugsfda.json?search=application_number:"{}"'
PAGE = "https://www.accessdata.fda.gov/scripts/cder/daf/index.cfm?event=overview.process&ApplNo={}"
APPLICATION = re.compile(r"(NDA|BLA|ANDA)[0-9]{6}")
REGISTRY = "Drugs@FDA (openFDA)"
APP = "/results/0"  # every archived copy holds one application (see archive_copy)

# Words that name a salt, ester or hydrate after the active moiety in Drugs@FDA's ingredient names
# ('IMATINIB MESYLATE'): dropped only to find a drug recorded by its INN, and marked inferred.
SALT_WORDS = frozenset(
    """
    acetate anhydrous arginine besylate bitartrate bromide calcium chloride citrate dihydrate
    dihydrochloride dimesylate disodium ditosylate esylate fumarate hemifumarate hemihydrate
    hemisulfate hyclate hydrobromide hydrochloride hydrate lactate lysine magnesium maleate
    malate meglumine mesylate monohydrate monohydrochloride monosodium nitrate oxalate
    phosphate potassium sesquihydrate sodium succinate sulfate tartrate tosylate trihydrate
    tromethamine
    """.split()  # noqa: SIM905 (a list of words reads best as words)
)

# Fields of an event the import owns: a re-import replaces them; the others (summary, notes,
# indications, drugs, companies, route, pathway…) are kept as the curator left them.
SOURCE_OWNED = ("type", "date", "date_basis", "regions", "agency", "designation")
SUBMISSION_FIELDS = (
    "submission_status",
    "submission_status_date",
    "review_priority",
    "submission_class_code",
)


def read_input(given: str) -> tuple[bytes, str]:
    """(bytes, name shown) of a file, or of an application number fetched from openFDA."""
    number = given.upper()
    if APPLICATION.fullmatch(number) and not Path(given).exists():
        data = importing.fetch(
            API.format(number), number, REGISTRY, "Drugs@FDA has no application with this number"
        )
        return data, number
    return importing.read_file(given, "a saved openFDA drugsfda response or an application number")


def parse_response(data: bytes, shown: str) -> tuple[dict, list[dict]]:
    """The response and its applications, checked to be an openFDA drugsfda response."""
    doc = importing.parse(data, shown, "Drugs@FDA")
    if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
        said = text(doc["error"].get("message"), 200) or "an error"
        raise ImportRefused(f"{shown}: openFDA answered {visible(said)!r}; nothing to import")
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, list):
        raise ImportRefused(
            f"{shown}: not an openFDA drugsfda response (no results list); save it from "
            + API.format("<application number>")
        )
    if not results:
        raise ImportRefused(f"{shown}: the response holds no application; nothing to import")
    numbers = []
    for i, result in enumerate(results):
        number = get(result, "application_number")
        if not (isinstance(number, str) and APPLICATION.fullmatch(number)):
            raise ImportRefused(
                f"{shown}: result {i + 1} is not a Drugs@FDA application (no application_number "
                "such as NDA021588); not an openFDA drugsfda response"
            )
        if not isinstance(get(result, "submissions"), list):
            raise ImportRefused(f"{number}: the application lists no submissions; not imported")
        numbers.append(number)
    if len(set(numbers)) != len(numbers):
        raise ImportRefused(f"{shown}: an application appears twice in one response")
    return doc, results


def archive_copy(doc: dict, raw: bytes, result: dict) -> tuple[dict, bytes]:
    """The archived copy of one application: the response as it came when it holds only this
    one; else the response's meta with this application alone (values unchanged, re-serialised),
    so that every copy is cited at the same pointers (/results/0/…)."""
    if len(doc["results"]) == 1:
        return doc, raw
    alone = {"meta": doc["meta"], "results": [result]} if "meta" in doc else {"results": [result]}
    data = (json.dumps(alone, indent=2, ensure_ascii=False) + "\n").encode()
    return alone, data


def stripped(name: str) -> str:
    """An ingredient name without the salt words after its active moiety ('' when none)."""
    words = name.split()
    while len(words) > 1 and words[-1].casefold() in SALT_WORDS:
        words.pop()
    return " ".join(words) if len(words) < len(name.split()) else ""


def day(value) -> str | None:
    """Drugs@FDA's YYYYMMDD as an ISO date, or None when it is not a real date."""
    if not (isinstance(value, str) and re.fullmatch(r"[0-9]{8}", value)):
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
    except ValueError:
        return None


@dataclasses.dataclass
class Application:
    """One application's import: what to write, and what to tell the curator."""

    number: str
    source: dict
    events: dict[str, dict]
    new_records: dict[tuple[str, str], dict]
    notes: list[str]
    archive: bytes
    doc: dict
    existing: set[str] = dataclasses.field(default_factory=set)  # event ids already recorded


class Builder(RecordBuilder):
    def __init__(self, doc: dict, raw: bytes, records) -> None:
        self.number: str = doc["results"][0]["application_number"]
        super().__init__(doc, f"drugsfda-{self.number.lower()}", records)
        self.raw = raw
        self.app = doc["results"][0]

    def ingredients(self) -> list[tuple[str, list[str]]]:
        """(ingredient name, pointers to it) in the order the products list them."""
        found: dict[str, tuple[str, list[str]]] = {}
        for k, product in enumerate(as_list(self.app.get("products"))):
            for m, item in enumerate(as_list(get(product, "active_ingredients"))):
                name = text(get(item, "name"), 300)
                if name:
                    entry = found.setdefault(norm(name), (name, []))
                    entry[1].append(f"{APP}/products/{k}/active_ingredients/{m}/name")
        return list(found.values())

    def brands(self, ingredient: str | None = None) -> list[tuple[str, str]]:
        """(brand name, pointer) of the products (with only `ingredient`, when given)."""
        found: dict[str, tuple[str, str]] = {}
        for k, product in enumerate(as_list(self.app.get("products"))):
            names = [get(i, "name") for i in as_list(get(product, "active_ingredients"))]
            if ingredient is not None and [norm(str(n)) for n in names] != [norm(ingredient)]:
                continue
            brand = text(get(product, "brand_name"), 300)
            if brand:
                found.setdefault(norm(brand), (brand, f"{APP}/products/{k}/brand_name"))
        return list(found.values())

    def drugs(self) -> tuple[list[str], list[dict], list[str]]:
        """(drug ids, citations, inferred reasons) for the application's active ingredients."""
        ingredients = self.ingredients()
        openfda = [
            (value, f"{APP}/openfda/{key}/{i}")
            for key in ("generic_name", "substance_name")
            for i, value in enumerate(as_list(get(self.app, "openfda", key)))
            if text(value, 300)
        ]
        drugs: list[str] = []
        cites: list[dict] = []
        reasons: list[str] = []
        for name, pointers in ingredients:
            # the openfda names are read for a single-ingredient application only: for a
            # combination they name the combination, not this ingredient
            names = [(name, pointers[0])] + (openfda if len(ingredients) == 1 else [])
            drug = self.index.find("drugs", [n for n, _ in names])
            if drug is None:
                for each, pointer in names:
                    bare = stripped(each)
                    drug = self.index.find("drugs", [bare]) if bare else None
                    if drug:
                        reasons.append(
                            f"Drugs@FDA names the salt '{each.lower()}'; linked to the drug "
                            f"recorded as '{bare.lower()}', the name without the salt"
                        )
                        pointers = [pointer]
                        break
            if drug is None:
                drug = self.new_drug(name, pointers[0])
            if drug and drug not in drugs:
                drugs.append(drug)
                cites.append(self.cite(pointers[0]))
        if not drugs:
            raise ImportRefused(f"{self.number}: the application names no active ingredient")
        return drugs, cites, reasons

    def new_drug(self, name: str, pointer: str) -> str | None:
        """A minimal drug record named as Drugs@FDA prints the ingredient (in lower case: a salt
        name is not an INN; the curator renames it on review), its brand names as synonyms."""
        make: dict = {"name": name.lower(), "modality": "not stated"}
        known = self.index.by_name["drugs"]
        brands = [(b, p) for b, p in self.brands(name) if norm(b) not in known]
        if brands:
            make["synonyms"] = [b for b, _ in brands]
            make["evidence"] = {
                "synonyms": [self.cite(pointer)] + [self.cite(p) for _, p in brands]
            }
        return self.link("drugs", [name.lower(), name], make)

    def submission_label(self, j: int) -> str:
        sub = self.app["submissions"][j]
        if sub.get("submission_type") == "ORIG":
            return f"the original application {self.number}"
        return f"supplement {sub.get('submission_number')} to {self.number}"

    def product_words(self) -> tuple[str, list[dict]]:
        """' (BRAND; FORM, ROUTE)' for the summary, and the citations of those words."""
        brands = self.brands()
        cites = [self.cite(p) for _, p in brands]
        forms = []
        for k, product in enumerate(as_list(self.app.get("products"))):
            words = [text(get(product, key), 100) for key in ("dosage_form", "route")]
            if all(words):
                shown = ", ".join(str(w) for w in words)
                if shown not in forms:
                    forms.append(shown)
                    cites += [
                        self.cite(f"{APP}/products/{k}/{key}") for key in ("dosage_form", "route")
                    ]
        parts = [", ".join(b for b, _ in brands)] if brands else []
        parts += ["; ".join(forms)] if forms else []
        return (f" ({'; '.join(parts)})" if parts else ""), cites

    def build(self) -> Application:
        self.drug_ids, drug_cites, reasons = self.drugs()
        self.products, product_cites = self.product_words()
        self.inferred = {"drugs": "; ".join(reasons)} if reasons else {}
        self.companies: list[str] = []
        self.base = [self.cite(f"{APP}/application_number")]
        sponsor = text(self.app.get("sponsor_name"), 300)
        if sponsor:
            company = self.link("companies", [sponsor], {"name": sponsor})
            if company:
                self.companies.append(company)
                self.base.append(self.cite(f"{APP}/sponsor_name"))
        else:
            self.notes.append("the application names no sponsor; the events name no company")
        self.tail = unique(product_cites + drug_cites)
        events: dict[str, dict] = {}
        submissions = [s for s in as_list(self.app.get("submissions")) if isinstance(s, dict)]
        for j, sub in enumerate(as_list(self.app.get("submissions"))):
            if isinstance(sub, dict):
                events.update(self.submission_events(j, sub))
        if not any(s.get("submission_status") == "AP" for s in submissions):
            raise ImportRefused(
                f"{self.number}: no approved submission in Drugs@FDA (status AP); nothing to import"
            )
        if not events:
            raise ImportRefused(
                f"{self.number}: no approval of the original application or of an efficacy "
                "supplement; its approved submissions (labeling, manufacturing…) are no "
                "development milestones; nothing to import"
            )
        return Application(
            self.number, self.source(), events, self.new, self.notes, self.raw, self.doc
        )

    def submission_events(self, j: int, sub: dict) -> dict[str, dict]:
        """The events of one submission: its approval, when it is an approved milestone (the
        original application, an efficacy supplement), and the designations it states."""
        kind, status, subno = (
            sub.get("submission_type"),
            sub.get("submission_status"),
            sub.get("submission_number"),
        )
        if kind not in ("ORIG", "SUPPL") or not (isinstance(subno, str) and SLUG.match(subno)):
            return {}
        if kind == "SUPPL" and sub.get("submission_class_code") != "EFFICACY":
            return {}  # labeling, manufacturing…: no milestone of the drug's development
        if status != "AP":
            tentative = " (tentative approval: not an approval)" if status == "TA" else ""
            self.notes.append(
                f"{kind} {subno}: status {visible(str(status))}{tentative}; not imported"
            )
            return {}
        key = f"{self.number.lower()}-{kind.lower()}-{subno.lower()}"
        at = f"{APP}/submissions/{j}"
        cites = self.base + [
            self.cite(f"{at}/submission_type"),
            self.cite(f"{at}/submission_number"),
        ]
        label = self.submission_label(j)
        what = text(sub.get("submission_class_code_description"), 200)
        summary = f"FDA approved {label}{self.products}"
        summary += f"; Drugs@FDA class: {what}." if what else "."
        cites.append(
            self.cite(
                f"{at}/submission_class_code_description" if what else f"{at}/submission_class_code"
            )
        )
        approval: dict = {"id": f"fda-approval-{key}", "type": "approval", "summary": summary}
        date = day(sub.get("submission_status_date"))
        if date:
            approval |= {"date": date, "date_basis": "event"}
            cites.append(self.cite(f"{at}/submission_status_date"))
        else:
            self.notes.append(f"{kind} {subno}: no status date that is a real day; undated")
        cites.append(self.cite(f"{at}/submission_status"))
        notes = (
            "Indication not stated in Drugs@FDA: the application record does not say what this "
            "submission approved, so this approval puts the drug at no phase in any indication "
            "until a curator adds the indication from the label or the approval letter."
        )
        codes = [
            (i, text(get(p, "code"), 100))
            for i, p in enumerate(as_list(sub.get("submission_property_type")))
        ]
        others = [c for _, c in codes if c and c != "Orphan"]
        if others:
            notes += " Drugs@FDA lists the submission properties: " + ", ".join(others) + "."
        events = {approval["id"]: self.event(approval, cites, notes)}
        when = (
            f"Drugs@FDA gives no date for it; the approval it led to is dated {date}."
            if date
            else ""
        )
        designations = []
        if sub.get("review_priority") == "PRIORITY":
            designations.append(
                (
                    "priority-review",
                    "priority review",
                    f"FDA reviewed {label}{self.products} under priority review.",
                    f"{at}/review_priority",
                    when,
                )
            )
        designations += [
            (
                "orphan",
                "orphan drug",
                f"Drugs@FDA marks {label}{self.products} as Orphan: an orphan-drug designation.",
                f"{at}/submission_property_type/{i}/code",
                f"The designated condition is not stated in Drugs@FDA. {when}".strip(),
            )
            for i, code in codes
            if code == "Orphan"
        ]
        for name, designation, words, pointer, note in designations:
            event = {
                "id": f"fda-{name}-{key}",
                "type": "designation",
                "designation": designation,
                "summary": words,
            }
            events[event["id"]] = self.event(event, [*cites, self.cite(pointer)], note)
        return events

    def event(self, event: dict, cites: list[dict], notes: str) -> dict:
        """An event of FDA in the US on the application's drugs, sponsor and citations."""
        event |= {"drugs": self.drug_ids, "regions": ["US"], "agency": "FDA"}
        if self.companies:
            event["companies"] = self.companies
        event["sources"] = unique(cites + self.tail)
        if notes:
            event["notes"] = notes
        if self.inferred:
            event["inferred"] = self.inferred
        return event

    def source(self) -> dict:
        brands = ", ".join(b for b, _ in self.brands())
        source: dict = {
            "id": self.sid,
            "title": f"Drugs@FDA: {self.number}" + (f" ({brands})" if brands else ""),
            "kind": "regulatory document",
            "publisher": "U.S. Food and Drug Administration (openFDA)",
        }
        updated = self.at("/meta/last_updated")
        if isinstance(updated, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", updated):
            source["retrieved"] = updated
        source["url"] = PAGE.format(re.sub(r"^[A-Z]+", "", self.number))
        source["language"] = "en"
        source["local_copy"] = f"{self.sid}.json"
        source["notes"] = (
            f"The Drugs@FDA record of {self.number} as openFDA publishes it "
            f"({API.format(self.number)}), imported with `pipeline-tracker import drugsfda`. "
            "Retrieved is the date openFDA last updated the archived data."
        )
        return source


def _same_approval(records, event: dict) -> str | None:
    """An event recorded by hand (citing no Drugs@FDA record) for this approval: FDA, the same
    day, a drug in common. (Two applications approved the same day are told apart by their
    Drugs@FDA records; a hand-made event does not say which application it is.)"""
    if event["type"] != "approval" or "date" not in event:
        return None
    for rid, record in sorted(records.get("events", {}).items()):
        data = record.data if isinstance(record.data, dict) else {}
        cited = citation_ids(data.get("sources"))
        if (
            not any(sid.startswith("drugsfda-") for sid in cited)
            and data.get("type") == "approval"
            and data.get("agency") == "FDA"
            and data.get("date") == event["date"]
            and set(data.get("drugs") or []) & set(event["drugs"])
        ):
            return rid
    return None


def merge(old: dict, new: dict, sid: str) -> dict:
    """The recorded event with the fields the import owns taken from Drugs@FDA; the rest kept."""
    merged = dict(old)
    for key in SOURCE_OWNED:
        if key in new:
            merged[key] = new[key]
        else:
            merged.pop(key, None)
    kept = [c for c in old.get("sources") or [] if citation_ids([c]) != (sid,)]
    merged["sources"] = unique(kept + new["sources"])
    return merged


def plan(doc: dict, raw: bytes, records) -> list[Application]:
    """The import of every NDA and BLA in a response (ANDAs are named and skipped)."""
    planned = []
    skipped = []
    records = {kind: dict(by_id) for kind, by_id in records.items()}
    for result in doc["results"]:
        number = result["application_number"]
        if number.startswith("ANDA"):
            skipped.append(number)
            continue
        copy, data = archive_copy(doc, raw, result)
        built = Builder(copy, data, records).build()
        referenced: set[tuple[str, str]] = set()
        for eid, event in list(built.events.items()):
            if eid in records.get("events", {}):
                built.events[eid] = merge(records["events"][eid].data, event, built.source["id"])
                built.existing.add(eid)
                continue
            same = _same_approval(records, event)
            if same:
                built.notes.append(
                    f"events/{same}.yaml already records this approval; {eid} not added "
                    f"(cite {built.source['id']} there)"
                )
                del built.events[eid]
                continue
            referenced |= {("drugs", d) for d in event["drugs"]}
            referenced |= {("companies", c) for c in event.get("companies", [])}
        built.new_records = {k: v for k, v in built.new_records.items() if k in referenced}
        for (kind, rid), made in built.new_records.items():
            # the next application of the response links to this record rather than making it
            records.setdefault(kind, {})[rid] = Record(
                kind, rid, f"records/{kind}/{rid}.yaml", made
            )
        old_source = records.get("sources", {}).get(built.source["id"])
        if old_source is not None:
            built.source = {**old_source.data, **built.source}
        planned.append(built)
    if not planned:
        raise ImportRefused(
            f"{', '.join(skipped)}: an abbreviated application (ANDA, a generic) is not a "
            "milestone of the drug's development; nothing to import"
        )
    for number in skipped:
        planned[0].notes.append(f"{number}: an ANDA (a generic); not imported")
    return planned


def _check(built: Application) -> None:
    docs = [("sources", built.source)]
    docs += [("events", data) for data in built.events.values()]
    docs += [(kind, data) for (kind, _), data in built.new_records.items()]
    check_schema(built.number, docs)


def write(built: Application, records_path: Path) -> list[str]:
    sid = built.source["id"]
    files: list[tuple[Path, bytes]] = [
        (records_path / ARCHIVE / f"{sid}.json", built.archive),
        (records_path / "sources" / f"{sid}.yaml", canonical("sources", built.source).encode()),
    ]
    for (kind, rid), data in sorted(built.new_records.items()):
        files.append((records_path / kind / f"{rid}.yaml", canonical(kind, data).encode()))
    for eid, data in sorted(built.events.items()):
        files.append((records_path / "events" / f"{eid}.yaml", canonical("events", data).encode()))
    return write_changed(files, records_path)


def _submissions(app: dict) -> dict[str, dict]:
    found = {}
    for sub in as_list(app.get("submissions")):
        if isinstance(sub, dict):
            found[f"{sub.get('submission_type')} {sub.get('submission_number')}"] = sub
    return found


def _products(app: dict) -> dict[str, dict]:
    return {
        str(get(p, "product_number")): p
        for p in as_list(app.get("products"))
        if isinstance(p, dict)
    }


def differences(old: dict, new: dict) -> list[str]:
    """What Drugs@FDA says now that the archived copy did not: new, changed and gone submissions,
    the sponsor, and products."""
    lines = []
    before, after = _submissions(old), _submissions(new)
    for key, sub in after.items():
        if key not in before:
            said = [str(sub.get(f)) for f in SUBMISSION_FIELDS if sub.get(f) is not None]
            lines.append(f"new submission {key} ({', '.join(said)})")
            continue
        for name in SUBMISSION_FIELDS:
            if before[key].get(name) != sub.get(name):
                lines.append(f"{key}: {name} {before[key].get(name)} → {sub.get(name)}")
    lines += [f"submission {key} no longer listed" for key in before if key not in after]
    if old.get("sponsor_name") != new.get("sponsor_name"):
        lines.append(f"sponsor {old.get('sponsor_name')} → {new.get('sponsor_name')}")
    was, now = _products(old), _products(new)
    for key in sorted(set(was) | set(now)):
        if key not in was:
            lines.append(f"new product {key} ({get(now[key], 'brand_name')})")
        elif key not in now:
            lines.append(f"product {key} no longer listed")
        else:
            for name in ("brand_name", "marketing_status", "dosage_form", "route"):
                if get(was[key], name) != get(now[key], name):
                    lines.append(
                        f"product {key}: {name} {get(was[key], name)} → {get(now[key], name)}"
                    )
            if get(was[key], "active_ingredients") != get(now[key], "active_ingredients"):
                lines.append(f"product {key}: active ingredients changed")
    return [visible(line) for line in lines]


def check(built: Application, records_path: Path) -> int:
    """--check: the application against its archived copy; exit 1 when anything differs."""
    sid = built.source["id"]
    where = f"records/sources/{sid}.yaml"
    path = records_path / ARCHIVE / f"{sid}.json"
    if not path.is_file() or path.is_symlink():
        print(f"{built.number}: not in the records yet (import it without --check)")
        return 1
    try:
        archived = parse_json_copy(path.read_bytes()[: importing.MAX_BYTES].decode("utf-8"))
        old = archived["results"][0]
        assert isinstance(old, dict)
    except (ValueError, KeyError, IndexError, TypeError, AssertionError):
        print(f"{where}: the archived copy cannot be read; import {built.number} again")
        return 1
    found = differences(old, built.doc["results"][0])
    for line in found:
        print(f"{where}: {line}")
    if not found:
        print(f"{where}: in step with {built.number} as given")
    return 1 if found else 0


def import_one(given: str, records_path: Path, check_only: bool) -> int:
    raw, shown = read_input(given)
    doc, _ = parse_response(raw, shown)
    records, _problems = load_records(records_path)
    planned = plan(doc, raw, records)
    for built in planned:
        _check(built)
    if check_only:
        status = 0
        for built in planned:
            status |= check(built, records_path)
        return status
    for built in planned:
        written = write(built, records_path)
        for note in built.notes:
            print(f"{built.number}: note: {note}")
        for kind, rid in sorted(built.new_records):
            print(f"records/{kind}/{rid}.yaml: new, review: imported (check it against a source)")
        if not written:
            print(
                f"records/sources/{built.source['id']}.yaml: no change ({built.number} as recorded)"
            )
            continue
        new = [e for e in built.events if e not in built.existing]
        print(
            f"{built.number}: {len(new)} new event{'s' if len(new) != 1 else ''}, "
            f"{len(built.existing)} updated ({len(written)} file"
            f"{'s' if len(written) != 1 else ''} written); run `pipeline-tracker validate`"
        )
    return 0


def run(inputs: list[str], check_only: bool = False, root: Path | None = None) -> int:
    """The `import drugsfda` command."""
    records_path = records_dir(root or Path.cwd())
    if not inputs:
        print(
            "import drugsfda: give a saved openFDA drugsfda response (JSON) or an application "
            "number such as NDA021588",
            file=sys.stderr,
        )
        return 1
    return importing.run_each(
        "import drugsfda", inputs, lambda given: import_one(given, records_path, check_only)
    )

"""Write a valid synthetic records tree of any size, for benchmarks and scale tests (never data).

Every name is obviously synthetic ("synthdrug-00042", "Synthco 0007"), every URL is under
example.org, and the tree is deterministic for a seed: the same seed gives byte-identical files.
The shape follows records/: drugs with several status rows, one or two targets and one to three
companies; targets, companies and indications shared between drugs; trials with arms and results;
approvals, filings, designations and deals; sources cited by several records.

Not part of the package: `pipeline-tracker synth` runs this file from a checkout, bench.py and
the tests import it from here.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import yaml
from pipeline_tracker.records.load import KINDS

WORDS = [
    "synthetic",
    "benchmark",
    "placeholder",
    "record",
    "text",
    "describing",
    "an",
    "invented",
    "compound",
    "with",
    "no",
    "real",
    "counterpart",
    "used",
    "only",
    "to",
    "measure",
    "build",
    "speed",
    "and",
    "page",
    "size",
    "across",
    "many",
    "generated",
    "pages",
    "values",
    "shown",
    "here",
    "are",
    "random",
    "and",
    "mean",
    "nothing",
    "about",
    "any",
    "medicine",
    "patient",
    "study",
    "or",
    "company",
    "the",
    "generator",
    "writes",
    "plausible",
    "lengths",
    "so",
    "that",
    "pages",
    "and",
    "search",
    "indexes",
    "have",
    "realistic",
    "size",
]
MODALITIES = (
    "small molecule",
    "monoclonal antibody",
    "bispecific antibody",
    "antibody-drug conjugate",
    "CAR-T",
    "cell therapy",
    "gene therapy",
    "vaccine",
    "peptide",
    "protein",
    "oligonucleotide",
)
ACTIONS = ("inhibitor", "antagonist", "agonist", "binder", "modulator", "degrader")
DRUG_ROLES = (
    "originator",
    "developer",
    "licensee",
    "commercial partner",
    "manufacturer",
    "sponsor",
)
PHASES = (
    "preclinical",
    "phase 1",
    "phase 1/2",
    "phase 2",
    "phase 2/3",
    "phase 3",
    "filed",
    "approved",
)
TRIAL_PHASES = ("phase 1", "phase 1/2", "phase 2", "phase 2/3", "phase 3")
TRIAL_STATUSES = (
    "recruiting",
    "active, not recruiting",
    "completed",
    "terminated",
    "not yet recruiting",
)
REGIONS = ("CN", "US", "EU", "JP", "KR", "WW", "GB", "AU", "CA", "CN-HI")
AREAS = (
    "oncology",
    "haematology",
    "immunology",
    "neurology",
    "cardiovascular",
    "metabolic",
    "infectious disease",
    "rare disease",
    "respiratory",
    "ophthalmology",
)
SOURCE_KINDS = (
    "news",
    "press release",
    "trial registry",
    "regulatory document",
    "publication",
    "conference abstract",
    "company website",
)
ENDPOINTS = (
    ("objective response rate", "ORR", "%"),
    ("median progression-free survival", "mPFS", "months"),
    ("median overall survival", "mOS", "months"),
    ("median duration of response", "mDoR", "months"),
    ("disease control rate", "DCR", "%"),
    ("hazard ratio for progression", "HR", "ratio"),
)
DESIGNATIONS = ("breakthrough therapy", "orphan drug", "fast track", "priority review", "PRIME")
AGENCIES = {
    "CN": "NMPA",
    "US": "FDA",
    "EU": "EMA",
    "JP": "PMDA",
    "KR": "MFDS",
    "GB": "MHRA",
    "AU": "TGA",
    "CA": "Health Canada",
    "WW": "several agencies",
    "CN-HI": "Hainan health authority",
}
REVIEWED = "2025-01-15"
MARKER = ".synthetic"  # marks a folder synth wrote and may replace


class _Synth:
    """One generator run: counts derived from the number of drugs, one random stream."""

    def __init__(self, drugs: int, seed: int):
        self.rng = random.Random(seed)
        self.n = drugs
        self.n_targets = max(3, drugs // 8)
        self.n_companies = max(3, drugs // 5)
        self.n_indications = max(6, min(600, drugs // 12 + 6))
        self.n_sources = max(4, drugs // 2)
        self.files: dict[str, dict[str, dict]] = {kind: {} for kind in KINDS}

    # Helpers -------------------------------------------------------------------
    def text(self, low: int, high: int) -> str:
        """Filler text between low and high characters, ending with a full stop."""
        target = self.rng.randint(low, high)
        words: list[str] = []
        length = 0
        while length < target:
            word = self.rng.choice(WORDS)
            words.append(word)
            length += len(word) + 1
        return (" ".join(words)[: high - 1]).rstrip().capitalize() + "."

    def date(self, start: int = 2012, end: int = 2024) -> str:
        year = self.rng.randint(start, end)
        shape = self.rng.random()
        if shape < 0.15:
            return str(year)
        if shape < 0.4:
            return f"{year}-{self.rng.randint(1, 12):02d}"
        return f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def sources(self, count: int = 1) -> list[str]:
        return sorted({self.source_id(self.rng.randrange(self.n_sources)) for _ in range(count)})

    @staticmethod
    def drug_id(i: int) -> str:
        return f"synthdrug-{i:05d}"

    @staticmethod
    def target_id(i: int) -> str:
        return f"synthtarget-{i:04d}"

    @staticmethod
    def company_id(i: int) -> str:
        return f"synthco-{i:04d}"

    @staticmethod
    def indication_id(i: int) -> str:
        return f"synthindication-{i:03d}"

    @staticmethod
    def source_id(i: int) -> str:
        return f"synthsource-{i:05d}"

    def pick(self, count: int, population: int, make) -> list[str]:
        """Distinct ids, skewed towards low numbers so some records are shared by many others."""
        chosen: list[str] = []
        while len(chosen) < min(count, population):
            index = min(int(self.rng.paretovariate(1.2)) - 1, population - 1)
            index = (
                (index * 7919 + self.rng.randrange(population)) % population
                if self.rng.random() < 0.6
                else index
            )
            candidate = make(index)
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    # Records -------------------------------------------------------------------
    def make_sources(self) -> None:
        for i in range(self.n_sources):
            sid = self.source_id(i)
            record: dict = {
                "id": sid,
                "title": f"Synthetic source {i:05d}: " + self.text(30, 90),
                "kind": self.rng.choice(SOURCE_KINDS),
                "publisher": f"Synthetic Publisher {i % 37:02d}",
                "date": self.date(2023, 2024),  # recent, as sources of a kept tree are
                "url": f"https://example.org/synthetic/source-{i:05d}",
                "language": "en",
            }
            if self.rng.random() < 0.3:
                record["notes"] = self.text(60, 240)
            record["last_reviewed"] = REVIEWED
            self.files["sources"][sid] = record

    def make_targets(self) -> None:
        for i in range(self.n_targets):
            tid = self.target_id(i)
            self.files["targets"][tid] = {
                "id": tid,
                "symbol": f"SYNT{i:04d}",
                "name": f"Synthetic target protein {i:04d}",
                "aliases": [f"ST{i:04d}", f"synthetic receptor {i}"],
                "description": self.text(80, 220),
                "sources": self.sources(self.rng.randint(1, 2)),
                "last_reviewed": REVIEWED,
            }

    def make_companies(self) -> None:
        for i in range(self.n_companies):
            cid = self.company_id(i)
            record: dict = {
                "id": cid,
                "name": f"Synthco {i:04d}",
                "country": self.rng.choice(("CN", "US", "JP", "KR", "GB", "DE", "FR", "CH")),
                "city": f"Synthcity {i % 53:02d}",
                "type": self.rng.choice(("pharma", "biotech", "biotech", "academic")),
            }
            if i >= 10 and self.rng.random() < 0.1:
                record["parent"] = self.company_id(self.rng.randrange(10))
            record["description"] = self.text(80, 260)
            record["sources"] = self.sources()
            record["last_reviewed"] = REVIEWED
            self.files["companies"][cid] = record

    def make_indications(self) -> None:
        top = max(3, self.n_indications // 4)
        for i in range(self.n_indications):
            iid = self.indication_id(i)
            record: dict = {
                "id": iid,
                "name": f"synthetic indication {i:03d}",
                "synonyms": [f"SI{i:03d}"],
            }
            if i >= top:
                record["parent"] = self.indication_id(self.rng.randrange(i))
            record["therapeutic_area"] = self.rng.choice(AREAS)
            record["description"] = self.text(60, 200)
            if self.rng.random() < 0.5:
                record["epidemiology"] = [
                    {
                        "measure": "annual incidence",
                        "value": self.rng.randint(1000, 900000),
                        "unit": "patients diagnosed per year",
                        "region": self.rng.choice(REGIONS[:5]),
                        "approximate": True,
                        "sources": self.sources(),
                    },
                    {
                        "measure": "five-year survival",
                        "value": self.rng.randint(5, 95),
                        "unit": "%",
                        "sources": self.sources(),
                    },
                ]
            record["sources"] = self.sources()
            record["last_reviewed"] = REVIEWED
            self.files["indications"][iid] = record

    def make_drug(self, i: int) -> dict:
        did = self.drug_id(i)
        record: dict = {
            "id": did,
            "name": did,
            "inn": f"synthemab {i:05d}",
            "code_names": [f"SD-{i:05d}"],
            "synonyms": [f"synth-cel-{i:05d}"],
            "modality": self.rng.choice(MODALITIES),
            "mechanism": self.text(80, 260),
        }
        record["targets"] = [
            {"target": target, "action": self.rng.choice(ACTIONS), "sources": self.sources()}
            for target in self.pick(self.rng.choice((1, 1, 1, 2)), self.n_targets, self.target_id)
        ]
        companies = self.pick(self.rng.choice((1, 1, 2, 2, 3)), self.n_companies, self.company_id)
        record["companies"] = []
        for index, company in enumerate(companies):
            entry: dict = {
                "company": company,
                "role": "originator" if index == 0 else self.rng.choice(DRUG_ROLES[1:]),
            }
            if index and self.rng.random() < 0.6:
                entry["territory"] = [self.rng.choice(REGIONS[:6])]
            if self.rng.random() < 0.5:
                entry["note"] = self.text(40, 180)
            entry["sources"] = self.sources()
            record["companies"].append(entry)
        record["evidence"] = {
            field: self.sources()
            for field in ("inn", "code_names", "synonyms", "modality", "mechanism")
        }
        record["status"] = []
        for indication in self.pick(self.rng.randint(1, 4), self.n_indications, self.indication_id):
            entry = {"indication": indication}
            if self.rng.random() < 0.4:
                entry["biomarker"] = f"synthetic marker {self.rng.randrange(40)}-positive"
            if self.rng.random() < 0.5:
                entry["line"] = self.rng.choice(
                    ("first line", "second line", "relapsed or refractory")
                )
            entry["regions"] = sorted(set(self.rng.sample(REGIONS[:6], self.rng.randint(1, 2))))
            entry["phase"] = self.rng.choice(PHASES)
            if self.rng.random() < 0.1:
                entry["development_status"] = self.rng.choice(("discontinued", "suspended"))
            entry["date"] = self.date()
            if self.rng.random() < 0.5:
                entry["note"] = self.text(40, 200)
            entry["sources"] = self.sources(self.rng.randint(1, 2))
            record["status"].append(entry)
        if self.rng.random() < 0.6:
            record["notes"] = self.text(100, 400)
        record["last_reviewed"] = REVIEWED
        return record

    def make_trial(self, number: int, drug: dict) -> dict:
        tid = f"synthtrial-{number:05d}"
        indications = [entry["indication"] for entry in drug["status"]][: self.rng.randint(1, 2)]
        phase = self.rng.choice(TRIAL_PHASES)
        arms = [
            {
                "label": f"{drug['name']} arm",
                "type": "experimental",
                "regimen": [{"drug": drug["id"], "role": "investigational"}],
            }
        ]
        if self.rng.random() < 0.5:
            comparator = self.drug_id(self.rng.randrange(self.n))
            if comparator != drug["id"]:
                arms.append(
                    {
                        "label": "comparator arm",
                        "type": "active comparator",
                        "regimen": [{"drug": comparator, "role": "comparator"}],
                    }
                )
        results = []
        for name, abbreviation, unit in self.rng.sample(ENDPOINTS, self.rng.randint(1, 4)):
            value = (
                round(self.rng.uniform(0.3, 0.95), 2)
                if unit == "ratio"
                else round(self.rng.uniform(1, 80), 1)
            )
            result = {"endpoint": name, "abbreviation": abbreviation, "value": value, "unit": unit}
            if self.rng.random() < 0.5:
                result["ci_low"] = round(value * 0.8, 2)
                result["ci_high"] = round(value * 1.2, 2)
            result["n"] = self.rng.randint(10, 900)
            result["assessor"] = self.rng.choice(
                ("independent central review", "investigator", "not stated")
            )
            result["sources"] = self.sources()
            results.append(result)
        return {
            "id": tid,
            "title": f"[Synthetic {phase} study {number:05d} of {drug['name']}]",
            "acronym": f"SYNTH-{number:05d}",
            "registry_ids": [{"registry": "nct", "id": f"NCT99{number:06d}"}],
            "phase": phase,
            "design": {
                "allocation": "randomized" if len(arms) > 1 else "single-arm",
                "masking": self.rng.choice(("open-label", "double-blind")),
            },
            "status": self.rng.choice(TRIAL_STATUSES),
            "drugs": [drug["id"]],
            "sponsors": [drug["companies"][0]["company"]],
            "indications": indications,
            "population": self.text(60, 200),
            "countries": sorted(
                set(self.rng.sample(("CN", "US", "JP", "KR", "GB", "DE"), self.rng.randint(1, 3)))
            ),
            "enrolment": [
                {
                    "count": self.rng.randint(20, 1200),
                    "type": self.rng.choice(("planned", "actual")),
                    "sources": self.sources(),
                }
            ],
            "arms": arms,
            "results": results,
            "start_date": self.date(),
            "sources": self.sources(self.rng.randint(1, 2)),
            "notes": self.text(60, 300),
            "last_reviewed": REVIEWED,
        }

    def make_event(self, number: int, drug: dict, trials: list[str]) -> dict:
        eid = f"synthevent-{number:05d}"
        kind = self.rng.choice(
            ("approval", "filing", "designation", "deal", "trial start", "other")
        )
        region = self.rng.choice(REGIONS[:6])
        record: dict = {
            "id": eid,
            "type": kind,
            "summary": f"Synthetic {kind} event {number:05d} for {drug['name']}: "
            + self.text(40, 160),
            "date": self.date(),
            "date_basis": self.rng.choice(("event", "announced", "reported")),
            "drugs": [drug["id"]],
        }
        if kind in ("approval", "filing", "designation"):
            record["indications"] = [drug["status"][0]["indication"]]
            record["regions"] = [region]
            record["agency"] = AGENCIES[region]
        if kind == "designation":
            record["designation"] = self.rng.choice(DESIGNATIONS)
        if kind == "deal":
            partner = self.company_id(self.rng.randrange(self.n_companies))
            owner = drug["companies"][0]["company"]
            record["parties"] = [{"company": owner, "role": "licensor"}]
            if partner != owner:
                record["parties"].append({"company": partner, "role": "licensee"})
            record["territory"] = [region]
            record["rights"] = "synthetic exclusive development and commercialization rights"
            record["terms"] = [
                {
                    "kind": "upfront",
                    "money": {"amount": self.rng.randint(1, 500) * 1_000_000, "currency": "USD"},
                    "description": "synthetic upfront payment",
                    "sources": self.sources(),
                },
                {
                    "kind": "milestones",
                    "money": {"amount": self.rng.randint(1, 3000) * 1_000_000, "currency": "USD"},
                    "up_to": True,
                    "description": "synthetic milestones",
                    "sources": self.sources(),
                },
            ]
        if trials and self.rng.random() < 0.5:
            record["trials"] = trials[:1]
        record["sources"] = self.sources()
        if self.rng.random() < 0.3:
            record["notes"] = self.text(40, 200)
        record["last_reviewed"] = REVIEWED
        return record

    def run(self) -> dict[str, dict[str, dict]]:
        self.make_sources()
        self.make_targets()
        self.make_companies()
        self.make_indications()
        trial_number = event_number = 0
        for i in range(self.n):
            drug = self.make_drug(i)
            self.files["drugs"][drug["id"]] = drug
            trials = []
            for _ in range(self.rng.choice((0, 0, 1, 1, 1, 2))):
                trial = self.make_trial(trial_number, drug)
                trial_number += 1
                self.files["trials"][trial["id"]] = trial
                trials.append(trial["id"])
            for _ in range(self.rng.choice((0, 1, 1, 2))):
                event = self.make_event(event_number, drug, trials)
                event_number += 1
                self.files["events"][event["id"]] = event
        return self.files


def dump(record: dict) -> str:
    """A record as YAML text the strict loader accepts (libyaml quotes dates and yes/no words)."""
    return yaml.dump(
        record, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=4096
    )


def synthesize(drugs: int, out: Path, seed: int = 0) -> dict[str, int]:
    """Write a synthetic tree of `drugs` drugs to out/<kind>/<id>.yaml; returns counts by kind.

    `out` must be new, empty, or an earlier synthetic tree (marked by a .synthetic file), which
    is replaced; anything else (such as the real records/) is refused and left alone.
    """
    if drugs < 1:
        raise ValueError("--drugs must be at least 1")
    out = Path(out)
    if out.is_symlink():
        raise ValueError(f"{out} is a link; choose a real folder")
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"{out} is not a folder")
        if any(out.iterdir()):
            strangers = _not_synthetic(out)
            if strangers:
                raise ValueError(
                    f"{out} is not empty and was not written by synth ({strangers[0]} is not a "
                    "synthetic record); choose a new folder"
                )
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(
        f"synthetic records: {drugs} drugs, seed {seed}; not data\n", encoding="utf-8"
    )
    files = _Synth(drugs, seed).run()
    counts = {}
    for kind, by_id in files.items():
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for record_id, record in by_id.items():
            (folder / f"{record_id}.yaml").write_text(dump(record), encoding="utf-8")
        counts[kind] = len(by_id)
    return counts


_SYNTHETIC_NAME = re.compile(r"\Asynth[a-z]+-[0-9]+\.yaml\Z")


def _not_synthetic(out: Path) -> list[str]:
    """What in `out` synth did not write: anything but the marker and synth<kind>-<n>.yaml files
    in kind folders, or any link. A marker alone proves nothing (a pull request can plant one in
    records/), so synth replaces a folder only when everything in it is its own."""
    strangers = []
    if not (out / MARKER).is_file() or (out / MARKER).is_symlink():
        strangers.append(MARKER)
    for entry in sorted(out.iterdir()):
        if entry.name == MARKER:
            continue
        if entry.is_symlink() or not entry.is_dir() or entry.name not in KINDS:
            strangers.append(entry.name)
            continue
        for file in sorted(entry.iterdir()):
            if file.is_symlink() or not file.is_file() or not _SYNTHETIC_NAME.match(file.name):
                strangers.append(f"{entry.name}/{file.name}")
    return strangers

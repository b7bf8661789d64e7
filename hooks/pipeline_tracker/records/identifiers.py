"""External identifiers: which database an id belongs to, the id's pattern and its resolver link.

Patterns and URL formats are the Bioregistry's (https://bioregistry.io), not hand-written: they
live in `registry_table.py`, generated from the `bioregistry` package by
`.venv/bin/python -m pipeline_tracker.records.identifiers` (the package is a test dependency only: it
is 30 MB with pydantic and requests and takes about 1.7 s to import, which every build would pay
for a dozen patterns). A test checks the table still matches the installed Bioregistry.

Records write some ids as CURIEs ("HGNC:3430", "MONDO:0005070"); the Bioregistry's patterns and
URL formats are for the local part, so the prefix is checked and dropped first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pipeline_tracker.records.registry_table import GENERATED_FROM, TABLE


@dataclass(frozen=True)
class Scheme:
    key: str  # as records name it: a field name (hgnc, uniprot, …) or a trial registry (nct, …)
    prefix: str | None  # Bioregistry prefix; None: the registry has no entry (no link, no check)
    label: str  # shown beside the id
    curie: str = ""  # prefix the record writes before the local id, e.g. "HGNC:"


SCHEMES = {
    s.key: s
    for s in (
        Scheme("hgnc", "hgnc", "HGNC", "HGNC:"),
        Scheme("uniprot", "uniprot", "UniProt"),
        Scheme("ncbi_gene", "ncbigene", "NCBI Gene"),
        Scheme("mesh", "mesh", "MeSH"),
        Scheme("mondo", "mondo", "MONDO", "MONDO:"),
        Scheme("efo", "efo", "EFO", "EFO:"),
        Scheme("icd10", "icd10", "ICD-10"),
        Scheme("chembl", "chembl.compound", "ChEMBL"),
        Scheme("drugbank", "drugbank", "DrugBank"),
        Scheme("nct", "clinicaltrials", "ClinicalTrials.gov"),
        Scheme("eudract", "euclinicaltrials", "EU Clinical Trials Register (EudraCT)"),
        Scheme("ctis", "ctis", "EU CTIS"),
        Scheme("chictr", "chictr", "ChiCTR"),
        Scheme("ctr", None, "China Drug Trials"),  # not in the Bioregistry: shown as text
    )
}
# Where records hold identifiers, by kind: (path pattern as rules.walk takes it, scheme key or
# "registry" for trial registry ids, whose scheme is the entry's `registry`).
ID_FIELDS = {
    "targets": [("hgnc", "hgnc"), ("uniprot", "uniprot"), ("ncbi_gene", "ncbi_gene")],
    "drugs": [
        (f"external_ids/{k}", k) for k in ("mesh", "mondo", "efo", "icd10", "chembl", "drugbank")
    ],
    "indications": [
        (f"external_ids/{k}", k) for k in ("mesh", "mondo", "efo", "icd10", "chembl", "drugbank")
    ],
    "trials": [("registry_ids/*", "registry")],
}


def local_id(scheme: str, value) -> str | None:
    """The id as the Bioregistry writes it (CURIE prefix dropped); None if the prefix is missing."""
    text = str(value).strip()
    curie = SCHEMES[scheme].curie if scheme in SCHEMES else ""
    if curie:
        if not text.upper().startswith(curie.upper()):
            return None
        return text[len(curie) :]
    return text


@cache
def _pattern(prefix: str) -> re.Pattern | None:
    pattern = TABLE[prefix][1]
    return re.compile(pattern) if pattern else None


def problem(scheme: str, value) -> str | None:
    """Why `value` is no valid `scheme` id, or None if it is (or the scheme cannot be checked)."""
    s = SCHEMES.get(scheme)
    if s is None or s.prefix is None:
        return None
    local = local_id(scheme, value)
    if local is None:
        return f"{s.label} ids are written {s.curie}<number>, e.g. {s.curie}{TABLE[s.prefix][3]}"
    compiled = _pattern(s.prefix)
    if compiled is not None and not compiled.search(local):
        return (
            f"'{value}' is no {s.label} id: the Bioregistry's pattern for {s.prefix} is"
            f" {compiled.pattern} (e.g. {s.curie}{TABLE[s.prefix][3]})"
        )
    return None


def iri(scheme: str, value) -> str | None:
    """The id's page in its home database, or None (unknown scheme, no resolver, invalid id)."""
    s = SCHEMES.get(scheme)
    if s is None or s.prefix is None or problem(scheme, value) is not None:
        return None
    uri_format = TABLE[s.prefix][2]
    local = local_id(scheme, value)
    return uri_format.replace("$1", local) if uri_format and local else None


def label(scheme: str) -> str:
    return SCHEMES[scheme].label if scheme in SCHEMES else scheme


def generate() -> str:
    """registry_table.py's text, from the installed `bioregistry` package."""
    import importlib.metadata

    import bioregistry

    rows = []
    for prefix in sorted({s.prefix for s in SCHEMES.values() if s.prefix}):
        resource = bioregistry.get_resource(prefix)
        rows.append(
            f"    {prefix!r}: (\n        {resource.get_name()!r},\n"
            f"        {resource.get_pattern()!r},\n        {resource.get_uri_format()!r},\n"
            f"        {resource.get_example()!r},\n    ),"
        )
    version = importlib.metadata.version("bioregistry")
    return (
        '"""Generated by `python -m pipeline_tracker.records.identifiers` from the Bioregistry; do not edit.\n\n'
        'prefix → (name, pattern of the local id, URL format with $1 for the id, example id)."""\n\n'
        f'GENERATED_FROM = "bioregistry {version}"\n\nTABLE = {{\n' + "\n".join(rows) + "\n}\n"
    )


if __name__ == "__main__":  # pragma: no cover - maintenance command
    from pathlib import Path

    target = Path(__file__).with_name("registry_table.py")
    target.write_text(generate(), encoding="utf-8")
    print(f"wrote {target} ({GENERATED_FROM} before)")

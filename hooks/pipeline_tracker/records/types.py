"""Typed views of records, generated from schema/ by `pipeline-tracker typed` (do not edit).

One TypedDict per record kind and per nested object; a key the schema requires is Required, the
others may be absent. Record.data is one of these (see Tracker.drug, .trial, .event, …). No
`from __future__ import annotations`, so Python knows the required keys at run time (a test
compares them with the schemas): each class comes after the classes of its fields.
"""

from typing import Any, Required, TypedDict


class Citation(TypedDict, total=False):
    source: Required[str]
    quote: str
    pointer: str


class DrugTarget(TypedDict, total=False):
    """Target"""

    target: Required[str]
    action: str
    note: str
    inferred: dict[str, str]
    sources: list[str | Citation]


class DrugCompany(TypedDict, total=False):
    """Company role"""

    company: Required[str]
    role: Required[str]
    territory: list[str]
    territory_as_stated: str
    note: str
    inferred: dict[str, str]
    sources: Required[list[str | Citation]]


class DrugEvidence(TypedDict, total=False):
    """Evidence for identity facts"""

    inn: list[str | Citation]
    name_zh: list[str | Citation]
    code_names: list[str | Citation]
    synonyms: list[str | Citation]
    modality: list[str | Citation]
    mechanism: list[str | Citation]


class DrugStatus(TypedDict, total=False):
    """Development status row"""

    indication: Required[str]
    biomarker: str
    line: str
    stage: str
    regions: Required[list[str]]
    route: str
    scheme: str
    phase: str
    development_status: str
    date: str
    date_approximate: str
    note: str
    inferred: dict[str, str]
    sources: Required[list[str | Citation]]


class DrugExternalIds(TypedDict, total=False):
    """External ids"""

    mesh: str
    mondo: str
    icd10: str
    chembl: str


class Drug(TypedDict, total=False):
    """Drug"""

    id: Required[str]
    name: Required[str]
    inn: str
    name_zh: str
    code_names: list[str]
    synonyms: list[str]
    modality: Required[str]
    mechanism: str
    targets: list[DrugTarget]
    companies: list[DrugCompany]
    evidence: DrugEvidence
    inferred: dict[str, str]
    status: list[DrugStatus]
    external_ids: DrugExternalIds
    notes: str
    review: str
    last_reviewed: str


class Target(TypedDict, total=False):
    """Target"""

    id: Required[str]
    symbol: Required[str]
    name: Required[str]
    aliases: list[str]
    family: str
    hgnc: str
    uniprot: str
    ncbi_gene: int
    description: str
    sources: list[str | Citation]
    notes: str
    last_reviewed: str


class Company(TypedDict, total=False):
    """Company"""

    id: Required[str]
    name: Required[str]
    former_names: list[str]
    name_zh: str
    country: str
    city: str
    tickers: list[str]
    type: str
    parent: str
    description: str
    sources: list[str | Citation]
    notes: str
    review: str
    last_reviewed: str


class IndicationExternalIds(TypedDict, total=False):
    """External ids"""

    mesh: str
    mondo: str
    icd10: str
    chembl: str


class IndicationEpidemiology(TypedDict, total=False):
    """Epidemiology figure"""

    measure: Required[str]
    value: float
    value_high: float
    unit: str
    region: str
    approximate: bool
    population: str
    sources: Required[list[str | Citation]]


class Indication(TypedDict, total=False):
    """Indication"""

    id: Required[str]
    name: Required[str]
    synonyms: list[str]
    parent: str
    therapeutic_area: str
    external_ids: IndicationExternalIds
    description: str
    epidemiology: list[IndicationEpidemiology]
    sources: list[str | Citation]
    notes: str
    review: str
    last_reviewed: str


class TrialRegistryId(TypedDict, total=False):
    """Registry id"""

    registry: Required[str]
    id: Required[str]


class TrialDesign(TypedDict, total=False):
    """Design"""

    allocation: str
    masking: str
    model: str
    multicenter: bool
    pivotal: bool


class People(TypedDict, total=False):
    """Person"""

    name: Required[str]
    degrees: str
    role: str
    affiliation: str
    sources: Required[list[str | Citation]]


class TrialSites(TypedDict, total=False):
    """Sites"""

    count: Required[int]
    approximate: bool


class TrialEnrolment(TypedDict, total=False):
    """Enrolment"""

    count: Required[int]
    type: Required[str]
    approximate: bool
    sources: Required[list[str | Citation]]


class TrialArm(TypedDict, total=False):
    """Arm"""

    label: Required[str]
    type: Required[str]
    regimen: Required[list[Any]]


class TrialEndpoint(TypedDict, total=False):
    """Endpoint"""

    name: Required[str]
    abbreviation: str
    type: str
    timeframe: str
    description: str
    sources: list[str | Citation]


class TrialResult(TypedDict, total=False):
    """Result"""

    endpoint: Required[str]
    abbreviation: str
    value: Required[float]
    unit: Required[str]
    ci_low: float | str
    ci_high: float | str
    arm: str
    population: str
    n: int
    assessor: str
    date: str
    note: str
    sources: Required[list[str | Citation]]


class Trial(TypedDict, total=False):
    """Trial"""

    id: Required[str]
    title: Required[str]
    official_title: str
    acronym: str
    registry_ids: list[TrialRegistryId]
    phase: Required[str]
    phase_detail: str
    study_type: str
    design: TrialDesign
    status: str
    status_as_of: str
    status_sources: list[str | Citation]
    drugs: Required[list[str]]
    sponsors: list[str]
    collaborators: list[str]
    people: list[People]
    indications: Required[list[str]]
    population: str
    biomarker: str
    line: str
    countries: list[str]
    removed_countries: list[str]
    locations_note: str
    sites: TrialSites
    enrolment: list[TrialEnrolment]
    arms: list[TrialArm]
    endpoints: list[TrialEndpoint]
    results: list[TrialResult]
    start_date: str
    start_date_type: str
    primary_completion_date: str
    primary_completion_date_type: str
    completion_date: str
    completion_date_type: str
    inferred: dict[str, str]
    sources: Required[list[str | Citation]]
    notes: str
    last_reviewed: str


class EventParty(TypedDict, total=False):
    """Party"""

    company: Required[str]
    role: Required[str]


class Money(TypedDict, total=False):
    """Amount"""

    amount: Required[float]
    currency: Required[str]
    approximate: bool


class EventTerm(TypedDict, total=False):
    """Deal term"""

    kind: Required[str]
    money: Money
    money_usd: Money
    up_to: bool
    description: str
    sources: Required[list[str | Citation]]


class Event(TypedDict, total=False):
    """Event"""

    id: Required[str]
    type: Required[str]
    summary: Required[str]
    date: str
    date_approximate: str
    date_basis: str
    drugs: Required[list[str]]
    indications: list[str]
    biomarker: str
    line: str
    regions: list[str]
    agency: str
    pathway: str
    filing_stage: str
    route: str
    designation: str
    designation_scope: str
    designation_class: str
    parties: list[EventParty]
    territory: list[str]
    territory_as_stated: str
    territory_note: str
    rights: str
    terms: list[EventTerm]
    trials: list[str]
    companies: list[str]
    people: list[People]
    inferred: dict[str, str]
    sources: Required[list[str | Citation]]
    notes: str
    last_reviewed: str


class Source(TypedDict, total=False):
    """Source"""

    id: Required[str]
    title: Required[str]
    kind: Required[str]
    publisher: str
    author: str
    date: str
    retrieved: str
    url: str
    language: str
    local_copy: str
    notes: str
    last_reviewed: str

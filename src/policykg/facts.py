"""A policy version's facts as a reader sees them: grouped, labelled, each with its quotes.

The graph states facts on version-scoped IRIs (``.../policy/talkdesk/2019-12-31/process/x``) and
DPV terms; an analyst reads "Transfers to the US: relies on EU-US Privacy Shield" with the
sentence that says so. This module reads every evidence-backed fact of a version (one query),
names subjects, properties and values by their labels, and files each under the group a reader
looks for (entities, processes, recipients, transfers, rights, retention, contacts, statements
the consistency rules read). The report's policy pages and the version diff both use it, so
they show the same facts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from .namespaces import DPV, ID, PKG
from .params import curie
from .store import GraphStore

GROUPS = (
    ("policy", "The policy"),
    ("entities", "Entities"),
    ("processes", "Processes"),
    ("recipients", "Recipients"),
    ("transfers", "Transfers"),
    ("rights", "Rights"),
    ("retention", "Retention"),
    ("contacts", "Contacts, complaints and disputes"),
    ("statements", "Negative and limiting statements (read by the contradiction rules)"),
    ("other", "Other facts"),
)
"""The groups of a policy page, in page order, with their headings."""

_D, _P, _ID = str(DPV), str(PKG), str(ID)
_PROPERTY_GROUP = {
    "policy": [f"{_P}statedDate", f"{_P}estimatedDate", f"{_P}p3pToken", f"{_P}citesStandard"],
    "entities": [
        f"{_D}hasDataController",
        f"{_D}hasName",
        f"{_D}hasAddress",
        f"{_D}hasIdentifier",
        f"{_D}hasLocation",
        f"{_D}hasApplicableLaw",
        f"{_P}identityStatus",
    ],
    "processes": [
        f"{_D}hasPurpose",
        f"{_D}hasPersonalData",
        f"{_D}hasLegalBasis",
        f"{_D}hasDataSubject",
        f"{_D}isImplementedUsingTechnology",
        f"{_D}hasProcessing",
        f"{_P}legitimateInterest",
        f"{_P}minimumAge",
    ],
    "recipients": [f"{_D}hasRecipient", f"{_D}hasRecipientThirdParty", f"{_D}hasDataProcessor"],
    "transfers": [
        f"{_D}hasThirdCountry",
        f"{_D}hasDataExporter",
        f"{_D}hasDataImporter",
        f"{_P}claimsCompliance",
        f"{_P}disclaimsInstrument",
        f"{_P}mentionsInstrument",
        f"{_P}certifiedUnder",
        f"{_P}certifiedEntity",
        f"{_P}certifiedScope",
        f"{_P}excludes",
    ],
    "rights": [f"{_D}hasRight", f"{_P}namesRight", f"{_P}describesRight"],
    "retention": [f"{_D}hasStorageCondition"],
    "contacts": [
        f"{_D}hasContact",
        f"{_P}contactStatus",
        f"{_D}hasDataProtectionOfficer",
        f"{_P}hasDisputeResolutionBody",
        f"{_P}hasEnforcementAuthority",
        f"{_D}hasAuthority",
    ],
    "statements": [
        f"{_P}deniedPurpose",
        f"{_P}deniedProcessing",
        f"{_P}deniedPersonalData",
        f"{_P}deniedRecipient",
        f"{_P}deniedRight",
        f"{_P}deniedLegalBasis",
        f"{_P}deniesDisclosureTo",
        f"{_P}onlyRecipient",
        f"{_P}onlyPurpose",
        f"{_P}exceptLegalBasis",
        f"{_P}exceptRecipientType",
        f"{_P}announcedCount",
        f"{_P}listedItem",
        f"{_P}containsCopiedPassage",
        f"{_P}appliesTo",
    ],
}
GROUP_OF_PROPERTY = {p: group for group, props in _PROPERTY_GROUP.items() for p in props}

RELIANCE = (f"{_D}hasLegalBasis", f"{_D}hasOrganisationalMeasure")
TRANSFER_RELIED = "transfer mechanism relied upon"
_TRANSFER_BASES = ("A44", "A45", "A46", "A47", "A48", "A49", "StandardContractualClauses", "BindingCorporate")
_ASPECTS = {
    f"{_P}statedDate": "date stated",
    f"{_P}estimatedDate": "date estimated",
    f"{_D}hasDataController": "controller",
    f"{_D}hasName": "name",
    f"{_D}hasAddress": "address",
    f"{_D}hasIdentifier": "registration identifier",
    f"{_D}hasLocation": "location",
    f"{_D}hasPurpose": "purpose",
    f"{_D}hasPersonalData": "personal data",
    f"{_D}hasLegalBasis": "legal basis",
    f"{_D}hasDataSubject": "data subject",
    f"{_D}hasRecipient": "recipient",
    f"{_D}hasRecipientThirdParty": "third-party recipient",
    f"{_D}hasDataProcessor": "processor",
    f"{_D}hasThirdCountry": "third country",
    f"{_D}hasDataExporter": "data exporter",
    f"{_D}hasDataImporter": "data importer",
    f"{_P}claimsCompliance": "claims compliance with",
    f"{_P}disclaimsInstrument": "says it does not rely on",
    f"{_P}mentionsInstrument": "mentions (not relied upon)",
    f"{_D}hasRight": "right",
    f"{_D}hasStorageCondition": "retention",
    f"{_D}hasContact": "contact",
    f"{_P}contactStatus": "contact status",
    f"{_D}hasDataProtectionOfficer": "data protection officer",
    f"{_P}hasDisputeResolutionBody": "dispute resolution body",
    f"{_P}hasEnforcementAuthority": "enforcement authority",
}


@dataclass(frozen=True, order=True)
class Quote:
    start: int
    end: int
    text: str
    condition: str = ""


@dataclass
class Fact:
    """One statement of a version with every quote that proves it."""

    group: str
    aspect: str
    subject: str
    """The subject's label (a process, an entity; "the policy" for the version itself)."""
    subject_key: str
    """The subject in version-independent form (the part after the version IRI, or a shared IRI)."""
    value: str
    """The value's label."""
    value_key: str
    """What the value is compared by across versions (see :func:`_value_key`)."""
    predicate: str
    quotes: list[Quote] = field(default_factory=list)
    subject_iri: str = ""
    value_term: str = ""
    """The subject and value as the graph has them (IRIs or the literal's text)."""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.group, self.aspect, self.subject_key, self.value_key)


@dataclass(frozen=True)
class Version:
    """A policy version as listed in the catalogue, with the date that orders it."""

    iri: str
    vendor: str
    vendor_label: str
    vendor_slug: str
    on: date | None
    dated: bool
    draft: bool
    source_file: str
    title: str

    @property
    def slug(self) -> str:
        """``vendor/version``, how users and the report name it."""
        return f"{self.vendor_slug}/{self.iri.rsplit('/', 1)[-1]}"

    @property
    def version_name(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


_PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX oa:   <http://www.w3.org/ns/oa#>
PREFIX dpv:  <https://w3id.org/dpv#>
PREFIX pkg:  <https://w3id.org/policykg#>
"""

_VERSIONS = (
    _PREFIXES
    + """SELECT ?v ?vendor ?label ?slug ?stated ?estimated ?status ?file ?title WHERE {
  { SELECT DISTINCT ?v ?vendor WHERE { ?v a pkg:PolicyVersion ; pkg:vendor ?vendor ; pkg:sourceFile ?f } }
  ?vendor pkg:slug ?slug .
  OPTIONAL { ?vendor rdfs:label ?label }
  OPTIONAL { ?v pkg:statedDate ?stated }
  OPTIONAL { ?v pkg:estimatedDate ?estimated }
  OPTIONAL { ?v pkg:reviewStatus ?status }
  OPTIONAL { ?v pkg:sourceFile ?file }
  OPTIONAL { ?v dct:title ?title }
}"""
)

_FACTS = (
    _PREFIXES
    + """SELECT ?s ?p ?o ?quote ?start ?end ?condition WHERE {
  ?ev a pkg:Evidence ; oa:hasSource ?version ; pkg:factSubject ?s ; pkg:factProperty ?p ; pkg:factValue ?o ;
      oa:hasSelector ?q , ?pos .
  ?q oa:exact ?quote .
  ?pos oa:start ?start ; oa:end ?end .
  OPTIONAL { ?ev pkg:appliesTo ?condition }
}"""
)

_LABELS = (
    _PREFIXES
    + """SELECT ?x ?label WHERE {
  { SELECT DISTINCT ?x WHERE {
      ?ev oa:hasSource ?version ; pkg:factSubject|pkg:factValue|pkg:factProperty ?x } }
  { ?x rdfs:label ?label } UNION { ?x dpv:hasName ?label } UNION { ?x pkg:slug ?label }
}"""
)

_INSTRUMENTS = _PREFIXES + "SELECT DISTINCT ?i WHERE { ?i a/rdfs:subClassOf* pkg:TransferInstrument }"


def _date_of(term: Identifier | None) -> date | None:
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, date):
            return value
    return None


def versions(store: GraphStore) -> list[Version]:
    """Every policy version in the store, by vendor and date."""
    found: dict[str, Version] = {}
    for row in store.select(_VERSIONS).records():
        stated, estimated = _date_of(row.get("stated")), _date_of(row.get("estimated"))
        iri = str(row["v"])
        found[iri] = Version(
            iri=iri,
            vendor=str(row["vendor"]),
            vendor_label=str(row.get("label", row["slug"])),
            vendor_slug=str(row["slug"]),
            on=stated or estimated,
            dated=stated is not None,
            draft=str(row.get("status", "")) == f"{_P}Draft",
            source_file=str(row.get("file", "")),
            title=str(row.get("title", "")),
        )
    return sorted(found.values(), key=lambda v: (v.vendor_label.casefold(), v.on or date.min, v.iri))


def latest_versions(all_versions: list[Version], on: date) -> dict[str, Version]:
    """Each vendor's latest version dated (or estimated) on or before ``on``, by vendor IRI."""
    latest: dict[str, Version] = {}
    for version in all_versions:
        if version.on is not None and version.on <= on:
            current = latest.get(version.vendor)
            if current is None or (version.on, version.iri) > (current.on or date.min, current.iri):
                latest[version.vendor] = version
    return latest


def _label(term: Identifier, labels: dict[str, str]) -> str:
    """A term as a reader names it: its label or name; a node minted for the data without one
    (a retention rule ``.../retention/legal-obligation``) by its last segment in words; a
    vocabulary term without a label by its CURIE."""
    if isinstance(term, Literal):
        return str(term)
    text = str(term)
    if text in labels:
        return labels[text]
    if text.startswith(_ID):
        return text.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    return curie(text)


def _preferred_labels(store: GraphStore, version: URIRef) -> dict[str, str]:
    """One label per term: English or untagged rdfs:label, else a name, else the slug."""
    ranked: dict[str, tuple[int, str]] = {}
    for row in store.select(_LABELS, {"version": version}).records():
        label = row["label"]
        lang = label.language if isinstance(label, Literal) else None
        rank = 0 if lang in (None, "en") else 1
        key = str(row["x"])
        if key not in ranked or (rank, str(label)) < ranked[key]:
            ranked[key] = (rank, str(label))
    return {k: v for k, (_, v) in ranked.items()}


def _group_and_aspect(prop: str, value: str, instruments: set[str]) -> tuple[str, str]:
    if prop in RELIANCE and (value in instruments or any(mark in value for mark in _TRANSFER_BASES)):
        return "transfers", TRANSFER_RELIED
    if prop == f"{_D}hasOrganisationalMeasure":
        return "processes", "organisational measure"
    return GROUP_OF_PROPERTY.get(prop, "other"), _ASPECTS.get(prop, "")


def _value_key(value: Identifier, version: str, labels: dict[str, str]) -> str:
    """What makes two versions' values the same: a shared IRI (a DPV term, an instrument, a
    catalogued company) by itself; a node minted inside the version (its controller, a
    recipient, a retention rule) by its label, since each version mints its own IRI."""
    text = str(value)
    if isinstance(value, URIRef) and text.startswith(version + "/"):
        return "label:" + " ".join(_label(value, labels).split()).casefold()
    return text


def version_facts(store: GraphStore, version: str) -> list[Fact]:
    """Every evidence-backed fact of ``version``, merged per (group, aspect, subject, value),
    each with its quotes in text order."""
    iri = URIRef(version)
    labels = _preferred_labels(store, iri)
    instruments = {str(r[0]) for r in store.select(_INSTRUMENTS).rows}
    facts: dict[tuple[str, str, str, str], Fact] = {}
    for row in store.select(_FACTS, {"version": iri}).records():
        subject, prop, value = row["s"], str(row["p"]), row["o"]
        group, aspect = _group_and_aspect(prop, str(value), instruments)
        aspect = aspect or labels.get(prop, curie(prop))
        own = str(subject) == version
        subject_key = "" if own else str(subject).removeprefix(version)
        fact = Fact(
            group=group,
            aspect=aspect,
            subject="the policy" if own else _label(subject, labels),
            subject_key=subject_key,
            value=_label(value, labels),
            value_key=_value_key(value, version, labels),
            predicate=prop,
            subject_iri=str(subject),
            value_term=str(value),
        )
        merged = facts.setdefault(fact.key, fact)
        quote = Quote(
            int(str(row["start"])), int(str(row["end"])), str(row["quote"]), str(row.get("condition", ""))
        )
        if quote not in merged.quotes:
            merged.quotes.append(quote)
    for fact in facts.values():
        fact.quotes.sort()
    return sorted(facts.values(), key=_fact_order)


def _fact_order(fact: Fact) -> tuple[int, str, int, str]:
    group_rank = [g for g, _ in GROUPS].index(fact.group)
    first = fact.quotes[0].start if fact.quotes else 0
    return (group_rank, fact.subject.casefold(), first, fact.aspect)


def grouped(facts: list[Fact]) -> dict[str, list[Fact]]:
    """Facts by group, in page order; empty groups left out."""
    by_group: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_group[fact.group].append(fact)
    return {g: by_group[g] for g, _ in GROUPS if by_group.get(g)}

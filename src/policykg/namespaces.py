"""Every namespace and IRI scheme of the project, written down once.

DPV terms are always used with their canonical IRIs (``https://w3id.org/dpv#``), never the
``/owl#`` variants (see ../shared/reference/dpv-terms.md §0.1).
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
LOC = Namespace("https://w3id.org/dpv/loc#")
TECH = Namespace("https://w3id.org/dpv/tech#")
EU_GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
LEGAL_EU = Namespace("https://w3id.org/dpv/legal/eu#")
LEGAL_US = Namespace("https://w3id.org/dpv/legal/us#")
LEGAL_GB = Namespace("https://w3id.org/dpv/legal/gb#")
LEGAL_SK = Namespace("https://w3id.org/dpv/legal/sk#")

PKG = Namespace("https://w3id.org/policykg#")
"""Terms the project adds where DPV has none."""
ID = Namespace("https://w3id.org/policykg/id/")
"""Instance data: vendors, organisations, policy versions and what they state."""

OA = Namespace("http://www.w3.org/ns/oa#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCT = DCTERMS

PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "oa": str(OA),
    "sh": str(SH),
    "dpv": str(DPV),
    "pd": str(PD),
    "loc": str(LOC),
    "tech": str(TECH),
    "eu-gdpr": str(EU_GDPR),
    "legal-eu": str(LEGAL_EU),
    "legal-us": str(LEGAL_US),
    "legal-gb": str(LEGAL_GB),
    "legal-sk": str(LEGAL_SK),
    "pkg": str(PKG),
    "id": str(ID),
}

DPV_FAMILY_PREFIXES = (
    "dpv",
    "pd",
    "loc",
    "tech",
    "eu-gdpr",
    "legal-eu",
    "legal-us",
    "legal-gb",
    "legal-sk",
)
"""Prefixes whose terms must exist in DPV 2.3 (checked by the alignment test)."""


def vendor_iri(slug: str) -> str:
    return f"{ID}vendor/{slug}"


def policy_iri(vendor_slug: str, version: str) -> str:
    """The IRI of a policy version; it is also the name of the version's graph."""
    return f"{ID}policy/{vendor_slug}/{version}"


def bind_prefixes(graph: object) -> None:
    """Bind the project prefixes on an rdflib Graph or Dataset for readable output."""
    from rdflib import Graph

    assert isinstance(graph, Graph)
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)

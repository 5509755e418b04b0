"""Which DPV terms the project uses, and where DPV's own files are.

Shared by the DPV-module generator (tools/extract_dpv_module.py) and the alignment test, so
that both scan the same files in the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, URIRef

from .namespaces import DPV_FAMILY_PREFIXES, PREFIXES
from .rdfio import parse_into

DPV_FILES = (
    "dpv/dpv.ttl",
    "pd/pd.ttl",
    "tech/tech.ttl",
    "loc/loc.ttl",
    "legal/eu/gdpr/eu-gdpr.ttl",
    "legal/eu/legal-eu.ttl",
    "legal/us/legal-us.ttl",
    "legal/gb/legal-gb.ttl",
    "legal/sk/legal-sk.ttl",
)
"""The canonical (SKOS) DPV 2.3 files, relative to a DPV 2.3 release folder."""

DPV_NAMESPACES = tuple(PREFIXES[p] for p in DPV_FAMILY_PREFIXES)

_SCANNED_DIRS = ("ontology", "shapes", "data", "queries")
_RDF_SUFFIXES = {".ttl", ".trig"}
_QNAME = re.compile(
    r"(?<![\w:/#-])("
    + "|".join(re.escape(p) for p in DPV_FAMILY_PREFIXES)
    + r"):([A-Za-z0-9_][\w.-]*\w|[A-Za-z0-9_])"
)
_FULL_IRI = re.compile(r"<(https://w3id\.org/dpv[^>\s]*)>")


def _project_files(root: Path, exclude: set[Path]) -> Iterable[Path]:
    for name in _SCANNED_DIRS:
        folder = root / name
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.resolve() not in exclude:
                    yield path


def _iris_in_rdf(path: Path) -> set[URIRef]:
    dataset = Dataset()
    parse_into(dataset, path)
    found: set[URIRef] = set()
    for quad in dataset.quads():
        for term in quad[:3]:
            if isinstance(term, URIRef) and str(term).startswith(DPV_NAMESPACES):
                found.add(term)
    return found


def _iris_in_text(text: str) -> set[URIRef]:
    found = {URIRef(PREFIXES[p] + local) for p, local in _QNAME.findall(text)}
    found |= {URIRef(iri) for iri in _FULL_IRI.findall(text) if iri.startswith(DPV_NAMESPACES)}
    return found


def used_dpv_iris(root: Path, exclude: set[Path] | None = None) -> set[URIRef]:
    """Every DPV-family IRI used in the project's data files (not namespace IRIs)."""
    excluded = {p.resolve() for p in (exclude or set())}
    found: set[URIRef] = set()
    for path in _project_files(root, excluded):
        if path.suffix in _RDF_SUFFIXES:
            found |= _iris_in_rdf(path)
        elif path.suffix in {".rq", ".tsv", ".csv", ".md", ".yaml"}:
            found |= _iris_in_text(path.read_text(encoding="utf-8"))
    return {iri for iri in found if str(iri) not in DPV_NAMESPACES}

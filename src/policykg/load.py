"""Loading the shipped data into a store: ontology, catalogue, one named graph per version."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from .errors import InputFileError
from .namespaces import PKG, bind_prefixes
from .ontology import load_ontology
from .paths import project_paths
from .rdfio import parse_into
from .store import CATALOGUE_GRAPH, ONTOLOGY_GRAPH, MemoryStore

CATALOGUE_FILE = "catalogue.ttl"


@dataclass(frozen=True)
class PolicyEntry:
    iri: URIRef
    vendor: URIRef
    data_file: Path


@dataclass
class LoadResult:
    store: MemoryStore
    ontology: Graph
    catalogue: Graph
    policies: list[PolicyEntry]
    warnings: list[str] = field(default_factory=list)

    def policy_graphs(self) -> dict[URIRef, Graph]:
        return {p.iri: self.store.graph(p.iri) for p in self.policies}


def read_catalogue(data_dir: Path) -> tuple[Graph, list[PolicyEntry]]:
    path = data_dir / CATALOGUE_FILE
    graph = Graph()
    bind_prefixes(graph)
    parse_into(graph, path)
    entries = []
    versions = sorted(v for v in graph.subjects(RDF.type, PKG.PolicyVersion) if isinstance(v, URIRef))
    for version in versions:
        vendor = graph.value(version, PKG.vendor)
        data_file = graph.value(version, PKG.dataFile)
        if not isinstance(vendor, URIRef) or data_file is None:
            raise InputFileError(path, f"policy version <{version}> needs pkg:vendor and pkg:dataFile")
        entries.append(PolicyEntry(version, vendor, data_dir / str(data_file)))
    return graph, entries


def read_policy_graph(entry: PolicyEntry) -> Graph:
    """Parse a version's TriG file; it must hold exactly the version's own named graph."""
    dataset = Dataset()
    parse_into(dataset, entry.data_file)
    names = {g.identifier for g in dataset.graphs() if len(g) > 0}
    default = dataset.default_graph
    if len(default) > 0:
        raise InputFileError(
            entry.data_file, "triples outside a named graph (put them in the version's GRAPH block)"
        )
    if names != {entry.iri}:
        found = ", ".join(sorted(str(n) for n in names)) or "none"
        raise InputFileError(entry.data_file, f"expected one named graph <{entry.iri}>, found: {found}")
    graph = Graph(identifier=entry.iri)
    bind_prefixes(graph)
    for triple in dataset.graph(entry.iri):
        graph.add(triple)
    return graph


def load_project(data_dir: Path | None = None, ontology_dir: Path | None = None) -> LoadResult:
    """Load ontology, catalogue and every catalogued policy version into a fresh store."""
    paths = project_paths()
    data_dir = data_dir or paths.data
    store = MemoryStore()
    ontology = load_ontology(ontology_dir)
    store.replace_graph(ONTOLOGY_GRAPH, ontology)
    catalogue, entries = read_catalogue(data_dir)
    store.replace_graph(CATALOGUE_GRAPH, catalogue)
    result = LoadResult(store=store, ontology=ontology, catalogue=catalogue, policies=entries)
    for entry in entries:
        store.replace_graph(entry.iri, read_policy_graph(entry))
    listed = {e.data_file.resolve() for e in entries}
    for path in sorted(data_dir.rglob("*.trig")):
        if path.resolve() not in listed:
            result.warnings.append(f"{path}: not listed in {CATALOGUE_FILE}, not loaded")
    return result

"""Loading the ontology: the project terms, the DPV module and the instrument timeline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from .namespaces import bind_prefixes
from .paths import project_paths
from .rdfio import parse_into

ONTOLOGY_FILES = ("policykg.ttl", "dpv-module.ttl", "instruments.ttl")


def ontology_files(folder: Path | None = None) -> list[Path]:
    folder = folder or project_paths().ontology
    return [folder / name for name in ONTOLOGY_FILES]


def load_ontology(folder: Path | None = None) -> Graph:
    """One graph with every ontology file; a syntax error names the file and line."""
    graph = Graph()
    bind_prefixes(graph)
    for path in ontology_files(folder):
        parse_into(graph, path)
    return graph


def superclass_closure(graph: Graph) -> Callable[[Node], set[Node]]:
    """``up(cls)``: the class and all its superclasses (rdfs:subClassOf*), memoised.

    Shared by the reasoner's diagnosis and by validation, which both need the type closure."""
    parents: dict[Node, set[Node]] = defaultdict(set)
    for child, parent in graph.subject_objects(RDFS.subClassOf):
        if isinstance(parent, URIRef):
            parents[child].add(parent)
    closure: dict[Node, set[Node]] = {}

    def up(cls: Node) -> set[Node]:
        if cls not in closure:
            closure[cls] = {cls}
            for parent in parents.get(cls, ()):
                closure[cls] |= up(parent)
        return closure[cls]

    return up

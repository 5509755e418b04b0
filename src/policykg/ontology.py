"""Loading the ontology: the project terms, the DPV module and the instrument timeline."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

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

"""Exports: Turtle, TriG, N-Triples, N-Quads and JSON-LD, deterministic so that they diff in git.

Blank nodes get canonical labels (rdflib.compare.to_canonical_graph), line formats are sorted, and
JSON-LD is produced by PyLD from the canonical N-Quads, compacted with the project's own context
(``context/policykg.context.jsonld``; DPV publishes none) and written with sorted keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from .errors import BadValueError, InputFileError
from .namespaces import bind_prefixes
from .paths import project_paths
from .store import GraphStore, selected_graphs

FORMATS = ("turtle", "trig", "ntriples", "nquads", "jsonld")
QUAD_FORMATS = ("trig", "nquads", "jsonld")
SUFFIX = {"turtle": ".ttl", "trig": ".trig", "ntriples": ".nt", "nquads": ".nq", "jsonld": ".jsonld"}
CONTEXT_FILE = "policykg.context.jsonld"
FRAME_FILE = "policykg.frame.jsonld"


def context_dir() -> Path:
    return project_paths().root / "context"


def load_context() -> dict[str, Any]:
    path = context_dir() / CONTEXT_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(path, "JSON-LD context not found") from None
    except json.JSONDecodeError as err:
        raise InputFileError(path, f"invalid JSON: {err.msg}", err.lineno) from None
    return data


def canonical_dataset(store: GraphStore, names: Iterable[URIRef]) -> Dataset:
    """A copy of the chosen graphs with canonical blank-node labels."""
    dataset = Dataset()
    bind_prefixes(dataset)
    for name in names:
        target = dataset.graph(name)
        for triple in to_canonical_graph(store.graph(name)):
            target.add(triple)
    return dataset


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + "\n"


def _union(dataset: Dataset) -> Graph:
    union = Graph()
    bind_prefixes(union)
    for graph in dataset.graphs():
        for triple in graph:
            union.add(triple)
    return union


def to_jsonld(dataset: Dataset, frame: bool = False) -> str:
    """Compact JSON-LD with the project context (or framed: one nested document per version)."""
    from pyld import jsonld

    nquads = _sorted_lines(dataset.serialize(format="nquads"))
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads", "useNativeTypes": False})
    context = load_context()
    if frame:
        frame_doc = json.loads((context_dir() / FRAME_FILE).read_text(encoding="utf-8"))
        document = jsonld.frame(expanded, frame_doc, {"omitGraph": False})
    else:
        document = jsonld.compact(expanded, context)
    graph = document.get("@graph")
    if isinstance(graph, list):
        graph.sort(key=lambda node: str(node.get("id", node.get("@id", ""))))
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export(store: GraphStore, fmt: str, only: str | None = None, framed: bool = False) -> str:
    """Serialise all graphs (or one policy version) in ``fmt``; deterministic for equal input."""
    if fmt not in FORMATS:
        raise BadValueError("export format", fmt, " | ".join(FORMATS))
    dataset = canonical_dataset(store, selected_graphs(store, only))
    if fmt == "nquads":
        return _sorted_lines(dataset.serialize(format="nquads"))
    if fmt == "ntriples":
        return _sorted_lines(_union(dataset).serialize(format="nt"))
    if fmt == "turtle":
        return str(_union(dataset).serialize(format="turtle"))
    if fmt == "trig":
        return str(dataset.serialize(format="trig"))
    return to_jsonld(dataset, frame=framed)

"""The graph store: the one module that owns loading, named graphs and querying.

Callers use :class:`GraphStore` only; the in-memory rdflib implementation below serves the
seed corpus and pyshacl. An embedded persistent store can be put behind the same interface
(the scale work measures pyoxigraph) without touching callers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Node

from .namespaces import PREFIXES, bind_prefixes

ONTOLOGY_GRAPH = URIRef("https://w3id.org/policykg/graph/ontology")
"""Named graph that holds the ontology, the DPV module and the instrument timeline."""
CATALOGUE_GRAPH = URIRef("https://w3id.org/policykg/graph/catalogue")
"""Named graph that holds the vendor and policy-version catalogue."""


class GraphStore(Protocol):
    """What every store offers: named graphs in, SPARQL out."""

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        """Put ``graph`` under ``name``, replacing whatever was there, in one step."""

    def graph_names(self) -> list[URIRef]: ...

    def graph(self, name: URIRef) -> Graph: ...

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        """Run a SPARQL query over the union of all graphs; bindings are never pasted in."""

    def dataset(self) -> Dataset:
        """The whole store as an rdflib Dataset (export, pyshacl)."""

    def __len__(self) -> int: ...


class MemoryStore:
    """rdflib Dataset in memory, default graph = union of the named graphs."""

    def __init__(self) -> None:
        self._ds = Dataset(default_union=True)
        bind_prefixes(self._ds)

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        target = self._ds.graph(name)
        target.remove((None, None, None))
        for triple in graph:
            target.add(triple)
        for prefix, ns in graph.namespaces():
            self._ds.bind(prefix, ns, override=False)

    def graph_names(self) -> list[URIRef]:
        names = [g.identifier for g in self._ds.graphs() if isinstance(g.identifier, URIRef)]
        return sorted(n for n in names if len(self._ds.graph(n)) > 0)

    def graph(self, name: URIRef) -> Graph:
        return self._ds.graph(name)

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        return self._ds.query(sparql, initBindings=dict(bindings or {}))

    def dataset(self) -> Dataset:
        return self._ds

    def policy_graphs(self) -> Iterator[URIRef]:
        for name in self.graph_names():
            if name not in (ONTOLOGY_GRAPH, CATALOGUE_GRAPH):
                yield name

    def __len__(self) -> int:
        return sum(len(self._ds.graph(n)) for n in self.graph_names())


def select(
    graph: Graph, sparql: str, bindings: Mapping[str, Identifier] | None = None
) -> list[dict[str, Node]]:
    """Run a SELECT with the project prefixes; each row as a dict of its bound variables."""
    result = graph.query(sparql, initNs=PREFIXES, initBindings=dict(bindings or {}))
    rows: list[dict[str, Node]] = []
    for row in result:
        if isinstance(row, ResultRow):
            rows.append({str(k): v for k, v in row.asdict().items()})
    return rows

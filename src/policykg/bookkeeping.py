"""A persistent store's bookkeeping: which version is stored with which content hash, and a
write counter that tells a reader what changed since it last looked.

It lives in one named graph (``META_GRAPH``), written in the same transaction as the data it
describes; this module writes the SPARQL for it, :class:`policykg.store.OxigraphStore` runs it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import URIRef

from .namespaces import PKG

META_GRAPH = URIRef("https://w3id.org/policykg/graph/meta")
"""Bookkeeping of a persistent store: the content hash of each loaded graph."""
CONTENT_HASH = PKG.contentHash
STORE_ID = PKG.storeId
STORED_AT = PKG.storedAt
"""In the META graph: the store's write counter when a graph was last written or removed. A
reader that remembers the highest value it has seen finds what changed since in one query."""
STORE_NODE = "urn:policykg:store"
"""The subject of the store's own id."""


def _nt(term: object) -> str:
    return str(term)  # pyoxigraph prints terms in N-Triples syntax


def replace_operations(name: URIRef, quads: Iterable[ox.Quad], digest: str | None) -> list[str]:
    """DROP + INSERT DATA of one graph, with its hash and a new write stamp when ``digest``."""
    graph = f"<{name}>"
    body = "\n".join(f"{_nt(q.subject)} {_nt(q.predicate)} {_nt(q.object)} ." for q in quads)
    operations = [f"DROP SILENT GRAPH {graph}", f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}"]
    return operations + (hash_operations(name, digest) if digest is not None else [])


def hash_operations(name: URIRef, digest: str) -> list[str]:
    """A graph's content hash, replacing the one it had, and a new write stamp."""
    graph, meta = f"<{name}>", f"<{META_GRAPH}>"
    return [
        f"DELETE WHERE {{ GRAPH {meta} {{ {graph} <{CONTENT_HASH}> ?old }} }}",
        f'INSERT DATA {{ GRAPH {meta} {{ {graph} <{CONTENT_HASH}> "{digest}" }} }}',
        *stamp_operations(graph),
    ]


def drop_operations(name: URIRef) -> list[str]:
    """Remove a graph and its hash, leaving a stamp so that readers see the removal."""
    graph, meta = f"<{name}>", f"<{META_GRAPH}>"
    return [
        f"DROP SILENT GRAPH {graph}",
        f"DELETE WHERE {{ GRAPH {meta} {{ {graph} <{CONTENT_HASH}> ?old }} }}",
        *stamp_operations(graph),
    ]


def stamp_operations(graph: str) -> list[str]:
    """Set the graph's pkg:storedAt to one more than the highest in the store, its own old stamp
    included (the WHERE clause is read before anything is deleted)."""
    meta, stamp = f"<{META_GRAPH}>", f"<{STORED_AT}>"
    return [
        f"DELETE {{ GRAPH {meta} {{ {graph} {stamp} ?old }} }} "
        f"INSERT {{ GRAPH {meta} {{ {graph} {stamp} ?next }} }} WHERE {{ "
        f"{{ SELECT ((COALESCE(MAX(?t), 0) + 1) AS ?next) WHERE {{ GRAPH {meta} {{ ?any {stamp} ?t }} }} }} "
        f"OPTIONAL {{ GRAPH {meta} {{ {graph} {stamp} ?old }} }} }}",
    ]


IDENTIFY_OPERATION = (
    f"INSERT {{ GRAPH <{META_GRAPH}> {{ <{STORE_NODE}> <{STORE_ID}> ?id }} }} WHERE {{ "
    f"OPTIONAL {{ GRAPH <{META_GRAPH}> {{ <{STORE_NODE}> <{STORE_ID}> ?known }} }} "
    f'FILTER (!BOUND(?known)) BIND (REPLACE(STRUUID(), "-", "") AS ?id) }}'
)
"""Give the store a random id on its first write (in the same transaction): write counters of
two stores (say, two in-memory loads of data/) must never be compared. Only writes do this, so
reading or validating a store leaves it as it is."""


IDENTITY_QUERY = f"SELECT ?id WHERE {{ GRAPH <{META_GRAPH}> {{ <{STORE_NODE}> <{STORE_ID}> ?id }} }}"
COUNTER_QUERY = f"SELECT (MAX(?t) AS ?m) WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{STORED_AT}> ?t }} }}"
HASHES_QUERY = (
    'SELECT (GROUP_CONCAT(CONCAT(STR(?g), " ", STR(?h)); SEPARATOR="\\n") AS ?all) '
    f"WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{CONTENT_HASH}> ?h }} }}"
)


def changes_query(counter: int) -> str:
    """Graphs stamped after ``counter``, with their hash (none: removed)."""
    return (
        f"SELECT ?g ?h WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{STORED_AT}> ?t FILTER (?t > {int(counter)}) "
        f"OPTIONAL {{ ?g <{CONTENT_HASH}> ?h }} }} }}"
    )


LOAD_STATE = PKG.loadState
"""In the META graph: "running" while a load writes the store, "complete" once it ended well. A
load killed half-way (or stopped by bad input) leaves "running", and readers refuse the store
instead of answering from part of the data."""
LOAD_RUNNING, LOAD_COMPLETE = "running", "complete"
LOAD_STATE_QUERY = (
    f"SELECT ?state WHERE {{ GRAPH <{META_GRAPH}> {{ <{STORE_NODE}> <{LOAD_STATE}> ?state }} }}"
)


def load_state_operation(state: str) -> str:
    """Set the store's load state (one update)."""
    node, meta = f"<{STORE_NODE}>", f"<{META_GRAPH}>"
    return (
        f"DELETE WHERE {{ GRAPH {meta} {{ {node} <{LOAD_STATE}> ?old }} }} ;\n"
        f'INSERT DATA {{ GRAPH {meta} {{ {node} <{LOAD_STATE}> "{state}" }} }}'
    )

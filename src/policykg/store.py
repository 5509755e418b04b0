"""The graph store: the one module that owns named graphs and SPARQL.

Two implementations of :class:`GraphStore`:

- :class:`OxigraphStore` (default): pyoxigraph, in memory or persistent on disk (RocksDB). It
  parses, stores and queries in Rust; replacing a policy version's graph is one SPARQL update,
  so it is atomic and concurrent readers never see half a policy. Chosen because rdflib's
  in-memory graph is too slow and too large for thousands of policies (see README, bench/).
- :class:`MemoryStore`: rdflib's in-memory Dataset, kept as the reference engine for small
  graphs and as the benchmark baseline.

Per-graph work (pyshacl, evidence, reasoning, export) gets rdflib Graphs from ``graph()``.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.query import ResultRow
from rdflib.term import Identifier, Node

from .namespaces import PREFIXES, bind_prefixes

ONTOLOGY_GRAPH = URIRef("https://w3id.org/policykg/graph/ontology")
"""Named graph that holds the ontology, the DPV module and the instrument timeline."""
CATALOGUE_GRAPH = URIRef("https://w3id.org/policykg/graph/catalogue")
"""Named graph that holds the vendor and policy-version catalogue."""
META_GRAPH = URIRef("https://w3id.org/policykg/graph/meta")
"""Bookkeeping of a persistent store: the content hash of each loaded graph."""
CONTENT_HASH = URIRef("https://w3id.org/policykg#contentHash")
STORE_ID = URIRef("https://w3id.org/policykg#storeId")
STORED_AT = URIRef("https://w3id.org/policykg#storedAt")
"""In the META graph: the store's write counter when a graph was last written or removed. A
reader that remembers the highest value it has seen finds what changed since in one query."""
ANALYSIS_GRAPH = URIRef("https://w3id.org/policykg/graph/analysis-context")
"""Holds ``pkg:AnalysisContext pkg:asOf DATE`` while a validation runs (shapes read the date)."""
SYSTEM_GRAPHS = (ONTOLOGY_GRAPH, CATALOGUE_GRAPH, META_GRAPH, ANALYSIS_GRAPH)


@dataclass
class SelectResult:
    columns: list[str]
    rows: list[list[Identifier | None]]


class GraphStore(Protocol):
    """What every store offers: named graphs in, SPARQL out."""

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        """Put ``graph`` under ``name``, replacing whatever was there, in one step."""

    def graph_names(self) -> list[URIRef]: ...

    def graph(self, name: URIRef) -> Graph:
        """A standalone rdflib copy of one named graph."""

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> SelectResult:
        """A SELECT over the union of all graphs; bindings are bound, never pasted in."""

    def ask(self, sparql: str) -> bool: ...

    def update(self, sparql: str) -> None: ...

    def raw_query(self, sparql: str, result_format: str) -> bytes:
        """Serialised SPARQL results (json, csv, tsv, xml), for the HTTP endpoint."""

    def dataset(self) -> Dataset:
        """The whole store as an rdflib Dataset (small stores: export, tests)."""

    def __len__(self) -> int: ...


PKG_AS_OF = ("https://w3id.org/policykg#AnalysisContext", "https://w3id.org/policykg#asOf")
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


_FINAL_ORDER_BY = re.compile(r"\bORDER\s+BY((?:\s+[?$]\w+)+)\s*$", re.IGNORECASE)
_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in ("integer", "decimal", "double", "float", "nonNegativeInteger", "long", "int")
}


def sparql_order_key(term: Identifier | None) -> tuple[int, int, object, str]:
    """SPARQL 1.1 ORDER BY for the values our queries return: unbound, blank nodes, IRIs, then
    literals (numbers by value, others by lexical form, which orders xsd:date too)."""
    if term is None:
        return (0, 0, "", "")
    if isinstance(term, BNode):
        return (1, 0, str(term), "")
    if isinstance(term, URIRef):
        return (2, 0, str(term), "")
    assert isinstance(term, Literal)
    if term.datatype is not None and str(term.datatype) in _NUMERIC:
        try:
            return (3, 0, float(str(term)), "")
        except ValueError:
            pass
    return (3, 1, str(term), str(term.datatype or term.language or ""))


def _looks_like_iri(text: str) -> bool:
    return ":" in text


def policy_graph_names(store: GraphStore) -> list[URIRef]:
    return [n for n in store.graph_names() if n not in SYSTEM_GRAPHS]


def content_hash(graph: Graph) -> str:
    """Order-independent hash of a graph's triples (blank nodes as labelled)."""
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in graph)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# rdflib <-> pyoxigraph terms


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def from_ox(term: object) -> Identifier | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return (
            Literal(term.value)
            if datatype in (_XSD_STRING, _RDF_LANG)
            else Literal(term.value, datatype=URIRef(datatype))
        )
    raise TypeError(f"unexpected term {term!r}")


def _decoded_rows(result: ox.QuerySolutions, columns: list[str]) -> list[list[Identifier | None]]:
    """The solutions as rdflib terms. Each distinct term is converted once: rights-per-vendor's
    73,566 rows at 10,000 policies hold 13,339 distinct terms, and building them one by one
    took 1.0 s (0.23 s with this memo)."""
    memo: dict[object, Identifier | None] = {}

    def convert(term: object) -> Identifier | None:
        try:
            return memo[term]
        except KeyError:
            memo[term] = converted = from_ox(term)
            return converted

    return [[convert(solution[c]) for c in columns] for solution in result]


def _nt(term: object) -> str:
    return str(term)  # pyoxigraph prints terms in N-Triples syntax


def _replace_operations(name: URIRef, quads: Iterable[ox.Quad], digest: str | None) -> list[str]:
    graph = f"<{name}>"
    body = "\n".join(f"{_nt(q.subject)} {_nt(q.predicate)} {_nt(q.object)} ." for q in quads)
    operations = [f"DROP SILENT GRAPH {graph}", f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}"]
    if digest is not None:
        meta = f"<{META_GRAPH}>"
        operations.insert(1, f"DELETE WHERE {{ GRAPH {meta} {{ {graph} <{CONTENT_HASH}> ?old }} }}")
        operations.append(f'INSERT DATA {{ GRAPH {meta} {{ {graph} <{CONTENT_HASH}> "{digest}" }} }}')
        operations += _stamp_operations(graph)
    return operations


def _stamp_operations(graph: str) -> list[str]:
    """Set the graph's pkg:storedAt to one more than the highest in the store, its own old stamp
    included (the WHERE clause is read before anything is deleted)."""
    meta, stamp = f"<{META_GRAPH}>", f"<{STORED_AT}>"
    return [
        f"DELETE {{ GRAPH {meta} {{ {graph} {stamp} ?old }} }} "
        f"INSERT {{ GRAPH {meta} {{ {graph} {stamp} ?next }} }} WHERE {{ "
        f"{{ SELECT ((COALESCE(MAX(?t), 0) + 1) AS ?next) WHERE {{ GRAPH {meta} {{ ?any {stamp} ?t }} }} }} "
        f"OPTIONAL {{ GRAPH {meta} {{ {graph} {stamp} ?old }} }} }}",
    ]


# ---------------------------------------------------------------------------------------------


class OxigraphStore:
    """pyoxigraph store, in memory (path None) or persistent in a folder."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._store = ox.Store(str(path)) if path is not None else ox.Store()

    def replace_graph(self, name: URIRef, graph: Graph, digest: str | None = None) -> None:
        quads = [
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(name)))  # type: ignore[arg-type]
            for s, p, o in graph
        ]
        self.replace_quads(name, quads, digest or content_hash(graph))

    def replace_quads(self, name: URIRef, quads: Iterable[ox.Quad], digest: str | None = None) -> None:
        """DROP + INSERT DATA (+ the content hash) in one update: one transaction."""
        self._store.update(" ;\n".join(_replace_operations(name, quads, digest)))

    def replace_many(self, versions: Iterable[tuple[URIRef, Iterable[ox.Quad], str | None]]) -> None:
        """Several versions in one transaction (each entirely in or out of the store)."""
        operations = [
            op for name, quads, digest in versions for op in _replace_operations(name, quads, digest)
        ]
        if operations:
            self._store.update(" ;\n".join(operations))

    def stored_hash(self, name: URIRef) -> str | None:
        for quad in self._store.quads_for_pattern(
            ox.NamedNode(str(name)), ox.NamedNode(str(CONTENT_HASH)), None, ox.NamedNode(str(META_GRAPH))
        ):
            value = quad.object
            return value.value if isinstance(value, ox.Literal) else None
        return None

    def drop_version(self, name: URIRef) -> None:
        """Remove a graph and its hash, leaving a pkg:storedAt stamp so readers see the removal."""
        graph, meta = f"<{name}>", f"<{META_GRAPH}>"
        operations = [
            f"DROP SILENT GRAPH {graph}",
            f"DELETE WHERE {{ GRAPH {meta} {{ {graph} <{CONTENT_HASH}> ?old }} }}",
            *_stamp_operations(graph),
        ]
        self._store.update(" ;\n".join(operations))

    def identity(self) -> str:
        """A random id given to the store at first use: write counters of two stores (say, two
        in-memory loads of data/) must never be compared."""
        meta, node, prop = f"<{META_GRAPH}>", "<urn:policykg:store>", f"<{STORE_ID}>"
        rows = self.solutions(f"SELECT ?id WHERE {{ GRAPH {meta} {{ {node} {prop} ?id }} }}")
        if rows and rows[0]["id"] is not None:
            return str(rows[0]["id"])
        new = uuid.uuid4().hex
        self._store.update(f'INSERT DATA {{ GRAPH {meta} {{ {node} {prop} "{new}" }} }}')
        return new

    def write_counter(self) -> int:
        """The highest pkg:storedAt in the store (0 for a store written before stamps existed)."""
        rows = self.solutions(
            f"SELECT (MAX(?t) AS ?m) WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{STORED_AT}> ?t }} }}"
        )
        value = rows[0]["m"] if rows else None
        return int(str(value)) if value is not None else 0

    def changes_since(self, counter: int) -> tuple[dict[str, str], list[str]]:
        """Policy versions written (name -> hash) and removed since ``counter``."""
        meta = f"<{META_GRAPH}>"
        rows = self.solutions(
            f"SELECT ?g ?h WHERE {{ GRAPH {meta} {{ ?g <{STORED_AT}> ?t FILTER (?t > {int(counter)}) "
            f"OPTIONAL {{ ?g <{CONTENT_HASH}> ?h }} }} }}"
        )
        system = {str(g) for g in SYSTEM_GRAPHS}
        written = {str(r["g"]): str(r["h"]) for r in rows if r["h"] is not None and str(r["g"]) not in system}
        removed = [str(r["g"]) for r in rows if r["h"] is None and str(r["g"]) not in system]
        return written, removed

    def hash_of(self, name: URIRef) -> str:
        return self.stored_hash(name) or ""

    def version_hashes(self) -> dict[str, str]:
        """Content hash of every policy version, as recorded by the load (one string built by
        Oxigraph: about 60 ms for 10,000 versions, a little less than reading the quads)."""
        query = (
            'SELECT (GROUP_CONCAT(CONCAT(STR(?g), " ", STR(?h)); SEPARATOR="\\n") AS ?all) '
            f"WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{CONTENT_HASH}> ?h }} }}"
        )
        result = self._store.query(query)
        assert isinstance(result, ox.QuerySolutions)
        text = next(iter(result))["all"]
        del result
        system = {str(g) for g in SYSTEM_GRAPHS}
        pairs = (
            line.split(" ", 1) for line in (text.value if isinstance(text, ox.Literal) else "").splitlines()
        )
        return {name: digest for name, digest in pairs if name not in system}

    def graphs_with_subject(self, node: str) -> set[str]:
        """Names of the graphs in which ``node`` (an IRI or a blank node id) is a subject."""
        subject = ox.BlankNode(node) if not _looks_like_iri(node) else ox.NamedNode(node)
        return {
            q.graph_name.value
            for q in self._store.quads_for_pattern(subject, None, None, None)
            if isinstance(q.graph_name, ox.NamedNode)
        }

    def solutions(self, sparql: str, graphs: list[str] | None = None) -> list[dict[str, Identifier | None]]:
        """Rows of a SELECT, as rdflib terms by variable name. The default graph is the union of
        all graphs, or of ``graphs`` only."""
        if graphs is None:
            result = self._store.query(sparql, use_default_graph_as_union=True)
        else:
            result = self._store.query(sparql, default_graph=[ox.NamedNode(g) for g in graphs])
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("not a SELECT query")
        names = [v.value for v in result.variables]
        rows = [dict(zip(names, row, strict=True)) for row in _decoded_rows(result, names)]
        del result  # pyoxigraph results must be freed on the thread that made them
        return rows

    @contextmanager
    def analysis_context(self, as_of: date) -> Iterator[None]:
        """The analysis date as a triple in the store while the block runs (shapes are plain
        SHACL and read it from the data)."""
        graph = f"<{ANALYSIS_GRAPH}>"
        triple = f'<{PKG_AS_OF[0]}> <{PKG_AS_OF[1]}> "{as_of.isoformat()}"^^<{XSD_DATE}>'
        self._store.update(f"DROP SILENT GRAPH {graph} ; INSERT DATA {{ GRAPH {graph} {{ {triple} }} }}")
        try:
            yield
        finally:
            self._store.update(f"DROP SILENT GRAPH {graph}")

    def is_fresh(self) -> bool:
        """No policy version recorded yet (a new store, or one whose first load never finished)."""
        pattern = self._store.quads_for_pattern(
            None, ox.NamedNode(str(CONTENT_HASH)), None, ox.NamedNode(str(META_GRAPH))
        )
        return next(iter(pattern), None) is None

    def clear(self) -> None:
        self._store.clear()

    def record_hashes(self, hashes: Iterable[tuple[URIRef, str]]) -> None:
        """Mark versions as completely loaded: their hash and a write stamp (one transaction)."""
        meta, stamp = ox.NamedNode(str(META_GRAPH)), self.write_counter() + 1
        stamped = ox.Literal(str(stamp), datatype=ox.NamedNode(XSD_INTEGER))
        quads = []
        for name, digest in hashes:
            if digest:
                graph = ox.NamedNode(str(name))
                quads.append(ox.Quad(graph, ox.NamedNode(str(CONTENT_HASH)), ox.Literal(digest), meta))
                quads.append(ox.Quad(graph, ox.NamedNode(str(STORED_AT)), stamped, meta))
        self._store.extend(quads)
        self.flush()

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Fast, non-transactional load for a fresh store."""
        self._store.bulk_extend(quads)

    def graph_names(self) -> list[URIRef]:
        """Named graphs with content (the store's own bookkeeping graph excluded)."""
        names = (URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(n for n in names if n != META_GRAPH)

    def graph(self, name: URIRef) -> Graph:
        graph = Graph(identifier=name)
        bind_prefixes(graph)
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
            graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))  # type: ignore[arg-type]
        return graph

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> SelectResult:
        # Oxigraph's substitutions bind projected variables only: bind by escaped RDF terms instead.
        text = substitute_terms(sparql, bindings) if bindings else sparql
        # A final ORDER BY of plain variables is done here: Oxigraph 0.5 decodes the strings from
        # RocksDB at every comparison (9 s for 80,000 rows; the same rows sort in 0.1 s here).
        order = _FINAL_ORDER_BY.search(text)
        if order is not None:
            text = text[: order.start()]
        result = self._store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("not a SELECT query")
        columns = [v.value for v in result.variables]
        rows = _decoded_rows(result, columns)
        del result
        if order is not None:
            keys = [columns.index(v) for v in re.findall(r"[?$](\w+)", order.group(1)) if v in columns]
            order_key = cache(sparql_order_key)  # as for the terms: few distinct values, many rows
            rows.sort(key=lambda row: [order_key(row[k]) for k in keys])
        return SelectResult(columns, rows)

    def ask(self, sparql: str) -> bool:
        return bool(self._store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES))

    def raw_query(self, sparql: str, result_format: str) -> bytes:
        """Serialised results (json, csv, tsv, xml) for the HTTP endpoint."""
        formats = {
            "json": ox.QueryResultsFormat.JSON,
            "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV,
            "xml": ox.QueryResultsFormat.XML,
        }
        result = self._store.query(sparql, use_default_graph_as_union=True)
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            return result.serialize(format=formats[result_format]) or b""
        return result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""

    def update(self, sparql: str) -> None:
        self._store.update(sparql)

    def dataset(self) -> Dataset:
        dataset = Dataset()
        bind_prefixes(dataset)
        for name in self.graph_names():
            target = dataset.graph(name)
            for triple in self.graph(name):
                target.add(triple)
        return dataset

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def optimize(self) -> None:
        """Compact the on-disk indexes. After a bulk load of 10,000 policies this takes about 6 s;
        without it RocksDB compacts in the background of the next commands, and their queries
        were up to twice as slow."""
        if self.path is not None:
            self._store.optimize()

    def __len__(self) -> int:
        meta = sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(META_GRAPH))))
        return len(self._store) - meta


class MemoryStore:
    """rdflib Dataset in memory, default graph = union of the named graphs (reference engine)."""

    def __init__(self) -> None:
        self._ds = Dataset(default_union=True)
        bind_prefixes(self._ds)

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        target = self._ds.graph(name)
        target.remove((None, None, None))
        for triple in graph:
            target.add(triple)

    def graph_names(self) -> list[URIRef]:
        names = [g.identifier for g in self._ds.graphs() if isinstance(g.identifier, URIRef)]
        return sorted(n for n in names if len(self._ds.graph(n)) > 0)

    def graph(self, name: URIRef) -> Graph:
        graph = Graph(identifier=name)
        bind_prefixes(graph)
        for triple in self._ds.graph(name):
            graph.add(triple)
        return graph

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> SelectResult:
        result = self._ds.query(sparql, initNs=PREFIXES, initBindings=dict(bindings or {}))
        columns = [str(v) for v in (result.vars or [])]
        rows: list[list[Identifier | None]] = []
        for row in result:
            if isinstance(row, ResultRow):
                rows.append(
                    [v if isinstance(v, Identifier) else None for v in (row[i] for i in range(len(columns)))]
                )
        return SelectResult(columns, rows)

    def ask(self, sparql: str) -> bool:
        return bool(self._ds.query(sparql, initNs=PREFIXES).askAnswer)

    def raw_query(self, sparql: str, result_format: str) -> bytes:
        body = self._ds.query(sparql).serialize(format=result_format)
        return body if isinstance(body, bytes) else str(body).encode("utf-8")

    def update(self, sparql: str) -> None:
        self._ds.update(sparql)

    def dataset(self) -> Dataset:
        return self._ds

    def __len__(self) -> int:
        return sum(len(self._ds.graph(n)) for n in self.graph_names())


def substitute_terms(text: str, bindings: Mapping[str, Identifier]) -> str:
    """Replace ``?_name`` by the escaped N3 form of its term, outside comment lines."""
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            out.append(line)
            continue
        for name, term in bindings.items():
            pattern = re.compile(rf"[?$]{re.escape(name)}\b")
            line = pattern.sub(term.n3().replace("\\", "\\\\"), line)
        out.append(line)
    return "\n".join(out)


def select(
    graph: Graph, sparql: str, bindings: Mapping[str, Identifier] | None = None
) -> list[dict[str, Node]]:
    """Run a SELECT on one rdflib graph with the project prefixes; each row as a dict."""
    result = graph.query(sparql, initNs=PREFIXES, initBindings=dict(bindings or {}))
    rows: list[dict[str, Node]] = []
    for row in result:
        if isinstance(row, ResultRow):
            rows.append({str(k): v for k, v in row.asdict().items()})
    return rows

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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.query import ResultRow
from rdflib.term import Identifier, Node

from . import bookkeeping
from .bookkeeping import CONTENT_HASH, META_GRAPH, STORED_AT
from .errors import UnknownTermError
from .namespaces import PREFIXES, bind_prefixes
from .sparql_scan import set_semantics
from .sparql_text import sparql_order_key, split_final_order_by, substitute_terms

ONTOLOGY_GRAPH = URIRef("https://w3id.org/policykg/graph/ontology")
"""Named graph that holds the ontology, the DPV module and the instrument timeline."""
CATALOGUE_GRAPH = URIRef("https://w3id.org/policykg/graph/catalogue")
"""Named graph that holds the vendor and policy-version catalogue."""
SYSTEM_GRAPHS = (ONTOLOGY_GRAPH, CATALOGUE_GRAPH, META_GRAPH)
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

__all__ = [
    "CATALOGUE_GRAPH",
    "CONTENT_HASH",
    "META_GRAPH",
    "ONTOLOGY_GRAPH",
    "STORED_AT",
    "SYSTEM_GRAPHS",
    "GraphStore",
    "MemoryStore",
    "OxigraphStore",
    "SelectResult",
    "VersionQuads",
    "content_hash",
    "policy_graph_names",
    "select",
    "selected_graphs",
    "sparql_order_key",
    "substitute_terms",
]


@dataclass
class SelectResult:
    """The one shape of SELECT results: column names and rows of terms (None: unbound)."""

    columns: list[str]
    rows: list[list[Identifier | None]]

    def records(self) -> list[dict[str, Identifier]]:
        """Each row as a dict of its bound variables (an unbound one is absent, as in SPARQL)."""
        return [{c: v for c, v in zip(self.columns, row, strict=True) if v is not None} for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


VersionQuads = tuple[URIRef, Iterable[ox.Quad], str | None]
"""A policy version to write: its graph name, its quads, the hash of its content."""


class GraphStore(Protocol):
    """What every store offers: named graphs in (what ``load`` needs), SPARQL out."""

    def replace_graph(self, name: URIRef, graph: Graph, digest: str | None = None) -> None:
        """Put ``graph`` under ``name``, replacing whatever was there, in one step; with
        ``digest``, record it as the graph's content hash."""

    def replace_many(self, versions: Iterable[VersionQuads]) -> None:
        """Several versions in one step (each entirely in or out of the store)."""

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Fast load into a fresh store (not transactional)."""

    def bulk_add_nquads(self, data: bytes) -> None:
        """Fast load of N-Quads text into a fresh store (not transactional; SyntaxError)."""

    def add_graph_files(
        self, name: URIRef, graph: Callable[[], Graph], files: list[Path], digest: str
    ) -> None:
        """Into a fresh store: ``graph()`` (``files`` parsed by rdflib) under ``name``, with its
        hash. A store that parses the files itself may do so (ValueError: an IRI it refuses)."""

    def default_graph_is_empty(self) -> bool:
        """No triple outside a named graph (what a load puts there is a mistake)."""

    def record_hashes(self, hashes: Iterable[tuple[URIRef, str]]) -> None:
        """Mark versions as completely loaded (after a bulk load)."""

    def stored_hash(self, name: URIRef) -> str | None:
        """The content hash recorded with a graph, None if none was."""

    def drop_version(self, name: URIRef) -> None:
        """Remove a graph and its hash."""

    @property
    def persistent(self) -> bool:
        """Whether the store outlives the process (a folder on disk): only such a store records
        whether its last load completed."""
        ...

    def is_fresh(self) -> bool:
        """No policy version recorded yet (new, or a first load that never finished)."""

    def clear(self) -> None: ...

    def flush(self) -> None:
        """Make what was written durable (a no-op in memory)."""

    def optimize(self) -> None:
        """Compact after a bulk load (a no-op in memory)."""

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


def _looks_like_iri(text: str) -> bool:
    return ":" in text


LOCAL_SUBJECT_BATCH = 5000
"""IRIs per query when the local store finds the graphs of focus nodes (query text ~0.4 MB)."""


def subject_graphs_query(iris: list[str]) -> str:
    """The named graphs in which each of the IRIs (taken from a store, so well-formed) is a
    subject: rows (?s, ?g)."""
    values = " ".join(f"<{iri}>" for iri in iris)
    return f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"


def policy_graph_names(store: GraphStore) -> list[URIRef]:
    return [n for n in store.graph_names() if n not in SYSTEM_GRAPHS]


def selected_graphs(store: GraphStore, only: str | None) -> list[URIRef]:
    """Every named graph, or only the one named (export --graph, load --endpoint --graph); an
    unknown name is refused with the known ones listed."""
    names = store.graph_names()
    if only is None:
        return names
    if URIRef(only) not in names:
        raise UnknownTermError("graph", only, [str(n) for n in names])
    return [URIRef(only)]


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


# ---------------------------------------------------------------------------------------------


class OxigraphStore:
    """pyoxigraph store, in memory (path None) or persistent in a folder."""

    def __init__(self, path: Path | None = None, read_only: bool = False) -> None:
        """``read_only``: RocksDB opened without its writer's lock (see
        :func:`policykg.load.open_oxigraph`), so a reader never keeps ``load`` or another
        reader out; writing to it fails."""
        self.path = path
        if path is None:
            self._store = ox.Store()
        else:
            self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))

    @property
    def persistent(self) -> bool:
        return self.path is not None

    def replace_graph(self, name: URIRef, graph: Graph, digest: str | None = None) -> None:
        quads = [
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(name)))  # type: ignore[arg-type]
            for s, p, o in graph
        ]
        self.replace_quads(name, quads, digest or content_hash(graph))

    def replace_quads(self, name: URIRef, quads: Iterable[ox.Quad], digest: str | None = None) -> None:
        """DROP + INSERT DATA (+ the content hash) in one update: one transaction."""
        self._write(bookkeeping.replace_operations(name, quads, digest))

    def replace_many(self, versions: Iterable[VersionQuads]) -> None:
        """Several versions in one transaction (each entirely in or out of the store)."""
        operations = [
            op
            for name, quads, digest in versions
            for op in bookkeeping.replace_operations(name, quads, digest)
        ]
        if operations:
            self._write(operations)

    def stored_hash(self, name: URIRef) -> str | None:
        for quad in self._store.quads_for_pattern(
            ox.NamedNode(str(name)), ox.NamedNode(str(CONTENT_HASH)), None, ox.NamedNode(str(META_GRAPH))
        ):
            value = quad.object
            return value.value if isinstance(value, ox.Literal) else None
        return None

    def drop_version(self, name: URIRef) -> None:
        """Remove a graph and its hash, leaving a pkg:storedAt stamp so readers see the removal."""
        self._write(bookkeeping.drop_operations(name))

    def identity(self) -> str | None:
        """The random id the store got at its first write (None for a store written before ids
        existed, which then is compared by hashes only)."""
        rows = self.solutions(bookkeeping.IDENTITY_QUERY).records()
        return str(rows[0]["id"]) if rows and "id" in rows[0] else None

    def _write(self, operations: list[str]) -> None:
        """One transaction; the first one also gives the store its id."""
        self._store.update(" ;\n".join([*operations, bookkeeping.IDENTIFY_OPERATION]))

    def write_counter(self) -> int:
        """The highest pkg:storedAt in the store (0 for a store written before stamps existed)."""
        rows = self.solutions(bookkeeping.COUNTER_QUERY).records()
        value = rows[0].get("m") if rows else None
        return int(str(value)) if value is not None else 0

    def changes_since(self, counter: int) -> tuple[dict[str, str], list[str]]:
        """Policy versions written (name -> hash) and removed since ``counter``."""
        rows = self.solutions(bookkeeping.changes_query(counter)).records()
        system = {str(g) for g in SYSTEM_GRAPHS}
        written = {str(r["g"]): str(r["h"]) for r in rows if "h" in r and str(r["g"]) not in system}
        removed = [str(r["g"]) for r in rows if "h" not in r and str(r["g"]) not in system]
        return written, removed

    def hash_of(self, name: URIRef) -> str:
        return self.stored_hash(name) or ""

    def version_hashes(self) -> dict[str, str]:
        """Content hash of every policy version, as recorded by the load (one string built by
        Oxigraph: about 60 ms for 10,000 versions, a little less than reading the quads)."""
        result = self._store.query(bookkeeping.HASHES_QUERY)
        assert isinstance(result, ox.QuerySolutions)
        text = next(iter(result))["all"]
        del result
        system = {str(g) for g in SYSTEM_GRAPHS}
        pairs = (
            line.split(" ", 1) for line in (text.value if isinstance(text, ox.Literal) else "").splitlines()
        )
        return {name: digest for name, digest in pairs if name not in system}

    def graphs_with_subjects(self, nodes: Iterable[str]) -> dict[str, set[str]]:
        """For each node (an IRI or a blank node id), the names of the graphs in which it is a
        subject: one call for a whole validation run. IRIs are asked in batches of one query
        each, so that Oxigraph walks each subject's quads itself (10,000 version IRIs with their
        ~180 quads each: 3.4 s of CPU through Python quad objects, 0.6 s in queries); blank
        nodes, which a query cannot name, by an index scan each."""
        found: dict[str, set[str]] = {}
        wanted = sorted(set(nodes))
        iris = [node for node in wanted if _looks_like_iri(node)]
        for start in range(0, len(iris), LOCAL_SUBJECT_BATCH):
            batch = iris[start : start + LOCAL_SUBJECT_BATCH]
            found.update((node, set()) for node in batch)
            result = self._store.query(subject_graphs_query(batch))
            assert isinstance(result, ox.QuerySolutions)
            for row in result:
                subject, graph = row["s"], row["g"]
                if isinstance(subject, ox.NamedNode) and isinstance(graph, ox.NamedNode):
                    found[subject.value].add(graph.value)
        for node in wanted:
            if not _looks_like_iri(node):
                found[node] = {
                    q.graph_name.value
                    for q in self._store.quads_for_pattern(ox.BlankNode(node), None, None, None)
                    if isinstance(q.graph_name, ox.NamedNode)
                }
        return found

    def solutions(self, sparql: str, graphs: list[str] | None = None) -> SelectResult:
        """A SELECT whose default graph is the union of all graphs, or of ``graphs`` only."""
        if graphs is None:
            result = self._store.query(sparql, use_default_graph_as_union=True)
        else:
            result = self._store.query(sparql, default_graph=[ox.NamedNode(g) for g in graphs])
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("not a SELECT query")
        names = [v.value for v in result.variables]
        rows = _decoded_rows(result, names)
        del result  # pyoxigraph results must be freed on the thread that made them
        return SelectResult(names, rows)

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
        self._write([])
        self.flush()

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Fast, non-transactional load for a fresh store."""
        self._store.bulk_extend(quads)

    def bulk_add_nquads(self, data: bytes) -> None:
        """Parsed and indexed in Rust, no Python object per quad: what makes a load of 10,000
        policies run at the speed of Oxigraph's own bulk loader."""
        self._store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)

    def add_graph_files(
        self, name: URIRef, graph: Callable[[], Graph], files: list[Path], digest: str
    ) -> None:
        """The files parsed by Oxigraph, straight into the graph: at 10,000 policies the
        catalogue's 40,000 triples took 0.53 s as rdflib terms turned into INSERT DATA text, 0.1 s
        this way. Only Turtle, and only into a fresh store (the graph is not dropped first, and
        the write is not one transaction with its hash: a first load that is interrupted is
        redone whole). A file Oxigraph refuses takes the rdflib way, whose errors name the IRI."""
        target = ox.NamedNode(str(name))
        try:
            for path in files:
                if path.suffix.lower() != ".ttl":
                    raise ValueError(f"{path.name}: not Turtle")
                data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
                self._store.bulk_load(
                    input=data, format=ox.RdfFormat.TURTLE, to_graph=target, base_iri=path.resolve().as_uri()
                )
        except (SyntaxError, ValueError, OSError):
            self._store.remove_graph(target)
            self.replace_graph(name, graph(), digest)
            return
        self._write(bookkeeping.hash_operations(name, digest))

    def default_graph_is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None

    def graph_names(self) -> list[URIRef]:
        """Named graphs with content (the store's own bookkeeping graph excluded)."""
        names = (URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(n for n in names if n != META_GRAPH)

    def dump_graph(self, name: URIRef) -> bytes:
        """One named graph as N-Triples, written by Oxigraph in Rust (exports: no rdflib terms)."""
        written = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(name)))
        assert written is not None  # no output file given: the bytes are returned
        return written

    def graph(self, name: URIRef) -> Graph:
        graph = Graph(identifier=name)
        bind_prefixes(graph)
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
            graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))  # type: ignore[arg-type]
        return graph

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> SelectResult:
        # Oxigraph's substitutions bind projected variables only: bind by escaped RDF terms instead.
        whole = set_semantics(substitute_terms(sparql, bindings) if bindings else sparql)
        # A final ORDER BY of plain variables is done here: Oxigraph 0.5 decodes the strings from
        # RocksDB at every comparison (9 s for 80,000 rows; the same rows sort in 0.1 s here).
        text, order = split_final_order_by(whole)
        columns, rows = self._select_rows(text)
        if order is not None and not set(order) <= set(columns):
            # SPARQL orders before it projects: a key that is not a column needs the engine's sort
            columns, rows = self._select_rows(whole)
        elif order is not None:
            keys = [columns.index(v) for v in order if v in columns]
            order_key = cache(sparql_order_key)  # as for the terms: few distinct values, many rows
            rows.sort(key=lambda row: [order_key(row[k]) for k in keys])
        return SelectResult(columns, rows)

    def _select_rows(self, text: str) -> tuple[list[str], list[list[Identifier | None]]]:
        result = self._store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("not a SELECT query")
        columns = [v.value for v in result.variables]
        rows = _decoded_rows(result, columns)
        del result  # pyoxigraph results must be freed on the thread that made them
        return columns, rows

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
        result = self._store.query(set_semantics(sparql), use_default_graph_as_union=True)
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
    """rdflib Dataset in memory, default graph = union of the named graphs (reference engine).
    Its bookkeeping (content hashes) is a dict beside the data, not triples in it."""

    persistent = False  # in memory only

    def __init__(self) -> None:
        self._ds = Dataset(default_union=True)
        bind_prefixes(self._ds)
        self._hashes: dict[URIRef, str] = {}
        self._default_triples = 0
        """Quads a bulk load found outside a named graph (kept out of the Dataset, counted)."""

    def replace_graph(self, name: URIRef, graph: Graph, digest: str | None = None) -> None:
        self._put(name, iter(graph), digest)

    def _put(self, name: URIRef, triples: Iterable[tuple[Node, Node, Node]], digest: str | None) -> None:
        target = self._ds.graph(name)
        target.remove((None, None, None))
        for triple in triples:
            target.add(triple)
        if digest is not None:
            self._hashes[name] = digest

    def replace_many(self, versions: Iterable[VersionQuads]) -> None:
        for name, quads, digest in versions:
            self._put(name, (_triple(q) for q in quads), digest)

    def bulk_add_nquads(self, data: bytes) -> None:
        self.bulk_add(ox.parse(input=data, format=ox.RdfFormat.N_QUADS))

    def add_graph_files(
        self, name: URIRef, graph: Callable[[], Graph], files: list[Path], digest: str
    ) -> None:
        self.replace_graph(name, graph(), digest)

    def default_graph_is_empty(self) -> bool:
        return self._default_triples == 0

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        for quad in quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                self._default_triples += 1
                continue
            graph = quad.graph_name
            assert isinstance(graph, ox.NamedNode), "policy quads are in named graphs (checked by load)"
            self._ds.graph(URIRef(graph.value)).add(_triple(quad))

    def record_hashes(self, hashes: Iterable[tuple[URIRef, str]]) -> None:
        self._hashes.update((name, digest) for name, digest in hashes if digest)

    def stored_hash(self, name: URIRef) -> str | None:
        return self._hashes.get(name)

    def drop_version(self, name: URIRef) -> None:
        self._ds.graph(name).remove((None, None, None))
        self._hashes.pop(name, None)

    def is_fresh(self) -> bool:
        return not any(n not in SYSTEM_GRAPHS for n in self._hashes)

    def clear(self) -> None:
        for name in self.graph_names():
            self._ds.graph(name).remove((None, None, None))
        self._hashes.clear()

    def flush(self) -> None:
        """Nothing to make durable in memory."""

    def optimize(self) -> None:
        """Nothing to compact in memory."""

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
        return _rdflib_rows(self._ds.query(sparql, initNs=PREFIXES, initBindings=dict(bindings or {})))

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


def select(graph: Graph, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> SelectResult:
    """Run a SELECT on one rdflib graph with the project prefixes."""
    return _rdflib_rows(graph.query(sparql, initNs=PREFIXES, initBindings=dict(bindings or {})))


def _rdflib_rows(result: Any) -> SelectResult:
    columns = [str(v) for v in (result.vars or [])]
    rows: list[list[Identifier | None]] = []
    for row in result:
        if isinstance(row, ResultRow):
            rows.append(
                [v if isinstance(v, Identifier) else None for v in (row[i] for i in range(len(columns)))]
            )
    return SelectResult(columns, rows)


def _triple(quad: ox.Quad) -> tuple[Node, Node, Node]:
    return (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))  # type: ignore[return-value]


def as_oxigraph(store: GraphStore) -> OxigraphStore:
    """The store itself when it is an Oxigraph store, else an in-memory Oxigraph copy of it:
    validation and export run their SPARQL in Oxigraph whatever store the user chose."""
    if isinstance(store, OxigraphStore):
        return store
    copy = OxigraphStore()
    for name in store.graph_names():
        copy.replace_graph(name, store.graph(name))
    return copy

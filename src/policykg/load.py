"""Loading the shipped data into a store: ontology, catalogue, one named graph per version.

With the default Oxigraph engine, policy files are parsed in Rust and each version goes into
the store in one transaction together with the hash of its file; re-loading a persistent store
touches only the versions whose file changed, and an interrupted load (even SIGKILL) is
repaired by running it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from . import bookkeeping
from .errors import InputFileError
from .namespaces import PKG, bind_prefixes
from .ontology import load_ontology, ontology_files
from .paths import project_paths
from .rdfio import invalid_iri_error, make_folder, parse_into, sha256_of_files
from .store import (
    CATALOGUE_GRAPH,
    ONTOLOGY_GRAPH,
    GraphStore,
    MemoryStore,
    OxigraphStore,
    VersionQuads,
    policy_graph_names,
    to_ox,
)

CATALOGUE_FILE = "catalogue.ttl"
BATCH_TRIPLES = 50_000
"""Versions are written in transactions of about this many triples: each version is entirely
in or out of the store, and batching keeps the per-transaction cost low."""
OX_FORMATS = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS}


@dataclass(frozen=True)
class PolicyEntry:
    iri: URIRef
    vendor: URIRef
    data_file: Path


@dataclass
class LoadResult:
    store: GraphStore
    ontology: Graph
    read_catalogue_graph: Callable[[], Graph]
    """The catalogue as an rdflib graph, made when first asked for (see :attr:`catalogue`)."""
    policies: list[PolicyEntry]
    warnings: list[str] = field(default_factory=list)
    loaded: int = 0
    unchanged: int = 0

    @cached_property
    def catalogue(self) -> Graph:
        """rdflib's graph of the catalogue. A load does not need it when Oxigraph can read the
        file (1.4 s for the 10,000-policy catalogue in rdflib, 0.05 s in Oxigraph)."""
        return self.read_catalogue_graph()

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


EntryLines = Mapping[URIRef, str]
"""Each catalogued version's own catalogue statements, one N-Triples line each, sorted: what a
version's digest takes from the catalogue."""


def _catalogue_lines(triples: Iterable[tuple[object, object, object]]) -> dict[URIRef, str]:
    """Lines per subject IRI, from pyoxigraph terms (printed as N-Triples), each line once."""
    by_subject: dict[URIRef, set[str]] = {}
    for s, p, o in triples:
        if isinstance(s, ox.NamedNode):
            by_subject.setdefault(URIRef(s.value), set()).add(f"{s} {p} {o}\n")
    return {name: "".join(sorted(lines)) for name, lines in by_subject.items()}


def _graph_lines(triples: Iterable[tuple[Node, Node, Node]]) -> dict[URIRef, str]:
    """The same lines from rdflib terms. An IRI Oxigraph refuses is written as it is: the load
    stops at it later, with its file and line, when the catalogue goes into the store."""
    by_subject: dict[URIRef, set[str]] = {}
    for s, p, o in triples:
        if isinstance(s, URIRef):
            by_subject.setdefault(s, set()).add(f"{_nt(s)} {_nt(p)} {_nt(o)}\n")
    return {name: "".join(sorted(lines)) for name, lines in by_subject.items()}


def _nt(term: Node) -> str:
    return f"<{term}>" if isinstance(term, URIRef) else str(to_ox(term))


def read_catalogue_entries(data_dir: Path) -> tuple[Callable[[], Graph], list[PolicyEntry], EntryLines]:
    """The catalogue read by Oxigraph (in Rust): its entries and each one's lines for the digest,
    and rdflib's graph only when asked for. A file Oxigraph refuses, or one with blank nodes, is
    read by rdflib as before: its errors (file and line, nesting too deep) and its graph stay the
    reference, and a catalogue of plain statements reads the same either way."""
    path = data_dir / CATALOGUE_FILE
    graph_once = cache(lambda: read_catalogue(data_dir)[0])
    try:
        body = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        triples = [
            (q.subject, q.predicate, q.object)
            for q in ox.parse(input=body, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
        ]
    except (OSError, SyntaxError, ValueError):
        triples = None
    if triples is None or any(isinstance(t, ox.BlankNode) for s, _p, o in triples for t in (s, o)):
        graph, entries = read_catalogue(data_dir)
        return (lambda: graph), entries, _graph_lines(graph)
    return graph_once, _entries_of(path, triples), _catalogue_lines(triples)


def _entries_of(path: Path, triples: list[tuple[object, object, object]]) -> list[PolicyEntry]:
    """As read_catalogue finds them: each subject typed pkg:PolicyVersion, its vendor and file."""
    kind, vendor_of, file_of = str(RDF.type), str(PKG.vendor), str(PKG.dataFile)
    versions: set[str] = set()
    vendors: dict[str, object] = {}
    files: dict[str, object] = {}
    for s, p, o in triples:
        if not isinstance(s, ox.NamedNode) or not isinstance(p, ox.NamedNode):
            continue
        if p.value == kind and isinstance(o, ox.NamedNode) and o.value == str(PKG.PolicyVersion):
            versions.add(s.value)
        elif p.value == vendor_of:
            vendors.setdefault(s.value, o)
        elif p.value == file_of:
            files.setdefault(s.value, o)
    entries = []
    for version in sorted(versions):
        vendor, data_file = vendors.get(version), files.get(version)
        if not isinstance(vendor, ox.NamedNode) or not isinstance(data_file, (ox.NamedNode, ox.Literal)):
            raise InputFileError(path, f"policy version <{version}> needs pkg:vendor and pkg:dataFile")
        entries.append(PolicyEntry(URIRef(version), URIRef(vendor.value), path.parent / data_file.value))
    return entries


OUTSIDE_NAMED_GRAPH = "triples outside a named graph (put them in the version's GRAPH block)"


def _check_graph_names(entry: PolicyEntry, names: set[str], default_triples: int) -> None:
    if default_triples:
        raise InputFileError(entry.data_file, OUTSIDE_NAMED_GRAPH)
    if names != {str(entry.iri)}:
        found = ", ".join(sorted(names)) or "none"
        raise InputFileError(entry.data_file, f"expected one named graph <{entry.iri}>, found: {found}")


def read_policy_bytes(entry: PolicyEntry) -> bytes:
    """A version's file as bytes: read once, then hashed and parsed from memory."""
    path = entry.data_file
    if not path.is_file():
        raise InputFileError(path, "file not found")
    if path.suffix.lower() not in OX_FORMATS:
        raise InputFileError(path, f"policy files are .trig or .nq, not {path.suffix!r}")
    return path.read_bytes()


def iter_policy_quads(entry: PolicyEntry, data: bytes) -> Iterator[ox.Quad]:
    """Parse a version's file with pyoxigraph (in Rust), checking every quad as it streams: all
    of them must be in the version's own named graph, and there must be some. Streaming lets the
    bulk loader index one file while the next is parsed, with no list of quads held."""
    path = entry.data_file
    own = ox.NamedNode(str(entry.iri))
    seen = False
    try:
        # a UTF-8 byte order mark (some editors write one) is not content; rdflib skips it too
        body = data.removeprefix(b"\xef\xbb\xbf")
        for quad in ox.parse(input=body, format=OX_FORMATS[path.suffix.lower()]):
            graph = quad.graph_name
            if graph != own:
                if isinstance(graph, ox.DefaultGraph):
                    raise InputFileError(path, OUTSIDE_NAMED_GRAPH)
                raise InputFileError(
                    path, f"expected one named graph <{entry.iri}>, found: <{_graph_label(graph)}>"
                )
            seen = True
            yield quad
    except SyntaxError as err:
        raise InputFileError(path, f"syntax error: {err.msg}", err.lineno) from None
    if not seen:
        _check_graph_names(entry, set(), 0)


def _graph_label(graph: object) -> str:
    return graph.value if isinstance(graph, (ox.NamedNode, ox.BlankNode)) else str(graph)


def read_policy_quads(entry: PolicyEntry) -> list[ox.Quad]:
    """Parse a version's file with pyoxigraph (fast), checking its graph names."""
    return list(iter_policy_quads(entry, read_policy_bytes(entry)))


def version_digest(entry: PolicyEntry, catalogue: Graph, data: bytes | None = None) -> str:
    """What a version's content depends on: its file and its catalogue entry (vendor, file).
    Loading skips, and validation reuses findings for, versions whose digest did not change."""
    lines = _graph_lines(catalogue.triples((entry.iri, None, None)))
    return _digest(entry, lines, data)


def _digest(entry: PolicyEntry, lines: EntryLines, data: bytes | None = None) -> str:
    digest = hashlib.sha256(entry.data_file.read_bytes() if data is None else data)
    digest.update(lines.get(entry.iri, "").encode())
    return digest.hexdigest()


def open_store(store_dir: Path | None = None, engine: str = "oxigraph") -> GraphStore:
    if engine == "rdflib":
        return MemoryStore()
    if store_dir is None:
        return OxigraphStore()
    make_folder(store_dir)
    if not _is_store(store_dir) and any(store_dir.iterdir()):
        raise InputFileError(
            store_dir, "not a store, and not empty: give a new or empty folder for the store"
        )
    return open_oxigraph(store_dir)


def _is_store(folder: Path) -> bool:
    """RocksDB's own marker: a folder without it is not a store, and must not become one by
    accident (opening it would write RocksDB's files among the user's)."""
    return (folder / "CURRENT").is_file()


STORE_BUSY = "store in use by another process (a load or another command holds it): try again when it ends"


def open_oxigraph(store_dir: Path, read_only: bool = False) -> OxigraphStore:
    """Open a persistent store; RocksDB's lock held by another process is a clear error.

    ``read_only`` (commands and a server that only read): many readers at once, none while a
    writer (``load``, ``serve --allow-update``) holds the store. RocksDB's writer takes a POSIX
    write lock on the store's ``LOCK`` file; a reader takes a shared lock on the same file before
    it opens RocksDB read-only and keeps it while the store is open. A writer and a reader so
    exclude each other (a read-only RocksDB must not see another process write), and readers
    never exclude each other: ``query`` works while ``serve`` runs."""
    try:
        if read_only:
            held = _reader_lock(store_dir)
            store = OxigraphStore(store_dir, read_only=True)
            store._reader_lock = held  # type: ignore[attr-defined]  # released with the store
        else:
            store = OxigraphStore(store_dir)
        _prune_old_logs(store_dir)
        return store
    except BlockingIOError:
        raise InputFileError(store_dir, STORE_BUSY) from None
    except OSError as err:
        if "lock" in str(err).lower():
            raise InputFileError(store_dir, STORE_BUSY) from None
        raise InputFileError(store_dir, f"cannot open the store: {str(err).splitlines()[0]}") from None


OLD_LOGS_KEPT = 5
"""RocksDB renames its info log to ``LOG.old.<microseconds>`` at every writable open and never
removes one (a benchmark run left 171): the newest few are kept for diagnosis."""


def _prune_old_logs(store_dir: Path) -> None:
    """Remove all but the newest ``OLD_LOGS_KEPT`` old info logs (RocksDB never reads them)."""
    old = sorted(store_dir.glob("LOG.old.*"), key=lambda p: p.name.rsplit(".", 1)[-1].zfill(20))
    for path in old[:-OLD_LOGS_KEPT]:
        path.unlink(missing_ok=True)


def _reader_lock(store_dir: Path) -> IO[bytes]:
    """A shared POSIX lock on RocksDB's ``LOCK`` file (BlockingIOError while a writer holds it)."""
    import fcntl

    held = (store_dir / "LOCK").open("rb")
    try:
        fcntl.lockf(held, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        held.close()
        raise BlockingIOError(f"{store_dir}: {STORE_BUSY}") from None
    return held


def load_project(
    data_dir: Path | None = None,
    ontology_dir: Path | None = None,
    store: GraphStore | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Load ontology, catalogue and every catalogued policy version into ``store`` (default: a
    fresh in-memory Oxigraph store). Unchanged versions of a persistent store are skipped."""
    data_dir = data_dir or project_paths().data
    store = store if store is not None else OxigraphStore()
    ontology = load_ontology(ontology_dir)
    catalogue, entries, lines = read_catalogue_entries(data_dir)
    result = LoadResult(store=store, ontology=ontology, read_catalogue_graph=catalogue, policies=entries)
    fresh = store.is_fresh()
    if fresh:
        store.clear()  # leftovers of an interrupted first load carry no hash: nothing to trust
    _mark_load(store, bookkeeping.LOAD_RUNNING)
    _replace_if_changed(store, ONTOLOGY_GRAPH, lambda: ontology, ontology_files(ontology_dir), fresh)
    _replace_if_changed(store, CATALOGUE_GRAPH, lambda: result.catalogue, [data_dir / CATALOGUE_FILE], fresh)
    _load_versions(store, entries, lines, fresh, result, progress)
    listed = {e.data_file.resolve() for e in entries}
    for pattern in ("*.trig", "*.nq"):
        for path in sorted(data_dir.rglob(pattern)):
            if path.resolve() not in listed:
                result.warnings.append(f"{path}: not listed in {CATALOGUE_FILE}, not loaded")
    _drop_unlisted(store, {e.iri for e in entries}, result)
    store.flush()
    _mark_load(store, bookkeeping.LOAD_COMPLETE)
    return result


def _mark_load(store: GraphStore, state: str) -> None:
    """A persistent store records whether its last load completed (see bookkeeping.LOAD_STATE)."""
    if store.persistent:
        store.update(bookkeeping.load_state_operation(state))
        store.flush()


INCOMPLETE_LOAD = "incomplete load: the last 'policykg load' into this store did not finish; run it again"


def load_state(store: OxigraphStore) -> str | None:
    """The store's load state, None for a store written before states were recorded."""
    rows = store.solutions(bookkeeping.LOAD_STATE_QUERY).records()
    return str(rows[0]["state"]) if rows else None


def open_store_only(store_dir: Path, read_only: bool = False) -> OxigraphStore:
    """A persistent store made by ``load``, checked but not copied from: what a query needs.
    (``open_existing`` also copies the ontology and catalogue graphs out, about 0.3 s.)
    ``read_only``: see :func:`open_oxigraph`."""
    if not store_dir.is_dir() or not _is_store(store_dir):
        raise InputFileError(store_dir, "no store here: run 'policykg load --store DIR' first")
    store = open_oxigraph(store_dir, read_only)
    if load_state(store) == bookkeeping.LOAD_RUNNING:
        del store  # let go of RocksDB's lock now, not when the traceback is collected
        raise InputFileError(store_dir, INCOMPLETE_LOAD)
    names = set(store.graph_names())
    if CATALOGUE_GRAPH not in names or ONTOLOGY_GRAPH not in names:
        raise InputFileError(store_dir, "the store is empty: run 'policykg load --store DIR' first")
    return store


def open_existing(store_dir: Path) -> LoadResult:
    """A persistent store made by ``load``, as a LoadResult (policies from its catalogue graph)."""
    store = open_store_only(store_dir)
    names = set(store.graph_names())
    catalogue = store.graph(CATALOGUE_GRAPH)
    entries = []
    for version in sorted(
        v for v in catalogue.subjects(RDF.type, PKG.PolicyVersion) if isinstance(v, URIRef)
    ):
        vendor = catalogue.value(version, PKG.vendor)
        data_file = catalogue.value(version, PKG.dataFile)
        if isinstance(vendor, URIRef) and version in names:
            entries.append(PolicyEntry(version, vendor, Path(str(data_file or ""))))
    return LoadResult(
        store=store,
        ontology=store.graph(ONTOLOGY_GRAPH),
        read_catalogue_graph=lambda: catalogue,
        policies=entries,
    )


def _load_versions(
    store: GraphStore,
    entries: list[PolicyEntry],
    lines: EntryLines,
    fresh: bool,
    result: LoadResult,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Into a fresh store: one bulk load (fast, not transactional) streamed over every file, and
    the versions' hashes recorded only once it is flushed, so an interrupted first load is redone
    by the next run. Into a store that already has data: the changed versions are replaced in
    transactions of about BATCH_TRIPLES triples (readers never see half a version)."""
    if fresh:
        hashes = _bulk_load(store, entries, lines, result, progress)
        store.flush()
        store.record_hashes(hashes)
        store.optimize()
        return
    batch: list[VersionQuads] = []
    batch_triples = 0
    for done, entry in enumerate(entries, start=1):
        data = read_policy_bytes(entry)
        digest = _digest(entry, lines, data)
        if store.stored_hash(entry.iri) == digest:
            result.unchanged += 1
        else:
            quads = list(iter_policy_quads(entry, data))
            batch.append((entry.iri, quads, digest))
            batch_triples += len(quads)
            result.loaded += 1
            if batch_triples >= BATCH_TRIPLES:
                store.replace_many(batch)
                batch, batch_triples = [], 0
        if progress is not None:
            progress(done, len(entries))
    store.replace_many(batch)


BULK_BYTES = 256 * 2**20
"""N-Quads handed to the bulk loader at once, small enough that a 10,000-policy load holds no
gigabyte of text. Each call ends in its own sorted runs, which the loader and the final
compaction then merge: at 10,000 policies (937 MB) the load took 65.0 s of CPU in calls of 64 MB,
58.3 s in calls of 256 MB and 56.8 s in one call (Oxigraph's own bulk load: 40.5 s)."""


def _bulk_load(
    store: GraphStore,
    entries: list[PolicyEntry],
    lines: EntryLines,
    result: LoadResult,
    progress: Callable[[int, int], None] | None,
) -> list[tuple[URIRef, str]]:
    """Every version into a fresh store as N-Quads text, parsed and indexed by the store in
    Rust: an N-Quads file whose every line ends in its own graph's name is passed on as it is
    (the quads streamed through Python took two thirds of the load); any other file (TriG,
    comments, blank lines) is parsed and checked quad by quad, then written as N-Quads. A
    syntax error or a triple outside a named graph is then traced to its file by the exact
    check, so the message names the file and line as before."""
    hashes: list[tuple[URIRef, str]] = []
    batch: list[bytes] = []
    fast: list[PolicyEntry] = []  # re-read only to trace an error: no copy of every file is kept
    size = 0

    def send() -> None:
        nonlocal size
        try:
            store.bulk_add_nquads(b"".join(batch))
        except SyntaxError as err:
            _trace(fast)  # the file and line, from the exact check; else the batch's folder
            folder = fast[0].data_file.parent if fast else Path(".")
            raise InputFileError(folder, f"syntax error in a policy file: {err.msg}") from None
        batch.clear()
        size = 0

    for done, entry in enumerate(entries, start=1):
        raw = read_policy_bytes(entry)
        if _ends_in_own_graph(entry, raw):
            fast.append(entry)
            data = raw.removeprefix(b"\xef\xbb\xbf")  # a byte order mark is not N-Quads (#18)
            data = data if data.endswith(b"\n") else data + b"\n"
        else:
            data = ox.serialize(iter_policy_quads(entry, raw), format=ox.RdfFormat.N_QUADS) or b""
        batch.append(data)
        size += len(data)
        hashes.append((entry.iri, _digest(entry, lines, raw)))
        result.loaded += 1
        if size >= BULK_BYTES:
            send()
        if progress is not None:
            progress(done, len(entries))
    if batch:
        send()
    if not store.default_graph_is_empty():
        _trace(fast)
        raise InputFileError(entries[0].data_file.parent, OUTSIDE_NAMED_GRAPH)
    return hashes


def _ends_in_own_graph(entry: PolicyEntry, data: bytes) -> bool:
    """Every line of an N-Quads file ends with `` <its version> .``: then every quad is in its
    own graph, or (a triple whose object is that IRI) in the default graph, which the load
    checks once at the end. Anything else goes through the exact check."""
    if entry.data_file.suffix.lower() != ".nq":
        return False
    body = data.rstrip(b"\n")
    suffix = f" <{entry.iri}> .\n".encode()
    return bool(body) and (body + b"\n").count(suffix) == body.count(b"\n") + 1


def _trace(files: list[PolicyEntry]) -> None:
    """Raise the exact check's error (file and line) for the first file of a failed bulk load."""
    for entry in files:
        for _quad in iter_policy_quads(entry, read_policy_bytes(entry)):
            pass


def _replace_if_changed(
    store: GraphStore, name: URIRef, graph: Callable[[], Graph], files: list[Path], fresh: bool
) -> None:
    """The files' hash says whether anything changed (a graph's blank-node labels change with
    every parse). An IRI the store refuses is reported at the file and line that write it. A
    fresh store may read the files itself, in place of rdflib's graph (made only if needed)."""
    digest = sha256_of_files(files)
    if store.stored_hash(name) != digest:
        try:
            if fresh:
                store.add_graph_files(name, graph, files, digest)
            else:
                store.replace_graph(name, graph(), digest)
        except ValueError:
            error = invalid_iri_error(graph(), files)
            if error is None:
                raise
            raise error from None


def _drop_unlisted(store: GraphStore, listed: set[URIRef], result: LoadResult) -> None:
    """A version removed from the catalogue is removed from a persistent store too (with its
    hash, so that validation sees it gone)."""
    for name in policy_graph_names(store):
        if name not in listed:
            store.drop_version(name)
            result.warnings.append(f"<{name}>: no longer in the catalogue, removed from the store")

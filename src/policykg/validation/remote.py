"""Validation on a remote SPARQL endpoint (Oxigraph server, Virtuoso): the same compiled shape
queries as local validation, sent over the SPARQL protocol. Nothing is written to the endpoint:
the analysis date is already in each query's text. A remote run is always a full run (no
cache, no planning), since the endpoint gives no cheap way to know what changed."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Identifier

from ..namespaces import PKG
from ..query import EndpointError, check_endpoint
from ..remote import post_query, server_software
from ..store import SelectResult, subject_graphs_query
from .attribute import attribute
from .engine import Engine
from .hierarchy import ClassHierarchy
from .report import ValidationReport
from .shapes import load_shapes
from .virtuoso import for_virtuoso

BATCH = 200
"""Focus nodes per attribution query: keeps each request small for servers with a URL or
query-size limit."""


class RemoteSparql:
    """Just what the engine and attribution need from a store, answered by an endpoint."""

    def __init__(self, endpoint: str, timeout: float = 60.0) -> None:
        check_endpoint(endpoint)
        self.endpoint = endpoint
        self.timeout = timeout
        self._hierarchy: ClassHierarchy | None = None
        self._evaluates_paths: bool | None = None

    def evaluates_class_paths(self) -> bool:
        """Whether the endpoint's class-hierarchy paths can be trusted. Virtuoso 7.2 (known by its
        Server header) cannot: between two bound variables inside EXISTS it refuses them, with
        both ends bound it misses chains, and a probe query does not tell (simple forms work).
        There every such path is spelt out from the hierarchy, and a "not stated"
        OPTIONAL whose FILTER reads outer variables written as FILTER NOT EXISTS (:mod:`.virtuoso`)."""
        if self._evaluates_paths is None:
            try:
                software = server_software(self.endpoint, self.timeout)
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as err:
                raise EndpointError(f"endpoint {self.endpoint} cannot be reached ({err})") from None
            self._evaluates_paths = "virtuoso" not in software.lower()
        return self._evaluates_paths

    def hierarchy(self) -> ClassHierarchy:
        """The endpoint's own class hierarchy, read once (see :mod:`.hierarchy` for why)."""
        if self._hierarchy is None:
            edges = self._select(
                f"SELECT DISTINCT ?a ?b WHERE {{ ?a <{RDFS.subClassOf}> ?b FILTER (isIRI(?a) && isIRI(?b)) }}"
            )
            self._hierarchy = ClassHierarchy.from_edges((str(a), str(b)) for a, b in edges.rows)
        return self._hierarchy

    def solutions(self, sparql: str, graphs: list[str] | None = None) -> SelectResult:
        """A SELECT over the endpoint's default graph (or ``graphs`` as FROM clauses are not
        added: remote runs are unscoped, so ``graphs`` must be None)."""
        if graphs is not None:
            raise ValueError("a remote run is a full run: no scoped dataset")
        if not self.evaluates_class_paths():
            sparql = for_virtuoso(sparql, self.hierarchy())
        return self._select(sparql)

    def _select(self, sparql: str) -> SelectResult:
        data = self._post(sparql)
        try:
            columns = list(data["head"]["vars"])
            rows = [[_term(b.get(c)) for c in columns] for b in data["results"]["bindings"]]
        except (KeyError, TypeError) as err:
            raise EndpointError(f"endpoint {self.endpoint} returned no SELECT results ({err})") from None
        return SelectResult(columns, rows)

    def graphs_with_subjects(self, nodes: Iterable[str]) -> dict[str, set[str]]:
        """The named graphs in which each IRI is a subject, asked in batches with VALUES. A blank
        node cannot be named in a query to another store: it gets no graph (reported as [""])."""
        wanted = sorted(set(nodes))
        found: dict[str, set[str]] = {node: set() for node in wanted}
        iris = [n for n in wanted if _is_iri(n)]
        for start in range(0, len(iris), BATCH):
            for row in self.solutions(subject_graphs_query(iris[start : start + BATCH])).records():
                found[str(row["s"])].add(str(row["g"]))
        return found

    def draft_versions(self) -> frozenset[str]:
        rows = self.solutions(f"SELECT DISTINCT ?v WHERE {{ ?v <{PKG.reviewStatus}> <{PKG.Draft}> }}")
        return frozenset(str(row["v"]) for row in rows.records())

    def _post(self, sparql: str) -> dict[str, Any]:
        try:
            answer = post_query(self.endpoint, sparql, self.timeout)
        except urllib.error.HTTPError as err:
            detail = err.read(300).decode("utf-8", "replace").strip().splitlines()
            said = f": {detail[0]}" if detail else ""
            raise EndpointError(f"endpoint {self.endpoint} refused a query: HTTP {err.code}{said}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as err:
            reason = getattr(err, "reason", err)
            raise EndpointError(f"endpoint {self.endpoint} cannot be reached ({reason})") from None
        if not isinstance(answer, dict):
            raise EndpointError(f"endpoint {self.endpoint} returned no JSON results")
        return answer


def validate_endpoint(
    endpoint: str, profile: str = "data", as_of: date | None = None, timeout: float = 60.0
) -> ValidationReport:
    """Validate everything the endpoint's default graph holds (it must be the union of the
    policy graphs: Oxigraph with --union-default-graph, Virtuoso as is) against a profile."""
    as_of = as_of or date.today()
    remote = RemoteSparql(endpoint, timeout)
    shapes = load_shapes(profile)
    versions = _versions(remote)  # first: an unreachable endpoint is said as such, not as a shape's failure
    # Virtuoso (whose class paths cannot be trusted) gets every SHACL-SPARQL constraint's
    # sh:select: the whole-store forms written for Oxigraph's planner are not all answered right there
    solutions = Engine(shapes).solutions(remote, as_of, whole_store_selects=remote.evaluates_class_paths())
    findings = attribute(remote, solutions)
    return ValidationReport(
        profile,
        as_of,
        findings,
        validated=len(versions),
        from_cache=0,
        drafts=remote.draft_versions(),
    )


def _versions(remote: RemoteSparql) -> set[str]:
    rows = remote.solutions(f"SELECT DISTINCT ?v WHERE {{ ?v a <{PKG.PolicyVersion}> }}")
    return {str(row["v"]) for row in rows.records()}


def _is_iri(node: str) -> bool:
    return ":" in node and not node.startswith("_:")


def _term(cell: Mapping[str, str] | None) -> Identifier | None:
    if cell is None:
        return None
    kind = cell.get("type")
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    return Literal(cell["value"], datatype=URIRef(cell["datatype"]) if "datatype" in cell else None)

"""The reference: one pyshacl run over the union of the store's graphs (slow; for tests,
benchmarks and a second opinion with ``--engine pyshacl``), its results read into findings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ..errors import PolicyKGError
from ..namespaces import PKG, SH
from ..shacl import severity_name
from ..store import GraphStore, as_oxigraph
from .attribute import owners
from .report import Finding, ValidationReport
from .shapes import article_of, load_shapes, owner_shape


class _PreparedQueryGraph(Graph):
    """pyshacl runs a SPARQL constraint's text once per focus node and rdflib parses it again
    each time; parsing once per text makes the reference run minutes faster, same answers."""

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, Any] = {}

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str) and not args and kwargs.get("initNs") is None:
            from rdflib.plugins.sparql import prepareQuery

            if query_object not in self._prepared:
                self._prepared[query_object] = prepareQuery(query_object, initNs=dict(self.namespaces()))
            query_object = self._prepared[query_object]
        return super().query(query_object, *args, **kwargs)


def validate_with_pyshacl(
    store: GraphStore, profile: str, as_of: date, shapes_dir: Path | None = None
) -> ValidationReport:
    """Validate the union of the store's graphs with pyshacl. The analysis date is added to
    this private copy of the data, never to the store."""
    from pyshacl import validate as shacl_validate

    shapes = load_shapes(profile, shapes_dir)
    whole = _PreparedQueryGraph()
    for name in store.graph_names():
        whole += store.graph(name)
    whole.add((PKG.AnalysisContext, PKG.asOf, Literal(as_of.isoformat(), datatype=XSD.date)))
    try:
        _conforms, results, _text = shacl_validate(
            whole,
            shacl_graph=shapes,
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
            inference="none",
            inplace=True,
        )
    except Exception as err:  # pyshacl reports malformed shapes as its own exceptions
        raise PolicyKGError(f"SHACL engine refused the shapes: {str(err).splitlines()[0]}") from None
    if not isinstance(results, Graph):  # pyshacl returns (not raises) some refusals, e.g. VALUES
        raise PolicyKGError(f"SHACL engine refused the shapes: {str(results).splitlines()[0]}")
    found = _findings(results, shapes)
    owned = owners(as_oxigraph(store), {f.focus for f in found})
    findings = sorted(
        {replace(f, policy=p) for f in found for p in owned.get(f.focus, [""])}, key=Finding.sort_key
    )
    return ValidationReport(profile, as_of, findings, validated=len(store.graph_names()))


def _text(graph: Graph, node: Node | None, prop: URIRef) -> str:
    value = graph.value(node, prop)
    return "" if value is None else str(value)


def _findings(results: Graph, shapes: Graph) -> list[Finding]:
    """pyshacl's sh:ValidationResult nodes as findings (of no policy yet)."""
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        path = results.value(result, SH.resultPath)
        found.append(
            Finding(
                policy="",
                severity=severity_name(results.value(result, SH.resultSeverity)),
                message=_text(results, result, SH.resultMessage),
                focus=_text(results, result, SH.focusNode),
                path=str(path) if isinstance(path, URIRef) else "",
                value=_text(results, result, SH.value),
                shape=owner_shape(shapes, shape),
                article=article_of(shapes, shape),
                component=_text(results, result, SH.sourceConstraintComponent),
            )
        )
    return found

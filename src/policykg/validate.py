"""SHACL validation, one policy version at a time, merged into one report.

Each policy graph is validated with the ontology (pyshacl's ont_graph) and the shapes of the
chosen profile; the analysis date reaches the SPARQL-based shapes as a triple
``pkg:AnalysisContext pkg:asOf "YYYY-MM-DD"^^xsd:date`` added to the data, so shapes stay
plain SHACL files. Validating per version keeps the cost linear in the number of policies.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from .errors import BadValueError, PolicyKGError
from .namespaces import PKG, SH, bind_prefixes
from .paths import project_paths
from .rdfio import parse_into
from .store import ONTOLOGY_GRAPH, GraphStore, policy_graph_names

PROFILES: dict[str, tuple[str, ...]] = {
    "data": ("data-quality.ttl",),
    "compliance": ("gdpr-art13.ttl", "transfer-currency.ttl", "consistency.ttl"),
}
PROFILES["all"] = PROFILES["data"] + PROFILES["compliance"]
SEVERITY_RANK = {"info": 0, "warning": 1, "violation": 2}
_SEVERITY_OF = {SH.Info: "info", SH.Warning: "warning", SH.Violation: "violation"}


@dataclass(frozen=True)
class Finding:
    policy: str
    severity: str
    message: str
    focus: str
    path: str
    value: str
    shape: str
    article: str

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.policy, -SEVERITY_RANK[self.severity], self.article, self.message, self.focus)


@dataclass
class ValidationReport:
    profile: str
    as_of: date
    findings: list[Finding]
    results_graph: Graph

    def count_at_least(self, level: str) -> int:
        if level == "none":
            return 0
        floor = SEVERITY_RANK[level]
        return sum(1 for f in self.findings if SEVERITY_RANK[f.severity] >= floor)

    def summary_line(self) -> str:
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITY_RANK}
        return f"{counts['violation']} violations, {counts['warning']} warnings, {counts['info']} infos"


def load_shapes(profile: str, folder: Path | None = None) -> Graph:
    if profile not in PROFILES:
        raise BadValueError("profile", profile, " | ".join(PROFILES))
    folder = folder or project_paths().shapes
    shapes = Graph()
    bind_prefixes(shapes)
    for name in PROFILES[profile]:
        parse_into(shapes, folder / name)
    return shapes


def _text(graph: Graph, node: Node | None, prop: URIRef) -> str:
    value = graph.value(node, prop)
    return "" if value is None else str(value)


def _findings(policy: str, results: Graph, shapes: Graph) -> list[Finding]:
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        level = results.value(result, SH.resultSeverity)
        severity = _SEVERITY_OF.get(level, "violation") if isinstance(level, URIRef) else "violation"
        path = results.value(result, SH.resultPath)
        found.append(
            Finding(
                policy=policy,
                severity=severity,
                message=_text(results, result, SH.resultMessage),
                focus=_text(results, result, SH.focusNode),
                path=str(path) if isinstance(path, URIRef) else "",
                value=_text(results, result, SH.value),
                shape=_owner_shape(shapes, shape),
                article=_article(shapes, shape),
            )
        )
    return found


def _owner_shape(shapes: Graph, shape: Node | None) -> str:
    """The named node shape a result comes from (property and SPARQL shapes are blank nodes)."""
    if isinstance(shape, URIRef):
        return str(shape)
    for prop in (SH.property, SH.sparql, SH["or"]):
        owner = next(iter(shapes.subjects(prop, shape)), None)
        if isinstance(owner, URIRef):
            return str(owner)
    return ""


def _article(shapes: Graph, shape: Node | None) -> str:
    """The legal article a shape checks, from the shape or the node shape that holds it."""
    for node in [shape, *shapes.subjects(SH.property, shape), *shapes.subjects(SH.sparql, shape)]:
        article = shapes.value(node, PKG.checksArticle)
        if article is not None:
            return str(shapes.value(article, RDFS.label) or article)
    return ""


def validate_graph(
    policy: str, data: Graph, ontology: Graph, shapes: Graph, as_of: date
) -> tuple[list[Finding], Graph]:
    from pyshacl import validate as shacl_validate

    data_with_context = Graph()
    for source in (data, ontology):  # merged here: sh:class needs the DPV types in the data
        for triple in source:
            data_with_context.add(triple)
    data_with_context.add((PKG.AnalysisContext, PKG.asOf, Literal(as_of.isoformat(), datatype=XSD.date)))
    try:
        _conforms, results, _text_report = shacl_validate(
            data_with_context,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
        )
    except Exception as err:  # pyshacl reports malformed shapes as its own exceptions
        raise PolicyKGError(f"SHACL engine refused the shapes: {str(err).splitlines()[0]}") from None
    if not isinstance(results, Graph):  # pyshacl returns a ValidationFailure for bad shapes
        raise PolicyKGError(f"SHACL engine refused the shapes: {results}")
    return _findings(policy, results, shapes), results


def validate_store(
    store: GraphStore,
    profile: str = "data",
    as_of: date | None = None,
    shapes_dir: Path | None = None,
) -> ValidationReport:
    as_of = as_of or date.today()
    shapes = load_shapes(profile, shapes_dir)
    ontology = store.graph(ONTOLOGY_GRAPH)
    merged = Graph()
    bind_prefixes(merged)
    findings: list[Finding] = []
    for name in policy_graph_names(store):
        found, results = validate_graph(str(name), store.graph(name), ontology, shapes, as_of)
        findings += found
        for triple in results:
            merged.add(triple)
    findings.sort(key=Finding.sort_key)
    return ValidationReport(profile, as_of, findings, merged)


def render(report: ValidationReport, fmt: str) -> str:
    if fmt == "json":
        return (
            json.dumps(
                {
                    "profile": report.profile,
                    "asOf": report.as_of.isoformat(),
                    "summary": report.summary_line(),
                    "findings": [asdict(f) for f in report.findings],
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    if fmt == "turtle":
        return str(report.results_graph.serialize(format="turtle"))
    title = f"SHACL validation, profile '{report.profile}', as of {report.as_of.isoformat()}"
    lines = [f"{title}: {report.summary_line()}"]
    by_policy: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        by_policy[finding.policy][finding.article or "data quality"].append(finding)
    for policy, by_article in by_policy.items():
        lines.append("")
        lines.append(policy)
        for article, items in by_article.items():
            lines.append(f"  {article}")
            for f in items:
                where = f" [{f.path.rsplit('#', 1)[-1]}]" if f.path else ""
                lines.append(f"    {f.severity.upper():9} {f.message}{where}")
                lines.append(f"              focus: {f.focus}")
    if not report.findings:
        lines.append("no findings")
    return "\n".join(lines) + "\n"

"""Reports of a validation: text, JSON, a SHACL validation report (Turtle) and a
self-contained HTML page. Renderers read the report model only, whatever engine made it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from ..errors import known
from ..namespaces import PKG, SH, bind_prefixes
from ..shacl import SEVERITY_OF
from .ci import render_junit, render_sarif
from .report import SEVERITIES, Finding, ValidationReport


def results_graph(report: ValidationReport) -> Graph:
    """The findings as a SHACL validation report (sh:ValidationReport), for SHACL tooling."""
    graph = Graph()
    bind_prefixes(graph)
    top = BNode()
    graph.add((top, RDF.type, SH.ValidationReport))
    # SHACL 3.6.1: conforms is true only when there is no validation result at all, of any severity
    graph.add((top, SH.conforms, Literal(not report.findings)))
    level = {name: iri for iri, name in SEVERITY_OF.items()}
    for f in report.findings:
        node = BNode()
        graph.add((top, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, level[f.severity]))
        graph.add((node, SH.focusNode, _as_term(f.focus)))
        graph.add((node, SH.resultMessage, Literal(f.message)))
        graph.add((node, SH.sourceConstraintComponent, URIRef(f.component or SH.SPARQLConstraintComponent)))
        if f.shape:
            graph.add((node, SH.sourceShape, URIRef(f.shape)))
        if f.path:
            graph.add((node, SH.resultPath, URIRef(f.path)))
        if f.value:
            graph.add((node, SH.value, _as_term(f.value)))
        if f.policy:
            graph.add((node, PKG.policyVersion, URIRef(f.policy)))
    return graph


def _as_term(text: str) -> URIRef | Literal:
    """Findings keep values as text; IRIs come back as IRIs."""
    return URIRef(text) if re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"]*$", text) else Literal(text)


def render_html(report: ValidationReport) -> str:
    """A self-contained page an analyst can open or attach: findings by policy and article."""
    from html import escape

    rows: list[str] = []
    for policy, by_article in report.by_policy_and_article().items():
        rows.append(f'<section class="policy"><h2>{escape(report.heading(policy))}</h2>')
        for article, items in by_article.items():
            rows.append(
                f"<h3>{escape(article)}</h3><table><tr><th>severity</th><th>finding</th><th>focus</th></tr>"
            )
            rows += [
                f'<tr class="{f.severity}"><td>{f.severity}</td><td>{escape(f.message)}</td>'
                f"<td>{escape(f.focus)}</td></tr>"
                for f in items
            ]
            rows.append("</table>")
        rows.append("</section>")
    title = f"SHACL validation, profile {report.profile}, as of {report.as_of.isoformat()}"
    style = (
        "body{font-family:system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse;margin-bottom:1rem}"
        "td,th{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}"
        ".violation td:first-child{color:#a00;font-weight:bold}.warning td:first-child{color:#a60}"
        ".info td:first-child{color:#06a}"
    )
    body = "\n".join(rows) if rows else "<p>No findings.</p>"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{style}</style></head><body><h1>{escape(title)}</h1>"
        f'<p id="summary">{escape(report.summary_line())}</p>\n{body}\n</body></html>\n'
    )


def render_json(report: ValidationReport) -> str:
    """Counts per severity (and per policy version) as numbers, then every finding with its
    file and line when the report has them."""
    per_policy: dict[str, dict[str, int]] = {}
    for f in report.findings:
        per_policy.setdefault(f.policy, dict.fromkeys(SEVERITIES, 0))[f.severity] += 1
    document = {
        "profile": report.profile,
        "asOf": report.as_of.isoformat(),
        "counts": report.counts(),
        "total": len(report.findings),
        "conforms": not report.findings,
        "countsByProfile": _counts_by_profile(report),
        "countsByPolicy": per_policy,
        "summary": report.summary_line(),
        "drafts": sorted(report.drafts),
        "findings": [_json_finding(f, report) for f in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _counts_by_profile(report: ValidationReport) -> dict[str, dict[str, int]]:
    """Findings per severity for each profile the report's shapes belong to (``all`` runs both
    ``data`` and ``compliance``); just the report's profile when its shapes are not described."""
    profiles_of = {rule.iri: rule.profiles for rule in report.rules}
    names = sorted({p for rule in report.rules for p in rule.profiles}) or [report.profile]
    counts = {name: dict.fromkeys(SEVERITIES, 0) for name in names}
    for f in report.findings:
        for name in profiles_of.get(f.shape) or (report.profile,):
            counts.setdefault(name, dict.fromkeys(SEVERITIES, 0))[f.severity] += 1
    return counts


def _json_finding(f: Finding, report: ValidationReport) -> dict[str, object]:
    where = report.locations.get(f)
    located = {"file": str(where.file), "line": where.line} if where is not None else {}
    return {**asdict(f), "draft": f.policy in report.drafts, **located}


def render_turtle(report: ValidationReport) -> str:
    return str(results_graph(report).serialize(format="turtle"))


def render_text(report: ValidationReport) -> str:
    title = f"SHACL validation, profile '{report.profile}', as of {report.as_of.isoformat()}"
    lines = [f"{title}: {report.summary_line()}"]
    for policy, by_article in report.by_policy_and_article().items():
        lines.append("")
        lines.append(report.heading(policy))
        for article, items in by_article.items():
            lines.append(f"  {article}")
            for f in items:
                where = f" [{f.path.rsplit('#', 1)[-1]}]" if f.path else ""
                lines.append(f"    {f.severity.upper():9} {f.message}{where}")
                lines.append(f"              focus: {f.focus}")
                located = report.locations.get(f)
                if located is not None:  # as compilers print it, for editors and CI logs
                    lines.append(f"              at: {located.file}:{located.line}")
                if f.value and f.value != f.focus:  # the offending term, e.g. a misspelt DPV IRI
                    lines.append(f"              value: {f.value}")
    if not report.findings:
        lines.append("no findings")
    return "\n".join(lines) + "\n"


REPORT_FORMATS: dict[str, Callable[[ValidationReport], str]] = {
    "text": render_text,
    "json": render_json,
    "turtle": render_turtle,
    "html": render_html,
    "sarif": render_sarif,
    "junit": render_junit,
}
"""Every report format by name: the CLI offers exactly these (as sssom-py keeps its writers)."""


def render(report: ValidationReport, fmt: str) -> str:
    return known(REPORT_FORMATS, fmt, "report format")(report)

"""SHACL validation, one policy version at a time, merged into one report.

Each policy graph is validated with the ontology (pyshacl's ont_graph) and the shapes of the
chosen profile; the analysis date reaches the SPARQL-based shapes as a triple
``pkg:AnalysisContext pkg:asOf "YYYY-MM-DD"^^xsd:date`` added to the data, so shapes stay
plain SHACL files. Validating per version keeps the cost linear in the number of policies.
"""

from __future__ import annotations

import hashlib
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
from .rdfio import parse_into, write_atomic
from .store import ONTOLOGY_GRAPH, GraphStore, content_hash, policy_graph_names

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
    validated: int = 0
    from_cache: int = 0

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


class ValidationContext:
    """What the shapes need from the ontology, cut to one policy graph at a time.

    sh:class needs each value's types with their superclasses; FactsNeedEvidence needs the
    ``pkg:requiresEvidence`` flags; the transfer shapes need the instrument timeline. Adding only
    these (types materialised) keeps each data graph small. The shapes are compiled once and the
    data graph lives in an in-memory Oxigraph store, so SHACL-SPARQL runs in Rust.
    """

    def __init__(self, ontology: Graph, shapes: Graph) -> None:
        from pyshacl import Validator
        from pyshacl.graph_abstraction import DataGraph

        self._types = _materialised_types(ontology)
        self._flags: dict[Node, list[tuple[Node, Node, Node]]] = defaultdict(list)
        for triple in ontology.triples((None, PKG.requiresEvidence, None)):
            self._flags[triple[0]].append(triple)
        self._timeline = list(_instrument_triples(ontology))
        self.shapes = shapes
        self._validator = Validator(
            DataGraph.from_rdflib(Graph()),
            shacl_graph=shapes,
            options={"advanced": True, "allow_warnings": True, "allow_infos": True, "inplace": True},
        )

    def data_for(self, policy: Graph, as_of: date) -> list[tuple[Node, Node, Node]]:
        triples = list(policy)
        terms = {t for triple in triples for t in triple if isinstance(t, URIRef)}
        for term in terms:
            triples.extend((term, RDF.type, cls) for cls in self._types.get(term, ()))
            triples.extend(self._flags.get(term, ()))
        triples.extend(self._timeline)
        triples.append((PKG.AnalysisContext, PKG.asOf, Literal(as_of.isoformat(), datatype=XSD.date)))
        return triples

    def run(self, policy: Graph, as_of: date) -> Graph:
        import pyoxigraph as ox
        from pyshacl.graph_abstraction import DataGraph

        from .store import to_ox

        store = ox.Store()
        quads = (ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in self.data_for(policy, as_of))  # type: ignore[arg-type]
        store.bulk_extend(quads)
        validator = self._validator
        validator.data_graph = DataGraph.from_oxigraph_store(store)
        validator._target_graph = None
        validator.inplace = True
        try:
            _conforms, results, _text = validator.run()  # type: ignore[no-untyped-call]
        except Exception as err:  # pyshacl reports malformed shapes as its own exceptions
            raise PolicyKGError(f"SHACL engine refused the shapes: {str(err).splitlines()[0]}") from None
        if not isinstance(results, Graph):
            raise PolicyKGError(f"SHACL engine refused the shapes: {results}")
        return results


def _materialised_types(ontology: Graph) -> dict[Node, set[Node]]:
    from .ontology import superclass_closure

    up = superclass_closure(ontology)
    types: dict[Node, set[Node]] = defaultdict(set)
    for term, cls in ontology.subject_objects(RDF.type):
        if isinstance(term, URIRef) and isinstance(cls, URIRef):
            types[term] |= up(cls)
    return types


def _instrument_triples(ontology: Graph) -> Graph:
    """The instruments, their events, what each event class does, and obsolete standards."""
    keep = set(ontology.subjects(PKG.slug, None)) | set(ontology.subjects(PKG.affectsInstrument, None))
    keep |= set(ontology.subjects(PKG.statusEffect, None)) | set(ontology.objects(None, PKG.statusEffect))
    keep |= set(ontology.subjects(PKG.obsoleteSince, None))
    timeline = Graph()
    for s, p, o in ontology:
        if s in keep:
            timeline.add((s, p, o))
    return timeline


def validate_graph(
    policy: str,
    data: Graph,
    ontology: Graph,
    shapes: Graph,
    as_of: date,
    context: ValidationContext | None = None,
) -> tuple[list[Finding], Graph]:
    results = (context or ValidationContext(ontology, shapes)).run(data, as_of)
    return _findings(policy, results, shapes), results


def validate_store(
    store: GraphStore,
    profile: str = "data",
    as_of: date | None = None,
    shapes_dir: Path | None = None,
    cache_dir: Path | None = None,
    jobs: int = 1,
    with_results: bool = True,
) -> ValidationReport:
    """Validate every policy version and merge the reports. With ``cache_dir``, a version whose
    content (and shapes, ontology, profile and date) did not change is read from the cache."""
    as_of = as_of or date.today()
    shapes = load_shapes(profile, shapes_dir)
    ontology = store.graph(ONTOLOGY_GRAPH)
    salt = f"{profile}|{as_of.isoformat()}|{_digest(shapes)}|{_digest(ontology)}|"
    merged = Graph()
    bind_prefixes(merged)
    findings: list[Finding] = []
    todo: list[tuple[str, Graph, str]] = []
    names = policy_graph_names(store)
    stored_hash = getattr(store, "stored_hash", None)  # Oxigraph keeps each version's hash
    for name in names:
        known = stored_hash(name) if stored_hash is not None and cache_dir is not None else None
        graph = None if known else store.graph(name)
        version_hash = known or content_hash(graph)  # type: ignore[arg-type]
        key = hashlib.sha256((salt + version_hash).encode()).hexdigest()
        cached = _cache_read(cache_dir, key, with_results)
        if cached is None:
            todo.append((str(name), graph if graph is not None else store.graph(name), key))
        else:
            findings += cached[0]
            merged += cached[1]
    for found, results, key in _run_all(todo, ontology, shapes, as_of, jobs):
        findings += found
        merged += results
        _cache_write(cache_dir, key, found, results)
    findings.sort(key=Finding.sort_key)
    return ValidationReport(
        profile, as_of, findings, merged, validated=len(todo), from_cache=len(names) - len(todo)
    )


Job = tuple[list[tuple[str, Graph, str]], Graph, Graph, date]


def _run_all(
    todo: list[tuple[str, Graph, str]], ontology: Graph, shapes: Graph, as_of: date, jobs: int
) -> list[tuple[list[Finding], Graph, str]]:
    if jobs <= 1 or len(todo) < 2:
        return _run_chunk((todo, ontology, shapes, as_of))
    from concurrent.futures import ProcessPoolExecutor

    chunks: list[Job] = [(todo[i::jobs], ontology, shapes, as_of) for i in range(jobs) if todo[i::jobs]]
    with ProcessPoolExecutor(max_workers=len(chunks)) as pool:
        return [item for part in pool.map(_run_chunk, chunks) for item in part]


def _run_chunk(job: Job) -> list[tuple[list[Finding], Graph, str]]:
    todo, ontology, shapes, as_of = job
    if not todo:
        return []
    context = ValidationContext(ontology, shapes)
    out = []
    for policy, graph, key in todo:
        results = context.run(graph, as_of)
        out.append((_findings(policy, results, shapes), results, key))
    return out


def _digest(graph: Graph) -> str:
    """A hash that survives re-parsing (blank nodes are canonicalised)."""
    from rdflib.compare import to_isomorphic

    return str(to_isomorphic(graph).graph_digest())  # type: ignore[no-untyped-call]


def _cache_read(
    cache_dir: Path | None, key: str, with_results: bool = True
) -> tuple[list[Finding], Graph] | None:
    path = cache_dir / f"{key}.json" if cache_dir is not None else None
    if path is None or not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    results = Graph()
    if with_results:  # the SHACL results graph is only needed for the Turtle report
        results.parse(data=data["results"], format="nt")
    return [Finding(**f) for f in data["findings"]], results


def _cache_write(cache_dir: Path | None, key: str, findings: list[Finding], results: Graph) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    payload = {"findings": [asdict(f) for f in findings], "results": results.serialize(format="nt")}
    write_atomic(cache_dir / f"{key}.json", json.dumps(payload))


def render_html(report: ValidationReport) -> str:
    """A self-contained page an analyst can open or attach: findings by policy and article."""
    from html import escape

    rows: list[str] = []
    by_policy: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        by_policy[finding.policy][finding.article or "data quality"].append(finding)
    for policy, by_article in by_policy.items():
        rows.append(f'<section class="policy"><h2>{escape(policy)}</h2>')
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


def render(report: ValidationReport, fmt: str) -> str:
    if fmt == "html":
        return render_html(report)
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

"""SHACL validation, one policy version at a time, merged into one report.

Each policy graph is validated with the ontology (pyshacl's ont_graph) and the shapes of the
chosen profile; the analysis date reaches the SPARQL-based shapes as a triple
``pkg:AnalysisContext pkg:asOf "YYYY-MM-DD"^^xsd:date`` added to the data, so shapes stay
plain SHACL files. Validating per version keeps the cost linear in the number of policies.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Identifier, Node

from .errors import BadValueError, InputFileError, PolicyKGError
from .namespaces import PKG, SH, bind_prefixes
from .paths import project_paths
from .rdfio import parse_into
from .shacl import Check, compile_shapes, focus_select, focus_values
from .sparql_text import bind_analysis_date
from .store import (
    CATALOGUE_GRAPH,
    ONTOLOGY_GRAPH,
    SYSTEM_GRAPHS,
    GraphStore,
    OxigraphStore,
)

SHARED_GRAPHS = (str(ONTOLOGY_GRAPH), str(CATALOGUE_GRAPH))
"""What every policy version's validation may read besides its own graph."""
RESCOPE_LIMIT = 200
"""Above this many changed versions, a full run is cheaper than one scoped run per version."""

PROFILES: dict[str, tuple[str, ...]] = {
    "data": ("data-quality.ttl",),
    "compliance": ("gdpr-art13.ttl", "transfer-currency.ttl", "consistency.ttl"),
}
PROFILES["all"] = PROFILES["data"] + PROFILES["compliance"]
SEVERITY_RANK = {"info": 0, "warning": 1, "violation": 2}
ENGINE_VERSION = "policykg-shacl-sparql-1"
"""Part of the cache key: bump it when the engine's output for the same input changes."""
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


@dataclass(frozen=True)
class _Rule:
    """A compiled check with what its findings need from the shapes graph."""

    check: Check
    shape: str
    article: str


class Engine:
    """The shapes of one profile, compiled to SPARQL once, run on an Oxigraph store."""

    def __init__(self, shapes: Graph | None = None) -> None:
        self.targets: dict[Node, str] = {}
        self.prologues: dict[Node, str] = {}
        self.rules: list[_Rule] = []
        if shapes is not None:
            compiled = compile_shapes(shapes)
            self.targets, self.prologues = compiled.targets, compiled.prologues
            self.rules = [
                _Rule(
                    c, str(c.node_shape), _article(shapes, c.source_shape) or _article(shapes, c.node_shape)
                )
                for c in compiled.checks
            ]

    def to_json(self) -> str:
        """The compiled engine, so that a re-validation need not parse and compile the shapes."""
        return json.dumps(
            {
                "shapes": [[_node_out(n), self.targets[n], self.prologues[n]] for n in self.targets],
                "rules": [
                    {
                        **{
                            k: v
                            for k, v in asdict(r.check).items()
                            if k not in {"node_shape", "source_shape", "path"}
                        },
                        "node_shape": _node_out(r.check.node_shape),
                        "source_shape": _node_out(r.check.source_shape),
                        "path": _node_out(r.check.path),
                        "shape": r.shape,
                        "article": r.article,
                    }
                    for r in self.rules
                ],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Engine:
        data = json.loads(text)
        engine = cls()
        for raw_node, target, prologue in data["shapes"]:
            node = _node_in(raw_node)
            assert node is not None
            engine.targets[node] = target
            engine.prologues[node] = prologue
        for raw in data["rules"]:
            shape, article = raw.pop("shape"), raw.pop("article")
            for key in ("node_shape", "source_shape", "path"):
                raw[key] = _node_in(raw[key])
            raw["messages"] = tuple(raw["messages"])
            engine.rules.append(_Rule(Check(**raw), shape, article))
        return engine

    def run(
        self,
        store: OxigraphStore,
        as_of: date,
        scope: list[URIRef] | None = None,
        cross_policy: bool | None = None,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        focus_nodes: list[str] | None = None,
    ) -> list[Finding]:
        """Findings of the rules (all, or only those with ``pkg:crossPolicy`` = ``cross_policy``);
        with ``scope``, only for focus nodes that are subjects in those graphs."""
        rules = [r for r in self.rules if cross_policy is None or r.check.cross_policy == cross_policy]
        # Scoped (one changed version at a time): the query sees only that version's graph and
        # the shared ones (ontology, catalogue, analysis date), so it stays small whatever plan
        # Oxigraph picks; the focus nodes are the subjects of that graph.
        tasks: list[tuple[_Rule, str | None]] = [
            (rule, graph) for graph in ([str(g) for g in scope] if scope else [None]) for rule in rules
        ]

        focus: dict[tuple[Node, str], str] = {}
        for graph in [str(g) for g in scope or []]:
            for shape in {rule.check.node_shape for rule in rules}:
                focus[shape, graph] = self._focus_in(store, shape, graph)

        def evaluate(task: tuple[_Rule, str | None]) -> list[tuple[_Rule, dict[str, Identifier]]]:
            rule, graph = task
            shape = rule.check.node_shape
            if graph is None and focus_nodes is not None:
                query = rule.check.sparql(focus_select(self.targets[shape], focus_values(focus_nodes)))
            elif graph is None:
                query = rule.check.sparql(focus_select(self.targets[shape]))
            elif not focus[shape, graph]:
                return []
            else:
                query = rule.check.sparql(focus[shape, graph])
            dataset = [graph, *SHARED_GRAPHS] if graph else None
            try:
                solutions = store.solutions(bind_analysis_date(query, as_of), dataset).records()
            except SyntaxError as err:
                raise PolicyKGError(
                    f"shape {rule.shape}: the compiled query is not valid SPARQL: {err}"
                ) from None
            return [(rule, row) for row in solutions]

        from concurrent.futures import ThreadPoolExecutor  # Oxigraph releases the GIL in queries

        batches = []
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = pool.map(evaluate, tasks) if jobs > 1 else map(evaluate, tasks)
            for done, batch in enumerate(results, start=1):
                batches.append(batch)
                if progress is not None:
                    progress(done, len(tasks))
        rows = [row for batch in batches for row in batch]
        owners = _graphs_of(store, {str(row["this"]) for _rule, row in rows}, scope)
        found = {f for rule, row in rows for f in _to_findings(rule, row, owners)}
        return sorted(found, key=Finding.sort_key)

    def _focus_in(self, store: OxigraphStore, shape: Node, graph: str) -> str:
        """The shape's focus nodes among the subjects of one graph, as a pattern for its
        queries: inline IRIs (fast whatever the plan), or the scoped target if there are blank
        nodes. The target is matched against the graph and the ontology."""
        target = self.targets[shape]
        scope = f"GRAPH <{graph}> {{ ?this ?_sp ?_so }}"
        query = f"{self.prologues[shape]}SELECT DISTINCT ?this WHERE {{ {scope} {target} }}"
        rows = store.solutions(query, [graph, str(ONTOLOGY_GRAPH)]).records()
        nodes = [row["this"] for row in rows]
        if any(not isinstance(n, URIRef) for n in nodes):
            return focus_select(target, scope)
        return focus_values(sorted(str(n) for n in nodes)) if nodes else ""


def _node_out(node: Node | None) -> list[str] | None:
    if node is None:
        return None
    return ["b" if isinstance(node, BNode) else "i", str(node)]


def _node_in(raw: list[str] | None) -> Node | None:
    if raw is None:
        return None
    return BNode(raw[1]) if raw[0] == "b" else URIRef(raw[1])


def _to_findings(rule: _Rule, row: dict[str, Identifier], owners: dict[str, list[str]]) -> list[Finding]:
    check = rule.check
    focus = str(row["this"])
    bound = {name: str(value) for name, value in row.items() if value is not None}
    if check.value_is_focus:
        bound.setdefault("value", focus)
    path = row.get("path") or check.path
    message = check.messages[0] if check.messages else f"{check.component} constraint not satisfied"
    for name, value in bound.items():
        message = re.sub("{[?$]" + re.escape(name) + "}", _literal(value), message)
    return [
        Finding(
            policy=policy,
            severity=check.severity,
            message=message,
            focus=focus,
            path=str(path) if isinstance(path, URIRef) else "",
            value=bound.get("value", ""),
            shape=rule.shape,
            article=rule.article,
        )
        for policy in owners.get(focus, [""])
    ]


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts ``text`` as is (no backslash processing)."""
    return lambda _match: text


def _graphs_of(store: OxigraphStore, focus: set[str], scope: list[URIRef] | None) -> dict[str, list[str]]:
    """The policy versions each focus node belongs to: the graphs where it is a subject."""
    allowed = {str(g) for g in scope} if scope is not None else None
    system = {str(g) for g in SYSTEM_GRAPHS}
    owners: dict[str, list[str]] = {}
    for node in focus:
        graphs = sorted(store.graphs_with_subject(node) - system)
        owners[node] = [g for g in graphs if allowed is None or g in allowed] if graphs else [""]
    return owners


def _as_oxigraph(store: GraphStore) -> OxigraphStore:
    if isinstance(store, OxigraphStore):
        return store
    copy = OxigraphStore()
    for name in store.graph_names():
        copy.replace_graph(name, store.graph(name))
    return copy


def validate_graph(policy: str, data: Graph, ontology: Graph, shapes: Graph, as_of: date) -> list[Finding]:
    """Validate one graph on its own (with the ontology), e.g. a fixture or a draft annotation."""
    store = OxigraphStore()
    store.replace_graph(URIRef(policy), data)
    store.replace_graph(ONTOLOGY_GRAPH, ontology)
    return Engine(shapes).run(store, as_of)


def validate_store(
    store: GraphStore,
    profile: str = "data",
    as_of: date | None = None,
    shapes_dir: Path | None = None,
    cache_dir: Path | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    collect: bool = True,
) -> ValidationReport:
    """Validate the whole store (every policy version, with the ontology) against a profile.

    With ``cache_dir``, findings are kept per version with the version's content hash: the next
    run re-validates only versions whose hash changed (their focus nodes only), re-runs the
    cross-policy shapes if anything changed, and reuses everything else. ``collect=False``
    reports only what this run computed (the rest stays in the cache)."""
    as_of = as_of or date.today()
    folder = shapes_dir or project_paths().shapes
    if profile not in PROFILES:
        raise BadValueError("profile", profile, " | ".join(PROFILES))
    oxi = _as_oxigraph(store)
    shapes_digest = _files_digest(folder, PROFILES[profile])
    salt = "|".join([ENGINE_VERSION, profile, as_of.isoformat(), shapes_digest, oxi.hash_of(ONTOLOGY_GRAPH)])
    cache = FindingsCache(cache_dir, salt) if cache_dir is not None else None
    engine = _cached_engine(cache)
    if engine is None:
        engine = Engine(load_shapes(profile, folder))
        if cache is not None:
            cache.keep_engine(engine.to_json())
    counter, identity = oxi.write_counter(), oxi.identity()
    seen = cache.counter(identity) if cache is not None and identity is not None else None
    kept = cache.size() if cache is not None else 0
    if cache is not None and kept and seen is not None and counter > 0:
        # only what was written or removed since the last run (one query, not every hash)
        hashes, gone = oxi.changes_since(seen)
        previous = cache.hashes_of([*hashes, *gone])
        removed = sorted(g for g in gone if g in previous)
        total = kept + len(set(hashes) - set(previous)) - len(removed)
    else:
        previous = cache.hashes() if cache is not None else {}
        hashes = oxi.version_hashes()
        removed = sorted(set(previous) - set(hashes))
        total = len(hashes)
    changed = sorted(URIRef(g) for g, h in hashes.items() if previous.get(g) != h)
    catalogue = oxi.hash_of(CATALOGUE_GRAPH)
    if cache is None or not kept or len(changed) > RESCOPE_LIMIT:
        found = engine.run(oxi, as_of, jobs=jobs, progress=progress)
        cross_shapes = {r.shape for r in engine.rules if r.check.cross_policy}
        local = [f for f in found if f.shape not in cross_shapes]
        cross = [f for f in found if f.shape in cross_shapes]
    else:
        local = engine.run(oxi, as_of, changed, False, jobs, progress) if changed else []
        cross = _rerun_cross(
            engine, oxi, as_of, cache, changed, removed, cache.catalogue() != catalogue, jobs
        )
    if cache is not None:
        cache.update(
            {str(g): hashes[str(g)] for g in changed},
            local,
            removed,
            cross,
            catalogue,
            f"{identity}:{counter}" if identity is not None else "",
        )
        findings = cache.findings() if collect else sorted(local + cross, key=Finding.sort_key)
    else:
        findings = sorted(local + cross, key=Finding.sort_key)
    return ValidationReport(profile, as_of, findings, validated=len(changed), from_cache=total - len(changed))


def _cached_engine(cache: FindingsCache | None) -> Engine | None:
    """The compiled shapes kept by the cache; None (compile again) if absent or unreadable."""
    text = cache.engine() if cache is not None else None
    try:
        return Engine.from_json(text) if text else None
    except (KeyError, TypeError, ValueError):  # written by another version of the engine
        return None


def _rerun_cross(
    engine: Engine,
    store: OxigraphStore,
    as_of: date,
    cache: FindingsCache,
    changed: list[URIRef],
    removed: list[str],
    catalogue_changed: bool,
    jobs: int,
) -> list[Finding]:
    """Cross-policy findings after a change: nothing to do if nothing changed; only the changed
    versions and the versions related to them (sharing a ``pkg:relatedBy`` value) if every
    cross-policy shape says how versions relate; otherwise all of them again."""
    rules = [r for r in engine.rules if r.check.cross_policy]
    if not (changed or removed or catalogue_changed):
        return cache.cross()
    related_by = {r.check.related_by for r in rules}
    if removed or catalogue_changed or None in related_by:
        return engine.run(store, as_of, cross_policy=True, jobs=jobs)
    related = {str(g) for g in changed}
    for prop in related_by:
        query = (
            f"SELECT DISTINCT ?other WHERE {{ VALUES ?g {{ {' '.join(f'<{g}>' for g in changed)} }} "
            f"?g <{prop}> ?shared . ?other <{prop}> ?shared }}"
        )
        related |= {str(row["other"]) for row in store.solutions(query).records()}
    kept = [f for f in cache.cross() if f.policy not in related]
    fresh = engine.run(store, as_of, cross_policy=True, jobs=jobs, focus_nodes=sorted(related))
    return kept + fresh


def _files_digest(folder: Path, names: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in names:
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


class FindingsCache:
    """Findings per policy version, with the hash they were computed for, in SQLite.

    One row per version (local shapes) and one row for the cross-policy shapes, under a salt
    (engine, profile, date, shapes, ontology): a change of any of these starts afresh."""

    def __init__(self, folder: Path, salt: str) -> None:
        import sqlite3

        path = folder / "findings.sqlite"
        self.salt = salt
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path)
            self.db.executescript(
                "CREATE TABLE IF NOT EXISTS version (graph TEXT PRIMARY KEY, hash TEXT, findings TEXT);"
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
            )
        except (OSError, sqlite3.Error) as err:  # a foreign or damaged file is left as it is
            raise InputFileError(
                path, f"not usable as a validation cache ({err}); choose another --cache folder"
            ) from None
        if self._meta("salt") != salt:
            with self.db:
                self.db.execute("DELETE FROM version")
                self.db.execute("DELETE FROM meta")
                self.db.execute("INSERT INTO meta VALUES ('salt', ?)", (salt,))

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def hashes(self) -> dict[str, str]:
        return {g: h for g, h in self.db.execute("SELECT graph, hash FROM version")}

    def hashes_of(self, graphs: list[str]) -> dict[str, str]:
        """The kept hashes of these versions only (a re-run after a small change)."""
        found: dict[str, str] = {}
        for graph in graphs:
            row = self.db.execute("SELECT hash FROM version WHERE graph = ?", (graph,)).fetchone()
            if row is not None:
                found[graph] = str(row[0])
        return found

    def size(self) -> int:
        """How many versions have kept findings."""
        return int(self.db.execute("SELECT COUNT(*) FROM version").fetchone()[0])

    def catalogue(self) -> str | None:
        return self._meta("catalogue")

    def counter(self, identity: str) -> int | None:
        """The store's write counter at the last run, if that run was on the same store
        (see OxigraphStore.changes_since)."""
        store, _, value = (self._meta("counter") or "").partition(":")
        return int(value) if store == identity and value.isdigit() else None

    def engine(self) -> str | None:
        """The compiled shapes of this salt (same shapes files), as JSON."""
        return self._meta("engine")

    def keep_engine(self, text: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('engine', ?)", (text,))

    def cross(self) -> list[Finding]:
        return [Finding(**f) for f in json.loads(self._meta("cross") or "[]")]

    def update(
        self,
        hashes: dict[str, str],
        local: list[Finding],
        removed: list[str],
        cross: list[Finding],
        catalogue: str,
        counter: str = "",
    ) -> None:
        """One transaction: a run that fails half-way leaves the previous findings."""
        by_graph: dict[str, list[Finding]] = defaultdict(list)
        for finding in local:
            by_graph[finding.policy].append(finding)
        rows = [(g, h, json.dumps([asdict(f) for f in by_graph.get(g, [])])) for g, h in hashes.items()]
        stray = [asdict(f) for g, fs in by_graph.items() if g not in hashes for f in fs]
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO version VALUES (?, ?, ?)", rows)
            self.db.executemany("DELETE FROM version WHERE graph = ?", [(g,) for g in removed])
            cross_rows = [asdict(f) for f in cross] + stray
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('cross', ?)", (json.dumps(cross_rows),))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('catalogue', ?)", (catalogue,))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('counter', ?)", (counter,))

    def findings(self) -> list[Finding]:
        found = self.cross()
        for (text,) in self.db.execute("SELECT findings FROM version"):
            found += [Finding(**f) for f in json.loads(text)]
        return sorted(found, key=Finding.sort_key)


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
    """The reference: one pyshacl run over the union of the store's graphs (slow; for tests,
    benchmarks and a second opinion with ``--engine pyshacl``)."""
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
    oxi = _as_oxigraph(store)
    found = _findings("", results, shapes)
    owners = _graphs_of(oxi, {f.focus for f in found}, None)
    findings = sorted(
        {replace(f, policy=p) for f in found for p in owners.get(f.focus, [""])}, key=Finding.sort_key
    )
    return ValidationReport(profile, as_of, findings, validated=len(store.graph_names()))


def results_graph(report: ValidationReport) -> Graph:
    """The findings as a SHACL validation report (sh:ValidationReport), for SHACL tooling."""
    graph = Graph()
    bind_prefixes(graph)
    top = BNode()
    graph.add((top, RDF.type, SH.ValidationReport))
    graph.add((top, SH.conforms, Literal(report.count_at_least("violation") == 0)))
    level = {name: iri for iri, name in _SEVERITY_OF.items()}
    for f in report.findings:
        node = BNode()
        graph.add((top, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, level[f.severity]))
        graph.add((node, SH.focusNode, _as_term(f.focus)))
        graph.add((node, SH.resultMessage, Literal(f.message)))
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
        return str(results_graph(report).serialize(format="turtle"))
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
                if f.value and f.value != f.focus:  # the offending term, e.g. a misspelt DPV IRI
                    lines.append(f"              value: {f.value}")
    if not report.findings:
        lines.append("no findings")
    return "\n".join(lines) + "\n"

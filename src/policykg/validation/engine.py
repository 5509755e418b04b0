"""The native engine: the shapes of one profile compiled to SPARQL (policykg.shacl) and run
inside an Oxigraph store, in threads. It returns solutions (rule, row); turning them into
findings of policy versions is the attribution step (:mod:`.attribute`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date
from typing import Protocol

from rdflib import BNode, Graph, URIRef
from rdflib.term import Identifier, Node

from ..errors import PolicyKGError
from ..shacl import Check, compile_shapes, focus_select, focus_values
from ..sparql_text import bind_analysis_date
from ..store import CATALOGUE_GRAPH, ONTOLOGY_GRAPH, SelectResult
from .shapes import article_of

SHARED_GRAPHS = (str(ONTOLOGY_GRAPH), str(CATALOGUE_GRAPH))
"""What every policy version's validation may read besides its own graph."""
ENGINE_VERSION = "policykg-shacl-sparql-3"
"""Part of the cache key: bump it when the engine's output for the same input changes."""


class SparqlSource(Protocol):
    """What the engine needs from a store: SELECT answers over the union of all graphs (None),
    or over the given graphs. An OxigraphStore, or a remote endpoint for full runs."""

    def solutions(self, sparql: str, graphs: list[str] | None = None) -> SelectResult: ...


@dataclass(frozen=True)
class Rule:
    """A compiled check with what its findings need from the shapes graph."""

    check: Check
    shape: str
    article: str


Solution = tuple[Rule, dict[str, Identifier]]
"""One row of a rule's query: the rule and the variables it bound (``this``, ``value``, ...)."""


class Engine:
    """The shapes of one profile, compiled to SPARQL once, run on an Oxigraph store."""

    def __init__(self, shapes: Graph | None = None) -> None:
        self.targets: dict[Node, str] = {}
        self.prologues: dict[Node, str] = {}
        self.rules: list[Rule] = []
        if shapes is not None:
            compiled = compile_shapes(shapes)
            self.targets, self.prologues = compiled.targets, compiled.prologues
            self.rules = [
                Rule(
                    c,
                    str(c.node_shape),
                    article_of(shapes, c.source_shape) or article_of(shapes, c.node_shape),
                )
                for c in compiled.checks
            ]

    def cross_policy_shapes(self) -> set[str]:
        return {r.shape for r in self.rules if r.check.cross_policy}

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
            engine.rules.append(Rule(Check(**raw), shape, article))
        return engine

    def solutions(
        self,
        store: SparqlSource,
        as_of: date,
        scope: list[URIRef] | None = None,
        cross_policy: bool | None = None,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        focus_nodes: list[str] | None = None,
        whole_store_selects: bool = True,
    ) -> list[Solution]:
        """The rows of the rules (all, or only those with ``pkg:crossPolicy`` = ``cross_policy``);
        with ``scope``, only for focus nodes that are subjects in those graphs; with
        ``focus_nodes``, only for those. The analysis date is bound in each query's text.
        ``whole_store_selects=False``: a full run reads a SHACL-SPARQL constraint's sh:select
        even where it has a ``pkg:wholeStoreSelect`` (for a store that answers only that form
        as SPARQL defines it: Virtuoso 7.2)."""
        rules = [r for r in self.rules if cross_policy is None or r.check.cross_policy == cross_policy]
        # Scoped (one changed version at a time): the query sees only that version's graph and
        # the shared ones (ontology, catalogue), so it stays small whatever plan Oxigraph picks;
        # the focus nodes are the subjects of that graph.
        tasks: list[tuple[Rule, str | None]] = [
            (rule, graph) for graph in ([str(g) for g in scope] if scope else [None]) for rule in rules
        ]

        focus: dict[tuple[Node, str], str] = {}
        for graph in [str(g) for g in scope or []]:
            for shape in {rule.check.node_shape for rule in rules}:
                focus[shape, graph] = self._focus_in(store, shape, graph)

        def evaluate(task: tuple[Rule, str | None]) -> list[Solution]:
            rule, graph = task
            shape = rule.check.node_shape
            if graph is None and focus_nodes is not None:
                query = rule.check.sparql(focus_select(self.targets[shape], focus_values(focus_nodes)))
            elif graph is None and not whole_store_selects and rule.check.component == "SPARQL":
                query = rule.check.sparql(focus_select(self.targets[shape]))
            elif graph is None:  # every focus node of the store: the checks' whole-store form
                query = rule.check.sparql(focus_select(self.targets[shape]), self.targets[shape])
            elif not focus[shape, graph]:
                return []
            else:
                query = rule.check.sparql(focus[shape, graph])
            dataset = [graph, *SHARED_GRAPHS] if graph else None
            try:
                rows = store.solutions(bind_analysis_date(query, as_of), dataset).records()
            except SyntaxError as err:
                raise PolicyKGError(
                    f"shape {rule.shape}: the compiled query is not valid SPARQL: {str(err).splitlines()[0]}"
                ) from None
            except PolicyKGError as err:  # e.g. a remote endpoint that refuses this shape's query
                raise PolicyKGError(f"shape {rule.shape}: {err}") from None
            return [(rule, row) for row in rows]

        # Heavy queries first: with the tasks in profile order, a long query that comes last runs
        # alone on one core while the other idles (the data profile's evidence-span rule, a fifth
        # of its work, is its last shape). The rows are returned in profile order all the same.
        order = sorted(range(len(tasks)), key=lambda i: _weight(tasks[i][0].check), reverse=True)
        batches: list[list[Solution]] = [[] for _ in tasks]
        with ThreadPoolExecutor(max_workers=jobs) as pool:  # Oxigraph releases the GIL in queries
            ordered = [tasks[i] for i in order]
            results = pool.map(evaluate, ordered) if jobs > 1 else map(evaluate, ordered)
            for done, (index, batch) in enumerate(zip(order, results, strict=True), start=1):
                batches[index] = batch
                if progress is not None:
                    progress(done, len(tasks))
        return [row for batch in batches for row in batch]

    def _focus_in(self, store: SparqlSource, shape: Node, graph: str) -> str:
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


def _weight(check: Check) -> int:
    """A rough rank of a check's cost over the whole store, for scheduling only: SPARQL
    constraints join several properties, counts group a whole path, the other components test
    one property's values (measured at 10,000 policies: 0.2-3.3 s, 0.1-1.9 s, 0.02-0.5 s)."""
    if check.component == "SPARQL":
        return 2
    return 1 if check.component == "Count" else 0


def _node_out(node: Node | None) -> list[str] | None:
    if node is None:
        return None
    return ["b" if isinstance(node, BNode) else "i", str(node)]


def _node_in(raw: list[str] | None) -> Node | None:
    if raw is None:
        return None
    return BNode(raw[1]) if raw[0] == "b" else URIRef(raw[1])

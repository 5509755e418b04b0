"""A SHACL engine that compiles shapes to SPARQL and runs them inside the Oxigraph store.

Why: pyshacl walks the data graph from Python, about 40 ms per policy version even with a
compiled validator; at 10,000 versions that is minutes. Every constraint the project's shapes use
can be stated as one SPARQL query over the whole store, which Oxigraph answers in Rust, in
parallel threads (pyoxigraph releases the GIL while it evaluates).

Semantics are those of a whole-graph SHACL run: the data graph is the union of the store's graphs
(policy versions, catalogue, ontology). Focus nodes come from the shape's targets; SHACL-SPARQL
constraints get ``$this`` by joining the focus nodes into the query's outer group, which equals
pre-binding for the queries accepted here (``$this`` outside sub-selects; grouped by ``$this``
when they aggregate). A focus set can be narrowed to the subjects of some named graphs: that is
how one changed policy version is re-validated.

Supported: targets (class, node, subjectsOf, objectsOf, SPARQL); property paths (IRI, sequence,
alternative, inverse, zero-or-more, one-or-more, zero-or-one); sh:class, sh:datatype, sh:nodeKind,
sh:in, sh:hasValue, sh:pattern, sh:minLength, sh:maxLength, the four range components,
sh:minCount, sh:maxCount, sh:and, sh:or, sh:not, sh:sparql (SELECT; ``$currentShape`` is bound to the
shape, so one constraint can serve several shapes). Anything else is refused
with the shape and the term named, rather than silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from .errors import PolicyKGError
from .namespaces import PKG, SH
from .sparql_scan import closing_bracket, counts_duplicates, masked_text, set_semantics

FOCUS = "#FOCUS#"
"""Placeholder in a compiled query for the focus-node sub-select."""
TARGET = "#TARGET#"
"""Placeholder in a check's whole-store form for the shape's target pattern as it is (a focus
node may come out more than once: the form counts it once)."""

SEVERITY_OF = {SH.Info: "info", SH.Warning: "warning", SH.Violation: "violation"}
"""SHACL's severities by the names findings use (the engine, the reference run, the reports)."""


def severity_name(level: Node | None) -> str:
    """A severity IRI as a finding's severity; SHACL's default (and anything else) is violation."""
    return SEVERITY_OF.get(level, "violation") if isinstance(level, URIRef) else "violation"


_CASTABLE = {
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.boolean,
    XSD.date,
    XSD.dateTime,
    XSD.time,
    XSD.duration,
}
"""Datatypes with a SPARQL cast in Oxigraph: a literal of one of them is well-formed when the cast
of its lexical form succeeds and equals it (so "2018-13-45"^^xsd:date is caught)."""
_COMPARISON: dict[Node, str] = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
_NODE_KIND: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_VALUE_COMPONENTS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.pattern,
    SH.minLength,
    SH.maxLength,
    *_COMPARISON,
}
_SHAPE_BOOKKEEPING = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.deactivated,
    SH.path,
    SH.property,
    SH.sparql,
    SH.flags,
    SH.declare,
    SH.prefixes,
    PKG.checksArticle,
    PKG.crossPolicy,
    PKG.relatedBy,
}


class ShapeError(PolicyKGError):
    """A shape uses something this engine does not evaluate (or is malformed)."""

    def __init__(self, shape: Node, problem: str) -> None:
        super().__init__(f"shape {_name(shape)}: {problem}")


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as a SPARQL SELECT over the store.

    The query returns ``?this`` and, where the constraint has them, ``?value``, ``?path`` and
    variables that fill the message's ``{?name}`` placeholders."""

    node_shape: Node
    source_shape: Node
    component: str
    severity: str
    messages: tuple[str, ...]
    path: Node | None
    query: str
    value_is_focus: bool
    cross_policy: bool
    related_by: str | None = None
    """For a cross-policy shape: the property whose shared values make versions related (e.g.
    pkg:vendor); a change to one version then re-validates only its related versions."""
    scan: str | None = None
    """The same check written for a run over the whole store (None: ``query`` serves both runs).
    ``query`` reaches each focus node's values by index lookups, one or more per focus node: the
    right plan for a few focus nodes (one changed version), but at about 10 µs per lookup on disk
    it was 90% of a full run (13 evidence constraints x 230,000 evidence nodes at 10,000
    policies). ``scan`` reads the path's triples in one pass per step (see :func:`_scan`): a count
    groups them with the shape's targets (placeholder ``TARGET``), a value constraint tests them
    first and joins only the values that fail with the focus nodes."""

    def sparql(self, focus: str, target: str | None = None) -> str:
        """The query with its focus nodes. With ``target`` (the shape's target pattern), the
        focus nodes are every target of the shape in the store (a full run), and the ``scan``
        form is used where there is one."""
        if target is None or self.scan is None:
            return self.query.replace(FOCUS, focus)
        return self.scan.replace(TARGET, target).replace(FOCUS, focus)


@dataclass
class CompiledShapes:
    checks: list[Check]
    targets: dict[Node, str] = field(default_factory=dict)
    """The focus-node pattern (binds ``?this``) of each node shape."""
    prologues: dict[Node, str] = field(default_factory=dict)
    """The PREFIX lines each node shape's queries (and its target pattern) need."""


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Every active node shape (and its property shapes) as a list of SPARQL checks."""
    compiled = CompiledShapes(checks=[])
    for shape in sorted(_node_shapes(shapes), key=str):
        if _is_true(shapes.value(shape, SH.deactivated)):
            continue
        target = _target_pattern(shapes, shape)
        if target is None:
            continue  # no target: only used from sh:or/sh:and/sh:not or sh:node
        compiled.targets[shape] = target
        compiled.prologues[shape] = _prologue(shapes, shape)
        compiled.checks += list(_shape_checks(shapes, shape, compiled.prologues[shape]))
    return compiled


def _node_shapes(shapes: Graph) -> set[Node]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape))
    for prop in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        found |= {s for s in shapes.subjects(prop, None) if shapes.value(s, SH.path) is None}
    return found


def _shape_checks(shapes: Graph, shape: Node, prologue: str) -> Iterator[Check]:
    cross = _is_true(shapes.value(shape, PKG.crossPolicy))
    related = shapes.value(shape, PKG.relatedBy)
    base = _Base(shapes, shape, prologue, cross, str(related) if isinstance(related, URIRef) else None)
    _refuse_unknown(shapes, shape, allowed=_SHAPE_BOOKKEEPING | _VALUE_COMPONENTS | _LOGICAL | {SH.hasValue})
    yield from base.value_checks(shape, None)
    yield from base.logical_checks(shape)
    for prop in sorted(shapes.objects(shape, SH.property), key=str):
        if _is_true(shapes.value(prop, SH.deactivated)):
            continue
        _refuse_unknown(
            shapes,
            prop,
            allowed=_SHAPE_BOOKKEEPING | _VALUE_COMPONENTS | {SH.minCount, SH.maxCount, SH.hasValue},
        )
        path = shapes.value(prop, SH.path)
        if path is None:
            raise ShapeError(prop, "a property shape needs sh:path")
        yield from base.property_checks(prop, path)
    for constraint in sorted(shapes.objects(shape, SH.sparql), key=str):
        yield base.sparql_check(shape, constraint)


_LOGICAL = {SH["and"], SH["or"], SH["not"]}


@dataclass
class _Base:
    shapes: Graph
    node_shape: Node
    prologue: str
    cross: bool
    related_by: str | None

    def _check(
        self,
        source: Node,
        component: str,
        path: Node | None,
        where: str,
        value_is_focus: bool,
        select: str = "DISTINCT ?this ?value",
        tail: str = "",
        scan: str | None = None,
    ) -> Check:
        return Check(
            scan=scan,
            node_shape=self.node_shape,
            source_shape=source,
            component=component,
            severity=_severity(self.shapes, source),
            messages=_messages(self.shapes, source),
            path=path,
            query=self._query(select, where, tail),
            value_is_focus=value_is_focus,
            cross_policy=self.cross,
            related_by=self.related_by,
        )

    def _query(self, select: str, where: str, tail: str = "") -> str:
        """A check's SELECT: the focus nodes (placeholder) joined first, then ``where``."""
        return f"{self.prologue}SELECT {select} WHERE {{ {FOCUS} {where} }} {tail}"

    def value_checks(self, source: Node, path: Node | None) -> Iterator[Check]:
        """The values (``?value``) that break a value component: sh:class in one query (a hash
        join), every other component of the shape in one more (their findings are the same:
        the shape's message for that value)."""
        reach = "BIND (?this AS ?value)" if path is None else f"?this {_path(self.shapes, path)} ?value ."
        tests, names = [], []
        for component in sorted(_VALUE_COMPONENTS, key=str):
            for parameter in self.shapes.objects(source, component):
                if component == SH["class"]:
                    # MINUS is one hash join in Oxigraph; FILTER NOT EXISTS is a lookup per value
                    where = f"{reach} MINUS {{ {_instance_of('?value', _term(parameter))} }}"
                    yield self._check(source, "Class", path, where, value_is_focus=path is None)
                else:
                    tests.append(f"({_bad_value(self.shapes, source, component, parameter, '?value')})")
                    names.append(_local(component))
        if tests:
            broken = " || ".join(tests)
            where = f"{reach} FILTER ({broken})"
            # the whole-store form: the broken values found in one pass over the path's last step
            # (nearly always none), then their focus nodes
            scan = (
                f"{{ SELECT ?this ?value WHERE {{ {_scan(self.shapes, path, broken)} }} }}"
                if path is not None and _scannable(self.shapes, path)
                else None
            )
            which = ""
            if len(tests) > 1:  # which component the value breaks, for sh:sourceConstraintComponent
                which = '"' + names[-1] + '"'
                for test, name in reversed(list(zip(tests[:-1], names[:-1], strict=True))):
                    which = f'IF({test}, "{name}", {which})'
                which = f" BIND ({which} AS ?component)"
            select = "DISTINCT ?this ?value ?component" if len(tests) > 1 else "DISTINCT ?this ?value"
            yield self._check(
                source,
                "+".join(names),
                path,
                where + which,
                path is None,
                select,
                scan=None if scan is None else self._query(select, scan + which),
            )

    def property_checks(self, prop: Node, path: Node) -> Iterator[Check]:
        sparql_path = _path(self.shapes, path)
        yield from self.value_checks(prop, path)
        limits = [
            (op, _int(prop, limit))
            for component, op in ((SH.minCount, "<"), (SH.maxCount, ">"))
            for limit in self.shapes.objects(prop, component)
        ]
        if limits:  # min and max count in one pass over the focus nodes
            bounds = [f"COUNT(DISTINCT ?v) {op} {limit}" for op, limit in limits]
            having = f"GROUP BY ?this HAVING ({' || '.join(bounds)})"
            where = f"OPTIONAL {{ ?this {sparql_path} ?v }}"
            # the whole-store form: the focus nodes and the path's pairs in one grouped pass, no
            # join (a focus node without values is counted 0; 2.3x faster than joining the
            # counts to the focus nodes at 10,000 policies)
            counted = [f"?_count {op} {limit}" for op, limit in limits]
            branches = f"{{ {TARGET} BIND (true AS ?_focus) }} UNION {{ {_scan(self.shapes, path)} }}"
            counts = (
                f"SELECT ?this (COUNT(?_focus) AS ?_target) (COUNT(DISTINCT ?value) AS ?_count) "
                f"WHERE {{ {branches} }} GROUP BY ?this"
            )
            scan = f"{{ {counts} }} FILTER (?_target > 0 && ({' || '.join(counted)}))"
            if all(limit <= 1 for op, limit in limits if op == "<"):
                # COUNT(DISTINCT) keeps a set of values per focus node (0.1-0.25 s per count of
                # 235,000 evidence nodes); duplicates are rare but real (Oxigraph's union default
                # graph is a multiset: a triple in two graphs is two rows). So the pass counts rows,
                # and only the focus nodes whose rows break a bound have their distinct values
                # counted, by lookups. Exact: n distinct values come in n or more rows, and none in
                # none (so a minCount of 0 or 1 is decided by the rows alone)
                rows = [f"?_rows {op} {limit}" for op, limit in limits]
                pass_of_rows = (
                    f"SELECT ?this (COUNT(?_focus) AS ?_target) (COUNT(?value) AS ?_rows) "
                    f"WHERE {{ {branches} }} GROUP BY ?this"
                )
                candidates = (
                    f"SELECT ?this WHERE {{ {{ {pass_of_rows} }} "
                    f"FILTER (?_target > 0 && ({' || '.join(rows)})) }}"
                )
                counts = (
                    f"SELECT ?this (COUNT(DISTINCT ?_v) AS ?_count) WHERE {{ {{ {candidates} }} "
                    f"OPTIONAL {{ ?this {sparql_path} ?_v }} }} GROUP BY ?this"
                )
                scan = f"{{ {counts} }} FILTER ({' || '.join(counted)})"
            # which bound is broken, for sh:sourceConstraintComponent
            which = f'(IF({bounds[0]}, "MinCount", "MaxCount") AS ?component)'
            scan_which = f'(IF({counted[0]}, "MinCount", "MaxCount") AS ?component)'
            if not any(True for _ in self.shapes.objects(prop, SH.minCount)):
                which = scan_which = '("MaxCount" AS ?component)'
            scan_query = (
                f"{self.prologue}SELECT ?this {scan_which} WHERE {{ {scan} }}"
                if _scannable(self.shapes, path)
                else None
            )
            yield self._check(prop, "Count", path, where, False, f"?this {which}", having, scan_query)
        for value in self.shapes.objects(prop, SH.hasValue):
            # OPTIONAL + !BOUND: Oxigraph runs FILTER NOT EXISTS as a scan per focus node
            found = f"OPTIONAL {{ ?this {sparql_path} {_term(value)} . BIND (true AS ?found) }}"
            where = f"{found} FILTER (!BOUND(?found))"
            yield self._check(prop, "HasValue", path, where, False, "DISTINCT ?this")

    def logical_checks(self, shape: Node) -> Iterator[Check]:
        for component in sorted(_LOGICAL, key=str):
            for parameter in self.shapes.objects(shape, component):
                counter = [0]
                conforms = _conforms(self.shapes, shape, component, parameter, "?this", counter)
                where = f"FILTER (!({conforms}))"
                yield self._check(shape, _local(component), None, where, True, "DISTINCT ?this")

    def sparql_check(self, shape: Node, constraint: Node) -> Check:
        select = self.shapes.value(constraint, SH.select)
        if not isinstance(select, Literal):
            raise ShapeError(shape, "a SPARQL constraint needs sh:select (sh:ask is not supported)")
        query = self._select_with_focus(shape, str(select))
        # the same constraint written for a run over the whole store (pkg:wholeStoreSelect): the
        # form Oxigraph evaluates fastest over every focus node (hash joins of whole scans) is
        # often slow for a few focus nodes and, for pyshacl, quadratic; sh:select keeps the form
        # that starts from $this (a re-validation, other SHACL engines)
        whole = self.shapes.value(constraint, PKG.wholeStoreSelect)
        if whole is not None and not isinstance(whole, Literal):
            raise ShapeError(shape, "pkg:wholeStoreSelect must be a SELECT query (a literal)")
        scan = None if whole is None else self._select_with_focus(shape, str(whole))
        messages = _messages(self.shapes, constraint) or _messages(self.shapes, shape)
        return Check(
            scan=scan,
            node_shape=self.node_shape,
            source_shape=shape,
            component="SPARQL",
            severity=_severity(self.shapes, shape),
            messages=messages,
            path=None,
            query=query,
            value_is_focus=True,
            cross_policy=self.cross,
            related_by=self.related_by,
        )

    def _select_with_focus(self, shape: Node, text: str) -> str:
        """A SHACL-SPARQL SELECT as a check's query: checked to be one the focus nodes can be
        joined into (:func:`_refuse_unbatchable`), counting over the union as a set, with the
        focus-node placeholder at the start of its outer group."""
        # $currentShape is pre-bound to the shape: one constraint can serve several shapes
        if isinstance(shape, URIRef):
            text = re.sub(r"[?$]currentShape\b", lambda _m: f"<{shape}>", text)
        _refuse_unbatchable(shape, text)
        rewritten = set_semantics(text, shape_constraint=True)  # COUNT over the union as a set
        if rewritten == text and counts_duplicates(text):
            raise ShapeError(
                shape,
                "COUNT/SUM/AVG/GROUP_CONCAT without DISTINCT over a group with UNION, a sub-select, VALUES, "
                "a blank node or a sequence path: the built-in engine cannot count each triple once "
                "(add DISTINCT, or try --engine pyshacl)",
            )
        text = _unbound_this_left_out(rewritten)
        brace = _outer_brace(shape, text)
        return f"{self.prologue}{text[: brace + 1]} {FOCUS} {text[brace + 1 :]}"


def _scan(shapes: Graph, path: Node, broken: str | None = None) -> str:
    """A pattern binding ``?this`` and ``?value`` to every pair the path links in the store,
    written so that the store reads each step's triples in one pass (the whole-store form of a
    check, :attr:`Check.scan`).

    Oxigraph's planner looks up the next triple pattern once per row of what it has bound so
    far, but joins two sub-selects by hashing: so the steps of a sequence path are sub-selects of
    their own, and a count reads every pair in a few passes (3x faster than a lookup per evidence
    node at 1,000 policies). With ``broken`` (a test of ``?value``), only the values that break
    it are wanted: the last step is read and tested first, and the path is walked back from the
    few values left by lookups, so that a clean store costs one pass over one property."""
    steps = list(Collection(shapes, path)) if (path, RDF.first, None) in shapes else [path]
    hops = ["?this", *(f"?_s{n}" for n in range(1, len(steps))), "?value"]
    links = [(hops[n], _path(shapes, step), hops[n + 1]) for n, step in enumerate(steps)]
    if broken is not None:
        first, *back = reversed(links)
        return f"{' '.join(first)} FILTER ({broken}) " + " ".join(f"{s} {p} {o} ." for s, p, o in back)
    if len(links) == 1:
        return "{} {} {}".format(*links[0])
    # last step first: Oxigraph then reads the path's last property (e.g. 235,000 oa:start) as the
    # side that probes and hashes the first (471,000 oa:hasSelector): 1.7 -> 1.3 s per count of a
    # selector's value at 10,000 policies
    return " ".join(f"{{ SELECT {s} {o} WHERE {{ {s} {p} {o} }} }}" for s, p, o in reversed(links))


def _scannable(shapes: Graph, path: Node) -> bool:
    """Whether a path can be read whole from the store: not with a zero-length step (``*``,
    ``?``: with both ends open they match every term of the store with itself) or ``+`` (the
    closure of every chain of the property), which stay lookups from each focus node."""
    if isinstance(path, URIRef):
        return True
    if (path, RDF.first, None) in shapes:
        return all(_scannable(shapes, step) for step in Collection(shapes, path))
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return _scannable(shapes, inverse)
    alternatives = shapes.value(path, SH.alternativePath)
    return alternatives is not None and all(_scannable(shapes, p) for p in Collection(shapes, alternatives))


def _instance_of(v: str, cls: str) -> str:
    """A pattern matching when ``v`` is an instance of ``cls`` (rdf:type/rdfs:subClassOf*),
    written as type-or-subclass+ because Virtuoso 7.2 misses the zero-length step of
    ``subClassOf*`` when both ends are bound (a value typed exactly ``cls``)."""
    return f"{{ {v} rdf:type {cls} }} UNION {{ {v} rdf:type/rdfs:subClassOf+ {cls} }}"


def _bad_value(shapes: Graph, shape: Node, component: Node, parameter: Node, v: str) -> str:
    """A SPARQL expression true when value ``v`` breaks ``component`` with ``parameter``."""
    if component == SH["class"]:
        return f"NOT EXISTS {{ {_instance_of(v, _term(parameter))} }}"
    if component == SH.datatype:
        of_type = f"isLiteral({v}) && sameTerm(datatype({v}), {_term(parameter)})"
        if parameter not in _CASTABLE:
            return f"!({of_type})"
        cast = f"{_term(parameter)}(STR({v}))"
        # a well-formed literal of the datatype: of the type, and the cast of its lexical form
        # equals it. Asked first in a cheaper way that implies it, the cast being the very same
        # term (Oxigraph stores these by value, so "007"^^xsd:integer is 7): datatype() costs
        # Oxigraph about 2 µs a value (0.45 s per constraint over 235,000 offsets), and where the
        # cheap test fails (a bad value, or Virtuoso, whose casts are not the stored terms) the
        # full test decides
        return f"!(COALESCE(sameTerm({cast}, {v}), false) || ({of_type} && COALESCE({cast} = {v}, false)))"
    if component == SH.nodeKind:
        if parameter not in _NODE_KIND:
            raise ShapeError(shape, f"unknown sh:nodeKind {parameter}")
        return "!" + _NODE_KIND[parameter].format(v=v)
    if component == SH["in"]:
        members = list(Collection(shapes, parameter))
        if members and all(isinstance(m, URIRef) for m in members):
            # for IRIs '=' is sameTerm; Virtuoso 7.2 drops rows on a disjunction of sameTerm after
            # a subquery, but evaluates NOT IN as the standard says
            return f"{v} NOT IN ({', '.join(_term(m) for m in members)})"
        return "!(" + (" || ".join(f"sameTerm({v}, {_term(m)})" for m in members) or "false") + ")"
    if component == SH.pattern:
        flags = shapes.value(shape, SH.flags)
        extra = f", {_term(Literal(str(flags)))}" if flags is not None else ""
        return f"(isBlank({v}) || !REGEX(STR({v}), {_term(Literal(str(parameter)))}{extra}))"
    if component in (SH.minLength, SH.maxLength):
        op = "<" if component == SH.minLength else ">"
        return f"(isBlank({v}) || STRLEN(STR({v})) {op} {_int(shape, parameter)})"
    op = _COMPARISON[component]
    return f"!COALESCE({v} {op} {_term(parameter)}, false)"


def _conforms(shapes: Graph, owner: Node, component: Node, parameter: Node, v: str, n: list[int]) -> str:
    """A SPARQL expression true when ``v`` conforms to sh:and / sh:or / sh:not of inline shapes."""
    if component == SH["not"]:
        return f"!({_shape_conforms(shapes, parameter, v, n)})"
    members = list(Collection(shapes, parameter))
    joiner = " && " if component == SH["and"] else " || "
    parts = [f"({_shape_conforms(shapes, member, v, n)})" for member in members]
    return joiner.join(parts) or ("true" if component == SH["and"] else "false")


def _shape_conforms(shapes: Graph, shape: Node, v: str, n: list[int]) -> str:
    n[0] += 1
    tests: list[str] = []
    path = shapes.value(shape, SH.path)
    reach = None if path is None else f"{v} {_path(shapes, path)} ?_v{n[0]}"
    value = f"?_v{n[0]}" if reach else v
    for predicate, parameter in shapes.predicate_objects(shape):
        if predicate in _VALUE_COMPONENTS:
            bad = _bad_value(shapes, shape, predicate, parameter, value)
            tests.append(f"NOT EXISTS {{ {reach} FILTER ({bad}) }}" if reach else f"!({bad})")
        elif predicate in _LOGICAL:
            if reach:
                raise ShapeError(shape, f"{_local(predicate)} under a property shape inside a logical shape")
            tests.append(_conforms(shapes, shape, predicate, parameter, v, n))
        elif predicate == SH.hasValue and reach:
            tests.append(f"EXISTS {{ {v} {_path(shapes, path)} {_term(parameter)} }}")  # type: ignore[arg-type]
        elif predicate == SH.minCount and reach and _int(shape, parameter) <= 1:
            tests.append(f"EXISTS {{ {reach} }}" if _int(shape, parameter) == 1 else "true")
        elif predicate == SH.maxCount and reach and _int(shape, parameter) == 0:
            tests.append(f"NOT EXISTS {{ {reach} }}")
        elif predicate not in _SHAPE_BOOKKEEPING:
            raise ShapeError(shape, f"{_local(predicate)} is not supported inside sh:and/sh:or/sh:not")
    return " && ".join(tests) or "true"


def _refuse_unknown(shapes: Graph, shape: Node, allowed: set[Node]) -> None:
    for predicate in set(shapes.predicates(shape, None)):
        if str(predicate).startswith(str(SH)) and predicate not in allowed:
            name = str(predicate)[len(str(SH)) :]
            raise ShapeError(
                shape, f"sh:{name} is not supported by the built-in engine (try --engine pyshacl)"
            )


def _refuse_unbatchable(shape: Node, text: str) -> None:
    """Joining the focus nodes in equals pre-binding ``$this`` only for queries of this form."""
    if "$PATH" in text or "$currentShape" in text or "$shapesGraph" in text:
        raise ShapeError(shape, "$PATH, $shapesGraph and a blank shape's $currentShape are not supported")
    _refuse_unbatchable_sub_selects(shape, text)
    if re.search(r"\b(LIMIT|OFFSET)\s+\d+\s*$", text, re.IGNORECASE):
        raise ShapeError(shape, "LIMIT/OFFSET would apply to all focus nodes at once (use SELECT DISTINCT)")
    _refuse_nested_this(shape, text)
    masked = masked_text(text)
    after = masked[_closing(masked, _outer_brace(shape, masked)) :]  # the query's own modifiers
    group = re.search(r"\bGROUP\s+BY\b(.*?)(\bHAVING\b|\bORDER\b|\bLIMIT\b|$)", after, re.IGNORECASE | re.S)
    if group and not re.search(r"[?$]this\b", group.group(1)):
        raise ShapeError(shape, "a query that aggregates must GROUP BY $this")


_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)


def _refuse_unbatchable_sub_selects(shape: Node, text: str) -> None:
    """Every sub-select must return ``$this``, as SHACL requires of sub-queries (5.6.1,
    pre-bound variables; pyshacl enforces it too), and neither cut its rows (LIMIT/OFFSET) nor
    aggregate over more than one focus node (GROUP BY without ``$this``). Then joining the focus
    node in restricts the sub-select's rows exactly as pre-binding would: a sub-select that binds
    ``$this`` gives that node's rows, one that leaves it unbound is compatible with every node.
    Sub-selects are how a constraint asks Oxigraph for a hash join of whole scans instead of a
    lookup per focus node (see EvidenceSpanShape in shapes/data-quality.ttl)."""
    masked = masked_text(text)
    for match in list(_SELECT.finditer(masked))[1:]:  # the first SELECT is the query's own
        sub = masked[match.start() : _closing(masked, masked.rfind("{", 0, match.start()))]
        projection = re.split(r"\bWHERE\b|\{", sub, maxsplit=1, flags=re.IGNORECASE)[0]
        if not _THIS.search(projection):
            raise ShapeError(shape, "a sub-select must return $this (SELECT $this ...), as SHACL requires")
        if re.search(r"\b(LIMIT|OFFSET)\b", sub, re.IGNORECASE):
            raise ShapeError(shape, "LIMIT/OFFSET in a sub-select would apply to all focus nodes at once")
        group = re.search(r"\bGROUP\s+BY\b(.*?)(\bHAVING\b|\bORDER\b|$)", sub, re.IGNORECASE | re.S)
        if group and not _THIS.search(group.group(1)):
            raise ShapeError(shape, "a sub-select that aggregates must GROUP BY $this")


def _unbound_this_left_out(text: str) -> str:
    """The query with ``$this`` left out of the projection of each sub-select that does not bind
    it. SHACL has every sub-select return ``$this``; where the sub-select's own pattern does not
    mention it, it is unbound in every row, and a SPARQL join treats an unbound variable as
    compatible with any value: the same rows without it. Virtuoso 7.2 instead joins it like SQL's
    NULL, which matches nothing (evidence looked for and not found, spans never compared), so
    the engine sends every store the form without it. Innermost sub-selects first, as an outer
    one mentions ``$this`` through what an inner one returns."""
    while True:
        masked = masked_text(text)
        for match in reversed(list(_SELECT.finditer(masked))[1:]):
            sub = masked[match.start() : _closing(masked, masked.rfind("{", 0, match.start()))]
            projection = re.split(r"\bWHERE\b|\{", sub, maxsplit=1, flags=re.IGNORECASE)[0]
            this = _THIS.search(projection)
            if this and not _THIS.search(sub[len(projection) :]):
                cut = match.start() + this.start()
                text = text[:cut] + text[cut + len(this.group(0)) :]
                break
        else:
            return text


def _closing(masked: str, opening: int) -> int:
    """Where the group opened at ``opening`` closes (the end of the text if it does not)."""
    closing = closing_bracket(masked, opening)
    return len(masked) if closing < 0 else closing


_BINDING_FLOWS_IN = re.compile(r"\b(EXISTS|OPTIONAL)\s*$", re.IGNORECASE)
_THIS = re.compile(r"[?$]this\b")


def _refuse_nested_this(shape: Node, text: str) -> None:
    """The focus nodes are joined in at the start of the outer group. The groups of (NOT) EXISTS
    and OPTIONAL see that binding, as with SHACL's pre-binding; a plain nested group (a ``{ }``, a
    UNION branch, GRAPH, MINUS) is evaluated on its own, so it must bind ``$this`` itself, in one
    of its own triple patterns. Otherwise a FILTER there sees ``$this`` unbound and the engine
    would find nothing where pyshacl and Jena pre-bind it: such a query is refused."""
    masked = masked_text(text)
    opened: list[int] = []
    groups: dict[int, int] = {}  # opening brace -> closing brace
    for index, char in enumerate(masked):
        if char == "{":
            opened.append(index)
        elif char == "}" and opened:
            groups[opened.pop()] = index
    for match in _THIS.finditer(masked):
        around = sorted(o for o, c in groups.items() if o < match.start() < c)
        plain = [o for o in around[1:] if not _BINDING_FLOWS_IN.search(masked[:o])]
        if plain and not _THIS.search(_own_level(masked[plain[-1] + 1 : groups[plain[-1]]])):
            raise ShapeError(
                shape,
                "$this is used in a nested group that does not bind it in its own triple patterns "
                "(the built-in engine cannot pre-bind it there): bind it in that group or move the "
                "test to the outer group, or try --engine pyshacl",
            )


def _own_level(group: str) -> str:
    """A group's text without its nested groups and parenthesised expressions: its triples."""
    previous = None
    while previous != group:
        previous = group
        group = re.sub(r"\{[^{}]*\}|\([^()]*\)", " ", group)
    return group


def _outer_brace(shape: Node, text: str) -> int:
    """Where the query's outer group opens (after SELECT ... [WHERE])."""
    in_comment = False
    for index, char in enumerate(text):
        if char == "#":
            in_comment = True
        elif char == "\n":
            in_comment = False
        elif char == "{" and not in_comment:
            return index
    raise ShapeError(shape, "sh:select has no WHERE group")


def _target_pattern(shapes: Graph, shape: Node) -> str | None:
    """A group pattern that binds ``?this`` to the shape's focus nodes (None: no target)."""
    parts = [f"?this rdf:type/rdfs:subClassOf* {_term(c)} ." for c in shapes.objects(shape, SH.targetClass)]
    nodes = list(shapes.objects(shape, SH.targetNode))
    if nodes:
        parts.append("VALUES ?this { " + " ".join(_term(n) for n in nodes) + " }")
    parts += [f"?this {_term(p)} ?_t ." for p in shapes.objects(shape, SH.targetSubjectsOf)]
    parts += [f"?_t {_term(p)} ?this ." for p in shapes.objects(shape, SH.targetObjectsOf)]
    for target in shapes.objects(shape, SH.target):
        select = shapes.value(target, SH.select)
        if not isinstance(select, Literal):
            raise ShapeError(shape, "sh:target is supported as a SPARQL target (sh:select) only")
        parts.append(f"{{ {select} }}")
    if not parts:
        return None
    return " UNION ".join(f"{{ {p} }}" for p in parts)


def focus_select(target: str, scope: str = "") -> str:
    """The focus nodes as a sub-select; ``scope`` narrows them (e.g. to subjects of one graph)."""
    return f"{{ SELECT DISTINCT ?this WHERE {{ {scope} {target} }} }}"


def focus_values(nodes: list[str]) -> str:
    """Known focus nodes (IRIs) as an inline table, in place of the target pattern."""
    return "VALUES ?this { " + " ".join(f"<{n}>" for n in nodes) + " }"


def _prologue(shapes: Graph, shape: Node) -> str:
    declared = {"rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD)}
    for constraint in [*shapes.objects(shape, SH.sparql), *shapes.objects(shape, SH.target)]:
        declared |= _declarations(shapes, constraint)
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))


def _declarations(shapes: Graph, constraint: Node) -> dict[str, str]:
    found: dict[str, str] = {}
    for source in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(source, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                found[str(prefix)] = str(namespace)
    return found


def _path(shapes: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return _term(path)
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(_path(shapes, p) for p in Collection(shapes, path)) + ")"
    for predicate, template in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return template.format(_path(shapes, inner))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    raise ShapeError(path, "unsupported property path")


def _term(node: Node) -> str:
    if isinstance(node, (URIRef, Literal)):
        return str(node.n3())
    raise ShapeError(node, "a blank node cannot be a constraint parameter")


def _int(shape: Node, value: Node) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise ShapeError(shape, f"expected an integer, got {str(value)!r}") from None


def _severity(shapes: Graph, shape: Node) -> str:
    level = shapes.value(shape, SH.severity)
    return severity_name(level)


def _messages(shapes: Graph, shape: Node) -> tuple[str, ...]:
    return tuple(sorted(str(m) for m in shapes.objects(shape, SH.message)))


def _is_true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _local(term: Node) -> str:
    text = str(term)
    return text[len(str(SH)) :][:1].upper() + text[len(str(SH)) + 1 :] if text.startswith(str(SH)) else text


def _name(shape: Node) -> str:
    return (
        f"<{shape}>"
        if isinstance(shape, URIRef)
        else f"[{shape}]"
        if isinstance(shape, BNode)
        else str(shape)
    )

"""Class-hierarchy paths (``rdfs:subClassOf*`` and ``+``) spelt out for a remote endpoint.

Why: the shapes reach a class's narrower classes with property paths, and Virtuoso 7.2 evaluates
those wrongly or not at all: with both ends bound it misses chains (sh:class findings that are not
there), and between two variables inside EXISTS it refuses the query ("transitive start not
given"). The class hierarchy is small (under a thousand pairs for DPV's module and the project's
ontology), so a remote run reads the endpoint's own ``rdfs:subClassOf`` triples once, closes them
in Python, and writes each path as plain SPARQL every engine evaluates the same way:

- one end a constant: ``VALUES ?x { ... }`` with the constant's narrower (or broader) classes;
- both ends variables: ``FILTER (sameTerm(?a, ?b) || CONCAT(STR(?a), " ", STR(?b)) IN (...))``,
  which holds where the shapes use such a path (both ends bound by the rest of the group, by the
  outer query of an EXISTS, or by the outer side of an OPTIONAL);
- ``rdf:type/rdfs:subClassOf*`` (targets, sh:class): ``rdf:type`` into a fresh variable, then
  the above.

A pattern in any other form (in a predicate-object list, longer paths) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib.namespace import RDF, RDFS

from ..sparql_scan import masked_text

_TERM = r"(?:[?$]\w+|<[^<>\s]*>|(?:[A-Za-z][\w-]*)?:(?:[\w.-]*[\w-])?)"
_PATH = re.compile(
    rf"(?P<subject>{_TERM})\s+(?P<type>(?:a|rdf:type|<{RDF.type}>)/)?"
    rf"(?:rdfs:subClassOf|<{RDFS.subClassOf}>)(?P<closure>[*+])\s+(?P<object>{_TERM})"
)
_PREFIX = re.compile(r"PREFIX\s+([\w.-]*):\s*<([^<>\s]*)>", re.IGNORECASE)


@dataclass(frozen=True)
class ClassHierarchy:
    """The broader classes of each class, closed transitively (strict: a class is not its own)."""

    broader: dict[str, frozenset[str]]

    @classmethod
    def from_edges(cls, edges: Iterable[tuple[str, str]]) -> ClassHierarchy:
        direct: dict[str, set[str]] = {}
        for narrow, broad in edges:
            direct.setdefault(narrow, set()).add(broad)
        closed: dict[str, frozenset[str]] = {}
        for start in direct:
            seen: set[str] = set()
            todo = list(direct[start])
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(direct.get(node, ()))
            closed[start] = frozenset(seen)
        return cls(closed)

    def pairs(self) -> list[tuple[str, str]]:
        return sorted((narrow, broad) for narrow, broads in self.broader.items() for broad in broads)

    def narrower(self, iri: str) -> list[str]:
        return sorted(narrow for narrow, broads in self.broader.items() if iri in broads)

    def broader_of(self, iri: str) -> list[str]:
        return sorted(self.broader.get(iri, ()))


def expand_class_paths(query: str, hierarchy: ClassHierarchy) -> str:
    """``query`` with every class-hierarchy path in a supported position written without paths."""
    prefixes = {name: iri for name, iri in _PREFIX.findall(query)}
    masked = masked_text(query, keep_iris=True)
    pieces: list[str] = []
    done = 0
    fresh = 0
    for match in _PATH.finditer(masked):
        if match.start() < done or not _stands_alone(masked, match.start(), match.end()):
            continue
        subject, obj = match.group("subject"), match.group("object")
        lead = ""
        if match.group("type"):
            fresh += 1
            kind = f"?_pkg_class{fresh}"
            lead, subject = f"{subject} <{RDF.type}> {kind} . ", kind
        condition = _condition(subject, obj, match.group("closure") == "+", hierarchy, prefixes)
        if condition is None:
            continue
        start, end = match.start(), match.end()
        exists = _EXISTS_BEFORE.search(masked, 0, start) if not lead else None
        closing = _GROUP_END.match(masked, end)
        if exists is not None and exists.end() == start and closing is not None:
            # the path is the whole of an EXISTS: the condition replaces it (Virtuoso cannot take
            # VALUES or FILTER on the outer query's variables inside EXISTS)
            negated = bool(exists.group("not"))
            start, end = exists.start(), closing.end()
            written = f"{'!' if negated else ''}({condition})"
        elif _is_var(subject) == _is_var(obj) or _bound_elsewhere(masked, match, subject, obj):
            written = f"{lead}FILTER ({condition})"  # two variables, two constants, or a bound one
        else:
            written = lead + _values(subject, obj, match.group("closure") == "+", hierarchy, prefixes)
        pieces += [query[done:start], written]
        done = end
    return "".join(pieces) + query[done:]


_EXISTS_BEFORE = re.compile(r"(?:(?P<not>\bNOT\s+)|\b)EXISTS\s*\{\s*$", re.IGNORECASE)
_GROUP_END = re.compile(r"\s*\.?\s*\}")


def _stands_alone(masked: str, start: int, end: int) -> bool:
    """A whole triple pattern: after a group's start, a dot or a closed group, and followed by
    a dot or the group's end (not a predicate-object list or a longer path)."""
    before = masked[:start].rstrip()
    after = masked[end:].lstrip()
    return (not before or before[-1] in "{.}") and (not after or after[0] in ".}" or after[0].isalpha())


def _bound_elsewhere(masked: str, match: re.Match[str], subject: str, obj: str) -> bool:
    """The variable end of a path also appears outside it in the query's pattern (so a FILTER
    can test it; a variable only the path binds needs VALUES)."""
    var = subject if _is_var(subject) else obj
    body = masked.find("{")
    rest = masked[body : match.start()] + masked[match.end() :]
    return re.search(rf"[?$]{re.escape(var[1:])}\b", rest) is not None


def _condition(
    subject: str, obj: str, strict: bool, hierarchy: ClassHierarchy, prefixes: dict[str, str]
) -> str | None:
    """The path as a boolean expression over its two ends (None: a prefix the query lacks)."""
    s_iri, o_iri = _iri(subject, prefixes), _iri(obj, prefixes)
    if _is_var(subject) and _is_var(obj):
        pairs = ", ".join(f'"{narrow} {broad}"' for narrow, broad in hierarchy.pairs())
        listed = f'isIRI({subject}) && isIRI({obj}) && CONCAT(STR({subject}), " ", STR({obj})) IN ({pairs})'
        return listed if strict else f"sameTerm({subject}, {obj}) || ({listed})"
    if _is_var(subject) and o_iri is not None:
        return f"{subject} IN ({', '.join(_iris(hierarchy.narrower(o_iri) + ([] if strict else [o_iri])))})"
    if _is_var(obj) and s_iri is not None:
        return f"{obj} IN ({', '.join(_iris(hierarchy.broader_of(s_iri) + ([] if strict else [s_iri])))})"
    if s_iri is not None and o_iri is not None:
        holds = o_iri in hierarchy.broader_of(s_iri) or (not strict and s_iri == o_iri)
        return "true" if holds else "false"
    return None


def _values(subject: str, obj: str, strict: bool, hierarchy: ClassHierarchy, prefixes: dict[str, str]) -> str:
    """The path as inline data for its one variable end (the other end a constant)."""
    if _is_var(subject):
        o_iri = _iri(obj, prefixes) or ""
        found = hierarchy.narrower(o_iri) + ([] if strict else [o_iri])
        return f"VALUES {subject} {{ {' '.join(_iris(found))} }}"
    s_iri = _iri(subject, prefixes) or ""
    found = hierarchy.broader_of(s_iri) + ([] if strict else [s_iri])
    return f"VALUES {obj} {{ {' '.join(_iris(found))} }}"


def _iris(iris: list[str]) -> list[str]:
    return [f"<{iri}>" for iri in iris]


def _is_var(term: str) -> bool:
    return term[0] in "?$"


def _iri(term: str, prefixes: dict[str, str]) -> str | None:
    """A constant term's full IRI (None for variables and unknown prefixes)."""
    if term.startswith("<"):
        return term[1:-1]
    if _is_var(term):
        return None
    prefix, _, local = term.partition(":")
    return prefixes[prefix] + local if prefix in prefixes else None

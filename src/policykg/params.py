"""Query parameters as users write them: a vendor by its label, slug or IRI; a transfer
instrument by its CLI name (slug), label, local name or IRI; a DPV term by CURIE or IRI; a policy
version by ``vendor/date`` or IRI.

Outputs print values in all of these forms (``vendor=CloudTalk`` in a table, ``pkg:EU-US-
PrivacyShield`` in Turtle, ``dpv:Consent`` in the docs), and a value that matches nothing used to
give 0 rows and exit 0. Here every value is looked up among the values the graph knows and
turned into the one form the query's variable takes (a slug for a plain ``?_vendor``, an IRI for
``?_policy_iri``); a value that matches nothing is a :class:`UnknownValueError` (exit 2) listing
the values there are. The resolved value is then typed and bound by :func:`policykg.query.
bind_parameters` as before: never pasted into query text.

Which kind of value a parameter takes is declared by the query file itself, in its header's
``kinds`` decorator (``#+ kinds: {vendor: vendor}``; see :mod:`policykg.query_header`), not
guessed from the parameter's name: a new query's ``?_supplier`` declared a ``vendor`` is looked up
as a vendor. :data:`KINDS` are the kinds there are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib.term import Identifier

from .errors import PolicyKGError
from .namespaces import PREFIXES

if TYPE_CHECKING:
    from .query import NamedQuery, Param
    from .store import GraphStore

Rows = Sequence[Sequence[Identifier | None]]
Select = Callable[[str], Rows]
"""Runs a SELECT and returns its rows: the local store or a remote endpoint."""

_PREFIXES = """PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dpv:  <https://w3id.org/dpv#>
PREFIX pkg:  <https://w3id.org/policykg#>
"""

_QUERIES = {
    "vendor": """SELECT DISTINCT ?iri ?slug ?label WHERE {
  ?iri a pkg:Vendor ; pkg:slug ?slug . OPTIONAL { ?iri rdfs:label ?label } }""",
    "instrument": """SELECT DISTINCT ?iri ?slug ?label WHERE {
  ?iri a/rdfs:subClassOf* pkg:TransferInstrument ; pkg:slug ?slug . OPTIONAL { ?iri rdfs:label ?label } }""",
    "policy": """SELECT DISTINCT ?iri ?slug ?label ?date WHERE {
  ?iri a pkg:PolicyVersion ; pkg:vendor ?vendor . ?vendor pkg:slug ?slug .
  OPTIONAL { ?vendor rdfs:label ?label }
  OPTIONAL { ?iri pkg:statedDate|pkg:estimatedDate ?date } }""",
    "legal-basis": """SELECT DISTINCT ?iri ?slug ?label WHERE {
  ?iri (rdf:type|rdfs:subClassOf|skos:broader)* dpv:LegalBasis . FILTER (isIRI(?iri))
  OPTIONAL { ?iri rdfs:label ?label } BIND ("" AS ?slug) }""",
}


KINDS = tuple(_QUERIES)
"""The kinds of value a query header's ``kinds`` may give a parameter. A parameter with no kind
is typed and validated by its variable's suffix only (dates, integers, IRIs, strings)."""


class UnknownValueError(PolicyKGError):
    """A parameter value that matches nothing the graph knows; lists every known value."""

    def __init__(self, what: str, value: str, known: Sequence[str], where: str = "") -> None:
        self.what = what
        self.value = value
        self.known = sorted(set(known), key=str.casefold)
        listed = ", ".join(self.known) if self.known else "none in this graph"
        super().__init__(f"unknown {what} {value!r}{where} (known: {listed})")


@dataclass(frozen=True)
class KnownValue:
    """One thing a parameter can name, with every way a user may write it."""

    iri: str
    shown: str
    """How the error message and the query page list it (slug, CURIE or ``vendor/version``)."""
    slug: str
    names: frozenset[str]
    """Case-folded spellings that select it."""


def curie(iri: str) -> str:
    """``https://w3id.org/dpv#Consent`` -> ``dpv:Consent`` (the longest known namespace)."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default="")
    if not best:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"


def _fold(text: str) -> str:
    return " ".join(text.strip().strip("<>").split()).casefold()


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _known_values(kind: str, rows: Rows) -> list[KnownValue]:
    by_iri: dict[str, set[str]] = {}
    shown: dict[str, str] = {}
    slugs: dict[str, str] = {}
    for row in rows:
        iri_term, slug_term, label_term = row[0], row[1], row[2]
        iri, slug = str(iri_term), str(slug_term or "")
        label = str(label_term) if label_term is not None else ""
        names = by_iri.setdefault(iri, {iri, curie(iri)})
        slugs[iri] = slug
        if kind == "policy":
            version = iri.rsplit("/", 1)[-1]
            names.update({f"{slug}/{version}", f"{label}/{version}" if label else ""})
            if len(row) > 3 and row[3] is not None:  # an undated version by its estimated date too
                names.update({f"{slug}/{row[3]}", f"{label}/{row[3]}" if label else ""})
            shown[iri] = f"{slug}/{version}"
            continue
        names.update({slug, label, _local_name(iri)} - {""})
        if kind == "instrument":
            names.add(f"pkg:{_local_name(iri)}")
        shown[iri] = slug or curie(iri)
    return [
        KnownValue(iri, shown[iri], slugs[iri], frozenset(_fold(n) for n in spellings if n))
        for iri, spellings in sorted(by_iri.items())
    ]


class Resolver:
    """Looks parameter values up in a graph (local store or endpoint); each kind is read once."""

    def __init__(self, select: Select) -> None:
        self._select = select
        self._cache: dict[str, list[KnownValue]] = {}

    def known(self, kind: str) -> list[KnownValue]:
        if kind not in self._cache:
            self._cache[kind] = _known_values(kind, self._select(_PREFIXES + _QUERIES[kind]))
        return self._cache[kind]

    def find(self, kind: str, value: str, where: str = "") -> KnownValue:
        """The one known value that ``value`` names; exit 2 listing them all otherwise."""
        wanted = _fold(value)
        matches = [k for k in self.known(kind) if wanted in k.names]
        if len(matches) == 1:
            return matches[0]
        label = kind.replace("-", " ")
        if len(matches) > 1:
            raise UnknownValueError(f"{label} (ambiguous)", value, [m.shown for m in matches], where)
        raise UnknownValueError(label, value, [k.shown for k in self.known(kind)], where)

    def resolve(self, param: Param, value: str) -> str:
        """The value in the form the parameter's variable takes: an IRI for an ``_iri``
        variable, else the slug (vendors, instruments). A parameter of no kind is left as given."""
        if not param.kind:
            return value
        found = self.find(param.kind, value, f" for parameter {param.name}")
        return found.iri if param.type == "iri" or not found.slug else found.slug


def store_select(store: GraphStore) -> Select:
    """A :data:`Select` over a local store."""

    def run(text: str) -> Rows:
        return store.select(text).rows

    return run


def remote_select(endpoint: str, timeout: float) -> Select:
    """A :data:`Select` over a remote SPARQL endpoint: values are looked up where the query runs."""
    from pathlib import Path

    from .query import NamedQuery, run_remote

    def run(text: str) -> Rows:
        return run_remote(endpoint, NamedQuery("lookup", Path("lookup.rq"), text), {}, timeout).rows

    return run


def resolve_parameters(query: NamedQuery, given: Mapping[str, str], resolver: Resolver) -> dict[str, str]:
    """``given`` with every value of a known kind resolved to the form the query takes. Names
    the query does not declare are left for ``bind_parameters`` to refuse."""
    resolved = dict(given)
    for name, value in given.items():
        param = query.params.get(name)
        if param is not None:
            resolved[name] = resolver.resolve(param, value)
    return resolved

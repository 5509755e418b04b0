"""SPARQL as text: binding terms into a query, SPARQL's ORDER BY on rdflib terms, and the
analysis date of a validation bound into a query instead of written into the store.

Kept apart from the stores because the same text goes to Oxigraph, rdflib and remote
endpoints: binding by text is what makes all three give the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from .errors import PolicyKGError
from .namespaces import PKG

_FINAL_ORDER_BY = re.compile(r"\bORDER\s+BY((?:\s+[?$]\w+)+)\s*$", re.IGNORECASE)
_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in ("integer", "decimal", "double", "float", "nonNegativeInteger", "long", "int")
}


def substitute_terms(text: str, bindings: Mapping[str, Identifier]) -> str:
    """Replace ``?_name`` by the escaped N3 form of its term, outside comment lines."""
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            out.append(line)
            continue
        for name, term in bindings.items():
            pattern = re.compile(rf"[?$]{re.escape(name)}\b")
            line = pattern.sub(term.n3().replace("\\", "\\\\"), line)
        out.append(line)
    return "\n".join(out)


def split_final_order_by(text: str) -> tuple[str, list[str] | None]:
    """The query without a final ``ORDER BY`` of plain variables, and those variables (None
    when there is no such clause), so that a store can sort the rows itself."""
    order = _FINAL_ORDER_BY.search(text)
    if order is None:
        return text, None
    return text[: order.start()], re.findall(r"[?$](\w+)", order.group(1))


def sparql_order_key(term: Identifier | None) -> tuple[int, int, object, str]:
    """SPARQL 1.1 ORDER BY for the values our queries return: unbound, blank nodes, IRIs, then
    literals (numbers by value, others by lexical form, which orders xsd:date too)."""
    if term is None:
        return (0, 0, "", "")
    if isinstance(term, BNode):
        return (1, 0, str(term), "")
    if isinstance(term, URIRef):
        return (2, 0, str(term), "")
    assert isinstance(term, Literal)
    if term.datatype is not None and str(term.datatype) in _NUMERIC:
        try:
            return (3, 0, float(str(term)), "")
        except ValueError:
            pass
    return (3, 1, str(term), str(term.datatype or term.language or ""))


_TERM = r"(?:{prefixed}|<{iri}>)"
_AS_OF_PATTERN = re.compile(
    _TERM.format(prefixed=r"pkg:AnalysisContext", iri=re.escape(str(PKG.AnalysisContext)))
    + r"\s+"
    + _TERM.format(prefixed=r"pkg:asOf", iri=re.escape(str(PKG.asOf)))
    + r"\s+[?$](\w+)\s*(?:\.|(?=}))"
)


def bind_analysis_date(text: str, as_of: date) -> str:
    """Shapes read the analysis date as the triple ``pkg:AnalysisContext pkg:asOf ?d`` (plain
    SHACL: pyshacl finds it in its own copy of the data). The native engine puts the date in the
    query instead, as ``VALUES ?d { "..."^^xsd:date }``, which has the same single solution, so
    validating never writes into the store it reads. A query that mentions the context in any
    other form is refused rather than run without its date."""
    literal = f'"{as_of.isoformat()}"^^<http://www.w3.org/2001/XMLSchema#date>'
    bound = _AS_OF_PATTERN.sub(lambda m: f"VALUES ?{m.group(1)} {{ {literal} }}", text)
    if "AnalysisContext" in bound:
        raise PolicyKGError(
            "a shape reads pkg:AnalysisContext in a form the engine cannot bind "
            "(write it as 'pkg:AnalysisContext pkg:asOf ?var .')"
        )
    return bound

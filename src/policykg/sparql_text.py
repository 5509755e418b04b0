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


_STRING_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",  # rdflib's parser reads a raw tab in a string as a space
    "\b": "\\b",
    "\f": "\\f",
}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\b\f]')


def sparql_term(term: Identifier) -> str:
    """A term as SPARQL syntax that reads back as exactly that one term. A literal is one
    single-line "..." string whose backslash, quote, LF, CR, tab, backspace and form feed are
    escaped (the ECHARs every SPARQL parser reads), so a value can never end the string and
    become query text, and no parser normalises its white space."""
    if isinstance(term, Literal):
        body = '"' + _NEEDS_ESCAPE.sub(lambda m: _STRING_ESCAPES[m.group(0)], str(term)) + '"'
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype is not None:
            return f"{body}^^<{term.datatype}>"
        return body
    if isinstance(term, URIRef):
        if re.search(r'[\x00-\x20<>"{}|^`\\]', str(term)):
            raise PolicyKGError(f"cannot bind IRI {str(term)!r}: it has characters an IRI may not have")
        return f"<{term}>"
    return term.n3()


def substitute_terms(text: str, bindings: Mapping[str, Identifier]) -> str:
    """Replace ``?_name`` by its term as escaped SPARQL syntax, outside comment lines. One pass
    for all variables, so a value that contains another ``?_name`` stays a value."""
    if not bindings:
        return text
    terms = {name: sparql_term(term) for name, term in bindings.items()}
    names = "|".join(re.escape(n) for n in sorted(terms, key=len, reverse=True))
    pattern = re.compile(rf"[?$]({names})\b")
    out = []
    for line in text.splitlines():
        if not line.lstrip().startswith("#"):
            line = pattern.sub(lambda m: terms[m.group(1)], line)
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

"""SPARQL text scanned without a parser (only ``re``): strings, IRIs and comments masked, and
the outer group of a SELECT rewritten so that the union default graph reads as a set.

Kept apart from :mod:`policykg.sparql_text` (which needs rdflib) because the query workers of
``policykg serve`` import only pyoxigraph and this module, to start in a tenth of a second.
"""

from __future__ import annotations

import re

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_MULTISET_AGGREGATE = re.compile(r"\b(COUNT|SUM|AVG|GROUP_CONCAT)\s*\(\s*(?!DISTINCT\b)", re.IGNORECASE)
_NOT_REWRITTEN = re.compile(r"\b(SELECT|UNION|VALUES|SERVICE)\b|\[|_:|/", re.IGNORECASE)


def masked_text(text: str, keep_iris: bool = False) -> str:
    """``text`` with strings, IRIs and comments blanked out (same length), so that braces and
    keywords can be found by position; ``keep_iris`` leaves IRIs in place (to match terms)."""
    out = list(text)
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            end = i + len(quote)
            while end < len(text) and not text.startswith(quote, end):
                end += 2 if text[end] == "\\" else 1
            end = min(len(text), end + len(quote))
        elif char == "<" and (iri := _IRIREF.match(text, i)):
            if keep_iris:
                i = iri.end()
                continue
            end = iri.end()
        else:
            i += 1
            continue
        out[i:end] = " " * (end - i)
        i = end
    return "".join(out)


_PAIRS = {"{": "}", "(": ")"}


def closing_bracket(masked: str, opening: int) -> int:
    """Where the bracket at ``opening`` (``{`` a group, ``(`` an expression) closes in masked
    text (-1: it does not)."""
    steps = {masked[opening]: 1, _PAIRS[masked[opening]]: -1}
    depth = 0
    for index in range(opening, len(masked)):
        depth += steps.get(masked[index], 0)
        if depth == 0:
            return index
    return -1


def counts_duplicates(text: str) -> bool:
    """COUNT, SUM, AVG or GROUP_CONCAT without DISTINCT: an answer a multiset would change."""
    return _MULTISET_AGGREGATE.search(masked_text(text)) is not None


def set_semantics(text: str, shape_constraint: bool = False) -> str:
    """A SELECT whose answer would count a triple stated in several graphs more than once, made
    to read the default graph as SPARQL defines it: a set of triples (the RDF merge).

    Oxigraph's union default graph is a multiset (a triple in a version's graph and in the
    catalogue matches twice), so ``COUNT(*)`` or a non-DISTINCT projection over it counted
    duplicates (10 policy versions for 5). The query's outer group becomes ``{ SELECT DISTINCT *
    WHERE { group } }``, which equals set semantics when the group has no UNION, sub-select,
    VALUES, blank node or sequence path (whose legitimate duplicates DISTINCT would also drop);
    those queries, and the ones where duplicates cannot show (a DISTINCT projection without
    COUNT/SUM/AVG/GROUP_CONCAT), are left as they are.

    ``shape_constraint``: a SHACL-SPARQL constraint, whose duplicate rows are one finding anyway;
    only its counting aggregates need the rewrite, and the group becomes ``{ { SELECT DISTINCT *
    ... } }`` so that the engine can still join the focus nodes into the outer group."""
    masked = masked_text(text)
    form = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b(?!:)", masked, re.IGNORECASE)
    if form is None or form.group(1).upper() != "SELECT":
        return text
    select = form
    opening = masked.find("{", select.end())
    if opening < 0:
        return text
    closing = closing_bracket(masked, opening)
    if closing < 0:
        return text
    head, group = masked[select.end() : opening], masked[opening + 1 : closing]
    distinct = re.match(r"\s*(DISTINCT|REDUCED)\b", head, re.IGNORECASE) is not None
    counts = _MULTISET_AGGREGATE.search(masked) is not None
    if (distinct or shape_constraint) and not counts:
        return text
    if _NOT_REWRITTEN.search(group):
        return text
    inner = text[opening + 1 : closing]
    subquery = f"SELECT DISTINCT * WHERE {{{inner}\n}}"
    return (
        f"{text[: opening + 1]} {{ {subquery} }} {text[closing:]}"
        if shape_constraint
        else (f"{text[: opening + 1]} {subquery} {text[closing:]}")
    )

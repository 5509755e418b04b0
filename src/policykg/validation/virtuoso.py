"""Shape queries rewritten for Virtuoso 7.2, which answers two SPARQL forms otherwise than the
standard says. Each rewrite gives the same answer on a conforming store (tests/test_hierarchy_paths.py
runs every shape query both ways on Oxigraph):

- class-hierarchy paths (``rdfs:subClassOf*``/``+``): spelt out from the closed hierarchy
  (:mod:`.hierarchy`);
- "stated, and the same one": ``OPTIONAL { ?t pkg:listedItem ?x . FILTER (?x = ?h) BIND (true AS
  ?found) }`` with ``?h`` bound outside. SPARQL makes that FILTER the OPTIONAL's join condition,
  which sees both sides; Virtuoso evaluates it inside the OPTIONAL alone, where ``?h`` is unbound,
  so ``?found`` is never bound (10 table-of-contents findings on the seeds that are not there).
  Rewritten as the join it means: ``?x`` replaced by ``?h`` in that OPTIONAL and the FILTER
  dropped (the same answer wherever the two are IRIs, as in every shape that uses the form).
"""

from __future__ import annotations

import re

from ..sparql_scan import masked_text
from .hierarchy import ClassHierarchy, expand_class_paths

_OPTIONAL = re.compile(r"\bOPTIONAL\s*\{", re.IGNORECASE)
_EQUALITY = re.compile(r"FILTER\s*\(\s*([?$]\w+)\s*=\s*([?$]\w+)\s*\)", re.IGNORECASE)


def for_virtuoso(query: str, hierarchy: ClassHierarchy) -> str:
    """``query`` in the forms Virtuoso 7.2 answers as SPARQL defines them."""
    return join_outer_equalities(expand_class_paths(query, hierarchy))


def join_outer_equalities(query: str) -> str:
    """Every ``OPTIONAL { ... FILTER (?inner = ?outer) ... }`` as a join on ``?outer``."""
    masked = masked_text(query)
    pieces: list[str] = []
    done = 0
    for optional in _OPTIONAL.finditer(masked):
        start = optional.end()
        end = _group_end(masked, start)
        if start < done or end < 0:
            continue
        rewritten = _joined(query[start:end], masked[start:end], masked[:start] + masked[end:])
        if rewritten is not None:
            pieces += [query[done:start], rewritten]
            done = end
    return "".join(pieces) + query[done:]


def _joined(group: str, masked_group: str, outside: str) -> str | None:
    """The group with its first usable equality turned into a join (None: nothing to do)."""
    for equality in _EQUALITY.finditer(masked_group):
        rest = masked_group[: equality.start()] + masked_group[equality.end() :]
        for inner, outer in (equality.groups(), reversed(equality.groups())):
            if _uses(rest, inner) and not _uses(rest, outer) and not _uses(outside, inner):
                dropped = group[: equality.start()] + " " + group[equality.end() :]
                return re.sub(rf"[?$]{re.escape(inner[1:])}\b", outer, dropped)
    return None


def _uses(text: str, var: str) -> bool:
    return re.search(rf"[?$]{re.escape(var[1:])}\b", text) is not None


def _group_end(masked: str, start: int) -> int:
    """The index of the brace closing the group that opened just before ``start`` (-1: none)."""
    depth = 1
    for index in range(start, len(masked)):
        if masked[index] == "{":
            depth += 1
        elif masked[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1

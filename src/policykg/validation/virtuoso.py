"""Shape queries rewritten for Virtuoso 7.2, which answers two SPARQL forms otherwise than the
standard says. Each rewrite gives the same answer on a conforming store (tests/test_hierarchy_paths.py
runs every shape query both ways on Oxigraph):

- class-hierarchy paths (``rdfs:subClassOf*``/``+``): spelt out from the closed hierarchy
  (:mod:`.hierarchy`);
- "not stated" as ``OPTIONAL { P FILTER (C) BIND (true AS ?found) } FILTER (!BOUND(?found))``
  where C reads variables bound outside the OPTIONAL (``FILTER (?listed = ?h)``, or a class test
  on an outer value). SPARQL makes that FILTER the OPTIONAL's join condition, which sees both
  sides; Virtuoso evaluates it inside the OPTIONAL alone, where the outer variables are unbound,
  so ``?found`` is never bound (10 table-of-contents findings on the seeds that are not there, an
  allowed purpose reported as a contradiction). Rewritten as what it means,
  ``FILTER NOT EXISTS { P FILTER (C) }``, which Virtuoso evaluates with the outer bindings. (The
  shapes use the OPTIONAL form because Oxigraph evaluates FILTER NOT EXISTS once per row.)
- "if stated, it must hold" as ``IF(BOUND(?x), E, true)`` (the shapes' form: Oxigraph evaluates an
  EXISTS in ``!BOUND(?x) || E`` even where ``?x`` is unbound): Virtuoso refuses an EXISTS inside
  IF (SQ074), so it gets ``(!BOUND(?x) || (E))``, the same truth value.
"""

from __future__ import annotations

import re

from ..sparql_scan import closing_bracket, masked_text
from .hierarchy import ClassHierarchy, expand_class_paths

_OPTIONAL = re.compile(r"\bOPTIONAL\s*\{", re.IGNORECASE)
_FLAG = re.compile(r"\.?\s*BIND\s*\(\s*true\s+AS\s+([?$]\w+)\s*\)\s*$", re.IGNORECASE)


def for_virtuoso(query: str, hierarchy: ClassHierarchy) -> str:
    """``query`` in the forms Virtuoso 7.2 answers as SPARQL defines them."""
    return conditions_as_disjunctions(optional_flags_as_not_exists(expand_class_paths(query, hierarchy)))


_IF_BOUND = re.compile(r"\bIF\s*\(\s*BOUND\s*\(\s*([?$]\w+)\s*\)\s*,", re.IGNORECASE)


def conditions_as_disjunctions(query: str) -> str:
    """Every ``IF(BOUND(?x), E, true)`` as ``(!BOUND(?x) || (E))``; one at a time."""
    while True:
        masked = masked_text(query)
        for found in _IF_BOUND.finditer(masked):
            closing = closing_bracket(masked, masked.index("(", found.start()))
            last_comma = masked.rfind(",", found.end(), closing)
            if closing < 0 or masked[last_comma + 1 : closing].strip() != "true":
                continue
            if closing_bracket(masked[:last_comma] + ")", masked.index("(", found.start())) != last_comma:
                continue  # the comma is inside E: not the IF's own third argument
            condition = query[found.end() : last_comma]
            query = (
                f"{query[: found.start()]}(!BOUND({found.group(1)}) || ({condition})){query[closing + 1 :]}"
            )
            break
        else:
            return query


def optional_flags_as_not_exists(query: str) -> str:
    """Every "not stated" OPTIONAL (a flag bound by it and only tested unbound) as FILTER NOT
    EXISTS; one at a time, since each rewrite moves the text after it."""
    while (rewritten := _first_flag_rewritten(query)) is not None:
        query = rewritten
    return query


def _first_flag_rewritten(query: str) -> str | None:
    masked = masked_text(query)
    for optional in _OPTIONAL.finditer(masked):
        end = closing_bracket(masked, optional.end() - 1)
        flag = _FLAG.search(masked, optional.end(), end) if end >= 0 else None
        if flag is None or "{" in masked[optional.end() : end]:
            continue
        name = re.escape(flag.group(1)[1:])
        tests = list(re.finditer(rf"FILTER\s*\(\s*!\s*BOUND\s*\(\s*[?$]{name}\s*\)\s*\)", masked))
        uses = re.findall(rf"[?$]{name}\b", masked)
        if len(tests) != 1 or len(uses) != 2:
            continue  # the flag is read elsewhere too: the OPTIONAL is not only "not stated"
        test = tests[0]
        body = query[optional.end() : flag.start()]
        edits = sorted(
            [(optional.start(), end + 1, f"FILTER NOT EXISTS {{{body} }}"), (test.start(), test.end(), "")]
        )
        for start, stop, text in reversed(edits):
            query = query[:start] + text + query[stop:]
        return query
    return None

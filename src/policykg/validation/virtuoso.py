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
  shapes use the OPTIONAL form because Oxigraph evaluates FILTER NOT EXISTS once per row.) Where
  C reads only variables bound beside the OPTIONAL, C is taken out of the NOT EXISTS (Virtuoso
  drops rows of ``NOT EXISTS { P FILTER (?s1 = ?s2) }``); where C reads only P's own variables,
  the OPTIONAL is left as written (Virtuoso drops rows of a NOT EXISTS correlated on two outer
  variables, as the excepted legal bases of NegativeStatement are).
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
        written = _not_stated(query, masked, optional.start(), body)
        if written is None:
            continue  # its FILTER reads only what its pattern binds: Virtuoso answers it as written
        edits = sorted([(optional.start(), end + 1, written), (test.start(), test.end(), "")])
        for start, stop, text in reversed(edits):
            query = query[:start] + text + query[stop:]
        return query
    return None


_FILTER = re.compile(r"\bFILTER\s*\(", re.IGNORECASE)
_VAR = re.compile(r"[?$](\w+)")


def _not_stated(query: str, masked: str, start: int, body: str) -> str | None:
    """The "not stated" OPTIONAL ``{ P FILTER (C) }`` at ``start`` in the form Virtuoso answers:
    None (keep the OPTIONAL) when C reads only variables of P; ``FILTER (COALESCE(!(C), true) ||
    NOT EXISTS { P })`` when every variable C reads is bound by a triple pattern of the enclosing
    group, so that C is decided by the outer row alone (Virtuoso drops rows of ``NOT EXISTS { P
    FILTER (C) }`` when C compares two outer variables: the retention pair on the seeds; COALESCE
    keeps the row where C is an error, as the OPTIONAL does); else ``FILTER NOT EXISTS { P FILTER
    (C) }``."""
    masked_body = masked_text(body)
    found = _FILTER.search(masked_body)
    closing = closing_bracket(masked_body, found.end() - 1) if found else -1
    if found is None or closing < 0 or masked_body[closing + 1 :].strip(" .\n\t"):
        return f"FILTER NOT EXISTS {{{body} }}"
    pattern, condition = body[: found.start()], body[found.end() : closing]
    pattern_vars = set(_VAR.findall(masked_text(pattern)))
    read = set(_VAR.findall(masked_text(condition)))
    if read <= pattern_vars:
        return None
    if read <= _certainly_bound(masked, start):
        return f"FILTER (COALESCE(!({condition}), true) || NOT EXISTS {{{pattern}}})"
    return f"FILTER NOT EXISTS {{{body} }}"


def _certainly_bound(masked: str, position: int) -> set[str]:
    """The variables of the triple patterns written directly in the group that holds
    ``position`` (not in a nested group, an expression or a FILTER): bound in every row there."""
    depth, opening = 0, -1
    for index in range(position - 1, -1, -1):
        if masked[index] == "}":
            depth += 1
        elif masked[index] == "{":
            if depth == 0:
                opening = index
                break
            depth -= 1
    closing = closing_bracket(masked, opening) if opening >= 0 else -1
    if closing < 0:
        return set()
    group, flat, index = masked[opening + 1 : closing], [], 0
    while index < len(group):
        if group[index] in "{(":
            end = closing_bracket(group, index)
            if end < 0:
                return set()
            index = end + 1
            continue
        flat.append(group[index])
        index += 1
    return set(_VAR.findall("".join(flat)))

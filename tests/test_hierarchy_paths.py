"""Shape queries rewritten for Virtuoso (policykg.validation.virtuoso: class-hierarchy paths spelt
out, FILTERs on outer variables inside OPTIONAL made joins): every shape query of every profile
gives the same rows rewritten as not, on the seed annotations in the local store; and each form is
rewritten as documented."""

from __future__ import annotations

import re
from datetime import date

import pytest
from rdflib.namespace import RDFS

from policykg.load import LoadResult
from policykg.shacl import compile_shapes, focus_select
from policykg.sparql_text import bind_analysis_date
from policykg.store import OxigraphStore
from policykg.validation.hierarchy import ClassHierarchy, expand_class_paths
from policykg.validation.shapes import load_shapes
from policykg.validation.virtuoso import (
    conditions_as_disjunctions,
    for_virtuoso,
    optional_flags_as_not_exists,
)

AS_OF = date(2026, 11, 23)
EX = "http://example.org/"
TOY = ClassHierarchy.from_edges([(f"{EX}B", f"{EX}A"), (f"{EX}C", f"{EX}B"), (f"{EX}D", f"{EX}A")])
PREFIX = f"PREFIX rdfs: <{RDFS}>\nPREFIX ex: <{EX}>\n"


def _store(loaded: LoadResult) -> OxigraphStore:
    assert isinstance(loaded.store, OxigraphStore)
    return loaded.store


def _store_hierarchy(loaded: LoadResult) -> ClassHierarchy:
    edges = _store(loaded).solutions(
        f"SELECT DISTINCT ?a ?b WHERE {{ ?a <{RDFS.subClassOf}> ?b FILTER (isIRI(?a) && isIRI(?b)) }}"
    )
    return ClassHierarchy.from_edges((str(a), str(b)) for a, b in edges.rows)


def _rows(loaded: LoadResult, query: str) -> set[tuple[tuple[str, ...], ...]]:
    """The rows, a listed message item (GROUP_CONCAT, whose order SPARQL leaves open) as a set."""
    answer = _store(loaded).solutions(query)
    return {
        tuple(
            tuple(sorted(piece.strip('"') for piece in re.split(r"[,;:]\s+| vs ", str(cell)))) for cell in row
        )
        for row in answer.rows
    }


@pytest.mark.parametrize(
    "profile",
    # the spelt-out compliance rules take about 20 s on Oxigraph (only Virtuoso is sent them)
    ["data", pytest.param("compliance", marks=pytest.mark.slow)],
)
def test_every_shape_query_gives_the_same_rows_with_its_paths_spelt_out(
    profile: str, loaded: LoadResult
) -> None:
    hierarchy = _store_hierarchy(loaded)
    compiled = compile_shapes(load_shapes(profile))
    rewritten = 0
    for check in compiled.checks:
        query = bind_analysis_date(check.sparql(focus_select(compiled.targets[check.node_shape])), AS_OF)
        spelt = for_virtuoso(query, hierarchy)
        if "subClassOf*" in spelt or "subClassOf+" in spelt:
            pytest.fail(f"{check.node_shape} {check.component}: a path was left in\n{spelt}")
        rewritten += spelt != query
        assert _rows(loaded, spelt) == _rows(loaded, query), f"{check.node_shape} {check.component}"
    assert rewritten >= 10  # every target uses one: the comparison covers real rewrites


def test_a_constant_end_becomes_the_list_of_classes_below_or_above_it() -> None:
    spelt = expand_class_paths(PREFIX + "SELECT ?c WHERE { ?c rdfs:subClassOf* ex:A }", TOY)
    assert f"VALUES ?c {{ <{EX}B> <{EX}C> <{EX}D> <{EX}A> }}" in spelt
    strict = expand_class_paths(PREFIX + "SELECT ?c WHERE { ex:C rdfs:subClassOf+ ?c }", TOY)
    assert f"VALUES ?c {{ <{EX}A> <{EX}B> }}" in strict
    both = expand_class_paths(PREFIX + "ASK { ex:D rdfs:subClassOf+ ex:B }", TOY)
    assert "FILTER (false)" in both


def test_a_variable_bound_elsewhere_is_tested_and_an_exists_becomes_its_condition() -> None:
    query = PREFIX + "SELECT ?x WHERE { ?x a ?k . FILTER NOT EXISTS { ?k rdfs:subClassOf* ?y } ?y a ex:Z }"
    spelt = expand_class_paths(query, TOY)
    assert "EXISTS" not in spelt and "!(sameTerm(?k, ?y) ||" in spelt
    assert f'"{EX}C {EX}A"' in spelt and f'"{EX}A {EX}C"' not in spelt
    typed = expand_class_paths(PREFIX + "SELECT ?x WHERE { ?x a ?t . ?x a/rdfs:subClassOf+ ex:B }", TOY)
    assert "?_pkg_class1 . VALUES ?_pkg_class1 { <http://example.org/C> }" in typed


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?c WHERE { ?c rdfs:label "?c rdfs:subClassOf* ex:A" }',  # in a string
        "SELECT ?c WHERE { ?c rdfs:subClassOf* ex:A ; rdfs:label ?l }",  # a predicate-object list
        "SELECT ?c WHERE { ?c rdfs:subClassOf*/rdfs:label ?l }",  # a longer path
        "SELECT ?c WHERE { ?c rdfs:subClassOf* nope:A }",  # a prefix the query does not declare
        "SELECT ?c WHERE { # ?c rdfs:subClassOf* ex:A\n ?c ?p ?o }",  # in a comment
    ],
)
def test_paths_in_other_positions_are_left_as_they_are(query: str) -> None:
    assert expand_class_paths(PREFIX + query, TOY) == PREFIX + query


def test_a_not_stated_optional_becomes_filter_not_exists() -> None:
    query = (
        "SELECT ?h WHERE { ?t ex:heading ?h . "
        "OPTIONAL { ?t ex:listedItem ?listed . FILTER (?listed = ?h) BIND (true AS ?in) } FILTER (!BOUND(?in)) }"
    )
    spelt = optional_flags_as_not_exists(query)
    assert "FILTER NOT EXISTS { ?t ex:listedItem ?listed . FILTER (?listed = ?h) }" in spelt
    assert "OPTIONAL" not in spelt and "BOUND" not in spelt and "?in" not in spelt
    # not when the flag is read elsewhere, or the OPTIONAL binds more than the flag is used for
    kept = [
        query.replace("SELECT ?h", "SELECT ?in"),
        query.replace("FILTER (!BOUND(?in))", "FILTER (!BOUND(?in) || ?h = ?t)"),
        "SELECT ?x WHERE { ?x ex:p ?y OPTIONAL { ?x ex:q ?z } }",
    ]
    for text in kept:
        assert optional_flags_as_not_exists(text) == text


def test_an_if_bound_condition_becomes_a_disjunction() -> None:
    query = "SELECT ?p WHERE { ?p a ?k OPTIONAL { ?p ex:t ?t } FILTER (IF(BOUND(?t), EXISTS { ?p ex:u ?t }, true)) }"
    spelt = conditions_as_disjunctions(query)
    assert "FILTER ((!BOUND(?t) || ( EXISTS { ?p ex:u ?t })))" in spelt and "IF" not in spelt
    other = "SELECT ?p WHERE { ?p a ?k BIND (IF(BOUND(?k), 1, 2) AS ?n) }"  # not the "if stated" form
    assert conditions_as_disjunctions(other) == other


def test_a_not_stated_optional_reading_only_its_own_pattern_is_kept() -> None:
    """Virtuoso answers it as written; as FILTER NOT EXISTS over two outer variables (?n, ?e) it
    dropped rows on the seeds."""
    query = (
        "SELECT ?e WHERE { ?n ex:says ?e . OPTIONAL { ?n ex:except ?b . ?e ex:basis ?c . FILTER (?c = ?b) "
        "BIND (true AS ?excepted) } FILTER (!BOUND(?excepted)) }"
    )
    assert optional_flags_as_not_exists(query) == query


LIFT_DATA = """
@prefix ex: <http://example.org/> .
ex:r1 ex:first ex:a ; ex:second ex:a .   # the same subject, a compact policy: left out
ex:r2 ex:first ex:a ; ex:second ex:b .   # two subjects: kept
ex:r3 ex:first ex:c ; ex:second ex:c .   # the same subject, not a compact policy: kept
ex:r4 ex:first "1"^^ex:odd ; ex:second "2"^^ex:odd .  # = is an error on unknown datatypes: kept
ex:a a ex:CompactPolicy . ex:b a ex:CompactPolicy .
"""


def test_a_condition_on_outer_variables_is_lifted_out_of_the_not_exists() -> None:
    """``OPTIONAL { P FILTER (C) BIND (true AS ?f) } FILTER (!BOUND(?f))`` where C reads only
    variables bound outside: ``COALESCE(!(C), true) || NOT EXISTS { P }`` (Virtuoso dropped the
    retention pair of the seeds on ``NOT EXISTS { P FILTER (C) }``); the same rows, the row where
    C is an error included."""
    import pyoxigraph as ox

    query = (
        "SELECT ?r WHERE { ?r ex:first ?s1 ; ex:second ?s2 . "
        "OPTIONAL { ?s1 a ex:CompactPolicy . FILTER (?s1 = ?s2) BIND (true AS ?union) } FILTER (!BOUND(?union)) }"
    )
    lifted = optional_flags_as_not_exists(PREFIX + query)
    assert "FILTER (COALESCE(!(?s1 = ?s2), true) || NOT EXISTS { ?s1 a ex:CompactPolicy . })" in lifted
    assert "OPTIONAL" not in lifted and "?union" not in lifted
    store = ox.Store()
    store.load(LIFT_DATA.encode(), ox.RdfFormat.TURTLE)
    rows = {str(s["r"]) for s in store.query(PREFIX + query)}  # type: ignore[union-attr]
    assert rows == {f"<{EX}r2>", f"<{EX}r3>", f"<{EX}r4>"}
    assert {str(s["r"]) for s in store.query(lifted)} == rows  # type: ignore[union-attr]

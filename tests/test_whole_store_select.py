"""A SHACL-SPARQL constraint may carry a second text, pkg:wholeStoreSelect, that the built-in
engine runs when it validates every focus node of the store (hash joins of whole scans), while
its sh:select serves re-validations of a few nodes and pyshacl. The two must be the same
constraint: on versions with planted errors, every row alike, and what pyshacl finds."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from policykg.evidence import Annotator
from policykg.load import LoadResult
from policykg.namespaces import DPV, ID, OA, PD, PKG, SH
from policykg.shacl import ShapeError
from policykg.store import ONTOLOGY_GRAPH, OxigraphStore
from policykg.validation import load_shapes
from policykg.validation.engine import Engine

AS_OF = date(2026, 11, 23)
TEXT = "Acme notice. Last updated: 1 March 2024. We use your e-mail address to send newsletters."


def _version(vendor: str, day: str, stated: str = "2024-03-01") -> Annotator:
    v = URIRef(f"{ID}policy/{vendor}/{day}")
    a = Annotator(v, TEXT)
    a.add(v, RDF.type, PKG.PolicyVersion)
    a.add(v, PKG.vendor, URIRef(f"{ID}vendor/{vendor}"))
    a.fact(v, PKG.statedDate, Literal(stated, datatype=XSD.date), "1 March 2024")
    p = a.iri("process", "newsletter")
    a.add(p, RDF.type, DPV.Process)
    a.add(v, DPV.hasProcess, p)
    a.fact(p, DPV.hasPersonalData, PD.EmailAddress, "your e-mail address")
    a.fact(p, DPV.hasPurpose, DPV.DirectMarketing, "send newsletters")
    return a


def _planted() -> list[Annotator]:
    """Three versions of acme share a stated date (two in one day's graph would be one version);
    beta states the same date (another vendor: no finding); errors of the evidence rules."""
    first, second, third = (
        _version("acme", "2024-03-01"),
        _version("acme", "2024-03-02"),
        _version("acme", "x"),
    )
    other = _version("beta", "2024-03-01")
    # a stretched span, a second position selector, a fact without evidence, evidence without
    # its value, a quote without offsets; processes without a controller (all but the transfer)
    selector, end = sorted(first.graph.subject_objects(OA.end), key=str)[0]
    first.graph.set((selector, OA.end, Literal(int(str(end)) + 3, datatype=XSD.integer)))
    evidence = sorted(second.graph.subjects(RDF.type, PKG.Evidence), key=str)[0]
    extra = BNode()
    second.graph.add((evidence, OA.hasSelector, extra))
    second.graph.add((extra, OA.start, Literal(0, datatype=XSD.integer)))
    second.graph.add((extra, OA.end, Literal(1, datatype=XSD.integer)))
    process = third.iri("process", "newsletter")
    third.graph.add((process, DPV.hasPersonalData, PD.Name))
    for ev in sorted(other.graph.subjects(RDF.type, PKG.Evidence), key=str)[:1]:
        other.graph.remove((ev, PKG.factValue, None))
    for sel in sorted(other.graph.subjects(OA.start, None), key=str)[1:2]:
        other.graph.remove((sel, OA.start, None))
    # a process with neither purpose nor controller; a transfer without a purpose, with an exporter
    bare, transfer = other.iri("process", "bare"), first.iri("process", "transfer")
    other.add(bare, RDF.type, DPV.Process)
    first.add(transfer, RDF.type, DPV.Process)
    first.add(transfer, DPV.hasProcessing, DPV.CrossBorderTransfer)
    first.add(transfer, DPV.hasDataExporter, URIRef(f"{ID}org/acme"))
    return [first, second, third, other]


@pytest.fixture(scope="module")
def store(loaded: LoadResult) -> OxigraphStore:
    store = OxigraphStore()
    for a in _planted():
        store.replace_graph(a.version, a.graph)
    store.replace_graph(ONTOLOGY_GRAPH, loaded.ontology)
    return store


def _rows(engine: Engine, store: OxigraphStore, focus: list[str] | None) -> Counter[tuple[str, str]]:
    found = engine.solutions(store, AS_OF, focus_nodes=focus)
    return Counter(
        (r.shape, str(sorted((k, str(v)) for k, v in row.items())))
        for r, row in found
        if r.check.scan is not None and r.check.component == "SPARQL"
    )


@pytest.mark.parametrize("profile", ["data", "compliance"])
def test_whole_store_select_gives_the_rows_of_sh_select(store: OxigraphStore, profile: str) -> None:
    engine = Engine(load_shapes(profile))
    subjects = sorted(
        {str(row["s"]) for row in store.solutions("SELECT DISTINCT ?s WHERE { ?s ?p ?o }").records()}
    )
    whole = _rows(engine, store, None)
    assert whole == _rows(engine, store, [s for s in subjects if s.startswith("http")])
    with_scan = {r.shape for r in engine.rules if r.check.scan is not None and r.check.component == "SPARQL"}
    if profile == "data":  # the comparison is not vacuous: each such shape fires on the planted errors
        assert {s.rsplit("#", 1)[-1] for s in with_scan} >= {
            "DistinctVersionDatesShape",
            "EvidenceSpanShape",
            "FactsNeedEvidenceShape",
            "ProcessShape",
        }
        assert {shape for shape, _ in whole} == with_scan


def test_distinct_dates_pairs_each_version_with_the_others_of_its_vendor(store: OxigraphStore) -> None:
    engine = Engine(load_shapes("data"))
    found = [
        row for r, row in engine.solutions(store, AS_OF) if r.shape.endswith("#DistinctVersionDatesShape")
    ]
    pairs = {(str(row["this"]).rsplit("/", 1)[-1], str(row["value"]).rsplit("/", 1)[-1]) for row in found}
    days = ("2024-03-01", "2024-03-02", "x")
    assert pairs == {(a, b) for a in days for b in days if a != b}
    assert {str(row["vendor"]) for row in found} == {"acme"}


def test_a_process_needs_a_purpose_unless_it_is_a_transfer(store: OxigraphStore) -> None:
    engine = Engine(load_shapes("data"))
    rows = [(r, row) for r, row in engine.solutions(store, AS_OF) if r.shape.endswith("#ProcessShape")]
    without_purpose = {str(row["this"]) for r, row in rows if "purpose" in " ".join(r.check.messages)}
    assert without_purpose == {f"{ID}policy/beta/2024-03-01/process/bare"}


def test_a_whole_store_select_that_is_not_a_literal_is_refused() -> None:
    shapes = Graph()
    shape, constraint = URIRef("urn:shape"), BNode()
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, PKG.PolicyVersion))
    shapes.add((shape, SH.sparql, constraint))
    shapes.add((constraint, SH.select, Literal("SELECT $this WHERE { $this ?p ?o }")))
    shapes.add((constraint, PKG.wholeStoreSelect, URIRef("urn:not-a-query")))
    with pytest.raises(ShapeError, match="wholeStoreSelect"):
        Engine(shapes)


def test_endpoint_form_and_whole_store_form_agree_on_the_seeds(loaded: LoadResult) -> None:
    # what Virtuoso is sent (every sh:select) and what a local full run reads (pkg:wholeStoreSelect
    # where there is one) give the same rows on the shipped data, where the negative statements of
    # the seeds contradict their facts (NegativeStatement's whole-store form exists for those)
    engine = Engine(load_shapes("compliance"))
    store = loaded.store
    assert isinstance(store, OxigraphStore)

    def rows(whole: bool) -> Counter[tuple[str, str]]:
        found = engine.solutions(store, AS_OF, whole_store_selects=whole)
        return Counter((r.shape, str(sorted((k, str(v)) for k, v in row.items()))) for r, row in found)

    selects, wholes = rows(False), rows(True)
    assert selects == wholes
    fired = {shape.rsplit("#", 1)[-1] for shape, _ in wholes}
    assert {"NegativeStatementShape", "QualifiedNegativeStatementShape"} <= fired

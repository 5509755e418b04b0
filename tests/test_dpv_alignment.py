"""Every DPV-family IRI used in ontology/, shapes/, data/ and queries/ exists in DPV 2.3, and
the generated DPV module declares every one of them (so the ontology works offline)."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from policykg.dpvterms import DPV_FILES, used_dpv_iris
from policykg.rdfio import read_graph

from .conftest import DPV_DIR, ROOT, needs_dpv

pytestmark = pytest.mark.slow  # parses every file of DPV 2.3


@pytest.fixture(scope="module")
def used() -> set[URIRef]:
    return used_dpv_iris(ROOT, exclude={ROOT / "ontology" / "dpv-module.ttl"})


@pytest.fixture(scope="module")
def dpv() -> Graph:
    graph = Graph()
    for rel in DPV_FILES:
        graph.parse(DPV_DIR / rel, format="turtle")
    return graph


def test_the_project_uses_dpv_terms(used: set[URIRef]) -> None:
    assert URIRef("https://w3id.org/dpv#hasPurpose") in used
    assert URIRef("https://w3id.org/dpv/legal/eu/gdpr#A6-1-a") in used
    assert not [iri for iri in used if "/owl#" in str(iri)], "use canonical DPV IRIs, not /owl#"


@needs_dpv
def test_every_used_dpv_iri_exists_in_dpv_2_3(used: set[URIRef], dpv: Graph) -> None:
    missing = sorted(str(iri) for iri in used if (iri, None, None) not in dpv)
    assert missing == []


def test_every_used_dpv_iri_is_declared_in_the_module(used: set[URIRef]) -> None:
    module = read_graph(ROOT / "ontology" / "dpv-module.ttl")
    module += read_graph(ROOT / "ontology" / "policykg.ttl")
    undeclared = sorted(
        str(iri)
        for iri in used
        if not (
            set(module.objects(iri, RDF.type))
            & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}
        )
    )
    assert undeclared == []
    unlabelled = sorted(str(iri) for iri in used if module.value(iri, RDFS.label) is None)
    assert unlabelled == []


@needs_dpv
def test_a_misspelt_dpv_term_is_caught(tmp_path, dpv: Graph) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.ttl").write_text(
        "@prefix pd: <https://w3id.org/dpv/pd#> .\n<urn:x> <urn:p> pd:PhoneNumber .\n",
        encoding="utf-8",
    )
    used = used_dpv_iris(tmp_path)
    assert [str(i) for i in used if (i, None, None) not in dpv] == ["https://w3id.org/dpv/pd#PhoneNumber"]


def test_project_terms_have_label_definition_and_source() -> None:
    graph = read_graph(ROOT / "ontology" / "policykg.ttl") + read_graph(ROOT / "ontology" / "instruments.ttl")
    from rdflib.namespace import DCTERMS, SKOS

    from policykg.namespaces import PKG

    terms = {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(PKG))}
    assert len(terms) > 40
    for term in terms:
        assert graph.value(term, RDFS.label) is not None, term
        if not str(term).startswith(str(PKG) + "Event-"):
            assert graph.value(term, SKOS.definition) is not None, term
        assert (
            graph.value(term, DCTERMS.source) is not None or graph.value(term, RDFS.isDefinedBy) is not None
        ), term

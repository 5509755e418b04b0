"""Every shape can fire, and fires alone: a small conforming policy version, then one mutation per
shape that must trigger exactly that shape (focus node and severity checked)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from policykg.evidence import Annotator, sha256_file
from policykg.load import LoadResult
from policykg.namespaces import DPV, EU_GDPR, ID, OA, PD, PKG, SH
from policykg.validation import Finding, load_shapes, validate_graph

from .test_contradiction_rules import RULE_SHAPES as CONTRADICTION_RULES

AS_OF = date(2026, 11, 23)
V = URIRef(f"{ID}policy/example/2024-03-01")
ORG = URIRef(f"{ID}org/example-ltd")
UNNAMED = URIRef(f"{ID}org/unnamed-processor")  # a processor the annotator forgot to name
TEXT = (
    "Example Ltd privacy notice. Last updated: 1 March 2024. Example Ltd, 1 Main Street, Dublin, is the "
    "controller; write to privacy@example.org. We send newsletters to subscribers to your e-mail address "
    "based on your consent. We keep it until you unsubscribe. Our hosting provider processes it. "
    "Transfers to the US rely on the EU-U.S. Data Privacy Framework. You have the right of access, to "
    "rectification, to erasure, to restriction, to data portability, to object, to withdraw consent, "
    "and to lodge a complaint with a supervisory authority."
)


def conforming() -> Annotator:
    a = Annotator(V, TEXT)
    a.add(V, RDF.type, PKG.PolicyVersion)
    a.add(V, PKG.vendor, URIRef(f"{ID}vendor/example"))
    a.add(V, PKG.sourceFile, Literal("example.txt"))
    a.add(V, PKG.sourceSha256, Literal("0" * 64))
    a.add(V, PKG.dateKind, PKG.LastUpdated)
    a.add(V, PKG.dateNotation, Literal("D Month Y"))
    a.fact(V, PKG.statedDate, Literal("2024-03-01", datatype=XSD.date), "1 March 2024")
    a.add(ORG, RDF.type, DPV.Organisation)
    a.fact(V, DPV.hasDataController, ORG, "is the controller")
    a.fact(ORG, DPV.hasName, Literal("Example Ltd"), "Example Ltd")
    a.fact(ORG, DPV.hasContact, Literal("privacy@example.org"), "privacy@example.org")
    p = a.iri("process", "newsletter")
    a.add(p, RDF.type, DPV.Process)
    a.add(p, RDFS.label, Literal("Newsletter"))
    a.add(V, DPV.hasProcess, p)
    a.fact(p, DPV.hasDataController, ORG, "is the controller")
    a.fact(p, DPV.hasPurpose, DPV.DirectMarketing, "We send newsletters")
    a.fact(p, DPV.hasDataSubject, DPV.Subscriber, "subscribers")
    a.fact(p, DPV.hasPersonalData, PD.EmailAddress, "your e-mail address")
    a.fact(p, DPV.hasLegalBasis, EU_GDPR["A6-1-a"], "based on your consent")
    retention = a.iri("retention", "until-unsubscribe")
    a.add(retention, RDF.type, DPV.StorageDuration)
    a.add(retention, DPV.hasDuration, DPV.UntilEventDuration)
    a.fact(p, DPV.hasStorageCondition, retention, "We keep it until you unsubscribe")
    hosting = a.iri("recipient", "hosting")
    a.add(hosting, RDF.type, DPV.DataProcessor)
    a.add(hosting, RDFS.label, Literal("hosting provider"))
    a.fact(p, DPV.hasDataProcessor, hosting, "Our hosting provider processes it")
    t = a.iri("process", "transfer")
    a.add(t, RDF.type, DPV.Process)
    a.add(t, RDFS.label, Literal("Transfer to the US"))
    a.add(V, DPV.hasProcess, t)
    a.add(t, DPV.hasProcessing, DPV.CrossBorderTransfer)
    a.fact(t, DPV.hasDataExporter, ORG, "Example Ltd")
    a.fact(t, DPV.hasLegalBasis, PKG["EU-US-DataPrivacyFramework"], "EU-U.S. Data Privacy Framework")
    for right, quote in [
        ("A15", "right of access"),
        ("A16", "to rectification"),
        ("A17", "to erasure"),
        ("A18", "to restriction"),
        ("A20", "to data portability"),
        ("A21", "to object"),
        ("A7-3", "to withdraw consent"),
        ("A77", "to lodge a complaint with a supervisory authority"),
    ]:
        a.fact(V, DPV.hasRight, EU_GDPR[right], quote)
    return a


def _remove(graph: Graph, s: URIRef | None, p: URIRef, o: object = None) -> None:
    for triple in list(graph.triples((s, p, o))):  # type: ignore[arg-type]
        graph.remove(triple)


def _shapes_fired(findings: list[Finding]) -> set[str]:
    return {f.shape.rsplit("#", 1)[-1] for f in findings}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes("all")


def _validate(graph: Graph, loaded: LoadResult, shapes: Graph, as_of: date = AS_OF) -> list[Finding]:
    return validate_graph(str(V), graph, loaded.ontology, shapes, as_of)


def test_conforming_fixture_has_no_findings_but_the_dpf_challenge(loaded: LoadResult, shapes: Graph) -> None:
    findings = _validate(conforming().graph, loaded, shapes)
    assert [(f.shape.rsplit("#", 1)[-1], f.severity) for f in findings] == [
        ("ChallengedInstrumentShape", "info")
    ]


def _p(a: Annotator) -> URIRef:
    return a.iri("process", "newsletter")


def _t(a: Annotator) -> URIRef:
    return a.iri("process", "transfer")


def _relying_on(instrument: str, day: str = "2024-03-01") -> Callable[[Annotator], None]:
    """The transfer relies on another instrument (with evidence), in a version of another date."""

    def mutate(a: Annotator) -> None:
        _remove(a.graph, _t(a), DPV.hasLegalBasis)
        a.fact(_t(a), DPV.hasLegalBasis, PKG[instrument], "EU-U.S. Data Privacy Framework")
        _remove(a.graph, V, PKG.statedDate)
        a.fact(V, PKG.statedDate, Literal(day, datatype=XSD.date), "1 March 2024")

    return mutate


def _drop_right(article: str) -> Callable[[Annotator], None]:
    return lambda a: _remove(a.graph, V, DPV.hasRight, EU_GDPR[article])


def _evidence_of(a: Annotator, s: URIRef, p: URIRef) -> URIRef:
    found = next(a.graph.subjects(PKG.factProperty, p))
    for ev in a.graph.subjects(PKG.factProperty, p):
        if (ev, PKG.factSubject, s) in a.graph:
            found = ev
    assert isinstance(found, URIRef)
    return found


# shape -> (mutation, expected severity, expected focus node; None = the policy version)
MUTATIONS: dict[str, tuple[Callable[[Annotator], object], str, URIRef | None]] = {
    "PolicyVersionShape": (lambda a: _remove(a.graph, V, PKG.sourceSha256), "violation", None),
    "ProcessShape": (lambda a: a.graph.add((_p(a), DPV.hasPurpose, EU_GDPR["A6-1-a"])), "violation", None),
    "RightsShape": (lambda a: a.graph.add((V, DPV.hasRight, DPV.DirectMarketing)), "violation", None),
    "EvidenceShape": (lambda a: _remove(a.graph, None, OA.exact), "violation", None),
    "FactsNeedEvidenceShape": (
        lambda a: a.graph.add((_p(a), DPV.hasPersonalData, PD.Name)),
        "violation",
        None,
    ),
    "Art13-1-a-Shape": (lambda a: _remove(a.graph, ORG, DPV.hasName), "warning", None),
    "Art13-1-a-contact-Shape": (lambda a: _remove(a.graph, ORG, DPV.hasContact), "warning", None),
    "Art13-1-b-Shape": (lambda a: a.graph.add((V, RDFS.seeAlso, URIRef("urn:x"))), "info", None),
    "Art13-1-c-Shape": (lambda a: _remove(a.graph, _p(a), DPV.hasLegalBasis), "warning", None),
    "Art13-1-d-Shape": (
        lambda a: a.fact(_p(a), DPV.hasLegalBasis, EU_GDPR["A6-1-f"], "based on your consent"),
        "warning",
        None,
    ),
    "Art13-1-e-Shape": (lambda a: _remove(a.graph, _p(a), DPV.hasDataProcessor), "warning", None),
    "Art13-2-a-Shape": (lambda a: _remove(a.graph, _p(a), DPV.hasStorageCondition), "warning", None),
    **{
        f"Art13-2-b-{r}-Shape": (_drop_right(r), "warning", None)
        for r in ("A15", "A16", "A17", "A18", "A20", "A21")
    },
    "Art13-2-c-Shape": (_drop_right("A7-3"), "warning", None),
    "Art13-2-d-Shape": (_drop_right("A77"), "warning", None),
    "InvalidInstrumentShape": (_relying_on("SCC-2010-87", "2020-01-01"), "violation", None),
    "ClosedInstrumentShape": (_relying_on("SCC-2010-87", "2020-01-01"), "warning", None),
    "UnrecognisedInstrumentShape": (_relying_on("Swiss-US-PrivacyShield", "2020-01-01"), "warning", None),
    "ChallengedInstrumentShape": (lambda a: None, "info", None),
    "CitedAfterInvalidationShape": (_relying_on("EU-US-SafeHarbor", "2021-01-01"), "violation", None),
    "CitedAfterUpdateDeadlineShape": (_relying_on("EU-US-PrivacyShield", "2024-03-01"), "warning", None),
    "ObsoleteStandardShape": (lambda a: a.fact(V, PKG.citesStandard, PKG.P3P, "Example Ltd"), "info", None),
    "ContradictionShape": (lambda a: _contradiction(a), "warning", URIRef(f"{V}/contradiction/x")),
    "NamedRecipientShape": (
        lambda a: a.fact(_p(a), DPV.hasDataProcessor, UNNAMED, "Our hosting provider"),
        "violation",
        UNNAMED,
    ),
    "EvidenceSpanShape": (lambda a: _stretch_an_offset(a), "violation", None),
    "TransferWithoutSafeguardShape": (lambda a: _remove(a.graph, _t(a), DPV.hasLegalBasis), "warning", None),
}


# Shapes that compare versions with each other need two versions: tested on a synthetic corpus in
# tests/test_scale.py (test_changed_policy_is_the_only_one_revalidated).
CROSS_POLICY = {"DistinctVersionDatesShape"}

# Shapes whose problem exists only in a window of time: the analysis date of their mutation.
# SCC 2010/87 was closed to new contracts from 2021-09-27 and invalid from 2022-12-28; only the
# decisive status is a finding (one finding per problem), so "closed" is seen in between.
MUTATION_AS_OF = {"ClosedInstrumentShape": date(2022, 6, 1)}

# A mutation may legitimately fire a related shape too (the same fact seen by two checks).
ALSO_FIRES: dict[str, set[str]] = {
    "CitedAfterInvalidationShape": {
        "InvalidInstrumentShape"
    },  # Safe Harbor: invalid on the analysis date too
    "CitedAfterUpdateDeadlineShape": {
        "InvalidInstrumentShape",
        "CitedAfterInvalidationShape",
    },  # Privacy Shield
    "Art13-1-a-Shape": {"NamedRecipientShape"},  # a controller without a name breaks the data gate too
    "ProcessShape": {"FactsNeedEvidenceShape"},  # the wrong value is added without evidence
    "RightsShape": {"FactsNeedEvidenceShape"},
}


def _stretch_an_offset(a: Annotator) -> None:
    """One evidence node whose oa:end no longer spans its quote (found without the source text)."""
    selector, end = sorted(a.graph.subject_objects(OA.end))[0]
    a.graph.set((selector, OA.end, Literal(int(str(end)) + 3, datatype=XSD.integer)))


def _contradiction(a: Annotator) -> None:
    c = URIRef(f"{V}/contradiction/x")
    a.graph.add((c, RDF.type, PKG.Contradiction))
    a.graph.add((c, PKG.statement, _evidence_of(a, _p(a), DPV.hasPurpose)))
    a.graph.add((c, PKG.statement, _evidence_of(a, _p(a), DPV.hasLegalBasis)))


def test_every_shape_has_a_mutation(shapes: Graph) -> None:
    named = {
        str(s).rsplit("#", 1)[-1] for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)
    }
    # the contradiction rules have their own fixtures (fires / near miss) in test_contradiction_rules.py
    assert named == set(MUTATIONS) | CROSS_POLICY | set(CONTRADICTION_RULES)


@pytest.mark.parametrize("shape", sorted(MUTATIONS))
def test_mutation_triggers_its_shape(shape: str, loaded: LoadResult, shapes: Graph) -> None:
    mutate, severity, focus = MUTATIONS[shape]
    annotator = conforming()
    if shape == "Art13-1-b-Shape":  # a DPO whose contact is not in the text
        dpo = URIRef(f"{ID}org/example-dpo")
        annotator.graph.add((V, DPV.hasDataProtectionOfficer, dpo))
        annotator.graph.add((dpo, RDFS.label, Literal("Example DPO")))
        annotator.graph.add((dpo, RDF.type, DPV.DataProtectionOfficer))
        annotator.fact(V, DPV.hasDataProtectionOfficer, dpo, "Example Ltd")
    mutate(annotator)
    as_of = MUTATION_AS_OF.get(shape, AS_OF)
    findings = [f for f in _validate(annotator.graph, loaded, shapes, as_of) if f.shape.endswith(f"#{shape}")]
    assert findings, f"{shape} did not fire"
    assert {f.severity for f in findings} == {severity}
    if focus is not None:
        assert {f.focus for f in findings} == {str(focus)}
    baseline = {"ChallengedInstrumentShape"}
    fired = _shapes_fired(_validate(annotator.graph, loaded, shapes, as_of)) - baseline
    allowed = {shape} | ALSO_FIRES.get(shape, set())
    assert fired <= allowed, f"{shape} mutation also fired {fired - allowed}"


def test_sha_of_the_shipped_sources_is_what_the_data_says(loaded: LoadResult) -> None:
    from .conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    for entry in loaded.policies:
        graph = loaded.store.graph(entry.iri)
        source = str(graph.value(entry.iri, PKG.sourceFile))
        assert str(graph.value(entry.iri, PKG.sourceSha256)) == sha256_file(SEEDS / source)
    assert DCTERMS.title  # keeps the import honest

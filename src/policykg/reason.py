"""OWL consistency with HermiT (through owlready2), and a diagnosis that names individuals.

HermiT answers "consistent or not" but does not say why. When it says "inconsistent", the
diagnosis looks for the common cause in this project: an individual that falls, through its
asserted types, the types of its parents and the ranges policykg commits to, into two classes
declared disjoint (e.g. a transfer instrument used as a purpose).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from .errors import PolicyKGError
from .namespaces import PKG, PREFIXES
from .ontology import superclass_closure

_DROP_FOR_REASONING = {PKG.factValue, PKG.factProperty, OWL.imports}
"""Evidence bookkeeping that mixes IRIs and literals (outside OWL 2 DL) and imports that
owlready2 would try to fetch from the web; neither bears on consistency."""

_HERMIT_UNSUPPORTED = {XSD.date: XSD.dateTime, XSD.duration: XSD.string, XSD.gYear: XSD.string}
"""HermiT refuses datatypes outside the OWL 2 datatype map (xsd:date among them)."""


class ReasonerUnavailable(PolicyKGError):
    """Java or HermiT cannot be started."""


@dataclass(frozen=True)
class Clash:
    individual: str
    first: str
    second: str
    reasons: tuple[str, ...]

    def describe(self) -> str:
        why = "; ".join(self.reasons)
        return f"{self.individual} is both {self.first} and {self.second} (disjoint): {why}"


@dataclass
class ConsistencyReport:
    consistent: bool
    triples: int
    clashes: list[Clash] = field(default_factory=list)
    detail: str = ""


def _hermit_compatible(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        if p in _DROP_FOR_REASONING:
            continue
        if isinstance(o, Literal) and o.datatype in _HERMIT_UNSUPPORTED:
            new_type = _HERMIT_UNSUPPORTED[o.datatype]
            text = f"{o}T00:00:00Z" if new_type == XSD.dateTime else str(o)
            o = Literal(text, datatype=new_type)
        elif isinstance(o, URIRef) and o in _HERMIT_UNSUPPORTED:  # e.g. rdfs:range xsd:date
            o = _HERMIT_UNSUPPORTED[o]
        out.add((s, p, o))
    return out


def _run_hermit(graph: Graph) -> tuple[bool, str]:
    try:
        import owlready2
        from owlready2.base import OwlReadyInconsistentOntologyError
    except ImportError as err:  # pragma: no cover - dependency of the package
        raise ReasonerUnavailable(f"owlready2 is not installed: {err}") from None
    if shutil.which(owlready2.JAVA_EXE) is None:
        raise ReasonerUnavailable(
            "Java is needed for HermiT but was not found (install a JRE, e.g. "
            "'apt-get install default-jre-headless')"
        )
    with tempfile.TemporaryDirectory(prefix="policykg-reason-") as tmp:
        path = Path(tmp) / "merged.nt"
        path.write_text(graph.serialize(format="nt"), encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load()
        try:
            with world.get_ontology("http://policykg.invalid/inferences/"):
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError:
            return False, "HermiT: the ontology is inconsistent"
        except Exception as err:  # owlready2 raises bare Exceptions for Java failures
            first = str(err).strip().splitlines()
            raise ReasonerUnavailable(f"HermiT failed: {first[-1] if first else err}") from None
        finally:
            world.close()
    return True, "HermiT: consistent"


def _disjoint_pairs(graph: Graph) -> set[frozenset[URIRef]]:
    pairs: set[frozenset[URIRef]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add(frozenset((a, b)))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = graph.value(node, OWL.members)
        if isinstance(members, BNode):
            classes = [m for m in Collection(graph, members) if isinstance(m, URIRef)]
            for i, a in enumerate(classes):
                for b in classes[i + 1 :]:
                    pairs.add(frozenset((a, b)))
    return pairs


def diagnose(graph: Graph) -> list[Clash]:
    """Individuals whose types fall into two disjoint classes, with the reason for each type."""
    up = superclass_closure(graph)
    disjoint = _disjoint_pairs(graph)
    reasons: dict[URIRef, dict[Node, str]] = defaultdict(dict)
    for ind, cls in graph.subject_objects(RDF.type):
        if isinstance(ind, URIRef) and isinstance(cls, URIRef):
            for sup in up(cls):
                reasons[ind].setdefault(sup, f"typed {graph.qname(cls)}")
    for prop, rng in graph.subject_objects(RDFS.range):
        if not isinstance(rng, URIRef):
            continue
        for subj, value in graph.subject_objects(prop):
            if isinstance(value, URIRef):
                why = f"value of {graph.qname(str(prop))} on <{subj}>"
                for sup in up(rng):
                    reasons[value].setdefault(sup, why)
    clashes = []
    for ind, types in sorted(reasons.items()):
        for pair in sorted(disjoint, key=lambda p: sorted(p)):
            a, b = sorted(pair)
            if a in types and b in types:
                clashes.append(Clash(str(ind), graph.qname(a), graph.qname(b), (types[a], types[b])))
    return clashes


def check_consistency(graphs: Iterable[Graph]) -> ConsistencyReport:
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    for prefix, ns in PREFIXES.items():
        merged.bind(prefix, ns)
    consistent, detail = _run_hermit(_hermit_compatible(merged))
    report = ConsistencyReport(consistent=consistent, triples=len(merged), detail=detail)
    if not consistent:
        report.clashes = diagnose(merged)
    return report

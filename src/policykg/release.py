"""Release artefacts: the ontology for editors, the graph in every format, the JSON-LD context,
a VoID/DCAT description with counts, and a changelog entry of what changed since the previous
release found in the same folder."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from . import __version__
from .export import CONTEXT_FILE, FORMATS, FRAME_FILE, SUFFIX, context_dir, export
from .namespaces import DCAT, PKG, bind_prefixes
from .rdfio import write_atomic
from .store import CATALOGUE_GRAPH, ONTOLOGY_GRAPH, GraphStore

VOID = Namespace("http://rdfs.org/ns/void#")
DATASET_IRI = URIRef("https://w3id.org/policykg/dataset")
GRAPH_STEM = "policykg"
HASHES_FILE = "graph-hashes.tsv"


@dataclass
class ReleaseReport:
    files: list[Path]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    previous_version: str | None = None


def _graph_hashes(store: GraphStore) -> dict[str, str]:
    """One hash per policy graph, from its canonical N-Quads: equal content, equal hash."""
    hashes = {}
    for name in store.graph_names():
        if name in (ONTOLOGY_GRAPH, CATALOGUE_GRAPH):
            continue
        hashes[str(name)] = hashlib.sha256(export(store, "nquads", str(name)).encode()).hexdigest()
    return hashes


def _read_hashes(path: Path) -> tuple[str | None, dict[str, str]]:
    if not path.is_file():
        return None, {}
    lines = path.read_text(encoding="utf-8").splitlines()
    version = (
        lines[0].removeprefix("# version ").strip() if lines and lines[0].startswith("# version") else None
    )
    pairs = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return version, {graph: digest for graph, digest in pairs}


def void_description(store: GraphStore, today: date) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    d = DATASET_IRI
    policy_graphs = [n for n in store.graph_names() if n not in (ONTOLOGY_GRAPH, CATALOGUE_GRAPH)]
    vendors = {o for n in policy_graphs for o in store.graph(n).objects(n, PKG.vendor)}
    graph.add((d, RDF.type, VOID.Dataset))
    graph.add((d, RDF.type, DCAT.Dataset))
    graph.add(
        (
            d,
            DCTERMS.title,
            Literal("policykg: privacy policies as an evidence-backed knowledge graph", lang="en"),
        )
    )
    graph.add((d, DCTERMS.hasVersion, Literal(__version__)))
    graph.add((d, DCTERMS.issued, Literal(today.isoformat(), datatype=XSD.date)))
    graph.add((d, VOID.triples, Literal(len(store), datatype=XSD.integer)))
    graph.add((d, VOID.vocabulary, URIRef("https://w3id.org/dpv#")))
    graph.add((d, PKG.policyVersionCount, Literal(len(policy_graphs), datatype=XSD.integer)))
    graph.add((d, PKG.vendorCount, Literal(len(vendors), datatype=XSD.integer)))
    for fmt in FORMATS:
        dist = BNode(f"dist-{fmt}")
        graph.add((d, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCAT.downloadURL, URIRef(f"{GRAPH_STEM}{SUFFIX[fmt]}")))
        graph.add((dist, DCTERMS.format, Literal(fmt)))
    for name in policy_graphs:
        sub = BNode(f"graph-{hashlib.sha1(str(name).encode()).hexdigest()[:12]}")
        graph.add((d, VOID.subset, sub))
        graph.add((sub, RDF.type, VOID.Dataset))
        graph.add((sub, PKG.namedGraph, name))
        graph.add((sub, VOID.triples, Literal(len(store.graph(name)), datatype=XSD.integer)))
    return graph


def _ontology_graph(store: GraphStore) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    for triple in store.graph(ONTOLOGY_GRAPH):
        graph.add(triple)
    return graph


def make_release(store: GraphStore, out: Path, today: date | None = None) -> ReleaseReport:
    today = today or date.today()
    out.mkdir(parents=True, exist_ok=True)
    previous_version, previous = _read_hashes(out / HASHES_FILE)
    current = _graph_hashes(store)
    report = ReleaseReport(files=[], previous_version=previous_version)
    report.added = sorted(set(current) - set(previous))
    report.removed = sorted(set(previous) - set(current))
    report.changed = sorted(g for g in set(current) & set(previous) if current[g] != previous[g])

    def write(name: str, text: str) -> None:
        write_atomic(out / name, text)
        report.files.append(out / name)

    ontology = _ontology_graph(store)
    write("policykg-ontology.ttl", str(ontology.serialize(format="turtle")))
    write("policykg-ontology.owl", str(ontology.serialize(format="xml")))
    for fmt in FORMATS:
        write(f"{GRAPH_STEM}{SUFFIX[fmt]}", export(store, fmt))
    for name in (CONTEXT_FILE, FRAME_FILE):
        write(name, (context_dir() / name).read_text(encoding="utf-8"))
    write("void.ttl", str(void_description(store, today).serialize(format="turtle")))
    write(
        HASHES_FILE, f"# version {__version__}\n" + "".join(f"{g}\t{h}\n" for g, h in sorted(current.items()))
    )
    write("CHANGELOG.md", _changelog(out / "CHANGELOG.md", report, len(store), len(current), today))
    return report


def _changelog(path: Path, report: ReleaseReport, triples: int, versions: int, today: date) -> str:
    since = f"since {report.previous_version}" if report.previous_version else "first release"
    lines = [f"## {__version__} ({today.isoformat()}), {since}", ""]
    lines.append(f"- {triples} triples, {versions} policy versions")
    for label, items in (("added", report.added), ("removed", report.removed), ("changed", report.changed)):
        for graph in items:
            lines.append(f"- policy version {label}: <{graph}>")
    if report.previous_version and not (report.added or report.removed or report.changed):
        lines.append("- no policy version changed")
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Changelog\n\n"
    head, _, rest = old.partition("\n\n")
    return f"{head}\n\n" + "\n".join(lines) + "\n\n" + rest

"""`policykg release`: artefacts, counts, the RDF/XML ontology, and a changelog of what changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from policykg.cli import main
from policykg.load import LoadResult
from policykg.store import ONTOLOGY_GRAPH

VOID = "http://rdfs.org/ns/void#"


@pytest.mark.slow  # the graph in every format, JSON-LD included
def test_release_artefacts_counts_and_changelog(
    runner: CliRunner, tmp_path: Path, data_copy: Path, loaded: LoadResult
) -> None:
    out = tmp_path / "dist"
    first = runner.invoke(main, ["release", "--output", str(out), "--data-dir", str(data_copy)])
    assert first.exit_code == 0, first.output
    assert "5 added, 0 removed, 0 changed" in first.output
    names = {p.name for p in out.iterdir()}
    assert {
        "policykg-ontology.ttl",
        "policykg-ontology.owl",
        "policykg.ttl",
        "policykg.trig",
        "policykg.nt",
        "policykg.nq",
        "policykg.jsonld",
        "policykg.context.jsonld",
        "policykg.frame.jsonld",
        "void.ttl",
        "CHANGELOG.md",
    } <= names
    assert (out / "policykg.nq").stat().st_mode & 0o044 == 0o044  # readable by others, like any file
    void = Graph().parse(out / "void.ttl")
    dataset = URIRef("https://w3id.org/policykg/dataset")
    assert void.value(dataset, URIRef(f"{VOID}triples")) == Literal(len(loaded.store), datatype=XSD.integer)
    assert void.value(dataset, URIRef("https://w3id.org/policykg#vendorCount")) == Literal(
        4, datatype=XSD.integer
    )
    assert void.value(dataset, URIRef("https://w3id.org/policykg#policyVersionCount")) == Literal(
        5, datatype=XSD.integer
    )
    owl = Graph().parse(out / "policykg-ontology.owl", format="xml")
    assert isomorphic(owl, loaded.store.graph(ONTOLOGY_GRAPH))  # nothing lost for Protégé

    same = runner.invoke(main, ["release", "--output", str(out), "--data-dir", str(data_copy)])
    assert "compared with 0.1.0: 0 added, 0 removed, 0 changed" in same.output
    trig = data_copy / "talkdesk" / "2019-12-31.trig"
    trig.write_text(
        trig.read_text(encoding="utf-8").replace(
            '"Talkdesk Privacy Policy"', '"Talkdesk Privacy Policy (2)"'
        ),
        encoding="utf-8",
    )
    changed = runner.invoke(main, ["release", "--output", str(out), "--data-dir", str(data_copy)])
    assert "0 added, 0 removed, 1 changed" in changed.output
    log = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert log.index(
        "policy version changed: <https://w3id.org/policykg/id/policy/talkdesk/2019-12-31>"
    ) < log.index("- no policy version changed")  # newest entry first

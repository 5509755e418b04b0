"""HermiT consistency of the shipped ontology + data, and a broken fixture it must reject."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from policykg.cli import main
from policykg.load import LoadResult
from policykg.rdfio import read_graph
from policykg.reason import check_consistency, diagnose

from .conftest import ROOT, needs_java

BROKEN = ROOT / "tests" / "fixtures" / "inconsistent-instrument-as-purpose.ttl"


@pytest.mark.slow  # HermiT on Java
@needs_java
def test_shipped_ontology_and_data_are_consistent(loaded: LoadResult) -> None:
    graphs = [loaded.store.graph(n) for n in loaded.store.graph_names()]
    report = check_consistency(graphs)
    assert report.consistent, report.clashes
    assert report.triples > 10000


@pytest.mark.slow  # HermiT on Java
@needs_java
def test_instrument_used_as_purpose_is_inconsistent_and_named(runner: CliRunner) -> None:
    result = runner.invoke(main, ["reason", str(BROKEN)])
    assert result.exit_code == 1
    assert "inconsistent" in result.output
    assert (
        "https://w3id.org/policykg#EU-US-PrivacyShield is both dpv:Purpose and pkg:TransferInstrument"
        in result.output
    )
    assert (
        "value of dpv:hasPurpose on <https://w3id.org/policykg/id/policy/example/2020-01-01/process/marketing>"
        in result.output
    )


@pytest.mark.slow  # HermiT on Java
@needs_java
def test_reason_cli_consistent_exit_0(runner: CliRunner) -> None:
    result = runner.invoke(main, ["reason"])
    assert result.exit_code == 0, result.output
    assert "HermiT: consistent" in result.output


def test_diagnosis_without_reasoner_finds_the_clash(loaded: LoadResult) -> None:
    graph = read_graph(BROKEN)
    for triple in loaded.ontology:
        graph.add(triple)
    clashes = diagnose(graph)
    assert {c.individual for c in clashes} == {"https://w3id.org/policykg#EU-US-PrivacyShield"}
    assert not diagnose(loaded.ontology)


def test_turtle_syntax_error_names_file_and_line(runner: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        '@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:d ex:e "unterminated .\n',
        encoding="utf-8",
    )
    result = runner.invoke(main, ["reason", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3: syntax error" in result.output
    assert "Traceback" not in result.output

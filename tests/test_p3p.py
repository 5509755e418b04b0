"""P3P compact policies: the mapping table, the seed's tokens as DPV statements with their
evidence, and the import-p3p command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import RDF, Dataset, URIRef

from policykg.cli import main
from policykg.load import LoadResult
from policykg.namespaces import DPV, PD, PKG, TECH
from policykg.p3p import parse_compact_policy, read_mapping

from .conftest import SEEDS, needs_seeds

CT2018 = URIRef("https://w3id.org/policykg/id/policy/cloudtalk/undated-2018")


def test_mapping_table_covers_every_token_of_the_seed() -> None:
    mapping = read_mapping()
    tokens = "NOI CURa ADMa DEVa TAIa CONa OUR DELa BUS IND PHY ONL UNI PUR COM NAV DEM STA"
    for token, _suffix in parse_compact_policy(f'CP="{tokens}"'):
        assert token in mapping, token
    assert mapping["CUR"].value == "dpv:ServiceProvision"
    assert mapping["NAV"].value == "pd:BrowsingBehaviour"


def test_seed_p3p_tokens_became_dpv_statements_with_token_evidence(loaded: LoadResult) -> None:
    graph = loaded.store.graph(CT2018)
    process = URIRef(f"{CT2018}/process/p3p-compact-policy")
    assert len(set(graph.objects(process, PKG.p3pToken))) == 18
    assert (process, DPV.hasPurpose, DPV.ResearchAndDevelopment) in graph  # DEVa
    assert (process, DPV.hasPersonalData, PD.BrowsingBehaviour) in graph  # NAV
    assert (process, DPV.isImplementedUsingTechnology, TECH.Cookie) in graph  # STA
    quotes = {
        str(row[0])  # type: ignore[index]
        for row in graph.query(
            """
        SELECT ?q WHERE { ?ev pkg:factSubject ?p ; pkg:factProperty pkg:p3pToken ; pkg:factValue "CURa" ;
                                oa:hasSelector/oa:exact ?q }""",
            initBindings={"p": process},
        )
    }
    assert quotes == {"CURa The data is used for completion of the current activity."}


def test_bad_p3p_token_is_rejected() -> None:
    from policykg.errors import UnknownTermError

    with pytest.raises(UnknownTermError, match="'XYZq'"):
        parse_compact_policy('CP="NOI XYZq"')


@needs_seeds
def test_import_p3p_cli_writes_a_named_graph(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "p3p.trig"
    policy = "https://example.org/policy/1"
    source = str(SEEDS / "002_235c97a6a54df4dc.txt")

    def import_p3p(header: str) -> Result:
        return runner.invoke(
            main, ["import-p3p", "--source", source, "--policy", policy, "--cp", header, "--output", str(out)]
        )

    result = import_p3p('CP="NOI DEVa NAV"')
    assert result.exit_code == 0, result.output
    dataset = Dataset()
    dataset.parse(out, format="trig")
    graph = dataset.graph(URIRef(policy))
    assert {str(t) for t in graph.objects(None, PKG.p3pToken)} == {"NOI", "DEVa", "NAV"}
    assert (None, DPV.hasPurpose, DPV.ResearchAndDevelopment) in graph
    # its tokens are the union over the policy's statements: the retention rule does not pair them
    assert (None, RDF.type, PKG.CompactPolicy) in graph
    bad = import_p3p('CP="NOI QQQ"')
    assert bad.exit_code == 2 and "unknown P3P compact-policy token 'QQQ'" in bad.output

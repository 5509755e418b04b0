"""P3P import through the mapping table, the build (main job), and CLI conventions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef

from policykg.cli import main
from policykg.load import LoadResult
from policykg.namespaces import DPV, PD, PKG, TECH
from policykg.p3p import parse_compact_policy, read_mapping

from .conftest import SEEDS, needs_java, needs_seeds

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
    result = runner.invoke(
        main,
        [
            "import-p3p",
            "--source",
            str(SEEDS / "002_235c97a6a54df4dc.txt"),
            "--policy",
            policy,
            "--cp",
            'CP="NOI DEVa NAV"',
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    dataset = Dataset()
    dataset.parse(out, format="trig")
    graph = dataset.graph(URIRef(policy))
    assert {str(t) for t in graph.objects(None, PKG.p3pToken)} == {"NOI", "DEVa", "NAV"}
    assert (None, DPV.hasPurpose, DPV.ResearchAndDevelopment) in graph
    bad = runner.invoke(
        main,
        [
            "import-p3p",
            "--source",
            str(SEEDS / "002_235c97a6a54df4dc.txt"),
            "--policy",
            policy,
            "--cp",
            'CP="NOI QQQ"',
            "--output",
            str(out),
        ],
    )
    assert bad.exit_code == 2 and "unknown P3P compact-policy token 'QQQ'" in bad.output


@needs_seeds
@needs_java
def test_build_prints_summary_and_headline_answer(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "policykg.trig"
    result = runner.invoke(main, ["build", "--as-of", "2026-11-23", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "loaded 5 policy versions" in result.output
    assert re.search(r"evidence: \d+ quotes checked, 0 mismatches", result.output)
    assert "reasoning: HermiT: consistent" in result.output
    assert "validation (data profile): 0 violations" in result.output
    assert "still cites Privacy Shield: CloudCall, Talkdesk" in result.output
    dataset = Dataset()
    dataset.parse(out, format="trig")
    assert len({g.identifier for g in dataset.graphs() if len(g)}) == 7


def test_failed_build_leaves_previous_output_untouched(
    runner: CliRunner, tmp_path: Path, data_copy: Path
) -> None:
    out = tmp_path / "policykg.trig"
    out.write_text("previous export\n", encoding="utf-8")
    (data_copy / "cloudcall" / "2018-01-16.trig").write_text("this is not TriG {", encoding="utf-8")
    result = runner.invoke(main, ["build", "--data-dir", str(data_copy), "--output", str(out), "--no-reason"])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous export\n"


def test_write_into_missing_directory_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", "--no-reason", "--output", str(tmp_path / "nope" / "x.trig")])
    assert result.exit_code == 2
    assert "output directory does not exist" in result.output


def test_version_and_help_document_exit_codes(runner: CliRunner) -> None:
    from policykg import __version__

    assert runner.invoke(main, ["--version"]).output.strip() == f"policykg, version {__version__}"
    for command in (
        [],
        ["build"],
        ["validate"],
        ["query"],
        ["reason"],
        ["instrument-status"],
        ["evidence", "check"],
    ):
        help_text = runner.invoke(main, [*command, "--help"]).output
        assert "Exit codes: 0 ok, 1 findings, 2 bad input or usage." in help_text, command


def test_catalogue_must_name_existing_graph(runner: CliRunner, data_copy: Path) -> None:
    path = data_copy / "kloudtalk" / "undated-2024.trig"
    text = path.read_text(encoding="utf-8").replace(
        "kloudtalk/undated-2024> {", "kloudtalk/undated-2023> {", 1
    )
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["validate", "--data-dir", str(data_copy)])
    assert result.exit_code == 2
    assert (
        "expected one named graph <https://w3id.org/policykg/id/policy/kloudtalk/undated-2024>"
        in result.output
    )


def test_dates_parse_in_the_texts_notation() -> None:
    from datetime import date

    from policykg.dates import parse_policy_date
    from policykg.errors import BadValueError

    assert parse_policy_date("16/01/18", "D/M/Y") == date(2018, 1, 16)
    assert parse_policy_date("Feb 2nd, 2018", "Month D, Y") == date(2018, 2, 2)
    assert parse_policy_date("December 31, 2019", "Month D, Y") == date(2019, 12, 31)
    assert parse_policy_date("6 August 2025", "D Month Y") == date(2025, 8, 6)
    with pytest.raises(BadValueError):
        parse_policy_date("16/13/18", "D/M/Y")
    assert Literal("2018-01-16")  # keep rdflib import used

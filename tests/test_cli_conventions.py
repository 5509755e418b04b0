"""Conventions every command keeps: exit codes documented in --help, a version, and bad input
(a catalogue entry naming another graph) as one clear line with exit code 2."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policykg.cli import main


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


def test_store_means_the_store_every_command_works_on(runner: CliRunner, tmp_path: Path) -> None:
    """'policykg --store DIR load' fills the store that 'policykg --store DIR query' reads (and
    'load --store DIR' is the same thing); two different stores in one call are refused."""
    store = tmp_path / "store"
    loaded = runner.invoke(main, ["--store", str(store), "load"])
    assert loaded.exit_code == 0, loaded.output
    assert "policy versions written" in loaded.output
    again = runner.invoke(main, ["load", "--store", str(store)])
    assert again.exit_code == 0 and " 0 policy versions written" in again.output, again.output
    answer = runner.invoke(
        main, ["--store", str(store), "query", "vendors-citing-privacy-shield", "--param", "asOf=2026-11-23"]
    )
    assert answer.exit_code == 0 and "Talkdesk" in answer.output, answer.output
    clash = runner.invoke(main, ["--store", str(store), "load", "--store", str(tmp_path / "other")])
    assert clash.exit_code == 2
    assert "two stores given" in clash.output and "Traceback" not in clash.output

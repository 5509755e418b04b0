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

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


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """Fast start (issue 16, item 4): importing the CLI pulls no rdflib, Oxigraph, YAML, pyshacl
    or importlib.metadata (they cost 0.19 s of CPU time before each command); commands import
    what they use. A fresh process, since this test session has imported them all."""
    import subprocess
    import sys

    heavy = ["rdflib", "pyoxigraph", "yaml", "pyshacl", "importlib.metadata", "policykg.query"]
    probe = f"import sys, policykg.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_format_choices_are_the_libraries_registries(runner: CliRunner) -> None:
    """The --format choices, read lazily, are exactly what each library can write."""
    from policykg.export import FORMATS
    from policykg.query import RESULT_FORMATS
    from policykg.validation.render import REPORT_FORMATS

    for command, registry in (("query", RESULT_FORMATS), ("validate", REPORT_FORMATS), ("export", FORMATS)):
        shown = runner.invoke(main, [command, "--help"]).output
        assert f"--format [{'|'.join(registry)}]" in " ".join(shown.split()), command
        refused = runner.invoke(main, [command, "--format", "bogus"])
        assert refused.exit_code == 2 and "'bogus' is not one of" in refused.output, command

"""`policykg validate --endpoint URL`: the compiled shapes run on a real SPARQL server give the
same findings as local validation of the same data (the reviewed seed annotations)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import main

from .servers import Server, start_oxigraph, start_virtuoso

STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}
AS_OF = "2026-11-23"


@pytest.fixture(scope="module", params=sorted(STARTERS))
def server(request: pytest.FixtureRequest, seed_data: Path) -> Iterator[Server]:
    folder = Path(tempfile.mkdtemp(prefix=f"policykg-validate-{request.param}-"))
    try:
        started = STARTERS[request.param](folder)
    except RuntimeError as err:
        if request.config.getoption("--require-servers", default=False) or os.environ.get("CI"):
            raise
        pytest.skip(f"{request.param} not available: {err}")
    try:
        pushed = CliRunner().invoke(
            main, ["load", "--endpoint", started.gsp_url, "--data-dir", str(seed_data)]
        )
        assert pushed.exit_code == 0, pushed.output
        yield started
    finally:
        started.stop()


def _findings(output: str) -> set[tuple[str, ...]]:
    """The report's findings without where they are in the files (a remote run has no files).
    A message that lists items (GROUP_CONCAT: quotes with their offsets, labels) is compared as
    the sorted pieces between its separators (", ", "; ", ": ", " vs "): SPARQL leaves the order
    of GROUP_CONCAT unspecified, and the two engines list them differently."""
    found = set()
    for finding in json.loads(output)["findings"]:
        pieces = tuple(sorted(piece.strip('"') for piece in re.split(r"[,;:]\s+| vs ", finding["message"])))
        fields = [str(finding[k]) for k in ("policy", "severity", "focus", "path", "value", "shape")]
        found.add((*fields, *pieces))
    return found


@pytest.mark.slow  # real servers
@pytest.mark.parametrize("profile", ["data", "compliance"])
def test_endpoint_validation_gives_the_local_findings(profile: str, server: Server, seed_data: Path) -> None:
    runner = CliRunner()
    common = ["validate", "--profile", profile, "--as-of", AS_OF, "--format", "json", "--fail-on", "none"]
    local = runner.invoke(main, [*common, "--data-dir", str(seed_data)])
    assert local.exit_code == 0, local.output
    remote = runner.invoke(main, [*common, "--endpoint", server.query_url])
    assert remote.exit_code == 0, remote.output
    expected, found = _findings(local.output), _findings(remote.output)
    if profile == "compliance":
        assert expected, "no findings on the seeds: the comparison would prove nothing"
        # the rules Virtuoso 7.2 once answered wrongly on the seeds (policykg.validation.virtuoso)
        shapes = {finding[5].rsplit("#", 1)[1] for finding in expected}
        assert {
            "NegativeStatementShape",
            "QualifiedNegativeStatementShape",
            "RetentionConflictShape",
        } <= shapes
    assert found == expected


def test_endpoint_validation_refuses_bad_urls_and_local_options(tmp_path: Path) -> None:
    runner = CliRunner()
    empty = runner.invoke(main, ["validate", "--endpoint", ""])
    assert empty.exit_code == 2 and "http:// or https://" in empty.output
    down = runner.invoke(main, ["validate", "--endpoint", "http://127.0.0.1:9/sparql"])
    assert down.exit_code == 2 and "cannot be reached" in down.output
    assert "shape" not in down.output  # the endpoint is down, not a shape wrong
    assert "Traceback" not in down.output and len(down.output.strip().splitlines()) == 1
    mixed = runner.invoke(
        main, ["validate", "--endpoint", "http://127.0.0.1:9/sparql", "--cache", str(tmp_path)]
    )
    assert mixed.exit_code == 2 and "--cache" in mixed.output

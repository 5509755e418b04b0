"""The query library and `policykg load` against real SPARQL servers started on 127.0.0.1:
every named query gives the same rows remotely as locally; a re-pushed policy graph replaces
the old one."""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal
from rdflib.namespace import XSD

from policykg.cli import main
from policykg.load import LoadResult
from policykg.query import QueryResult, bind_parameters, catalogue, run_local, run_remote

from .servers import Server, start_oxigraph, start_virtuoso

pytestmark = pytest.mark.slow  # real Oxigraph and Virtuoso servers

STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}
FIXED = {"asOf": "2026-11-23"}


@pytest.fixture(scope="module", params=sorted(STARTERS))
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    folder = Path(tempfile.mkdtemp(prefix=f"policykg-{request.param}-"))
    try:
        started = STARTERS[request.param](folder)
    except RuntimeError as err:
        if request.config.getoption("--require-servers", default=False) or os.environ.get("CI"):
            raise  # CI installs both servers: a missing one is a failure there, not a skip
        pytest.skip(f"{request.param} not available: {err}")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def loaded_server(server: Server, loaded: LoadResult, seed_data: Path) -> Server:
    result = CliRunner().invoke(main, ["load", "--endpoint", server.gsp_url, "--data-dir", str(seed_data)])
    assert result.exit_code == 0, result.output
    assert f"pushed 7 graphs, {len(loaded.store)} triples" in result.output, result.output
    return server


def _cell(value: object) -> str:
    """Compare by value where servers store by value: Virtuoso returns an xsd:duration such as
    P30D as its number of seconds (../shared/reference/servers.md)."""
    text = "" if value is None else str(value)
    if re.fullmatch(r"P(?:\d+[YMWD])*(?:T(?:\d+[HMS])+)?", text) and text != "P":
        duration = Literal(text, datatype=XSD.duration).toPython()
        if isinstance(duration, timedelta):
            return str(int(duration.total_seconds()))
    return text


def _normalised(result: QueryResult) -> Counter[tuple[str, ...]]:
    return Counter(tuple(_cell(v) for v in row) for row in result.rows)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_query_gives_the_same_rows_remotely(
    name: str, loaded_server: Server, loaded: LoadResult
) -> None:
    query = catalogue()[name]
    params = {k: v for k, v in FIXED.items() if k in query.params}
    bindings = bind_parameters(query, params)
    local = run_local(loaded.store, query, bindings)
    remote = run_remote(loaded_server.query_url, query, bindings, timeout=60)
    assert remote.columns == local.columns
    assert len(local.rows) > 0, f"{name} returns no rows on the seed data: the comparison would prove nothing"
    assert _normalised(remote) == _normalised(local)


def test_injection_attempt_is_harmless_remotely(loaded_server: Server, seed_data: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "query",
            "vendors-by-instrument",
            "--endpoint",
            loaded_server.query_url,
            "--param",
            'instrument=x" } } ; DROP ALL ; #',
            "--format",
            "json",
        ],
    )
    # the value names no instrument: refused before any query is sent (exit 2, the known ones
    # listed), and the data is untouched
    assert result.exit_code == 2, result.output
    assert "unknown instrument" in result.output and "Traceback" not in result.output
    again = runner.invoke(
        main,
        [
            "query",
            "vendors-citing-privacy-shield",
            "--endpoint",
            loaded_server.query_url,
            "--param",
            "asOf=2026-11-23",
            "--format",
            "json",
        ],
    )
    import json

    # the data is still there: the same rows as the same query on the same files locally
    local = runner.invoke(
        main,
        [
            "query",
            "vendors-citing-privacy-shield",
            "--data-dir",
            str(seed_data),
            "--param",
            "asOf=2026-11-23",
            "--format",
            "json",
        ],
    )
    assert local.exit_code == 0, local.output
    expected = json.loads(local.output)["rows"]
    assert expected and len(json.loads(again.output)["rows"]) == len(expected)


def test_repushing_a_version_replaces_its_graph(
    loaded_server: Server, tmp_path: Path, data_copy: Path
) -> None:
    runner = CliRunner()
    policy = "https://w3id.org/policykg/id/policy/kloudtalk/undated-2024"
    path = data_copy / "kloudtalk" / "undated-2024.trig"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('"KloudTalk Privacy Policy"', '"KloudTalk Privacy Policy (re-pushed)"'), encoding="utf-8"
    )
    result = runner.invoke(
        main, ["load", "--endpoint", loaded_server.gsp_url, "--graph", policy, "--data-dir", str(data_copy)]
    )
    assert result.exit_code == 0, result.output
    title_query = tmp_path / "title.rq"
    title_query.write_text(
        "#+ summary: titles\nSELECT ?t WHERE { GRAPH <"
        + policy
        + "> { <"
        + policy
        + "> <http://purl.org/dc/terms/title> ?t } }\n",
        encoding="utf-8",
    )
    titles = runner.invoke(
        main, ["query", "--file", str(title_query), "--endpoint", loaded_server.query_url, "--format", "tsv"]
    )
    assert titles.output.splitlines()[1:] == ["KloudTalk Privacy Policy (re-pushed)"]
    # put the shipped version back for the other tests
    restore = runner.invoke(main, ["load", "--endpoint", loaded_server.gsp_url, "--graph", policy])
    assert restore.exit_code == 0


def test_load_to_unreachable_store_is_a_clear_error() -> None:
    result = CliRunner().invoke(main, ["load", "--endpoint", "http://127.0.0.1:9/store", "--timeout", "3"])
    assert result.exit_code == 2
    assert "cannot reach the store" in result.output

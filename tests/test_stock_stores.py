"""Stock triple stores: the shipped data pushed into an Oxigraph server started without any flag,
and loaded into Apache Jena TDB2. The named queries read the default graph as the union of the
named graphs; where a store is not set up that way, `query --endpoint` says so in one line (exit
2) instead of answering 0 rows, and with the documented setting the rows are the local ones."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import main
from policykg.load import LoadResult
from policykg.query import QueryResult, bind_parameters, catalogue, run_local
from policykg.sparql_text import substitute_terms

from . import jena
from .servers import Server, start_oxigraph

pytestmark = pytest.mark.slow  # a real Oxigraph server and Jena TDB2 (Java)

HEADLINE = "vendors-citing-privacy-shield"
AS_OF = {"asOf": "2026-11-23"}


def _start(union: bool, request: pytest.FixtureRequest) -> Iterator[Server]:
    folder = Path(tempfile.mkdtemp(prefix="policykg-stock-oxigraph-"))
    try:
        server = start_oxigraph(folder, union_default_graph=union)
    except RuntimeError as err:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"oxigraph not available: {err}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stock_oxigraph(request: pytest.FixtureRequest) -> Iterator[Server]:
    """`oxigraph serve --location DIR --bind ...`: no --union-default-graph."""
    yield from _start(False, request)


@pytest.fixture(scope="module")
def loaded_stock(stock_oxigraph: Server, shipped: LoadResult) -> Server:
    result = CliRunner().invoke(main, ["load", "--endpoint", stock_oxigraph.gsp_url])
    assert result.exit_code == 0, result.output
    assert f"{len(shipped.store)} triples" in result.output
    return stock_oxigraph


def _cells(rows: Sequence[Sequence[object]]) -> Counter[tuple[str, ...]]:
    return Counter(tuple("" if v is None else str(v) for v in row) for row in rows)


def _local(shipped: LoadResult, name: str) -> QueryResult:
    query = catalogue()[name]
    params = {k: v for k, v in AS_OF.items() if k in query.params}
    return run_local(shipped.store, query, bind_parameters(query, params))


def test_stock_oxigraph_says_in_one_line_how_to_fix_it(loaded_stock: Server) -> None:
    args = ["query", HEADLINE, "--param", "asOf=2026-11-23", "--endpoint", loaded_stock.query_url]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "default graph is not the union" in lines[0] and "--union-default-graph" in lines[0]


def test_stock_oxigraph_gives_the_headline_answer_with_the_documented_setting(
    loaded_stock: Server, shipped: LoadResult
) -> None:
    """Oxigraph's own protocol parameter, as the one-line message says: the same rows as locally."""
    url = loaded_stock.query_url + "?union-default-graph"
    args = ["query", HEADLINE, "--param", "asOf=2026-11-23", "--endpoint", url, "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    local = _local(shipped, HEADLINE)
    assert len(local.rows) > 0
    remote = [[row.get(c) for c in document["columns"]] for row in document["rows"]]
    assert {r[0] for r in remote} == {str(r[0]) for r in local.rows}
    assert len(remote) == len(local.rows)


def test_empty_stock_store_is_not_an_empty_answer(request: pytest.FixtureRequest) -> None:
    for server in _start(False, request):
        result = CliRunner().invoke(main, ["query", HEADLINE, "--endpoint", server.query_url])
        assert result.exit_code == 2
        assert "holds no policy version" in result.output and "policykg load --endpoint" in result.output


@pytest.fixture(scope="module")
def jena_tdb2(shipped: LoadResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not jena.available():
        pytest.skip("Java or Debian's libapache-jena-java is absent")
    folder = tmp_path_factory.mktemp("jena")
    data = folder / "data.nq"
    data.write_text(shipped.store.dataset().serialize(format="nquads"), encoding="utf-8")
    done = jena.run_jena("tdb2.tdbloader", ["--loc", str(folder / "tdb2"), str(data)])
    assert done.returncode == 0, done.stderr
    return folder / "tdb2"


def _jena_rows(location: Path, text: str, tmp_path: Path, union: bool) -> list[list[object]]:
    query = tmp_path / "q.rq"
    query.write_text(text, encoding="utf-8")
    setting = ["--set", "tdb:unionDefaultGraph=true"] if union else []
    args = ["--loc", str(location), *setting, "--results=json", "--query", str(query)]
    done = jena.run_jena("tdb2.tdbquery", args)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    columns = data["head"]["vars"]
    return [[b[c]["value"] if c in b else None for c in columns] for b in data["results"]["bindings"]]


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_named_query_gives_the_same_rows_on_jena_tdb2(
    name: str, jena_tdb2: Path, shipped: LoadResult, tmp_path: Path
) -> None:
    """Jena TDB2 with its documented setting (tdb:unionDefaultGraph) gives the local rows."""
    query = catalogue()[name]
    params = {k: v for k, v in AS_OF.items() if k in query.params}
    bindings = bind_parameters(query, params)
    local = run_local(shipped.store, query, bindings)
    assert local.rows, f"{name} has no rows on the shipped data: the comparison would prove nothing"
    rows = _jena_rows(jena_tdb2, substitute_terms(query.text, bindings), tmp_path, union=True)
    assert _cells(rows) == _cells(local.rows)


def test_stock_jena_tdb2_sees_nothing_without_the_setting(jena_tdb2: Path, tmp_path: Path) -> None:
    """Why the README names the setting: Jena's default graph holds none of the named graphs."""
    query = catalogue()[HEADLINE]
    text = substitute_terms(query.text, bind_parameters(query, AS_OF))
    assert _jena_rows(jena_tdb2, text, tmp_path, union=False) == []

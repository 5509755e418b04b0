"""`policykg serve`: a real HTTP SPARQL endpoint, read-only by default, and its query page in a
real (headless Chromium) browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from policykg.load import LoadResult, load_project
from policykg.query import bind_parameters, find_query, run_local, run_remote
from policykg.serve import make_server

from .servers import free_port, wait_http

pytestmark = pytest.mark.slow  # a real HTTP server and a headless browser


def _start(allow_update: bool, data_dir: Path) -> Iterator[str]:
    server = make_server(load_project(data_dir=data_dir).store, "127.0.0.1", 0, allow_update)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def endpoint(seed_data: Path) -> Iterator[str]:
    yield from _start(allow_update=False, data_dir=seed_data)


def _post(url: str, data: dict[str, str], accept: str = "application/sparql-results+json") -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(data).encode(), headers={"Accept": accept}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def test_named_query_over_http_matches_local(endpoint: str, loaded: LoadResult) -> None:
    query = find_query("vendors-citing-privacy-shield")
    bindings = bind_parameters(query, {"asOf": "2026-11-23"})
    remote = run_remote(f"{endpoint}/sparql", query, bindings)
    local = run_local(loaded.store, query, bindings)
    assert sorted(map(str, remote.rows)) == sorted(map(str, local.rows))
    assert {str(r[0]) for r in remote.rows} == {"Talkdesk", "CloudCall"}


def test_csv_results_by_accept_header(endpoint: str) -> None:
    status, body = _post(
        f"{endpoint}/sparql",
        {"query": "SELECT ?s WHERE { ?s a <https://w3id.org/policykg#Vendor> }"},
        accept="text/csv",
    )
    assert status == 200
    assert body.splitlines()[0] == "s" and len(body.splitlines()) == 5


def test_update_is_refused_by_default(endpoint: str) -> None:
    status, body = _post(f"{endpoint}/sparql", {"update": "DROP ALL"})
    assert status == 403 and "updates are disabled" in body
    status, body = _post(f"{endpoint}/sparql", {"query": "ASK { ?s a <https://w3id.org/policykg#Vendor> }"})
    assert status == 200 and json.loads(body)["boolean"] is True


def test_update_accepted_when_enabled(seed_data: Path) -> None:
    for url in _start(allow_update=True, data_dir=seed_data):
        status, _ = _post(
            f"{url}/sparql", {"update": "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"}
        )
        assert status == 204
        status, body = _post(f"{url}/sparql", {"query": "ASK { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"})
        assert json.loads(body)["boolean"] is True


def test_bad_query_is_400_not_a_crash(endpoint: str) -> None:
    status, body = _post(f"{endpoint}/sparql", {"query": "SELECT WHERE {"})
    assert status == 400 and body.startswith("query failed")


def test_serve_cli_starts_and_answers() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "policykg.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/", 60, process)
        status, _ = _post(f"http://127.0.0.1:{port}/sparql", {"update": "CLEAR ALL"})
        assert status == 403
    finally:
        process.terminate()
        process.wait(timeout=20)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Chromium is not installed")
def test_query_page_runs_a_query_in_a_real_browser(endpoint: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert CHROMIUM is not None, "CI installs Chromium (.ci/setup)"
    query = "SELECT ?vendor WHERE { ?v a <https://w3id.org/policykg#Vendor> ; <http://www.w3.org/2000/01/rdf-schema#label> ?vendor } ORDER BY ?vendor"
    url = f"{endpoint}/?{urllib.parse.urlencode({'query': query})}"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = result.stdout
    assert 'id="result-table"' in dom, result.stderr[-2000:]
    for vendor in ("CloudCall", "CloudTalk", "KloudTalk", "Talkdesk"):
        assert f"<td>{vendor}</td>" in dom
    assert "4 rows" in dom
    assert "vendors-citing-privacy-shield" in dom  # the named queries are offered as examples

"""`policykg serve`: a real HTTP SPARQL endpoint, read-only by default, and its query page in a
real (headless Chromium) browser."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.dom.minidom import Document

import pytest
import yaml
from click.testing import CliRunner

from policykg.cli import main
from policykg.load import LoadResult, load_project
from policykg.params import Resolver, resolve_parameters, store_select
from policykg.query import bind_parameters, find_query, run_local, run_remote
from policykg.serve import Limits, make_server
from policykg.sparql_text import substitute_terms

from .browser import Browser, dump_dom
from .servers import free_port, wait_http

pytestmark = pytest.mark.slow  # a real HTTP server and a headless browser


def _start(
    allow_update: bool, data_dir: Path, limits: Limits | None = None, site: Path | None = None
) -> Iterator[str]:
    server = make_server(load_project(data_dir=data_dir).store, "127.0.0.1", 0, allow_update, limits, site)
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


def test_serve_help_documents_the_limits() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in (
        "--timeout",
        "--workers",
        "--max-result-bytes",
        "--max-body-bytes",
        "--allow-service",
        "--site",
    ):
        assert option in result.output
    assert "[default: 127.0.0.1]" in result.output


def test_serve_cli_refuses_a_missing_site(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--site", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_serve_cli_starts_and_answers(tmp_path: Path) -> None:
    """Starts, applies its limits and site, answers every hostile request with a status (no 500,
    no traceback in its output), and on SIGTERM leaves no worker and no store copy."""
    port = free_port()
    temporary = tmp_path / "tmp"  # the server's own temporary folder: other servers may run beside it
    temporary.mkdir()
    (tmp_path / "index.html").write_text("<h1>site</h1>", encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "policykg.cli",
            "serve",
            "--port",
            str(port),
            "--timeout",
            "1.5",
            "--site",
            str(tmp_path),
            "--max-body-bytes",
            "5000",
            "--max-result-bytes",
            "2000",
            "--workers",
            "3",
            "--allow-service",
            "http://127.0.0.1:9/allowed",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "TMPDIR": str(temporary)},
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/", 60, process)
        assert list(temporary.glob("policykg-serve-*")), "the in-memory graph is copied for the workers"
        status, _ = _post(f"http://127.0.0.1:{port}/sparql", {"update": "CLEAR ALL"})
        assert status == 403
        status, body = _post(f"http://127.0.0.1:{port}/sparql", {"query": CROSS_JOIN})
        assert status == 503 and "time limit of 1.5 s" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/site/", timeout=10) as response:
            assert b"<h1>site</h1>" in response.read()
        status, body = _post(f"http://127.0.0.1:{port}/sparql", {"query": "ASK {}" + " " * 5000})
        assert status == 413 and "limit of 5000 bytes" in body
        status, body = _post(
            f"http://127.0.0.1:{port}/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, "text/turtle"
        )
        assert status == 422 and "limit of 2000 bytes" in body
        service = "SELECT * { SERVICE SILENT <http://127.0.0.1:9/allowed> { ?s ?p ?o } }"
        assert _post(f"http://127.0.0.1:{port}/sparql", {"query": service})[0] == 200  # allowed (and silent)
        for case in HOSTILE:
            request = case["request"].encode("latin-1") + b"#" * case.get("pad", 0)
            status_line = _raw(f"http://127.0.0.1:{port}", request, case.get("half_close", False)).split(
                b"\r\n"
            )[0]
            assert re.fullmatch(rb"HTTP/1\.[01] (?!500)\d{3} .*", status_line), (
                case["name"],
                status_line,
            )
        status, body = _post(f"http://127.0.0.1:{port}/sparql", {"query": "ASK { ?s ?p ?o }"})
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        workers = _children(process.pid)
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode == 0
    assert process.stdout is not None and b"Traceback" not in process.stdout.read()
    assert len(workers) == 3 and not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert not list(temporary.glob("policykg-serve-*"))  # the store copy is removed on SIGTERM


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="Chromium is not installed"
)


def _dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, in headless Chromium."""
    return dump_dom(url, profile, budget_ms=10000)


@needs_chromium
def test_query_page_runs_a_query_in_a_real_browser(endpoint: str, tmp_path: Path) -> None:
    query = "SELECT ?vendor WHERE { ?v a <https://w3id.org/policykg#Vendor> ; <http://www.w3.org/2000/01/rdf-schema#label> ?vendor } ORDER BY ?vendor"
    dom = _dom(f"{endpoint}/?{urllib.parse.urlencode({'query': query})}", tmp_path)
    assert 'id="result-table"' in dom
    for vendor in ("CloudCall", "CloudTalk", "KloudTalk", "Talkdesk"):
        assert f"<td>{vendor}</td>" in dom
    assert "4 rows" in dom
    assert "vendors-citing-privacy-shield" in dom  # the named queries are offered
    describe = "DESCRIBE <https://w3id.org/policykg/id/vendor/talkdesk>"
    dom = _dom(f"{endpoint}/?{urllib.parse.urlencode({'query': describe})}", tmp_path)
    assert '<pre id="result-graph">' in dom and "Talkdesk" in dom  # a graph is shown as Turtle


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the page tests (each page load then takes a fraction of a second)."""
    if CHROMIUM is None and not os.environ.get("CI"):
        pytest.skip("Chromium is not installed")
    opened = Browser(tmp_path_factory.mktemp("chromium"))
    yield opened
    opened.close()


@needs_chromium
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("vendors-by-instrument", {"instrument": "scc-2010-87", "asOf": "2026-11-23"}),
        ("vendors-by-instrument", {"instrument": "privacy-shield-eu-us", "asOf": "2019-06-01"}),
        ("policy-audit-trail", {"policy": "https://w3id.org/policykg/id/policy/cloudcall/2018-01-16"}),
        ("policy-history", {"vendor": "talkdesk"}),
        ("policy-history", {"vendor": "CloudTalk"}),  # by label, as outputs print it
        ("personal-data-per-purpose", {"policy": "cloudtalk/2025-08-06"}),
        ("purposes-by-legal-basis", {"basis": "dpv:Consent"}),
    ],
)
def test_query_page_sends_every_parameter(
    endpoint: str, loaded: LoadResult, browser: Browser, name: str, params: dict[str, str]
) -> None:
    """The page gives the rows the command line gives for the same parameters (it filled in only
    the date: vendors-by-instrument gave 12 rows on the page and 1 on the command line)."""
    query = find_query(name)
    bindings = bind_parameters(query, resolve_parameters(query, params, Resolver(store_select(loaded.store))))
    local = run_local(loaded.store, query, bindings)
    only_dates = {k: v for k, v in bindings.items() if k.endswith("_xsd_date")}  # what the page bound
    everything = loaded.store.select(substitute_terms(query.text, only_dates))
    assert len(local.rows) < len(everything.rows)  # the parameter matters for this query
    browser.open(f"{endpoint}/?{urllib.parse.urlencode({'named': name, **params})}")
    browser.wait("/ rows$|^error$/.test(document.getElementById('status').textContent)")
    assert browser.eval("document.getElementById('status').textContent") == f"{len(local.rows)} rows"
    assert browser.eval("document.querySelectorAll('#result-table tbody tr').length") == len(local.rows)
    shown = browser.eval("document.getElementById('query').value")
    for term in bindings.values():
        assert term.n3() in shown  # the page's query binds the value the command line binds


@needs_chromium
def test_query_page_form_from_the_header(endpoint: str, tmp_path: Path) -> None:
    dom = _dom(f"{endpoint}/?named=vendors-by-instrument&instrument=dpf-eu-us&asOf=2026-11-23", tmp_path)
    # one labelled control per parameter, with the values it accepts and the default
    assert re.search(r'<label for="param-instrument">instrument</label>', dom)
    assert re.search(r'<label for="param-asOf">asOf</label>', dom)
    select = re.search(r'<select id="param-instrument" name="instrument"[^>]*>(.*?)</select>', dom, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]+)"', select[1])
    assert {"dpf-eu-us", "privacy-shield-eu-us", "scc-2010-87", "safe-harbor-eu-us"} <= set(options)
    assert not {"cloudtalk", "talkdesk"} & set(options)  # vendor slugs are not instruments
    assert re.search(r'<input type="date" id="param-asOf" name="asOf"', dom)
    described = find_query("vendors-by-instrument").params["instrument"].description
    assert described, "the query header describes the parameter"
    assert 'aria-describedby="param-instrument-help"' in dom and html.escape(described, quote=False) in dom
    # every control has a label; nothing takes focus out of document order
    for control in re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', dom):
        assert f'<label for="{control}"' in dom, control
    assert "tabindex" not in dom
    assert dom.count('type="submit"') == 2
    assert 'role="status"' in dom and "<caption>" in dom


@needs_chromium
def test_cross_origin_page_queries_through_cors(endpoint: str, seed_data: Path, tmp_path: Path) -> None:
    """A page from another origin (as YASGUI is) posts a query with a preflighted Content-Type."""
    site = tmp_path / "site"
    site.mkdir()
    target, body = json.dumps(f"{endpoint}/sparql"), json.dumps(VENDOR_LABELS)
    script = (
        "fetch(" + target + ", {method: 'POST', headers: {'Content-Type': 'application/sparql-query', "
        "'Accept': 'application/sparql-results+json'}, body: " + body + "})"
        ".then(r => r.json()).then(d => { document.getElementById('out').textContent = "
        "d.results.bindings.map(b => b.label.value).sort().join(','); })"
        ".catch(e => { document.getElementById('out').textContent = 'failed: ' + e; });"
    )
    (site / "yasgui.html").write_text(
        f"<!doctype html><p id=out>waiting</p><script>{script}</script>", encoding="utf-8"
    )
    for other in _start(False, seed_data, site=site):
        dom = _dom(f"{other}/site/yasgui.html", tmp_path / "profile")
        assert "CloudCall,CloudTalk,KloudTalk,Talkdesk" in dom, dom


# --- content negotiation: standard clients --------------------------------------------------

VENDORS = {"CloudCall", "CloudTalk", "KloudTalk", "Talkdesk"}
VENDOR_LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?label WHERE { ?v a <https://w3id.org/policykg#Vendor> ; rdfs:label ?label }"
)
VENDOR_GRAPH = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "CONSTRUCT { ?v rdfs:label ?label } WHERE { ?v a <https://w3id.org/policykg#Vendor> ; rdfs:label ?label }"
)


def _wrapper(endpoint: str, query: str, fmt: str) -> Any:
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(f"{endpoint}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client.query()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_in_every_result_format_with_sparqlwrapper(endpoint: str, fmt: str) -> None:
    response = _wrapper(endpoint, VENDOR_LABELS, fmt)
    expected_type = {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    }[fmt]
    assert response.info()["content-type"].split(";")[0] == expected_type
    converted = response.convert()
    if fmt == "json":
        assert isinstance(converted, dict)
        labels = {b["label"]["value"] for b in converted["results"]["bindings"]}
    elif fmt == "xml":
        assert isinstance(converted, Document)
        labels = {e.firstChild.nodeValue for e in converted.getElementsByTagName("literal")}  # type: ignore[union-attr]
    else:
        rows = converted.decode("utf-8") if isinstance(converted, bytes) else converted
        labels = {line.strip().strip('"') for line in rows.splitlines()[1:]}
    assert labels == VENDORS


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_ask_with_sparqlwrapper(endpoint: str, fmt: str) -> None:
    from SPARQLWrapper import SPARQLWrapper

    for query, expected in (
        ("ASK { ?v a <https://w3id.org/policykg#Vendor> }", True),
        ("ASK { <urn:x> ?p ?o }", False),
    ):
        client = SPARQLWrapper(f"{endpoint}/sparql")
        client.setQuery(query)
        client.setReturnFormat(fmt)
        converted: Any = client.queryAndConvert()
        answer = (
            converted["boolean"]
            if fmt == "json"
            else converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
        )
        assert answer is expected


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("turtle", "text/turtle"),
        ("n3", "text/turtle"),
        ("rdf+xml", "application/rdf+xml"),
        ("xml", "application/rdf+xml"),
        ("json-ld", "application/ld+json"),
    ],
)
def test_construct_in_every_graph_format_with_sparqlwrapper(
    endpoint: str, fmt: str, content_type: str
) -> None:
    from rdflib import Graph, Literal

    response = _wrapper(endpoint, VENDOR_GRAPH, fmt)
    assert response.info()["content-type"].split(";")[0] == content_type
    graph = response.convert()
    if not isinstance(graph, Graph):  # SPARQLWrapper returns Turtle and N3 as bytes
        graph = Graph().parse(data=graph, format="turtle")
    assert {str(o) for o in graph.objects()} == VENDORS and all(
        isinstance(o, Literal) for o in graph.objects()
    )


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/n-triples", "application/n-triples"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("", "text/turtle"),
        ("text/html, */*;q=0.1", "text/turtle"),
    ],
)
def test_describe_by_accept_header(endpoint: str, accept: str, content_type: str) -> None:
    from rdflib import Graph, URIRef

    url = f"{endpoint}/sparql?" + urllib.parse.urlencode(
        {"query": "DESCRIBE <https://w3id.org/policykg/id/vendor/talkdesk>"}
    )
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"].split(";")[0] == content_type
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        body = response.read()
    rdflib_format = {
        "application/n-triples": "nt",
        "text/turtle": "turtle",
        "application/ld+json": "json-ld",
        "application/rdf+xml": "xml",
    }
    graph = Graph().parse(data=body, format=rdflib_format[content_type])
    assert (URIRef("https://w3id.org/policykg/id/vendor/talkdesk"), None, None) in graph


def test_rdflib_parses_a_construct_url(endpoint: str) -> None:
    from rdflib import Graph

    graph = Graph().parse(f"{endpoint}/sparql?" + urllib.parse.urlencode({"query": VENDOR_GRAPH}))
    assert {str(o) for o in graph.objects()} == VENDORS


def test_format_parameter_overrides_accept(endpoint: str) -> None:
    url = f"{endpoint}/sparql?" + urllib.parse.urlencode({"query": VENDOR_LABELS, "format": "csv"})
    with urllib.request.urlopen(
        urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=30
    ) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        assert set(response.read().decode().split()[1:]) == VENDORS


def test_post_sparql_query_body(endpoint: str) -> None:
    request = urllib.request.Request(
        f"{endpoint}/sparql",
        data=VENDOR_LABELS.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert {line.strip('"') for line in response.read().decode().split("\n")[1:] if line} == VENDORS


def test_cors_preflight(endpoint: str) -> None:
    request = urllib.request.Request(
        f"{endpoint}/sparql",
        method="OPTIONS",
        headers={
            "Origin": "http://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
        assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


# --- limits -----------------------------------------------------------------------------------

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _children(pid: int | None = None) -> set[int]:
    """A process's child processes (the query workers), from /proc: each thread lists those it
    started, so every thread is read."""
    pids: set[int] = set()
    for task in Path(f"/proc/{pid or os.getpid()}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that just ended
            pids |= {int(p) for p in (task / "children").read_text().split()}
    return pids


@pytest.fixture(scope="module")
def limited(seed_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text(
        "<!doctype html><title>report</title><h1>Portfolio</h1>", encoding="utf-8"
    )
    (site / "style.css").write_text("body { color: #111 }", encoding="utf-8")
    (site / "app.js").write_text("console.log(1)", encoding="utf-8")
    (site / "data.json").write_text("{}", encoding="utf-8")
    (site / "chart.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (site / "vendors").mkdir()
    (site / "vendors" / "index.html").write_text("<h1>Vendors</h1>", encoding="utf-8")
    (site / "escape").symlink_to("/etc")
    limits = Limits(timeout=2, max_result_bytes=1_000_000, max_body_bytes=100_000, workers=2)
    yield from _start(False, seed_data, limits=limits, site=site)


def test_slow_query_is_stopped_and_does_not_block_others(limited: str) -> None:
    before = _children()
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        outcome["status"], outcome["body"] = _post(f"{limited}/sparql", {"query": CROSS_JOIN})
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    status, body = _post(f"{limited}/sparql", {"query": "ASK { ?v a <https://w3id.org/policykg#Vendor> }"})
    assert status == 200 and json.loads(body)["boolean"] is True
    assert time.monotonic() - started < 1.0  # answered while the slow query runs
    thread.join(10)
    assert outcome["status"] == 503 and "time limit of 2 s" in str(outcome["body"])
    assert 1.9 < float(str(outcome["seconds"])) < 4
    killed = before - _children()
    assert len(killed) == 1  # the worker that ran it is gone: the query really stopped
    assert not Path(f"/proc/{killed.pop()}").exists()
    assert len(_children()) == len(before)  # and was replaced


def test_query_stops_when_its_client_leaves(limited: str) -> None:
    """It went on after the client left; now it stops then, well before the 2 s limit."""
    before = _children()
    started = time.monotonic()
    host, port = urllib.parse.urlsplit(limited).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        query = urllib.parse.quote(CROSS_JOIN)
        sock.sendall(f"GET /sparql?query={query} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        time.sleep(0.3)
    while not before - _children() and time.monotonic() - started < 5:
        time.sleep(0.02)
    assert len(before - _children()) == 1
    assert time.monotonic() - started < 1.2
    deadline = time.monotonic() + 3
    while len(_children()) < len(before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_children()) == len(before)  # replaced


def test_service_allowed_only_for_listed_endpoints(seed_data: Path, endpoint: str) -> None:
    query = f"SELECT ?s WHERE {{ SERVICE <{endpoint}/sparql> {{ ?s a <https://w3id.org/policykg#Vendor> }} }}"
    status, body = _post(f"{endpoint}/sparql", {"query": query})
    assert status == 403 and "refused" in body
    for url in _start(False, seed_data, limits=Limits(allowed_services=frozenset({f"{endpoint}/sparql"}))):
        status, body = _post(f"{url}/sparql", {"query": query})
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 4
        other = query.replace(f"{endpoint}/sparql", "http://127.0.0.1:9/sparql")
        assert _post(f"{url}/sparql", {"query": other})[0] == 403


def test_load_refused_even_with_updates_allowed(seed_data: Path) -> None:
    for url in _start(True, seed_data):
        status, body = _post(f"{url}/sparql", {"update": "LOAD <http://127.0.0.1:9/x.ttl>"})
        assert status == 403 and "LOAD is refused" in body
        status, _ = _post(f"{url}/sparql", {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
        assert status == 204
        # a page of another site cannot post updates through the visitor's browser (CORS is open),
        # not even from a DNS name rebound to this address (then Origin and Host agree)
        request = urllib.request.Request(
            f"{url}/sparql",
            data=b"update=DROP+ALL",
            headers={"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"},
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        assert caught.value.code == 403 and "web browser" in caught.value.read().decode()
        status, body = _post(f"{url}/sparql", {"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
        assert json.loads(body)["boolean"] is True  # nothing was dropped


HOSTILE = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "hostile" / "http-requests.yaml").read_text(encoding="utf-8")
)


def _raw(url: str, request: bytes, half_close: bool) -> bytes:
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


@pytest.mark.parametrize("case", HOSTILE, ids=[c["name"] for c in HOSTILE])
def test_hostile_http_request(limited: str, case: dict[str, Any], capfd: pytest.CaptureFixture[str]) -> None:
    request = case["request"].encode("latin-1") + b"#" * case.get("pad", 0)
    response = _raw(limited, request, case.get("half_close", False))
    head, _, body = response.partition(b"\r\n\r\n")
    assert int(head.split()[1]) == case["status"], response[:300]
    assert b"content-type: text/plain" in head.lower()
    text = body.decode("utf-8")
    assert text.endswith("\n") and "\n" not in text[:-1], text  # one line
    assert case["message"] in text
    deadline = time.monotonic() + 3
    while _request_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _request_threads()  # no thread left hanging on the request
    status, answer = _post(f"{limited}/sparql", {"query": "ASK { ?v a <https://w3id.org/policykg#Vendor> }"})
    assert status == 200 and json.loads(answer)["boolean"] is True  # still healthy
    assert "Traceback" not in capfd.readouterr().err


# --- the static site --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type", "text"),
    [
        ("/site/", "text/html; charset=utf-8", "Portfolio"),
        ("/site/index.html", "text/html; charset=utf-8", "Portfolio"),
        ("/site/vendors/", "text/html; charset=utf-8", "Vendors"),
        ("/site/style.css", "text/css; charset=utf-8", "color"),
        ("/site/app.js", "text/javascript; charset=utf-8", "console"),
        ("/site/data.json", "application/json", "{}"),
        ("/site/chart.svg", "image/svg+xml", "<svg"),
    ],
)
def test_site_is_served_with_content_types(limited: str, path: str, content_type: str, text: str) -> None:
    with urllib.request.urlopen(f"{limited}{path}", timeout=10) as response:
        assert response.headers["Content-Type"] == content_type
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert text in response.read().decode("utf-8")


def test_no_site_without_the_option(endpoint: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{endpoint}/site/index.html", timeout=10)
    assert caught.value.code == 404 and "serve --site" in caught.value.read().decode()


def test_report_site_served_beside_the_endpoint(seed_data: Path, tmp_path: Path) -> None:
    """The site 'policykg report' writes, served with --site: every link and asset of every page
    reachable from its index answers 200 with its content type, and none leaves /site/."""
    site = tmp_path / "report"
    result = CliRunner().invoke(
        main, ["report", "--as-of", "2026-11-23", "--output", str(site), "--data-dir", str(seed_data)]
    )
    assert result.exit_code == 0, result.output
    expected_types = {
        ".html": "text/html",
        ".css": "text/css",
        ".js": "text/javascript",
        ".svg": "image/svg+xml",
    }
    for url in _start(False, seed_data, site=site):
        queue, seen = [f"{url}/site/"], set()
        while queue:
            page = queue.pop()
            if page in seen:
                continue
            seen.add(page)
            with urllib.request.urlopen(page, timeout=10) as response:
                kind = response.headers["Content-Type"]
                body = response.read().decode("utf-8")
            suffix = Path(urllib.parse.urlsplit(page).path).suffix or ".html"
            assert kind.startswith(expected_types[suffix]), (page, kind)
            if suffix != ".html":
                continue
            for link in re.findall(r'(?:href|src)="([^"#]*)(?:#[^"]*)?"', body):
                if not link or re.match(r"[a-z]+:", link):
                    continue
                target = urllib.parse.urljoin(page, link).split("?")[0]
                assert target.startswith(f"{url}/site/"), (page, link)  # relative links stay in the site
                queue.append(target)
        pages = {p for p in seen if p.endswith(".html") or p.endswith("/")}
        assert len(pages) >= len(list(site.rglob("*.html"))) - 1 and len(pages) > 10


@needs_chromium
def test_query_page_with_the_keyboard_only(endpoint: str, loaded: LoadResult, browser: Browser) -> None:
    """Tab to the query list, type to choose, Tab to a parameter, type to choose its value, Tab to
    the button, Enter: the page shows the command line's rows for those values."""
    browser.open(f"{endpoint}/")
    browser.tab_to("named")
    browser.type("vendors-by-i")
    assert browser.eval("document.getElementById('named').value") == "vendors-by-instrument"
    browser.tab_to("param-instrument", limit=3)
    browser.type("scc-2010-8")
    as_of = browser.eval("document.getElementById('param-asOf').value")
    assert browser.eval("document.getElementById('param-instrument').value") == "scc-2010-87"
    browser.tab_to("run-named", limit=6)  # the date field's month, day, year take one Tab each
    browser.enter()
    browser.wait("/ rows$/.test(document.getElementById('status').textContent)")
    shown = browser.eval("document.getElementById('status').textContent")
    cells = browser.eval(
        "[...document.querySelectorAll('#result-table tbody td:first-child')].map(c => c.textContent)"
    )
    query = find_query("vendors-by-instrument")
    local = run_local(
        loaded.store, query, bind_parameters(query, {"instrument": "scc-2010-87", "asOf": as_of})
    )
    assert shown == f"{len(local.rows)} rows" and len(local.rows) > 0
    assert sorted(cells) == sorted(str(row[0]) for row in local.rows)


def _count(endpoint: str, query: str, **params: str) -> int:
    url = f"{endpoint}/sparql?" + urllib.parse.urlencode({"query": query, **params})
    with urllib.request.urlopen(
        urllib.request.Request(url, headers={"Accept": "text/csv"}), timeout=30
    ) as response:
        return int(response.read().decode().split()[1])


def test_query_dataset_from_and_protocol_graphs(endpoint: str) -> None:
    """FROM, FROM NAMED and the protocol's default-graph-uri / named-graph-uri choose the dataset
    (the union of all graphs is the default graph only when none is given: FROM was ignored)."""
    graph = "https://w3id.org/policykg/id/policy/talkdesk/2019-12-31"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    in_graph = _count(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    union = _count(endpoint, count)
    assert 0 < in_graph < union
    assert _count(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}") == in_graph
    assert _count(endpoint, count, **{"default-graph-uri": graph}) == in_graph
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _count(endpoint, named) == in_graph
    assert (
        _count(
            endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": graph}
        )
        == in_graph
    )
    status, body = _post(f"{endpoint}/sparql", {"query": count, "default-graph-uri": "not an iri"})
    assert status == 400 and "absolute IRIs" in body


def test_query_page_is_built_once(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page used to read (and parse) every query file on each load."""
    import policykg.query
    import policykg.serve

    def refuse(*args: object) -> None:
        raise AssertionError("the catalogue was read again")

    monkeypatch.setattr(policykg.serve, "catalogue", refuse)
    monkeypatch.setattr(policykg.query, "catalogue", refuse)
    with urllib.request.urlopen(f"{endpoint}/", timeout=10) as response:
        assert response.status == 200 and b"vendors-by-instrument" in response.read()


@pytest.mark.parametrize("folder", ["/site", "/site/vendors"])
def test_site_folder_without_slash_redirects(limited: str, folder: str) -> None:
    """A folder's index is served at the folder's URL with its final slash (its relative links)."""
    with urllib.request.urlopen(f"{limited}{folder}", timeout=10) as response:
        assert response.url == f"{limited}{folder}/"
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"

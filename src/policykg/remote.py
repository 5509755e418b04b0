"""Pushing named graphs to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol.

Each policy version is sent with one ``PUT ?graph=<version IRI>`` request, which the protocol
defines as replacing that graph: a re-pushed version replaces its graph in one request, other
graphs are untouched. A server that answers an error leaves the run with a clear message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, URIRef

from .errors import PolicyKGError


class RemoteStoreError(PolicyKGError):
    """The remote store could not be reached or refused a graph."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str


def _opener(url: str, credentials: Credentials | None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if credentials is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, credentials.user, credentials.password)
        handlers += [
            urllib.request.HTTPDigestAuthHandler(manager),
            urllib.request.HTTPBasicAuthHandler(manager),
        ]
    return urllib.request.build_opener(*handlers)


def graph_url(gsp: str, graph: URIRef) -> str:
    separator = "&" if "?" in gsp else "?"
    return f"{gsp}{separator}{urllib.parse.urlencode({'graph': str(graph)})}"


def put_graph(
    gsp: str, name: URIRef, graph: Graph, timeout: float = 30.0, credentials: Credentials | None = None
) -> None:
    """Replace graph ``name`` on the store with ``graph`` (N-Triples keeps every literal as is)."""
    body = graph.serialize(format="nt", encoding="utf-8")
    request = urllib.request.Request(
        graph_url(gsp, name), data=body, method="PUT", headers={"Content-Type": "application/n-triples"}
    )
    try:
        with _opener(gsp, credentials).open(request, timeout=timeout) as response:
            if response.status >= 300:
                raise RemoteStoreError(f"{gsp}: HTTP {response.status} for graph <{name}>")
    except urllib.error.HTTPError as err:
        detail = err.read(300).decode("utf-8", "replace").strip().splitlines()
        raise RemoteStoreError(
            f"{gsp}: HTTP {err.code} for graph <{name}>{': ' + detail[0] if detail else ''}"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise RemoteStoreError(f"{gsp}: cannot reach the store ({reason})") from None


def push_graphs(
    gsp: str, graphs: Mapping[URIRef, Graph], timeout: float = 30.0, credentials: Credentials | None = None
) -> int:
    """PUT every graph; returns the number of triples sent."""
    sent = 0
    for name, graph in graphs.items():
        put_graph(gsp, name, graph, timeout, credentials)
        sent += len(graph)
    return sent


UNION_HINT = (
    "start Oxigraph with 'oxigraph serve --union-default-graph' (or add '?union-default-graph' to the "
    "query URL), set tdb2:unionDefaultGraph true for Jena TDB2 / Fuseki; Virtuoso needs nothing "
    "(README, 'Triple stores')"
)


def post_query(endpoint: str, query: str, timeout: float) -> Any:
    """One query over the SPARQL protocol (POST form), its SPARQL JSON answer decoded. urllib's
    errors go to the caller, which says in its own words what failed."""
    with urllib.request.urlopen(_query_request(endpoint, query), timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def server_software(endpoint: str, timeout: float) -> str:
    """What the endpoint's HTTP ``Server`` header says it runs ("" if it says nothing), from an
    empty ASK. For behaviour a store gets wrong that no probe query can tell apart (see
    :mod:`policykg.validation.hierarchy`)."""
    with urllib.request.urlopen(_query_request(endpoint, "ASK {}"), timeout=timeout) as response:
        response.read()
        return str(response.headers.get("Server", ""))


def _query_request(endpoint: str, query: str) -> urllib.request.Request:
    body = urllib.parse.urlencode({"query": query}).encode("utf-8")
    return urllib.request.Request(
        endpoint,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        },
    )


def _ask(endpoint: str, query: str, timeout: float) -> bool:
    try:
        answer = post_query(endpoint, query, timeout)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise RemoteStoreError(f"{endpoint}: cannot ask the store ({reason})") from None
    return bool(answer.get("boolean"))


def diagnose_empty_answer(endpoint: str, timeout: float = 10.0) -> str | None:
    """Why a named query found nothing on an endpoint, when the reason is the store and not the
    data: no policy version at all (nothing loaded), or policy versions only in named graphs
    while the default graph, which the queries read, is not their union (a stock Oxigraph
    server or Jena TDB2). None when the default graph holds policy versions: the answer is real."""
    version = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/policykg#PolicyVersion>"
    if _ask(endpoint, f"ASK {{ ?v {version} }}", timeout):
        return None
    if _ask(endpoint, f"ASK {{ GRAPH ?g {{ ?v {version} }} }}", timeout):
        return (
            f"{endpoint}: the default graph is not the union of the named graphs, so the queries "
            f"see no data: {UNION_HINT}"
        )
    return (
        f"{endpoint}: the store holds no policy version: load it first with "
        "'policykg load --endpoint GSP-URL'"
    )

"""A query worker of ``policykg serve``: one process that opens the store read-only and answers
one query at a time, so that the server can really stop a query at its time limit (by killing
the process: Oxigraph has no cancellation) while other workers go on answering.

Also the content negotiation of the endpoint (which media type a query form can be answered in,
from the ``Accept`` header or a ``format`` parameter), kept here because the worker decides it
once it knows the query form. This module imports only pyoxigraph (and the re-only
:mod:`policykg.sparql_scan`): a worker starts in ~0.1 s.

Protocol on stdin/stdout: frames of a 4-byte big-endian length and a body. A request is one
JSON frame ``{"query", "accept", "formats", "max_bytes"}``; the answer is a JSON frame
``{"status", "type", "message"}`` and a frame with the response body.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import signal
import struct
import sys
from typing import Any, BinaryIO

import pyoxigraph as ox

from .sparql_scan import set_semantics

Offer = tuple[str, str, "ox.QueryResultsFormat | ox.RdfFormat"]
"""(name, media type sent, serialiser format)."""

RESULT_OFFERS: list[tuple[Offer, tuple[str, ...]]] = [
    (
        ("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+json", "application/json", "text/javascript", "application/javascript"),
    ),
    (
        ("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("application/sparql-results+xml", "application/xml", "text/xml"),
    ),
    (("csv", "text/csv; charset=utf-8", ox.QueryResultsFormat.CSV), ("text/csv",)),
    (
        ("tsv", "text/tab-separated-values; charset=utf-8", ox.QueryResultsFormat.TSV),
        ("text/tab-separated-values",),
    ),
]
"""SELECT and ASK results, the default first; each with the media types a client may ask for."""
GRAPH_OFFERS: list[tuple[Offer, tuple[str, ...]]] = [
    (
        ("turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
        (
            "text/turtle",
            "application/turtle",
            "application/x-turtle",
            "text/n3",
            "text/rdf+n3",
            "application/n3",
        ),
    ),
    (
        ("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/n-triples", "text/plain"),
    ),
    (
        ("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/ld+json", "application/x-json+ld", "application/json"),
    ),
    (
        ("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/rdf+xml", "application/xml", "text/xml"),
    ),
]
"""CONSTRUCT and DESCRIBE results, the default first."""
FORMAT_NAMES = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "n3": (None, "turtle"),
    "nt": (None, "ntriples"),
    "ntriples": (None, "ntriples"),
    "n-triples": (None, "ntriples"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
}
"""``format=`` values (as SPARQLWrapper, Virtuoso and Fuseki write them): (for results, for graphs)."""


class NotAcceptable(ValueError):
    """None of the media types the client accepts can carry this query form."""


def _accepted(accept: str) -> list[str]:
    """Media ranges of an Accept header, most wanted first (q=0 left out)."""
    ranges: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        quality = 1.0
        for part in parts[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if parts[0] and quality > 0:
            ranges.append((-quality, index, parts[0].lower()))
    return [media for _, _, media in sorted(ranges)]


def negotiate(graph: bool, accept: str, formats: list[str]) -> Offer:
    """The offer for a query form (``graph``: CONSTRUCT/DESCRIBE) chosen by the first known
    ``format`` parameter value, else by the Accept header; the default when neither says."""
    offers = GRAPH_OFFERS if graph else RESULT_OFFERS
    for value in formats:
        value = value.strip().lower()
        name = FORMAT_NAMES.get(value, (None, None))[1 if graph else 0]
        for offer, media_types in offers:
            if offer[0] == name or value in media_types:
                return offer
    if not accept.strip():
        return offers[0][0]
    for media in _accepted(accept):
        if media in ("*/*", "*"):
            return offers[0][0]
        for offer, media_types in offers:
            if media in media_types or (media.endswith("/*") and media_types[0].startswith(media[:-1])):
                return offer
    kinds = ", ".join(types[0] for _, types in offers)
    form = "CONSTRUCT/DESCRIBE" if graph else "SELECT/ASK"
    raise NotAcceptable(f"not acceptable: a {form} result is available as {kinds}")


class TooLarge(Exception):
    """The serialised result went over the size limit."""


class _CappedWriter:
    """A file-like sink for the serialiser that stops it past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return


def _dataset(request: dict[str, Any]) -> dict[str, Any]:
    """pyoxigraph's dataset arguments: the protocol's graphs, the union of all graphs as default
    graph, or (a query with FROM) nothing: ``use_default_graph_as_union`` would override FROM."""
    if "default_graphs" in request or "named_graphs" in request:
        return {
            "default_graph": [ox.NamedNode(iri) for iri in request.get("default_graphs", [])],
            "named_graphs": [ox.NamedNode(iri) for iri in request.get("named_graphs", [])],
        }
    return {"use_default_graph_as_union": True} if request.get("union") else {}


def answer(store: ox.Store, request: dict[str, Any]) -> tuple[dict[str, object], bytes]:
    """Run one query; (status header, body). Never raises for a bad query."""
    limit = int(request.get("max_bytes", 0) or 0) or sys.maxsize
    formats = [str(f) for f in request.get("formats", []) or []]
    try:
        text = str(request["query"])
        if request.get("union") and "default_graphs" not in request:
            text = set_semantics(text)  # the union default graph as a set, as 'policykg query' reads it
        result = store.query(text, **_dataset(request))
        graph = isinstance(result, ox.QueryTriples)
        name, media_type, fmt = negotiate(graph, str(request.get("accept", "")), formats)
        sink = _CappedWriter(limit)
        result.serialize(sink, fmt)  # type: ignore[arg-type]
    except NotAcceptable as err:
        return {"status": 406, "message": str(err)}, b""
    except TooLarge:
        message = (
            f"the result is larger than the limit of {limit} bytes (serve --max-result-bytes): add LIMIT"
        )
        return {"status": 422, "message": message}, b""
    except Exception as err:  # a bad query is the client's error, not a crash
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return {"status": 400, "message": f"query failed: {first}"}, b""
    return {"status": 200, "type": media_type, "format": name}, b"".join(sink.parts)


def read_frame(stream: BinaryIO) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    body = stream.read(size)
    return body if len(body) == size else None


def write_frame(stream: BinaryIO, body: bytes) -> None:
    stream.write(struct.pack(">I", len(body)) + body)


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the server process dies, even mid-query."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def main(argv: list[str]) -> int:
    _die_with_parent()
    store = ox.Store.read_only(argv[0])
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        frame = read_frame(stdin)
        if frame is None:
            return 0
        header, body = answer(store, json.loads(frame))
        write_frame(stdout, json.dumps(header).encode("utf-8"))
        write_frame(stdout, body)
        stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A SPARQL 1.1 endpoint over the store, its query page, and an optional static site beside it.

Meant for a team's shared endpoint, so every request is treated as hostile input:

- ``GET/POST /sparql`` (SPARQL 1.1 Protocol: GET, POST form, POST ``application/sparql-query``)
  answers in the media type the client asks for (``Accept`` or ``format=``): SELECT/ASK as
  JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML. CORS is
  open (``Access-Control-Allow-Origin: *``, OPTIONS preflight), so YASGUI and other browser
  clients work.
- Queries run in worker processes that open the store read-only (:mod:`policykg.serve_worker`):
  several run at once, and a query over its time limit is stopped by killing its worker (Oxigraph
  cannot cancel a query), so a runaway query neither blocks other requests nor runs on after its
  client left. Results are capped in bytes, request bodies too (413).
- No outbound requests: ``SERVICE`` is refused unless its IRI is on the ``--allow-service`` list,
  ``LOAD`` always. Updates are refused (403) unless the server was started with updates allowed.
- ``GET /`` is the query page, built once from the named queries' grlc headers: a labelled field
  per parameter with the values it accepts; ``GET /api/bind/NAME?param=...`` gives a named query
  with its parameters bound exactly as ``policykg query`` binds them.
- ``GET /site/...`` serves a static folder (``serve --site DIR``, e.g. the output of
  ``policykg report``), never a file outside it.
"""

from __future__ import annotations

import json
import mimetypes
import os
import queue
import re
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from .errors import PolicyKGError
from .params import KINDS, Resolver, Rows, Select, resolve_parameters
from .query import NamedQuery, bind_parameters, catalogue
from .sparql_text import substitute_terms
from .store import GraphStore, OxigraphStore, from_ox, to_ox

UI_FILE = Path(__file__).with_name("ui.html")
LINGER_BYTES = 16_000_000


@dataclass(frozen=True)
class Limits:
    """What one request may cost; every field is a ``serve`` option."""

    timeout: float = 10.0
    """Seconds a query may take, waiting for a free worker included; then it is stopped (503)."""
    max_result_bytes: int = 50_000_000
    """Largest serialised result; a larger one is refused (422) rather than cut silently."""
    max_body_bytes: int = 1_000_000
    """Largest request body (413 above)."""
    workers: int = 2
    """Queries that run at the same time, each in its own process."""
    allowed_services: frozenset[str] = field(default_factory=frozenset)
    """IRIs a query may name in ``SERVICE <iri>``; none by default (no outbound requests)."""
    read_seconds: float = 20.0
    """How long a client may take to send its request line, headers and body."""


ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")


class RequestError(Exception):
    """A request refused with an HTTP status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- no outbound requests ----------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                  |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\s]*>)
      | (?P<word>[?$]?[A-Za-z_0-9][\w.\-]*(?::[\w.%\-:]*)?|:[\w.%\-:]*)
      | (?P<other>\S)""",
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) tokens of a SPARQL text, comments left out: enough to find keywords, which
    never occur inside strings, IRIs, variables or prefixed names."""
    return [
        (str(m.lastgroup), m.group()) for m in _TOKEN.finditer(text) if m.lastgroup not in ("comment", None)
    ]


def refuse_outbound(text: str, allowed: frozenset[str]) -> None:
    """Raise 403 for ``LOAD`` and for ``SERVICE`` with an IRI that is not allowed (a variable or
    prefixed name is refused too: only a literal, allowed IRI is ever fetched)."""
    tokens = _tokens(text)
    for index, (kind, word) in enumerate(tokens):
        keyword = word.upper() if kind == "word" else ""
        if keyword == "LOAD":
            raise RequestError(
                HTTPStatus.FORBIDDEN, "LOAD is refused: the endpoint makes no outbound requests"
            )
        if keyword != "SERVICE":
            continue
        following = [t for t in tokens[index + 1 : index + 3] if t[1].upper() != "SILENT"]
        target = following[0] if following else ("other", "")
        if target[0] == "iri" and target[1][1:-1] in allowed:
            continue
        raise RequestError(
            HTTPStatus.FORBIDDEN,
            f"SERVICE {target[1]} is refused: the endpoint makes no outbound requests "
            "(an administrator can allow an IRI with serve --allow-service)",
        )


def protocol_dataset(text: str, params: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The RDF dataset of a query (SPARQL 1.1 Protocol): ``default-graph-uri`` and
    ``named-graph-uri`` when given (they override FROM), else the query's own FROM / FROM NAMED,
    else the union of all graphs as default graph (``"union"`` tells the worker which)."""
    default, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
    for iri in default + named:
        if not ABSOLUTE_IRI.fullmatch(iri):
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                f"default-graph-uri/named-graph-uri must be absolute IRIs: {iri[:80]!r}",
            )
    if default or named:
        return {"default_graphs": default, "named_graphs": named}
    has_from = any(kind == "word" and word.upper() == "FROM" for kind, word in _tokens(text))
    return {} if has_from else {"union": ["yes"]}


# --- query workers -----------------------------------------------------------------------------


class _Worker:
    """One worker process and the store generation it opened."""

    def __init__(self, store_dir: Path, generation: int) -> None:
        self.generation = generation
        self.process = subprocess.Popen(
            [sys.executable, "-m", "policykg.serve_worker", str(store_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def ask(
        self, request: Mapping[str, object], deadline: float, client: socket.socket | None
    ) -> tuple[dict[str, object], bytes]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        frame = json.dumps(request).encode("utf-8")
        stdin.write(struct.pack(">I", len(frame)) + frame)
        stdin.flush()
        watch = _Watch(stdout.fileno(), deadline, client)
        header = json.loads(watch.frame())
        return header, watch.frame()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class QueryTimeout(Exception):
    """The worker did not answer before the deadline."""


class ClientGone(Exception):
    """The client closed its connection while its query ran."""


class _Watch:
    """Reads a worker's answer until the deadline, and notices a client that hung up (then the
    query is stopped at once, not at the time limit)."""

    def __init__(self, fd: int, deadline: float, client: socket.socket | None) -> None:
        self.fd = fd
        self.deadline = deadline
        self.client = client

    def frame(self) -> bytes:
        (size,) = struct.unpack(">I", self._read_exact(4))
        return self._read_exact(size)

    def _client_left(self) -> bool:
        assert self.client is not None
        try:
            return self.client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def _read_exact(self, size: int) -> bytes:
        parts: list[bytes] = []
        remaining = size
        while remaining:
            wait = self.deadline - time.monotonic()
            watched: list[int | socket.socket] = [self.fd] if self.client is None else [self.fd, self.client]
            ready = select.select(watched, [], [], max(0.0, wait))[0] if wait > 0 else []
            if not ready:
                raise QueryTimeout()
            if self.client is not None and self.client in ready:
                if self._client_left():
                    raise ClientGone()
                self.client = None  # it sent more (a pipelined request): stop watching it
            if self.fd not in ready:
                continue
            chunk = os.read(self.fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError("the query worker exited")
            parts.append(chunk)
            remaining -= len(chunk)
        return b"".join(parts)


class QueryPool:
    """``workers`` processes reading ``store_dir``; a request takes an idle one, and a worker that
    overran its deadline (or failed) is killed and replaced."""

    def __init__(self, store_dir: Path, limits: Limits) -> None:
        self.store_dir = store_dir
        self.limits = limits
        self.generation = 0
        self._closed = False
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(max(1, limits.workers)):
            self._idle.put(_Worker(store_dir, 0))

    def run(
        self,
        text: str,
        accept: str,
        formats: list[str],
        client: socket.socket | None = None,
        dataset: Mapping[str, list[str]] | None = None,
    ) -> tuple[dict[str, object], bytes]:
        deadline = time.monotonic() + self.limits.timeout
        try:
            worker = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            raise RequestError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"all {self.limits.workers} query workers stayed busy for {self.limits.timeout:g} s",
            ) from None
        if worker.generation != self.generation:  # the store changed since it opened it
            worker.stop()
            worker = _Worker(self.store_dir, self.generation)
        request = {
            "query": text,
            "accept": accept,
            "formats": formats,
            "max_bytes": self.limits.max_result_bytes,
            **(dataset or {}),
        }
        healthy = False
        try:
            answer = worker.ask(request, deadline, client)
            healthy = True
            return answer
        except QueryTimeout:
            raise RequestError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"the query was stopped at the time limit of {self.limits.timeout:g} s (serve --timeout)",
            ) from None
        except (EOFError, OSError, ValueError):
            raise RequestError(HTTPStatus.INTERNAL_SERVER_ERROR, "the query worker failed") from None
        finally:
            self._release(worker, healthy)

    def _release(self, worker: _Worker, healthy: bool) -> None:
        if healthy and not self._closed:
            self._idle.put(worker)
            return
        worker.stop()  # kills a runaway query: the process is the only way to stop it
        if not self._closed:
            self._idle.put(_Worker(self.store_dir, self.generation))

    def refresh(self) -> None:
        """After an update: workers reopen the store before their next query."""
        self.generation += 1

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


# --- the query page ----------------------------------------------------------------------------


def _ox_select(store: ox.Store) -> Select:
    """A :data:`policykg.params.Select` over the Oxigraph store the endpoint serves."""

    def run(text: str) -> Rows:
        result = store.query(text, use_default_graph_as_union=True)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("not a SELECT query")
        columns = [v.value for v in result.variables]
        return [[from_ox(solution[c]) for c in columns] for solution in result]

    return run


def known_values(store: ox.Store) -> Resolver:
    """The values every kind of parameter accepts (vendors, instruments, policies, legal bases),
    read once: the page lists them and requests are resolved against them without a query."""
    resolver = Resolver(_ox_select(store))
    for kind in KINDS:
        resolver.known(kind)
    return resolver


def query_page(queries: Mapping[str, NamedQuery], resolver: Resolver, site: bool) -> bytes:
    """The query page with the catalogue (headers, parameters, the values each accepts) as JSON."""
    described = []
    for name, query in queries.items():
        params = []
        for p in query.params.values():
            known = resolver.known(p.kind) if p.kind else []
            choices = [{"value": k.shown, "label": k.shown} for k in known]
            params.append(
                {
                    "name": p.name,
                    "type": p.type,
                    "default": p.default,
                    "description": p.description,
                    "choices": choices,
                }
            )
        described.append(
            {
                "name": name,
                "summary": query.summary,
                "description": query.description,
                "tags": query.tags,
                "text": query.text,
                "params": params,
            }
        )
    data = json.dumps(described, ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = UI_FILE.read_text(encoding="utf-8").replace("__QUERIES__", data)
    page = page.replace("__SITE_LINK__", '<a href="/site/">report site</a> · ' if site else "")
    return page.encode("utf-8")


# --- the static site ---------------------------------------------------------------------------

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".trig": "application/trig",
    ".nt": "application/n-triples",
    ".csv": "text/csv; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}


def site_file(root: Path, relative: str) -> Path:
    """The file ``relative`` (URL-decoded, after ``/site/``) names inside ``root``; 403 for any
    path that leaves it (``..``, absolute, a symbolic link pointing out), 404 when absent."""
    if "\x00" in relative or "\\" in relative or any(part == ".." for part in relative.split("/")):
        raise RequestError(HTTPStatus.FORBIDDEN, "path outside the site refused")
    base = root.resolve()
    target = (base / relative.lstrip("/")).resolve()
    if not target.is_relative_to(base):
        raise RequestError(HTTPStatus.FORBIDDEN, "path outside the site refused")
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        raise RequestError(HTTPStatus.NOT_FOUND, f"not found: /site/{relative}")
    return target


def content_type(path: Path) -> str:
    return (
        CONTENT_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


# --- HTTP --------------------------------------------------------------------------------------


def _parse_qs(text: str) -> dict[str, list[str]]:
    try:
        return urllib.parse.parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise RequestError(
            HTTPStatus.BAD_REQUEST, "the parameters are not UTF-8 once percent-decoded"
        ) from None


class Endpoint:
    """What the handler serves: the pool, the store for updates, the page, the site."""

    def __init__(self, store: GraphStore, allow_update: bool, limits: Limits, site: Path | None) -> None:
        self.limits = limits
        self.allow_update = allow_update
        self.site = site
        self.queries = catalogue()
        self._temporary: tempfile.TemporaryDirectory[str] | None = None
        self.writer, store_dir = self._persistent(store)
        self.resolver = known_values(self.writer)
        self.page = query_page(self.queries, self.resolver, site is not None)
        self.pool = QueryPool(store_dir, limits)
        self.update_lock = threading.Lock()

    def _persistent(self, store: GraphStore) -> tuple[ox.Store, Path]:
        """The store on disk the workers open read-only: the store's own folder, or a copy of an
        in-memory store in a temporary folder (removed when the server closes)."""
        if isinstance(store, OxigraphStore) and store.path is not None:
            return store._store, store.path
        self._temporary = tempfile.TemporaryDirectory(prefix="policykg-serve-")
        copy = ox.Store(self._temporary.name)
        if isinstance(store, OxigraphStore):
            copy.bulk_extend(store._store.quads_for_pattern(None, None, None, None))
        else:
            copy.bulk_extend(
                ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))  # type: ignore[arg-type]
                for s, p, o, g in store.dataset().quads((None, None, None, None))
                if g is not None
            )
        copy.flush()
        return copy, Path(self._temporary.name)

    def update(self, text: str, origin: str | None) -> None:
        if not self.allow_update:
            raise RequestError(
                HTTPStatus.FORBIDDEN, "updates are disabled: start 'policykg serve --allow-update'"
            )
        if origin is not None:  # a browser: a foreign page (CSRF) or a rebound DNS name could send it
            raise RequestError(HTTPStatus.FORBIDDEN, "updates from a web browser (Origin header) are refused")
        refuse_outbound(text, frozenset())
        try:
            with self.update_lock:
                self.writer.update(text)
                self.writer.flush()
                self.resolver = known_values(self.writer)
        except Exception as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise RequestError(HTTPStatus.BAD_REQUEST, f"update failed: {first}") from None
        self.pool.refresh()

    def bind(self, name: str, given: Mapping[str, str]) -> str:
        query = self.queries.get(name)
        if query is None:
            raise RequestError(HTTPStatus.NOT_FOUND, f"unknown query {name!r}")
        try:
            resolved = resolve_parameters(query, given, self.resolver)
            return substitute_terms(query.text, bind_parameters(query, resolved))
        except PolicyKGError as err:
            raise RequestError(HTTPStatus.BAD_REQUEST, str(err).splitlines()[0]) from None

    def close(self) -> None:
        self.pool.close()
        if self._temporary is not None:
            del self.writer
            self._temporary.cleanup()


def make_handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    limits = endpoint.limits

    class Handler(BaseHTTPRequestHandler):
        server_version = "policykg"
        timeout = limits.read_seconds  # a client that stops sending does not hold a thread

        def log_message(self, format: str, *args: object) -> None:  # quiet by default
            return

        def _send(self, status: int, body: bytes, content_type: str, extra: Mapping[str, str] = {}) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("X-Content-Type-Options", "nosniff")
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, message: str) -> None:
            self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """The standard library's own refusals (bad request line, header too long, unknown
            method) as one plain line too, not an HTML page."""
            self.close_connection = True
            if self.request_version == "HTTP/0.9":  # an unparsable request line: answer with headers
                self.request_version = "HTTP/1.0"
            self._error(code, message or HTTPStatus(code).phrase)

        def _guarded(self, action: Callable[[], None]) -> None:
            """Every refusal is a status and one line; nothing reaches the server's stderr."""
            try:
                action()
            except RequestError as err:
                if err.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
                    self.close_connection = True  # the unread body is not read
                self._error(err.status, err.message)
            except (TimeoutError, ConnectionError, ClientGone):
                self.close_connection = True
            except Exception as err:  # a bug: still one line to the client, no traceback
                self.close_connection = True
                self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(err).__name__}")

        def do_OPTIONS(self) -> None:  # CORS preflight (YASGUI posts with custom headers)
            requested = self.headers.get("Access-Control-Request-Headers", "")
            allowed = (
                requested
                if re.fullmatch(r"[\w\-, ]{0,500}", requested) and requested
                else "Content-Type, Accept"
            )
            self._send(
                HTTPStatus.NO_CONTENT,
                b"",
                "text/plain",
                {
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": allowed,
                    "Access-Control-Max-Age": "86400",
                    "Allow": "GET, HEAD, POST, OPTIONS",
                },
            )

        def do_GET(self) -> None:
            self._guarded(self._get)

        def do_HEAD(self) -> None:
            self._guarded(self._get)

        def do_POST(self) -> None:
            self._guarded(self._post)

        def _get(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            path = url.path
            if path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, endpoint.page, "text/html; charset=utf-8")
            elif path == "/sparql":
                params = _parse_qs(url.query)
                if "update" in params:
                    raise RequestError(HTTPStatus.METHOD_NOT_ALLOWED, "SPARQL updates must use POST")
                if "query" not in params:
                    raise RequestError(
                        HTTPStatus.BAD_REQUEST, "expected a query parameter: /sparql?query=..."
                    )
                self._query(params["query"][0], params)
            elif path.startswith("/api/bind/"):
                given = {k: v[0] for k, v in _parse_qs(url.query).items()}
                text = endpoint.bind(urllib.parse.unquote(path[len("/api/bind/") :]), given)
                self._send(HTTPStatus.OK, text.encode("utf-8"), "application/sparql-query; charset=utf-8")
            elif path in ("/site", "/site/") or path.startswith("/site/"):
                self._site(path)
            else:
                raise RequestError(HTTPStatus.NOT_FOUND, "not found: use /sparql?query=..., / or /site/")

        def _site(self, path: str) -> None:
            if endpoint.site is None:
                raise RequestError(
                    HTTPStatus.NOT_FOUND, "no site is served: start 'policykg serve --site DIR'"
                )
            if path == "/site":
                self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", {"Location": "/site/"})
                return
            try:
                relative = urllib.parse.unquote(path[len("/site/") :], errors="strict")
            except UnicodeDecodeError:
                raise RequestError(
                    HTTPStatus.BAD_REQUEST, "the path is not UTF-8 once percent-decoded"
                ) from None
            target = site_file(endpoint.site, relative)
            if target.name == "index.html" and not path.endswith(("/", "index.html")):
                # a folder named without its final slash: its pages' relative links need the slash
                self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", {"Location": path + "/"})
                return
            self._send(HTTPStatus.OK, target.read_bytes(), content_type(target))

        def _body(self) -> str:
            if self.headers.get("Transfer-Encoding"):
                raise RequestError(
                    HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length (not chunked)"
                )
            declared = self.headers.get("Content-Length")
            if declared is None:
                raise RequestError(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length header")
            if not re.fullmatch(r"\s*\d{1,15}\s*", declared):
                raise RequestError(HTTPStatus.BAD_REQUEST, f"bad Content-Length: {declared[:40]!r}")
            length = int(declared)
            if length > limits.max_body_bytes:
                raise RequestError(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"the request body ({length} bytes) is over the limit of {limits.max_body_bytes} "
                    "bytes (serve --max-body-bytes)",
                )
            body = self.rfile.read(length)
            if len(body) != length:
                raise RequestError(
                    HTTPStatus.BAD_REQUEST, "the request body is shorter than its Content-Length"
                )
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                raise RequestError(HTTPStatus.BAD_REQUEST, "the request body is not UTF-8") from None

        def _post(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/sparql":
                raise RequestError(HTTPStatus.NOT_FOUND, "not found: POST to /sparql")
            body = self._body()
            params = _parse_qs(url.query)
            kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind == "application/sparql-query":
                self._query(body, params)
            elif kind == "application/sparql-update":
                self._update(body)
            elif kind in ("application/x-www-form-urlencoded", ""):
                form = _parse_qs(body)
                if "query" in form:
                    merged = {key: form.get(key, []) + params.get(key, []) for key in set(form) | set(params)}
                    self._query(form["query"][0], merged)
                elif "update" in form:
                    self._update(form["update"][0])
                else:
                    raise RequestError(HTTPStatus.BAD_REQUEST, "expected a query or update parameter")
            else:
                raise RequestError(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    f"unsupported Content-Type {kind[:60]!r}: use application/sparql-query, "
                    "application/sparql-update or a form",
                )

        def _query(self, text: str, params: Mapping[str, list[str]]) -> None:
            refuse_outbound(text, limits.allowed_services)
            accept, formats = self.headers.get("Accept", ""), params.get("format", [])
            dataset = protocol_dataset(text, params)
            header, body = endpoint.pool.run(text, accept, formats, self.connection, dataset)
            status = int(str(header["status"]))
            if status != HTTPStatus.OK:
                raise RequestError(status, str(header.get("message", "query failed")))
            self._send(HTTPStatus.OK, body, str(header["type"]), {"Vary": "Accept"})

        def _update(self, text: str) -> None:
            endpoint.update(text, self.headers.get("Origin"))
            self._send(HTTPStatus.NO_CONTENT, b"", "text/plain")

    return Handler


class EndpointServer(ThreadingHTTPServer):
    """The HTTP server with its endpoint; closing it stops the query workers."""

    daemon_threads = True
    endpoint: Endpoint

    def handle_error(self, request: object, client_address: object) -> None:
        """A broken connection is the client's business: no traceback on the server's stderr."""
        return

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        """Close as a careful server does (a "lingering close"): after the response, read what the
        client still sends for at most a second, so that a refused body (413) or an overlong
        line does not turn into a reset that destroys the response before the client reads it."""
        try:
            request.shutdown(socket.SHUT_WR)
            request.settimeout(0.2)
            deadline, drained = time.monotonic() + 1.0, 0
            while time.monotonic() < deadline and drained < LINGER_BYTES:
                chunk = request.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass
        self.close_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.endpoint.close()


def make_server(
    store: GraphStore,
    host: str = "127.0.0.1",
    port: int = 7879,
    allow_update: bool = False,
    limits: Limits | None = None,
    site: Path | None = None,
) -> EndpointServer:
    endpoint = Endpoint(store, allow_update, limits or Limits(), site)
    try:
        server = EndpointServer((host, port), make_handler(endpoint))
    except OSError:
        endpoint.close()
        raise
    server.endpoint = endpoint
    return server

"""A local SPARQL 1.1 endpoint over the store, with a small query page; read-only by default.

``GET/POST /sparql`` answers queries (JSON, CSV, TSV or XML results by Accept header); updates
are refused with 403 unless the server was started with updates allowed. ``GET /`` is the query
page: a form, the named queries of the library as examples, a results table.
"""

from __future__ import annotations

import html
import json
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .query import catalogue
from .store import GraphStore

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/sparql-results+xml": "xml",
}
UI_FILE = Path(__file__).with_name("ui.html")


def _result_format(accept: str) -> tuple[str, str]:
    for mime, fmt in RESULT_TYPES.items():
        if mime in accept:
            return mime, fmt
    return "application/sparql-results+json", "json"


def make_handler(store: GraphStore, allow_update: bool) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()  # one request at a time on the store: rdflib is not thread-safe

    class Handler(BaseHTTPRequestHandler):
        server_version = "policykg"

        def log_message(self, format: str, *args: object) -> None:  # quiet by default
            return

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: HTTPStatus, message: str) -> None:
            self._send(status, message.encode("utf-8"), "text/plain; charset=utf-8")

        def do_GET(self) -> None:
            url = urllib.parse.urlparse(self.path)
            params = urllib.parse.parse_qs(url.query)
            if url.path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, self._page().encode("utf-8"), "text/html; charset=utf-8")
            elif url.path == "/sparql" and "query" in params:
                self._query(params["query"][0])
            elif url.path == "/sparql" and "update" in params:
                self._error(HTTPStatus.METHOD_NOT_ALLOWED, "SPARQL updates must use POST")
            else:
                self._error(HTTPStatus.NOT_FOUND, "not found: use /sparql?query=... or /")

        def do_POST(self) -> None:
            if urllib.parse.urlparse(self.path).path != "/sparql":
                self._error(HTTPStatus.NOT_FOUND, "not found")
                return
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(length).decode("utf-8")
            kind = self.headers.get("Content-Type", "").split(";")[0].strip()
            if kind == "application/sparql-query":
                self._query(body)
            elif kind == "application/sparql-update":
                self._update(body)
            else:
                form = urllib.parse.parse_qs(body)
                if "query" in form:
                    self._query(form["query"][0])
                elif "update" in form:
                    self._update(form["update"][0])
                else:
                    self._error(HTTPStatus.BAD_REQUEST, "expected a query or update parameter")

        def _query(self, text: str) -> None:
            mime, fmt = _result_format(self.headers.get("Accept", ""))
            try:
                with lock:
                    body = store.raw_query(text, fmt)
            except Exception as err:  # a bad query is the client's error, not a crash
                self._error(HTTPStatus.BAD_REQUEST, f"query failed: {str(err).splitlines()[0]}")
                return
            self._send(HTTPStatus.OK, body, mime)

        def _update(self, text: str) -> None:
            if not allow_update:
                self._error(
                    HTTPStatus.FORBIDDEN, "updates are disabled: start 'policykg serve --allow-update'"
                )
                return
            try:
                with lock:
                    store.update(text)
            except Exception as err:
                self._error(HTTPStatus.BAD_REQUEST, f"update failed: {str(err).splitlines()[0]}")
                return
            self._send(HTTPStatus.NO_CONTENT, b"", "text/plain")

        def _page(self) -> str:
            examples = {name: q.text for name, q in catalogue().items()}
            page = UI_FILE.read_text(encoding="utf-8")
            return page.replace("__EXAMPLES__", html.escape(json.dumps(examples), quote=False))

    return Handler


def make_server(
    store: GraphStore, host: str = "127.0.0.1", port: int = 7879, allow_update: bool = False
) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), make_handler(store, allow_update))

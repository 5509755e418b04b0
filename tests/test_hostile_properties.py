"""Property-based tests (Hypothesis) for what hostile input reaches: a parameter value is always
one literal (locally, and on a real endpoint in the slow set), and evidence offsets always read
back their quote in the text as stored (CRLF, astral characters, BOMs included)."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from policykg.evidence import Annotator, check_graph, locate, read_source
from policykg.namespaces import PKG
from policykg.query import bind_parameters, load_query, run_local, run_remote
from policykg.store import MemoryStore, OxigraphStore

from .servers import Server, start_oxigraph

TYPED = Path(__file__).parent / "fixtures" / "hostile" / "queries" / "typed-params.rq"
FIXED = {"n": "1", "x": "https://example.org/x"}

UNICODE = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
"""Any string Python can encode as UTF-8 (surrogates are refused with exit 2 before binding)."""
TEXTS = st.lists(
    st.one_of(
        st.sampled_from(["\r\n", "\r", "\n", "\ufeff", "\t", '"', "\\", "🎉", "é"]),
        st.characters(blacklist_categories=["Cs"]),  # a stored text is UTF-8: no lone surrogates
    ),
    max_size=40,
).map("".join)
"""Policy texts with every kind of line end, BOMs, quotes, backslashes and astral characters
(what a UTF-8 file can hold: a lone surrogate cannot be stored, so it is no source text)."""


@settings(max_examples=100, deadline=None, derandomize=True)
@given(UNICODE)
def test_any_unicode_value_is_one_literal_locally(value: str) -> None:
    query = load_query(TYPED)
    bindings = bind_parameters(query, {"value": value, **FIXED})
    for store in (OxigraphStore(), MemoryStore()):
        result = run_local(store, query, bindings)
        assert result.columns == ["v", "n", "i"]
        assert result.rows == [
            [Literal(value), Literal(1, datatype=XSD.integer), URIRef("https://example.org/x")]
        ], type(store).__name__


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Server]:
    try:
        server = start_oxigraph(Path(tempfile.mkdtemp(prefix="policykg-hypothesis-")))
    except RuntimeError as err:
        pytest.skip(f"oxigraph not available: {err}")
    yield server
    server.stop()


@pytest.mark.slow
@settings(max_examples=60, deadline=None, derandomize=True)
@given(value=UNICODE)
def test_any_unicode_value_is_one_literal_on_an_endpoint(endpoint: Server, value: str) -> None:
    query = load_query(TYPED)
    result = run_remote(endpoint.query_url, query, bind_parameters(query, {"value": value, **FIXED}), 10.0)
    assert result.rows[0][0] == Literal(value)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(before=TEXTS, quote=TEXTS.filter(bool), after=TEXTS)
def test_located_offsets_read_back_the_quote_in_the_stored_text(before: str, quote: str, after: str) -> None:
    """Offsets count code points of the text exactly as stored (a CRLF is two), so a quote
    located in a file is found again there by 'evidence check', and nothing else is reported."""
    text = before + quote + after
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "policy.txt"
        source.write_bytes(text.encode("utf-8"))
        stored = read_source(source)
        assert stored == text  # no newline translation, no BOM dropped
        where = locate(stored, quote, len(before))
        assert (where.start, where.end) == (len(before), len(before) + len(quote))
        assert stored[where.start : where.end] == quote
        assert stored[: where.start].endswith(where.prefix) and stored[where.end :].startswith(where.suffix)
        version = URIRef("https://w3id.org/policykg/id/policy/example/2024-01-01")
        annotator = Annotator(version, stored)
        annotator.add(version, PKG.sourceFile, Literal("policy.txt"))
        annotator.add(version, PKG.sourceSha256, Literal(hashlib.sha256(source.read_bytes()).hexdigest()))
        annotator.fact(version, PKG.note, Literal("x"), quote, after=len(before))
        checked, mismatches, missing = check_graph(version, annotator.graph, Path(folder))
        assert (checked, mismatches, missing) == (1, [], None)

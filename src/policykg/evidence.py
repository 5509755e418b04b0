"""Verbatim evidence: locate quotes in a source text, build evidence nodes, check them.

Offsets count Unicode code points of the UTF-8 decoded source as stored, with no newline
translation (a CRLF is two), as W3C Web Annotation's TextPositionSelector does, so
``text[start:end] == exact`` in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Identifier, Node

from .dates import parse_policy_date
from .errors import BadValueError, InputFileError, PolicyKGError
from .namespaces import OA, PKG, bind_prefixes
from .rdfio import read_utf8, sha256_of_files

CONTEXT_CHARS = 32
"""Length of the prefix and suffix stored with each quote."""


class QuoteNotFound(PolicyKGError):
    """The quote does not occur (after the given anchor) in the source text."""


def sha256_file(path: Path) -> str:
    return sha256_of_files([path])


def read_source(path: Path) -> str:
    """The text as stored (no newline translation: offsets count a CRLF's CR, as documented)."""
    if not path.exists():
        raise InputFileError(path, "source text not found")
    return read_utf8(path)


@dataclass(frozen=True)
class Location:
    start: int
    end: int
    prefix: str
    suffix: str
    occurrences: int


def locate(text: str, quote: str, after: str | int | None = None) -> Location:
    """Find ``quote`` in ``text``, at or after an anchor (a string or an offset).

    ``occurrences`` counts every match in the whole text, so a caller can warn that the
    prefix/suffix are needed to tell repeated quotes apart.
    """
    if not quote:
        raise BadValueError("quote", quote, "a non-empty string")
    origin = 0
    if isinstance(after, int):
        origin = after
    elif isinstance(after, str):
        origin = text.find(after)
        if origin < 0:
            raise QuoteNotFound(f"anchor not found: {after!r}")
    start = text.find(quote, origin)
    if start < 0:
        where = f" after {after!r}" if after is not None else ""
        raise QuoteNotFound(f"quote not found{where}: {quote!r}")
    end = start + len(quote)
    return Location(
        start=start,
        end=end,
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
        occurrences=text.count(quote),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80] or "x"


def local_name(term: Node) -> str:
    return re.split(r"[#/]", str(term).rstrip("/#"))[-1]


class Annotator:
    """Builds a policy version's graph: facts, each with an evidence node located in the text.

    Used by annotators from Python; ``policykg evidence locate`` is the command-line aid.
    """

    def __init__(self, version: URIRef, source_text: str) -> None:
        self.version = version
        self.text = source_text
        self.graph = Graph()
        bind_prefixes(self.graph)
        self._cursor = 0

    def iri(self, kind: str, slug: str) -> URIRef:
        return URIRef(f"{self.version}/{kind}/{slug}")

    def add(self, s: Identifier, p: URIRef, o: Identifier) -> None:
        """A statement that needs no evidence of its own (types, labels, structure)."""
        self.graph.add((s, p, o))

    def fact(
        self,
        s: URIRef,
        p: URIRef,
        o: Identifier,
        quote: str,
        after: str | int | None = None,
        applies_to: str | None = None,
    ) -> URIRef:
        """Add the fact (s, p, o) and its evidence; returns the evidence IRI."""
        loc = locate(self.text, quote, after)
        self.graph.add((s, p, o))
        base = (
            f"{local_name(s)}--{local_name(p)}--{_slug(local_name(o) if isinstance(o, URIRef) else str(o))}"
        )
        ev = self.iri("evidence", base)
        n = 2
        while (ev, RDF.type, PKG.Evidence) in self.graph:
            ev = self.iri("evidence", f"{base}-{n}")
            n += 1
        quote_sel = URIRef(f"{ev}#quote")
        pos_sel = URIRef(f"{ev}#position")
        g = self.graph
        g.add((ev, RDF.type, PKG.Evidence))
        g.add((ev, OA.hasSource, self.version))
        g.add((ev, PKG.factSubject, s))
        g.add((ev, PKG.factProperty, p))
        g.add((ev, PKG.factValue, o))
        if applies_to:
            g.add((ev, PKG.appliesTo, Literal(applies_to)))
        g.add((ev, OA.hasSelector, quote_sel))
        g.add((ev, OA.hasSelector, pos_sel))
        g.add((quote_sel, RDF.type, OA.TextQuoteSelector))
        g.add((quote_sel, OA.exact, Literal(quote)))
        g.add((quote_sel, OA.prefix, Literal(loc.prefix)))
        g.add((quote_sel, OA.suffix, Literal(loc.suffix)))
        g.add((pos_sel, RDF.type, OA.TextPositionSelector))
        g.add((pos_sel, OA.start, Literal(loc.start, datatype=XSD.integer)))
        g.add((pos_sel, OA.end, Literal(loc.end, datatype=XSD.integer)))
        return ev


@dataclass(frozen=True)
class Mismatch:
    policy: str
    fact: str
    expected: str
    found: str

    def describe(self) -> str:
        return f"{self.policy}: {self.fact}: expected {self.expected!r}, found {self.found!r}"


@dataclass
class EvidenceReport:
    checked: int
    mismatches: list[Mismatch]
    missing_sources: list[str]


@dataclass(frozen=True)
class _EvidenceRow:
    """One evidence node with one fact and (if stated) one quote and one position selector."""

    s: Node
    p: Node
    o: Node
    exact: Node | None
    prefix: Node | None
    suffix: Node | None
    start: Node | None
    end: Node | None


def _evidence_rows(graph: Graph) -> Iterator[_EvidenceRow]:
    """Every evidence node's facts with its selectors, read by walking the graph: the same rows
    as a SELECT with OPTIONAL selectors, without rdflib's SPARQL engine (7 s for 25 versions)."""
    for ev in sorted(graph.subjects(RDF.type, PKG.Evidence), key=str):
        facts = product(
            graph.objects(ev, PKG.factSubject),
            graph.objects(ev, PKG.factProperty),
            graph.objects(ev, PKG.factValue),
        )
        selectors = list(graph.objects(ev, OA.hasSelector))
        quotes: list[tuple[Node | None, Node | None]] = [
            (q, exact)
            for q in selectors
            if (q, RDF.type, OA.TextQuoteSelector) in graph
            for exact in graph.objects(q, OA.exact)
        ] or [(None, None)]
        positions: list[tuple[Node | None, Node | None]] = [
            (start, end)
            for q in selectors
            if (q, RDF.type, OA.TextPositionSelector) in graph
            for start in graph.objects(q, OA.start)
            for end in graph.objects(q, OA.end)
        ] or [(None, None)]
        for (s, p, o), (quote, exact), (start, end) in product(facts, quotes, positions):
            yield _EvidenceRow(
                s,
                p,
                o,
                exact,
                graph.value(quote, OA.prefix) if quote is not None else None,
                graph.value(quote, OA.suffix) if quote is not None else None,
                start,
                end,
            )


def _describe_fact(s: Node, p: Node, o: Node) -> str:
    return f"{local_name(s)} {local_name(p)} {local_name(o) if isinstance(o, URIRef) else o}"


SourceDirs = Path | Sequence[Path]


def find_source(source_name: str, sources: SourceDirs) -> Path:
    """The first folder of ``sources`` that holds ``source_name``: drafts store their text in the
    data folder (``<vendor>/<version>.txt``), the seed texts live in ../shared/seeds."""
    folders = [sources] if isinstance(sources, Path) else list(sources)
    for folder in folders:
        if (folder / source_name).is_file():
            return folder / source_name
    return folders[-1] / source_name if folders else Path(source_name)


def check_graph(name: URIRef, graph: Graph, sources: SourceDirs) -> tuple[int, list[Mismatch], str | None]:
    """Check one policy graph against its source file: hash, quotes, offsets, dates."""
    policy = str(name)
    source_name = graph.value(name, PKG.sourceFile)
    if source_name is None:
        return 0, [Mismatch(policy, "pkg:sourceFile", "a source file name", "nothing")], None
    path = find_source(str(source_name), sources)
    if not path.is_file():
        return 0, [], str(path)
    mismatches: list[Mismatch] = []
    expected_hash = str(graph.value(name, PKG.sourceSha256) or "")
    found_hash = sha256_file(path)
    if expected_hash != found_hash:
        mismatches.append(Mismatch(policy, f"sha256 of {source_name}", expected_hash, found_hash))
    text = read_source(path)
    checked = 0
    for row in _evidence_rows(graph):
        checked += 1
        fact = _describe_fact(row.s, row.p, row.o)
        exact, start, end = row.exact, row.start, row.end
        if exact is None or start is None or end is None:
            mismatches.append(
                Mismatch(policy, fact, "a quote with start and end offsets", "incomplete evidence")
            )
            continue
        offsets = _offsets(start, end)
        if offsets is None:
            found = f"oa:start {str(start)!r}, oa:end {str(end)!r}"
            mismatches.append(Mismatch(policy, fact, "integer offsets 0 <= start <= end", found))
            continue
        s_i, e_i = offsets
        found = text[s_i:e_i]
        if found != str(exact):
            mismatches.append(Mismatch(policy, f"{fact} [{s_i}:{e_i}]", str(exact), found))
            continue
        prefix, suffix = row.prefix, row.suffix
        if prefix is not None and not text[:s_i].endswith(str(prefix)):
            before = text[max(0, s_i - len(str(prefix))) : s_i]
            mismatches.append(Mismatch(policy, f"{fact} prefix", str(prefix), before))
        if suffix is not None and not text[e_i:].startswith(str(suffix)):
            after = text[e_i : e_i + len(str(suffix))]
            mismatches.append(Mismatch(policy, f"{fact} suffix", str(suffix), after))
        notation = graph.value(row.s, PKG.dateNotation)
        if row.p == PKG.statedDate and notation is not None:
            mismatches.extend(_date_mismatch(policy, fact, str(exact), str(notation), str(row.o)))
    return checked, mismatches, None


def _offsets(start: Node, end: Node) -> tuple[int, int] | None:
    """The offsets as integers, None when they are not (``"abc"^^xsd:integer``) or out of order."""
    try:
        s_i, e_i = int(str(start)), int(str(end))
    except ValueError:
        return None
    return (s_i, e_i) if 0 <= s_i <= e_i else None


def _date_mismatch(policy: str, fact: str, quote: str, notation: str, value: str) -> list[Mismatch]:
    """A stated date must be what its quote says, read in the text's own notation."""
    try:
        parsed = parse_policy_date(quote, notation).isoformat()
    except BadValueError as err:
        parsed = str(err)
    if parsed == value:
        return []
    return [Mismatch(policy, f"{fact} (date read as {notation})", value, parsed)]


def check_evidence(graphs: dict[URIRef, Graph], sources: SourceDirs) -> EvidenceReport:
    report = EvidenceReport(checked=0, mismatches=[], missing_sources=[])
    for name, graph in sorted(graphs.items()):
        checked, mismatches, missing = check_graph(name, graph, sources)
        report.checked += checked
        report.mismatches.extend(mismatches)
        if missing:
            report.missing_sources.append(missing)
    return report

"""Exports: Turtle, TriG, N-Triples, N-Quads and JSON-LD, deterministic so that they diff in git,
and fast enough for 10,000 policies (within 2x of Oxigraph writing the same data itself).

Each graph is written by Oxigraph (Rust) as N-Triples; Python only sorts its lines. Graphs with
blank nodes get canonical labels first (RDFC-1.0, by Oxigraph). Turtle and TriG are written by
Oxigraph from the sorted lines. JSON-LD is written here, compacted with the project's own context
(``context/policykg.context.jsonld``; DPV publishes none): every node is one flat object, its
properties the context's short names where the value fits the term's type, compact IRIs
(``dpv:Process``) elsewhere; PyLD, rdflib and Jena read it back to the same quads (tests). The
framed form (one nested document per version) is made by PyLD from that output.

Canonical labelling is refused, with a clear error, for graphs whose blank nodes can be told
apart only through other blank nodes in large numbers (e.g. ``[ ]`` nested thousands deep):
every canonicalisation algorithm is exponential there, so an export would not end.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from .errors import BadValueError, InputFileError, PolicyKGError
from .namespaces import PREFIXES
from .paths import project_paths
from .store import ONTOLOGY_GRAPH, GraphStore, OxigraphStore, as_oxigraph, selected_graphs

FORMATS = ("turtle", "trig", "ntriples", "nquads", "jsonld")
QUAD_FORMATS = ("trig", "nquads", "jsonld")
SUFFIX = {"turtle": ".ttl", "trig": ".trig", "ntriples": ".nt", "nquads": ".nq", "jsonld": ".jsonld"}
CONTEXT_FILE = "policykg.context.jsonld"
FRAME_FILE = "policykg.frame.jsonld"
AMBIGUOUS_BLANK_NODE_LIMIT = 100
"""Most blank nodes of one graph that look alike to their neighbours (same predicates, same
non-blank values) before canonical labelling is refused: RDFC-1.0 takes 0.2 s for 100 nested
``[ ]``, 2 s for 200, and does not end for thousands."""
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_TYPE_TERM = f"<{RDF_TYPE}>"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?")
"""Local names written as prefixed names: a safe subset of Turtle's PN_LOCAL (no dots, no escapes)."""


def context_dir() -> Path:
    return project_paths().root / "context"


def load_context() -> dict[str, Any]:
    path = context_dir() / CONTEXT_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(path, "JSON-LD context not found") from None
    except json.JSONDecodeError as err:
        raise InputFileError(path, f"invalid JSON: {err.msg}", err.lineno) from None
    return data


def graph_lines(store: OxigraphStore, name: URIRef) -> list[str]:
    """The graph's triples as sorted N-Triples lines (without newline), blank nodes labelled
    canonically."""
    raw = store.dump_graph(name)
    if b"_:" in raw:
        raw = _canonical(name, raw)
    lines = raw.decode("utf-8").split("\n")
    if lines and not lines[-1]:
        lines.pop()
    lines.sort()
    return lines


def _canonical(name: URIRef, raw: bytes) -> bytes:
    triples = list(ox.parse(raw, format=ox.RdfFormat.N_TRIPLES))
    _refuse_ambiguous_blank_nodes(name, triples)
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    # canonical labels restart at c14n0 in every graph: tag them with the graph, or two graphs'
    # nodes would become one in a merged (Turtle, N-Triples) or quad (N-Quads, TriG) document
    tag = hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:12]

    def own(term: Any) -> Any:
        return ox.BlankNode(f"g{tag}{term.value}") if isinstance(term, ox.BlankNode) else term

    return _write(
        (ox.Quad(own(q.subject), q.predicate, own(q.object)) for q in dataset), ox.RdfFormat.N_QUADS
    )


def _write(items: Iterable[Any], fmt: ox.RdfFormat) -> bytes:
    """Oxigraph's own writer (Rust), with the project prefixes where the format has them."""
    written = ox.serialize(items, format=fmt, prefixes=PREFIXES)
    assert written is not None  # no output file given: the bytes are returned
    return written


def _refuse_ambiguous_blank_nodes(name: URIRef, triples: list[Any]) -> None:
    """Blank nodes with the same first-degree description (RDFC-1.0's first hash) can only be
    told apart through each other; too many of them make any canonical labelling exponential."""
    described: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        s, p, o = t.subject, t.predicate, t.object
        if isinstance(s, ox.BlankNode):
            described[s.value].append(f"> {p} {'_' if isinstance(o, ox.BlankNode) else o}")
        if isinstance(o, ox.BlankNode):
            described[o.value].append(f"< {p} {'_' if isinstance(s, ox.BlankNode) else s}")
    groups = Counter("\n".join(sorted(d)) for d in described.values())
    largest = max(groups.values(), default=0)
    if largest > AMBIGUOUS_BLANK_NODE_LIMIT:
        raise PolicyKGError(
            f"graph <{name}>: {largest} blank nodes that only other blank nodes tell apart (such as "
            f"[ ] nested {largest} deep); exports label blank nodes canonically and cannot for more "
            f"than {AMBIGUOUS_BLANK_NODE_LIMIT}: give these nodes IRIs"
        )


def _parse_lines(lines: list[str]) -> Iterator[Any]:
    return iter(ox.parse("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))


def _union_lines(store: OxigraphStore, names: Iterable[URIRef]) -> list[str]:
    """The merged graph's lines: graph by graph (in name order), each sorted, a triple kept where
    it first appears. Deterministic without one global sort of every line (a second, slower one)."""
    union: dict[str, None] = {}
    for name in names:
        union.update(dict.fromkeys(graph_lines(store, name)))
    return list(union)


def _turtle(lines: list[str]) -> str:
    """Turtle from N-Triples lines: a subject's consecutive lines become one statement with
    ';' (its lines are together within each graph), predicates and IRIs of the project's
    namespaces are prefixed names, everything else is written as N-Triples writes it."""
    short: dict[str, str] = {}

    def name(term: str) -> str:
        found = short.get(term)
        if found is None:
            found = term
            if term.startswith("<"):
                iri = term[1:-1]
                for prefix, namespace in PREFIXES.items():
                    local = iri[len(namespace) :]
                    if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(local):
                        found = f"{prefix}:{local}"
                        break
            short[term] = found
        return found

    known = short.get  # most terms repeat: a dictionary hit, not a call
    out = [f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES.items()]
    previous = ""
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        obj = rest[:-2]
        if obj[0] != '"':
            obj = known(obj) or name(obj)
        elif obj[-1] == ">":  # a datatype
            cut = obj.rindex("^^<") + 2
            obj = obj[:cut] + name(obj[cut:])
        verb = "a" if predicate == RDF_TYPE_TERM else known(predicate) or name(predicate)
        if subject == previous:
            out.append(f" ;\n    {verb} {obj}")
        else:
            out.append(" .\n\n" if previous else "\n")
            out.append(f"{known(subject) or name(subject)} {verb} {obj}")
        previous = subject
    if previous:
        out.append(" .\n")
    return "".join(out)


def _nquads(store: OxigraphStore, names: list[URIRef]) -> str:
    parts = []
    for name in names:
        label = f"<{name}> .\n"
        parts.append("".join(line[:-1] + label for line in graph_lines(store, name)))
    return "".join(parts)


def _trig(store: OxigraphStore, names: list[URIRef]) -> str:
    def quads() -> Iterator[ox.Quad]:
        for name in names:
            graph = ox.NamedNode(str(name))
            for t in _parse_lines(graph_lines(store, name)):
                yield ox.Quad(t.subject, t.predicate, t.object, graph)

    return _write(quads(), ox.RdfFormat.TRIG).decode("utf-8")


def export(store: GraphStore, fmt: str, only: str | None = None, framed: bool = False) -> str:
    """Serialise all graphs (or one policy version) in ``fmt``; deterministic for equal input."""
    if fmt not in FORMATS:
        raise BadValueError("export format", fmt, " | ".join(FORMATS))
    oxi = as_oxigraph(store)
    names = sorted(selected_graphs(oxi, only))
    if fmt == "nquads":
        return _nquads(oxi, names)
    if fmt == "ntriples":
        return "".join(line + "\n" for line in _union_lines(oxi, names))
    if fmt == "turtle":
        return _turtle(_union_lines(oxi, names))
    if fmt == "trig":
        return _trig(oxi, names)
    writer = JsonLdWriter(load_context())
    if framed:  # the versions and the catalogue: DPV's concepts stay references, not class chains
        framed_document = _framed(writer.document(oxi, [n for n in names if n != ONTOLOGY_GRAPH]))
        return json.dumps(framed_document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return writer.text(oxi, names)


def to_jsonld(store: GraphStore, frame: bool = False) -> str:
    """Compact JSON-LD of every graph (or framed: one nested document per version)."""
    return export(store, "jsonld", framed=frame)


def _framed(document: dict[str, Any]) -> dict[str, Any]:
    """One nested document per policy version (PyLD framing of the compact export): processes,
    their evidence and selectors embedded; every other node (DPV concepts, organisations named
    elsewhere, instruments) a reference by its short IRI; every property an array."""
    from pyld import jsonld

    frame_doc = json.loads((context_dir() / FRAME_FILE).read_text(encoding="utf-8"))
    framed: dict[str, Any] = jsonld.frame(
        document, frame_doc, {"omitGraph": False, "compactArrays": False, "processingMode": "json-ld-1.1"}
    )
    graph = framed.get("@graph", framed.get("graph"))
    if isinstance(graph, list):
        graph.sort(key=lambda node: str(node.get("id", node.get("@id", ""))))
    _one_shape_per_property(framed)
    return framed


def _one_shape_per_property(document: dict[str, Any]) -> None:
    """Every property's values the same JSON shape throughout the document: an array (framing
    with compactArrays off), and objects where any value of that property is an object (a bare
    reference "dpv:X" becomes {"id": "dpv:X"}, a plain string {"@value": "..."}: the same RDF)."""
    shapes: dict[str, str] = {}

    def survey(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    continue
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict):
                        shapes[key] = "id" if "id" in item and shapes.get(key) != "@value" else "@value"
                        survey(item)

    def rewrite(node: Any) -> None:
        if isinstance(node, dict) and "@value" not in node:  # value objects keep their form
            for key, value in list(node.items()):
                if key in ("@context", "id", "@value", "@language"):
                    continue
                items = value if isinstance(value, list) else [value]
                if key in shapes:
                    items = [{shapes[key]: i} if isinstance(i, str) else i for i in items]
                node[key] = items
                for item in items:
                    rewrite(item)

    survey(document)
    rewrite(document)


class JsonLdWriter:
    """Compact JSON-LD from N-Triples lines, by the rules of JSON-LD 1.0 compaction for flat node
    objects: a property takes the context's term whose type fits the value (``"@type": "@id"``
    for IRIs, a datatype for literals of that datatype, no type for anything), else its compact
    IRI; IRIs in values and ids become compact IRIs (``dpv:Consent``) through the context's
    prefixes, types the context's names (``Process``). Reads the lines as text (N-Triples as
    Oxigraph writes it): parsing them into term objects would cost more than the whole dump."""

    def __init__(self, context_document: dict[str, Any]) -> None:
        self.context = context_document["@context"]
        raw: dict[str, Any] = self.context
        self.prefixes = {
            k: v for k, v in raw.items() if isinstance(v, str) and ":" not in k and v.endswith(("#", "/"))
        }
        self.type_terms: dict[str, str] = {}
        self.terms: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        for term, definition in sorted(raw.items(), key=lambda kv: (len(kv[0]), kv[0])):
            if term.startswith("@") or term in self.prefixes:
                continue
            if isinstance(definition, str):
                if definition.startswith("@"):
                    continue  # keyword aliases: id, type, graph
                self.type_terms.setdefault(self.expand(definition), term)
                self.terms[self.expand(definition)].append((term, None))
            elif isinstance(definition, dict) and "@id" in definition and "@reverse" not in definition:
                kind = definition.get("@type")
                self.terms[self.expand(definition["@id"])].append(
                    (term, None if kind is None else self.expand(kind))
                )
        self._compact: dict[str, str] = {}
        self._keys: dict[tuple[str, str | None], tuple[str, bool]] = {}
        self._refs: dict[str, str] = {}

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in self.prefixes and not rest.startswith("//"):
            return str(self.prefixes[prefix]) + rest
        return value

    def iri(self, iri: str) -> str:
        """An IRI as a compact IRI of the context's prefixes (shortest, then least), or whole."""
        found = self._compact.get(iri)
        if found is None:
            candidates = [
                f"{p}:{iri[len(ns) :]}"
                for p, ns in self.prefixes.items()
                if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns) :].startswith("//")
            ]
            found = min(candidates, key=lambda c: (len(c), c)) if candidates else iri
            self._compact[iri] = found
        return found

    def vocab(self, iri: str) -> str:
        return self.type_terms.get(iri) or self.iri(iri)

    def ref(self, text: str) -> str:
        """An N-Triples IRI or blank node as a compact reference."""
        found = self._refs.get(text)
        if found is None:
            found = self._refs[text] = text if text.startswith("_:") else self.iri(text[1:-1])
        return found

    def key(self, predicate: str, kind: str | None) -> tuple[str, bool]:
        """The property's name for a value of ``kind`` ("@id", a datatype, or None for a plain or
        language-tagged string): the term whose type is ``kind`` (True: the value is written
        bare), else an untyped term, else the IRI (False: the value says its kind)."""
        found = self._keys.get((predicate, kind))
        if found is None:
            terms = self.terms.get(predicate, [])
            typed = [t for t, k in terms if k is not None and k == kind]
            untyped = [t for t, k in terms if k is None]
            found = (typed[0], True) if typed else ((untyped or [self.vocab(predicate)])[0], False)
            self._keys[predicate, kind] = found
        return found

    def entry(self, predicate: str, obj: str) -> tuple[str, Any]:
        """The key and the compact value of one statement (the object as N-Triples text)."""
        if obj[0] != '"':
            key, bare = self.key(predicate, "@id")
            return key, self.ref(obj) if bare else {"id": self.ref(obj)}
        end = obj.rindex('"')
        lexical = _unescape(obj[1:end]) if "\\" in obj else obj[1:end]
        if end == len(obj) - 1:
            return self.key(predicate, None)[0], lexical
        tail = obj[end + 1 :]
        if tail[0] == "@":
            return self.key(predicate, None)[0], {"@value": lexical, "@language": tail[1:]}
        datatype = tail[3:-1]
        if datatype == XSD_STRING:
            return self.key(predicate, None)[0], lexical
        key, bare = self.key(predicate, datatype)
        return key, lexical if bare else {"@value": lexical, "type": self.vocab(datatype)}

    def nodes(self, lines: list[str]) -> list[dict[str, Any]]:
        """Flat node objects of one graph's sorted lines, by id."""
        nodes: dict[str, dict[str, Any]] = {}
        known = self._refs.get  # a dictionary hit, not a call, for the usual repeated subject
        for line in lines:
            subject_text, predicate_text, rest = line.split(" ", 2)
            obj = rest[:-2]
            subject = known(subject_text) or self.ref(subject_text)
            node = nodes.get(subject)
            if node is None:
                node = nodes[subject] = {"id": subject}
            predicate = predicate_text[1:-1]
            if predicate == RDF_TYPE and obj[0] != '"':
                key, value = "type", (self.vocab(obj[1:-1]) if obj[0] == "<" else obj)
            else:
                key, value = self.entry(predicate, obj)
            existing = node.get(key)
            if existing is None:
                node[key] = value
            elif isinstance(existing, list):
                existing.append(value)
            else:
                node[key] = [existing, value]
        return [nodes[k] for k in sorted(nodes)]

    def graphs(self, store: OxigraphStore, names: list[URIRef]) -> list[tuple[str, list[dict[str, Any]]]]:
        return [(self.iri(str(n)), self.nodes(graph_lines(store, n))) for n in names]

    def document(self, store: OxigraphStore, names: list[URIRef]) -> dict[str, Any]:
        graphs = [{"id": name, "graph": nodes} for name, nodes in self.graphs(store, names)]
        if len(graphs) == 1:
            return {"@context": self.context, **graphs[0]}
        return {"@context": self.context, "graph": graphs}

    def text(self, store: OxigraphStore, names: list[URIRef]) -> str:
        """The document as text, one node object per line (diffs by node in git; json.dumps of
        the whole document with indentation took longer than Oxigraph's whole dump)."""

        # one encoder for every node: json.dumps with options builds a new one per call
        dump = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode

        context = json.dumps(self.context, indent=2, sort_keys=True, ensure_ascii=False)
        parts = [f'{{\n"@context": {context},\n']
        if len(names) == 1:
            nodes = self.nodes(graph_lines(store, names[0]))
            parts.append(f'"id": {dump(self.iri(str(names[0])))},\n"graph": [\n')
            parts.append(",\n".join(dump(node) for node in nodes))
            parts.append("\n]\n}\n")
            return "".join(parts)
        parts.append('"graph": [\n')
        blocks = []
        for name in names:  # one graph's node objects at a time: they are text before the next
            body = ",\n".join(dump(node) for node in self.nodes(graph_lines(store, name)))
            blocks.append(f'{{"id": {dump(self.iri(str(name)))}, "graph": [\n{body}\n]}}')
        parts.append(",\n".join(blocks))
        parts.append("\n]\n}\n")
        return "".join(parts)


_ESCAPE = re.compile(r"\\(?:U([0-9A-Fa-f]{8})|u([0-9A-Fa-f]{4})|(.))")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    """An N-Triples string body (between its quotes) as its value."""

    def value(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _ECHAR[match.group(3)]

    return _ESCAPE.sub(value, text)

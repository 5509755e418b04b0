"""Named SPARQL queries (queries/*.rq) with typed parameters, run locally or on an endpoint.

A query file starts with grlc's YAML decorators (``#+`` lines; see :mod:`policykg.query_header`),
so a grlc server can serve ``queries/`` as they are. A parameter is a variable ``?_name`` typed
by its suffix as grlc types it (``?_asOf_xsd_date``, ``?_policy_iri``, plain ``?_vendor``); its
default comes from ``defaults`` and its description from ``params``.

Each value is first typed and validated (a date must be a real date, an IRI an absolute IRI),
then bound by putting its RDF term, serialised with full N-Triples escaping, in place of the
variable (as Jena's ParameterizedSparqlString does): a value is always one literal or IRI, never
query text. The same text runs locally and on remote endpoints (SPARQL has no binding protocol,
and Oxigraph's substitutions only bind projected variables), so both give the same answers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from .dates import parse_iso_date
from .errors import BadValueError, InputFileError, PolicyKGError, UnknownTermError, known
from .paths import project_paths
from .query_header import (
    PARAM_VARIABLE,
    TYPE_OF_SUFFIX,
    list_value,
    mapping_value,
    parse_header,
    text_value,
)
from .rdfio import read_utf8
from .sparql_scan import masked_text
from .store import GraphStore, SelectResult, substitute_terms


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str
    description: str
    variable: str = ""
    """The variable the value replaces, e.g. ``_asOf_xsd_date`` (default: ``_`` + name)."""
    kind: str = ""
    """The kind of value it names, from the header's ``kinds`` (:data:`policykg.params.KINDS`);
    ``""``: typed by the variable's suffix only."""


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)
    example: str = ""


QueryResult = SelectResult


class EndpointError(PolicyKGError):
    """The remote SPARQL endpoint could not be reached or refused the query."""


def _parse_header(path: Path, text: str) -> NamedQuery:
    header = parse_header(path, text)
    query = NamedQuery(name=path.stem, path=path, text=text)
    for key in ("summary", "description", "example"):
        setattr(query, key, text_value(path, header, key))
    query.tags = list_value(path, header, "tags")
    defaults, descriptions = mapping_value(path, header, "defaults"), mapping_value(path, header, "params")
    kinds = _kinds(path, header)
    for match in PARAM_VARIABLE.finditer(
        "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    ):
        name, variable = match["name"], match[1]
        known = query.params.get(name)
        if known is not None and known.variable != variable:
            raise InputFileError(path, f"parameter {name} is written both ?{known.variable} and ?{variable}")
        type_ = TYPE_OF_SUFFIX[match["suffix"]]
        query.params[name] = Param(
            name, type_, defaults.get(name, ""), descriptions.get(name, ""), variable, kinds.get(name, "")
        )
    for name in sorted((set(defaults) | set(descriptions) | set(kinds)) - set(query.params)):
        raise InputFileError(path, f"the header describes parameter {name!r}, but the query has no ?_{name}")
    return query


def _kinds(path: Path, header: dict[str, object]) -> dict[str, str]:
    """The header's ``kinds``: parameter name -> the kind of value it names, each a known kind."""
    from .params import KINDS

    kinds = mapping_value(path, header, "kinds")
    for name, kind in sorted(kinds.items()):
        if kind not in KINDS:
            raise InputFileError(path, f"kinds of {name}: unknown kind {kind!r} (known: {', '.join(KINDS)})")
    return kinds


def load_query(path: Path) -> NamedQuery:
    if not path.is_file():
        raise InputFileError(path, "query file not found")
    query = _parse_header(path, read_utf8(path).removeprefix("\ufeff"))  # a BOM is not query text
    check_syntax(query)
    form = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b(?!:)", masked_text(query.text), re.IGNORECASE)
    if form is None or form.group(1).upper() != "SELECT":
        word = form.group(1).upper() if form else ""
        found = f"{'an' if word.startswith('A') else 'a'} {word} query" if form else "no query form"
        raise InputFileError(path, f"only SELECT queries can be run and formatted as rows, not {found}")
    return query


def check_syntax(query: NamedQuery) -> None:
    """A clear error (file and line) for a query that does not parse. rdflib's SPARQL parser
    takes about 50 ms per query and 60 ms to import, so a text that passed once is remembered by
    its digest (see :func:`_checked_digests`) and not parsed again."""
    digest = hashlib.sha256(query.text.encode("utf-8")).hexdigest()
    checked = _checked_digests()
    if digest in checked:
        return
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(query.text)
    except Exception as err:  # pyparsing raises ParseException with line info
        line = getattr(err, "lineno", None)
        message = getattr(err, "msg", None) or str(err).splitlines()[0]
        raise InputFileError(query.path, f"SPARQL syntax error: {message}", line) from None
    checked.add(digest)
    _remember_checked(checked)


def _syntax_cache_file() -> Path:
    """Where the digests of queries that parsed are kept: ``$POLICYKG_CACHE_DIR``, else the
    user's cache folder. Keyed by the rdflib version, whose parser did the check."""
    import rdflib

    base = os.environ.get("POLICYKG_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "policykg"
    )
    return Path(base) / f"sparql-checked-rdflib-{rdflib.__version__}.txt"


@lru_cache(maxsize=1)
def _checked_digests() -> set[str]:
    try:
        return set(_syntax_cache_file().read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _remember_checked(digests: set[str]) -> None:
    """Best effort: a cache that cannot be written costs time, never a wrong answer (a digest
    is written only after its text parsed)."""
    path = _syntax_cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text("\n".join(sorted(digests)) + "\n", encoding="ascii")
        os.replace(temporary, path)
    except OSError:
        pass


def catalogue(folder: Path | None = None) -> dict[str, NamedQuery]:
    """The named queries of a folder. Each file is read and checked once per process while it
    is unchanged (keyed by its path, size and modification time): the CLI, the query page and
    the report ask for the catalogue often, and parsing 12 queries cost about 0.6 s."""
    folder = (folder or project_paths().queries).resolve()
    queries = {}
    for path in sorted(folder.glob("*.rq")):
        stat = path.stat()
        queries[path.stem] = _load_unchanged(path, stat.st_mtime_ns, stat.st_size)
    return queries


@lru_cache(maxsize=256)
def _load_unchanged(path: Path, mtime_ns: int, size: int) -> NamedQuery:
    return load_query(path)


def find_query(name: str, folder: Path | None = None) -> NamedQuery:
    queries = catalogue(folder)
    if name not in queries:
        raise UnknownTermError("query", name, list(queries))
    return queries[name]


def _typed_value(param: Param, raw: str) -> Identifier:
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:  # bytes that were not UTF-8 on the command line (surrogate escapes)
        raise BadValueError(f"parameter {param.name}", raw, "UTF-8 text") from None
    if param.type == "xsd:date":
        value = date.today().isoformat() if raw == "today" else raw
        return Literal(parse_iso_date(value, f"parameter {param.name}").isoformat(), datatype=XSD.date)
    if param.type == "xsd:integer":
        if not re.fullmatch(r"-?[0-9]+", raw):
            raise BadValueError(f"parameter {param.name}", raw, "an integer")
        return Literal(int(raw), datatype=XSD.integer)
    if param.type == "iri":
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+", raw):
            raise BadValueError(f"parameter {param.name}", raw, "an absolute IRI")
        return URIRef(raw)
    return Literal(raw)


def bind_parameters(query: NamedQuery, given: Mapping[str, str]) -> dict[str, Identifier]:
    """Typed bindings for every declared parameter: given values, else defaults."""
    unknown = sorted(set(given) - set(query.params))
    if unknown:
        raise UnknownTermError(f"parameter for query {query.name}", unknown[0], list(query.params))
    bindings: dict[str, Identifier] = {}
    for name, param in query.params.items():
        raw = given.get(name, param.default)
        if raw == "" and name not in given:
            continue
        bindings[param.variable or f"_{name}"] = _typed_value(param, raw)
    return bindings


def run_local(store: GraphStore, query: NamedQuery, bindings: Mapping[str, Identifier]) -> QueryResult:
    """Run on the local store, with the same parameter binding as on a remote endpoint. What the
    engine refuses (its own syntax checks, a SERVICE it cannot call) names the query file."""
    try:
        return store.select(substitute_terms(query.text, bindings))
    except SyntaxError as err:
        raise InputFileError(query.path, f"SPARQL error: {str(err).splitlines()[0]}") from None
    except (OSError, RuntimeError) as err:
        raise InputFileError(query.path, f"the query failed: {str(err).splitlines()[0]}") from None


def check_endpoint(endpoint: str) -> None:
    """An endpoint is an http(s) URL: '' or a typo must not quietly mean 'the local graph'."""
    if not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", endpoint):
        raise BadValueError("endpoint", endpoint, "an http:// or https:// URL")


def run_remote(
    endpoint: str, query: NamedQuery, bindings: Mapping[str, Identifier], timeout: float = 10.0
) -> QueryResult:
    from SPARQLWrapper import JSON, SPARQLWrapper

    check_endpoint(endpoint)
    client = SPARQLWrapper(endpoint)
    client.setTimeout(int(max(1, timeout)))
    client.setMethod("POST")
    client.setReturnFormat(JSON)
    text = substitute_terms(query.text, bindings)
    client.setQuery(text)
    # SPARQLWrapper guesses the query form with a regex that comments and IRIs with '#' can
    # fool (it then sends a SELECT as an update); take the form from a real parse instead.
    client.queryType = _query_form(text)
    try:
        data = client.queryAndConvert()
    except Exception as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise EndpointError(f"endpoint {endpoint} failed: {reason}") from None
    if not isinstance(data, dict):
        raise EndpointError(f"endpoint {endpoint} returned no JSON results")
    columns = list(data["head"]["vars"])
    rows = [[_from_json(b.get(c)) for c in columns] for b in data["results"]["bindings"]]
    return QueryResult(columns, rows)


def _query_form(text: str) -> str:
    from rdflib.plugins.sparql import prepareQuery

    algebra_name = str(prepareQuery(text).algebra.name)
    forms = {
        "SelectQuery": "SELECT",
        "AskQuery": "ASK",
        "ConstructQuery": "CONSTRUCT",
        "DescribeQuery": "DESCRIBE",
    }
    return forms.get(algebra_name, "SELECT")


def _from_json(cell: Mapping[str, str] | None) -> Identifier | None:
    if cell is None:
        return None
    if cell["type"] == "uri":
        return URIRef(cell["value"])
    if cell["type"] == "bnode":
        return Literal(f"_:{cell['value']}")
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    return Literal(cell["value"], datatype=URIRef(cell["datatype"]) if "datatype" in cell else None)


def _cell(value: Identifier | None) -> str:
    return "" if value is None else str(value)


def _json(result: QueryResult) -> str:
    rows = [
        {c: _cell(v) for c, v in zip(result.columns, row, strict=True) if v is not None}
        for row in result.rows
    ]
    return json.dumps({"columns": result.columns, "rows": rows}, indent=2, ensure_ascii=False)


def _delimited(delimiter: str) -> Callable[[QueryResult], str]:
    def write(result: QueryResult) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([[_cell(v) for v in row] for row in result.rows])
        return buffer.getvalue()

    return write


def _markdown(result: QueryResult) -> str:
    lines = ["| " + " | ".join(result.columns) + " |", "|" + "---|" * len(result.columns)]
    lines += [
        "| " + " | ".join(_cell(v).replace("|", "\\|").replace("\n", " ") for v in row) + " |"
        for row in result.rows
    ]
    return "\n".join(lines) + "\n"


def _plain_table(result: QueryResult) -> str:
    return _table(result.columns, [[_cell(v) for v in row] for row in result.rows])


RESULT_FORMATS: dict[str, Callable[[QueryResult], str]] = {
    "table": _plain_table,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": _json,
    "markdown": _markdown,
}
"""Every result format by name: the CLI offers exactly these."""


def format_result(result: QueryResult, fmt: str) -> str:
    return known(RESULT_FORMATS, fmt, "result format")(result)


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    shown = [[c if len(c) <= 80 else c[:77] + "..." for c in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in shown]) for i, c in enumerate(columns)]

    def fmt_row(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [fmt_row(columns), fmt_row(["-" * w for w in widths])] + [fmt_row(r) for r in shown]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"

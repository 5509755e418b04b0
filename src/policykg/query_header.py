"""The header of a named query: grlc's YAML decorators, read as grlc reads them.

A grlc server serves the same files (https://github.com/CLARIAH/grlc): the ``#+`` lines, with
``#`` and ``+`` stripped from the left, are one YAML document; a parameter is a variable
``?_name`` typed by its suffix (``?_asOf_xsd_date``, ``?_policy_iri``; ``?_vendor`` is a plain
string). ``tests/test_queries.py`` checks every file of ``queries/`` with grlc's own reader::

    #+ summary: one line
    #+ description: what it answers
    #+ tags:
    #+   - transfers
    #+ defaults:
    #+   - asOf: today
    #+ params:
    #+   asOf: what the parameter means
    #+   vendor: vendor label, slug or IRI
    #+ kinds:
    #+   vendor: vendor
    #+ example: policykg query NAME --param asOf=2026-11-23

``params`` (descriptions), ``kinds`` and ``example`` are policykg's own keys; grlc ignores keys it
does not know (its reader keeps them in the decorators it returns, and its API never reads them),
and policykg refuses keys neither knows (a misspelt decorator would be silently lost).

``kinds`` says which kind of value a parameter names, so that it is looked up as users write it
(:mod:`policykg.params`): ``vendor`` (label, slug or IRI), ``instrument`` (CLI name, label or
IRI), ``policy`` (``vendor/date`` or IRI), ``legal-basis`` (CURIE or IRI). The variable's suffix
still gives the form bound into the query: ``?_vendor`` takes the slug, ``?_policy_iri`` the IRI.
grlc's own typing (``?_name_prefix_datatype``) could not carry this: grlc would then bind the
value as a literal of that datatype.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import InputFileError

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(document: str) -> object:
    """libyaml's safe loader when PyYAML has it (the same documents, several times faster); a
    document it refuses is read again by the pure-Python loader, whose messages are clearer."""
    try:
        return yaml.load(document, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(document)


GRLC_KEYS = {
    "summary",
    "description",
    "tags",
    "defaults",
    "enumerate",
    "endpoint",
    "endpoint_in_url",
    "method",
    "pagination",
    "transform",
}
OWN_KEYS = {"params", "kinds", "example", "result"}
PARAM_VARIABLE = re.compile(
    r"[?$](_(?P<name>[A-Za-z0-9]+)(?P<suffix>_iri|_xsd_date|_xsd_integer|_integer)?)\b"
)
"""grlc's parameter variables (one ``_``: required), with the suffixes policykg types."""
TYPE_OF_SUFFIX = {
    None: "xsd:string",
    "_iri": "iri",
    "_xsd_date": "xsd:date",
    "_xsd_integer": "xsd:integer",
    "_integer": "xsd:integer",
}


def header_text(text: str) -> str:
    """The YAML document of a query's header, exactly as grlc builds it."""
    return "\n".join(row.lstrip("#+") for row in text.split("\n") if row.startswith("#+"))


def parse_header(path: Path, text: str) -> dict[str, object]:
    """The decorators of a query file; a clear error (with the line) when they are not YAML or
    use a key that neither grlc nor policykg knows."""
    try:
        header = _load_yaml(header_text(text))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = _file_line(text, mark.line) if mark is not None else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputFileError(path, f"the #+ header is not YAML: {problem}", line) from None
    if header is None:
        return {}
    if not isinstance(header, dict):
        raise InputFileError(path, "the #+ header must be 'key: value' lines")
    unknown = sorted(str(k) for k in header if k not in GRLC_KEYS | OWN_KEYS)
    if unknown:
        known = ", ".join(sorted(GRLC_KEYS | OWN_KEYS))
        raise InputFileError(path, f"unknown query decorator {unknown[0]!r} (known: {known})")
    return {str(k): v for k, v in header.items()}


def _file_line(text: str, header_line: int) -> int:
    """The file's line number of the header document's line ``header_line`` (0-based)."""
    rows = [n for n, row in enumerate(text.split("\n"), start=1) if row.startswith("#+")]
    return rows[min(header_line, len(rows) - 1)] if rows else 1


def text_value(path: Path, header: dict[str, object], key: str) -> str:
    value = header.get(key, "")
    if not isinstance(value, str):
        raise InputFileError(path, f"decorator {key!r} must be one line of text (quote it)")
    return value


def list_value(path: Path, header: dict[str, object], key: str) -> list[str]:
    value = header.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputFileError(path, f"decorator {key!r} must be a list of texts ('- item' lines)")
    return list(value)


def mapping_value(path: Path, header: dict[str, object], key: str) -> dict[str, str]:
    """``params: {name: text}``, or grlc's ``defaults: [{name: value}, ...]`` as one mapping."""
    value = header.get(key, {})
    items = value if isinstance(value, list) else [value]
    merged: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            raise InputFileError(path, f"decorator {key!r} must map parameter names to values")
        for name, text in item.items():
            if not isinstance(text, str):
                raise InputFileError(path, f"{key} of {name}: quote the value, it must be text")
            merged[str(name)] = text
    return merged

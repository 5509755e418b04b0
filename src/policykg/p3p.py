"""Import a W3C P3P compact policy (the CP="..." header tokens) into DPV statements.

The token-to-DPV crosswalk is data: data/mappings/p3p-dpv.tsv (DPV has no P3P mapping,
dpv-terms.md §13). Each token becomes DPV statements on one process node of the policy
version, and each statement keeps the token (and the text that explains it) as evidence.
P3P token suffixes (a = always, i = opt-in, o = opt-out) are kept on the evidence.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Identifier

from .errors import InputFileError, UnknownTermError
from .evidence import Annotator, locate
from .namespaces import DPV, PKG, PREFIXES
from .paths import project_paths

MAPPING_FILE = "mappings/p3p-dpv.tsv"
_SUFFIX = {"a": "always", "i": "opt-in", "o": "opt-out"}
_TOKEN = re.compile(r"^([A-Z]{3})([aio]?)$")


@dataclass(frozen=True)
class TokenMapping:
    token: str
    field: str
    meaning: str
    prop: URIRef
    value: str
    note: str


def expand(curie: str, where: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    if prefix not in PREFIXES or not local:
        raise InputFileError(where, f"unknown prefix or malformed CURIE {curie!r}")
    return URIRef(PREFIXES[prefix] + local)


def read_mapping(path: Path | None = None) -> dict[str, TokenMapping]:
    path = path or project_paths().data / MAPPING_FILE
    if not path.is_file():
        raise InputFileError(path, "P3P mapping table not found")
    table: dict[str, TokenMapping] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            try:
                token = row["token"].strip()
                table[token] = TokenMapping(
                    token,
                    row["field"],
                    row["meaning"],
                    expand(row["property"].strip(), f"{path}:{line_no}"),
                    (row["value"] or "").strip(),
                    (row["note"] or "").strip(),
                )
            except (KeyError, AttributeError):
                raise InputFileError(
                    path, "expected columns token, field, meaning, property, value, note", line_no
                ) from None
    return table


def parse_compact_policy(header: str) -> list[tuple[str, str]]:
    """Split 'CP="NOI CURa ..."' (or just the tokens) into (token, suffix) pairs."""
    body = header.strip()
    match = re.match(r'^(?:P3P:\s*)?(?:policyref="[^"]*",?\s*)?CP="([^"]*)"$', body)
    if match:
        body = match[1]
    pairs = []
    for raw in body.split():
        token_match = _TOKEN.match(raw)
        if not token_match:
            raise UnknownTermError("P3P compact-policy token", raw)
        pairs.append((token_match[1], token_match[2]))
    return pairs


def import_tokens(
    annotator: Annotator,
    tokens: list[tuple[str, str]],
    mapping: dict[str, TokenMapping],
    evidence_for: dict[str, str],
    anchor: str | int | None = None,
) -> URIRef:
    """Add one process holding the statements of ``tokens``; returns the process IRI.

    ``evidence_for`` gives, per token, the quote in the source text that states it (for a
    policy page that explains its CP header, the row of its token table).
    """
    process = annotator.iri("process", "p3p-compact-policy")
    annotator.add(process, RDF.type, DPV.Process)
    # the tokens are the union over the policy's statements: two of them are not tied to the same data
    annotator.add(process, RDF.type, PKG.CompactPolicy)
    annotator.add(process, RDFS.label, Literal("P3P compact policy"))
    annotator.add(process, PKG.section, Literal("P3P compact policy"))
    annotator.add(annotator.version, DPV.hasProcess, process)
    for token, suffix in tokens:
        if token not in mapping:
            raise UnknownTermError("P3P compact-policy token", token, list(mapping))
        row = mapping[token]
        quote = evidence_for.get(token) or evidence_for.get(token + suffix)
        if quote is None:
            raise UnknownTermError("evidence for P3P token", token + suffix)
        applies = f"P3P {row.field} {token}{suffix}" + (f" ({_SUFFIX[suffix]})" if suffix else "")
        annotator.fact(
            process, PKG.p3pToken, Literal(token + suffix), quote, after=anchor, applies_to=applies
        )
        value = _value_node(annotator, row)
        if value is not None and row.prop != PKG.p3pToken:
            annotator.fact(process, row.prop, value, quote, after=anchor, applies_to=applies)
    return process


def _value_node(annotator: Annotator, row: TokenMapping) -> Identifier | None:
    if not row.value:
        return None
    if row.value.startswith("@recipient "):
        label = row.value.removeprefix("@recipient ")
        node = annotator.iri("recipient", f"p3p-{row.token.lower()}")
        kind = DPV.ThirdParty if row.prop == DPV.hasRecipientThirdParty else DPV.Recipient
        annotator.add(node, RDF.type, kind)
        annotator.add(node, RDF.type, PKG.EntityCategory)
        annotator.add(node, RDFS.label, Literal(label))
        return node
    if row.value.startswith("@retention "):
        node = annotator.iri("retention", f"p3p-{row.token.lower()}")
        annotator.add(node, RDF.type, DPV.StorageDuration)
        annotator.add(node, DPV.hasDuration, expand(row.value.removeprefix("@retention "), MAPPING_FILE))
        annotator.add(node, DCTERMS.description, Literal(f"P3P retention {row.token}: {row.meaning}"))
        return node
    return expand(row.value, MAPPING_FILE)


def token_table_quotes(text: str, tokens: list[tuple[str, str]]) -> dict[str, str]:
    """Find, for each token, the line of a token table that explains it ('CURa The data ...')."""
    quotes: dict[str, str] = {}
    for token, suffix in tokens:
        match = re.search(rf"^{token}{suffix}\s.*$", text, flags=re.MULTILINE)
        if match:
            quotes[token] = match.group(0).rstrip()
            locate(text, quotes[token])
    return quotes

"""Recall check: the graph holds every statement of a careful reading (tests/seed_reading_list.yaml).

An entry is held when the version has an evidence node for the entry's property (and value) whose
quote overlaps the reader's quote in the source text. Entries under "not_recorded" must still be
absent, so the list says honestly what the graph lacks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.term import Node

from policykg.load import LoadResult
from policykg.namespaces import ID, PREFIXES, policy_iri

from .conftest import SEEDS, needs_seeds

READING = Path(__file__).with_name("seed_reading_list.yaml")


def _reading() -> dict[str, dict[str, list[list[Any]]]]:
    data = yaml.safe_load(READING.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _term(version: str, value: str | None) -> Node | None:
    if value is None:
        return None
    if value.startswith("lit:"):
        return Literal(value[4:])
    if value.startswith("org:"):
        return URIRef(f"{ID}org/{value[4:]}")
    if value.startswith("v:"):
        return URIRef(f"{version}/{value[2:]}")
    prefix, local = value.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def _facts(loaded: LoadResult, version: str) -> list[tuple[str, str, int, int]]:
    rows = loaded.store.select(
        """SELECT ?p ?o ?start ?end WHERE { ?ev oa:hasSource ?v ; pkg:factProperty ?p ; pkg:factValue ?o ;
             oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end }""",
        {"v": URIRef(version)},
    )
    return [(str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows.rows]  # type: ignore[arg-type]


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    spans, at = [], text.find(quote)
    while at >= 0:
        spans.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return spans


def _held(
    facts: list[tuple[str, str, int, int]], prop: Node, value: Node | None, spans: list[tuple[int, int]]
) -> bool:
    return any(
        p == str(prop) and (value is None or o == str(value)) and any(s < qe and qs < e for qs, qe in spans)
        for p, o, s, e in facts
    )


def _source(loaded: LoadResult, version: str) -> str:
    name = loaded.store.graph(URIRef(version)).value(URIRef(version), URIRef(PREFIXES["pkg"] + "sourceFile"))
    return (SEEDS / str(name)).read_text(encoding="utf-8")


SEEDS_READ = sorted(_reading())


@needs_seeds
@pytest.mark.parametrize("seed", SEEDS_READ)
def test_graph_holds_every_statement_of_the_reading(seed: str, loaded: LoadResult) -> None:
    vendor, version_slug = seed.split("/")
    version = policy_iri(vendor, version_slug)
    text, facts = _source(loaded, version), _facts(loaded, version)
    missing, unquotable = [], []
    for category, entries in _reading()[seed].items():
        if category == "not_recorded":
            continue
        for prop, value, quote in entries:
            spans = _spans(text, quote)
            if not spans:
                unquotable.append(quote)
            elif not _held(facts, _term(version, prop) or URIRef(""), _term(version, value), spans):
                missing.append(f"{category}: {prop} {value} {quote!r}")
    assert unquotable == [], "reading-list quotes not in the text"
    assert missing == []


@needs_seeds
@pytest.mark.parametrize("seed", SEEDS_READ)
def test_what_the_reading_says_is_not_recorded_is_still_absent(seed: str, loaded: LoadResult) -> None:
    vendor, version_slug = seed.split("/")
    version = policy_iri(vendor, version_slug)
    text, facts = _source(loaded, version), _facts(loaded, version)
    for prop, value, quote, why in _reading()[seed].get("not_recorded", []):
        spans = _spans(text, quote)
        assert spans, quote
        assert not _held(facts, _term(version, prop) or URIRef(""), _term(version, value), spans), why


def test_the_reading_covers_every_seed_and_the_weak_categories() -> None:
    reading = _reading()
    assert len(reading) == 5
    for seed, categories in reading.items():
        assert {"recipients", "retention", "cookies"} <= set(categories), seed

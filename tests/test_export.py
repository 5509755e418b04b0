"""Exports: lossless round trips in every format, determinism, our JSON-LD context, atomic writes."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from policykg.cli import main
from policykg.export import FORMATS, QUAD_FORMATS, export, load_context
from policykg.load import LoadResult

from . import jena

KLOUDTALK = "https://w3id.org/policykg/id/policy/kloudtalk/undated-2024"
RDFLIB_FORMAT = {
    "turtle": "turtle",
    "trig": "trig",
    "ntriples": "nt",
    "nquads": "nquads",
    "jsonld": "json-ld",
}


def _reimport(text: str, fmt: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=text, format=RDFLIB_FORMAT[fmt])
    return dataset


def _union(graphs: list[Graph]) -> Graph:
    union = Graph()
    for graph in graphs:
        for triple in graph:
            union.add(triple)
    return union


SLOW_FORMATS = [f if f == "nquads" else pytest.param(f, marks=pytest.mark.slow) for f in FORMATS]
"""Each format serialises the whole canonicalised graph (seconds; JSON-LD through PyLD, about 10 s):
the quick loop keeps N-Quads, the format every other one is checked against."""


@pytest.mark.parametrize("fmt", SLOW_FORMATS)
def test_round_trip_is_lossless(fmt: str, loaded: LoadResult) -> None:
    store = loaded.store
    back = _reimport(export(store, fmt), fmt)
    if fmt in QUAD_FORMATS:
        names = {g.identifier for g in back.graphs() if len(g)}
        assert names == set(store.graph_names())
        for name in store.graph_names():
            assert isomorphic(back.graph(name), store.graph(name)), name
    else:
        expected = _union([store.graph(n) for n in store.graph_names()])
        got = _union(list(back.graphs()))
        assert isomorphic(got, expected)


@pytest.mark.parametrize("fmt", SLOW_FORMATS)
def test_export_is_deterministic(fmt: str, loaded: LoadResult, seed_data: Path) -> None:
    from policykg.load import load_project

    assert export(loaded.store, fmt) == export(load_project(data_dir=seed_data).store, fmt)


def test_one_policy_version(loaded: LoadResult) -> None:
    back = _reimport(export(loaded.store, "nquads", KLOUDTALK), "nquads")
    assert {str(g.identifier) for g in back.graphs() if len(g)} == {KLOUDTALK}


def test_jsonld_with_only_our_context_gives_the_same_triples(loaded: LoadResult) -> None:
    """An independent processor (PyLD) expands our compact JSON-LD with nothing but our context."""
    from pyld import jsonld

    text = export(loaded.store, "jsonld", KLOUDTALK)
    document = json.loads(text)
    assert document["@context"] == load_context()["@context"]
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    back = Dataset()
    back.parse(data=nquads, format="nquads")
    assert isomorphic(back.graph(URIRef(KLOUDTALK)), loaded.store.graph(URIRef(KLOUDTALK)))


def test_compact_jsonld_uses_short_names(loaded: LoadResult) -> None:
    document = json.loads(export(loaded.store, "jsonld", KLOUDTALK))
    nodes = document["graph"]
    process = next(n for n in nodes if n.get("id", "").endswith("/process/account"))
    assert process["type"] == "Process"
    assert process["purpose"] == "dpv:ServiceRegistration"
    assert sorted(process["personalData"]) == ["pd:EmailAddress", "pd:TelephoneNumber"]
    assert "https://w3id.org/dpv#hasPurpose" not in json.dumps(document)
    version = next(n for n in nodes if n.get("id") == KLOUDTALK)
    assert version["estimatedDate"] == "2024-01-01"


def test_framed_jsonld_nests_processes_and_evidence(loaded: LoadResult) -> None:
    document = json.loads(export(loaded.store, "jsonld", KLOUDTALK, framed=True))
    (version,) = document["graph"]
    assert version["id"] == KLOUDTALK
    processes = version["process"]
    account = next(p for p in processes if p["id"].endswith("/process/account"))
    quotes = {x for e in account["evidence"] for q in e["selector"] for x in q.get("exact", [])}
    assert "you must provide your mobile number and email id" in quotes


def test_export_cli_writes_atomically(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "graph.nq"
    result = runner.invoke(main, ["export", "--format", "nquads", "--output", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").count("\n") > 10000
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nq"]  # no temporary file left


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_export_into_read_only_directory_keeps_previous_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "graph.ttl"
    out.write_text("previous\n", encoding="utf-8")
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = runner.invoke(main, ["export", "--format", "turtle", "--output", str(out)])
    finally:
        tmp_path.chmod(stat.S_IRWXU)
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_failed_write_keeps_previous_file_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupt the write after the temporary file is written: the old file stays, no temp is left."""
    from policykg import rdfio

    out = tmp_path / "graph.ttl"
    out.write_text("previous\n", encoding="utf-8")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rdfio.write_atomic(out, "new content\n")
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


def test_unknown_graph_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["export", "--graph", "https://example.org/nope"])
    assert result.exit_code == 2
    assert "unknown graph 'https://example.org/nope'" in result.output


def test_unwritable_directory_is_exit_2_and_keeps_previous_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only directory does to a non-root user, simulated so that it also runs as root."""
    out = tmp_path / "graph.ttl"
    out.write_text("previous\n", encoding="utf-8")

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    result = runner.invoke(main, ["export", "--format", "turtle", "--output", str(out)])
    assert result.exit_code == 2
    assert "cannot write: Permission denied" in result.output
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_context_is_json_ld_1_0() -> None:
    """JSON-LD 1.0 processors (Jena 4.5's jsonld-java) refuse "@version": 1.1; no 1.1 feature is
    used, so the context and the frame's context do not declare it."""
    from policykg.export import FRAME_FILE, context_dir

    for document in (load_context(), json.loads((context_dir() / FRAME_FILE).read_text(encoding="utf-8"))):
        assert "@version" not in document["@context"]
        for definition in document["@context"].values():
            if isinstance(definition, dict):  # 1.0 term definitions: @id, @type, @reverse, @container
                assert set(definition) <= {"@id", "@type", "@reverse", "@container", "@language"}


@pytest.mark.slow  # a Java process (Apache Jena)
@pytest.mark.skipif(not jena.available(), reason="Java or Debian's libapache-jena-java is absent")
def test_jena_reads_the_jsonld_export(loaded: LoadResult, tmp_path: Path) -> None:
    """Apache Jena's JSON-LD 1.0 reader, rdflib and PyLD read the same quads from the export."""
    from pyld import jsonld

    text = export(loaded.store, "jsonld")
    path = tmp_path / "graph.jsonld"
    path.write_text(text, encoding="utf-8")
    done = jena.run_jena("riotcmd.riot", ["--syntax=jsonld10", "--output=nquads", str(path)])
    assert done.returncode == 0 and "ERROR" not in done.stderr, done.stderr
    by_jena = Dataset()
    by_jena.parse(data=done.stdout, format="nquads")
    by_pyld = Dataset()
    by_pyld.parse(data=jsonld.to_rdf(json.loads(text), {"format": "application/n-quads"}), format="nquads")
    by_rdflib = _reimport(text, "jsonld")
    for name in loaded.store.graph_names():
        expected = loaded.store.graph(name)
        assert len(expected) > 0
        for reader, back in (("jena", by_jena), ("pyld", by_pyld), ("rdflib", by_rdflib)):
            assert isomorphic(back.graph(name), expected), (reader, name)


def _append_to_graph(path: Path, text: str) -> None:
    """Add Turtle statements inside the version's graph (before its closing brace)."""
    content = path.read_text(encoding="utf-8").rstrip()
    assert content.endswith("}")
    path.write_text(content[:-1] + text + "\n}\n", encoding="utf-8")


def _canonical(graph: Graph) -> set[str]:
    """The graph's triples with RDFC-1.0 blank-node labels (Oxigraph): rdflib's isomorphism
    test takes minutes on a 2,000-node list, which is what made the old export slow."""
    import pyoxigraph as ox

    from policykg.store import to_ox

    dataset = ox.Dataset(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)  # type: ignore[arg-type]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def test_a_2000_item_rdf_list_exports_in_seconds(data_copy: Path) -> None:
    """Issue 18: a 2,000-item list took 241 s to export; canonical labels are now found in Rust
    (RDFC-1.0) and the list's nodes are told apart by their items."""
    import time

    from policykg.load import load_project

    items = " ".join(f'"item {n}"' for n in range(2000))
    _append_to_graph(
        data_copy / "kloudtalk" / "undated-2024.trig", f"\n    <{KLOUDTALK}> rdfs:seeAlso ( {items} ) ."
    )
    store = load_project(data_dir=data_copy).store
    expected = store.graph(URIRef(KLOUDTALK))
    assert len(expected) > 4000
    for fmt in ("turtle", "nquads", "jsonld"):
        start = time.perf_counter()
        text = export(store, fmt, KLOUDTALK)
        assert time.perf_counter() - start < 5, fmt
        back = _reimport(text, fmt)
        got = back.graph(URIRef(KLOUDTALK)) if fmt in QUAD_FORMATS else _union(list(back.graphs()))
        assert _canonical(got) == _canonical(expected), fmt
    assert export(store, "nquads", KLOUDTALK) == export(
        load_project(data_dir=data_copy).store, "nquads", KLOUDTALK
    )


def test_deeply_nested_blank_nodes_end_with_a_clear_error(data_copy: Path, runner: CliRunner) -> None:
    """Issue 18: 20,000 nested [ ] ran for more than 15 minutes; no canonical labelling can tell
    such nodes apart in reasonable time, so the export refuses them, naming the graph."""
    import time

    depth = 20000
    nested = "[ rdfs:seeAlso " * depth + '"bottom"' + " ]" * depth
    _append_to_graph(
        data_copy / "kloudtalk" / "undated-2024.trig", f"\n    <{KLOUDTALK}> rdfs:seeAlso {nested} ."
    )
    start = time.perf_counter()
    result = runner.invoke(main, ["export", "--format", "nquads", "--data-dir", str(data_copy)])
    assert time.perf_counter() - start < 60
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert (
        line.startswith(f"error: graph <{KLOUDTALK}>: ")
        and "blank nodes" in line
        and "give these nodes IRIs" in line
    )


def test_framed_jsonld_is_small_and_one_shape_per_property(loaded: LoadResult) -> None:
    """Issue 17: the framed form embedded DPV's class chain under every controller (7 MB against
    1.2 MB) and gave a property sometimes a string, sometimes an object. Now DPV terms stay
    short references, every property is an array of one kind of item, and what it states is
    in the graph."""
    from pyld import jsonld

    flat = export(loaded.store, "jsonld")
    framed_text = export(loaded.store, "jsonld", framed=True)
    assert len(framed_text) < 1.5 * len(flat)
    document = json.loads(framed_text)
    kinds: dict[str, set[str]] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict) and "@value" not in node:  # value objects keep JSON-LD's form
            for key, value in node.items():
                if key in ("@context", "id", "@value", "@language"):
                    continue
                assert isinstance(value, list), key
                kinds.setdefault(key, set()).update(type(item).__name__ for item in value)
                for item in value:
                    walk(item)

    for version in document["graph"]:
        walk(version)
    assert {k for k, v in kinds.items() if len(v) > 1} == set()
    assert "skos:definition" not in kinds and "rdfs:subClassOf" not in kinds  # no DPV class chains
    assert {"dpv:ServiceRegistration"} <= {
        p for v in document["graph"] for pr in v["process"] for p in pr.get("purpose", [])
    }
    stated = Dataset()
    stated.parse(data=jsonld.to_rdf(document, {"format": "application/n-quads"}), format="nquads")
    union = _union([loaded.store.graph(n) for n in loaded.store.graph_names()])
    assert len(stated) > 1000 and all((s, p, o) in union for s, p, o, _g in stated)


@pytest.mark.slow  # five full exports re-read by rdflib (about 15 s)
def test_blank_nodes_of_two_graphs_stay_two_nodes(data_copy: Path) -> None:
    """Canonical labels restart in every graph; a merged or quad export must not make the
    blank nodes of two versions one node."""
    from rdflib import BNode

    from policykg.load import load_project

    talkdesk = "https://w3id.org/policykg/id/policy/talkdesk/2019-12-31"
    for folder, version in (("kloudtalk", KLOUDTALK), ("talkdesk", talkdesk)):
        path = next((data_copy / folder).glob("*.trig"))
        _append_to_graph(path, f'\n    <{version}> rdfs:seeAlso [ rdfs:label "alike" ] .')
    store = load_project(data_dir=data_copy).store
    for fmt in ("ntriples", "turtle", "nquads", "trig", "jsonld"):
        back = _reimport(export(store, fmt), fmt)
        nodes = {s for s, _p, o, *_ in back.quads() if o == Literal("alike") and isinstance(s, BNode)}
        assert len(nodes) == 2, fmt

"""The fresh-store load hands N-Quads files to Oxigraph's bulk loader as text (issue 19): the
store gets the same quads as the quad-by-quad load, and a file the exact check would refuse is
still refused with its file (and line) named, never loaded silently."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.errors import InputFileError
from policykg.load import load_project, open_store
from policykg.store import MemoryStore, OxigraphStore
from policykg.synthetic.corpus import generate


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    generate(6, seed=4, out=tmp_path / "c", processes=(1, 2))
    return tmp_path / "c" / "data"


def _quads(store: OxigraphStore) -> set[str]:
    return {str(q) for q in store._store.quads_for_pattern(None, None, None, None)}


def _first_file(data: Path) -> Path:
    return sorted(data.glob("*.nq"))[0]


def test_bulk_text_load_gives_the_quads_of_the_parsed_files(corpus: Path, tmp_path: Path) -> None:
    store = load_project(data_dir=corpus, store=open_store(tmp_path / "store")).store
    assert isinstance(store, OxigraphStore)
    expected = set()
    for path in sorted(corpus.glob("*.nq")):
        expected |= {str(q) for q in ox.parse(input=path.read_bytes(), format=ox.RdfFormat.N_QUADS)}
    assert len(expected) > 100
    assert expected <= _quads(store)


def test_comments_and_blank_lines_take_the_exact_path_and_load(corpus: Path, tmp_path: Path) -> None:
    path = _first_file(corpus)
    path.write_bytes(b"# a comment\n\n" + path.read_bytes())
    result = load_project(data_dir=corpus, store=open_store(tmp_path / "store"))
    assert result.loaded == 6


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_triple_outside_a_named_graph_is_refused_with_its_file(
    corpus: Path, tmp_path: Path, engine: str
) -> None:
    path = _first_file(corpus)
    version = path.read_text(encoding="utf-8").splitlines()[0].rsplit(" ", 2)[-2]
    # a triple whose object is the version's IRI ends its line as the version's quads do
    path.write_text(path.read_text(encoding="utf-8") + f"<urn:x:s> <urn:x:p> {version} .\n", encoding="utf-8")
    store = open_store(tmp_path / "store", engine=engine)
    assert isinstance(store, (OxigraphStore, MemoryStore))
    with pytest.raises(InputFileError) as caught:
        load_project(data_dir=corpus, store=store)
    assert path.name in str(caught.value) and "outside a named graph" in str(caught.value)


def test_a_syntax_error_names_the_file_and_line(corpus: Path, tmp_path: Path) -> None:
    path = _first_file(corpus)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    graph = lines[0].rsplit(" ", 2)[-2]
    lines.insert(3, f'<urn:x:s> <urn:x:p> "unterminated {graph} .\n')
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_project(data_dir=corpus, store=open_store(tmp_path / "store"))
    assert path.name in str(caught.value) and "syntax error" in str(caught.value)
    assert ":4" in str(caught.value) or "line 4" in str(caught.value)


def test_a_fresh_store_reads_the_catalogue_and_ontology_as_rdflib_does(tmp_path: Path) -> None:
    """A first load lets Oxigraph read the catalogue and ontology files itself (rdflib has
    checked them): the same triples as the graphs rdflib parsed, and the same hashes, so the
    next load changes nothing."""
    from rdflib.compare import isomorphic

    from policykg.store import CATALOGUE_GRAPH, ONTOLOGY_GRAPH

    result = load_project(store=open_store(tmp_path / "store"))
    store = result.store
    assert isinstance(store, OxigraphStore)
    for name, parsed in ((CATALOGUE_GRAPH, result.catalogue), (ONTOLOGY_GRAPH, result.ontology)):
        assert len(parsed) > 100
        assert isomorphic(store.graph(name), parsed), name
    del store, result
    again = load_project(store=open_store(tmp_path / "store"))
    assert again.loaded == 0 and again.unchanged == len(again.policies)


def test_a_catalogue_iri_oxigraph_refuses_is_still_named_at_its_line(tmp_path: Path) -> None:
    """The fresh store's own reading of the catalogue gives way to the rdflib graph when
    Oxigraph refuses the file, whose error names the IRI and the line (as before)."""
    import shutil

    from policykg.paths import project_paths

    data = tmp_path / "data"
    shutil.copytree(project_paths().data, data)
    catalogue = data / "catalogue.ttl"
    lines = catalogue.read_text(encoding="utf-8").splitlines()
    lines.append("<https://example.org/x> <https://example.org/p> <https://example.org/a b> .")
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as raised:
        load_project(data_dir=data, store=open_store(tmp_path / "store"))
    assert raised.value.line == len(lines) and "invalid IRI <https://example.org/a b>" in str(raised.value)


@pytest.mark.parametrize("blank_node", [False, True])
def test_the_catalogue_read_by_oxigraph_gives_rdflib_entries_and_hashes(
    corpus: Path, tmp_path: Path, blank_node: bool
) -> None:
    """load reads the catalogue with Oxigraph (rdflib's graph only when asked for); with a blank
    node in it, with rdflib as before. Either way: rdflib's entries, and each version stored with
    the digest of its file and its rdflib catalogue entry."""
    from policykg.load import read_catalogue, read_catalogue_entries, version_digest

    if blank_node:
        with (corpus / "catalogue.ttl").open("a", encoding="utf-8") as out:
            out.write(
                '<https://example.org/v> <https://example.org/note> [ <https://example.org/p> "x" ] .\n'
            )
    graph, entries = read_catalogue(corpus)
    assert read_catalogue_entries(corpus)[1] == entries and len(entries) == 6
    store = load_project(data_dir=corpus, store=open_store(tmp_path / "store")).store
    for entry in entries:
        assert store.stored_hash(entry.iri) == version_digest(entry, graph)

"""Issue 18's rows, one test each: what used to end in a traceback, a wrong answer or a silent
success now ends with one clear line (exit 2) or the right answer. The broad suite of hostile
inputs kept as data files is tests/test_hostile.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policykg.cli import main

from .conftest import ROOT

SHIPPED = ("ontology", "shapes", "queries", "context")
POLICYKG = str(Path(sys.executable).parent / "policykg")


def _fails_cleanly(result: Result, *needles: str) -> str:
    """Exit 2 with one line on stderr naming what is wrong, no traceback: that line."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture()
def home(tmp_path: Path, seed_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project copy (ontology, shapes, queries, the seed data) the test may break."""
    root = tmp_path / "home"
    root.mkdir()
    for name in SHIPPED:
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(seed_data, root / "data")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.setenv("POLICYKG_HOME", str(root))
    return root


@pytest.fixture()
def talkdesk_only(data_copy: Path) -> Path:
    """The seed data with one version catalogued (Talkdesk 2019-12-31): tests that load, check
    evidence or validate run in a fifth of the time."""
    from rdflib import Graph
    from rdflib.namespace import RDF

    from policykg.namespaces import PKG, bind_prefixes

    catalogue = Graph().parse(data_copy / "catalogue.ttl", format="turtle")
    for version in list(catalogue.subjects(RDF.type, PKG.PolicyVersion)):
        if not str(version).endswith("talkdesk/2019-12-31"):
            (data_copy / str(catalogue.value(version, PKG.dataFile))).unlink()
            catalogue.remove((version, None, None))
            catalogue.remove((None, None, version))
    bind_prefixes(catalogue)
    (data_copy / "catalogue.ttl").write_text(catalogue.serialize(format="turtle"), encoding="utf-8")
    return data_copy


def test_binary_query_file_is_named(runner: CliRunner, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.rq"
    garbage.write_bytes(bytes(range(256)) * 4)
    _fails_cleanly(
        runner.invoke(main, ["query", "--file", str(garbage)]), f"{garbage}:2", "not UTF-8"
    )  # after b"\n"


def test_iri_with_a_space_in_the_catalogue_is_file_and_line(runner: CliRunner, data_copy: Path) -> None:
    catalogue = data_copy / "catalogue.ttl"
    lines = catalogue.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "pkg:slug" in line)
    lines[number] = lines[number].replace("pkg:slug", "rdfs:seeAlso <https://example.org/a b> ; pkg:slug")
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["build", "--no-reason", "--data-dir", str(data_copy)])
    _fails_cleanly(result, f"{catalogue}:{number + 1}", "invalid IRI <https://example.org/a b>")


def test_iri_with_a_space_in_the_ontology_is_file_and_line(runner: CliRunner, home: Path) -> None:
    ontology = home / "ontology" / "policykg.ttl"
    with ontology.open("a", encoding="utf-8") as handle:
        handle.write("\n<https://example.org/a b> a <http://www.w3.org/2002/07/owl#Thing> .\n")
    line = len(ontology.read_text(encoding="utf-8").splitlines())
    result = runner.invoke(main, ["validate"])
    _fails_cleanly(result, f"{ontology}:{line}", "invalid IRI")


def test_a_parent_that_is_a_file_is_named(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder", encoding="utf-8")
    load = runner.invoke(main, ["load", "--store", str(blocker / "store")])
    _fails_cleanly(load, str(blocker / "store"), f"{blocker} is a file")
    synth = runner.invoke(main, ["synth", "--policies", "1", "--output", str(blocker / "out")])
    _fails_cleanly(synth, f"{blocker} is a file")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_an_invalid_date_literal_is_a_quiet_finding_that_names_it(talkdesk_only: Path) -> None:
    path = talkdesk_only / "talkdesk" / "2019-12-31.trig"
    text = path.read_text(encoding="utf-8")
    assert 'pkg:statedDate "2019-12-31"^^xsd:date' in text
    path.write_text(text.replace('pkg:statedDate "2019-12-31"', 'pkg:statedDate "2018-13-45"', 1), "utf-8")
    # a real process: in pytest, rdflib's log records go to pytest's handler, not to stderr
    for command in (["validate"], ["build", "--no-reason"]):
        run = subprocess.run(
            [POLICYKG, *command, "--data-dir", str(talkdesk_only)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 1 and run.stderr == "", run.stderr  # no "Failed to convert Literal"
        if command == ["validate"]:
            assert "value: 2018-13-45" in run.stdout, run.stdout
        else:
            assert "validation (data profile): 2 violations" in run.stdout, run.stdout


def test_an_empty_endpoint_is_refused(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "vendors-citing-privacy-shield", "--endpoint", ""])
    assert "Talkdesk" not in result.output
    _fails_cleanly(result, "invalid endpoint ''")


def test_import_p3p_names_an_empty_source(runner: CliRunner, tmp_path: Path) -> None:
    empty, output = tmp_path / "empty.txt", tmp_path / "out.trig"
    empty.write_text("", encoding="utf-8")
    args = ["import-p3p", "--source", str(empty), "--policy", "https://example.org/p"]
    result = runner.invoke(main, [*args, "--cp", 'CP="NOI"', "--output", str(output)])
    _fails_cleanly(result, f"{empty}: quote not found: 'NOI'")
    assert not output.exists()


ECHO = "SELECT ?v WHERE { BIND (?_value AS ?v) }\n"


def echo_query(folder: Path) -> Path:
    path = folder / "echo.rq"
    path.write_text(ECHO, encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ['a\n\\"', '" } ; DROP ALL ; SELECT * { "', "x\r\ny", "\\u0022", "?_value"])
def test_a_parameter_is_one_literal_never_syntax(
    runner: CliRunner, tmp_path: Path, seed_data: Path, value: str
) -> None:
    echo = ["query", "--file", str(echo_query(tmp_path)), "--data-dir", str(seed_data), "--format", "json"]
    result = runner.invoke(main, [*echo, "--param", f"value={value}"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == [{"v": value}]
    history = runner.invoke(
        main, ["query", "policy-history", "--data-dir", str(seed_data), "--param", f"vendor={value}"]
    )
    _fails_cleanly(history, f"unknown vendor {value!r}")  # looked up among the vendors, as a value


def test_the_text_sent_to_an_endpoint_binds_the_same_literal() -> None:
    """--endpoint gets the text run_local runs: it must parse, with the value as one literal."""
    import pyoxigraph
    from rdflib import Graph, Literal

    from policykg.sparql_text import substitute_terms
    from policykg.store import select

    for value in ('a\n\\"', 'a\n\\" } ; DROP ALL #', '\\"\t'):
        text = substitute_terms(ECHO, {"_value": Literal(value)})
        assert select(Graph(), text).rows == [[Literal(value)]]  # rdflib, as SPARQLWrapper's servers
        rows = list(pyoxigraph.Store().query(text))  # type: ignore[arg-type]
        assert [row["v"] for row in rows] == [pyoxigraph.Literal(value)]  # Oxigraph


def test_a_non_utf8_parameter_is_refused(runner: CliRunner, seed_data: Path) -> None:
    raw = os.fsdecode(b"\xff")  # what a shell hands Python for $'\xff'
    args = ["query", "policy-history", "--data-dir", str(seed_data), "--param", f"vendor={raw}"]
    result = runner.invoke(main, args)
    _fails_cleanly(result, "invalid parameter vendor", "UTF-8")


def test_a_store_left_by_a_failed_load_is_refused_until_loaded_again(
    runner: CliRunner, data_copy: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    broken = data_copy / "wire" / "2023-05-09.trig"
    if not broken.exists():
        broken = sorted(data_copy.rglob("*.trig"))[-1]
    good = broken.read_bytes()
    broken.write_bytes(good + b"\ngarbage here\n")
    # its own process, as a user runs it: an in-process store object keeps RocksDB's lock
    first = subprocess.run(
        [POLICYKG, "load", "--store", str(store), "--data-dir", str(data_copy)], check=False
    )
    assert first.returncode == 2
    query = ["--store", str(store), "query", "vendors-citing-privacy-shield"]
    _fails_cleanly(runner.invoke(main, query), "incomplete load", "run it again")
    broken.write_bytes(good)
    again = runner.invoke(main, ["load", "--store", str(store), "--data-dir", str(data_copy)])
    assert again.exit_code == 0, again.output
    assert runner.invoke(main, query).exit_code == 0


KILL_DURING_LOAD = """
import os, signal, sys
from pathlib import Path
from policykg.load import load_project, open_store
def progress(done, total):
    if done == 2:
        os.kill(os.getpid(), signal.SIGKILL)
load_project(data_dir=Path(sys.argv[2]), store=open_store(Path(sys.argv[1])), progress=progress)
"""


def test_a_store_whose_load_was_killed_says_so(runner: CliRunner, seed_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    killed = subprocess.run(
        [sys.executable, "-c", KILL_DURING_LOAD, str(store), str(seed_data)], capture_output=True, check=False
    )
    assert killed.returncode == -9, killed.stderr
    result = runner.invoke(main, ["--store", str(store), "query", "vendors-citing-privacy-shield"])
    _fails_cleanly(result, "incomplete load")


def test_a_store_held_by_another_process_is_busy(runner: CliRunner, tmp_path: Path, seed_data: Path) -> None:
    store = tmp_path / "store"
    assert runner.invoke(main, ["load", "--store", str(store), "--data-dir", str(seed_data)]).exit_code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('held', "
         "flush=True); sys.stdin.read()", str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = runner.invoke(main, ["load", "--store", str(store), "--data-dir", str(seed_data)])
        _fails_cleanly(second, "store in use by another process")
        reader = runner.invoke(main, ["--store", str(store), "query", "vendors-citing-privacy-shield"])
        _fails_cleanly(reader, "store in use by another process")
    finally:
        holder.communicate("")
    assert (
        runner.invoke(main, ["--store", str(store), "query", "vendors-citing-privacy-shield"]).exit_code == 0
    )


def test_evidence_check_reports_a_non_integer_offset(runner: CliRunner, talkdesk_only: Path) -> None:
    data_copy = talkdesk_only
    path = data_copy / "talkdesk" / "2019-12-31.trig"
    text = path.read_text(encoding="utf-8")
    start = text.index("oa:start ")
    end = text.index("^^xsd:integer", start)
    path.write_text(text[:start] + 'oa:start "abc"' + text[end:], encoding="utf-8")
    result = runner.invoke(main, ["evidence", "check", "--data-dir", str(data_copy)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = next(line for line in result.stdout.splitlines() if "'abc'" in line)
    assert line.startswith("MISMATCH https://w3id.org/policykg/id/policy/talkdesk/2019-12-31: ")
    assert "integer offsets" in line and line.endswith(f"[{path}]")


def test_evidence_locate_counts_offsets_in_the_text_as_stored(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "crlf.txt"
    source.write_bytes(b"Privacy Policy\r\n\r\nWe share data with partners.\r\n")
    result = runner.invoke(main, ["evidence", "locate", "--source", str(source), "share data"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["start"], found["end"]) == (21, 31)
    assert source.read_bytes().decode("utf-8")[21:31] == "share data"


@pytest.mark.parametrize("break_it", ["missing", "folder"])
def test_a_missing_or_folder_shapes_file_is_named(runner: CliRunner, home: Path, break_it: str) -> None:
    shapes = home / "shapes" / "gdpr-art13.ttl"
    shapes.unlink()
    if break_it == "folder":
        shapes.mkdir()
    result = runner.invoke(main, ["validate", "--profile", "compliance"])
    _fails_cleanly(result, str(shapes))


def test_a_byte_order_mark_is_accepted(runner: CliRunner, data_copy: Path) -> None:
    for path in (data_copy / "talkdesk" / "2019-12-31.trig", data_copy / "catalogue.ttl"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = runner.invoke(main, ["query", "vendors-citing-privacy-shield", "--data-dir", str(data_copy)])
    assert result.exit_code == 0, result.output
    assert "Talkdesk" in result.stdout


# --- SPARQL and SHACL conformance rows -----------------------------------------------------

PKG_PREFIX = "PREFIX pkg: <https://w3id.org/policykg#>\n"


def _json_rows(runner: CliRunner, folder: Path, data: Path, text: str) -> list[dict[str, str]]:
    path = folder / "q.rq"
    path.write_text(PKG_PREFIX + text, encoding="utf-8")
    result = runner.invoke(main, ["query", "--file", str(path), "--data-dir", str(data), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, str]] = json.loads(result.stdout)["rows"]
    return rows


def test_order_by_a_variable_that_is_not_selected_sorts_the_rows(
    runner: CliRunner, tmp_path: Path, seed_data: Path
) -> None:
    """SPARQL orders before it projects: ORDER BY ?d sorts by date even when ?d is not a column."""
    ordered = _json_rows(runner, tmp_path, seed_data, "SELECT ?v WHERE { ?v pkg:statedDate ?d } ORDER BY ?d")
    dated = _json_rows(runner, tmp_path, seed_data, "SELECT ?v ?d WHERE { ?v pkg:statedDate ?d }")
    by_date = [row["v"] for row in sorted(dated, key=lambda row: (row["d"], row["v"]))]
    assert len(ordered) == len(by_date) >= 4
    assert [row["v"] for row in ordered] == by_date
    assert by_date != sorted(by_date)  # the dates do not follow the IRIs: the test can tell


def test_count_reads_the_default_graph_as_a_set(runner: CliRunner, tmp_path: Path, seed_data: Path) -> None:
    """A version's type is stated in its graph and in the catalogue: it counts once."""
    versions = _json_rows(runner, tmp_path, seed_data, "SELECT DISTINCT ?v WHERE { ?v a pkg:PolicyVersion }")
    counted = _json_rows(
        runner, tmp_path, seed_data, "SELECT (COUNT(*) AS ?n) WHERE { ?v a pkg:PolicyVersion }"
    )
    plain = _json_rows(runner, tmp_path, seed_data, "SELECT ?v WHERE { ?v a pkg:PolicyVersion }")
    assert counted == [{"n": str(len(versions))}] and len(versions) == 5
    assert sorted(r["v"] for r in plain) == sorted(r["v"] for r in versions)


NESTED_THIS = """
@prefix sh:  <http://www.w3.org/ns/shacl#> .
@prefix pkg: <https://w3id.org/policykg#> .
<urn:shape> a sh:NodeShape ; sh:targetClass pkg:PolicyVersion ;
  sh:sparql [ sh:select \"\"\"
    PREFIX pkg: <https://w3id.org/policykg#>
    SELECT $this WHERE { %s }\"\"\" ] .
"""


def _native_and_pyshacl(loaded_store: object, where: str) -> tuple[set[str], set[str]]:
    from datetime import date

    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import SH

    from policykg.validation.engine import Engine

    shapes = Graph().parse(data=NESTED_THIS % where, format="turtle")
    native = {str(row["this"]) for _, row in Engine(shapes).solutions(loaded_store, date(2026, 1, 1))}  # type: ignore[arg-type]
    data = Graph()
    for name in loaded_store.graph_names():  # type: ignore[attr-defined]
        data += loaded_store.graph(name)  # type: ignore[attr-defined]
    _, results, _ = validate(data, shacl_graph=shapes, advanced=True)
    return native, {str(f) for f in results.objects(None, SH.focusNode)}


def test_this_in_a_nested_group_is_refused_unless_the_group_binds_it() -> None:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, XSD

    from policykg.namespaces import PKG
    from policykg.shacl import ShapeError
    from policykg.store import OxigraphStore

    data = Graph()
    for n in range(5):  # five versions, as in the run (Jena and pyshacl: 5 findings)
        version = URIRef(f"https://example.org/policy/v{n}")
        data.add((version, RDF.type, PKG.PolicyVersion))
        data.add((version, PKG.vendor, URIRef(f"https://example.org/vendor/{n % 2}")))
        data.add((version, PKG.statedDate, Literal(f"2020-01-0{n + 1}", datatype=XSD.date)))
    store = OxigraphStore()
    store.replace_graph(URIRef("urn:graph:versions"), data)
    with pytest.raises(ShapeError, match=r"\$this is used in a nested group"):
        _native_and_pyshacl(store, "{ ?x pkg:vendor ?v . FILTER (?x = $this) }")
    with pytest.raises(ShapeError, match=r"\$this is used in a nested group"):
        _native_and_pyshacl(store, "?x pkg:vendor ?v . { BIND ($this AS ?y) FILTER (?y = ?x) }")
    # bound in the nested group itself, or seen through EXISTS / OPTIONAL: the same as pyshacl
    for accepted in (
        "{ $this pkg:vendor ?v . FILTER (isIRI($this)) } UNION { $this pkg:nothing ?w }",
        "FILTER EXISTS { ?x pkg:vendor ?v FILTER (?x = $this) }",
        "OPTIONAL { $this pkg:statedDate ?d FILTER (?d > $this) } FILTER (!BOUND(?d))",
    ):
        native, reference = _native_and_pyshacl(store, accepted)
        assert native == reference and len(native) == 5, accepted


# --- data-gate shapes ----------------------------------------------------------------------


def _validate_data(runner: CliRunner, data: Path, engine: str = "native") -> Result:
    return runner.invoke(main, ["validate", "--profile", "data", "--data-dir", str(data), "--engine", engine])


@pytest.mark.parametrize("engine", ["native", pytest.param("pyshacl", marks=pytest.mark.slow)])
def test_the_data_gate_refuses_a_processor_without_a_name(
    runner: CliRunner, talkdesk_only: Path, engine: str
) -> None:
    data_copy = talkdesk_only
    path = data_copy / "talkdesk" / "2019-12-31.trig"
    text = path.read_text(encoding="utf-8")
    named = 'rdfs:label "sub-processors" .'
    assert text.count(named) == 1
    path.write_text(text.replace(named, "a dpv:DataProcessor ."), "utf-8")
    result = _validate_data(runner, data_copy, engine)
    assert result.exit_code == 1, result.output
    assert "needs a name (rdfs:label or dpv:hasName)" in result.stdout
    assert "talkdesk/2019-12-31/recipient/sub-processors" in result.stdout


@pytest.mark.parametrize("engine", ["native", pytest.param("pyshacl", marks=pytest.mark.slow)])
def test_the_data_gate_refuses_offsets_that_do_not_span_the_quote(
    runner: CliRunner, talkdesk_only: Path, engine: str
) -> None:
    data_copy = talkdesk_only
    path = data_copy / "talkdesk" / "2019-12-31.trig"
    text = path.read_text(encoding="utf-8")
    at = text.index("oa:end ")
    number_start = at + len("oa:end ")
    number_end = text.index("^^xsd:integer", number_start)
    end = int(text[number_start:number_end].strip('"'))
    path.write_text(text[:number_start] + f'"{end + 3}"' + text[number_end:], encoding="utf-8")
    result = _validate_data(runner, data_copy, engine)
    assert result.exit_code == 1, result.output
    assert f"oa:end {end + 3} span" in result.stdout, result.stdout


def test_serve_workers_read_the_default_graph_as_a_set() -> None:
    """The same COUNT through 'serve' (its worker's answer, without starting a server)."""
    import pyoxigraph as ox

    from policykg.serve_worker import answer

    store = ox.Store()
    statement = (ox.NamedNode("urn:v"), ox.NamedNode("urn:type"), ox.NamedNode("urn:PolicyVersion"))
    for graph in ("urn:graph:version", "urn:graph:catalogue"):
        store.add(ox.Quad(*statement, ox.NamedNode(graph)))
    request = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?v ?p ?o }", "union": True, "accept": "text/csv"}
    status, body = answer(store, request)
    assert status["status"] == 200, status
    assert body.decode("utf-8").split() == ["n", "1"]


def test_a_byte_order_mark_in_an_nquads_file_is_accepted_by_the_bulk_load(
    runner: CliRunner, tmp_path: Path
) -> None:
    """N-Quads files go to Oxigraph's bulk loader as text: the mark is dropped there too."""
    corpus = tmp_path / "corpus"
    assert runner.invoke(main, ["synth", "--policies", "2", "--output", str(corpus)]).exit_code == 0
    first = sorted((corpus / "data").rglob("*.nq"))[0]
    first.write_bytes(b"\xef\xbb\xbf" + first.read_bytes())
    result = runner.invoke(
        main, ["load", "--store", str(tmp_path / "store"), "--data-dir", str(corpus / "data")]
    )
    assert result.exit_code == 0, result.output
    assert "2 policy versions written" in result.stdout

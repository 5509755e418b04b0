"""SHACL: the data gate passes on the shipped data, each mutation trips the right shape, and the
compliance findings on the seeds are the ones the texts cause."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from policykg.cli import main
from policykg.load import LoadResult
from policykg.validation import validate_store

TALKDESK = "https://w3id.org/policykg/id/policy/talkdesk/2019-12-31"
CLOUDCALL = "https://w3id.org/policykg/id/policy/cloudcall/2018-01-16"
CLOUDTALK = "https://w3id.org/policykg/id/policy/cloudtalk/2025-08-06"
KLOUDTALK = "https://w3id.org/policykg/id/policy/kloudtalk/undated-2024"
CLOUDTALK_2018 = "https://w3id.org/policykg/id/policy/cloudtalk/undated-2018"


def test_data_profile_passes_on_shipped_data(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--profile", "data"])
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output


def _mutate(data_copy: Path, rel: str, old: str, new: str) -> None:
    path = data_copy / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _json_findings(
    runner: CliRunner, data_copy: Path, profile: str = "data"
) -> tuple[int, list[dict[str, str]]]:
    result = runner.invoke(
        main, ["validate", "--profile", profile, "--format", "json", "--data-dir", str(data_copy)]
    )
    return result.exit_code, json.loads(result.output)["findings"]


def test_removing_a_process_purpose_is_a_violation(runner: CliRunner, data_copy: Path) -> None:
    path = data_copy / "talkdesk/2019-12-31.trig"
    text = path.read_text(encoding="utf-8")
    process = f"<{TALKDESK}/process/controller-office-access>"
    block = re.search(re.escape(process) + r" a dpv:Process ;.*?\n\n", text, flags=re.S)
    assert block
    cut = re.sub(r"\s*dpv:hasPurpose [^;]+;", "", block.group(0))
    path.write_text(text.replace(block.group(0), cut), encoding="utf-8")
    code, findings = _json_findings(runner, data_copy)
    assert code == 1
    messages = {(f["focus"], f["message"]) for f in findings}
    assert (
        f"{TALKDESK}/process/controller-office-access",
        "A process needs at least one purpose (transfers excepted).",
    ) in messages


def test_evidence_without_offsets_is_a_violation(runner: CliRunner, data_copy: Path) -> None:
    path = data_copy / "kloudtalk/undated-2024.trig"
    text = path.read_text(encoding="utf-8")
    end = re.search(r'\s*oa:end "\d+"\^\^xsd:integer ;', text)
    assert end
    path.write_text(text.replace(end.group(0), "", 1), encoding="utf-8")
    code, findings = _json_findings(runner, data_copy)
    assert code == 1
    hits = [f for f in findings if f["message"].startswith("Evidence needs an end offset")]
    assert len(hits) == 1 and hits[0]["severity"] == "violation"


def test_impossible_date_is_a_violation(runner: CliRunner, data_copy: Path) -> None:
    _mutate(
        data_copy,
        "cloudcall/2018-01-16.trig",
        'pkg:statedDate "2018-01-16"^^xsd:date',
        'pkg:statedDate "2018-13-45"^^xsd:date',
    )
    code, findings = _json_findings(runner, data_copy)
    assert code == 1
    hit = [f for f in findings if "valid xsd:date" in f["message"]]
    assert hit and hit[0]["focus"] == CLOUDCALL and hit[0]["path"].endswith("#statedDate")


def test_purpose_given_as_legal_basis_is_a_violation(runner: CliRunner, data_copy: Path) -> None:
    _mutate(
        data_copy,
        "cloudtalk/2025-08-06.trig",
        "dpv:hasLegalBasis eu-gdpr:A6-1-c",
        "dpv:hasLegalBasis dpv:LegalCompliance",
    )
    code, findings = _json_findings(runner, data_copy)
    assert code == 1
    hit = [
        f for f in findings if f["message"].startswith("The value of dpv:hasLegalBasis must be a legal basis")
    ]
    assert hit and hit[0]["value"] == "https://w3id.org/dpv#LegalCompliance"


def test_text_report_names_the_misspelt_term(runner: CliRunner, data_copy: Path) -> None:
    """The default (text) report shows the offending value, not only the node that holds it."""
    path = data_copy / "cloudtalk/2025-08-06.trig"
    path.write_text(
        path.read_text(encoding="utf-8").replace("dpv:AccountManagement", "dpv:AccountManagment"),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", "--data-dir", str(data_copy)])
    assert result.exit_code == 1
    assert "The value of dpv:hasPurpose must be a DPV purpose" in result.output
    assert "value: https://w3id.org/dpv#AccountManagment" in result.output


def test_fact_without_evidence_is_a_violation(runner: CliRunner, data_copy: Path) -> None:
    _mutate(
        data_copy,
        "kloudtalk/undated-2024.trig",
        "dpv:hasPurpose pkg:ProductUpdateNotification",
        "dpv:hasPurpose pkg:ProductUpdateNotification, dpv:DirectMarketing",
    )
    code, findings = _json_findings(runner, data_copy)
    assert code == 1
    assert any(
        f["message"].startswith("Fact without evidence") and "DirectMarketing" in f["message"]
        for f in findings
    )


def test_version_without_date_or_undated_marker_is_a_violation(runner: CliRunner, data_copy: Path) -> None:
    _mutate(
        data_copy,
        "kloudtalk/undated-2024.trig",
        "pkg:dateKind pkg:Undated",
        "pkg:dateKind pkg:LastUpdated",
    )
    code, findings = _json_findings(runner, data_copy)
    assert code == 1
    assert any(
        f["message"].startswith("A policy version needs a stated date, or the undated marker")
        for f in findings
    )


@pytest.fixture(scope="module")
def compliance_today(loaded: LoadResult):  # type: ignore[no-untyped-def]
    from datetime import date

    return validate_store(loaded.store, profile="compliance", as_of=date(2026, 11, 23))


def _messages(report, policy: str, severity: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.message for f in report.findings if f.policy == policy and f.severity == severity]


def test_privacy_shield_reliance_reported_for_talkdesk_and_cloudcall(compliance_today) -> None:  # type: ignore[no-untyped-def]
    # Talkdesk: "Talkdesk comply with the EU-U.S. Privacy Shield"; CloudCall: "CloudCall complies with the
    # European Union-United States Privacy Shield Framework". Both invalid since Schrems II.
    for policy, vendor in ((TALKDESK, "talkdesk"), (CLOUDCALL, "cloudcall")):
        violations = _messages(compliance_today, policy, "violation")
        assert any(
            m.startswith(f"{vendor} relies on EU-US Privacy Shield")
            and "invalid since 2020-07-16" in m
            and "C-311/18" in m
            for m in violations
        ), violations


def test_talkdesk_sccs_under_repealed_2010_87(compliance_today) -> None:  # type: ignore[no-untyped-def]
    # "the standard contractual clauses) pursuant to Decision 2010/87/EU"
    violations = _messages(compliance_today, TALKDESK, "violation")
    assert any("Decision 2010/87/EU" in m and "invalid since 2022-12-28" in m for m in violations)
    # one finding per problem: the decisive status only, not also "closed to new contracts"
    warnings = _messages(compliance_today, TALKDESK, "warning")
    assert not any("Decision 2010/87/EU" in m for m in warnings), warnings


def test_talkdesk_sccs_closed_but_not_yet_invalid_in_2022(loaded: LoadResult) -> None:
    from datetime import date

    report = validate_store(loaded.store, profile="compliance", as_of=date(2022, 6, 1))
    scc = [f for f in report.findings if f.policy == TALKDESK and "Decision 2010/87/EU" in f.message]
    assert [(f.severity, "closed to new contracts since 2021-09-27" in f.message) for f in scc] == [
        ("warning", True)
    ]


def test_cloudtalk_dpf_not_invalid_but_under_challenge(compliance_today) -> None:  # type: ignore[no-untyped-def]
    # "in reliance on the EU-U.S. DPF": valid; appeal C-703/25 P pending since 2025-10-31.
    assert _messages(compliance_today, CLOUDTALK, "violation") == []
    infos = _messages(compliance_today, CLOUDTALK, "info")
    assert any("Data Privacy Framework" in m and "C-703/25 P" in m for m in infos)


def test_kloudtalk_contradiction_and_p3p_citation(compliance_today) -> None:  # type: ignore[no-untyped-def]
    assert any(
        m.startswith("The policy contradicts itself")
        for m in _messages(compliance_today, KLOUDTALK, "warning")
    )
    # "seguiamo la Piattaforma per il Progetto Preferenze sulla Privacy, o pratiche P3P"
    assert any("P3P" in m and "2018-08-30" in m for m in _messages(compliance_today, CLOUDTALK_2018, "info"))


def test_privacy_shield_not_invalid_as_of_2019(loaded: LoadResult) -> None:
    from datetime import date

    report = validate_store(loaded.store, profile="compliance", as_of=date(2019, 12, 31))
    assert not [f for f in report.findings if "Privacy Shield" in f.message and "invalid" in f.message]


def test_fail_on_levels_and_exit_codes(runner: CliRunner) -> None:
    args = ["validate", "--profile", "compliance", "--as-of", "2026-11-23"]
    assert runner.invoke(main, [*args, "--fail-on", "violation"]).exit_code == 1
    assert runner.invoke(main, [*args, "--fail-on", "none"]).exit_code == 0
    assert runner.invoke(main, ["validate", "--profile", "data", "--fail-on", "info"]).exit_code == 0


def test_turtle_report_is_a_shacl_report(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "report.ttl"
    result = runner.invoke(
        main,
        [
            "validate",
            "--profile",
            "compliance",
            "--format",
            "turtle",
            "--output",
            str(out),
            "--fail-on",
            "none",
            "--as-of",
            "2026-11-23",
        ],
    )
    assert result.exit_code == 0
    from rdflib import Graph
    from rdflib.namespace import RDF

    from policykg.namespaces import SH

    graph = Graph().parse(out)
    assert len(list(graph.subjects(RDF.type, SH.ValidationResult))) > 10


def test_malformed_shapes_file_gives_file_and_line(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from .conftest import ROOT

    home = tmp_path / "home"
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / name, home / name)
    (home / "pyproject.toml").write_text("", encoding="utf-8")
    bad = home / "shapes" / "data-quality.ttl"
    bad.write_text(bad.read_text(encoding="utf-8") + "\npks:Broken a sh:NodeShape ;;; ]\n", encoding="utf-8")
    monkeypatch.setenv("POLICYKG_HOME", str(home))
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 2
    assert re.search(r"data-quality\.ttl:\d+: syntax error", result.output), result.output


def test_malformed_data_file_gives_file_and_line(runner: CliRunner, data_copy: Path) -> None:
    path = data_copy / "talkdesk/2019-12-31.trig"
    path.write_text(
        path.read_text(encoding="utf-8").replace("dpv:hasPurpose", "dpv:hasPurpose dpv:", 1),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", "--data-dir", str(data_copy)])
    assert result.exit_code == 2
    assert re.search(r"2019-12-31\.trig:\d+: syntax error", result.output), result.output


@pytest.mark.slow  # a headless browser
def test_html_report_in_a_real_browser(runner: CliRunner, tmp_path: Path, seed_data: Path) -> None:
    import os

    from .browser import CHROMIUM, dump_dom

    if CHROMIUM is None:
        if os.environ.get("CI"):
            raise AssertionError("CI installs Chromium (.ci/setup)")
        pytest.skip("Chromium is not installed")
    out = tmp_path / "report.html"
    result = runner.invoke(
        main,
        [
            "validate",
            "--profile",
            "compliance",
            "--as-of",
            "2026-11-23",
            "--format",
            "html",
            "--output",
            str(out),
            "--fail-on",
            "none",
            "--data-dir",
            str(seed_data),
        ],
    )
    assert result.exit_code == 0, result.output
    dom = dump_dom(out.as_uri(), tmp_path / "profile")
    assert '<p id="summary">3 violations' in dom
    assert f"<h2>{TALKDESK}</h2>" in dom
    assert "<h3>GDPR Art. 44-46 (transfer safeguards)</h3>" in dom
    assert "talkdesk relies on EU-US Privacy Shield" in dom and "C-311/18" in dom


@pytest.mark.parametrize(
    ("shape", "refusal"),
    [
        ("sh:property [ sh:path ex:p ; sh:qualifiedMinCount 1 ]", "sh:qualifiedMinCount is not supported"),
        ('sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?x } LIMIT 1" ]', "LIMIT/OFFSET"),
        (
            'sh:sparql [ sh:select "SELECT $this WHERE { { SELECT ?x WHERE { $this ex:p ?x } } }" ]',
            "a sub-select must return $this",
        ),
        (
            'sh:sparql [ sh:select "SELECT $this WHERE { { SELECT $this WHERE { $this ex:p ?x } LIMIT 1 } }" ]',
            "LIMIT/OFFSET in a sub-select",
        ),
        (
            'sh:sparql [ sh:select "SELECT $this WHERE { { SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:p ?x } '
            'GROUP BY ?x } }" ]',
            "a sub-select that aggregates must GROUP BY $this",
        ),
    ],
)
def test_the_built_in_engine_refuses_what_it_cannot_evaluate(shape: str, refusal: str) -> None:
    """A shape the SPARQL compiler cannot evaluate exactly is refused by name, never skipped."""
    from rdflib import Graph

    from policykg.shacl import ShapeError, compile_shapes

    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .\n"
        f"ex:S a sh:NodeShape ; sh:targetClass ex:C ; {shape} .",
        format="turtle",
    )
    with pytest.raises(ShapeError, match=re.escape(refusal)):
        compile_shapes(shapes)


def test_a_damaged_cache_file_is_a_clear_error_and_is_left_alone(runner: CliRunner, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "findings.sqlite").write_text("not a database", encoding="utf-8")
    result = runner.invoke(main, ["validate", "--cache", str(cache)])
    assert result.exit_code == 2
    assert "findings.sqlite: not usable as a validation cache" in result.output
    assert "Traceback" not in result.output
    assert (cache / "findings.sqlite").read_text(encoding="utf-8") == "not a database"


def _store_content(store_dir: Path) -> bytes:
    """Every quad of a persistent store, its bookkeeping graph included, in a stable order."""
    import gc

    import pyoxigraph as ox

    gc.collect()  # the CLI's store object must be gone before the folder is opened again
    store = ox.Store(str(store_dir))
    lines = sorted(str(q) for q in store)
    del store
    gc.collect()
    return "\n".join(lines).encode("utf-8")


def test_validate_leaves_a_persistent_store_byte_identical(runner: CliRunner, tmp_path: Path) -> None:
    """The analysis date is bound in the query text: validating a store never writes into it,
    whatever the profile or date (the compliance shapes read the date)."""
    store = tmp_path / "store"
    assert runner.invoke(main, ["load", "--store", str(store)]).exit_code == 0
    before = _store_content(store)
    assert b"policykg#storeId" in before  # the load gave the store its id; validation only reads it
    for args in (
        ["--profile", "compliance", "--as-of", "2026-11-23"],
        ["--profile", "all", "--as-of", "2019-12-31", "--cache", str(tmp_path / "cache")],
        ["--profile", "all", "--as-of", "2019-12-31", "--cache", str(tmp_path / "cache")],
    ):
        result = runner.invoke(main, ["--store", str(store), "validate", "--fail-on", "none", *args])
        assert result.exit_code == 0, result.output
        assert _store_content(store) == before, args
    assert b"AnalysisContext" not in before
    compliance = runner.invoke(
        main, ["--store", str(store), "validate", "--profile", "compliance", "--as-of", "2026-11-23"]
    )
    assert "relies on EU-US Privacy Shield" in compliance.output  # the date-dependent shapes saw the date
    assert "invalid since 2020-07-16" in compliance.output


def test_pyshacl_refusing_a_shape_is_a_clear_error(loaded: LoadResult, tmp_path: Path) -> None:
    """pyshacl returns some refusals instead of raising them (SHACL forbids VALUES in a SPARQL
    constraint): the reference engine reports them as one clear error, not an AttributeError."""
    from datetime import date

    from policykg.errors import PolicyKGError
    from policykg.validation import validate_with_pyshacl

    (tmp_path / "profiles.tsv").write_text("values\tvalues.ttl\n", encoding="utf-8")
    (tmp_path / "values.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:x:S> a sh:NodeShape ; sh:targetClass <https://w3id.org/policykg#PolicyVersion> ;\n"
        '  sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } $this ?p ?x }" ] .\n',
        encoding="utf-8",
    )
    with pytest.raises(
        PolicyKGError, match="refused the shapes: A SPARQL Constraint must not contain a VALUES"
    ):
        validate_with_pyshacl(loaded.store, "values", date(2026, 11, 23), tmp_path)


def _project_with_profiles(tmp_path: Path, extra: str) -> Path:
    """A project root whose shapes/profiles.tsv has ``extra`` appended; every other folder is
    the real one (linked), so only the profile file differs."""
    from policykg.paths import project_paths

    real = project_paths().root
    root = tmp_path / "project"
    (root / "shapes").mkdir(parents=True)
    for name in ("ontology", "queries", "data", "pyproject.toml"):
        (root / name).symlink_to(real / name)
    for shapes_file in (real / "shapes").iterdir():
        (root / "shapes" / shapes_file.name).write_bytes(shapes_file.read_bytes())
    with (root / "shapes" / "profiles.tsv").open("a", encoding="utf-8") as profiles:
        profiles.write(extra)
    return root


def test_a_profile_added_to_profiles_tsv_is_usable_without_code(tmp_path: Path) -> None:
    """Profiles are data (shapes/profiles.tsv, like ROBOT's report profile): a line added there
    is a profile the CLI runs, and an unknown name lists the profiles the file defines."""
    root = _project_with_profiles(tmp_path, "art13\tgdpr-art13.ttl\n")
    runner = CliRunner(env={"POLICYKG_HOME": str(root)})
    args = ["validate", "--as-of", "2026-11-23", "--format", "json", "--fail-on", "none"]
    art13 = runner.invoke(main, [*args, "--profile", "art13"])
    assert art13.exit_code == 0, art13.output
    shapes = {finding["shape"] for finding in json.loads(art13.output)["findings"]}
    assert shapes, "the Art. 13 shapes find something in the shipped data"
    declared = {str(s) for s in Graph().parse(root / "shapes" / "gdpr-art13.ttl").subjects()}
    assert shapes <= declared, shapes - declared  # only the file the new profile names ran
    unknown = runner.invoke(main, [*args, "--profile", "nope"])
    assert unknown.exit_code == 2
    assert "nope" in unknown.output and "art13" in unknown.output and "compliance" in unknown.output
    assert "Traceback" not in unknown.output


def test_threads_and_heavy_first_order_give_the_same_report(loaded: LoadResult, compliance_today) -> None:  # type: ignore[no-untyped-def]
    # The engine runs the heavy queries first when it has threads; the report must not depend on
    # the order, the number of threads, or the batches in which focus nodes are attributed.
    from datetime import date

    threaded = validate_store(loaded.store, profile="compliance", as_of=date(2026, 11, 23), jobs=3)
    assert threaded.findings == compliance_today.findings
    assert {f.policy for f in threaded.findings} >= {TALKDESK, CLOUDCALL, CLOUDTALK, KLOUDTALK}
    # every placeholder of a message is filled when the rule binds it
    assert not [f.message for f in threaded.findings if re.search(r"\{[?$](this|value)\}", f.message)]


def test_attribution_names_every_graph_of_a_focus_node(loaded: LoadResult, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # a focus node described in two versions' graphs is reported for both; batches of IRIs and
    # blank nodes (asked one by one) give the same answer as one index scan per node
    from policykg import store as store_module
    from policykg.store import as_oxigraph

    monkeypatch.setattr(store_module, "LOCAL_SUBJECT_BATCH", 500)
    store = as_oxigraph(loaded.store)
    rows = store.solutions("SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }").records()
    expected: dict[str, set[str]] = {}
    for row in rows:
        expected.setdefault(str(row["s"]), set()).add(str(row["g"]))
    assert len(expected) > 3 * 500  # several batches of IRIs
    assert any(len(graphs) > 1 for graphs in expected.values())
    assert any(":" not in node for node in expected)  # blank nodes among them
    assert store.graphs_with_subjects(expected) == expected

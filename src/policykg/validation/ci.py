"""What CI systems need besides the findings: the shapes as rules (name, messages, help, file)
and each finding's place in the annotation files (file and line), and the two formats they show
natively: SARIF 2.1.0 (GitHub code scanning, GitLab) and JUnit XML.

A finding names a focus node (and a path and value), not a line: :class:`SourceIndex` finds the
statement in the version's data file (or the catalogue) by scanning the Turtle/TriG text for the
focus node as a subject, in any spelling the file uses (``<IRI>`` or a prefixed name), then for
the path (and value) inside that subject's block. A focus node the text never names (a blank
node) points at the line that opens the version's graph.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from .. import __version__
from ..namespaces import SH, bind_prefixes
from ..rdfio import parse_into
from ..shacl import severity_name
from ..store import GraphStore
from .report import SEVERITY_RANK, Finding, ValidationReport
from .shapes import article_of, profile_files, read_profiles

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LOCATE_ALWAYS = ("sarif", "junit", "json")
"""Formats whose readers need each finding's file and line; the others get them up to
LOCATE_LIMIT findings (a whole corpus's files are not read for a text summary)."""
LOCATE_LIMIT = 5000
SARIF_LEVEL = {"violation": "error", "warning": "warning", "info": "note"}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@dataclass(frozen=True)
class ShapeRule:
    """A named shape as a CI rule: what it checks and where it is defined."""

    iri: str
    name: str
    messages: tuple[str, ...]
    help: str
    severity: str
    article: str
    file: str
    profiles: tuple[str, ...] = ()
    """The profiles that run the shape's file (shapes/profiles.tsv)."""

    @property
    def rule_id(self) -> str:
        return self.iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or self.iri


@dataclass(frozen=True)
class Location:
    file: Path
    line: int


def shape_rules(profile: str, shapes_dir: Path | None = None) -> list[ShapeRule]:
    """Every named shape of a profile's files, in file order then by IRI."""
    rules: list[ShapeRule] = []
    profiles = read_profiles(shapes_dir)
    for path in profile_files(profile, shapes_dir):
        running = tuple(p for p, files in profiles.items() if path.name in files and p != "all")
        graph = Graph()
        bind_prefixes(graph)
        parse_into(graph, path)
        named = {s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
        named |= {s for t in _TARGETS for s in graph.subjects(t, None) if isinstance(s, URIRef)}
        for shape in sorted(named, key=str):
            rules.append(replace(_rule(graph, shape, path), profiles=running))
    return rules


def _rule(graph: Graph, shape: URIRef, path: Path) -> ShapeRule:
    parts: list[Node] = [shape, *graph.objects(shape, SH.property), *graph.objects(shape, SH.sparql)]
    messages = tuple(dict.fromkeys(str(m) for part in parts for m in graph.objects(part, SH.message)))
    severities = [severity_name(graph.value(part, SH.severity)) for part in parts]
    severity = max(severities, key=lambda s: SEVERITY_RANK[s]) if severities else "violation"
    label = graph.value(shape, SH.name) or graph.value(shape, RDFS.label)
    name = str(label) if isinstance(label, Literal) else shape.rsplit("#", 1)[-1]
    described = graph.value(shape, SH.description) or graph.value(shape, RDFS.comment)
    article = article_of(graph, shape)
    help_text = str(described) if described is not None else " ".join(messages)
    if help_text and not help_text.rstrip().endswith((".", "!", "?", ")")):
        help_text = help_text.rstrip() + "."
    if article:
        help_text += f" Checks {article}."
    help_text += f" Shape <{shape}> in shapes/{path.name}."
    return ShapeRule(str(shape), name, messages, help_text.strip(), severity, article, path.name)


@dataclass
class _FileIndex:
    """One annotation file, read once: where each term is first the subject of a statement,
    every line that mentions it, and the lines that end a statement."""

    prefixes: dict[str, str]
    starts: dict[str, int]
    mentions: dict[str, list[int]]
    ends: list[int]

    @classmethod
    def read(cls, path: Path) -> _FileIndex:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        prefixes: dict[str, str] = {}
        starts: dict[str, int] = {}
        mentions: dict[str, list[int]] = {}
        ends: list[int] = []
        previous = "."
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            match = _PREFIX.match(line)
            if match:
                prefixes[match.group(1)] = match.group(2)
            tokens = [token.rstrip(".") for token in _TOKEN.findall(line)]
            for token in dict.fromkeys(tokens):
                mentions.setdefault(token, []).append(number)
            # a statement starts after a finished one or a graph's opening brace; a graph name
            # (a line ending in '{') is no subject
            starting = previous.endswith((".", "{", "}")) and not text.endswith("{")
            if tokens and starting and text.startswith(tokens[0]):
                starts.setdefault(tokens[0], number)
            if text and not text.startswith("#"):
                previous = text
            if text.endswith(" .") or text == "." or text.endswith("}"):
                ends.append(number)
        return cls(prefixes, starts, mentions, ends)

    def first(self, spellings: list[str], after: int = 0) -> int | None:
        found = []
        for spelling in spellings:
            numbers = self.mentions.get(spelling, [])
            at = bisect.bisect_left(numbers, after)
            if at < len(numbers):
                found.append(numbers[at])
        return min(found) if found else None

    def subject(self, spellings: list[str]) -> int | None:
        found = [self.starts[s] for s in spellings if s in self.starts]
        return min(found) if found else None

    def block_end(self, start: int) -> int:
        at = bisect.bisect_left(self.ends, start)
        return self.ends[at] if at < len(self.ends) else start

    def within(self, spellings: list[str], start: int, end: int) -> set[int]:
        return {n for s in spellings for n in self.mentions.get(s, []) if start <= n <= end}


_PREFIX = re.compile(r"\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_TOKEN = re.compile(r"<[^<>\s\"]*>|(?<![\w:.-])[A-Za-z][\w.-]*:[\w.-]*")
"""IRIs in full and prefixed names, as a Turtle or TriG line writes them."""


class SourceIndex:
    """Finds the line of a finding's statement in the annotation files (each read once)."""

    def __init__(self, data_dir: Path, data_files: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.data_files = data_files
        self._files: dict[Path, _FileIndex] = {}

    def _read(self, path: Path) -> _FileIndex:
        if path not in self._files:
            self._files[path] = _FileIndex.read(path)
        return self._files[path]

    def candidates(self, finding: Finding) -> list[Path]:
        files = []
        if finding.policy in self.data_files:
            files.append(self.data_dir / self.data_files[finding.policy])
        files.append(self.data_dir / "catalogue.ttl")
        return [f for f in files if f.is_file()]

    def locate(self, finding: Finding) -> Location | None:
        files = self.candidates(finding)
        for path in files:
            line = self._find(self._read(path), finding)
            if line is not None:
                return Location(path, line)
        if files:  # a blank node or a statement the text does not spell out: the graph's line
            index = self._read(files[0])
            return Location(files[0], index.first(_spellings(finding.policy, index.prefixes)) or 1)
        return None

    def _find(self, index: _FileIndex, finding: Finding) -> int | None:
        focus = _spellings(finding.focus, index.prefixes)
        if not focus:
            return None
        start = index.subject(focus) or index.first(focus)
        if start is None:
            return None
        named_value = finding.value and finding.value != finding.focus
        value = _spellings(finding.value, index.prefixes) if named_value else []
        if not finding.path:  # a SPARQL finding: the statement that names its value, if any
            return (index.first(value, start) or index.first(value) or start) if value else start
        end = index.block_end(start)
        with_path = index.within(_spellings(finding.path, index.prefixes), start, end)
        with_value = with_path & index.within(value, start, end) if value else with_path
        return min(with_value or with_path or {start})


def _spellings(iri: str, prefixes: dict[str, str]) -> list[str]:
    """How a Turtle file may write an IRI: in full, or as a prefixed name of its prefixes."""
    if not re.match(r"^[a-z][a-z0-9+.-]*:", iri):
        return []
    found = [f"<{iri}>"]
    for prefix, namespace in prefixes.items():
        local = iri[len(namespace) :]
        if namespace and iri.startswith(namespace) and re.fullmatch(r"[\w-]([\w.-]*[\w-])?|", local):
            found.append(f"{prefix}:{local}")
    return found


def add_sources(
    report: ValidationReport,
    store: GraphStore,
    data_dir: Path,
    shapes_dir: Path | None = None,
    fail_on: str = "violation",
    locate: bool = True,
) -> ValidationReport:
    """Give the report what CI formats need: its shapes as rules, each finding's file and line
    (``locate``: each file with findings is read once, about 1 s per 1,000 versions' files)."""
    rows = store.select("SELECT ?v ?f WHERE { ?v pkg:dataFile ?f }").rows
    files = {str(row[0]): str(row[1]) for row in rows}
    report.rules = shape_rules(report.profile, shapes_dir)
    report.locations = locate_all(report, SourceIndex(data_dir, files)) if locate else {}
    report.fail_on = fail_on
    return report


def locate_all(report: ValidationReport, index: SourceIndex) -> dict[Finding, Location]:
    located = {}
    for finding in report.findings:
        where = index.locate(finding)
        if where is not None:
            located[finding] = where
    return located


def _uri(path: Path) -> tuple[str, str | None]:
    """A file as SARIF wants it: relative to the working directory (the repository root in CI)
    when it is under it, else an absolute file URI."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix(), "SRCROOT"
    except ValueError:
        return path.resolve().as_uri(), None


def _rules_for(report: ValidationReport) -> list[ShapeRule]:
    """The report's rules, plus one for any shape a finding names that the rules lack."""
    rules = list(report.rules)
    known = {r.iri for r in rules}
    for f in report.findings:
        if f.shape not in known:
            known.add(f.shape)
            iri = f.shape or "https://w3id.org/policykg/shapes#unnamed"
            rules.append(ShapeRule(iri, iri.rsplit("#", 1)[-1], (f.message,), f.message, f.severity, "", ""))
    return rules


def render_sarif(report: ValidationReport) -> str:
    """SARIF 2.1.0: one run, one rule per shape, one result per finding with its file and line."""
    rules = _rules_for(report)
    index = {rule.iri: n for n, rule in enumerate(rules)}
    results = []
    for f in report.findings:
        rule_index = index[f.shape or "https://w3id.org/policykg/shapes#unnamed"]
        location: dict[str, object] = {
            "logicalLocations": [{"fullyQualifiedName": f.focus, "kind": "object"}],
        }
        where = report.locations.get(f)
        if where is not None:
            uri, base = _uri(where.file)
            artifact = {"uri": uri, **({"uriBaseId": base} if base else {})}
            location["physicalLocation"] = {"artifactLocation": artifact, "region": {"startLine": where.line}}
        fingerprint = hashlib.sha256("\x1f".join([f.shape, f.focus, f.path, f.value, f.message]).encode())
        properties = {
            "policyVersion": f.policy,
            "focusNode": f.focus,
            "resultPath": f.path,
            "value": f.value,
            "sourceConstraintComponent": f.component,
            "article": f.article,
            "draft": f.policy in report.drafts,
        }
        text = f.message + (f" (focus: {f.focus})" if f.focus else "")
        results.append(
            {
                "ruleId": rules[rule_index].rule_id,
                "ruleIndex": rule_index,
                "level": SARIF_LEVEL[f.severity],
                "message": {"text": text},
                "locations": [location],
                "partialFingerprints": {"policykgFinding/v1": fingerprint.hexdigest()},
                "properties": {k: v for k, v in properties.items() if v not in ("", None)},
            }
        )
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "policykg",
                "version": __version__,
                "informationUri": "https://w3id.org/policykg",
                "rules": [_sarif_rule(rule, report.profile) for rule in rules],
            }
        },
        "originalUriBaseIds": {"SRCROOT": {"uri": Path.cwd().resolve().as_uri() + "/"}},
        "results": results,
        "properties": {"profile": report.profile, "asOf": report.as_of.isoformat(), **report.counts()},
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _sarif_rule(rule: ShapeRule, profile: str) -> dict[str, object]:
    summary = rule.messages[0] if rule.messages else rule.name
    tags = [profile, *([rule.article] if rule.article else [])]
    return {
        "id": rule.rule_id,
        "name": rule.rule_id,
        "shortDescription": {"text": rule.name if rule.name != rule.rule_id else summary},
        "fullDescription": {"text": " ".join(rule.messages) or rule.name},
        "messageStrings": {"default": {"text": summary}},
        "help": {"text": rule.help},
        "helpUri": rule.iri if re.match(r"^https?://", rule.iri) else "https://w3id.org/policykg",
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
        "properties": {
            "tags": tags,
            "shape": rule.iri,
            **({"file": f"shapes/{rule.file}"} if rule.file else {}),
        },
    }


def render_junit(report: ValidationReport) -> str:
    """JUnit XML: one test case per shape; findings at or above --fail-on are its failure (with
    every message, file and line), lower ones go to its system-out."""
    rules = _rules_for(report)
    by_shape: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_shape.setdefault(f.shape or "https://w3id.org/policykg/shapes#unnamed", []).append(f)
    floor = SEVERITY_RANK.get(report.fail_on, 99)
    cases, failures = [], 0
    for rule in rules:
        found = by_shape.get(rule.iri, [])
        failing = [f for f in found if SEVERITY_RANK[f.severity] >= floor]
        other = [f for f in found if SEVERITY_RANK[f.severity] < floor]
        classname = f"policykg.{report.profile}.{Path(rule.file).stem or 'shapes'}"
        body = [f"    <testcase classname={quoteattr(classname)} name={quoteattr(rule.rule_id)}>"]
        if failing:
            failures += 1
            first = failing[0].message
            message = first if len(failing) == 1 else f"{len(failing)} findings: {first}"
            lines = "\n".join(_junit_line(f, report) for f in failing)
            body.append(
                f"      <failure message={quoteattr(message)} type={quoteattr(failing[0].severity)}>"
                f"{escape(lines)}</failure>"
            )
        if other:
            lines = "\n".join(_junit_line(f, report) for f in other)
            body.append(f"      <system-out>{escape(lines)}</system-out>")
        body.append("    </testcase>")
        cases.append("\n".join(body))
    name = f"policykg validate --profile {report.profile} --as-of {report.as_of.isoformat()}"
    suite = (
        f'  <testsuite name={quoteattr(name)} tests="{len(rules)}" failures="{failures}" '
        f'errors="0" skipped="0">'
    )
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<testsuites name="policykg" tests="{len(rules)}" failures="{failures}" errors="0">',
            suite,
            *cases,
            "  </testsuite>",
            "</testsuites>",
            "",
        ]
    )


def describe_finding(f: Finding, report: ValidationReport) -> str:
    """One line per finding, as compilers print errors: ``file:line: SEVERITY message [focus]``."""
    where = report.locations.get(f)
    place = f"{_uri(where.file)[0]}:{where.line}: " if where is not None else ""
    draft = " (draft)" if f.policy in report.drafts else ""
    return f"{place}{f.severity.upper()} {f.message} [focus {f.focus}]{draft}"


_junit_line = describe_finding

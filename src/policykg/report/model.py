"""What the report shows, computed once from the store: versions (current or superseded on the
analysis date), the instruments each relies on with their status that day, the compliance
findings with the quotes behind them (one finding per problem), and the diffs between
consecutive versions. The pages (:mod:`policykg.report.pages`) only render this."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

from ..diff import VersionDiff, compare
from ..evidence import find_source, read_source
from ..facts import TRANSFER_RELIED, Fact, Quote, Version, latest_versions, version_facts, versions
from ..instruments import Instrument, InstrumentStatus, load_instruments, status_on
from ..namespaces import DPV, PKG
from ..store import ONTOLOGY_GRAPH, GraphStore
from ..validation import SEVERITY_RANK, Finding, validate_store

ABSENCE = "absence"
"""A finding about something the text does not say: there is no sentence to quote."""


@dataclass
class Reliance:
    """An instrument a version relies on, its status on the analysis date and the quotes."""

    instrument: Instrument
    status: InstrumentStatus
    quotes: list[Quote]


@dataclass
class ReportFinding:
    """A finding as the report shows it: in words, with the quotes behind it."""

    version: Version
    severity: str
    article: str
    text: str
    quotes: list[Quote]
    also: list[str] = field(default_factory=list)
    """Other findings about the same problem, folded into this one (less severe)."""


@dataclass
class VersionView:
    version: Version
    current: bool
    facts: list[Fact]
    reliances: list[Reliance]
    findings: list[ReportFinding]
    source_text: str | None
    source_path: Path | None

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


@dataclass
class ReportModel:
    as_of: date
    instruments: dict[str, Instrument]
    views: list[VersionView]
    diffs: list[VersionDiff]

    def current(self) -> list[VersionView]:
        return [v for v in self.views if v.current]

    def superseded(self) -> list[VersionView]:
        return [v for v in self.views if not v.current]

    def text_of(self, version: Version) -> str | None:
        return next((v.source_text for v in self.views if v.version.iri == version.iri), None)

    def of_vendor(self, vendor: str) -> list[VersionView]:
        return [v for v in self.views if v.version.vendor == vendor]


_QUOTED_FACTS = {
    "Art13-1-c-Shape": (f"{DPV}hasPurpose",),
    "Art13-1-d-Shape": (f"{DPV}hasLegalBasis",),
    "Art13-1-a-contact-Shape": (f"{DPV}hasName",),
    "Art13-1-b-Shape": (f"{PKG}contactStatus", f"{DPV}hasContact"),
}
"""Which statements about the node a finding names show the problem: the purposes stated
without a basis, the legitimate interest left unnamed, the entity without a contact; for other
findings every statement about the node is shown."""
_QUOTED_PLAIN = re.compile(r'"((?:[^"\\]|\\.)+?)"')
_QUOTED_IN_MESSAGE = re.compile(r'"(?P<text>(?:[^"\\]|\\.)+?)" \(at (?P<start>\d+)\)')


def _instrument_by_iri(instruments: dict[str, Instrument]) -> dict[str, Instrument]:
    return {i.iri: i for i in instruments.values()}


def _reliances(facts: list[Fact], by_iri: dict[str, Instrument], on: date) -> list[Reliance]:
    found: dict[str, Reliance] = {}
    for fact in facts:
        instrument = by_iri.get(fact.value_term)
        if fact.aspect != TRANSFER_RELIED or instrument is None:
            continue
        reliance = found.setdefault(instrument.iri, Reliance(instrument, status_on(instrument, on), []))
        reliance.quotes += [q for q in fact.quotes if q not in reliance.quotes]
    for reliance in found.values():
        reliance.quotes.sort()
    return sorted(found.values(), key=lambda r: r.instrument.label)


def _quotes_for(finding: Finding, facts: list[Fact], version: str) -> list[Quote]:
    """The sentences behind a finding: quoted in its message (the contradiction rules name both
    statements with their offsets), else the facts about the node it is about (a process, an
    entity), else the facts whose value it names (an instrument relied upon)."""
    quoted = [
        Quote(int(m["start"]), int(m["start"]) + len(m["text"]), m["text"].replace('\\"', '"'))
        for m in _QUOTED_IN_MESSAGE.finditer(finding.message)
    ]
    if quoted:
        return sorted(set(quoted))
    if "Contradiction" in finding.message:  # statements quoted without offsets: found among the facts' quotes
        by_text = {q.text: q for f in facts for q in f.quotes}
        named = [by_text.get(m.replace('\\"', '"')) for m in _QUOTED_PLAIN.findall(finding.message)]
        return sorted({q for q in named if q is not None})
    value = finding.value
    if value and value != version:
        about_node = [f for f in facts if f.subject_iri == value]
        wanted = _QUOTED_FACTS.get(finding.shape.rsplit("#", 1)[-1], ())
        about_node = [f for f in about_node if f.predicate in wanted] or about_node
        about = [q for f in about_node for q in f.quotes]
        if not about:
            about = [q for f in facts if f.value_term == value for q in f.quotes]
        return sorted(set(about))
    return []


def _instrument_text(vendor: str, reliance: Reliance) -> str:
    status = reliance.status
    event = status.deciding_event
    decided = f". Decided by: {event.cite()}" if event is not None and status.state != "valid" else ""
    return f"{vendor} relies on {reliance.instrument.label}: {status.summary()}{decided}"


def _humanise(message: str, version: Version) -> str:
    """Shape messages name the vendor by its slug ("cloudcall relies on ..."): the report
    names it as readers know it."""
    slug = version.vendor_slug
    return version.vendor_label + message[len(slug) :] if message.startswith(slug + " ") else message


def _report_findings(
    version: Version, findings: list[Finding], facts: list[Fact], reliances: list[Reliance]
) -> list[ReportFinding]:
    """One finding per problem: several instrument rules can fire for one reliance (a version
    that relies on an instrument invalid on the analysis date and was dated after it became
    invalid): they become one finding at the highest severity, the others noted under it. (The
    status rules themselves report only an instrument's decisive status on the date.)"""
    by_instrument = {r.instrument.iri: r for r in reliances}
    shown: list[ReportFinding] = []
    per_instrument: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.value in by_instrument:
            per_instrument[finding.value].append(finding)
            continue
        shown.append(
            ReportFinding(
                version,
                finding.severity,
                finding.article or "data quality",
                _humanise(finding.message, version),
                _quotes_for(finding, facts, version.iri),
            )
        )
    for iri, group in per_instrument.items():
        ranked = sorted(group, key=lambda f: -SEVERITY_RANK[f.severity])
        reliance = by_instrument[iri]
        shown.append(
            ReportFinding(
                version,
                ranked[0].severity,
                ranked[0].article,
                _instrument_text(version.vendor_label, reliance),
                reliance.quotes,
                also=[_humanise(f.message, version) for f in ranked[1:]],
            )
        )
    return sorted(shown, key=lambda f: (-SEVERITY_RANK[f.severity], f.article, f.text))


def _source(store: GraphStore, version: Version, source_dirs: list[Path]) -> tuple[str | None, Path | None]:
    if not version.source_file:
        return None, None
    path = find_source(version.source_file, source_dirs)
    if not path.is_file():
        return None, None
    return read_source(path), path


def build_model(store: GraphStore, as_of: date, source_dirs: list[Path]) -> ReportModel:
    """Everything the report shows, as of ``as_of``: versions dated after it are left out."""
    instruments = load_instruments(store.graph(ONTOLOGY_GRAPH))
    by_iri = _instrument_by_iri(instruments)
    listed = [v for v in versions(store) if v.on is None or v.on <= as_of]
    latest = {v.iri for v in latest_versions(listed, as_of).values()}
    report = validate_store(store, profile="compliance", as_of=as_of)
    findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        findings[finding.policy].append(finding)
    views = []
    for version in listed:
        facts = version_facts(store, version.iri)
        reliances = _reliances(facts, by_iri, as_of)
        shown = _report_findings(version, findings.get(version.iri, []), facts, reliances)
        text, path = _source(store, version, source_dirs)
        views.append(VersionView(version, version.iri in latest, facts, reliances, shown, text, path))
    diffs = []
    by_vendor: dict[str, list[Version]] = defaultdict(list)
    for version in listed:
        by_vendor[version.vendor].append(version)
    facts_of = {view.version.iri: view.facts for view in views}
    for own in by_vendor.values():
        diffs += [compare(a, b, facts_of[a.iri], facts_of[b.iri]) for a, b in pairwise(own)]
    return ReportModel(as_of, instruments, views, diffs)

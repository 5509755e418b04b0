"""The validation report model: findings, their order, counts and grouping. No engine here:
the native engine, the pyshacl reference and the cache all produce and store these."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ci import Location, ShapeRule

SEVERITY_RANK = {"info": 0, "warning": 1, "violation": 2}
SEVERITIES = ("violation", "warning", "info")
"""The severities in the order reports list them."""


@dataclass(frozen=True)
class Finding:
    policy: str
    severity: str
    message: str
    focus: str
    path: str
    value: str
    shape: str
    article: str
    component: str = field(default="", compare=False)
    """The SHACL constraint component the focus node breaks (sh:sourceConstraintComponent, an
    IRI). Not part of equality: pyshacl reports a value that breaks two components twice, the
    native engine once, and the reports compare as the same findings."""

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.policy, -SEVERITY_RANK[self.severity], self.article, self.message, self.focus)


@dataclass
class ValidationReport:
    profile: str
    as_of: date
    findings: list[Finding]
    validated: int = 0
    from_cache: int = 0
    drafts: frozenset[str] = frozenset()
    """Policy versions drafted by `policykg extract` and not yet reviewed: their findings say so."""
    rules: list[ShapeRule] = field(default_factory=list)
    """The profile's shapes as CI rules (SARIF, JUnit); filled by :func:`.ci.add_sources`."""
    locations: dict[Finding, Location] = field(default_factory=dict)
    """Each finding's file and line in the annotations; filled by :func:`.ci.add_sources`."""
    fail_on: str = "violation"
    """The lowest severity that fails the run (JUnit failures)."""

    def heading(self, policy: str) -> str:
        """How a report names a policy version: drafts are marked, so a finding on a draft is
        not read as one on reviewed facts."""
        return (
            f"{policy} (draft: drafted by policykg extract, not reviewed)"
            if policy in self.drafts
            else policy
        )

    def count_at_least(self, level: str) -> int:
        if level == "none":
            return 0
        floor = SEVERITY_RANK[level]
        return sum(1 for f in self.findings if SEVERITY_RANK[f.severity] >= floor)

    def counts(self) -> dict[str, int]:
        """Findings per severity (every severity named, zeros included): one pass over the
        findings, so call it once per report, not once per finding."""
        counted = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            counted[finding.severity] += 1
        return counted

    def summary_line(self) -> str:
        counts = self.counts()
        return f"{counts['violation']} violations, {counts['warning']} warnings, {counts['info']} infos"

    def by_policy_and_article(self) -> dict[str, dict[str, list[Finding]]]:
        """Findings grouped as the reports show them: per policy version, then per article
        (findings of no article are "data quality"), in the report's order."""
        grouped: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
        for finding in self.findings:
            grouped[finding.policy][finding.article or "data quality"].append(finding)
        return grouped

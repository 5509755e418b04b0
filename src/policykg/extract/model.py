"""What an extraction finds: typed findings, each with its quote, rule and confidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from .text import Span

# How a text presents a transfer mechanism.
RELIED = "relied"
MENTIONED = "mentioned"
DISCLAIMED = "disclaimed"


@dataclass(frozen=True)
class Finding:
    """One drafted statement.

    ``label`` uses the gold vocabulary of ../shared/corpus/gold.yaml where there is one
    (``privacy_shield_eu_us``, ``access``, ``consent``); ``term`` is the CURIE recorded in RDF.
    """

    category: str
    label: str
    quote: Span
    rule: str
    confidence: float
    term: str = ""
    value: str = ""
    status: str = ""
    measure: str = ""


@dataclass(frozen=True)
class PolicyDate:
    iso: str  # YYYY-MM-DD, or YYYY-MM when only the month is stated
    kind: str  # pkg:LastUpdated, pkg:Effective, pkg:DateOfVersion
    notation: str
    quote: Span
    rule: str
    confidence: float

    @property
    def month_only(self) -> bool:
        return len(self.iso) == 7


@dataclass(frozen=True)
class Entity:
    """A controller legal entity as the text names it."""

    name: str
    quote: Span
    rule: str
    confidence: float
    country: str = ""
    country_quote: Span | None = None
    address: Span | None = None
    registration: Span | None = None


@dataclass
class Extraction:
    date: PolicyDate | None = None
    controllers: list[Entity] = field(default_factory=list)
    processor_role: Finding | None = None
    transfers: list[Finding] = field(default_factory=list)
    legal_bases: list[Finding] = field(default_factory=list)
    rights: list[Finding] = field(default_factory=list)
    emails: list[Finding] = field(default_factory=list)
    retention: list[Finding] = field(default_factory=list)
    disputes: list[Finding] = field(default_factory=list)
    negatives: list[Finding] = field(default_factory=list)
    recipients: list[Finding] = field(default_factory=list)
    purposes: list[Finding] = field(default_factory=list)
    personal_data: list[Finding] = field(default_factory=list)
    language: str = "en"

    def quotes(self) -> list[Span]:
        """Every span of the text this extraction quotes (what the evidence check will verify)."""
        findings = [
            *self.transfers, *self.legal_bases, *self.rights, *self.emails, *self.retention,
            *self.disputes, *self.purposes, *self.personal_data, *self.negatives, *self.recipients,
        ]  # fmt: skip
        if self.processor_role is not None:
            findings.append(self.processor_role)
        spans = [f.quote for f in findings]
        if self.date is not None:
            spans.append(self.date.quote)
        for e in self.controllers:
            spans += [s for s in (e.quote, e.country_quote, e.address, e.registration) if s is not None]
        return spans

    def transfer_labels(self, status: str = RELIED) -> set[str]:
        return {f.label for f in self.transfers if f.status == status}

    def fact_count(self) -> int:
        singles = int(self.date is not None) + int(self.processor_role is not None)
        lists = (
            self.transfers,
            self.legal_bases,
            self.rights,
            self.emails,
            self.retention,
            self.disputes,
            self.negatives,
            self.recipients,
            self.purposes,
            self.personal_data,
        )
        return singles + len(self.controllers) + sum(len(x) for x in lists)

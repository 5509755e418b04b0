"""A synthetic corpus in the project's own data model, with planted answers.

Vendors publish several policy versions between 2014 and 2026; each version relies on the
transfer instruments of its era (Safe Harbor, Privacy Shield, the SCC decisions, the DPF), and a
known share of vendors keeps citing Privacy Shield after Schrems II: the planted answer of the
headline query. Every fact has an evidence node whose quote sits at its offsets in a generated
source text, so the corpus passes the same checks as the real one.

Versions also carry negative and limiting statements as the shipped annotations model them ("we do
not sell your personal data", "we do not collect ...", "we never share ... with third parties",
"used only by ...", "only for these purposes", "only of these data subjects", data "kept
indefinitely"), a planted share of which contradicts the version's own facts: the contradiction
rules of shapes/consistency.ttl then have work at scale, and ``bench/planted.py`` knows what
they must find.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, XSD

from ..evidence import CONTEXT_CHARS, _slug, local_name
from ..namespaces import DCT, DPV, EU_GDPR, LOC, OA, PD, PKG, policy_iri, vendor_iri
from ..rdfio import make_folder, write_atomic

PURPOSES = [
    DPV.ServiceProvision,
    DPV.CustomerCare,
    DPV.DirectMarketing,
    DPV.ServiceUsageAnalytics,
    DPV.FraudPreventionAndDetection,
    DPV.LegalCompliance,
    DPV.RecruitmentManagement,
    DPV.ImproveExistingProductsAndServices,
    DPV.PaymentManagement,
    DPV.AccountManagement,
]
DATA = [
    PD.Name,
    PD.EmailAddress,
    PD.TelephoneNumber,
    PD.IPAddress,
    PD.PhysicalAddress,
    PD.Financial,
    PD.BrowsingBehaviour,
    PD.ServiceConsumptionBehaviour,
    PD.CallLog,
    PD.VoiceCommunicationRecording,
]
BASES = [EU_GDPR["A6-1-a"], EU_GDPR["A6-1-b-contract-performance"], EU_GDPR["A6-1-c"], EU_GDPR["A6-1-f"]]
SUBJECTS = [DPV.Customer, DPV.User, PKG.CustomerUser, DPV.JobApplicant, DPV.Visitor]
RIGHTS = ["A15", "A16", "A17", "A18", "A20", "A21", "A7-3", "A77"]
START, END = date(2014, 1, 1), date(2026, 11, 1)
SCHREMS_II = date(2020, 7, 16)


def era_instruments(day: date) -> list[str]:
    """The instruments a policy of this date would normally rely on (the real timeline)."""
    if day < date(2015, 10, 6):
        return ["EU-US-SafeHarbor"]
    if day < date(2016, 7, 12):
        return ["SCC-2010-87"]
    if day < SCHREMS_II:
        return ["EU-US-PrivacyShield", "Swiss-US-PrivacyShield"]
    if day < date(2021, 9, 27):
        return ["SCC-2010-87"]
    if day < date(2023, 7, 10):
        return ["SCC-2021-914"]
    return ["EU-US-DataPrivacyFramework", "UK-Extension-DPF"]


@dataclass(frozen=True)
class Statements:
    """The negative and limiting statements of a version (all empty: none; see _statements)."""

    no_sale: bool = False  # "We do not sell your personal data" (pkg:deniedPurpose)
    not_collected: str = ""  # personal data the text says is not collected (IRI)
    no_sharing: bool = False  # "We never share ... with third parties, unless you consent"
    partner: str = ""  # a third party receiving Process 0's data, "" when none
    only_by: str = ""  # "used only by" the vendor: "vendor", or "vendor+providers" (its processors too)
    only_purposes: list[str] = field(default_factory=list)  # "only for" these purposes (IRIs)
    only_subjects: list[str] = field(default_factory=list)  # "only of" these data subjects (IRIs)
    kept_indefinitely: bool = False  # backups kept indefinitely, beside "as long as the contract lasts"


@dataclass(frozen=True)
class PlannedVersion:
    """One generated version: what its text states, to check query answers without SPARQL."""

    day: date
    instruments: list[str]
    rights: list[str] = field(default_factory=list)  # eu-gdpr article fragments, e.g. "A15"
    processes: list[list[str]] = field(default_factory=list)  # [purpose, data, basis, subject] IRIs
    processor: str = ""  # name of the hosting provider named as processor, "" when none
    statements: Statements = field(default_factory=Statements)


@dataclass
class Plan:
    """What was generated, so that answers can be checked without SPARQL."""

    versions: dict[str, list[PlannedVersion]] = field(default_factory=dict)  # vendor -> versions

    def latest_on(self, vendor: str, day: date) -> PlannedVersion | None:
        candidates = [v for v in self.versions[vendor] if v.day <= day]
        return max(candidates, key=lambda v: v.day) if candidates else None

    def vendors_citing(self, family_members: AbstractSet[str], day: date) -> set[str]:
        found = set()
        for vendor in self.versions:
            latest = self.latest_on(vendor, day)
            if latest and family_members & set(latest.instruments):
                found.add(vendor)
        return found

    def to_json(self) -> str:
        return json.dumps(
            {
                vendor: [
                    {
                        "date": v.day.isoformat(),
                        "instruments": v.instruments,
                        "rights": v.rights,
                        "processes": v.processes,
                        "processor": v.processor,
                    }
                    | ({"statements": asdict(v.statements)} if v.statements != Statements() else {})
                    for v in versions
                ]
                for vendor, versions in self.versions.items()
            },
            indent=1,
        )


def _random_date(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange((END - START).days))


class _Quads:
    """One version's N-Quads, written as text: the same triples and evidence IRIs as
    :class:`policykg.evidence.Annotator` builds, without an rdflib Graph (building and
    serialising Graphs took 90% of ``synth``: 12 minutes for 10,000 policies). Lines come in
    the order they are made, so a seed gives the same bytes in every run."""

    def __init__(self, version: str, text: str) -> None:
        self.version = version
        self.text = text
        self.graph = f" <{version}> .\n"
        self.chunks: list[str] = []
        self.evidence: set[str] = set()

    def iri(self, kind: str, slug: str) -> str:
        return f"{self.version}/{kind}/{slug}"

    def add(self, s: str, p: str, o: str) -> None:
        """A statement without evidence; ``o`` in N-Triples form (see :func:`_iri`, :func:`_lit`)."""
        self.chunks.append(f"<{s}> <{p}> {o}{self.graph}")

    def fact(self, s: str, p: str, o: str, o_name: str, quote: str, after: str | None = None) -> None:
        """The fact and its evidence node (``o_name``: the object's IRI or lexical form); the
        quote is located as :func:`policykg.evidence.locate` does."""
        text = self.text
        start = text.find(quote, text.find(after) if after is not None else 0)
        if start < 0:
            raise ValueError(f"quote not found: {quote!r}")
        end = start + len(quote)
        value = _local(o_name) if o.startswith("<") else o_name
        base = f"{_local(s)}--{_local(p)}--{_slug(value)}"
        ev, n = self.iri("evidence", base), 2
        while ev in self.evidence:
            ev, n = self.iri("evidence", f"{base}-{n}"), n + 1
        self.evidence.add(ev)
        g = self.graph
        e = f"<{ev}> "
        q = f"<{ev}#quote>"
        pos = f"<{ev}#position>"
        prefix = _lit(text[max(0, start - CONTEXT_CHARS) : start])
        suffix = _lit(text[end : end + CONTEXT_CHARS])
        self.chunks.append(
            f"<{s}> <{p}> {o}{g}"
            f"{e}{_TYPE} {_EVIDENCE}{g}{e}{_HAS_SOURCE} <{self.version}>{g}"
            f"{e}{_FACT_SUBJECT} <{s}>{g}{e}{_FACT_PROPERTY} <{p}>{g}{e}{_FACT_VALUE} {o}{g}"
            f"{e}{_HAS_SELECTOR} {q}{g}{e}{_HAS_SELECTOR} {pos}{g}"
            f"{q} {_TYPE} {_QUOTE_SELECTOR}{g}{q} {_EXACT} {_lit(quote)}{g}"
            f"{q} {_PREFIX} {prefix}{g}{q} {_SUFFIX} {suffix}{g}"
            f"{pos} {_TYPE} {_POSITION_SELECTOR}{g}"
            f'{pos} {_START} "{start}"^^{_INTEGER}{g}{pos} {_END} "{end}"^^{_INTEGER}{g}'
        )

    def nquads(self) -> str:
        """The lines, and the empty last line rdflib's serialiser wrote."""
        return "".join(self.chunks) + "\n"


_PROCESS_FACTS = (
    str(DPV.hasPurpose),
    str(DPV.hasPersonalData),
    str(DPV.hasLegalBasis),
    str(DPV.hasDataSubject),
)
_LEGITIMATE_INTEREST, _LEGITIMATE_INTEREST_TEXT = str(EU_GDPR["A6-1-f"]), str(PKG.legitimateInterest)
_RDF_TYPE, _RDFS_LABEL, _PROCESS = str(RDF.type), str(RDFS.label), f"<{DPV.Process}>"
_HAS_PROCESS, _HAS_DATA_CONTROLLER = str(DPV.hasProcess), str(DPV.hasDataController)
_TYPE, _INTEGER = f"<{RDF.type}>", f"<{XSD.integer}>"
_EVIDENCE, _HAS_SOURCE, _HAS_SELECTOR = f"<{PKG.Evidence}>", f"<{OA.hasSource}>", f"<{OA.hasSelector}>"
_FACT_SUBJECT, _FACT_PROPERTY, _FACT_VALUE = (
    f"<{PKG.factSubject}>",
    f"<{PKG.factProperty}>",
    f"<{PKG.factValue}>",
)
_QUOTE_SELECTOR, _POSITION_SELECTOR = f"<{OA.TextQuoteSelector}>", f"<{OA.TextPositionSelector}>"
_EXACT, _PREFIX, _SUFFIX = f"<{OA.exact}>", f"<{OA.prefix}>", f"<{OA.suffix}>"
_START, _END = f"<{OA.start}>", f"<{OA.end}>"


@cache
def _local(iri: str) -> str:
    return local_name(URIRef(iri))


def _write(path: Path, text: str) -> None:
    """Plainly: an fsync, a temporary file and a rename per file took most of a minute for
    20,000 files. plan.json, removed first and written last (atomically), marks a whole corpus."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, datatype: str = "") -> str:
    """A literal as rdflib's N-Quads serialiser writes it."""
    quoted = text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    return f'"{quoted}"^^<{datatype}>' if datatype else f'"{quoted}"'


def _statements(
    rng: random.Random, plan: list[tuple[URIRef, URIRef, URIRef, URIRef, list[str]]]
) -> Statements:
    """Which negative and limiting statements a version makes, about as often as the shipped
    policies make them (a sale denied in about a third of them, the others rarer), and a planted
    share of them contradicted by the version's own facts: data said not to be collected that a
    process collects, a third party receiving data after "we never share", recipients, purposes
    and data subjects outside an "only" statement, data kept indefinitely and for the contract."""
    purposes = sorted({str(step[0]) for step in plan})
    data = sorted({str(step[1]) for step in plan})
    subjects = sorted({str(step[3]) for step in plan})
    no_sale = rng.random() < 0.35
    not_collected = ""
    if rng.random() < 0.2:
        others = [str(d) for d in DATA if str(d) not in data]
        not_collected = rng.choice(data if rng.random() < 0.3 or not others else others)
    no_sharing = rng.random() < 0.15
    partner = f"Adnet {rng.randint(1, 9)} Inc" if plan and rng.random() < (0.3 if no_sharing else 0.1) else ""
    only_by = rng.choice(("vendor", "vendor+providers")) if rng.random() < 0.15 else ""
    return Statements(
        no_sale,
        not_collected,
        no_sharing,
        partner,
        only_by,
        _only(rng, purposes, [str(x) for x in PURPOSES], 0.15),
        _only(rng, subjects, [str(x) for x in SUBJECTS], 0.08),
        rng.random() < 0.05,
    )


def _only(rng: random.Random, stated: list[str], pool: list[str], share: float) -> list[str]:
    """The terms of an "only these" statement, made with probability ``share``: the terms the
    version states, or (a planted contradiction, three times in ten) all of them but one, or a
    term it does not state when it states only one."""
    if not stated or rng.random() >= share:
        return []
    if rng.random() >= 0.3:
        return stated
    if len(stated) > 1:
        dropped = rng.choice(stated)
        return [t for t in stated if t != dropped]
    return [rng.choice([t for t in pool if t not in stated])]


def _sentences(st: Statements, label: str) -> list[str]:
    """The text of the statements, one sentence each (their quotes: see _statement_facts)."""
    out = []
    if st.no_sale:
        out.append("We do not sell your personal data.")
    if st.not_collected:
        out.append(f"We do not collect data {_local(st.not_collected)}.")
    if st.no_sharing:
        out.append("We never share your personal data with third parties, unless you consent.")
    if st.partner:
        out.append(f"Data of Process 0 goes to our partner {st.partner}.")
    if st.only_by:
        providers = " and its service providers" if st.only_by == "vendor+providers" else ""
        out.append(f"Your personal data is used only by {label}{providers}.")
    if st.only_purposes:
        out.append("We use personal data only for " + ", ".join(_local(t) for t in st.only_purposes) + ".")
    if st.only_subjects:
        out.append("We process personal data only of " + ", ".join(_local(t) for t in st.only_subjects) + ".")
    if st.kept_indefinitely:
        out.append("Backups are kept indefinitely.")
    return out


def _node(a: _Quads, kind: str, slug: str, cls: URIRef, link: URIRef, label: str) -> str:
    n = a.iri(kind, slug)
    a.add(n, _RDF_TYPE, _iri(cls))
    a.add(n, _RDFS_LABEL, _lit(label))
    a.add(a.version, link, _iri(n))
    return n


def _category(a: _Quads, slug: str, cls: URIRef, label: str) -> str:
    r = a.iri("recipient", slug)
    a.add(r, _RDF_TYPE, _iri(cls))
    a.add(r, _RDF_TYPE, _iri(PKG.EntityCategory))
    a.add(r, _RDFS_LABEL, _lit(label))
    return r


def _statement_facts(a: _Quads, st: Statements, org: str, label: str) -> None:
    """The statements as the shipped annotations model them (pkg:NegativeStatement and
    pkg:LimitingStatement nodes linked from the version, each property a fact with evidence)."""
    neg, lim = PKG.NegativeStatement, PKG.LimitingStatement
    if st.no_sale:
        quote = "We do not sell your personal data"
        n = _node(a, "negative", "no-sale", neg, PKG.hasNegativeStatement, quote)
        a.fact(n, PKG.deniedPurpose, _iri(DPV.SellDataToThirdParties), DPV.SellDataToThirdParties, quote)
    if st.not_collected:
        quote = f"We do not collect data {_local(st.not_collected)}"
        n = _node(a, "negative", "not-collected", neg, PKG.hasNegativeStatement, quote)
        a.fact(n, PKG.deniedProcessing, _iri(DPV.Collect), DPV.Collect, quote)
        a.fact(n, PKG.deniedPersonalData, _iri(st.not_collected), st.not_collected, quote)
    if st.no_sharing:
        quote = "We never share your personal data with third parties"
        n = _node(a, "negative", "no-sharing", neg, PKG.hasNegativeStatement, quote)
        cat = _category(a, "third-parties", DPV.ThirdParty, "third parties")
        a.fact(n, PKG.deniedRecipient, _iri(cat), cat, quote)
        a.fact(n, PKG.exceptLegalBasis, _iri(DPV.Consent), DPV.Consent, "unless you consent")
    if st.partner:
        partner = f"{org.rsplit('/org/', 1)[0]}/org/{st.partner.lower().replace(' ', '-')}"
        a.add(partner, _RDF_TYPE, _iri(DPV.ThirdParty))
        a.fact(partner, DPV.hasName, _lit(st.partner), st.partner, st.partner, after="our partner")
        a.fact(
            a.iri("process", "p0"),
            DPV.hasRecipientThirdParty,
            _iri(partner),
            partner,
            f"partner {st.partner}",
        )
    if st.only_by:
        # one sentence, one quote for both recipients (as annotators quote "only by Acme and its
        # agents"): the rule reports one finding per quote
        providers = st.only_by == "vendor+providers"
        quote = f"Your personal data is used only by {label}" + (
            " and its service providers" if providers else ""
        )
        n = _node(a, "limiting", "only-by", lim, PKG.hasLimitingStatement, quote)
        a.fact(n, PKG.onlyRecipient, _iri(org), org, quote)
        if providers:
            category = _category(a, "service-providers", DPV.DataProcessor, "service providers")
            a.fact(n, PKG.onlyRecipient, _iri(category), category, quote)
    for kind, prop, terms in (
        ("only-purposes", PKG.onlyPurpose, st.only_purposes),
        ("only-subjects", PKG.onlyDataSubject, st.only_subjects),
    ):
        if terms:
            start = (
                "We use personal data only for"
                if kind == "only-purposes"
                else "We process personal data only of"
            )
            quote = start + " " + ", ".join(_local(t) for t in terms)
            n = _node(a, "limiting", kind, lim, PKG.hasLimitingStatement, quote)
            for term in terms:
                a.fact(n, prop, _iri(term), term, quote)
    if st.kept_indefinitely:
        backups = a.iri("retention", "backups")
        a.add(backups, _RDF_TYPE, _iri(DPV.StorageDuration))
        a.add(backups, DPV.hasDuration, _iri(DPV.EndlessDuration))
        a.fact(a.version, DPV.hasStorageCondition, _iri(backups), backups, "kept indefinitely")


def _policy_text_and_quads(
    vendor: str,
    label: str,
    day: date,
    instruments: list[str],
    processes: int,
    rng: random.Random,
    statements_rng: random.Random | None = None,
) -> tuple[str, _Quads, PlannedVersion]:
    """One version; ``statements_rng`` (its own generator, so that the other draws are those of
    earlier corpora) decides its negative and limiting statements, None: none."""
    version = policy_iri(vendor, day.isoformat())
    sentences = [f"{label} privacy policy. Last updated: {day.isoformat()}."]
    plan = []
    for i in range(processes):
        purpose, data, basis, subject = (
            rng.choice(PURPOSES),
            rng.choice(DATA),
            rng.choice(BASES),
            rng.choice(SUBJECTS),
        )
        words = [
            f"purpose {purpose.fragment}",
            f"data {data.split('#')[1]}",
            f"basis {basis.split('#')[1]}",
            f"subject {subject.fragment}",
        ]
        sentences.append(f"Process {i}: " + "; ".join(words) + ".")
        plan.append((purpose, data, basis, subject, words))
    for instrument in instruments:
        sentences.append(f"Transfers to the United States rely on {instrument}.")
    # planted answers: some versions leave out rights, some name a hosting provider as processor
    rights = [r for r in RIGHTS if rng.random() > 0.08]
    processor = f"Hosting {rng.randint(1, 9)} Inc" if rng.random() < 0.4 else ""
    if processor:
        sentences.append(f"Our hosting provider {processor} processes data for us.")
    sentences.append("Rights: " + ", ".join(f"right {r}" for r in rights) + ".")
    sentences.append("We keep data for as long as the contract lasts.")
    statements = _statements(statements_rng, plan) if statements_rng else Statements()
    sentences += _sentences(statements, label)
    text = "\n".join(sentences) + "\n"
    a = _Quads(version, text)
    org = f"{version.rsplit('/policy/', 1)[0]}/org/{vendor}"
    a.add(version, RDF.type, _iri(PKG.PolicyVersion))
    a.add(version, PKG.vendor, _iri(vendor_iri(vendor)))
    a.add(version, DCT.title, _lit(f"{label} privacy policy"))
    a.add(version, DCT.language, _lit("en"))
    a.add(version, PKG.sourceFile, _lit(f"{vendor}-{day.isoformat()}.txt"))
    a.add(version, PKG.sourceSha256, _lit(hashlib.sha256(text.encode()).hexdigest()))
    a.add(version, PKG.dateKind, _iri(PKG.LastUpdated))
    a.add(version, PKG.dateNotation, _lit("ISO"))
    a.fact(version, PKG.statedDate, _lit(day.isoformat(), XSD.date), day.isoformat(), day.isoformat())
    a.add(org, RDF.type, _iri(DPV.Organisation))
    a.fact(version, DPV.hasDataController, _iri(org), org, label)
    a.fact(org, DPV.hasName, _lit(label), label, label)
    for i, (purpose, data, basis, subject, words) in enumerate(plan):
        anchor = f"Process {i}:"
        p = a.iri("process", f"p{i}")
        a.add(p, _RDF_TYPE, _PROCESS)
        a.add(p, _RDFS_LABEL, _lit(f"Process {i}"))
        a.add(version, _HAS_PROCESS, _iri(p))
        a.fact(p, _HAS_DATA_CONTROLLER, _iri(org), org, label)
        for prop, value, quote in zip(_PROCESS_FACTS, (purpose, data, basis, subject), words, strict=True):
            a.fact(p, prop, _iri(value), value, quote, after=anchor)
        if str(basis) == _LEGITIMATE_INTEREST:
            a.fact(p, _LEGITIMATE_INTEREST_TEXT, _lit(words[0]), words[0], words[0], after=anchor)
    t = a.iri("process", "transfer")
    a.add(t, RDF.type, _iri(DPV.Process))
    a.add(t, RDFS.label, _lit("Transfers to the United States"))
    a.add(t, DPV.hasProcessing, _iri(DPV.CrossBorderTransfer))
    a.add(version, DPV.hasProcess, _iri(t))
    a.fact(t, DPV.hasDataExporter, _iri(org), org, label)
    a.fact(t, DPV.hasThirdCountry, _iri(LOC.US), LOC.US, "the United States")
    for instrument in instruments:
        prop = DPV.hasOrganisationalMeasure if instrument.startswith("SCC") else DPV.hasLegalBasis
        a.fact(t, prop, _iri(PKG[instrument]), PKG[instrument], instrument)
    for right in rights:
        a.fact(version, DPV.hasRight, _iri(EU_GDPR[right]), EU_GDPR[right], f"right {right}")
    if processor:
        hosting = f"{version.rsplit('/policy/', 1)[0]}/org/{processor.lower().replace(' ', '-')}"
        a.add(hosting, RDF.type, _iri(DPV.DataProcessor))
        a.fact(hosting, DPV.hasName, _lit(processor), processor, processor)
        a.fact(version, DPV.hasDataProcessor, _iri(hosting), hosting, f"hosting provider {processor}")
    retention = a.iri("retention", "contract")
    a.add(retention, RDF.type, _iri(DPV.StorageDuration))
    a.add(retention, DPV.hasDuration, _iri(DPV.UntilEventDuration))
    a.fact(version, DPV.hasStorageCondition, _iri(retention), retention, "as long as the contract lasts")
    _statement_facts(a, statements, org, label)
    planned = PlannedVersion(
        day, instruments, rights, [[str(x) for x in step[:4]] for step in plan], processor, statements
    )
    return text, a, planned


def generate(
    policies: int,
    seed: int,
    out: Path,
    processes: tuple[int, int] = (10, 30),
    stale_share: float = 0.15,
    statements: bool = True,
) -> Plan:
    """Write ``policies`` versions (TriG-free: one N-Quads file each), their source texts, a
    catalogue and plan.json with the planted answers. ``statements=False`` leaves out the
    negative and limiting statements: the corpora of earlier generators, byte for byte."""
    rng = random.Random(seed)
    plan = Plan()
    data_dir, sources = out / "data", out / "sources"
    make_folder(data_dir)
    make_folder(sources)
    (out / "plan.json").unlink(missing_ok=True)  # written last: its presence marks a whole corpus
    catalogue = [
        "@prefix pkg: <https://w3id.org/policykg#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    made = 0
    vendor_no = 0
    while made < policies:
        vendor_no += 1
        vendor = f"vendor-{vendor_no:05d}"
        label = f"Vendor {vendor_no:05d} Ltd"
        count = min(rng.randint(1, 5), policies - made)
        days = sorted({_random_date(rng) for _ in range(count)})
        stale = rng.random() < stale_share  # keeps citing Privacy Shield after Schrems II
        versions = []
        catalogue.append(
            f'<{vendor_iri(vendor)}> a pkg:Vendor ; rdfs:label "{label}" ; pkg:slug "{vendor}" .'
        )
        for day in days:
            instruments = era_instruments(day)
            if stale and day >= SCHREMS_II:
                instruments = ["EU-US-PrivacyShield"]
            own = random.Random(f"{seed}/{vendor}/{day.isoformat()}") if statements else None
            text, quads, planned = _policy_text_and_quads(
                vendor, label, day, instruments, rng.randint(*processes), rng, own
            )
            name = f"{vendor}-{day.isoformat()}"
            _write(sources / f"{name}.txt", text)
            _write(data_dir / f"{name}.nq", quads.nquads())
            catalogue.append(
                f"<{quads.version}> a pkg:PolicyVersion ; pkg:vendor <{vendor_iri(vendor)}> ; "
                f'pkg:dataFile "{name}.nq" .'
            )
            versions.append(planned)
            made += 1
        plan.versions[vendor] = versions
    write_atomic(data_dir / "catalogue.ttl", "\n".join(catalogue) + "\n")
    write_atomic(out / "plan.json", plan.to_json())
    return plan


def load_plan(path: Path) -> Plan:
    raw = json.loads(path.read_text(encoding="utf-8"))
    plan = Plan()
    for vendor, versions in raw.items():
        plan.versions[vendor] = [
            PlannedVersion(date.fromisoformat(v[0]), list(v[1]))  # plan.json of an older synth
            if isinstance(v, list)
            else PlannedVersion(
                date.fromisoformat(v["date"]),
                v["instruments"],
                v["rights"],
                v["processes"],
                v["processor"],
                Statements(**v.get("statements", {})),
            )
            for v in versions
        ]
    return plan

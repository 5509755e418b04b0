"""A synthetic corpus in the project's own data model, with planted answers.

Vendors publish several policy versions between 2014 and 2026; each version relies on the
transfer instruments of its era (Safe Harbor, Privacy Shield, the SCC decisions, the DPF), and a
known share of vendors keeps citing Privacy Shield after Schrems II: the planted answer of the
headline query. Every fact has an evidence node whose quote sits at its offsets in a generated
source text, so the corpus passes the same checks as the real one.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from ..evidence import Annotator
from ..namespaces import DCT, DPV, EU_GDPR, LOC, PD, PKG, policy_iri, vendor_iri
from ..rdfio import write_atomic

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
class PlannedVersion:
    """One generated version: what its text states, to check query answers without SPARQL."""

    day: date
    instruments: list[str]
    rights: list[str] = field(default_factory=list)  # eu-gdpr article fragments, e.g. "A15"
    processes: list[list[str]] = field(default_factory=list)  # [purpose, data, basis, subject] IRIs
    processor: str = ""  # name of the hosting provider named as processor, "" when none


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
                    for v in versions
                ]
                for vendor, versions in self.versions.items()
            },
            indent=1,
        )


def _random_date(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange((END - START).days))


def _policy_text_and_graph(
    vendor: str, label: str, day: date, instruments: list[str], processes: int, rng: random.Random
) -> tuple[str, Annotator, PlannedVersion]:
    version = URIRef(policy_iri(vendor, day.isoformat()))
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
    text = "\n".join(sentences) + "\n"
    a = Annotator(version, text)
    org = URIRef(f"{version.rsplit('/policy/', 1)[0]}/org/{vendor}")
    a.add(version, RDF.type, PKG.PolicyVersion)
    a.add(version, PKG.vendor, URIRef(vendor_iri(vendor)))
    a.add(version, DCT.title, Literal(f"{label} privacy policy"))
    a.add(version, DCT.language, Literal("en"))
    a.add(version, PKG.sourceFile, Literal(f"{vendor}-{day.isoformat()}.txt"))
    a.add(version, PKG.sourceSha256, Literal(hashlib.sha256(text.encode()).hexdigest()))
    a.add(version, PKG.dateKind, PKG.LastUpdated)
    a.add(version, PKG.dateNotation, Literal("ISO"))
    a.fact(version, PKG.statedDate, Literal(day.isoformat(), datatype=XSD.date), day.isoformat())
    a.add(org, RDF.type, DPV.Organisation)
    a.fact(version, DPV.hasDataController, org, label)
    a.fact(org, DPV.hasName, Literal(label), label)
    for i, (purpose, data, basis, subject, words) in enumerate(plan):
        anchor = f"Process {i}:"
        p = a.iri("process", f"p{i}")
        a.add(p, RDF.type, DPV.Process)
        a.add(p, RDFS.label, Literal(f"Process {i}"))
        a.add(version, DPV.hasProcess, p)
        a.fact(p, DPV.hasDataController, org, label)
        for prop, value, quote in (
            (DPV.hasPurpose, purpose, words[0]),
            (DPV.hasPersonalData, data, words[1]),
            (DPV.hasLegalBasis, basis, words[2]),
            (DPV.hasDataSubject, subject, words[3]),
        ):
            a.fact(p, prop, value, quote, after=anchor)
        if basis == EU_GDPR["A6-1-f"]:
            a.fact(p, PKG.legitimateInterest, Literal(words[0]), words[0], after=anchor)
    t = a.iri("process", "transfer")
    a.add(t, RDF.type, DPV.Process)
    a.add(t, RDFS.label, Literal("Transfers to the United States"))
    a.add(t, DPV.hasProcessing, DPV.CrossBorderTransfer)
    a.add(version, DPV.hasProcess, t)
    a.fact(t, DPV.hasDataExporter, org, label)
    a.fact(t, DPV.hasThirdCountry, LOC.US, "the United States")
    for instrument in instruments:
        prop = DPV.hasOrganisationalMeasure if instrument.startswith("SCC") else DPV.hasLegalBasis
        a.fact(t, prop, PKG[instrument], instrument)
    for right in rights:
        a.fact(version, DPV.hasRight, EU_GDPR[right], f"right {right}")
    if processor:
        hosting = URIRef(f"{version.rsplit('/policy/', 1)[0]}/org/{processor.lower().replace(' ', '-')}")
        a.add(hosting, RDF.type, DPV.DataProcessor)
        a.fact(hosting, DPV.hasName, Literal(processor), processor)
        a.fact(version, DPV.hasDataProcessor, hosting, f"hosting provider {processor}")
    retention = a.iri("retention", "contract")
    a.add(retention, RDF.type, DPV.StorageDuration)
    a.add(retention, DPV.hasDuration, DPV.UntilEventDuration)
    a.fact(version, DPV.hasStorageCondition, retention, "as long as the contract lasts")
    planned = PlannedVersion(
        day, instruments, rights, [[str(x) for x in step[:4]] for step in plan], processor
    )
    return text, a, planned


def generate(
    policies: int, seed: int, out: Path, processes: tuple[int, int] = (10, 30), stale_share: float = 0.15
) -> Plan:
    """Write ``policies`` versions (TriG-free: one N-Quads file each), their source texts, a
    catalogue and plan.json with the planted answers."""
    rng = random.Random(seed)
    plan = Plan()
    data_dir, sources = out / "data", out / "sources"
    data_dir.mkdir(parents=True, exist_ok=True)
    sources.mkdir(parents=True, exist_ok=True)
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
            text, annotator, planned = _policy_text_and_graph(
                vendor, label, day, instruments, rng.randint(*processes), rng
            )
            name = f"{vendor}-{day.isoformat()}"
            write_atomic(sources / f"{name}.txt", text)
            version = annotator.version
            dataset = Dataset()
            graph = dataset.graph(version)
            for triple in annotator.graph:
                graph.add(triple)
            write_atomic(data_dir / f"{name}.nq", str(dataset.serialize(format="nquads")))
            catalogue.append(
                f"{version.n3()} a pkg:PolicyVersion ; pkg:vendor <{vendor_iri(vendor)}> ; "
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
                date.fromisoformat(v["date"]), v["instruments"], v["rights"], v["processes"], v["processor"]
            )
            for v in versions
        ]
    return plan

"""A draft policy version in the project's data model, from an extraction.

A draft is an ordinary policy version (one named graph, evidence for every fact, a catalogue
entry, its source text and SHA-256) with ``pkg:reviewStatus pkg:Draft`` on the version and, on
each evidence node, the rule that drafted the fact (``pkg:extractionRule``) and a confidence.
``promote`` turns a reviewed draft into ``pkg:Reviewed``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from .. import __version__
from ..errors import BadValueError, InputFileError, PolicyKGError
from ..evidence import Annotator
from ..namespaces import ID, PKG, PREFIXES, bind_prefixes, policy_iri, vendor_iri
from ..rdfio import write_atomic
from .detect import extract_text
from .model import DISCLAIMED, MENTIONED, RELIED, Extraction, Finding
from .rules import Rules, load_rules
from .text import Span, read_policy_text

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
DPV_CLASS = URIRef(f"{PREFIXES['dpv']}")


def check_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise BadValueError("vendor slug", slug, "lower-case letters, digits and hyphens (e.g. 'acme-cloud')")
    return slug


def curie(value: str) -> URIRef:
    """Expand a CURIE of the rule file with the project prefixes."""
    prefix, _, local = value.partition(":")
    if prefix not in PREFIXES or not local:
        raise PolicyKGError(
            f"extraction rules: unknown term {value!r} (expected a CURIE with a project prefix)"
        )
    return URIRef(f"{PREFIXES[prefix]}{local}")


@dataclass(frozen=True)
class Draft:
    version: URIRef
    version_id: str
    vendor: str
    vendor_name: str
    text: str
    sha256: str
    graph: Graph
    extraction: Extraction

    def trig(self) -> str:
        dataset = Dataset()
        bind_prefixes(dataset)
        named = dataset.graph(self.version)
        for triple in self.graph:
            named.add(triple)
        return dataset.serialize(format="trig")

    def catalogue_entry(self, data_file: str) -> str:
        return (
            f"\n<{vendor_iri(self.vendor)}> a pkg:Vendor ;\n"
            f"    rdfs:label {Literal(self.vendor_name).n3()} ; pkg:slug {Literal(self.vendor).n3()} ;\n"
            f"    pkg:policyVersion <{self.version}> .\n"
            f"<{self.version}> a pkg:PolicyVersion ;\n"
            f"    pkg:vendor <{vendor_iri(self.vendor)}> ; pkg:dataFile {Literal(data_file).n3()} .\n"
        )


def version_id(extraction: Extraction, captured: date | None) -> str:
    """The version's slug: its stated date (YYYY-MM when only the month is stated), else
    ``undated-<year>`` of the capture."""
    if extraction.date is not None:
        return extraction.date.iso
    return f"undated-{(captured or date.today()).year}"


class _Builder:
    """Adds facts with evidence; every evidence node names its rule and confidence."""

    def __init__(self, version: URIRef, text: str) -> None:
        self.annotator = Annotator(version, text)
        self.graph = self.annotator.graph
        self.version = version

    def fact(
        self, s: URIRef, p: URIRef, o: URIRef | Literal, quote: Span, rule: str, confidence: float
    ) -> None:
        if (s, p, o) in self.graph:
            return
        ev = self.annotator.fact(s, p, o, quote.text, after=quote.start)
        self.graph.add((ev, PKG.extractionRule, Literal(rule)))
        self.graph.add((ev, PKG.confidence, Literal(f"{confidence:.2f}", datatype=XSD.decimal)))

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))


def build_draft(
    text: str,
    vendor: str,
    vendor_name: str | None = None,
    captured: date | None = None,
    source_file: str | None = None,
    source_url: str | None = None,
    rules: Rules | None = None,
    provenance: str | None = None,
    extraction: Extraction | None = None,
) -> Draft:
    """Extract (unless the caller already did) and build the draft graph; nothing is written."""
    check_slug(vendor)
    rules = rules or load_rules()
    extraction = extraction or extract_text(text, rules)
    vid = version_id(extraction, captured)
    version = URIRef(policy_iri(vendor, vid))
    name = vendor_name or vendor.replace("-", " ").title()
    b = _Builder(version, text)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    _version_node(
        b, extraction, vendor, name, sha, source_file or f"{vendor}/{vid}.txt", captured, source_url
    )
    if provenance:
        b.add(version, DCTERMS.source, Literal(provenance))
    _date(b, extraction, captured)
    entity = _controllers(b, extraction)
    _processor(b, extraction, entity)
    _transfers(b, extraction, entity)
    _version_facts(b, extraction)
    _contacts(b, extraction)
    _retention(b, extraction)
    _disputes(b, extraction)
    _negatives_and_recipients(b, extraction)
    return Draft(version, vid, vendor, name, text, sha, b.graph, extraction)


def _version_node(
    b: _Builder, x: Extraction, vendor: str, name: str, sha: str, source_file: str,
    captured: date | None, source_url: str | None,
) -> None:  # fmt: skip
    v = b.version
    b.add(v, RDF.type, PKG.PolicyVersion)
    b.add(v, PKG.vendor, URIRef(vendor_iri(vendor)))
    b.add(v, DCTERMS.title, Literal(f"{name} privacy policy (draft)"))
    b.add(v, DCTERMS.language, Literal(x.language))
    b.add(v, PKG.sourceFile, Literal(source_file))
    b.add(v, PKG.sourceSha256, Literal(sha))
    b.add(v, PKG.reviewStatus, PKG.Draft)
    rules_sha = hashlib.sha256(load_rules().source.read_bytes()).hexdigest()[:16]
    b.add(v, PKG.extractedWith, Literal(f"policykg {__version__} extract; rules sha256 {rules_sha}"))
    if captured is not None:
        b.add(v, PKG.capturedOn, Literal(captured.isoformat(), datatype=XSD.date))
    if source_url:
        b.add(v, PKG.sourceUrl, Literal(source_url, datatype=XSD.anyURI))


def _date(b: _Builder, x: Extraction, captured: date | None) -> None:
    v = b.version
    d = x.date
    if d is None:
        when = captured or date.today()
        b.add(v, PKG.dateKind, PKG.Undated)
        b.add(v, PKG.estimatedDate, Literal(when.isoformat(), datatype=XSD.date))
        basis = (
            "capture date of the source text" if captured else "date of extraction (no capture date given)"
        )
        b.add(v, PKG.dateEstimateBasis, Literal(f"The text states no date; estimated by the {basis}."))
        return
    day = d.iso if not d.month_only else f"{d.iso}-01"
    b.add(v, PKG.dateKind, curie(d.kind))
    b.add(v, PKG.dateNotation, Literal(d.notation))
    b.fact(v, PKG.statedDate, Literal(day, datatype=XSD.date), d.quote, d.rule, d.confidence)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "entity"


def _controllers(b: _Builder, x: Extraction) -> URIRef:
    """The controller entities; returns the first (the transfers' exporter), or a node for the
    vendor as the text calls itself when no legal entity is named."""
    dpv = curie("dpv:Organisation")
    first: URIRef | None = None
    for e in x.controllers:
        node = URIRef(f"{b.version}/entity/{_slug(e.name)}")
        first = first or node
        b.add(node, RDF.type, dpv)
        b.add(node, RDFS.label, Literal(e.name))
        b.fact(b.version, curie("dpv:hasDataController"), node, e.quote, e.rule, e.confidence)
        b.fact(node, curie("dpv:hasName"), Literal(e.name), e.quote, e.rule, e.confidence)
        if e.country and e.country_quote is not None:
            b.fact(
                node,
                curie("dpv:hasLocation"),
                curie(f"loc:{e.country}"),
                e.country_quote,
                "controller/country",
                0.7,
            )
        if e.address is not None:
            b.fact(
                node, curie("dpv:hasAddress"), Literal(e.address.text), e.address, "controller/address", 0.6
            )
        if e.registration is not None:
            reg = e.registration
            b.fact(node, curie("dpv:hasIdentifier"), Literal(reg.text), reg, "controller/registration", 0.6)
    if first is not None:
        return first
    node = URIRef(f"{b.version}/entity/vendor")
    b.add(node, RDF.type, dpv)
    b.add(node, RDFS.label, Literal("the vendor (the text names no legal entity)"))
    return node


def _processor(b: _Builder, x: Extraction, entity: URIRef) -> None:
    f = x.processor_role
    if f is not None:
        b.fact(b.version, curie("dpv:hasDataProcessor"), entity, f.quote, f.rule, f.confidence)


def _transfers(b: _Builder, x: Extraction, entity: URIRef) -> None:
    relied = [f for f in x.transfers if f.status == RELIED]
    if relied:
        process = URIRef(f"{b.version}/process/international-transfers")
        b.add(process, RDF.type, curie("dpv:Process"))
        b.add(process, RDFS.label, Literal("International transfers (drafted)"))
        b.add(process, curie("dpv:hasProcessing"), curie("dpv:CrossBorderTransfer"))
        b.add(b.version, curie("dpv:hasProcess"), process)
        first = relied[0]
        b.fact(process, curie("dpv:hasDataExporter"), entity, first.quote, "transfer/exporter", 0.6)
        for f in relied:
            if f.term:
                b.fact(process, curie("dpv:hasLegalBasis"), curie(f.term), f.quote, f.rule, f.confidence)
            if f.measure:
                b.fact(
                    process,
                    curie("dpv:hasOrganisationalMeasure"),
                    curie(f.measure),
                    f.quote,
                    f.rule,
                    f.confidence,
                )
    for f in x.transfers:
        if f.status not in (MENTIONED, DISCLAIMED):
            continue
        instrument = _instrument(f)
        if instrument is None:
            continue
        prop = PKG.disclaimsInstrument if f.status == DISCLAIMED else PKG.mentionsInstrument
        b.fact(b.version, prop, instrument, f.quote, f.rule, f.confidence)


def _instrument(f: Finding) -> URIRef | None:
    """The project's instrument for a finding (pkg: terms only: a generic GDPR article is a
    legal basis, never a mentioned instrument)."""
    for value in (f.measure, f.term):
        if value.startswith("pkg:"):
            return curie(value)
    return None


def _version_facts(b: _Builder, x: Extraction) -> None:
    for f in x.legal_bases:
        b.fact(b.version, curie("dpv:hasLegalBasis"), curie(f.term), f.quote, f.rule, f.confidence)
    for f in x.rights:
        b.fact(b.version, curie("dpv:hasRight"), curie(f.term), f.quote, f.rule, f.confidence)
    for f in x.purposes:
        b.fact(b.version, curie("dpv:hasPurpose"), curie(f.term), f.quote, f.rule, f.confidence)
    for f in x.personal_data:
        b.fact(b.version, curie("dpv:hasPersonalData"), curie(f.term), f.quote, f.rule, f.confidence)


def _contacts(b: _Builder, x: Extraction) -> None:
    dpo = URIRef(f"{b.version}/entity/dpo")
    for f in x.emails:
        if f.label == "dpo":
            b.add(dpo, RDF.type, curie("dpv:DataProtectionOfficer"))
            b.add(dpo, RDFS.label, Literal("Data protection officer"))
            b.fact(b.version, curie("dpv:hasDataProtectionOfficer"), dpo, f.quote, f.rule, f.confidence)
            holder = dpo
        else:
            holder = b.version
        if f.status == "hidden":
            b.fact(holder, PKG.contactStatus, PKG.HiddenInCapture, f.quote, f.rule, f.confidence)
        else:
            b.fact(holder, curie("dpv:hasContact"), Literal(f.value), f.quote, f.rule, f.confidence)


def _retention(b: _Builder, x: Extraction) -> None:
    for index, f in enumerate(x.retention, start=1):
        node = URIRef(f"{b.version}/retention/{index}")
        b.add(node, RDF.type, curie("dpv:StorageDuration"))
        b.add(node, RDFS.label, Literal(f.value))
        b.fact(b.version, curie("dpv:hasStorageCondition"), node, f.quote, f.rule, f.confidence)


def _disputes(b: _Builder, x: Extraction) -> None:
    for f in x.disputes:
        node = (
            URIRef(f"{b.version}/entity/{f.label}")
            if f.label == "supervisory-authority"
            else URIRef(f"{ID}org/{f.label}")
        )
        b.add(node, RDF.type, curie(f.term or "dpv:Organisation"))
        b.add(node, RDFS.label, Literal(f.value))
        prop = PKG.hasEnforcementAuthority if f.status == "enforcement" else PKG.hasDisputeResolutionBody
        b.fact(b.version, prop, node, f.quote, f.rule, f.confidence)


def _negatives_and_recipients(b: _Builder, x: Extraction) -> None:
    """What the text says it does not do (pkg:NegativeStatement, which the consistency rules
    hold against the positive facts) and the recipient categories it names."""
    for f in x.recipients:
        node = URIRef(f"{b.version}/recipient/{f.label}")
        b.add(node, RDF.type, curie(f.term))
        b.add(node, RDF.type, PKG.EntityCategory)
        b.add(node, RDFS.label, Literal(f.value))
        b.fact(b.version, curie("dpv:hasRecipientThirdParty"), node, f.quote, f.rule, f.confidence)
    for f in x.negatives:
        node = URIRef(f"{b.version}/negative/{f.label}")
        b.add(node, RDF.type, PKG.NegativeStatement)
        b.add(node, RDFS.label, Literal(f.quote.text))
        b.add(b.version, PKG.hasNegativeStatement, node)
        if f.term.startswith("recipient/"):
            denied = URIRef(f"{b.version}/{f.term}-denied")
            b.add(denied, RDF.type, curie("dpv:ThirdParty"))
            b.add(denied, RDFS.label, Literal("any third party (as the negative statement says)"))
        else:
            denied = curie(f.term)
        b.fact(node, PKG[f.value], denied, f.quote, f.rule, f.confidence)


# --- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    draft: Draft
    graph_file: Path
    text_file: Path
    catalogue: Path | None


def extract_file(
    source: Path,
    vendor: str,
    data_dir: Path,
    output: Path | None = None,
    vendor_name: str | None = None,
    captured: date | None = None,
    source_url: str | None = None,
    provenance: str | None = None,
) -> Written:
    """Extract ``source`` and write the draft: into ``data_dir`` (TriG, stored text, catalogue
    entry) or, with ``output``, to that TriG file with the text beside it (no catalogue change).

    Files are written atomically and the catalogue last, so a failed run changes nothing listed.
    """
    check_slug(vendor)
    text = read_policy_text(source)
    extraction = extract_text(text, load_rules())  # once: it also names the version and its files
    vid = version_id(extraction, captured)
    if output is None:
        graph_file = data_dir / vendor / f"{vid}.trig"
        text_file = data_dir / vendor / f"{vid}.txt"
        source_file = f"{vendor}/{vid}.txt"
    else:
        graph_file = output
        text_file = output.with_suffix(".txt")
        source_file = text_file.name
    draft = build_draft(
        text,
        vendor,
        vendor_name,
        captured,
        source_file,
        source_url,
        provenance=provenance,
        extraction=extraction,
    )
    catalogue = None
    if output is None:
        catalogue = data_dir / "catalogue.ttl"
        if not catalogue.is_file():
            raise InputFileError(catalogue, "catalogue not found (is --data-dir an annotation folder?)")
        current = catalogue.read_text(encoding="utf-8")
        if f"<{draft.version}>" in current:
            raise PolicyKGError(
                f"{catalogue}: {draft.version} is already catalogued; remove it first to extract it again"
            )
    try:
        graph_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputFileError(graph_file.parent, f"cannot create the folder: {err.strerror}") from None
    write_atomic(text_file, draft.text)
    write_atomic(graph_file, draft.trig())
    if catalogue is not None:
        write_atomic(catalogue, _add_to_catalogue(catalogue.read_text(encoding="utf-8"), draft, source_file))
    return Written(draft, graph_file, text_file, catalogue)


def _add_to_catalogue(current: str, draft: Draft, source_file: str) -> str:
    data_file = source_file[: -len(".txt")] + ".trig"
    vendor = f"<{vendor_iri(draft.vendor)}>"
    entry = draft.catalogue_entry(data_file)
    if f"{vendor} a pkg:Vendor" in current or f"vendor:{draft.vendor} a pkg:Vendor" in current:
        # the vendor is known: add only the version
        entry = entry.split(" .\n", 1)[1]
        entry = f"\n{vendor} pkg:policyVersion <{draft.version}> .\n" + entry
    return current.rstrip("\n") + "\n" + entry


# --- promotion --------------------------------------------------------------------------------


def promote(graph_file: Path, reviewer: str, on: date | None = None) -> URIRef:
    """Mark a reviewed draft as reviewed (the TriG is rewritten atomically)."""
    from ..rdfio import parse_into

    dataset = Dataset()
    bind_prefixes(dataset)
    parse_into(dataset, graph_file, fmt="trig")
    versions = [g.identifier for g in dataset.graphs() if (g.identifier, RDF.type, PKG.PolicyVersion) in g]
    if len(versions) != 1:
        raise InputFileError(graph_file, f"expected one policy version graph, found {len(versions)}")
    version = URIRef(str(versions[0]))
    graph = dataset.graph(version)
    if (version, PKG.reviewStatus, PKG.Draft) not in graph:
        raise PolicyKGError(f"{graph_file}: {version} is not a draft")
    graph.remove((version, PKG.reviewStatus, PKG.Draft))
    graph.add((version, PKG.reviewStatus, PKG.Reviewed))
    graph.add((version, PKG.reviewedBy, Literal(reviewer)))
    graph.add((version, PKG.reviewedOn, Literal((on or date.today()).isoformat(), datatype=XSD.date)))
    write_atomic(graph_file, dataset.serialize(format="trig"))
    return version

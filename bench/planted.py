"""The planted answer of every named query on a synthetic corpus, computed from its plan.json.

``policykg synth`` records what each generated version states (a
:class:`~policykg.synthetic.corpus.Plan`).
From that record alone, without SPARQL, this module derives the rows each named query must
return, so that the tests (80 policies, both engines) and the benchmark (10,000 policies, the
store) check answers, not only timings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from policykg.instruments import ValidityEvent
from policykg.namespaces import DPV, EU_GDPR, policy_iri
from policykg.synthetic.corpus import RIGHTS, Plan, PlannedVersion

PRIVACY_SHIELD = frozenset({"EU-US-PrivacyShield", "Swiss-US-PrivacyShield"})


@dataclass(frozen=True)
class Planted:
    """What a named query must return: its parameters, the result columns compared (by
    position), and the rows of those columns; or, where rows are not worth spelling out (the
    audit trail), only how many rows."""

    params: dict[str, str]
    columns: Sequence[int] = ()
    rows: frozenset[tuple[str, ...]] = field(default_factory=frozenset)
    count: int | None = None

    def mismatch(self, result_rows: Sequence[Sequence[object]]) -> str | None:
        """None when ``result_rows`` are the planted answer, else a short account of the
        difference (for a test message or a benchmark column)."""
        if self.count is not None:
            found = len(result_rows)
            return None if found == self.count else f"{found} rows, planted {self.count}"
        got = {tuple("" if r[c] is None else str(r[c]) for c in self.columns) for r in result_rows}
        if got == self.rows:
            return None
        extra, missing = len(got - self.rows), len(self.rows - got)
        return f"{extra} unexpected, {missing} missing of {len(self.rows)} planted"


def vendor_label(vendor: str) -> str:
    """The label synth gives a vendor slug (vendor-00042 -> Vendor 00042 Ltd)."""
    return f"Vendor {vendor.split('-')[1]} Ltd"


def versions(plan: Plan) -> list[tuple[str, str, PlannedVersion]]:
    """Every planned version as (vendor slug, version IRI, what it states)."""
    return [
        (vendor, policy_iri(vendor, v.day.isoformat()), v) for vendor, vs in plan.versions.items() for v in vs
    ]


def audit_trail_size(v: PlannedVersion) -> int:
    """How many evidenced facts synth writes for a version (see policykg.synth)."""
    per_process = sum(5 + (p[2].endswith("A6-1-f")) for p in v.processes)
    st = v.statements
    statements = (
        st.no_sale
        + 2 * bool(st.not_collected)
        + 2 * st.no_sharing
        + 2 * bool(st.partner)
        + (st.only_by != "") * (1 + (st.only_by == "vendor+providers"))
        + len(st.only_purposes)
        + len(st.only_subjects)
        + st.kept_indefinitely
    )
    return (
        3 + per_process + 2 + len(v.instruments) + len(v.rights) + 1 + (2 if v.processor else 0) + statements
    )


@cache
def _broader() -> dict[str, frozenset[str]]:
    """Each class of the shipped ontology -> itself and every class above it (rdfs:subClassOf*)."""
    from rdflib.namespace import RDFS

    from policykg.ontology import load_ontology

    graph = load_ontology()
    return {
        str(c): frozenset(str(x) for x in graph.transitive_objects(c, RDFS.subClassOf))
        for c in set(graph.subjects(RDFS.subClassOf, None))
    }


def _within(term: str, allowed: Sequence[str]) -> bool:
    return bool(_broader().get(term, frozenset({term})) & set(allowed))


def planted_contradictions(plan: Plan) -> dict[str, set[str]]:
    """Compliance shape (local name) -> the versions where its contradiction rule must report one
    finding, from what synth planted (the rules of shapes/consistency.ttl, read from the plan)."""
    found: dict[str, set[str]] = {
        name: set()
        for name in (
            "NegativeStatementShape",
            "DeniedDisclosureShape",
            "OnlyRecipientShape",
            "OnlyPurposeShape",
            "OnlyDataSubjectShape",
            "RetentionConflictShape",
        )
    }
    consent = str(DPV.Consent)
    for _vendor, iri, v in versions(plan):
        st = v.statements
        if st.not_collected and any(_within(p[1], [st.not_collected]) for p in v.processes):
            found["NegativeStatementShape"].add(iri)
        if st.no_sharing and st.partner and not _within(v.processes[0][2], [consent]):
            found["DeniedDisclosureShape"].add(iri)
        if (st.partner and st.only_by) or (v.processor and st.only_by == "vendor"):
            found["OnlyRecipientShape"].add(iri)
        if st.only_purposes and not all(_within(p[0], st.only_purposes) for p in v.processes):
            found["OnlyPurposeShape"].add(iri)
        if st.only_subjects and not all(_within(p[3], st.only_subjects) for p in v.processes):
            found["OnlyDataSubjectShape"].add(iri)
        if st.kept_indefinitely:
            found["RetentionConflictShape"].add(iri)
    return found


@cache
def _instruments() -> dict[str, tuple[str, tuple[ValidityEvent, ...]]]:
    """Instrument local name -> (slug, its events), from the shipped ontology."""
    from policykg.instruments import load_instruments
    from policykg.ontology import load_ontology

    return {i.iri.rsplit("#", 1)[-1]: (i.slug, i.events) for i in load_instruments(load_ontology()).values()}


def _latest_versions(plan: Plan, instruments: set[str], day: date) -> set[tuple[str, ...]]:
    """(vendor label, latest version IRI) of vendors whose latest version on ``day`` relies on
    one of ``instruments``."""
    rows: set[tuple[str, ...]] = set()
    for vendor in plan.vendors_citing(instruments, day):
        latest = plan.latest_on(vendor, day)
        assert latest is not None
        rows.add((vendor_label(vendor), policy_iri(vendor, latest.day.isoformat())))
    return rows


def _history(plan: Plan, vendor: str) -> set[tuple[str, ...]]:
    """policy-history from the plan: each version, and what it adds and drops against the previous."""
    slug = {name: s for name, (s, _events) in _instruments().items()}
    rows: set[tuple[str, ...]] = set()
    previous: PlannedVersion | None = None
    for v in sorted(plan.versions[vendor], key=lambda v: v.day):
        iri, day = policy_iri(vendor, v.day.isoformat()), v.day.isoformat()
        rows.add((iri, day, "version", ""))
        for kind, now, before in (
            (
                "instrument",
                {slug[i] for i in v.instruments},
                {slug[i] for i in previous.instruments} if previous else set(),
            ),
            (
                "purpose",
                {p[0] for p in v.processes},
                {p[0] for p in previous.processes} if previous else set(),
            ),
        ):
            rows |= {(iri, day, f"{kind} added", item) for item in now - before}
            rows |= {(iri, day, f"{kind} removed", item) for item in before - now}
        previous = v
    return rows


def _not_usable(plan: Plan, day: date) -> set[tuple[str, ...]]:
    """Instruments invalid, closed or not recognised on ``day`` (from the ontology's timeline),
    each with the vendors whose latest version relies on it, or an empty vendor."""
    rows: set[tuple[str, ...]] = set()
    for name, (slug, events) in _instruments().items():
        if not any(e.decides_status and e.on <= day for e in events):
            continue
        vendors = {
            vendor_label(v)
            for v in plan.versions
            if name in (plan.latest_on(v, day) or PlannedVersion(day, [])).instruments
        }
        rows |= {(slug, vendor) for vendor in vendors} or {(slug, "")}
    return rows


def planted_answer(plan: Plan, name: str, as_of: date) -> Planted:
    """The planted answer of named query ``name`` on analysis date ``as_of`` (the queries that
    take an ``asOf`` get it as their parameter); KeyError for a query without one."""
    every = versions(plan)
    some_vendor, some_policy, some_version = next(
        ((vendor, iri, v) for vendor, iri, v in every if len(plan.versions[vendor]) >= 3), every[0]
    )
    day = as_of.isoformat()
    rows: set[tuple[str, ...]]
    if name == "vendors-citing-privacy-shield":  # vendor, instrument, version, ...
        return Planted({"asOf": day}, [0, 2], frozenset(_latest_versions(plan, set(PRIVACY_SHIELD), as_of)))
    if name == "vendors-by-instrument":  # vendor, version, ...
        dpf = _latest_versions(plan, {"EU-US-DataPrivacyFramework"}, as_of)
        return Planted({"instrument": "dpf-eu-us", "asOf": day}, [0, 1], frozenset(dpf))
    mine = [(vd, iri, v) for vd, iri, v in every if vd == some_vendor]  # the queries taking a vendor
    if name == "rights-per-vendor":  # vendor, version, right, label, quote
        rows = {
            (vendor_label(vd), iri, str(EU_GDPR[r]), f"right {r}") for vd, iri, v in mine for r in v.rights
        }
        return Planted({"vendor": some_vendor}, [0, 1, 2, 4], frozenset(rows))
    if name == "art13-rights-missing":  # version, missing, label
        rows = {(iri, str(EU_GDPR[r])) for _vd, iri, v in every for r in RIGHTS if r not in v.rights}
        return Planted({}, [0, 1], frozenset(rows))
    if name == "recipients-per-vendor":  # vendor, version, kind, recipient, quote
        rows = {
            (vendor_label(vd), iri, "DataProcessor", v.processor, f"hosting provider {v.processor}")
            for vd, iri, v in every
            if v.processor
        }
        rows |= {
            (vendor_label(vd), iri, "RecipientThirdParty", p, f"partner {p}")
            for vd, iri, v in every
            if (p := v.statements.partner)
        }
        return Planted({}, [0, 1, 2, 3, 4], frozenset(rows))
    if name == "retention-per-vendor":  # vendor, version, duration, value, appliesTo, quote
        until, quote = str(DPV.UntilEventDuration), "as long as the contract lasts"
        rows = {(vendor_label(vd), iri, until, "", "", quote) for vd, iri, _v in mine}
        endless = str(DPV.EndlessDuration)
        rows |= {
            (vendor_label(vd), iri, endless, "", "", "kept indefinitely")
            for vd, iri, v in mine
            if v.statements.kept_indefinitely
        }
        return Planted({"vendor": some_vendor}, [0, 1, 2, 3, 4, 5], frozenset(rows))
    if name == "controllers-and-contacts":  # version, role, entity, address, identifier, contact
        rows = {
            (iri, role, vendor_label(vd), "", "", "")
            for vd, iri, _v in mine
            for role in ("DataController", "DataExporter")
        }
        rows |= {(iri, "DataProcessor", v.processor, "", "", "") for _vd, iri, v in mine if v.processor}
        return Planted({"vendor": some_vendor}, [0, 1, 2, 3, 4, 5], frozenset(rows))
    if name == "personal-data-per-purpose":  # purpose, data
        rows = {(p[0], p[1]) for p in some_version.processes}
        return Planted({"policy": some_policy}, [0, 1], frozenset(rows))
    if name == "purposes-by-legal-basis":  # version, process, purpose, basis, condition, quote
        rows = {
            (iri, f"Process {i}", p[0], p[2], "basis A6-1-f")
            for _vd, iri, v in every
            for i, p in enumerate(v.processes)
            if p[2] == str(EU_GDPR["A6-1-f"])
        }
        return Planted({"basis": str(DPV.LegitimateInterest)}, [0, 1, 2, 3, 5], frozenset(rows))
    if name == "policy-history":  # version, date, change, item
        return Planted({"vendor": some_vendor}, [0, 1, 2, 3], frozenset(_history(plan, some_vendor)))
    if name == "instruments-not-usable":  # instrument, effect, since, event, vendor
        return Planted({"asOf": day}, [0, 4], frozenset(_not_usable(plan, as_of)))
    if name == "policy-audit-trail":  # one row per evidenced fact
        return Planted({"policy": some_policy}, count=audit_trail_size(some_version))
    raise KeyError(name)

"""Transfer instruments and their legal status on a date.

The knowledge (instruments, dates, sources, what each kind of event does) lives in
ontology/instruments.ttl; this module only reads it and applies one rule: the latest
decisive event on or before the date decides the status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rdflib import Graph, URIRef
from rdflib.term import Literal

from .errors import UnknownTermError
from .namespaces import PKG
from .store import select

VALID = "valid"
NOT_IN_FORCE = "not-in-force"
NOT_RECOGNISED = "not-recognised"
CLOSED = "closed-to-new-contracts"
INVALID = "invalid"

_EFFECT_TO_STATE = {
    PKG.Invalidates: INVALID,
    PKG.ClosesToNewContracts: CLOSED,
    PKG.WithdrawsRecognition: NOT_RECOGNISED,
}


@dataclass(frozen=True)
class ValidityEvent:
    iri: str
    label: str
    kind: str
    effect: str
    on: date
    sources: tuple[str, ...]
    case_number: str | None = None
    ecli: str | None = None
    successor: str | None = None
    rank: int = 0
    """Precedence of the event's effect (pkg:statusRank in the ontology); 0 decides nothing."""

    @property
    def decides_status(self) -> bool:
        """Does the event make the instrument invalid, closed or not recognised? The ontology
        says so by giving its effect a pkg:statusRank (the rule of status_on, the
        instruments-not-usable query and the planted answers)."""
        return self.rank > 0

    def cite(self) -> str:
        refs = ", ".join(x for x in (self.case_number, self.ecli) if x)
        return f"{self.label}{f' [{refs}]' if refs else ''}, {self.on.isoformat()}"


@dataclass(frozen=True)
class Instrument:
    iri: str
    slug: str
    label: str
    family: str
    adopted_on: date | None
    in_force_from: date | None
    legal_source: str | None
    events: tuple[ValidityEvent, ...] = field(default=())

    @property
    def start(self) -> date | None:
        return self.in_force_from or self.adopted_on


@dataclass(frozen=True)
class InstrumentStatus:
    instrument: Instrument
    on: date
    state: str
    since: date | None
    deciding_event: ValidityEvent | None
    pending_challenges: tuple[ValidityEvent, ...]
    superseded_by: ValidityEvent | None
    update_deadline: ValidityEvent | None

    @property
    def is_usable(self) -> bool:
        """Can a new transfer rely on it on this date?"""
        return self.state in (VALID, NOT_RECOGNISED)

    def summary(self) -> str:
        if self.state == NOT_IN_FORCE:
            start = self.instrument.start
            text = f"not yet in force (from {start.isoformat()})" if start else "not in force"
        elif self.state == VALID:
            text = "valid"
        elif self.state == CLOSED:
            text = f"no new contracts since {self.since}"
        elif self.state == NOT_RECOGNISED:
            text = f"not recognised as adequate by the regulator since {self.since}"
        else:
            text = f"invalid since {self.since}"
        if self.deciding_event and self.state != VALID:
            text += f" ({self.deciding_event.case_number or self.deciding_event.label})"
        if self.pending_challenges:
            cases = ", ".join(e.case_number or e.label for e in self.pending_challenges)
            text += f"; under challenge ({cases})"
        return text


_INSTRUMENTS_QUERY = """
SELECT ?i ?slug ?label ?family ?adopted ?inforce ?source WHERE {
  ?i a/rdfs:subClassOf* pkg:TransferInstrument ; pkg:slug ?slug ; rdfs:label ?label .
  OPTIONAL { ?i pkg:family ?family }
  OPTIONAL { ?i pkg:adoptedOn ?adopted }
  OPTIONAL { ?i pkg:inForceFrom ?inforce }
  OPTIONAL { ?i pkg:legalSource ?source }
}"""

_EVENTS_QUERY = """
SELECT ?e ?i ?label ?kind ?effect ?date ?case ?ecli ?successor ?rank
       (GROUP_CONCAT(STR(?src); separator=" ") AS ?sources) WHERE {
  ?e pkg:affectsInstrument ?i ; dct:date ?date ; rdfs:label ?label ; a ?cls .
  ?cls pkg:statusEffect ?effect ; rdfs:label ?kind .
  OPTIONAL { ?e dct:source ?src }
  OPTIONAL { ?e pkg:caseNumber ?case }
  OPTIONAL { ?e pkg:ecli ?ecli }
  OPTIONAL { ?e pkg:successor ?successor }
  OPTIONAL { ?effect pkg:statusRank ?rank }
} GROUP BY ?e ?i ?label ?kind ?effect ?date ?case ?ecli ?successor ?rank"""


def _date(value: object) -> date | None:
    if isinstance(value, Literal) and isinstance(value.toPython(), date):
        result: date = value.toPython()
        return result
    return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def load_instruments(ontology: Graph) -> dict[str, Instrument]:
    """All instruments in the ontology, by slug, each with its events sorted by date."""
    events: dict[str, list[ValidityEvent]] = {}
    for row in select(ontology, _EVENTS_QUERY).records():
        on = _date(row["date"])
        if on is None:
            continue
        event = ValidityEvent(
            iri=str(row["e"]),
            label=str(row["label"]),
            kind=str(row["kind"]),
            effect=str(row["effect"]),
            on=on,
            sources=tuple(sorted(str(row.get("sources", "")).split())),
            case_number=_text(row.get("case")),
            ecli=_text(row.get("ecli")),
            successor=_text(row.get("successor")),
            rank=int(str(row.get("rank", 0))),
        )
        events.setdefault(str(row["i"]), []).append(event)
    instruments: dict[str, Instrument] = {}
    for row in select(ontology, _INSTRUMENTS_QUERY).records():
        iri = str(row["i"])
        instruments[str(row["slug"])] = Instrument(
            iri=iri,
            slug=str(row["slug"]),
            label=str(row["label"]),
            family=str(row.get("family", "")),
            adopted_on=_date(row.get("adopted")),
            in_force_from=_date(row.get("inforce")),
            legal_source=_text(row.get("source")),
            events=tuple(sorted(events.get(iri, []), key=lambda e: (e.on, e.iri))),
        )
    return instruments


def find_instrument(instruments: dict[str, Instrument], name: str) -> Instrument:
    """Look an instrument up by slug, IRI, local name or label (case-insensitive)."""
    wanted = name.strip().lower()
    for instrument in instruments.values():
        local = instrument.iri.rsplit("#", 1)[-1].lower()
        if wanted in (
            instrument.slug,
            instrument.iri.lower(),
            local,
            f"pkg:{local}",
            instrument.label.lower(),
        ):
            return instrument
    raise UnknownTermError("instrument", name, list(instruments))


def status_on(instrument: Instrument, on: date) -> InstrumentStatus:
    """The status of ``instrument`` on ``on``: events dated ``on`` already apply."""
    past = [e for e in instrument.events if e.on <= on]
    state, since, deciding = VALID, None, None
    decisive = [e for e in past if e.decides_status]
    if decisive:  # highest rank decides; among equal ranks the earliest event
        deciding = min(decisive, key=lambda e: (-e.rank, e.on))
        state, since = _EFFECT_TO_STATE[URIRef(deciding.effect)], deciding.on
    if state == VALID and instrument.start and on < instrument.start:
        state = NOT_IN_FORCE
    open_cases: dict[str, ValidityEvent] = {}
    for event in past:
        if URIRef(event.effect) == PKG.OpensChallenge and event.case_number:
            open_cases[event.case_number] = event
        elif URIRef(event.effect) == PKG.ClosesChallenge and event.case_number:
            open_cases.pop(event.case_number, None)
    superseded = next((e for e in reversed(past) if URIRef(e.effect) == PKG.Supersedes), None)
    deadline = next((e for e in reversed(past) if URIRef(e.effect) == PKG.SetsUpdateDeadline), None)
    return InstrumentStatus(
        instrument=instrument,
        on=on,
        state=state,
        since=since,
        deciding_event=deciding,
        pending_challenges=tuple(open_cases.values()) if state != INVALID else (),
        superseded_by=superseded,
        update_deadline=deadline,
    )

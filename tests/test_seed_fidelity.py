"""Seed annotations state only what their quotes say (issue 15's six defects, each pinned here).

Each test failed on the annotations as they were before the fix; it reads the graph the way an
analyst would (processes, facts and their quotes), not the file layout.
"""

from __future__ import annotations

from rdflib import URIRef

from policykg.load import LoadResult
from policykg.namespaces import policy_iri

TALKDESK = URIRef(policy_iri("talkdesk", "2019-12-31"))
CLOUDTALK = URIRef(policy_iri("cloudtalk", "2025-08-06"))
KLOUDTALK = URIRef(policy_iri("kloudtalk", "undated-2024"))
CLOUDCALL = URIRef(policy_iri("cloudcall", "2018-01-16"))


def _values(loaded: LoadResult, subject: URIRef, prop: str) -> set[str]:
    rows = loaded.store.select(f"SELECT ?o WHERE {{ ?s {prop} ?o }}", {"s": subject})
    return {str(r[0]) for r in rows.rows}


def _quotes(loaded: LoadResult, version: URIRef, prop: str) -> list[tuple[str, str, str]]:
    """(subject, value, quote) of every evidenced fact of ``prop`` in one version."""
    rows = loaded.store.select(
        f"""SELECT ?s ?o ?q WHERE {{ ?ev oa:hasSource ?v ; pkg:factProperty {prop} ;
                 pkg:factSubject ?s ; pkg:factValue ?o ; oa:hasSelector/oa:exact ?q }}""",
        {"v": version},
    )
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows.rows]


def test_talkdesk_cookies_line_states_no_purpose(loaded: LoadResult) -> None:
    # "Cookies usage (specific policy shared on site);" names no purpose: it is recorded as unspecified.
    purposes = _values(loaded, URIRef(f"{TALKDESK}/process/controller-cookies"), "dpv:hasPurpose")
    assert purposes == {"https://w3id.org/policykg#UnspecifiedPurpose"}


def test_cloudtalk_cookie_data_sits_only_where_the_text_ties_it(loaded: LoadResult) -> None:
    necessary = _values(loaded, URIRef(f"{CLOUDTALK}/process/cookies-necessary"), "dpv:hasPersonalData")
    assert not necessary & {"https://w3id.org/dpv/pd#Age", "https://w3id.org/dpv/pd#Gender"}
    for category in ("necessary", "preference", "analytics", "advertising"):
        data = _values(loaded, URIRef(f"{CLOUDTALK}/process/cookies-{category}"), "dpv:hasPersonalData")
        assert "https://w3id.org/dpv/pd#Age" not in data, category
    # The list "Depending on the cookie type, CloudTalk may collect ..." is kept once, with its condition.
    rows = loaded.store.select(
        """SELECT DISTINCT ?cond WHERE { ?ev oa:hasSource ?v ; pkg:factSubject ?p ;
             pkg:factProperty dpv:hasPersonalData ; pkg:factValue pd:Gender ; pkg:appliesTo ?cond }""",
        {"v": CLOUDTALK},
    )
    assert [str(r[0]) for r in rows.rows] == ["depending on the cookie type"]
    preference = _values(loaded, URIRef(f"{CLOUDTALK}/process/cookies-preference"), "dpv:hasPersonalData")
    assert {"https://w3id.org/dpv/pd#Name", "https://w3id.org/dpv/pd#EmailAddress"} <= preference


def test_kloudtalk_consent_only_for_precise_location(loaded: LoadResult) -> None:
    rows = loaded.store.select(
        """SELECT ?p ?d WHERE { ?v dpv:hasProcess ?p . ?p dpv:hasLegalBasis dpv:Consent ;
             dpv:hasPersonalData ?d }""",
        {"v": KLOUDTALK},
    )
    with_consent = {(str(r[0]).rsplit("/", 1)[1], str(r[1]).rsplit("#", 1)[1]) for r in rows.rows}
    data = {d for _p, d in with_consent}
    # "precise location information from your device with your permission": consent for that only.
    assert "CurrentLocation" in data
    assert not data & {"IPAddress", "DeviceBased", "ServiceConsumptionBehaviour", "City", "Country"}


def test_cloudcall_third_country_quotes_say_where_data_goes(loaded: LoadResult) -> None:
    facts = [f for f in _quotes(loaded, CLOUDCALL, "dpv:hasThirdCountry")]
    assert len(facts) == 2
    for _s, value, quote in facts:
        assert value.endswith("#US")
        assert "United States" in quote or "U.S." in quote, quote


def test_cloudcall_company_facts_are_not_employment_data(loaded: LoadResult) -> None:
    # "the potential customer's industry, their staff, communication requirements or revenues"
    facts = _quotes(loaded, CLOUDCALL, "dpv:hasPersonalData")
    assert not [f for f in facts if f[1].endswith("#CurrentEmployment")]
    assert not [f for f in facts if "revenues" in f[2]]


def test_kloudtalk_controller_rests_on_the_strongest_quote_and_no_entity_is_named(loaded: LoadResult) -> None:
    facts = _quotes(loaded, KLOUDTALK, "dpv:hasDataController")
    assert len(facts) >= 11
    greeting = "We at KloudTalk respect your desire to protect your personal information"
    assert all(quote != greeting for _s, _o, quote in facts)
    assert {quote for _s, _o, quote in facts} == {"KloudTalk must receive or gather some information"}
    rows = loaded.store.select(
        "SELECT ?status WHERE { GRAPH ?v { ?org pkg:identityStatus ?status } }", {"v": KLOUDTALK}
    )
    assert [str(r[0]) for r in rows.rows] == ["https://w3id.org/policykg#NoLegalEntityNamed"]

"""Seed annotations state only what their quotes say (issue 15's six defects, each pinned here).

Each test failed on the annotations as they were before the fix; it reads the graph the way an
analyst would (processes, facts and their quotes), not the file layout.
"""

from __future__ import annotations

from datetime import date

from rdflib import URIRef

from policykg.load import LoadResult
from policykg.namespaces import policy_iri
from policykg.validation import validate_store

from .conftest import SEEDS

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


# recall.md's wrong or unsupported statements (W1-W5): each test failed on the data the reader measured.

CLOUDTALK_FAQ = URIRef(policy_iri("cloudtalk", "undated-2018"))
ORG = "https://w3id.org/policykg/id/org/"


def test_cloudtalk_hiring_entity_is_a_controller_not_a_recipient(loaded: LoadResult) -> None:
    # "Controllers of your personal data ... are: - CloudTalk s.r.o., - hiring CloudTalk entity"
    for process in ("recruitment", "interview-recording"):
        controllers = _values(loaded, URIRef(f"{CLOUDTALK}/process/{process}"), "dpv:hasDataController")
        assert controllers == {f"{ORG}cloudtalk-sro", f"{ORG}cloudtalk-hiring-entity"}, process
    assert f"{CLOUDTALK}/recipient/hiring-entity" not in _values(loaded, CLOUDTALK, "dpv:hasRecipient")
    rows = loaded.store.select(
        "SELECT ?p WHERE { GRAPH ?v { ?s ?p ?o FILTER (?s = ?h || ?o = ?h) } }",
        {"v": CLOUDTALK, "h": URIRef(f"{CLOUDTALK}/recipient/hiring-entity")},
    )
    assert rows.rows == []


def test_cloudtalk_slovak_authority_is_recorded_once(loaded: LoadResult) -> None:
    facts = [f for f in _quotes(loaded, CLOUDTALK, "dpv:hasAuthority") if "dataprotection.gov.sk" in f[2]]
    assert [f[1] for f in facts] == [f"{ORG}sk-dpa"]


def test_cloudtalk_faq_processor_assistance_is_not_a_right_of_access(loaded: LoadResult) -> None:
    # "As a processor ..., we will assist you with responding to individual rights requests that you receive"
    assert "https://w3id.org/dpv/legal/eu/gdpr#A15" not in _values(loaded, CLOUDTALK_FAQ, "dpv:hasRight")
    measures = _quotes(loaded, CLOUDTALK_FAQ, "dpv:hasOrganisationalMeasure")
    assert [(s.rsplit("/", 1)[1], o.rsplit("#", 1)[1]) for s, o, q in measures if "assist you" in q] == [
        ("customer-data-processing", "ProcessorRightsRequestAssistance")
    ]
    # so the rules no longer set P3P "so no access is possible" against it
    report = validate_store(loaded.store, profile="compliance", as_of=date(2026, 11, 23))
    assert not [f for f in report.findings if f.policy == str(CLOUDTALK_FAQ) and "assist you" in f.message]


def test_talkdesk_dpo_has_only_the_addresses_the_text_gives_as_the_dpos(loaded: LoadResult) -> None:
    rows = loaded.store.select(
        """SELECT ?start ?end WHERE { ?ev oa:hasSource ?v ; pkg:factSubject ?dpo ; pkg:factProperty pkg:contactStatus ;
             oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end }""",
        {"v": TALKDESK, "dpo": URIRef(f"{ORG}talkdesk-dpo")},
    )
    text = (SEEDS / "003_e92ca682d446890a.txt").read_text(encoding="utf-8")
    lead_ins = [text[max(0, int(r[0]) - 40) : int(r[1])] for r in rows.rows]  # type: ignore[arg-type]
    assert len(lead_ins) == 5
    # "Data Protector Officer email", "Data Protection Officers email", "Privacy Team/DPO"; never "contact us
    # at", "if requested" or "privacy [email protected]"
    assert all("Officer" in lead or "DPO" in lead for lead in lead_ins), lead_ins
    # the others are Talkdesk's own, still hidden, not invented
    inc = [q for s, _o, q in _quotes(loaded, TALKDESK, "pkg:contactStatus") if s == f"{ORG}talkdesk-inc"]
    assert len(inc) == 6 and all(q == "[email\u00a0protected]" for q in inc)


def test_talkdesk_anonymised_analysis_controller_is_marked_as_an_inference(loaded: LoadResult) -> None:
    # "Talkdesk may keep anonymized information ... for analysis": the text does not say "controller"
    rows = loaded.store.select(
        """SELECT ?q ?why WHERE { ?ev oa:hasSource ?v ; pkg:factSubject ?p ; pkg:factProperty dpv:hasDataController ;
             oa:hasSelector/oa:exact ?q . OPTIONAL { ?ev pkg:inference ?why } }""",
        {"v": TALKDESK, "p": URIRef(f"{TALKDESK}/process/processor-anonymised-analysis")},
    )
    assert len(rows.rows) == 1
    quote, why = (str(x) if x is not None else None for x in rows.rows[0])
    assert "controller" not in str(quote)
    assert why and "does not call Talkdesk a controller" in why


def test_cloudcall_controller_is_the_group_the_contacts_belong_to(loaded: LoadResult) -> None:
    # "The CloudCall Group (encompassing CloudCall Group Plc, ...) (“CloudCall”)"; "please contact CloudCall by
    # email sent to info@cloudcall.com": the controller and the contact details are the same organisation.
    controllers = _values(loaded, CLOUDCALL, "dpv:hasDataController")
    assert controllers == {f"{ORG}cloudcall-group"}
    for controller in controllers:
        assert "info@cloudcall.com" in _values(loaded, URIRef(controller), "dpv:hasContact")
    rows = loaded.store.select(
        "SELECT DISTINCT ?c WHERE { ?v dpv:hasProcess/dpv:hasDataController ?c }", {"v": CLOUDCALL}
    )
    assert f"{ORG}cloudcall-group-plc" not in {str(r[0]) for r in rows.rows}


def test_cloudtalk_faq_storage_in_several_jurisdictions_is_a_transfer_without_an_invented_safeguard(
    loaded: LoadResult,
) -> None:
    # "we run our services under multiple jurisdictions around the world. Data is stored in the data center
    # closest to the location of our customers." The FAQ names no country and no safeguard: none is recorded.
    transfer = URIRef(f"{CLOUDTALK_FAQ}/process/multi-jurisdiction-storage")
    assert "https://w3id.org/dpv#CrossBorderTransfer" in _values(loaded, transfer, "dpv:hasProcessing")
    assert transfer in {URIRef(v) for v in _values(loaded, CLOUDTALK_FAQ, "dpv:hasProcess")}
    for prop in ("dpv:hasLegalBasis", "dpv:hasOrganisationalMeasure", "dpv:hasThirdCountry"):
        assert _values(loaded, transfer, prop) == set(), prop
    # and the compliance profile says so, on this transfer only among the seeds
    report = validate_store(loaded.store, profile="compliance", as_of=date(2026, 11, 23))
    flagged = [f for f in report.findings if f.shape.endswith("#TransferWithoutSafeguardShape")]
    assert [(f.policy, f.value) for f in flagged] == [(str(CLOUDTALK_FAQ), str(transfer))]


def test_talkdesk_processor_rights_go_to_the_customer(loaded: LoadResult) -> None:
    # "When Talkdesk processes information on behalf of a customer, all data subject rights must be addressed
    # directly to the customer." and "Since Customers are acting as controllers, they define the retention periods"
    ccaas = URIRef(f"{TALKDESK}/process/processor-ccaas")
    assert _values(loaded, ccaas, "pkg:rightsAddressedTo") == {f"{ORG}talkdesk-customers"}
    assert _values(loaded, ccaas, "dpv:hasDataController") == {f"{ORG}talkdesk-customers"}
    assert f"{TALKDESK}/retention/processor-customer-defined" in _values(
        loaded, ccaas, "dpv:hasStorageCondition"
    )


def test_every_seed_storage_rule_is_worded_in_the_graph(loaded: LoadResult) -> None:
    # a storage rule whose wording sits only in its evidence quote reads as a bare duration type in the queries
    rows = loaded.store.select(
        """SELECT ?r WHERE { GRAPH ?v { ?r a dpv:StorageDuration FILTER NOT EXISTS { ?r dct:description ?d } } }"""
    )
    assert [str(r[0]) for r in rows.rows] == []


# -- recall2.md U1-U3: facts their quotes do not state ------------------------------------------


def test_kloudtalk_access_right_bullet_limits_the_right_not_how_data_is_obtained(loaded: LoadResult) -> None:
    # "We assure you the right to: • Access your personal data only that you have shared with us" narrows the
    # right of access; it says nothing about how data is collected.
    lim = URIRef(f"{KLOUDTALK}/limiting/access-only-shared-data")
    assert _values(loaded, lim, "pkg:limitsRight") == {"https://w3id.org/dpv/legal/eu/gdpr#A15"}
    assert _values(loaded, lim, "pkg:onlyProcessing") == set()


def test_cloudtalk_call_recording_basis_is_the_stated_consent_and_implied_consent_is_an_inference(
    loaded: LoadResult,
) -> None:
    # "Your consent, or our legitimate interest ...": the text says consent; "implied" is the reader's word.
    rows = loaded.store.select(
        """SELECT ?b ?q ?why WHERE { ?ev oa:hasSource ?v ; pkg:factSubject ?p ; pkg:factProperty dpv:hasLegalBasis ;
             pkg:factValue ?b ; oa:hasSelector/oa:exact ?q . OPTIONAL { ?ev pkg:inference ?why } }""",
        {"v": CLOUDTALK, "p": URIRef(f"{CLOUDTALK}/process/call-recording")},
    )
    basis = {str(r[0]).rsplit("#", 1)[1]: (str(r[1]), r[2]) for r in rows.rows}
    assert basis["Consent"] == ("Your consent", None)
    quote, why = basis["ImpliedConsent"]
    assert quote.startswith("You will be informed about the recording")
    assert why is not None and 'does not say "implied"' in str(why)


def test_cloudtalk_faq_customers_as_controller_rest_on_a_sentence_not_a_heading(loaded: LoadResult) -> None:
    quotes = [
        q
        for s, o, q in _quotes(loaded, CLOUDTALK_FAQ, "dpv:hasDataController")
        if s.endswith("/process/multi-jurisdiction-storage")
    ]
    assert quotes == [
        "we will assist you with responding to individual rights requests that you receive under the GDPR"
    ]


# -- recall2.md precision: a purpose or data subject is quoted where the text states it; what the
# annotator reads into a quote carries pkg:inference ----------------------------------------------


def _evidence(
    loaded: LoadResult, version: URIRef, process: str, prop: str
) -> list[tuple[str, str, str | None]]:
    """(value, quote, inference) of each evidenced ``prop`` fact on one process of the version."""
    rows = loaded.store.select(
        f"""SELECT ?o ?q ?why WHERE {{ ?ev oa:hasSource ?v ; pkg:factSubject ?p ; pkg:factProperty {prop} ;
                 pkg:factValue ?o ; oa:hasSelector/oa:exact ?q . OPTIONAL {{ ?ev pkg:inference ?why }} }}""",
        {"v": version, "p": URIRef(f"{version}/process/{process}")},
    )
    return [(str(r[0]), str(r[1]), None if r[2] is None else str(r[2])) for r in rows.rows]


def test_cloudcall_email_tracking_states_no_purpose(loaded: LoadResult) -> None:
    # "by logging it and the use of beacons" says how, not why; "to analyze how visitors use our website"
    # follows the cookies sentence
    [(purpose, quote, _why)] = _evidence(loaded, CLOUDCALL, "email-tracking", "dpv:hasPurpose")
    assert purpose == "https://w3id.org/policykg#UnspecifiedPurpose"
    assert "opening and viewing emails" in quote


def test_cloudcall_data_appending_purpose_is_quoted_where_stated(loaded: LoadResult) -> None:
    [(purpose, quote, why)] = _evidence(loaded, CLOUDCALL, "data-appending", "dpv:hasPurpose")
    assert purpose == "https://w3id.org/dpv#SellProducts"
    assert quote.endswith("for sales purposes") and why and "states no purpose" in why


def test_cloudcall_unlawful_activity_customers_are_the_threatened_not_the_data_subjects(
    loaded: LoadResult,
) -> None:
    [(_subject, quote, why)] = [
        e
        for e in _evidence(loaded, CLOUDCALL, "unlawful-activity", "dpv:hasDataSubject")
        if e[0].endswith("#Customer")
    ]
    assert "respective customers" not in quote and why and "names no data subject" in why


def test_readings_beyond_the_quote_are_marked_as_inferences(loaded: LoadResult) -> None:
    for version, process, prop in [
        (CLOUDCALL, "data-appending", "dpv:hasProcessing"),  # data appending as profiling
        (TALKDESK, "controller-academy", "dpv:hasPurpose"),  # "Talkdesk Academy" as training
        (TALKDESK, "controller-site-usage", "dpv:hasPurpose"),  # "Usage of our site" as providing it
        (TALKDESK, "transfer-us-controller", "dpv:hasDataImporter"),  # who receives the data in the US
        (TALKDESK, "transfer-us-processor", "dpv:hasDataImporter"),
        (CLOUDCALL, "transfer-us-privacy-shield", "dpv:hasDataImporter"),
    ]:
        facts = _evidence(loaded, version, process, prop)
        assert facts and all(why for _o, _q, why in facts), (process, facts)
    tax = [
        why
        for o, _q, why in _evidence(loaded, TALKDESK, "controller-billing-tax", "dpv:hasPurpose")
        if o.endswith("#LegalCompliance")
    ]
    assert tax and tax[0]


# -- recall3.md downgrades ----------------------------------------------------------------------------


def test_readings_a_reader_downgraded_are_not_recorded(loaded: LoadResult) -> None:
    # CloudCall: "Once you choose to provide ..., it will only be used in the context of ...": "only" governs use
    assert [q for _s, _o, q in _quotes(loaded, CLOUDCALL, "pkg:onlyProcessing")] == []
    # CloudTalk 2025: "in accordance with applicable data protection laws, including ... the DPF" is no claim to
    # be certified
    claims = [q for _s, _o, q in _quotes(loaded, CLOUDTALK, "pkg:claimsCompliance")]
    assert claims and not [q for q in claims if q.startswith("in accordance with")]
    # the disclosure to Google is quoted where the text states it, not at "governed by the Google Privacy Policy"
    [(google, quote, why)] = _evidence(loaded, CLOUDTALK, "recaptcha", "dpv:hasRecipientThirdParty")
    assert google.endswith("/org/google") and quote.startswith("reCAPTCHA collects") and why


# -- recall3.md precision P1-P8: readings beyond the quote are marked, quotes name what the fact says -------


CLOUDTALK_P3P = URIRef(policy_iri("cloudtalk", "undated-2018"))


def test_recall3_readings_beyond_the_quote_carry_their_reasoning(loaded: LoadResult) -> None:
    # P1: "... are described in Section I" does not say every Section I activity goes to the US
    carried = _evidence(loaded, CLOUDTALK, "transfer-us-dpf", "pkg:carriesDataOf")
    assert len(carried) == 18 and all(why and "does not say" in why for _o, _q, why in carried)
    # P3: "We only ask for your personal information when ..." read as how data is obtained
    # P4: "in the context of our customers' relationships" read as customers' data
    for version, limiting, prop in [
        (KLOUDTALK, "only-asked", "pkg:onlyProcessing"),
        (CLOUDCALL, "customer-relationships-only", "pkg:onlyDataSubject"),
    ]:
        rows = loaded.store.select(
            f"""SELECT ?why WHERE {{ ?ev oa:hasSource ?v ; pkg:factSubject ?l ; pkg:factProperty {prop} .
                     OPTIONAL {{ ?ev pkg:inference ?why }} }}""",
            {"v": version, "l": URIRef(f"{version}/limiting/{limiting}")},
        )
        assert rows.rows and all(r[0] is not None for r in rows.rows), limiting


def test_recall3_applicants_exclusion_rests_on_the_texts_examples(loaded: LoadResult) -> None:
    # P2: the examples of covered data ("customers, users, and website visitors"), not a DPF principle that
    # does not name applicants
    rows = loaded.store.select(
        """SELECT ?q ?why WHERE { ?ev oa:hasSource ?v ; pkg:factProperty pkg:excludesDataSubject ;
             pkg:factValue dpv:JobApplicant ; oa:hasSelector/oa:exact ?q ; pkg:inference ?why }""",
        {"v": CLOUDTALK},
    )
    [(quote, why)] = [(str(r[0]), str(r[1])) for r in rows.rows]
    assert quote.endswith("customers, users, and website visitors") and "Supplemental Principle" not in why


def test_recall3_quotes_name_what_the_fact_says(loaded: LoadResult) -> None:
    # P5: "such sharing or transfer is required under applicable law" names no recipient
    recipients = [
        q
        for s, o, q in _quotes(loaded, CLOUDCALL, "dpv:hasRecipient")
        if o.endswith("courts-and-authorities")
    ]
    assert recipients and not [q for q in recipients if "required under applicable law" in q]
    # P6: the reasoning that reads customers into "the information we collect" reads prospects in too
    subjects = {
        o.rsplit("#", 1)[1]
        for o, _q, _w in _evidence(loaded, CLOUDCALL, "unlawful-activity", "dpv:hasDataSubject")
    }
    assert subjects == {"Customer", "Prospect"}
    # P7: the Talkdesk processor statement's scope is evidenced, the analysis marked as the reader's reading
    rows = loaded.store.select(
        """SELECT ?p ?q ?why WHERE { ?ev oa:hasSource ?v ; pkg:factSubject ?l ; pkg:factProperty pkg:statementScope ;
             pkg:factValue ?p ; oa:hasSelector/oa:exact ?q . OPTIONAL { ?ev pkg:inference ?why } }""",
        {"v": TALKDESK, "l": URIRef(f"{TALKDESK}/limiting/processor-only-service")},
    )
    scope = {str(r[0]).rsplit("/", 1)[1]: (str(r[1]), r[2]) for r in rows.rows}
    assert set(scope) == {"processor-ccaas", "processor-anonymised-analysis"}
    assert scope["processor-anonymised-analysis"][1] is not None
    # P8: "User targeting" says no advertising
    purposes = _evidence(loaded, CLOUDTALK_P3P, "p3p-site-cookies", "dpv:hasPurpose")
    targeting = [(o, why) for o, q, why in purposes if q == "User targeting"]
    assert targeting == [(targeting[0][0], targeting[0][1])] and targeting[0][0].endswith("#Personalisation")
    assert targeting[0][1]


# -- recall4.md over-reads N1-N3: readings the rules rest on are marked, labels keep the text's words -----------


def test_recall4_talkdesk_california_limit_is_marked_and_keeps_their(loaded: LoadResult) -> None:
    # N1: "With respect to us, this privacy policy applies only to their activities within the State of California"
    # stands in the paragraph for California residents: a reading, with the paragraph's condition
    limiting = URIRef(f"{TALKDESK}/limiting/california-only")
    rows = loaded.store.select(
        """SELECT ?why ?cond WHERE { ?ev pkg:factSubject ?l ; pkg:factProperty pkg:onlyLocation .
             OPTIONAL { ?ev pkg:inference ?why } OPTIONAL { ?ev pkg:appliesTo ?cond } }""",
        {"l": limiting},
    )
    [(why, cond)] = [(r[0], r[1]) for r in rows.rows]
    assert why and "California resident" in str(why)
    assert str(cond) == "if you are a California resident"
    [label] = _values(loaded, limiting, "rdfs:label")
    assert "their activities" in label


def test_recall4_readings_the_rules_rest_on_are_marked(loaded: LoadResult) -> None:
    # N2: the marketing line stands among the P3P group's recipients; read as its purpose
    purposes = _evidence(loaded, CLOUDTALK_P3P, "p3p-transactions", "dpv:hasPurpose")
    [(why,)] = [(w,) for o, _q, w in purposes if o.endswith("#DirectMarketing")]
    assert why and "CONa" in why
    # N3: the child's information exists only in "If we obtain actual knowledge that ..."
    for prop in ("dpv:hasDataSubject", "dpv:hasPersonalData"):
        facts = _evidence(loaded, TALKDESK, "children-information", prop)
        assert facts and all(w and "conditional" in w for _o, _q, w in facts), prop


def test_recall4_both_hr_exclusions_quote_the_examples_their_reasoning_cites(loaded: LoadResult) -> None:
    quotes = {
        o.rsplit("#", 1)[1]: q
        for s, o, q in _quotes(loaded, CLOUDTALK, "pkg:excludesDataSubject")
        if s.endswith("/certification/dpf")
    }
    assert set(quotes) == {"Employee", "JobApplicant"}
    assert all(q.endswith("customers, users, and website visitors") for q in quotes.values()), quotes


def test_recall4_cloudcall_disclosure_the_law_requires_is_recorded_without_a_recipient(
    loaded: LoadResult,
) -> None:
    # "We also reserve the right to share or transfer your information if we believe (in our sole discretion) that
    # such sharing or transfer is required under applicable law" (10058): a ground for disclosure, no recipient named
    process = URIRef(f"{CLOUDCALL}/process/disclosure-required-by-law")
    bases = _evidence(loaded, CLOUDCALL, "disclosure-required-by-law", "dpv:hasLegalBasis")
    assert [(o.rsplit("#", 1)[1], q) for o, q, _w in bases] == [
        ("LegalObligation", "such sharing or transfer is required under applicable law")
    ]
    assert bases[0][2] and "sole discretion" in bases[0][2]
    assert _values(loaded, process, "dpv:hasProcessing") == {"https://w3id.org/dpv#Disclose"}
    assert not _values(loaded, process, "dpv:hasRecipient")

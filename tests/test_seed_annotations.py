"""The five seed policies: evidence verified against the texts, and the facts an analyst asks for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from policykg.cli import main
from policykg.evidence import check_evidence
from policykg.load import LoadResult
from policykg.namespaces import DPV, PKG, policy_iri

from .conftest import ROOT, SEEDS, needs_seeds

CLOUDTALK = URIRef(policy_iri("cloudtalk", "2025-08-06"))


def _dates(loaded: LoadResult) -> dict[str, str]:
    rows = loaded.store.select("""
        SELECT ?v ?d WHERE { ?v a ?kind . VALUES ?kind { pkg:PolicyVersion pkg:PolicyPart } ?v pkg:statedDate|pkg:estimatedDate ?d }""")
    return {str(r[0]).split("/policy/")[1]: str(r[1]) for r in rows.rows}


def test_policy_dates_are_the_texts_own(loaded: LoadResult) -> None:
    # "Last updated: 6 August 2025"; "Last Updated: December 31, 2019";
    # "Date of this Version: 16/01/18" is day/month/year; undated texts use their estimate.
    assert _dates(loaded) == {
        "cloudtalk/2025-08-06": "2025-08-06",
        "talkdesk/2019-12-31": "2019-12-31",
        "cloudcall/2018-01-16": "2018-01-16",
        "cloudcall/2018-01-16/part/privacy-shield-supplement": "2018-02-02",  # "Effective as of Feb 2nd, 2018"
        "cloudtalk/undated-2018": "2018-05-25",  # GDPR "entrata in vigore il 25 Maggio 2018"
        "kloudtalk/undated-2024": "2024-01-01",  # "Copyright © 2024"
    }


def test_cloudtalk_processing_statements_per_table(loaded: LoadResult) -> None:
    rows = loaded.store.select(
        """
        SELECT ?section (COUNT(?p) AS ?n) WHERE { ?v dpv:hasProcess ?p . ?p pkg:section ?section }
        GROUP BY ?section""",
        {"v": CLOUDTALK},
    )
    counts = {str(r[0]): int(str(r[1])) for r in rows.rows}
    assert counts["CloudTalk Services"] == 11
    assert counts["CloudTalk Website & Marketing"] == 5
    assert counts["CloudTalk Careers"] == 2
    # 4 categories, data by cookie type, third-party cookies, social plug-ins, reCAPTCHA
    assert counts["Cookies and Tracking Technologies"] == 8


def test_cloudtalk_twelve_processor_categories(loaded: LoadResult) -> None:
    processors = set(loaded.store.graph(CLOUDTALK).objects(CLOUDTALK, DPV.hasDataProcessor))
    assert len(processors) == 12


def test_instruments_each_vendor_relies_on(loaded: LoadResult) -> None:
    rows = loaded.store.select("""
        SELECT DISTINCT ?vendor ?slug WHERE {
          ?v pkg:vendor ?vendor ; dpv:hasProcess ?p .
          ?p dpv:hasLegalBasis|dpv:hasOrganisationalMeasure ?i . ?i pkg:slug ?slug }""")
    found = {(str(r[0]).rsplit("/", 1)[1], str(r[1])) for r in rows.rows}
    assert found == {
        ("cloudtalk", "dpf-eu-us"),
        ("cloudtalk", "dpf-uk-extension"),
        ("talkdesk", "privacy-shield-eu-us"),
        ("talkdesk", "privacy-shield-swiss-us"),
        ("talkdesk", "scc-2010-87"),
        ("cloudcall", "privacy-shield-eu-us"),
        ("cloudcall", "privacy-shield-swiss-us"),
    }


def test_cloudtalk_dpf_transfer_excludes_hr_data(loaded: LoadResult) -> None:
    graph = loaded.store.graph(CLOUDTALK)
    transfer = URIRef(f"{CLOUDTALK}/process/transfer-us-dpf")
    assert str(graph.value(transfer, PKG.excludes)) == "human resources data"


def test_kloudtalk_contradiction_keeps_both_statements(loaded: LoadResult) -> None:
    rows = (
        loaded.store.select("""
        SELECT ?quote WHERE { ?c a pkg:Contradiction ; pkg:statement ?ev . ?ev oa:hasSelector/oa:exact ?quote }""")
    ).rows
    quotes = sorted(str(r[0]) for r in rows)
    assert len(quotes) == 2
    assert quotes[0].startswith("We never share any information")
    assert "trusted partners" in quotes[1]


def test_talkdesk_dpo_exists_and_its_hidden_address_is_not_invented(loaded: LoadResult) -> None:
    graph = loaded.store.graph(URIRef(policy_iri("talkdesk", "2019-12-31")))
    dpos = list(graph.objects(None, DPV.hasDataProtectionOfficer))
    assert len(dpos) == 1
    assert graph.value(dpos[0], PKG.contactStatus) == PKG.HiddenInCapture
    assert graph.value(dpos[0], DPV.hasContact) is None


@needs_seeds
def test_no_email_address_appears_unless_its_source_has_it(loaded: LoadResult) -> None:
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    from policykg.evidence import find_source

    for path in (ROOT / "data").rglob("*.trig"):
        text = path.read_text(encoding="utf-8")
        source = re.search(r'pkg:sourceFile "([^"]+)"', text)
        assert source, path
        # seeds: ../shared/seeds; drafts keep their text beside their graph in data/
        original = find_source(source.group(1), [ROOT / "data", SEEDS]).read_text(encoding="utf-8")
        plain = re.sub(r"\\?[\[(]at\\?[\])]", "@", original).replace("\\[dot\\]", ".").replace("[dot]", ".")
        for address in set(email.findall(text)):
            assert address in original or address in plain.lower(), f"{path}: {address} not in its source"


@pytest.mark.slow  # every quote re-read in every source text
@needs_seeds
def test_every_quote_sits_at_its_offsets(loaded: LoadResult) -> None:
    report = check_evidence(loaded.policy_graphs(), SEEDS)
    assert report.missing_sources == []
    assert report.mismatches == []
    assert report.checked > 600


@pytest.mark.slow  # every source re-read twice through the CLI
@needs_seeds
def test_evidence_check_cli_passes_then_fails_on_one_edited_character(
    runner: CliRunner, data_copy: Path
) -> None:
    ok = runner.invoke(main, ["evidence", "check", "--sources", str(SEEDS), "--data-dir", str(data_copy)])
    assert ok.exit_code == 0, ok.output
    trig = data_copy / "talkdesk" / "2019-12-31.trig"
    text = trig.read_text(encoding="utf-8")
    assert text.count('"Talkdesk comply with the EU-U.S. Privacy Shield"') >= 1
    trig.write_text(
        text.replace(
            '"Talkdesk comply with the EU-U.S. Privacy Shield"',
            '"Talkdesk comply with the EU-U.S. Privacy Shielt"',
            1,
        ),
        encoding="utf-8",
    )
    bad = runner.invoke(main, ["evidence", "check", "--sources", str(SEEDS), "--data-dir", str(data_copy)])
    assert bad.exit_code == 1
    assert "MISMATCH https://w3id.org/policykg/id/policy/talkdesk/2019-12-31" in bad.output
    assert "expected 'Talkdesk comply with the EU-U.S. Privacy Shielt'" in bad.output
    assert "found 'Talkdesk comply with the EU-U.S. Privacy Shield'" in bad.output


@pytest.mark.slow  # every source re-read through the CLI
@needs_seeds
def test_evidence_check_fails_on_a_shifted_offset(runner: CliRunner, data_copy: Path) -> None:
    trig = data_copy / "cloudcall" / "2018-01-16.trig"
    text = trig.read_text(encoding="utf-8")
    match = re.search(r'oa:start "(\d+)"', text)
    assert match
    shifted = text.replace(match.group(0), f'oa:start "{int(match.group(1)) + 1}"', 1)
    trig.write_text(shifted, encoding="utf-8")
    result = runner.invoke(main, ["evidence", "check", "--sources", str(SEEDS), "--data-dir", str(data_copy)])
    assert result.exit_code == 1
    assert "MISMATCH" in result.output


def test_evidence_check_missing_source_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["evidence", "check", "--sources", str(tmp_path)])
    assert result.exit_code == 2
    assert "source text not found" in result.output


@needs_seeds
def test_evidence_locate_prints_offsets(runner: CliRunner) -> None:
    source = SEEDS / "004_b1fa2b32d8cc6adb.txt"
    result = runner.invoke(main, ["evidence", "locate", "--source", str(source), "16/01/18"])
    assert result.exit_code == 0
    text = source.read_text(encoding="utf-8")
    start = text.index("16/01/18")
    assert f'"start": {start}' in result.output and f'"end": {start + 8}' in result.output
    missing = runner.invoke(main, ["evidence", "locate", "--source", str(source), "no such words"])
    assert missing.exit_code == 2 and "quote not found" in missing.output

"""The shipped graph: five reviewed seeds and the twenty corpus policies drafted by `policykg
extract` (tools/import_corpus.py). Drafts are told apart from reviewed facts, carry their
provenance, and the headline question is answered over all 25 versions with its quotes."""

from __future__ import annotations

from click.testing import CliRunner
from rdflib import URIRef

from policykg.cli import main
from policykg.load import LoadResult
from policykg.namespaces import DCT, PKG
from policykg.query import bind_parameters, find_query, run_local

from .conftest import needs_seeds

CORPUS_VENDORS = {
    "8x8", "betterstack", "cloudflare", "evernote", "github", "hetzner", "ibm", "linear", "nexmo", "olvid",
    "orange", "overleaf", "scaleway", "surveymonkey", "webs", "wire", "wix", "zoho",
}  # fmt: skip


def _rows(loaded: LoadResult, name: str, **params: str) -> list[dict[str, str]]:
    query = find_query(name)
    result = run_local(loaded.store, query, bind_parameters(query, params))
    return [{c: str(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows]


def test_25_versions_of_23_vendors_20_of_them_drafts(shipped: LoadResult) -> None:
    assert len(shipped.policies) == 25
    vendors = {str(p.vendor).rsplit("/", 1)[-1] for p in shipped.policies}
    assert vendors >= CORPUS_VENDORS and len(vendors) == 22
    drafts = _drafts(shipped)
    assert len(drafts) == 20
    assert all(str(d).split("/policy/")[1].split("/")[0] in CORPUS_VENDORS for d in drafts)


def _drafts(loaded: LoadResult) -> set[URIRef]:
    rows = loaded.store.select("SELECT DISTINCT ?v WHERE { ?v pkg:reviewStatus pkg:Draft }")
    return {URIRef(str(r[0])) for r in rows.rows}


def test_every_draft_records_where_and_when_its_text_was_captured(shipped: LoadResult) -> None:
    for version in _drafts(shipped):
        graph = shipped.store.graph(version)
        assert graph.value(version, PKG.sourceUrl) is not None, version
        assert graph.value(version, PKG.capturedOn) is not None, version
        assert "corpus id" in str(graph.value(version, DCT.source)), version
        assert graph.value(version, PKG.extractedWith) is not None, version


def test_headline_over_the_25_policies_with_the_quotes(shipped: LoadResult) -> None:
    rows = _rows(shipped, "vendors-citing-privacy-shield", asOf="2026-11-29")
    found = {(r["vendor"], r["instrument"].split(" (")[0], r["review"]) for r in rows}
    assert found == {
        # reviewed seeds
        ("Talkdesk", "EU-US Privacy Shield", "reviewed"),
        ("Talkdesk", "Swiss-US Privacy Shield", "reviewed"),
        ("CloudCall", "EU-US Privacy Shield", "reviewed"),
        ("CloudCall", "Swiss-US Privacy Shield", "reviewed"),
        # drafts: 8x8 certified the EU-US leg only (its "Swiss Safe Harbor" is not a Swiss Privacy Shield)
        ("8x8", "EU-US Privacy Shield", "draft"),
        ("Evernote", "EU-US Privacy Shield", "draft"),
        ("Evernote", "Swiss-US Privacy Shield", "draft"),
        # still relied upon a year after Schrems II
        ("SurveyMonkey / Momentive", "EU-US Privacy Shield", "draft"),
        ("SurveyMonkey / Momentive", "Swiss-US Privacy Shield", "draft"),
    }
    quotes = {r["vendor"]: r["quote"] for r in rows if r["review"] == "draft"}
    assert (
        "8x8 Inc. also has certified to the European Union-United States Privacy Shield Framework"
        in quotes["8x8"]
    )
    assert (
        "Evernote Corporation has certified its compliance with the EU-US Privacy Shield"
        in quotes["Evernote"]
    )
    assert (
        "Momentive Inc. participates in and has certified its compliance"
        in quotes["SurveyMonkey / Momentive"]
    )


def test_wix_no_longer_cites_privacy_shield_its_2024_policy_relies_on_the_dpf(shipped: LoadResult) -> None:
    assert "Wix" not in {
        r["vendor"] for r in _rows(shipped, "vendors-citing-privacy-shield", asOf="2026-11-29")
    }
    # on 1 January 2019 Wix's latest policy (10 May 2018) relied on Privacy Shield
    early = _rows(shipped, "vendors-citing-privacy-shield", asOf="2019-01-01")
    assert "Wix" in {r["vendor"] for r in early}
    dpf = _rows(shipped, "vendors-by-instrument", instrument="dpf-eu-us", asOf="2026-11-29")
    wix = [r for r in dpf if r["vendor"] == "Wix"]
    assert wix and wix[0]["version"].endswith("/wix/2024-03-03") and wix[0]["review"] == "draft"
    assert "EU-U.S. DPF" in wix[0]["quote"]


def test_disclaimed_privacy_shield_is_not_reliance(shipped: LoadResult) -> None:
    rows = shipped.store.select("SELECT ?v WHERE { ?v pkg:disclaimsInstrument pkg:EU-US-PrivacyShield }")
    disclaimed = {str(r[0]).split("/policy/")[1] for r in rows.rows}
    # "While Cloudflare no longer relies on ...", "can no longer be relied upon" (IBM),
    # "Wix does not rely on the Privacy Shield" (2020, after announcing its certification)
    assert disclaimed == {"cloudflare/2023-07-03", "ibm/undated-2023", "wix/2020-12-16"}


@needs_seeds
def test_shipped_graph_passes_the_evidence_check_and_the_data_gate(runner: CliRunner) -> None:
    check = runner.invoke(main, ["evidence", "check"])
    assert check.exit_code == 0, check.output
    assert "in 25 policy versions, 0 mismatches" in check.output
    gate = runner.invoke(main, ["validate", "--profile", "data"])
    assert gate.exit_code == 0, gate.output


def test_compliance_findings_on_drafts_say_so(runner: CliRunner) -> None:
    import json

    result = runner.invoke(
        main,
        [
            "validate",
            "--profile",
            "compliance",
            "--as-of",
            "2026-11-29",
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["drafts"]) == 20
    on_drafts = [f for f in report["findings"] if f["draft"]]
    on_reviewed = [f for f in report["findings"] if not f["draft"]]
    assert on_drafts and on_reviewed
    assert all(f["policy"] in report["drafts"] for f in on_drafts)
    text = runner.invoke(
        main, ["validate", "--profile", "compliance", "--as-of", "2026-11-29", "--fail-on", "none"]
    )
    assert "/policy/wix/2020-12-16 (draft: drafted by policykg extract, not reviewed)" in text.output
    assert "/policy/talkdesk/2019-12-31 (draft" not in text.output


def test_jsonld_export_names_the_draft_terms(runner: CliRunner) -> None:
    import json

    version = "https://w3id.org/policykg/id/policy/wix/2024-03-03"
    result = runner.invoke(main, ["export", "--format", "jsonld", "--graph", version])
    assert result.exit_code == 0, result.output
    text = result.output
    json.loads(text)
    # the published context gives the draft markers short names, so downstream tools read them
    assert '"reviewStatus": "pkg:Draft"' in text
    assert '"extractionRule": "transfer/data_privacy_framework/relied"' in text

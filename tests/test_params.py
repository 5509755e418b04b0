"""Query parameters as users write them (issue 16, item 3) and the query catalogue read once
(item 4). Before: `vendor=CloudTalk`, `instrument=EU-US-PrivacyShield` and `basis=dpv:Consent`
each gave 0 rows and exit 0, and `policy` took only a full IRI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import main
from policykg.load import LoadResult, load_project
from policykg.params import Resolver, UnknownValueError, curie, resolve_parameters, store_select
from policykg.paths import project_paths
from policykg.query import Param, bind_parameters, catalogue, run_local

POLICY = "https://w3id.org/policykg/id/policy/"


def _rows(runner: CliRunner, name: str, *params: str) -> list[dict[str, str]]:
    args = ["query", name, "--format", "json"]
    for param in params:
        args += ["--param", param]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, str]] = json.loads(result.output)["rows"]
    return rows


def test_vendor_by_label_slug_or_iri(runner: CliRunner) -> None:
    by_slug = _rows(runner, "policy-history", "vendor=cloudtalk")
    assert {r["version"] for r in by_slug} == {
        f"{POLICY}cloudtalk/2025-08-06",
        f"{POLICY}cloudtalk/undated-2018",
    }
    for written in ("CloudTalk", "cloudTALK", "https://w3id.org/policykg/id/vendor/cloudtalk"):
        assert _rows(runner, "policy-history", f"vendor={written}") == by_slug, written


def test_instrument_by_cli_name_label_local_name_or_iri(runner: CliRunner) -> None:
    by_slug = _rows(runner, "vendors-by-instrument", "instrument=privacy-shield-eu-us", "asOf=2026-11-23")
    assert {r["vendor"] for r in by_slug} >= {"Talkdesk", "CloudCall"}
    for written in (
        "EU-US-PrivacyShield",
        "pkg:EU-US-PrivacyShield",
        "https://w3id.org/policykg#EU-US-PrivacyShield",
        "EU-US Privacy Shield (Implementing Decision (EU) 2016/1250)",
    ):
        found = _rows(runner, "vendors-by-instrument", f"instrument={written}", "asOf=2026-11-23")
        assert found == by_slug, written


def test_dpv_term_by_curie_or_iri(runner: CliRunner) -> None:
    by_iri = _rows(runner, "purposes-by-legal-basis", "basis=https://w3id.org/dpv#Consent")
    assert by_iri, "consent-based processes exist in the shipped data"
    assert _rows(runner, "purposes-by-legal-basis", "basis=dpv:Consent") == by_iri
    gdpr = _rows(runner, "purposes-by-legal-basis", "basis=eu-gdpr:A6-1-a")
    assert gdpr and {r["basis"] for r in gdpr} == {"https://w3id.org/dpv/legal/eu/gdpr#A6-1-a"}


def test_policy_by_vendor_and_date(runner: CliRunner) -> None:
    by_iri = _rows(runner, "policy-audit-trail", f"policy={POLICY}cloudcall/2018-01-16")
    assert len(by_iri) > 50
    assert _rows(runner, "policy-audit-trail", "policy=cloudcall/2018-01-16") == by_iri
    assert _rows(runner, "policy-audit-trail", "policy=CloudCall/2018-01-16") == by_iri


@pytest.mark.parametrize(
    ("param", "query", "listed"),
    [
        ("vendor=Cloud Talk", "policy-history", ["cloudtalk", "talkdesk", "kloudtalk"]),
        ("instrument=Privacy Shield", "vendors-by-instrument", ["privacy-shield-eu-us", "dpf-eu-us"]),
        ("basis=dpv:Consnet", "purposes-by-legal-basis", ["dpv:Consent", "eu-gdpr:A6-1-a"]),
        ("basis=not an iri", "purposes-by-legal-basis", ["dpv:LegitimateInterest"]),
        (
            "policy=talkdesk/2020-01-01",
            "policy-audit-trail",
            ["talkdesk/2019-12-31", "cloudtalk/undated-2018"],
        ),
    ],
)
def test_a_value_that_matches_nothing_is_exit_2_listing_known_values(
    runner: CliRunner, param: str, query: str, listed: list[str]
) -> None:
    result = runner.invoke(main, ["query", query, "--param", param])
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert message.startswith("error: unknown ") and "\n" not in message
    assert f"'{param.split('=', 1)[1]}'" in message
    for value in listed:
        assert value in message, value


def test_an_injection_attempt_matches_nothing_and_changes_nothing(runner: CliRunner) -> None:
    before = len(load_project().store)
    result = runner.invoke(
        main, ["query", "vendors-by-instrument", "--param", 'instrument=x" } ; DROP ALL ; #']
    )
    assert result.exit_code == 2 and "unknown instrument" in result.output
    assert len(load_project().store) == before


def test_resolver_on_the_store(shipped: LoadResult) -> None:
    resolver = Resolver(store_select(shipped.store))
    vendor, instrument = (
        Param("vendor", "xsd:string", "", "", kind="vendor"),
        Param("i", "xsd:string", "", "", kind="instrument"),
    )
    policy = Param("policy", "iri", "", "", kind="policy")
    assert resolver.resolve(vendor, "SurveyMonkey / Momentive") == "surveymonkey"
    assert resolver.resolve(instrument, "pkg:SCC-2010-87") == "scc-2010-87"
    assert resolver.resolve(policy, "wix/2020-12-16") == f"{POLICY}wix/2020-12-16"
    # an undated version by its name or by the date it is estimated at
    assert resolver.resolve(policy, "cloudtalk/undated-2018") == f"{POLICY}cloudtalk/undated-2018"
    assert resolver.resolve(policy, "CloudTalk/2018-05-25") == f"{POLICY}cloudtalk/undated-2018"
    # a parameter with no declared kind is not looked up, whatever its name
    assert resolver.resolve(Param("vendor", "xsd:string", "", ""), "Acme") == "Acme"
    with pytest.raises(UnknownValueError) as caught:
        resolver.resolve(vendor, "Acme")
    assert "wix" in caught.value.known and len(caught.value.known) == len(resolver.known("vendor"))
    assert curie("https://w3id.org/dpv/legal/eu/gdpr#A6-1-a") == "eu-gdpr:A6-1-a"


_SUPPLIER_QUERY = """#+ summary: versions of one supplier
#+ params:
#+   supplier: the supplier, as users write vendors
#+ kinds:
#+   supplier: vendor
PREFIX pkg: <https://w3id.org/policykg#>
SELECT DISTINCT ?version WHERE { ?v a pkg:PolicyVersion ; pkg:vendor/pkg:slug ?_supplier . BIND (STR(?v) AS ?version) }
ORDER BY ?version
"""


def test_a_parameter_declared_a_vendor_in_its_header_is_looked_up_as_one(
    runner: CliRunner, tmp_path: Path, shipped: LoadResult
) -> None:
    """The kind comes from the query file, not from the parameter's name: a new query's
    ?_supplier, declared a vendor, takes a vendor's label (before: 0 rows and exit 0)."""
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "supplier-versions.rq").write_text(_SUPPLIER_QUERY, encoding="utf-8")
    query = catalogue(folder)["supplier-versions"]
    assert query.params["supplier"].kind == "vendor"
    resolved = resolve_parameters(query, {"supplier": "CloudTalk"}, Resolver(store_select(shipped.store)))
    assert resolved == {"supplier": "cloudtalk"}
    versions = [str(row[0]) for row in run_local(shipped.store, query, bind_parameters(query, resolved)).rows]
    assert versions == [f"{POLICY}cloudtalk/2025-08-06", f"{POLICY}cloudtalk/undated-2018"]

    args = ["query", "--file", str(folder / "supplier-versions.rq"), "--format", "json", "--param"]
    result = runner.invoke(main, [*args, "supplier=CloudTalk"])
    assert result.exit_code == 0, result.output
    assert [r["version"] for r in json.loads(result.output)["rows"]] == versions
    unknown = runner.invoke(main, [*args, "supplier=Acme"])
    assert unknown.exit_code == 2 and "unknown vendor 'Acme' for parameter supplier" in unknown.output
    assert "cloudtalk" in unknown.output


@pytest.mark.parametrize(
    ("kinds", "problem"),
    [
        ("#+ kinds:\n#+   supplier: vendr\n", "kinds of supplier: unknown kind 'vendr' (known: vendor, "),
        ("#+ kinds:\n#+   seller: vendor\n", "the header describes parameter 'seller'"),
        ("#+ kinds: vendor\n", "decorator 'kinds' must map parameter names to values"),
    ],
)
def test_a_wrong_kind_is_a_clear_error(runner: CliRunner, tmp_path: Path, kinds: str, problem: str) -> None:
    path = tmp_path / "q.rq"
    path.write_text(_SUPPLIER_QUERY.replace("#+ kinds:\n#+   supplier: vendor\n", kinds), encoding="utf-8")
    result = runner.invoke(main, ["query", "--file", str(path), "--param", "supplier=cloudtalk"])
    assert result.exit_code == 2 and problem in result.output, result.output
    assert "Traceback" not in result.output


def test_the_catalogue_is_read_once_while_files_are_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "queries"
    shutil.copytree(project_paths().queries, folder)
    first = catalogue(folder)
    again = catalogue(folder)
    assert first.keys() == again.keys()
    assert all(first[name] is again[name] for name in first)  # no file read or parsed again
    path = folder / "policy-history.rq"
    path.write_text(
        path.read_text(encoding="utf-8").replace("#+ summary: A vendor", "#+ summary: One vendor")
    )
    changed = catalogue(folder)
    assert changed["policy-history"].summary.startswith("One vendor")
    assert changed["rights-per-vendor"] is first["rights-per-vendor"]


def test_a_remembered_syntax_check_never_hides_an_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYKG_CACHE_DIR", str(tmp_path / "cache"))
    good = tmp_path / "good.rq"
    good.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    assert runner.invoke(main, ["query", "--file", str(good)]).exit_code == 0
    assert any((tmp_path / "cache").iterdir()), "a query that parsed is remembered"
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s WHERE { ?s ?p \n}\n", encoding="utf-8")
    for _ in range(2):
        result = runner.invoke(main, ["query", "--file", str(bad)])
        assert result.exit_code == 2 and "SPARQL syntax error" in result.output


@pytest.mark.slow  # a real HTTP endpoint
def test_values_are_looked_up_where_the_query_runs(runner: CliRunner, shipped: LoadResult) -> None:
    import threading

    from policykg.serve import make_server

    server = make_server(shipped.store, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        args = ["query", "policy-history", "--endpoint", url, "--format", "json", "--param"]
        remote = runner.invoke(main, [*args, "vendor=CloudTalk"])
        assert remote.exit_code == 0, remote.output
        assert json.loads(remote.output)["rows"] == _rows(runner, "policy-history", "vendor=cloudtalk")
        unknown = runner.invoke(main, [*args, "vendor=Acme"])
        assert (
            unknown.exit_code == 2
            and "unknown vendor 'Acme'" in unknown.output
            and "cloudtalk" in unknown.output
        )
    finally:
        server.shutdown()
        server.server_close()

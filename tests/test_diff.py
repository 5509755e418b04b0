"""`policykg diff` (issue 16, item 2): facts added, removed and changed between two versions, with
the quotes of both sides. Before, only policy-history compared versions (purposes and
instruments, no quotes)."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from policykg.cli import main
from policykg.diff import ADDED, CHANGED, REMOVED, compare, diff_versions
from policykg.facts import Fact, Quote, Version, versions
from policykg.load import LoadResult
from policykg.paths import project_paths

PKG = "https://w3id.org/policykg#"
WIX_2018, WIX_2020 = "wix/2018-05-10", "wix/2020-12-16"


def _text_of(version: str) -> str:
    return (project_paths().data / f"{version}.txt").read_text(encoding="utf-8")


def test_diff_shows_the_instrument_change_with_both_quotes(runner: CliRunner) -> None:
    result = runner.invoke(main, ["diff", WIX_2018, WIX_2020])
    assert result.exit_code == 0, result.output
    out = result.output
    transfers = out[out.index("CHANGED transfer mechanism relied upon") :]
    assert "- EU-US Privacy Shield" in transfers
    assert "has certified its compliance with, the EU-U.S. Privacy Shield Framework" in transfers  # 2018 side
    assert "+ Standard contractual clauses, Decision 2010/87/EU" in transfers
    assert "in accordance with the the Standard Contractual Clauses (2010/87/EU)" in transfers  # 2020 side
    assert "ADDED says it does not rely on" in out and "Wix does not rely on the Privacy Shield" in out


def test_diff_json_quotes_are_verbatim_at_their_offsets(runner: CliRunner) -> None:
    result = runner.invoke(main, ["diff", WIX_2018, WIX_2020, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["old"]["name"] == WIX_2018 and document["new"]["name"] == WIX_2020
    relied = [c for c in document["changes"] if c["aspect"] == "transfer mechanism relied upon"]
    assert len(relied) == 1 and relied[0]["kind"] == CHANGED
    assert {f["valueIri"] for f in relied[0]["old"]} == {
        f"{PKG}EU-US-PrivacyShield",
        f"{PKG}Swiss-US-PrivacyShield",
    }
    assert f"{PKG}SCC-2010-87" in {f["valueIri"] for f in relied[0]["new"]}
    for change in document["changes"]:
        for side, version in (("old", WIX_2018), ("new", WIX_2020)):
            text = _text_of(version)
            for fact in change[side]:
                assert fact["quotes"], fact
                for quote in fact["quotes"]:
                    assert text[quote["start"] : quote["end"]] == quote["text"]
    # the controller is minted anew in each version: compared by its name, it did not change
    assert not [c for c in document["changes"] if c["aspect"] == "controller"]
    assert document["summary"]["changed"] == sum(1 for c in document["changes"] if c["kind"] == CHANGED)


def test_diff_markdown(runner: CliRunner) -> None:
    result = runner.invoke(main, ["diff", WIX_2018, WIX_2020, "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Wix 2018-05-10")
    assert "## Transfers" in result.output and "- **changed** transfer mechanism relied upon" in result.output
    assert "> Swiss-U.S. Privacy Shield Disclosure" in result.output


def test_a_vendor_alone_compares_its_last_two_versions(runner: CliRunner, shipped: LoadResult) -> None:
    own = [v for v in versions(shipped.store) if v.vendor_slug == "wix"]
    assert len(own) >= 2
    result = runner.invoke(main, ["diff", "Wix", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["old"]["iri"], document["new"]["iri"]) == (own[-2].iri, own[-1].iri)


def test_bad_versions_are_exit_2(runner: CliRunner) -> None:
    cases = [
        (["diff", "talkdesk"], "a vendor with two versions or more"),
        (["diff", "wix/2019-01-01", WIX_2020], "talkdesk/2019-12-31"),  # the known versions are listed
        (["diff", WIX_2020, WIX_2020], "two different versions"),
        (["diff", "Acme"], "unknown vendor 'Acme'"),
    ]
    for args, fragment in cases:
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert fragment in result.output and "Traceback" not in result.output


def _fact(aspect: str, value: str, quote: str, start: int) -> Fact:
    return Fact(
        "transfers", aspect, "the policy", "", value, value, "p", [Quote(start, start + len(quote), quote)]
    )


def test_compare_pairs_lost_and_gained_values_of_one_aspect() -> None:
    old = Version("o", "v", "V", "v", date(2018, 1, 1), True, False, "", "")
    new = Version("n", "v", "V", "v", date(2020, 1, 1), True, False, "", "")
    kept = _fact("right", "A15", "access", 1)
    diff = compare(
        old,
        new,
        [
            kept,
            _fact("relied", "PS", "we rely on Privacy Shield", 5),
            _fact("mentions", "SH", "Safe Harbor", 9),
        ],
        [kept, _fact("relied", "DPF", "we rely on the DPF", 7), _fact("claims", "DPF", "we comply", 3)],
    )
    kinds = {c.aspect: c.kind for c in diff.changes}
    assert kinds == {"relied": CHANGED, "mentions": REMOVED, "claims": ADDED}
    relied = next(c for c in diff.changes if c.aspect == "relied")
    assert [f.quotes[0].text for f in relied.old + relied.new] == [
        "we rely on Privacy Shield",
        "we rely on the DPF",
    ]
    assert diff.unchanged == 1
    assert diff.counts() == {ADDED: 1, REMOVED: 1, CHANGED: 1}


def test_the_library_and_the_command_agree(runner: CliRunner, shipped: LoadResult) -> None:
    by_slug = {v.slug: v for v in versions(shipped.store)}
    library = diff_versions(shipped.store, by_slug[WIX_2018], by_slug[WIX_2020])
    document = json.loads(runner.invoke(main, ["diff", WIX_2018, WIX_2020, "--format", "json"]).output)
    assert [(c.kind, c.aspect) for c in library.changes] == [
        (c["kind"], c["aspect"]) for c in document["changes"]
    ]

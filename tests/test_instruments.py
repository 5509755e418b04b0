"""Instrument status on a date: every instrument, every event boundary (day before / day of)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from policykg.cli import main
from policykg.instruments import find_instrument, load_instruments, status_on
from policykg.ontology import load_ontology

INSTRUMENTS = load_instruments(load_ontology())

# (instrument, date, expected state) from ../shared/reference/transfer-frameworks.md
BOUNDARIES = [
    ("safe-harbor-eu-us", "2000-07-25", "not-in-force"),
    ("safe-harbor-eu-us", "2000-07-26", "valid"),
    ("safe-harbor-eu-us", "2015-10-05", "valid"),
    ("safe-harbor-eu-us", "2015-10-06", "invalid"),
    ("privacy-shield-eu-us", "2016-07-11", "not-in-force"),
    ("privacy-shield-eu-us", "2016-07-12", "valid"),
    ("privacy-shield-eu-us", "2020-07-15", "valid"),
    ("privacy-shield-eu-us", "2020-07-16", "invalid"),
    ("privacy-shield-swiss-us", "2017-04-11", "not-in-force"),
    ("privacy-shield-swiss-us", "2017-04-12", "valid"),
    ("privacy-shield-swiss-us", "2020-09-07", "valid"),
    ("privacy-shield-swiss-us", "2020-09-08", "not-recognised"),
    ("dpf-eu-us", "2023-07-09", "not-in-force"),
    ("dpf-eu-us", "2023-07-10", "valid"),
    ("dpf-uk-extension", "2023-10-11", "not-in-force"),
    ("dpf-uk-extension", "2023-10-12", "valid"),
    ("dpf-swiss-us", "2024-09-14", "not-in-force"),
    ("dpf-swiss-us", "2024-09-15", "valid"),
    ("scc-2001-497", "2001-06-14", "not-in-force"),
    ("scc-2001-497", "2021-09-26", "valid"),
    ("scc-2001-497", "2021-09-27", "closed-to-new-contracts"),
    ("scc-2001-497", "2022-12-27", "closed-to-new-contracts"),
    ("scc-2001-497", "2022-12-28", "invalid"),
    ("scc-2004-915", "2004-12-26", "not-in-force"),
    ("scc-2004-915", "2021-09-26", "valid"),
    ("scc-2004-915", "2021-09-27", "closed-to-new-contracts"),
    ("scc-2004-915", "2022-12-28", "invalid"),
    ("scc-2010-87", "2010-02-04", "not-in-force"),
    ("scc-2010-87", "2021-09-26", "valid"),
    ("scc-2010-87", "2021-09-27", "closed-to-new-contracts"),
    ("scc-2010-87", "2022-01-01", "closed-to-new-contracts"),
    ("scc-2010-87", "2022-12-27", "closed-to-new-contracts"),
    ("scc-2010-87", "2022-12-28", "invalid"),
    ("scc-2021-914", "2021-06-26", "not-in-force"),
    ("scc-2021-914", "2021-06-27", "valid"),
    ("scc-2021-914", "2026-11-23", "valid"),
    # instruments outside the EU list that drafts record as "other"
    ("uk-idta", "2022-03-20", "not-in-force"),
    ("uk-idta", "2022-03-21", "valid"),
    ("apec-cbpr", "2026-11-23", "valid"),
]


@pytest.mark.parametrize(("slug", "day", "state"), BOUNDARIES)
def test_status_at_each_boundary(slug: str, day: str, state: str) -> None:
    assert status_on(INSTRUMENTS[slug], date.fromisoformat(day)).state == state


def test_every_instrument_is_covered_by_the_boundary_table() -> None:
    assert {slug for slug, _, _ in BOUNDARIES} == set(INSTRUMENTS)
    assert len(INSTRUMENTS) == 12


def test_every_event_changes_or_annotates_status_exactly_on_its_date() -> None:
    for instrument in INSTRUMENTS.values():
        for event in instrument.events:
            before = status_on(instrument, event.on - timedelta(days=1))
            on_day = status_on(instrument, event.on)
            assert (
                before.state,
                before.pending_challenges,
                before.superseded_by,
                before.update_deadline,
            ) != (
                on_day.state,
                on_day.pending_challenges,
                on_day.superseded_by,
                on_day.update_deadline,
            ), event.iri
            assert event.sources, f"{event.iri} has no source"


def test_dpf_challenge_opens_closes_and_reopens_on_appeal() -> None:
    dpf = INSTRUMENTS["dpf-eu-us"]

    def cases(day: str) -> list[str | None]:
        return [e.case_number for e in status_on(dpf, date.fromisoformat(day)).pending_challenges]

    assert cases("2023-09-05") == []
    assert cases("2023-09-06") == ["T-553/23"]
    assert cases("2025-09-02") == ["T-553/23"]
    assert cases("2025-09-03") == []
    assert cases("2025-10-30") == []
    assert cases("2025-10-31") == ["C-703/25 P"]


def test_cli_privacy_shield_day_before_and_day_of_schrems_ii(runner: CliRunner) -> None:
    before = runner.invoke(main, ["instrument-status", "privacy-shield-eu-us", "--on", "2020-07-15"])
    assert before.exit_code == 0
    assert ": valid" in before.output
    after = runner.invoke(main, ["instrument-status", "privacy-shield-eu-us", "--on", "2020-07-16"])
    assert after.exit_code == 0
    assert "invalid since 2020-07-16" in after.output and "C-311/18" in after.output


def test_cli_scc_2010_87_closed_to_new_contracts(runner: CliRunner) -> None:
    result = runner.invoke(main, ["instrument-status", "scc-2010-87", "--on", "2022-01-01"])
    assert "no new contracts since 2021-09-27" in result.output


def test_cli_dpf_today_valid_under_challenge_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["instrument-status", "dpf-eu-us", "--on", "2026-11-23", "--format", "json"])
    data = json.loads(result.output)
    assert data["state"] == "valid"
    assert data["pending_challenges"] == ["C-703/25 P"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["instrument-status", "privacy-sheild"], "unknown instrument 'privacy-sheild'"),
        (["instrument-status", "dpf-eu-us", "--on", "2020-13-45"], "invalid date '2020-13-45'"),
        (["instrument-status", "dpf-eu-us", "--on", "16/01/18"], "expected YYYY-MM-DD"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(runner: CliRunner, args: list[str], fragment: str) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_find_instrument_accepts_iri_and_local_name() -> None:
    assert find_instrument(INSTRUMENTS, "pkg:EU-US-PrivacyShield").slug == "privacy-shield-eu-us"
    assert find_instrument(INSTRUMENTS, "https://w3id.org/policykg#SCC-2010-87").slug == "scc-2010-87"

"""Policy dates parsed in the notation the text uses."""

from __future__ import annotations

import pytest


def test_dates_parse_in_the_texts_notation() -> None:
    from datetime import date

    from policykg.dates import parse_policy_date
    from policykg.errors import BadValueError

    assert parse_policy_date("16/01/18", "D/M/Y") == date(2018, 1, 16)
    assert parse_policy_date("Feb 2nd, 2018", "Month D, Y") == date(2018, 2, 2)
    assert parse_policy_date("December 31, 2019", "Month D, Y") == date(2019, 12, 31)
    assert parse_policy_date("6 August 2025", "D Month Y") == date(2025, 8, 6)
    with pytest.raises(BadValueError):
        parse_policy_date("16/13/18", "D/M/Y")

"""Dates: strict ISO parsing for user input, and policy dates in the notation a text uses.

Policies print dates in many notations. ``16/01/18`` on a UK policy is 16 January 2018
(day/month/year); the annotation records the notation so the parse can be re-checked.
"""

from __future__ import annotations

import re
from datetime import date

from .errors import BadValueError

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def parse_iso_date(text: str, what: str = "date") -> date:
    """Parse YYYY-MM-DD strictly (no week dates, no compact forms)."""
    if not _ISO.match(text.strip()):
        raise BadValueError(what, text, "YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as err:
        raise BadValueError(what, text, f"a real calendar date ({err})") from None


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if len(text) == 2 else value


def parse_policy_date(text: str, notation: str) -> date:
    """Parse a date as printed in a policy, in the stated ``notation``.

    Notations: ``D/M/Y`` (16/01/18), ``M/D/Y`` (01/16/18), ``D Month Y`` (6 August 2025),
    ``Month D, Y`` (December 31, 2019; Feb 2nd, 2018), ``ISO`` (2018-01-16).
    Two-digit years are 20YY: the project covers policies from the GDPR era onwards.
    """
    raw = text.strip()
    try:
        if notation in ("D/M/Y", "M/D/Y"):
            parts = re.split(r"[/.\-]", raw)
            if len(parts) != 3:
                raise ValueError("expected three numbers")
            first, second, year = int(parts[0]), int(parts[1]), _year(parts[2])
            day, month = (first, second) if notation == "D/M/Y" else (second, first)
            return date(year, month, day)
        if notation == "D Month Y":
            match = re.match(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$", raw)
            if not match:
                raise ValueError("expected e.g. '6 August 2025'")
            return date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
        if notation == "Month D, Y":
            match = re.match(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", raw)
            if not match:
                raise ValueError("expected e.g. 'December 31, 2019'")
            return date(int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
        if notation == "ISO":
            return parse_iso_date(raw)
    except (ValueError, KeyError) as err:
        raise BadValueError("policy date", text, f"notation {notation} ({err})") from None
    raise BadValueError("date notation", notation, "D/M/Y, M/D/Y, D Month Y, Month D, Y or ISO")

"""Dates: strict ISO parsing for user input, and policy dates in the notation a text uses.

Policies print dates in many notations. ``16/01/18`` on a UK policy is 16 January 2018
(day/month/year); the annotation records the notation so the parse can be re-checked.
"""

from __future__ import annotations

import re
from datetime import date

from .errors import BadValueError

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")  # ASCII digits; \Z: "$" would let a final newline in
_MONTH_NAMES: list[tuple[str, ...]] = [
    # English, French, German, Italian, Spanish, Dutch, Portuguese
    ("jan", "january", "janvier", "januar", "jänner", "gennaio", "enero", "januari", "janeiro"),
    ("feb", "february", "février", "fevrier", "februar", "febbraio", "febrero", "februari", "fevereiro"),
    ("mar", "march", "mars", "märz", "maerz", "marzo", "maart", "março"),
    ("apr", "april", "avril", "aprile", "abril"),
    ("may", "mai", "maggio", "mayo", "mei", "maio"),
    ("jun", "june", "juin", "juni", "giugno", "junio", "junho"),
    ("jul", "july", "juillet", "juli", "luglio", "julio", "julho"),
    ("aug", "august", "août", "aout", "agosto", "augustus"),
    ("sep", "sept", "september", "septembre", "settembre", "septiembre", "setembro"),
    ("oct", "october", "octobre", "oktober", "ottobre", "octubre", "outubro"),
    ("nov", "november", "novembre", "noviembre", "novembro"),
    ("dec", "december", "décembre", "decembre", "dezember", "dicembre", "diciembre", "dezembro"),
]
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}
MONTH_WORD = r"[^\W\d_]+"
"""A month name as matched in a date; ``month_number`` says whether it is one."""


def month_number(word: str) -> int | None:
    return _MONTHS.get(word.lower().rstrip("."))


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

    Notations: ``D/M/Y`` (16/01/18), ``M/D/Y`` (01/16/18), ``D Month Y`` (6 August 2025,
    18th of March, 2025, 8 janvier 2019), ``Month D, Y`` (December 31, 2019; Feb 2nd, 2018),
    ``Month Y`` (September 2020: only the month is stated, read as its first day), ``ISO``
    (2018-01-16). Month names in English, French, German, Italian, Spanish, Dutch, Portuguese.
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
            match = re.match(
                rf"^(\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:of\s+|de\s+)?({MONTH_WORD})\.?,?\s+(?:de\s+)?(\d{{4}})$",
                raw,
            )
            if not match:
                raise ValueError("expected e.g. '6 August 2025'")
            return date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
        if notation == "Month D, Y":
            match = re.match(rf"^({MONTH_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$", raw)
            if not match:
                raise ValueError("expected e.g. 'December 31, 2019'")
            return date(int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
        if notation == "Month Y":
            match = re.match(rf"^({MONTH_WORD})\.?,?\s+(\d{{4}})$", raw)
            if not match:
                raise ValueError("expected e.g. 'September 2020'")
            return date(int(match[2]), _MONTHS[match[1].lower()], 1)
        if notation == "ISO":
            return parse_iso_date(raw)
    except (ValueError, KeyError) as err:
        raise BadValueError("policy date", text, f"notation {notation} ({err})") from None
    raise BadValueError("date notation", notation, "D/M/Y, M/D/Y, D Month Y, Month D, Y, Month Y or ISO")

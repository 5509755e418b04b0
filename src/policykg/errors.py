"""Typed errors. The CLI maps each to a one-line message and an exit code."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


T = TypeVar("T")


class PolicyKGError(Exception):
    """Base class: bad input or usage. Exit code 2."""

    exit_code = EXIT_BAD_INPUT


class InputFileError(PolicyKGError):
    """A file is missing or malformed; carries file and line so the user can fix it."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {message}")


class UnknownTermError(PolicyKGError):
    """A name (instrument, query, parameter, vocabulary term) that the project does not know."""

    def __init__(self, kind: str, value: str, known: list[str] | None = None) -> None:
        self.kind = kind
        self.value = value
        hint = ""
        if known:
            shown = ", ".join(sorted(known)[:12])
            more = " ..." if len(known) > 12 else ""
            hint = f" (known: {shown}{more})"
        super().__init__(f"unknown {kind} {value!r}{hint}")


class BadValueError(PolicyKGError):
    """A value given by the user does not parse (a date, a parameter)."""

    def __init__(self, what: str, value: str, expected: str) -> None:
        self.what = what
        self.value = value
        super().__init__(f"invalid {what} {value!r}: expected {expected}")


def known(registry: Mapping[str, T], name: str, what: str) -> T:
    """``registry[name]``, or a BadValueError that lists the names there are (formats, profiles)."""
    try:
        return registry[name]
    except KeyError:
        raise BadValueError(what, name, " | ".join(registry)) from None

"""The text an extraction reads, and the sentences it quotes from.

Offsets in drafts count code points of the *stored* text: plain text and Markdown are stored
as read (UTF-8), HTML is first turned into text by inscriptis (a maintained HTML-to-text
converter that keeps the page's layout), and that text is what is stored and quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import InputFileError

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html\b|<head\b|<body\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]*_]*[ \t]+(?=[\"“‘(\[*_]*[A-Z0-9À-Ý])")
_LINE = re.compile(r"[^\n]*\n?")
_LIST_ITEM = re.compile(r"\s*(?:[-*+•]\s|\d+[.)]\s|\(?[a-z]\)\s|\(?[ivx]+\)\s)")


_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Inc|Ltd|Corp|Co|No|no|Nr|nr|Art|art|Abs|abs|Nr|Sec|St|Mr|Mrs|Ms|Dr|e\.g|i\.e|etc|vs|cf|approx|incl|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|para|lit|S\.A|S\.A\.S|B\.V)\.)[\"”’)\]*_]*$"
)


def _after_abbreviation(text: str, end: int) -> bool:
    """A full stop that ends an abbreviation ("U.S.", "Inc.", "e.g.", "Art.") ends no sentence."""
    return bool(_ABBREVIATION.search(text[max(0, end - 12) : end]))


@dataclass(frozen=True)
class Span:
    """A piece of the stored text: ``text[start:end]``."""

    start: int
    end: int
    text: str


def html_to_text(html: str) -> str:
    from inscriptis import get_text

    return str(get_text(html))


def read_policy_text(path: Path) -> str:
    """Read a policy as text; HTML is converted. Binary, empty or undecodable input is refused."""
    if not path.is_file():
        raise InputFileError(path, "policy text not found")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise InputFileError(path, "binary file, expected plain text, Markdown or HTML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputFileError(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    if path.suffix.lower() in HTML_SUFFIXES or _HTML_SNIFF.match(text):
        text = html_to_text(text)
    if not text.strip():
        raise InputFileError(path, "empty policy text")
    return text


class PolicyText:
    """A policy's stored text with its sentences (offsets into the text)."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def sentences(self) -> list[Span]:
        """Sentences within blocks. A line break ends a block unless the line wraps running
        prose (it ends in a letter or comma and the next line goes on in lower case)."""
        spans: list[Span] = []
        for block_start, block_end in self._blocks():
            start = block_start
            for match in _SENTENCE_END.finditer(self.text, block_start, block_end):
                if _after_abbreviation(self.text, match.start()):
                    continue
                self._add(spans, start, match.start())
                start = match.end()
            self._add(spans, start, block_end)
        return spans

    def _blocks(self) -> list[tuple[int, int]]:
        blocks: list[tuple[int, int]] = []
        start = 0
        text = self.text
        for m in _LINE.finditer(text):
            if not m.group(0):
                break
            end = m.end()
            line = m.group(0).rstrip("\n").rstrip()
            following = text[end : end + 1]
            wraps = bool(line) and line[-1:].isalpha() | (line[-1:] in ",-") and following[:1].islower()
            if not wraps:
                blocks.append((start, end))
                start = end
        if start < len(text):
            blocks.append((start, len(text)))
        return blocks

    def _add(self, spans: list[Span], start: int, end: int) -> None:
        piece = self.text[start:end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail > lead:
            spans.append(Span(start + lead, start + trail, piece[lead:trail]))

    def lead_in(self, sentence: Span) -> str:
        """What a sentence inherits from its structure: a table row its table's header row, a
        list item the line that introduces the list ("You have the following rights:")."""
        line_start = self.text.rfind("\n", 0, sentence.start) + 1
        line = self.text[line_start : sentence.end]
        if line.lstrip().startswith("|"):
            return self._table_header(line_start)
        if _LIST_ITEM.match(line):
            return self._list_lead(line_start)
        return ""

    def _table_header(self, line_start: int) -> str:
        header = ""
        position = line_start
        while position > 0:
            previous = self.text.rfind("\n", 0, position - 1) + 1
            row = self.text[previous:position].strip()
            if not row.startswith("|"):
                break
            if not re.fullmatch(r"[|:\-\s]+", row):
                header = row
            position = previous
        return header

    def _list_lead(self, line_start: int) -> str:
        position = line_start
        for _ in range(30):
            if position <= 0:
                return ""
            previous = self.text.rfind("\n", 0, position - 1) + 1
            row = self.text[previous:position].strip()
            if row and not _LIST_ITEM.match(row):
                return row
            position = previous
        return ""

    def sentence_at(self, offset: int) -> Span:
        for span in self.sentences:
            if span.start <= offset < span.end:
                return span
        return Span(offset, offset, "")

    def quote(self, start: int, end: int) -> Span:
        """A verbatim quote for ``text[start:end]``, trimmed of whitespace and Markdown marks
        at its ends so that it reads as a clause."""
        piece = self.text[start:end]
        left = len(piece) - len(piece.lstrip(" \t\n*_#>-|"))
        right = len(piece.rstrip(" \t\n*_#>|"))
        if right <= left:
            return Span(start, end, piece)
        return Span(start + left, start + right, piece[left:right])

    def clause(self, sentence: Span, match_start: int, match_end: int, limit: int = 320) -> Span:
        """The quote for a match: its sentence, or, in a long sentence, the clause around it."""
        if sentence.end - sentence.start <= limit:
            return self.quote(sentence.start, sentence.end)
        lo, hi = match_start, match_end
        boundaries = ",;:(\n"
        while lo > sentence.start and hi - lo < limit // 2:
            lo -= 1
            if self.text[lo] in boundaries and hi - lo > 40:
                lo += 1
                break
        while hi < sentence.end and hi - lo < limit:
            if self.text[hi] in boundaries.replace("(", ")") and hi - match_end > 40:
                break
            hi += 1
        return self.quote(lo, hi)

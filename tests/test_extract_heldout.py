"""The held-out set (tests/fixtures/extract-heldout): ten policy texts written for an independent
check of `policykg extract`, never used to tune its rules. These tests assert only what must hold
whatever the tuning: the evaluation runs through the CLI and scores every policy, every drafted
quote is verbatim at its offsets, and the gold's own evidence is text of the policies. Scores are
deliberately not asserted (they are reported, not pinned)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from policykg.cli import main
from policykg.extract.detect import extract_text
from policykg.extract.model import Extraction
from policykg.extract.rules import load_rules
from policykg.extract.text import Span, read_policy_text

HELDOUT = Path(__file__).parent / "fixtures" / "extract-heldout"
GOLD = HELDOUT / "gold.yaml"
ENTRIES: list[dict[str, Any]] = yaml.safe_load(GOLD.read_text(encoding="utf-8"))


def _spans(x: Extraction) -> list[Span]:
    """Every quote an extraction drafts, including the optional ones of entities and the date."""
    findings = [
        *x.transfers,
        *x.legal_bases,
        *x.rights,
        *x.emails,
        *x.retention,
        *x.disputes,
        *x.purposes,
        *x.personal_data,
    ]
    if x.processor_role is not None:
        findings.append(x.processor_role)
    spans = [f.quote for f in findings]
    if x.date is not None:
        spans.append(x.date.quote)
    for entity in x.controllers:
        spans += [s for s in (entity.quote, entity.country_quote, entity.address, entity.registration) if s]
    return spans


def test_the_set_has_ten_texts_in_several_formats() -> None:
    files = [HELDOUT / e["file"] for e in ENTRIES]
    assert len(ENTRIES) == 10 and len({e["id"] for e in ENTRIES}) == 10
    assert all(f.is_file() for f in files)
    assert {f.suffix for f in files} >= {".md", ".txt", ".html"}


def test_extract_eval_scores_every_heldout_policy(tmp_path: Path) -> None:
    out = tmp_path / "heldout.json"
    result = CliRunner().invoke(main, ["extract-eval", "--gold", str(GOLD), "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["policies"] == len(ENTRIES)
    assert [p["id"] for p in report["per_policy"]] == [e["id"] for e in ENTRIES]
    for policy, entry in zip(report["per_policy"], ENTRIES, strict=True):
        assert policy["date"]["gold"] == (str(entry["policy_date"]) if entry["policy_date"] else "none")
    for name, score in report["categories"].items():
        assert score["tp"] + score["fn"] + score["fp"] > 0, f"{name}: nothing scored"
    assert "policy date exact:" in result.output


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_every_drafted_quote_is_verbatim_at_its_offsets(entry: dict[str, Any]) -> None:
    text = read_policy_text(HELDOUT / entry["file"])
    spans = _spans(extract_text(text, load_rules()))
    assert spans, "nothing drafted"
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text


def _evidence(node: Any) -> list[str]:
    if isinstance(node, dict):
        out: list[str] = []
        for key, value in node.items():
            quoted = key == "evidence" or key.endswith("_evidence") or key == "quote"
            out += [value] if quoted and isinstance(value, str) else _evidence(value)
        return out
    if isinstance(node, list):
        return [q for item in node for q in _evidence(item)]
    return []


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_gold_evidence_is_text_of_the_policy(entry: dict[str, Any]) -> None:
    """The gold records what the text says: each evidence string is in it (whitespace
    normalised) and shorter than 30 words, as in ../shared/corpus/gold.yaml."""
    text = " ".join(read_policy_text(HELDOUT / entry["file"]).split())
    quotes = _evidence(entry)
    assert quotes
    for quote in quotes:
        assert " ".join(quote.split()) in text, quote
        assert len(quote.split()) < 30, quote

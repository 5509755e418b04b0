"""The held-out sets for the extractor (tests/fixtures/extract-heldout*/): invented policies whose
texts and gold were written by engineers who had not read the rules, each scored blind on the
rules of its day (figures in README, "Extraction"). These tests assert only what must hold
whatever the scores: extract-eval runs through the CLI and scores every policy, every quote the
extractor drafts is verbatim at its offsets in the stored text, and the gold's own evidence is
text of its policy. Scores are never pinned here: a set is a measurement, not a target."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from policykg.cli import main
from policykg.extract.detect import extract_text
from policykg.extract.rules import load_rules
from policykg.extract.text import read_policy_text

FIXTURES = Path(__file__).parent / "fixtures"
# set -> (number of policies, the file formats it must keep)
SETS: dict[str, tuple[int, set[str]]] = {
    "extract-heldout": (10, {".md", ".txt", ".html"}),
    "extract-heldout2": (12, {".md", ".txt", ".html"}),
    "extract-heldout3": (12, {".txt", ".html"}),
    "extract-heldout4": (12, {".txt", ".html", ".md"}),
    "extract-heldout5": (10, {".txt", ".html", ".md"}),
}


def _entries(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load((FIXTURES / name / "gold.yaml").read_text(encoding="utf-8"))
    return data


POLICIES = [
    pytest.param(name, entry, id=f"{name}/{entry['id']}") for name in SETS for entry in _entries(name)
]


def _gold_quotes(node: Any, key: str = "") -> list[str]:
    """Every evidence string of a gold entry (evidence, *_evidence, retention.quote)."""
    if isinstance(node, dict):
        out: list[str] = []
        for k, v in node.items():
            if isinstance(v, str) and (
                k == "evidence" or k.endswith("_evidence") or (key == "retention" and k == "quote")
            ):
                out.append(v)
            else:
                out += _gold_quotes(v, k)
        return out
    if isinstance(node, list):
        return [q for item in node for q in _gold_quotes(item, key)]
    return []


@pytest.mark.parametrize("name", SETS)
def test_each_set_keeps_its_policies_and_formats(name: str) -> None:
    count, formats = SETS[name]
    entries = _entries(name)
    files = [FIXTURES / name / e["file"] for e in entries]
    assert len(entries) == count and len({e["id"] for e in entries}) == count
    assert all(f.is_file() for f in files)
    assert {f.suffix for f in files} >= formats


@pytest.mark.parametrize("name", SETS)
def test_extract_eval_scores_every_policy_through_the_cli(name: str, tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    gold = FIXTURES / name / "gold.yaml"
    result = CliRunner().invoke(main, ["extract-eval", "--gold", str(gold), "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    entries = _entries(name)
    assert report["policies"] == len(entries)
    assert [p["id"] for p in report["per_policy"]] == [e["id"] for e in entries]
    for policy, entry in zip(report["per_policy"], entries, strict=True):
        assert policy["date"]["gold"] == (str(entry["policy_date"]) if entry["policy_date"] else "none")
    for category, score in report["categories"].items():
        assert score["tp"] + score["fn"] > 0, f"{category}: the gold holds nothing to score"
    assert "policy date exact:" in result.output


@pytest.mark.parametrize(("name", "entry"), POLICIES)
def test_every_drafted_quote_is_verbatim_at_its_offsets(name: str, entry: dict[str, Any]) -> None:
    text = read_policy_text(FIXTURES / name / entry["file"])
    spans = extract_text(text, load_rules()).quotes()
    assert spans, "nothing drafted"
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text


@pytest.mark.parametrize(("name", "entry"), POLICIES)
def test_gold_evidence_is_text_of_its_policy(name: str, entry: dict[str, Any]) -> None:
    """The gold quotes what the extractor reads (for HTML: the stored text after conversion)."""
    text = " ".join(read_policy_text(FIXTURES / name / entry["file"]).split())
    quotes = _gold_quotes(entry)
    assert quotes
    for quote in quotes:
        assert " ".join(quote.split()) in text, quote

"""policykg build, the main job: summary and headline answer, atomic output, clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from policykg.cli import main

from .conftest import needs_java, needs_seeds


@pytest.mark.slow  # the whole build, HermiT included
@needs_seeds
@needs_java
def test_build_prints_summary_and_headline_answer(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "policykg.trig"
    result = runner.invoke(main, ["build", "--as-of", "2026-11-23", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "loaded 25 policy versions" in result.output  # 5 reviewed seeds, 20 drafted corpus policies
    assert re.search(r"evidence: \d+ quotes checked, 0 mismatches", result.output)
    assert "reasoning: HermiT: consistent" in result.output
    assert "validation (data profile): 0 violations" in result.output
    assert (
        "still cites Privacy Shield: 8x8 (draft), CloudCall, Evernote (draft), SurveyMonkey / Momentive (draft), Talkdesk"
        in result.output
    )
    dataset = Dataset()
    dataset.parse(out, format="trig")
    assert len({g.identifier for g in dataset.graphs() if len(g)}) == 27


def test_failed_build_leaves_previous_output_untouched(
    runner: CliRunner, tmp_path: Path, data_copy: Path
) -> None:
    out = tmp_path / "policykg.trig"
    out.write_text("previous export\n", encoding="utf-8")
    (data_copy / "cloudcall" / "2018-01-16.trig").write_text("this is not TriG {", encoding="utf-8")
    result = runner.invoke(main, ["build", "--data-dir", str(data_copy), "--output", str(out), "--no-reason"])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous export\n"


@pytest.mark.slow  # the whole build before the write fails
def test_write_into_missing_directory_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", "--no-reason", "--output", str(tmp_path / "nope" / "x.trig")])
    assert result.exit_code == 2
    assert "output directory does not exist" in result.output

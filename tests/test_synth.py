"""`synth` writes the same corpus for the same seed: the fast text writer (issue 19) reproduces,
triple for triple, the corpora of the rdflib-Graph generator it replaced (without the negative and
limiting statements added since), and every run gives the same bytes. The contradictions it plants
among those statements are the ones the compliance rules find."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.planted import planted_contradictions
from policykg.cli import main
from policykg.load import load_project
from policykg.synthetic.corpus import generate, load_plan
from policykg.validation import validate_store

# Digests of corpora written by the previous generator (rdflib Graph + N-Quads serialiser, commit
# a59c748), which wrote no negative or limiting statements (statements=False: every other draw is
# unchanged). Its line order followed Python's randomised string hashing, so each file's lines are
# compared sorted; texts, catalogue and plan.json byte for byte.
BEFORE = {
    (40, 7, (10, 30)): "516c2b2cdd7b4dea05b20901a4265f7c4dd43b962f8270219268edcb45569762",
    (60, 1, (1, 2)): "ae88ba9f1196c14414975502485dbce61fb33273367fbe7c0b37398fe7598565",
}


def corpus_digest(out: Path, sort_lines: bool = True) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(out)).encode())
        data = path.read_bytes()
        if sort_lines and path.suffix == ".nq":
            data = b"".join(sorted(data.splitlines(keepends=True)))
        digest.update(data)
    return digest.hexdigest()


@pytest.mark.parametrize(("size", "seed", "processes"), sorted(BEFORE))
def test_same_seed_gives_the_corpus_of_the_previous_generator(
    size: int, seed: int, processes: tuple[int, int], tmp_path: Path
) -> None:
    generate(size, seed, tmp_path, processes=processes, statements=False)
    assert corpus_digest(tmp_path) == BEFORE[size, seed, processes]


def test_two_runs_write_the_same_bytes_and_another_seed_another_corpus(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(25, seed, tmp_path / name, processes=(2, 4))
    first = corpus_digest(tmp_path / "a", sort_lines=False)
    assert corpus_digest(tmp_path / "b", sort_lines=False) == first
    assert corpus_digest(tmp_path / "c", sort_lines=False) != first


def test_synth_command_writes_a_whole_corpus_and_refuses_a_bad_range(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["synth", "--policies", "12", "--seed", "2", "--output", str(tmp_path / "c")])
    assert done.exit_code == 0, done.output
    assert "12 policy versions" in done.output
    assert len(list((tmp_path / "c" / "data").glob("*.nq"))) == 12
    assert (tmp_path / "c" / "plan.json").is_file()
    bad = runner.invoke(
        main, ["synth", "--policies", "3", "--processes", "5-2", "--output", str(tmp_path / "d")]
    )
    assert bad.exit_code == 2 and "MIN-MAX" in bad.output


def test_planted_contradictions_are_the_ones_the_compliance_rules_find(tmp_path: Path) -> None:
    """Each contradiction rule that reads negative or limiting statements reports exactly the versions
    where synth planted one (one finding each), and the statements that do not contradict anything
    (the sale denied everywhere, the "only" statements that list everything) give none."""
    plan = generate(400, 9, tmp_path, processes=(1, 2))
    planted = planted_contradictions(plan)
    made = [v.statements for vs in plan.versions.values() for v in vs]
    # "only by the vendor and its service providers" against a partner: one finding, not one per recipient
    assert any(st.only_by == "vendor+providers" and st.partner for st in made)
    assert all(planted.values()), planted  # every rule has something to find
    assert planted_contradictions(load_plan(tmp_path / "plan.json")) == planted  # plan.json keeps them
    assert sum(st.no_sale for st in made) > 100  # and statements that contradict nothing
    report = validate_store(load_project(data_dir=tmp_path / "data").store, profile="compliance")
    for shape, expected in planted.items():
        found = [f.policy for f in report.findings if f.shape.endswith(f"#{shape}")]
        assert sorted(found) == sorted(expected), shape

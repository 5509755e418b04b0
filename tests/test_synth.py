"""`synth` writes the same corpus for the same seed: the fast text writer (issue 19) reproduces,
triple for triple, the corpora of the rdflib-Graph generator it replaced, and every run gives the
same bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import main
from policykg.synthetic.corpus import generate

# Digests of corpora written by the previous generator (rdflib Graph + N-Quads serialiser, commit
# a59c748). Its line order followed Python's randomised string hashing, so each file's lines are
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
    generate(size, seed, tmp_path, processes=processes)
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

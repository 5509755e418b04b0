"""Hostile input, kept as data files in tests/fixtures/hostile/ (cases.tsv and params/*.txt):
broken, binary, odd or malicious inputs of every kind (data, catalogue, ontology, shapes,
profiles, named and ad-hoc queries, source texts, gold and draft files, stores, parameters) given
to every command. Each must end with its exit code and one error line that names the file (and
line) or the value, no traceback, and the inputs and outputs byte-identical after the failure.
HTTP requests to `serve` are replayed by tests/test_serve.py (http-requests.yaml)."""

from __future__ import annotations

import ast
import hashlib
import json
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policykg.cli import main

from .conftest import ROOT, reviewed_only

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
SENTINEL = b"output written before the run: must be left as it is\n"


@dataclass(frozen=True)
class Case:
    line: int
    kind: str
    input: str
    command: str
    exit: int
    expect: str

    @property
    def id(self) -> str:
        return f"{self.line}-{self.input}-{self.command.split()[0]}"


def read_cases() -> list[Case]:
    cases = []
    lines = (HOSTILE / "cases.tsv").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        kind, source, command, code, expect = line.split("\t")
        cases.append(Case(number, kind, source, command, int(code), expect))
    return cases


def read_values(name: str) -> list[str]:
    """A params/*.txt file: one Python string literal a line."""
    text = (HOSTILE / "params" / name).read_text(encoding="utf-8")
    return [ast.literal_eval(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


CASES = read_cases()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One project copy for the module (copying is the slow part); each case puts its input in,
    checks the copy is unchanged by the run, and puts the original back."""
    root = tmp_path_factory.mktemp("hostile") / "home"
    root.mkdir()
    for name in ("ontology", "shapes", "queries", "context"):
        shutil.copytree(ROOT / name, root / name)
    reviewed_only(ROOT / "data", root / "data")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    yield root


def snapshot(*roots: Path) -> dict[str, str]:
    """Every file under the roots by its SHA-256."""
    found = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run(runner: CliRunner, home: Path, tmp_path: Path, args: list[str]) -> Result:
    env = {"POLICYKG_HOME": str(home), "POLICYKG_CACHE_DIR": str(tmp_path / "cache")}
    return runner.invoke(main, args, env=env)


def assert_one_error_line(result: Result, code: int, *needles: str) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    if lines and lines[0].startswith("Usage: "):  # click's usage errors: usage, hint, then one Error line
        lines = [line for line in lines if line.startswith("Error: ")]
    assert len(lines) == 1 and lines[0].lower().startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, runner: CliRunner, home: Path, tmp_path: Path) -> None:
    source = HOSTILE / case.input
    target, original = source, None
    if case.kind != "file":
        where, _, relative = case.kind.partition(":")
        target = home / where / relative
        original = target.read_bytes() if target.exists() else None
        shutil.copyfile(source, target)
    out = tmp_path / "out.txt"
    out.write_bytes(SENTINEL)
    work = tmp_path / "work"
    work.mkdir()
    values = {"input": str(target), "out": str(out), "tmp": str(work), "home": str(home)}
    args = [part.format(**values) for part in shlex.split(case.command)]
    before = snapshot(home, source, out)
    try:
        result = run(runner, home, tmp_path, args)
        needles = [part.format(**values) for part in case.expect.split(" && ")]
        assert_one_error_line(result, case.exit, *needles)
        assert snapshot(home, source, out) == before, "an input or output changed"
    finally:
        if case.kind != "file":
            if original is None:
                target.unlink()
            else:
                target.write_bytes(original)


def test_the_cases_cover_every_input_kind_and_command() -> None:
    kinds = {c.kind.partition(":")[0] if c.kind != "file" else c.input.split("/")[0] for c in CASES}
    assert {"queries", "data", "ontology", "shapes", "sources", "files"} <= kinds
    assert {"data:catalogue.ttl", "shapes:profiles.tsv"} <= {c.kind for c in CASES}
    commands = {
        c.command.split()[0] if not c.command.startswith("--") else c.command.split()[2] for c in CASES
    }
    listed = set(main.commands) - {"serve"}  # serve: tests/test_serve.py replays hostile HTTP requests
    assert listed <= commands | {"evidence"} and "locate" in " ".join(c.command for c in CASES)


# --- parameters ----------------------------------------------------------------------------

TYPED = HOSTILE / "queries" / "typed-params.rq"
GOOD = {"n": "1", "x": "https://example.org/x"}


@pytest.mark.parametrize("value", read_values("one-literal.txt"))
def test_a_parameter_value_comes_back_as_one_literal(
    value: str, runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    before = snapshot(home)
    args = ["query", "--file", str(TYPED), "--format", "json", "--param", f"value={value}"]
    args += [x for name, good in GOOD.items() for x in ("--param", f"{name}={good}")]
    result = run(runner, home, tmp_path, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == [{"v": value, "n": "1", "i": "https://example.org/x"}]
    assert snapshot(home) == before


@pytest.mark.parametrize(
    ("name", "param"),
    [("bad-dates.txt", "asOf"), ("bad-integers.txt", "n"), ("bad-iris.txt", "x")],
)
def test_a_parameter_value_of_the_wrong_type_is_refused(
    name: str, param: str, runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    for value in read_values(name):
        if param == "asOf":
            args = ["query", "vendors-citing-privacy-shield", "--param", f"asOf={value}"]
        else:
            args = ["query", "--file", str(TYPED), "--param", "value=v"]
            given = {**GOOD, param: value}
            args += [x for key, raw in given.items() for x in ("--param", f"{key}={raw}")]
        result = run(runner, home, tmp_path, args)
        assert_one_error_line(result, 2, f"parameter {param}", repr(value))


def test_an_unknown_vendor_is_refused_with_the_known_ones(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    for value in read_values("unknown-vendors.txt"):
        result = run(runner, home, tmp_path, ["query", "policy-history", "--param", f"vendor={value}"])
        assert_one_error_line(result, 2, f"unknown vendor {value!r}", "known: ", "talkdesk")


@pytest.mark.parametrize("item", ["vendor", "=x", ""])
def test_a_malformed_param_option_is_a_usage_error(
    item: str, runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    result = run(runner, home, tmp_path, ["query", "policy-history", "--param", item])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--param must be name=value" in result.stderr

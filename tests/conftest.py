"""Shared fixtures: the project paths, the loaded seed graph (built once), a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.load import LoadResult, load_project
from policykg.paths import project_paths

ROOT = project_paths().root
SEEDS = ROOT.parent / "shared" / "seeds"
DPV_DIR = ROOT.parent / "shared" / "dpv" / "2.3"

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is absent")
needs_dpv = pytest.mark.skipif(not DPV_DIR.is_dir(), reason="../shared/dpv/2.3 is absent")
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java (for HermiT) is absent")


@pytest.fixture(scope="session")
def loaded() -> LoadResult:
    return load_project()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ for tests that mutate annotations."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-servers",
        action="store_true",
        default=False,
        help="Fail, instead of skip, when Oxigraph or Virtuoso cannot be started (CI).",
    )

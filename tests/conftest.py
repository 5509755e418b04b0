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


def reviewed_only(source: Path, target: Path) -> Path:
    """A copy of the annotation folder with the reviewed versions only (the five seeds): the
    drafts that `policykg extract` added are left out of its catalogue. Tests pinned on what
    a careful reader found in the seed texts run on it."""
    from rdflib import Graph
    from rdflib.namespace import RDF

    from policykg.namespaces import PKG, bind_prefixes

    shutil.copytree(source, target)
    catalogue = Graph()
    catalogue.parse(target / "catalogue.ttl", format="turtle")
    for version in list(catalogue.subjects(RDF.type, PKG.PolicyVersion)):
        data_file = target / str(catalogue.value(version, PKG.dataFile))
        if "pkg:reviewStatus pkg:Draft" in data_file.read_text(encoding="utf-8"):
            catalogue.remove((version, None, None))
            catalogue.remove((None, None, version))
            data_file.unlink()
            data_file.with_suffix(".txt").unlink(missing_ok=True)
    for vendor in list(catalogue.subjects(RDF.type, PKG.Vendor)):
        if catalogue.value(vendor, PKG.policyVersion) is None:
            catalogue.remove((vendor, None, None))
    bind_prefixes(catalogue)
    (target / "catalogue.ttl").write_text(catalogue.serialize(format="turtle"), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def seed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return reviewed_only(ROOT / "data", tmp_path_factory.mktemp("seeds") / "data")


@pytest.fixture(scope="session")
def loaded(seed_data: Path) -> LoadResult:
    """The five reviewed seed annotations (drafts left out)."""
    return load_project(data_dir=seed_data)


@pytest.fixture(scope="session")
def shipped() -> LoadResult:
    """Everything in data/: the five seeds and the drafted corpus policies."""
    return load_project()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def data_copy(tmp_path: Path, seed_data: Path) -> Path:
    """A writable copy of the seed annotations for tests that mutate annotations."""
    target = tmp_path / "data"
    shutil.copytree(seed_data, target)
    return target


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-servers",
        action="store_true",
        default=False,
        help="Fail, instead of skip, when Oxigraph or Virtuoso cannot be started (CI).",
    )

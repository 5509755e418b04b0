"""Another repository uses the data gate through pre-commit: `pre-commit try-repo` installs this
repository's hook (.pre-commit-hooks.yaml) in its own environment and runs it on a repository that
holds only annotations. A clean set passes; a planted error fails with its file and line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policykg.paths import project_paths

from .conftest import reviewed_only

pytestmark = pytest.mark.slow  # pre-commit builds a virtual environment with the project (about 30 s)

ROOT = project_paths().root


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=ci@example.org", "-c", "user.name=ci", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _try_repo(repo: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).parent / "pre-commit"
    command = [str(binary) if binary.exists() else "pre-commit", "try-repo", str(ROOT), "policykg-validate"]
    env = {**os.environ, "PRE_COMMIT_HOME": str(cache)}
    env.pop("POLICYKG_HOME", None)  # the hook must find its shapes itself
    return subprocess.run(
        [*command, "--all-files"], cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_pre_commit_hook_gates_another_repository(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is absent")
    repo = tmp_path / "annotations"
    repo.mkdir()
    _git(repo, "init", "-q")
    reviewed_only(ROOT / "data", repo / "data")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "annotations")
    cache = tmp_path / "pre-commit-cache"

    clean = _try_repo(repo, cache)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "policykg validate (SHACL data gate)" in clean.stdout and "Passed" in clean.stdout

    path = repo / "data" / "kloudtalk" / "undated-2024.trig"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = lines.index("        dpv:hasPurpose dpv:ServiceRegistration ;\n") + 1
    lines[number - 1] = lines[number - 1].replace("dpv:ServiceRegistration", "pd:EmailAddress")
    path.write_text("".join(lines), encoding="utf-8")
    _git(repo, "commit", "-qam", "a purpose that is a data category")

    broken = _try_repo(repo, cache)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert f"data/kloudtalk/undated-2024.trig:{number}" in broken.stdout
    assert "The value of dpv:hasPurpose must be a DPV purpose" in broken.stdout

"""Where the project's data files live (ontology, shapes, queries, data).

The files are data, not code, so they stay at the top of the repository. The package finds
them from ``POLICYKG_HOME`` or by walking up from its own location (an editable install).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import PolicyKGError


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes(self) -> Path:
        return self.root / "shapes"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def default_sources(self) -> Path:
        """The seed texts beside the project (read-only, may be absent)."""
        return self.root.parent / "shared" / "seeds"


def _looks_like_root(path: Path) -> bool:
    return (path / "ontology").is_dir() and (path / "pyproject.toml").is_file()


def project_paths() -> ProjectPaths:
    env = os.environ.get("POLICYKG_HOME")
    if env:
        root = Path(env).resolve()
        if not _looks_like_root(root):
            raise PolicyKGError(f"POLICYKG_HOME={env} has no ontology/ and pyproject.toml")
        return ProjectPaths(root)
    for candidate in [Path(__file__).resolve(), *Path(__file__).resolve().parents]:
        if _looks_like_root(candidate):
            return ProjectPaths(candidate)
    cwd = Path.cwd()
    for candidate in [cwd, *cwd.parents]:
        if _looks_like_root(candidate):
            return ProjectPaths(candidate)
    raise PolicyKGError("cannot find the policykg project files; set POLICYKG_HOME")

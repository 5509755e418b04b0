"""Where the project's data files live (ontology, shapes, queries, data).

The files are data, not code, so they stay at the top of the repository. The package finds
them from ``POLICYKG_HOME``, by walking up from its own location (an editable install), from
the folder it was pip-installed from (pre-commit's copy of the repository), or from the
working directory.
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


def _installed_from() -> Path | None:
    """The folder a non-editable ``pip install DIR`` was made from (PEP 610's direct_url.json),
    which keeps the data files: how pre-commit's copy of the hook finds its shapes."""
    import json
    from importlib import metadata
    from urllib.parse import unquote, urlparse

    try:
        text = metadata.distribution("policykg").read_text("direct_url.json")
        url = urlparse(str(json.loads(text or "{}").get("url", "")))
    except (metadata.PackageNotFoundError, ValueError, AttributeError):
        return None
    return Path(unquote(url.path)) if url.scheme == "file" else None


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
    installed_from = _installed_from()
    if installed_from is not None and _looks_like_root(installed_from):
        return ProjectPaths(installed_from)
    cwd = Path.cwd()
    for candidate in [cwd, *cwd.parents]:
        if _looks_like_root(candidate):
            return ProjectPaths(candidate)
    raise PolicyKGError("cannot find the policykg project files; set POLICYKG_HOME")

"""`policykg report`: a static, offline HTML site for analysts (issue 16).

Pages: the portfolio (every vendor's latest version on the analysis date, the instruments it
relies on and their status that day, open findings, draft or reviewed; sortable and
filterable), a timeline of versions against the instruments' validity events, one page per
policy version (its facts grouped, with labels and quotes, each quote linked to the stored
source text with the passage highlighted), a diff page per pair of consecutive versions, and
the findings with their quotes (current versions apart from superseded ones). No network:
the stylesheet and the small script are written into the site, the chart is SVG drawn here.

The site is written into a temporary folder beside the output and renamed into place, so a
failed build leaves an earlier site untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import InputFileError
from ..store import GraphStore
from .model import ReportModel, build_model
from .pages import (
    diff_page,
    diff_path,
    findings_page,
    portfolio_page,
    source_page,
    source_path,
    timeline_page,
    version_page,
    version_path,
)

ASSETS = ("site.css", "site.js")

__all__ = ["SiteSummary", "build_model", "write_site"]


@dataclass(frozen=True)
class SiteSummary:
    output: Path
    pages: int
    vendors: int
    versions: int
    diffs: int


def render_site(model: ReportModel) -> dict[str, str]:
    """Every page of the site by its path relative to the site's root."""
    pages = {
        "index.html": portfolio_page(model),
        "timeline.html": timeline_page(model),
        "findings.html": findings_page(model),
    }
    for view in model.views:
        pages[version_path(view.version)] = version_page(model, view)
        if view.source_text is not None:
            pages[source_path(view.version)] = source_page(model, view)
    for diff in model.diffs:
        pages[diff_path(diff)] = diff_page(model, diff)
    return pages


def write_site(store: GraphStore, as_of: date, output: Path, source_dirs: list[Path]) -> SiteSummary:
    """Build the site for ``as_of`` and put it at ``output`` (replacing a site there)."""
    output = output.resolve()
    parent = output.parent
    if not parent.is_dir():
        raise InputFileError(output, "the folder it would be written in does not exist")
    if output.exists() and not output.is_dir():
        raise InputFileError(output, "exists and is not a folder")
    model = build_model(store, as_of, source_dirs)
    pages = render_site(model)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=parent))
    except OSError as err:
        raise InputFileError(output, f"cannot write: {err.strerror}") from None
    try:
        for relative, text in pages.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        (staging / "assets").mkdir()
        for asset in ASSETS:
            shutil.copyfile(Path(__file__).with_name(asset), staging / "assets" / asset)
        _swap_into_place(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    vendors = len({v.version.vendor for v in model.views})
    return SiteSummary(output, len(pages), vendors, len(model.views), len(model.diffs))


def _swap_into_place(staging: Path, output: Path) -> None:
    """Rename the finished site into place; an earlier site is moved aside first and removed
    only once the new one is there."""
    os.chmod(staging, 0o755)
    if not output.exists():
        os.replace(staging, output)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".old", dir=output.parent))
    os.rmdir(aside)
    os.replace(output, aside)
    try:
        os.replace(staging, output)
    except OSError:
        os.replace(aside, output)
        raise
    shutil.rmtree(aside, ignore_errors=True)

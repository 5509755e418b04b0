"""The report site in a real browser (headless Chromium, as tests/test_serve.py drives it), from
the files alone (file:// URLs: the site is offline): the done-when checks of issue 16 in the
rendered DOM, the filter and sort scripts, and a quote's link opening the source text with the
passage highlighted."""

from __future__ import annotations

import html
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from policykg.load import LoadResult
from policykg.paths import project_paths
from policykg.report import write_site

from .browser import dump_dom
from .conftest import SEEDS

pytestmark = pytest.mark.slow  # a headless browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="Chromium is not installed"
)


@pytest.fixture(scope="module")
def site(shipped: LoadResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("browser") / "site"
    write_site(shipped.store, date.today(), output, [project_paths().data, SEEDS])
    return output


def dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran."""
    page = dump_dom(url, profile, budget_ms=5000)
    assert "<html" in page
    return page


def _text(fragment: str) -> str:
    blocks = re.sub(r"</?(?:td|th|tr|li|p|div|blockquote|h\d|ul|br|section)\b[^>]*>", " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", blocks)).split())


@needs_chromium
def test_portfolio_in_the_browser_filters_and_sorts(site: Path, tmp_path: Path) -> None:
    page = dom((site / "index.html").as_uri() + "?q=talk", tmp_path)
    rows = re.findall(r'<tr data-review="[^"]*"[^>]*?( hidden(?:="")?)?>(.*?)</tr>', page)
    visible = [_text(body) for hidden, body in rows if not hidden]
    assert len(rows) >= 20
    assert sorted(v.split()[0] for v in visible) == ["CloudTalk", "KloudTalk", "Talkdesk"]
    assert f"3 of {len(rows)} vendors shown" in page
    cloudtalk = next(v for v in visible if v.startswith("CloudTalk"))
    assert (
        "EU-US Data Privacy Framework (Implementing Decision (EU) 2023/1795): valid; under challenge (C-703/25 P)"
        in cloudtalk
    )
    only_violations = dom((site / "index.html").as_uri() + "?violations=1", tmp_path)
    shown = [
        _text(b)
        for h, b in re.findall(r'<tr data-review="[^"]*"[^>]*?( hidden(?:="")?)?>(.*?)</tr>', only_violations)
        if not h
    ]
    assert (
        shown
        and {s.split()[0] for s in shown} >= {"CloudCall", "Talkdesk"}
        and "CloudTalk" not in {s.split()[0] for s in shown}
    )


@needs_chromium
def test_findings_in_the_browser_show_the_privacy_shield_sentence(site: Path, tmp_path: Path) -> None:
    page = dom((site / "findings.html").as_uri() + "?severity=violation", tmp_path)
    items = re.findall(
        r'<li class="finding" data-severity="(\w+)"( hidden(?:="")?)?>(.*?)</li>(?=<li class="finding"|</ul>)',
        page,
    )
    assert items and all(hidden for severity, hidden, _ in items if severity != "violation")
    shown = [_text(body) for severity, hidden, body in items if not hidden]
    for sentence in (
        "CloudCall complies with the European Union-United States Privacy Shield Framework",
        "Talkdesk comply with the EU-U.S. Privacy Shield",
    ):
        assert any("relies on EU-US Privacy Shield" in s and sentence in s for s in shown), sentence


@needs_chromium
def test_a_quote_link_opens_the_source_with_the_passage_highlighted(site: Path, tmp_path: Path) -> None:
    version = (site / "versions" / "cloudcall" / "2018-01-16.html").read_text(encoding="utf-8")
    quote, href = re.search(
        r'<blockquote class="quote"><q>.*?<strong>(CloudCall complies with[^<]*)</strong>.*?</q>.*?<a class="src" href="([^"]+)"',
        version,
    ).groups()  # type: ignore[union-attr]
    url = (site / "versions" / "cloudcall" / href.split("#")[0]).resolve().as_uri() + "#" + href.split("#")[1]
    page = dom(url, tmp_path)
    marked = re.search(r'<mark id="passage"[^>]*>(.*?)</mark>', page, re.S)
    assert marked is not None, page[-3000:]
    assert html.unescape(marked.group(1)) == html.unescape(quote)
    assert "Highlighted: the quoted passage" in page


@needs_chromium
def test_timeline_and_version_pages_render(site: Path, tmp_path: Path) -> None:
    timeline = dom((site / "timeline.html").as_uri(), tmp_path)
    assert timeline.count("<circle") >= 20 and "Schrems II" in timeline
    cloudtalk = _text(dom((site / "versions" / "cloudtalk" / "2025-08-06.html").as_uri(), tmp_path))
    assert "valid; under challenge (C-703/25 P)" in cloudtalk and "Transfers" in cloudtalk


@needs_chromium
def test_portfolio_sorts_by_a_column(site: Path, tmp_path: Path) -> None:
    page = dom((site / "index.html").as_uri() + "?sort=violations&dir=desc", tmp_path)
    counts = [int(n) for n in re.findall(r'<tr data-review="[^"]*" data-violations="(\d+)"', page)]
    assert len(counts) >= 20 and counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    assert 'data-key="violations" aria-sort="descending"' in page
    by_name = dom((site / "index.html").as_uri() + "?sort=vendor", tmp_path)
    names = [
        html.unescape(n).casefold() for n in re.findall(r'<th scope="row" data-value="([^"]*)"', by_name)
    ]
    assert names == sorted(names)

"""`policykg report` (issue 16, item 1): the static site an analyst reads, checked in the rendered
HTML (tests/test_report_browser.py checks the same pages in headless Chromium). Before, the only
HTML was `validate --format html`: no quote behind a finding, superseded versions listed like
current ones, slugs and IRIs as headings, SCC 2010/87 both a violation and a warning."""

from __future__ import annotations

import html
import itertools
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import main
from policykg.facts import Quote, versions
from policykg.load import LoadResult
from policykg.paths import project_paths
from policykg.report import pages, write_site
from policykg.report.pages import sentence_around

from .conftest import SEEDS, needs_seeds

TODAY = date.today()


@pytest.fixture(scope="module")
def site(shipped: LoadResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("report") / "site"
    write_site(shipped.store, TODAY, output, [project_paths().data, SEEDS])
    return output


def _read(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def _text(fragment: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces collapsed."""
    blocks = re.sub(r"</?(?:td|th|tr|li|p|div|blockquote|h\d|ul|br|section)\b[^>]*>", " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", blocks)).split())


def _row(index: str, vendor: str) -> str:
    match = re.search(
        rf'<tr data-review="[^"]+"[^>]*><th scope="row"[^>]*><a [^>]*>{re.escape(vendor)}</a>.*?</tr>', index
    )
    assert match, vendor
    return _text(match.group(0))


def _section(findings: str, anchor: str) -> str:
    start = findings.index(f'<section class="version" id="{anchor}"')
    return findings[start : findings.index("</section>", start)]


def _findings(section: str) -> list[tuple[str, str]]:
    """(severity, visible text) of each finding of a version's section."""
    items = re.findall(
        r'<li class="finding" data-severity="(\w+)">(.*?)</li>(?=<li class="finding"|</ul>)', section
    )
    return [(severity, _text(body)) for severity, body in items]


def test_portfolio_lists_every_vendor_with_instruments_and_their_status(
    site: Path, shipped: LoadResult
) -> None:
    index = _read(site, "index.html")
    vendors = {v.vendor for v in versions(shipped.store) if v.on is not None and v.on <= TODAY}
    assert index.count('<tr data-review="') == len(vendors)
    cloudtalk = _row(index, "CloudTalk")
    assert "2025-08-06" in cloudtalk and "reviewed" in cloudtalk
    assert (
        "EU-US Data Privacy Framework (Implementing Decision (EU) 2023/1795): valid; under challenge (C-703/25 P)"
        in cloudtalk
    )
    cloudcall = _row(index, "CloudCall")
    assert (
        "EU-US Privacy Shield (Implementing Decision (EU) 2016/1250): invalid since 2020-07-16" in cloudcall
    )
    assert "draft" in _row(index, "8x8")
    assert '<button type="button" class="sort"' in index and '<label for="filter">' in index


@needs_seeds
def test_privacy_shield_findings_show_the_sentence_that_relies_on_it(site: Path) -> None:
    findings = _read(site, "findings.html")
    expected = {
        "cloudcall--2018-01-16": "CloudCall complies with the European Union-United States Privacy Shield Framework",
        "talkdesk--2019-12-31": "Talkdesk comply with the EU-U.S. Privacy Shield",
    }
    for anchor, sentence in expected.items():
        shown = [
            t for s, t in _findings(_section(findings, anchor)) if s == "violation" and "Privacy Shield" in t
        ]
        assert len(shown) == 1, shown
        assert "relies on EU-US Privacy Shield" in shown[0] and "invalid since 2020-07-16" in shown[0]
        assert sentence in shown[0]


def test_cloudtalk_relies_on_the_dpf_valid_under_challenge(site: Path) -> None:
    page = _text(_read(site, "versions/cloudtalk/2025-08-06.html"))
    assert (
        "EU-US Data Privacy Framework (Implementing Decision (EU) 2023/1795): valid; under challenge (C-703/25 P)"
        in page
    )
    assert "in reliance on the EU-U.S. DPF" in page  # the sentence it relies on it with


def test_one_finding_per_problem_scc_2010_87_once(site: Path) -> None:
    talkdesk = _findings(_section(_read(site, "findings.html"), "talkdesk--2019-12-31"))
    scc = [
        (s, t)
        for s, t in talkdesk
        if "Talkdesk relies on Standard contractual clauses, Decision 2010/87/EU" in t
    ]
    assert [s for s, _ in scc] == ["violation"]
    assert "invalid since 2022-12-28" in scc[0][1] and "pursuant to Decision 2010/87/EU" in scc[0][1]
    assert "closed to new contracts" not in scc[0][1]  # the decisive status only (one finding per problem)


def test_current_versions_apart_from_superseded(site: Path) -> None:
    findings = _read(site, "findings.html")
    superseded = findings.index('<h2 id="superseded">')
    assert (
        findings.index('id="cloudtalk--2025-08-06"')
        < superseded
        < findings.index('id="cloudtalk--undated-2018"')
    )
    assert findings.index('<h2 id="current">') < findings.index('id="talkdesk--2019-12-31"') < superseded


def test_headings_name_vendors_and_versions_not_slugs_or_iris(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for heading in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", text, re.S):
            assert "https://" not in heading and "w3id.org" not in heading, (page, heading)
    findings = _read(site, "findings.html")
    assert "cloudcall relies on" not in findings and "CloudCall relies on" in findings
    assert "<h3" in findings and "CloudCall, version 2018-01-16" in _text(findings)


def test_every_finding_shows_its_quotes_or_says_it_is_an_absence(site: Path) -> None:
    findings = _read(site, "findings.html")
    items = re.findall(r'<li class="finding".*?</li>(?=<li class="finding"|</ul>)', findings)
    assert len(items) > 100
    for item in items:
        assert '<blockquote class="quote">' in item or 'class="absence"' in item, _text(item)
    contradictions = [i for i in items if "Contradiction (" in i]
    for item in contradictions:
        assert item.count('<blockquote class="quote">') >= 2, _text(item)


def _source_text(site: Path, page: str) -> str:
    raw = _read(site, page)
    return html.unescape(raw[raw.index('<pre id="source-text" tabindex="0">') + 35 : raw.rindex("</pre>")])


def test_every_quote_links_to_its_passage_in_the_source_text(site: Path) -> None:
    checked = 0
    texts: dict[str, str] = {}
    for page in [site / "findings.html", *sorted((site / "versions").rglob("*.html"))[:6]]:
        raw = page.read_text(encoding="utf-8")
        for shown, href, start, end in re.findall(
            r'<blockquote class="quote"><q>(.*?)</q>.*?<a class="src" href="([^"#]+)#q-(\d+)-(\d+)"', raw
        ):
            target = (page.parent / href).resolve()
            relative = str(target.relative_to(site.resolve()))
            text = texts.setdefault(relative, _source_text(site, relative))
            strong = re.search(r"<strong>(.*?)</strong>", shown)
            quote = html.unescape(strong.group(1) if strong else shown)
            assert text[int(start) : int(end)] == quote, (page, quote)
            checked += 1
    assert checked > 500


def test_every_link_resolves(site: Path) -> None:
    for page in site.rglob("*.html"):
        raw = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"]+)"', raw):
            path, _, fragment = html.unescape(href).partition("#")
            assert not path.startswith(("http:", "https:", "//")), (page, href)  # offline: nothing fetched
            target = (page.parent / path).resolve() if path else page
            assert target.is_file(), (page, href)
            if fragment and not fragment.startswith("q-"):
                assert f'id="{fragment}"' in target.read_text(encoding="utf-8"), (page, href)
        assert "<script src=" not in raw.replace(
            '<script src="' + "../" * (len(page.relative_to(site).parts) - 1) + 'assets/site.js">', ""
        )


def test_version_page_groups_facts_with_labels(site: Path) -> None:
    raw = _read(site, "versions/cloudcall/2018-01-16.html")
    headings = re.findall(r'<h3 id="g-(\w+)">', raw)
    assert (
        headings[:3] == ["policy", "entities", "processes"]
        and "transfers" in headings
        and "rights" in headings
    )
    assert "contacts" in headings
    assert not re.search(r"<td>https?://", raw)  # values are labels
    assert "Right of Access" in raw or "Right to Access" in _text(raw)


def test_diff_page_has_the_facts_of_the_diff_command(site: Path, runner: CliRunner) -> None:
    raw = _read(site, "diffs/wix/2018-05-10--2020-12-16.html")
    text = _text(raw)
    assert "changed transfer mechanism relied upon" in text
    assert "has certified its compliance with, the EU-U.S. Privacy Shield Framework" in text
    assert "Standard Contractual Clauses (2010/87/EU)" in text
    command = runner.invoke(main, ["diff", "wix/2018-05-10", "wix/2020-12-16"]).output
    summary = command.splitlines()[1]
    assert summary in text


def test_timeline_is_inline_svg_with_every_version(site: Path, shipped: LoadResult) -> None:
    raw = _read(site, "timeline.html")
    svg = raw[raw.index("<svg") : raw.index("</svg>")]
    dated = [v for v in versions(shipped.store) if v.on is not None and v.on <= TODAY]
    assert svg.count('<a href="versions/') == len(dated)
    assert (
        "EU-US Privacy Shield (Implementing Decision (EU) 2016/1250), from 2020-07-16: invalid since 2020-07-16"
        in svg
    )
    assert 'role="img"' in svg and "<desc" in svg
    assert "Schrems II" in _text(raw[raw.index("</svg>") :])  # the table beside it


def test_the_site_is_replaced_atomically(
    shipped: LoadResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "site"
    write_site(shipped.store, date(2026, 1, 1), output, [project_paths().data, SEEDS])
    before = (output / "index.html").read_text(encoding="utf-8")

    def broken(*_: object) -> str:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr("policykg.report.findings_page", broken)
    with pytest.raises(RuntimeError):
        write_site(shipped.store, date(2026, 6, 1), output, [project_paths().data, SEEDS])
    assert (output / "index.html").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # nothing left behind
    monkeypatch.undo()
    write_site(shipped.store, date(2026, 6, 1), output, [project_paths().data, SEEDS])
    assert "as of 2026-06-01" in (output / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_report_command(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["report", "--as-of", "2020-01-01", "--output", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "policy versions" in result.output and "as of 2020-01-01" in result.output
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "valid" in _row(index, "Talkdesk") and "Linear" not in index  # Linear's policy is from 2025
    bad = runner.invoke(main, ["report", "--as-of", "2020-02-30", "--output", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "2020-02-30" in bad.output
    (tmp_path / "file").write_text("x", encoding="utf-8")
    clash = runner.invoke(main, ["report", "--output", str(tmp_path / "file")])
    assert clash.exit_code == 2 and "Traceback" not in clash.output


def test_sentence_around_a_quote_keeps_abbreviations() -> None:
    text = "Intro line\nWe comply with the EU-U.S. Privacy Shield Framework as set forth by the U.S. Department. Next."
    start = text.index("comply")
    quote = Quote(
        start, start + len("comply with the EU-U.S. Privacy Shield"), "comply with the EU-U.S. Privacy Shield"
    )
    assert sentence_around(text, quote) == ("We ", " Framework as set forth by the U.S. Department.")
    assert sentence_around(text, Quote(0, 3, "xyz")) == ("", "")  # a quote not at its offsets is shown alone
    assert pages.passage_anchor(quote) == f"q-{quote.start}-{quote.end}"


def test_pages_are_usable_with_a_keyboard_and_a_screen_reader(site: Path) -> None:
    for page in site.rglob("*.html"):
        raw = page.read_text(encoding="utf-8")
        assert (
            '<html lang="en">' in raw and '<a class="skip" href="#main">' in raw and '<main id="main"' in raw
        )
        levels = [int(n) for n in re.findall(r"<h([1-6])\b", raw)]
        assert levels[0] == 1 and levels.count(1) == 1, page
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (
            page,
            levels,
        )  # no level skipped
        for control in re.findall(r'<(?:input|select)\b[^>]*\bid="([^"]+)"', raw):
            assert f'<label for="{control}">' in raw, (page, control)
        assert "<button" not in raw or 'type="button"' in raw
        assert not re.search(r"<th(?![^>]*scope=)[^>]*>", raw.replace("<thead>", "")), page
    svg = _read(site, "timeline.html")
    assert 'aria-labelledby="tl-title tl-desc"' in svg


def test_without_a_source_text_quotes_are_shown_but_not_linked(shipped: LoadResult, tmp_path: Path) -> None:
    output = tmp_path / "site"
    write_site(shipped.store, TODAY, output, [project_paths().data])  # the seed texts are elsewhere
    talkdesk = _read(output, "versions/talkdesk/2019-12-31.html")
    assert not (output / "sources" / "talkdesk").exists()
    assert "Talkdesk comply with the EU-U.S. Privacy Shield" in talkdesk
    assert "source text not available" in talkdesk and "sources/talkdesk" not in talkdesk
    assert (output / "sources" / "wix" / "2020-12-16.html").is_file()  # drafts keep their text in data/
    for page in output.rglob("*.html"):
        for href in re.findall(r'href="([^"#]+)', page.read_text(encoding="utf-8")):
            assert (page.parent / html.unescape(href)).resolve().is_file(), (page, href)


def test_a_finding_about_a_process_quotes_what_shows_the_problem(site: Path) -> None:
    talkdesk = _findings(_section(_read(site, "findings.html"), "talkdesk--2019-12-31"))
    billing = [t for _, t in talkdesk if "no legal basis: Billing and tax purposes" in t]
    assert len(billing) == 1
    assert "billing and tax purposes" in billing[0]  # the purpose stated without a basis
    assert "acting as a controller" not in billing[0]  # not every statement about the process

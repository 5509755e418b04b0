"""The report's HTML pages, rendered from :class:`policykg.report.model.ReportModel`.

Plain HTML that works without JavaScript: headings in order, tables with header cells, labelled
form fields, visible keyboard focus, text colours at WCAG AA contrast. A small script (written
here, nothing fetched) adds sorting and filtering to the portfolio and findings, and highlights
a quoted passage in a source text; without it the pages still show every quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..diff import ADDED, CHANGED, REMOVED, VersionDiff
from ..facts import GROUPS, Fact, Quote, Version, grouped
from ..instruments import Instrument, InstrumentStatus, status_on
from .model import ReportFinding, ReportModel, VersionView
from .style import STATE_CLASS, e
from .timeline import timeline_svg

SEVERITIES = ("violation", "warning", "info")
NO_CONTRADICTION = '<p class="muted">None found by the rules.</p>'
ARIA_CURRENT = ' aria-current="page"'
ABSENCE_NOTE = "No sentence states it: the finding is about something the text leaves out."


def version_path(version: Version) -> str:
    return f"versions/{version.vendor_slug}/{version.version_name}.html"


def source_path(version: Version) -> str:
    return f"sources/{version.vendor_slug}/{version.version_name}.html"


def diff_path(diff: VersionDiff) -> str:
    return f"diffs/{diff.new.vendor_slug}/{diff.old.version_name}--{diff.new.version_name}.html"


def passage_anchor(quote: Quote) -> str:
    return f"q-{quote.start}-{quote.end}"


def _review(version: Version) -> str:
    if version.draft:
        return '<span class="badge draft" title="drafted by policykg extract, not reviewed">draft</span>'
    return '<span class="badge reviewed">reviewed</span>'


def _date(version: Version) -> str:
    if version.on is None:
        return "undated"
    return version.on.isoformat() if version.dated else f"undated (estimated {version.on.isoformat()})"


def _severity(severity: str) -> str:
    return f'<span class="badge sev-{e(severity)}">{e(severity)}</span>'


def layout(title: str, body: str, depth: int, current: str, as_of: str) -> str:
    """A page: skip link, site navigation (the current page marked), one h1 in ``body``."""
    up = "../" * depth
    links = [("index.html", "Portfolio"), ("timeline.html", "Timeline"), ("findings.html", "Findings")]
    nav = "".join(
        f'<li><a href="{up}{href}"{ARIA_CURRENT if href == current else ""}>{e(text)}</a></li>'
        for href, text in links
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · policykg report as of {e(as_of)}</title>"
        f'<link rel="stylesheet" href="{up}assets/site.css"></head><body>'
        '<a class="skip" href="#main">Skip to content</a>'
        f'<header><p class="site">policykg report · as of <time datetime="{e(as_of)}">{e(as_of)}</time></p>'
        f'<nav aria-label="Report"><ul>{nav}</ul></nav></header>'
        f'<main id="main" tabindex="-1">{body}</main>'
        f'<script src="{up}assets/site.js"></script></body></html>\n'
    )


_SENTENCE_END = re.compile(r"(?<![A-Z])[.!?](?=\s)|\n")
"""Where a sentence ends: a full stop not after a capital ("U.S." goes on), or a line break."""


def sentence_around(text: str, quote: Quote, limit: int = 240) -> tuple[str, str]:
    """The rest of the sentence (or line) around a quote, at most ``limit`` characters each
    side: a finding is read with the sentence that states it, not only the quoted words."""
    if text[quote.start : quote.end] != quote.text:
        return "", ""
    head = text[max(0, quote.start - limit) : quote.start]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    before = head[ends[-1] :].lstrip() if ends else "…" + head.lstrip()
    tail = text[quote.end : quote.end + limit]
    stop = _SENTENCE_END.search(tail)
    after = tail[: stop.end()].rstrip() if stop else tail.rstrip() + "…"
    return before, after


def _quote_html(quote: Quote, version: Version, up: str, text: str | None, context: bool) -> str:
    """A quote, linked to its passage in the source text when the site has that text; with
    ``context``, inside the rest of its sentence."""
    condition = f' <span class="cond">(if {e(quote.condition)})</span>' if quote.condition else ""
    before, after = sentence_around(text, quote) if text and context else ("", "")
    shown = f"{e(before)}<strong>{e(quote.text)}</strong>{e(after)}" if before or after else e(quote.text)
    where = f"characters {quote.start}–{quote.end}"
    if text is None:
        link = f'<span class="muted">({where}; source text not available)</span>'
    else:
        href = f"{up}{source_path(version)}#{passage_anchor(quote)}"
        link = (
            f'<a class="src" href="{e(href)}">open in the text<span class="sr"> of {e(version.slug)}, '
            f"{where}</span></a>"
        )
    return f'<blockquote class="quote"><q>{shown}</q>{condition} {link}</blockquote>'


def _quotes_html(
    quotes: Iterable[Quote], version: Version, up: str, text: str | None, context: bool = False
) -> str:
    return "".join(_quote_html(q, version, up, text, context) for q in quotes)


def _finding_html(finding: ReportFinding, up: str, model: ReportModel) -> str:
    if finding.quotes:
        quotes = _quotes_html(finding.quotes, finding.version, up, model.text_of(finding.version), True)
    else:
        quotes = f'<p class="absence">{ABSENCE_NOTE}</p>'
    also = "".join(f"<li>{e(text)}</li>" for text in finding.also)
    also_html = (
        f'<details class="also"><summary>also found for this</summary><ul>{also}</ul></details>'
        if also
        else ""
    )
    return (
        f'<li class="finding" data-severity="{e(finding.severity)}">{_severity(finding.severity)} '
        f'<span class="article">{e(finding.article)}</span><p class="text">{e(finding.text)}</p>'
        f"{quotes}{also_html}</li>"
    )


def _reliance_cell(view: VersionView) -> str:
    if not view.reliances:
        return '<span class="muted">none stated</span>'
    items = "".join(
        f'<li><span class="instrument">{e(r.instrument.label)}</span>: '
        f'<span class="state {STATE_CLASS.get(r.status.state, "")}">{e(r.status.summary())}</span></li>'
        for r in view.reliances
    )
    return f'<ul class="plain">{items}</ul>'


def portfolio_page(model: ReportModel) -> str:
    as_of = model.as_of.isoformat()
    rows = []
    for view in sorted(model.current(), key=lambda v: v.version.vendor_label.casefold()):
        version = view.version
        others = model.of_vendor(version.vendor)
        diffs = [d for d in model.diffs if d.new.vendor == version.vendor]
        diff_links = " ".join(
            f'<a href="{e(diff_path(d))}">{e(d.old.version_name)} → {e(d.new.version_name)}</a>'
            for d in diffs
        )
        counts = [view.count(s) for s in SEVERITIES]
        rows.append(
            f'<tr data-review="{"draft" if version.draft else "reviewed"}" data-violations="{counts[0]}">'
            f'<th scope="row" data-value="{e(version.vendor_label.casefold())}">'
            f'<a href="{e(version_path(version))}">{e(version.vendor_label)}</a></th>'
            f'<td data-value="{e(version.on.isoformat() if version.on else "")}">{e(version.version_name)}'
            f' <span class="muted">({e(_date(version))})</span></td>'
            f'<td data-value="{"draft" if version.draft else "reviewed"}">{_review(version)}</td>'
            f"<td>{_reliance_cell(view)}</td>"
            + "".join(f'<td class="num" data-value="{c}">{c}</td>' for c in counts)
            + f'<td data-value="{len(others)}">{len(others)} {diff_links}</td></tr>'
        )
    headers = [
        ("Vendor", "text", "vendor"),
        ("Latest version", "text", "version"),
        ("Review", "text", "review"),
        ("Transfer instruments relied upon (status on the date)", None, ""),
        ("Violations", "number", "violations"),
        ("Warnings", "number", "warnings"),
        ("Infos", "number", "infos"),
        ("Versions", "number", "versions"),
    ]
    head = "".join(
        f'<th scope="col" data-key="{key}">{_sort_button(text, kind) if kind else e(text)}</th>'
        for text, kind, key in headers
    )
    instruments = "".join(
        f'<tr><th scope="row">{e(i.label)}</th><td>{e(i.slug)}</td>'
        f'<td><span class="state {STATE_CLASS.get(s.state, "")}">{e(s.summary())}</span></td></tr>'
        for i, s in sorted(
            ((i, _status(i, model)) for i in model.instruments.values()), key=lambda p: p[0].label
        )
    )
    drafts = sum(1 for v in model.current() if v.version.draft)
    body = f"""<h1>Vendor portfolio as of {e(as_of)}</h1>
<p id="summary">{len(model.current())} vendors; for each, the latest policy version dated on or before
{e(as_of)} ({drafts} drafted by <code>policykg extract</code> and not yet reviewed), the transfer instruments
it relies on with their status that day, and its open findings (<a href="findings.html">all findings with
their quotes</a>).</p>
<form class="filters" role="search" aria-label="Filter vendors" onsubmit="return false">
<label for="filter">Vendor or instrument contains</label> <input id="filter" type="search" autocomplete="off">
<label for="review">Review</label> <select id="review"><option value="">all</option>
<option value="draft">draft</option><option value="reviewed">reviewed</option></select>
<input id="violations-only" type="checkbox"> <label for="violations-only">only vendors with violations</label>
</form>
<p id="shown" aria-live="polite">{len(rows)} of {len(rows)} vendors shown</p>
<table id="portfolio" class="sortable"><caption>Vendors, latest version as of {e(as_of)}</caption>
<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<h2 id="instruments">Transfer instruments on {e(as_of)}</h2>
<table><caption>Status of each instrument on {e(as_of)} (see the <a href="timeline.html">timeline</a>)
</caption><thead><tr><th scope="col">Instrument</th><th scope="col">Name in the CLI</th>
<th scope="col">Status</th></tr></thead>
<tbody>{instruments}</tbody></table>"""
    return layout("Vendor portfolio", body, 0, "index.html", as_of)


def _status(instrument: Instrument, model: ReportModel) -> InstrumentStatus:
    return status_on(instrument, model.as_of)


def _sort_button(text: str, kind: str) -> str:
    arrow = '<span aria-hidden="true"> ↕</span>'
    return f'<button type="button" class="sort" data-kind="{kind}">{e(text)}{arrow}</button>'


def _finding_list(findings: list[ReportFinding], up: str, model: ReportModel) -> str:
    if not findings:
        return '<p class="muted">No findings.</p>'
    return f'<ul class="findings">{"".join(_finding_html(f, up, model) for f in findings)}</ul>'


def _anchor(version: Version) -> str:
    return f"{version.vendor_slug}--{version.version_name}"


def findings_page(model: ReportModel) -> str:
    as_of = model.as_of.isoformat()
    sections = []
    for title, views, key in (
        ("Current versions", model.current(), "current"),
        ("Superseded versions", model.superseded(), "superseded"),
    ):
        parts = [f'<section aria-labelledby="{key}"><h2 id="{key}">{e(title)}</h2>']
        if key == "superseded":
            parts.append(
                f"<p>Versions replaced by a later version dated on or before {e(as_of)}: their findings are "
                "history, not open problems.</p>"
            )
        for view in sorted(views, key=lambda v: (v.version.vendor_label.casefold(), v.version.iri)):
            version = view.version
            counts = ", ".join(f"{view.count(s)} {s}s" for s in SEVERITIES)
            anchor = e(_anchor(version))
            parts.append(
                f'<section class="version" id="{anchor}" aria-labelledby="h-{anchor}">'
                f'<h3 id="h-{anchor}">{e(version.vendor_label)}, version {e(version.version_name)} '
                f"{_review(version)}</h3><p>{e(_date(version))} · {e(counts)} · "
                f'<a href="{e(version_path(version))}">all facts of this version</a></p>'
                f"{_finding_list(view.findings, '', model)}</section>"
            )
        parts.append("</section>")
        sections.append("".join(parts))
    contents = "".join(
        f'<li><a href="#{e(_anchor(v.version))}">'
        f"{e(v.version.vendor_label)} {e(v.version.version_name)}</a></li>"
        for v in sorted(model.current(), key=lambda v: v.version.vendor_label.casefold())
    )
    total = {s: sum(v.count(s) for v in model.current()) for s in SEVERITIES}
    options = "".join(f'<option value="{s}">{s}s only</option>' for s in SEVERITIES)
    body = f"""<h1>Compliance findings as of {e(as_of)}</h1>
<p id="summary">On the current versions: {total["violation"]} violations, {total["warning"]} warnings,
{total["info"]} infos. Each finding shows the sentences it rests on; a finding about something a policy
leaves out says so. Findings of one problem are shown once, at their highest severity.</p>
<form class="filters" aria-label="Filter findings" onsubmit="return false">
<label for="severity">Severity</label> <select id="severity"><option value="">all</option>{options}</select>
</form>
<nav aria-label="Current versions"><h2 id="contents">Contents</h2><ul class="contents">{contents}</ul></nav>
{"".join(sections)}"""
    return layout("Findings", body, 0, "findings.html", as_of)


def _fact_rows(facts: list[Fact], version: Version, up: str, text: str | None) -> str:
    rows = []
    for fact in facts:
        about = "" if fact.subject == "the policy" else fact.subject
        rows.append(
            f"<tr><td>{e(fact.aspect)}</td><td>{e(about)}</td><td>{e(fact.value)}</td>"
            f"<td>{_quotes_html(fact.quotes, version, up, text)}</td></tr>"
        )
    return "".join(rows)


def version_page(model: ReportModel, view: VersionView) -> str:
    version = view.version
    up = "../../"
    own = model.of_vendor(version.vendor)
    index = [v.version.iri for v in own].index(version.iri)
    later = own[index + 1].version if index + 1 < len(own) else None
    state = (
        f"current on {model.as_of.isoformat()}"
        if view.current
        else f"superseded by {e(later.version_name) if later else 'a later version'}"
    )
    diffs = [d for d in model.diffs if version.iri in (d.old.iri, d.new.iri)]
    diff_links = "".join(
        f'<li><a href="{up}{e(diff_path(d))}">'
        f"What changed from {e(d.old.version_name)} to {e(d.new.version_name)}</a></li>"
        for d in diffs
    )
    source = (
        f'<li><a href="{up}{e(source_path(version))}">The stored source text</a> '
        f"({e(version.source_file)})</li>"
        if view.source_text is not None
        else "<li>The source text is not available here.</li>"
    )
    sections = []
    groups = grouped(view.facts)
    for key, title in GROUPS:
        if key not in groups:
            continue
        sections.append(
            f'<section aria-labelledby="g-{key}"><h3 id="g-{key}">{e(title)}</h3>'
            f'<table class="facts"><caption class="sr">{e(title)} stated by this version, with the quotes'
            '</caption><thead><tr><th scope="col">Fact</th><th scope="col">About</th>'
            '<th scope="col">Value</th><th scope="col">Quote</th></tr></thead>'
            f"<tbody>{_fact_rows(groups[key], version, up, view.source_text)}</tbody></table></section>"
        )
    contradictions = [f for f in view.findings if f.text.startswith("Contradiction")]
    reliances = "".join(
        f'<li><span class="instrument">{e(r.instrument.label)}</span>: <span class="state '
        f'{STATE_CLASS.get(r.status.state, "")}">{e(r.status.summary())}</span>'
        f"{_quotes_html(r.quotes, version, up, view.source_text, True)}</li>"
        for r in view.reliances
    )
    toc = "".join(f'<li><a href="#g-{k}">{e(t)}</a></li>' for k, t in GROUPS if k in groups)
    body = f"""<h1>{e(version.vendor_label)}: policy version {e(version.version_name)}</h1>
<p>{e(_date(version))} · {_review(version)} · {state} · {len(view.facts)} facts, each with its quote</p>
<ul>{source}{diff_links}</ul>
<h2 id="transfers-on-date">Transfer instruments relied upon, status on {e(model.as_of.isoformat())}</h2>
{f'<ul class="plain">{reliances}</ul>' if reliances else '<p class="muted">None stated.</p>'}
<h2 id="findings">Findings</h2>
{_finding_list(view.findings, up, model)}
<h2 id="contradictions">Contradictions</h2>
{_finding_list(contradictions, up, model) if contradictions else NO_CONTRADICTION}
<h2 id="facts">Facts</h2>
<nav aria-label="Fact groups"><ul class="contents">{toc}</ul></nav>
{"".join(sections)}"""
    return layout(f"{version.vendor_label} {version.version_name}", body, 2, "", model.as_of.isoformat())


def source_page(model: ReportModel, view: VersionView) -> str:
    version = view.version
    body = f"""<h1>Source text: {e(version.vendor_label)}, version {e(version.version_name)}</h1>
<p>The text as stored ({e(version.source_file)}); the offsets of every quote refer to it. A link from a
fact or a finding opens this page with its passage highlighted.
<a href="../../{e(version_path(version))}">Back to the facts</a>.</p>
<p id="passage-note" class="muted" aria-live="polite"></p>
<pre id="source-text" tabindex="0">{e(view.source_text or "")}</pre>"""
    return layout(
        f"Source of {version.vendor_label} {version.version_name}", body, 2, "", model.as_of.isoformat()
    )


def _diff_side(facts: list[Fact], version: Version, up: str, text: str | None) -> str:
    if not facts:
        return '<span class="muted">—</span>'
    return "".join(
        f'<div class="value">{e(f.value)}</div>{_quotes_html(f.quotes, version, up, text)}' for f in facts
    )


def diff_page(model: ReportModel, diff: VersionDiff) -> str:
    up = "../../"
    labels = {ADDED: "added", REMOVED: "removed", CHANGED: "changed"}
    sections: list[str] = []
    current = None
    rows: list[str] = []

    def close() -> None:
        if current is not None:
            sections.append(
                f'<section aria-labelledby="d-{current}"><h2 id="d-{current}">{e(dict(GROUPS)[current])}</h2>'
                '<table class="diff"><thead><tr><th scope="col">Change</th><th scope="col">Fact</th>'
                f'<th scope="col">{e(diff.old.version_name)}</th>'
                f'<th scope="col">{e(diff.new.version_name)}</th></tr>'
                f"</thead><tbody>{''.join(rows)}</tbody></table></section>"
            )

    for change in diff.changes:
        if change.group != current:
            close()
            current, rows = change.group, []
        about = f" of {change.subject}" if change.subject else ""
        rows.append(
            f'<tr class="{change.kind}">'
            f'<td><span class="badge {change.kind}">{labels[change.kind]}</span></td>'
            f"<td>{e(change.aspect + about)}</td>"
            f"<td>{_diff_side(change.old, diff.old, up, model.text_of(diff.old))}</td>"
            f"<td>{_diff_side(change.new, diff.new, up, model.text_of(diff.new))}</td></tr>"
        )
    close()
    old, new = diff.old, diff.new
    body = f"""<h1>{e(new.vendor_label)}: what changed from {e(old.version_name)} to
{e(new.version_name)}</h1>
<p id="summary">{e(diff.summary())}. <a href="{up}{e(version_path(old))}">{e(old.version_name)}</a>
({_review(old)}) → <a href="{up}{e(version_path(new))}">{e(new.version_name)}</a> ({_review(new)}).</p>
{"".join(sections) if sections else "<p>No differences in the facts.</p>"}"""
    return layout(
        f"{new.vendor_label} {old.version_name} → {new.version_name}", body, 2, "", model.as_of.isoformat()
    )


def timeline_page(model: ReportModel) -> str:
    svg, events = timeline_svg(model)
    rows = "".join(
        f'<tr><td>{e(on)}</td><th scope="row">{e(instrument)}</th><td>{e(label)}</td></tr>'
        for on, instrument, label in events
    )
    body = f"""<h1>Policy versions against the transfer instruments</h1>
<p>Each instrument's validity (from the dated events in the ontology) and each vendor's policy versions, up to
{e(model.as_of.isoformat())} (the vertical line). Select a version's dot to open it.</p>
<figure>{svg}<figcaption>Bars: an instrument's status over time (green valid, amber closed to new
contracts or not recognised, red invalid, grey not yet in force). Dots: policy versions (hollow: drafts).
</figcaption></figure>
<h2 id="events">Validity events</h2>
<table><caption>Every dated event of the instruments, in date order</caption>
<thead><tr><th scope="col">Date</th><th scope="col">Instrument</th><th scope="col">Event</th></tr></thead>
<tbody>{rows}</tbody></table>"""
    return layout("Timeline", body, 0, "timeline.html", model.as_of.isoformat())

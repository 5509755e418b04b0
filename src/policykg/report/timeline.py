"""The timeline chart, drawn at build time as inline SVG (nothing to load, nothing to run):
each transfer instrument's status over time from its validity events, and each vendor's policy
versions as dots on the same axis."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

from ..instruments import Instrument, status_on
from .style import STATE_FILL, e

if TYPE_CHECKING:
    from .model import ReportModel, VersionView

LEFT, RIGHT, TOP, ROW, WIDTH = 300, 20, 40, 22, 1100


class _Axis:
    def __init__(self, first: date, last: date) -> None:
        self.first, self.last = first, last

    def x(self, when: date) -> float:
        span = self.last.toordinal() - self.first.toordinal()
        return LEFT + (when.toordinal() - self.first.toordinal()) / span * (WIDTH - LEFT - RIGHT)


def _start(instrument: Instrument) -> date | None:
    dates = [d for d in (instrument.adopted_on, instrument.in_force_from) if d]
    if not dates and instrument.events:
        dates = [instrument.events[0].on]
    return min(dates) if dates else None


def _segments(instrument: Instrument, until: date) -> list[tuple[date, date, str, str]]:
    """(from, to, state, summary) pieces of an instrument's history up to ``until``."""
    start = _start(instrument)
    if start is None or start > until:
        return []
    cuts = {start, until}
    cuts |= {e.on for e in instrument.events if start < e.on < until}
    if instrument.in_force_from and start < instrument.in_force_from < until:
        cuts.add(instrument.in_force_from)
    ordered = sorted(cuts)
    pieces: list[tuple[date, date, str, str]] = []
    for a, b in pairwise(ordered):
        status = status_on(instrument, a)
        if pieces and pieces[-1][2] == status.state and pieces[-1][3] == status.summary():
            pieces[-1] = (pieces[-1][0], b, status.state, status.summary())
        else:
            pieces.append((a, b, status.state, status.summary()))
    return pieces


def timeline_svg(model: ReportModel) -> tuple[str, list[tuple[str, str, str]]]:
    """The chart, and every event as (date, instrument, label) for the table beside it."""
    from .pages import version_path

    instruments = sorted(model.instruments.values(), key=lambda i: (_start(i) or model.as_of, i.label))
    vendors: dict[str, list[VersionView]] = {}
    for view in model.views:
        vendors.setdefault(view.version.vendor_label, []).append(view)
    dates = [d for i in instruments if (d := _start(i))] + [v.version.on for v in model.views if v.version.on]
    axis = _Axis(date(min(d.year for d in dates), 1, 1), date(model.as_of.year + 1, 1, 1))
    rows = len(instruments) + len(vendors) + 2
    height = TOP + rows * ROW + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        'aria-labelledby="tl-title tl-desc" class="timeline">'
        '<title id="tl-title">Transfer instruments and policy versions over time</title>'
        f'<desc id="tl-desc">{len(instruments)} instruments with their status over time and the policy '
        f"versions of {len(vendors)} vendors, up to {model.as_of.isoformat()}. The same events are listed in "
        "the table below.</desc>"
    ]
    step = 1 if axis.last.year - axis.first.year <= 14 else 2
    for year in range(axis.first.year, axis.last.year):
        x = axis.x(date(year, 1, 1))
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 12}" x2="{x:.1f}" y2="{height - 10}" class="grid"/>')
        if (year - axis.first.year) % step == 0:
            parts.append(f'<text x="{x + 2:.1f}" y="{TOP - 16}" class="year">{year}</text>')
    y = TOP
    parts.append(f'<text x="8" y="{y + 15}" class="section">Instruments</text>')
    events: list[tuple[str, str, str]] = []
    for instrument in instruments:
        y += ROW
        parts.append(f'<text x="8" y="{y + 15}" class="label">{e(_short(instrument.label))}</text>')
        for a, b, state, summary in _segments(instrument, model.as_of):
            x1, x2 = axis.x(a), axis.x(b)
            parts.append(
                f'<rect x="{x1:.1f}" y="{y + 4}" width="{max(x2 - x1, 1.5):.1f}" height="{ROW - 8}" '
                f'fill="{STATE_FILL[state]}"><title>{e(instrument.label)}, from {a.isoformat()}: '
                f"{e(summary)}</title></rect>"
            )
        for event in instrument.events:
            events.append((event.on.isoformat(), instrument.label, event.cite()))
            if event.on <= model.as_of:
                x = axis.x(event.on)
                parts.append(
                    f'<path d="M{x:.1f},{y + 1} l4,5 l-4,5 l-4,-5 z" class="event">'
                    f"<title>{e(event.cite())}</title></path>"
                )
    y += ROW
    parts.append(f'<text x="8" y="{y + 15}" class="section">Vendors (policy versions)</text>')
    for vendor in sorted(vendors, key=str.casefold):
        y += ROW
        views = vendors[vendor]
        parts.append(f'<text x="8" y="{y + 15}" class="label">{e(vendor)}</text>')
        dated = [v for v in views if v.version.on]
        if dated:
            first = min(v.version.on for v in dated if v.version.on)
            parts.append(
                f'<line x1="{axis.x(first):.1f}" y1="{y + 11}" x2="{axis.x(model.as_of):.1f}" '
                f'y2="{y + 11}" class="life"/>'
            )
        for view in dated:
            version = view.version
            assert version.on is not None
            x = axis.x(version.on)
            review = "draft" if version.draft else "reviewed"
            parts.append(
                f'<a href="{e(version_path(version))}" class="dot {review}">'
                f'<circle cx="{x:.1f}" cy="{y + 11}" r="6"/>'
                f"<title>{e(vendor)} {e(version.version_name)} ({review})</title></a>"
            )
    x = axis.x(model.as_of)
    parts.append(f'<line x1="{x:.1f}" y1="{TOP - 12}" x2="{x:.1f}" y2="{height - 10}" class="asof"/>')
    parts.append(
        f'<text x="{x - 4:.1f}" y="{height - 2}" class="asof-label">{model.as_of.isoformat()}</text>'
    )
    parts.append("</svg>")
    return "".join(parts), sorted(events)


def _short(label: str) -> str:
    return label if len(label) <= 46 else label[:44] + "…"

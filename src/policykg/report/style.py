"""How the site shows things, in one place: HTML escaping, and the class an instrument's state
gets (text in the pages, bars in the timeline), so a new state is styled once."""

from __future__ import annotations

from html import escape

STATE_CLASS = {
    "valid": "ok",
    "not-in-force": "muted",
    "not-recognised": "warn",
    "closed-to-new-contracts": "warn",
    "invalid": "bad",
}
"""Instrument state (policykg.instruments) -> CSS class of its text (site.css)."""

CLASS_FILL = {"ok": "#1a7f37", "muted": "#8c959f", "warn": "#bf8700", "bad": "#cf222e"}
"""The same classes as timeline bar colours (SVG fills)."""

STATE_FILL = {state: CLASS_FILL[cls] for state, cls in STATE_CLASS.items()}


def e(text: object) -> str:
    """Text escaped for HTML content and attribute values."""
    return escape(str(text), quote=True)

"""What changed between two policy versions: facts added, removed and changed, with the quotes
of both sides. `policykg diff` and the report's diff pages both render :func:`diff_versions`.

Facts are compared by what a reader compares (:mod:`policykg.facts`): their group, aspect and
value, and for entities and contacts the entity they are about. Processes are named differently
from one version to the next, so a purpose, a legal basis or a transfer mechanism counts for the
version as a whole, as in the policy-history query. Where one aspect lost some values and gained
others (Privacy Shield out, standard contractual clauses in), the change is one entry with the
old facts and the new ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .errors import BadValueError, known
from .facts import GROUPS, Fact, Quote, Version, version_facts, versions
from .params import Resolver, store_select
from .store import GraphStore

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
_BY_SUBJECT = {"entities", "contacts"}
"""Groups whose facts are compared per entity (an address changes for one company)."""


@dataclass
class Change:
    kind: str
    group: str
    aspect: str
    subject: str
    old: list[Fact] = field(default_factory=list)
    new: list[Fact] = field(default_factory=list)


@dataclass
class VersionDiff:
    old: Version
    new: Version
    changes: list[Change]
    unchanged: int

    def counts(self) -> dict[str, int]:
        """Facts only in the new version, only in the old one, and aspects that changed."""
        return {
            ADDED: sum(len(c.new) for c in self.changes if c.kind == ADDED),
            REMOVED: sum(len(c.old) for c in self.changes if c.kind == REMOVED),
            CHANGED: sum(1 for c in self.changes if c.kind == CHANGED),
        }

    def summary(self) -> str:
        c = self.counts()
        return (
            f"{c[ADDED]} facts added, {c[REMOVED]} removed, {c[CHANGED]} aspects changed, "
            f"{self.unchanged} facts the same in both"
        )


def _compare_key(fact: Fact) -> tuple[str, str, str]:
    return (fact.group, fact.aspect, fact.subject_key if fact.group in _BY_SUBJECT else "")


def _by_value(facts: list[Fact]) -> dict[tuple[str, str, str], dict[str, Fact]]:
    """Facts under their comparison key, one per value (quotes of equal values merged)."""
    table: dict[tuple[str, str, str], dict[str, Fact]] = {}
    for fact in facts:
        values = table.setdefault(_compare_key(fact), {})
        if fact.value_key in values:
            kept = values[fact.value_key]
            merged = sorted(set(kept.quotes) | set(fact.quotes))
            values[fact.value_key] = replace(kept, quotes=merged)
        else:
            values[fact.value_key] = fact
    return table


def compare(old: Version, new: Version, old_facts: list[Fact], new_facts: list[Fact]) -> VersionDiff:
    """The changes from ``old_facts`` to ``new_facts`` (pure: no store)."""
    before, after = _by_value(old_facts), _by_value(new_facts)
    changes: list[Change] = []
    unchanged = 0
    group_rank = {g: i for i, (g, _) in enumerate(GROUPS)}
    for key in sorted(set(before) | set(after), key=lambda k: (group_rank[k[0]], k[1], k[2])):
        was, now = before.get(key, {}), after.get(key, {})
        removed = [was[v] for v in sorted(set(was) - set(now))]
        added = [now[v] for v in sorted(set(now) - set(was))]
        unchanged += len(set(was) & set(now))
        group, aspect, _ = key
        if removed or added:
            first = (removed or added)[0]
            subject_label = first.subject if group in _BY_SUBJECT and first.subject_key else ""
            kind = CHANGED if removed and added else REMOVED if removed else ADDED
            changes.append(Change(kind, group, aspect, subject_label, removed, added))
    return VersionDiff(old, new, changes, unchanged)


def diff_versions(store: GraphStore, old: Version, new: Version) -> VersionDiff:
    return compare(old, new, version_facts(store, old.iri), version_facts(store, new.iri))


def pick_versions(store: GraphStore, first: str, second: str | None) -> tuple[Version, Version]:
    """The two versions ``policykg diff`` compares: two versions (IRI or ``vendor/date``), or a
    vendor (label, slug or IRI) for its last two versions. Unknown names are exit 2 with the
    known values listed."""
    listed = versions(store)
    by_iri = {v.iri: v for v in listed}
    resolver = Resolver(store_select(store))
    if second is None:
        vendor = resolver.find("vendor", first)
        own = [v for v in listed if v.vendor == vendor.iri]
        if len(own) < 2:
            shown = ", ".join(v.slug for v in own)
            raise BadValueError("vendor", first, f"a vendor with two versions or more (it has {shown})")
        return own[-2], own[-1]
    old, new = (by_iri[resolver.find("policy", name).iri] for name in (first, second))
    if old.iri == new.iri:
        raise BadValueError("versions", f"{first} {second}", "two different versions")
    return old, new


def _quote_dict(quote: Quote) -> dict[str, object]:
    return {"text": quote.text, "start": quote.start, "end": quote.end, "condition": quote.condition or None}


def _fact_dict(fact: Fact) -> dict[str, object]:
    return {
        "subject": fact.subject,
        "property": fact.predicate,
        "value": fact.value,
        "valueIri": fact.value_key if ":" in fact.value_key else None,
        "quotes": [_quote_dict(q) for q in fact.quotes],
    }


def _version_dict(version: Version) -> dict[str, object]:
    return {
        "iri": version.iri,
        "name": version.slug,
        "vendor": version.vendor_label,
        "date": version.on.isoformat() if version.on else None,
        "review": "draft" if version.draft else "reviewed",
    }


def render_json(diff: VersionDiff) -> str:
    document = {
        "old": _version_dict(diff.old),
        "new": _version_dict(diff.new),
        "summary": diff.counts() | {"unchanged": diff.unchanged},
        "changes": [
            {
                "kind": c.kind,
                "group": c.group,
                "aspect": c.aspect,
                "subject": c.subject or None,
                "old": [_fact_dict(f) for f in c.old],
                "new": [_fact_dict(f) for f in c.new],
            }
            for c in diff.changes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _heading(version: Version) -> str:
    review = "draft" if version.draft else "reviewed"
    when = version.on.isoformat() if version.on else "undated"
    return f"{version.vendor_label} {version.version_name} ({when}, {review})"


def _group_title(group: str) -> str:
    return dict(GROUPS)[group]


def _quotes_text(fact: Fact, indent: str) -> list[str]:
    lines = []
    for q in fact.quotes:
        condition = f" (if {q.condition})" if q.condition else ""
        lines.append(f'{indent}"{q.text}" [{q.start}-{q.end}]{condition}')
    return lines


def render_text(diff: VersionDiff) -> str:
    lines = [f"{_heading(diff.old)} -> {_heading(diff.new)}", diff.summary()]
    group = None
    for change in diff.changes:
        if change.group != group:
            group = change.group
            lines += ["", _group_title(group)]
        about = f" of {change.subject}" if change.subject else ""
        lines.append(f"  {change.kind.upper()} {change.aspect}{about}")
        for fact in change.old:
            lines.append(f"    - {fact.value}   [{diff.old.version_name}]")
            lines += _quotes_text(fact, "        ")
        for fact in change.new:
            lines.append(f"    + {fact.value}   [{diff.new.version_name}]")
            lines += _quotes_text(fact, "        ")
    if not diff.changes:
        lines.append("no differences in the facts")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("\n", " ")


def render_markdown(diff: VersionDiff) -> str:
    lines = [f"# {_md(_heading(diff.old))} → {_md(_heading(diff.new))}", "", diff.summary()]
    group = None
    for change in diff.changes:
        if change.group != group:
            group = change.group
            lines += ["", f"## {_group_title(group)}", ""]
        about = f" of {_md(change.subject)}" if change.subject else ""
        lines.append(f"- **{change.kind}** {_md(change.aspect)}{about}")
        for side, version, facts in (("−", diff.old, change.old), ("+", diff.new, change.new)):
            for fact in facts:
                lines.append(f"  - {side} {_md(fact.value)} ({version.version_name})")
                lines += [f"    > {_md(q.text)} \\[{q.start}–{q.end}\\]" for q in fact.quotes]
    return "\n".join(lines) + "\n"


DIFF_FORMATS: dict[str, Callable[[VersionDiff], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}


def render(diff: VersionDiff, fmt: str) -> str:
    return known(DIFF_FORMATS, fmt, "diff format")(diff)

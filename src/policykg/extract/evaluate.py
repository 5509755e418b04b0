"""Scoring extraction against a gold file in the schema of ../shared/corpus/gold.yaml.

Scoring rules (the gold file's own conventions):
- a gold fact marked ``uncertain: true`` is optional: extracting it counts as a hit, missing it
  is not a miss;
- transfer mechanisms score what is **relied upon**: a mechanism the gold names with
  ``relied_upon: false`` and that is extracted as relied upon is a false positive;
- controller names match after dropping parentheses, punctuation and legal forms
  ("Wix.com Ltd. (with its affiliates)" = "Wix.com Ltd"), one extracted name per gold name;
- e-mails: the set of the gold ``dpo_email`` and ``privacy_contact_email`` against the written
  (not hidden) addresses drafted as DPO or privacy contact;
- dispute bodies: gold body names are read with the same body patterns as the text, so
  "Privacy Shield Panel (binding arbitration)" and the text's "binding arbitration" meet;
- retention: a policy whose gold says ``stated: true`` and for which a retention statement is
  drafted is a hit (a statement drafted where gold says false is a false positive);
- the policy date is right when the ISO date (YYYY-MM when only a month is stated, "none" when
  undated) equals the gold's.
Keys the scorer does not know are ignored.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from .detect import extract_text, name_key
from .model import RELIED, Extraction
from .rules import Rules, load_rules
from .text import read_policy_text

CATEGORIES = (
    "transfers_relied",
    "controllers",
    "emails",
    "rights",
    "legal_bases",
    "disputes",
    "retention",
    "processor_role",
)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }


@dataclass
class PolicyResult:
    id: str
    seconds: float
    date_gold: str
    date_found: str
    misses: dict[str, list[str]] = field(default_factory=dict)
    false_positives: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Evaluation:
    scores: dict[str, Score]
    date_exact: int
    policies: list[PolicyResult]

    @property
    def date_rate(self) -> float:
        return self.date_exact / len(self.policies) if self.policies else 0.0

    def overall(self) -> Score:
        total = Score()
        for score in self.scores.values():
            total.tp += score.tp
            total.fp += score.fp
            total.fn += score.fn
        return total

    def as_dict(self) -> dict[str, Any]:
        return {
            "policies": len(self.policies),
            "date_exact": round(self.date_rate, 3),
            "categories": {name: score.as_dict() for name, score in self.scores.items()},
            "overall": self.overall().as_dict(),
            "per_policy": [
                {
                    "id": p.id,
                    "seconds": round(p.seconds, 3),
                    "date": {"gold": p.date_gold, "found": p.date_found},
                    "misses": p.misses,
                    "false_positives": p.false_positives,
                }
                for p in self.policies
            ],
        }


# --- the gold file ----------------------------------------------------------------------------


def read_gold(path: Path) -> list[dict[str, Any]]:
    """The gold entries; a file that does not follow the schema is refused with its reason."""
    import yaml

    if not path.is_file():
        raise InputFileError(path, "gold file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputFileError(path, "not UTF-8 text") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputFileError(path, "YAML syntax error", None if mark is None else mark.line + 1) from None
    if not isinstance(data, list) or not data:
        raise InputFileError(path, "expected a non-empty list of policy entries (the schema of gold.yaml)")
    for index, entry in enumerate(data):
        _check_entry(path, index, entry)
    return data


def _check_entry(path: Path, index: int, entry: Any) -> None:
    where = f"entry {index + 1}"
    if not isinstance(entry, dict):
        raise InputFileError(path, f"{where}: expected a mapping")
    for key in ("id", "file"):
        if not isinstance(entry.get(key), str):
            raise InputFileError(path, f"{where}: missing {key!r} (a string)")
    if "policy_date" not in entry:
        raise InputFileError(path, f"{where} ({entry['id']}): missing 'policy_date' (ISO date or null)")
    lists = ("controller", "transfer_mechanisms", "legal_bases", "rights", "dispute_resolution")
    for key in lists:
        if key in entry and entry[key] is not None and not isinstance(entry[key], list):
            raise InputFileError(path, f"{where} ({entry['id']}): {key!r} must be a list")
    for mech in entry.get("transfer_mechanisms") or []:
        if not isinstance(mech, dict) or "mechanism" not in mech or "relied_upon" not in mech:
            raise InputFileError(
                path, f"{where} ({entry['id']}): a transfer mechanism needs mechanism and relied_upon"
            )


# --- scoring ----------------------------------------------------------------------------------


def _labels(items: list[dict[str, Any]] | None, key: str, keep: Any = None) -> tuple[set[str], set[str]]:
    """(required, optional) labels: uncertain facts are optional."""
    required: set[str] = set()
    optional: set[str] = set()
    for item in items or []:
        if keep is not None and not keep(item):
            continue
        (optional if item.get("uncertain") else required).add(str(item[key]))
    return required, optional - required


def _score(
    score: Score, found: set[str], required: set[str], optional: set[str]
) -> tuple[list[str], list[str]]:
    hits = found & (required | optional)
    false = found - required - optional
    missed = required - found
    score.tp += len(hits)
    score.fp += len(false)
    score.fn += len(missed)
    return sorted(missed), sorted(false)


def _same_entity(a: str, b: str) -> bool:
    core_a, form_a = a.split("|")
    core_b, form_b = b.split("|")
    return bool(core_a) and core_a == core_b and (form_a == form_b or not form_a or not form_b)


def _match_controllers(
    gold: list[dict[str, Any]], found: Extraction, rules: Rules
) -> tuple[set[str], set[str], set[str]]:
    """Extracted names as gold names where they match one (its name or an alias it gives in
    parentheses: "(IBM Corp.)", "(formerly Writelatex Ltd)"); a second name for an entity already
    matched is neither a hit nor a false positive."""
    entities: list[tuple[str, list[str], bool]] = []
    for item in gold:
        name = str(item["name"])
        aliases = [name] + [
            re.sub(r"^(?:formerly|t/a|trading as|also)\s+", "", a) for a in re.findall(r"\(([^)]*)\)", name)
        ]
        entities.append(
            (name_key(name, rules), [name_key(a, rules) for a in aliases], bool(item.get("uncertain")))
        )
    names: set[str] = set()
    for entity in found.controllers:
        key = name_key(entity.name, rules)
        match = next((main for main, keys, _ in entities if any(_same_entity(key, k) for k in keys)), None)
        names.add(match if match is not None else key)
    required = {main for main, _, unsure in entities if not unsure}
    optional = {main for main, _, unsure in entities if unsure}
    return names, required, optional


def _dispute_ids(name: str, rules: Rules) -> set[str]:
    """Every body id a gold body name can stand for ("local DPA (EDPB list; ICO for UK users)")."""
    ids = {body.id for body in rules.dispute_bodies if body.regex.search(name)}
    return ids or {"unmapped:" + name}


def _match_bodies(
    gold: list[dict[str, Any]], found: set[str], rules: Rules
) -> tuple[set[str], set[str], set[str]]:
    """Gold bodies as (required, optional) keys; a drafted id that one of a gold body's ids
    matches stands for that body."""
    required: set[str] = set()
    optional: set[str] = set()
    names: set[str] = set(found)
    for item in gold:
        ids = _dispute_ids(str(item["body"]), rules)
        key = sorted(ids & found)[0] if ids & found else sorted(ids)[0]
        (optional if item.get("uncertain") else required).add(key)
    return names, required, optional - required


def score_policy(
    entry: dict[str, Any], found: Extraction, rules: Rules, scores: dict[str, Score]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    misses: dict[str, list[str]] = {}
    false: dict[str, list[str]] = {}

    def record(category: str, found_set: set[str], required: set[str], optional: set[str]) -> None:
        m, f = _score(scores[category], found_set, required, optional)
        if m:
            misses[category] = m
        if f:
            false[category] = f

    mechanisms = entry.get("transfer_mechanisms") or []
    req, opt = _labels(mechanisms, "mechanism", keep=lambda m: bool(m.get("relied_upon")))
    record("transfers_relied", found.transfer_labels(RELIED), req, opt)

    found_names, required, optional = _match_controllers(entry.get("controller") or [], found, rules)
    record("controllers", found_names, required, optional)

    emails = {str(entry[k]).lower() for k in ("dpo_email", "privacy_contact_email") if entry.get(k)}
    found_emails = {f.value for f in found.emails if f.status == "written" and f.value}
    record("emails", found_emails, emails, set())

    record("rights", {f.label for f in found.rights}, *_labels(entry.get("rights"), "right"))
    record("legal_bases", {f.label for f in found.legal_bases}, *_labels(entry.get("legal_bases"), "basis"))

    record(
        "disputes",
        *_match_bodies(entry.get("dispute_resolution") or [], {f.label for f in found.disputes}, rules),
    )

    stated = bool((entry.get("retention") or {}).get("stated"))
    record("retention", {"stated"} if found.retention else set(), {"stated"} if stated else set(), set())

    processor = bool(entry.get("processor_for_customers"))
    unsure = bool(entry.get("uncertain_processor"))
    role = {"processor"} if found.processor_role else set()
    gold_role = {"processor"} if processor else set()
    record(
        "processor_role",
        role,
        set() if unsure else gold_role,
        gold_role | ({"processor"} if unsure else set()),
    )
    return misses, false


def evaluate(gold_path: Path, rules: Rules | None = None) -> Evaluation:
    rules = rules or load_rules()
    entries = read_gold(gold_path)
    scores = {name: Score() for name in CATEGORIES}
    results: list[PolicyResult] = []
    exact = 0
    for entry in entries:
        text_path = (gold_path.parent / entry["file"]).resolve()
        text = read_policy_text(text_path)
        started = time.perf_counter()
        found = extract_text(text, rules)
        seconds = time.perf_counter() - started
        misses, false = score_policy(entry, found, rules, scores)
        gold_date = str(entry["policy_date"]) if entry.get("policy_date") else "none"
        found_date = found.date.iso if found.date else "none"
        exact += gold_date == found_date
        results.append(PolicyResult(entry["id"], seconds, gold_date, found_date, misses, false))
    return Evaluation(scores=scores, date_exact=exact, policies=results)


def format_evaluation(evaluation: Evaluation, details: bool = True) -> str:
    lines: list[str] = []
    if details:
        for p in evaluation.policies:
            marks = []
            if p.date_gold != p.date_found:
                marks.append(f"date {p.date_found} (gold {p.date_gold})")
            marks += [f"miss {cat}: {', '.join(v)}" for cat, v in p.misses.items()]
            marks += [f"false {cat}: {', '.join(v)}" for cat, v in p.false_positives.items()]
            lines.append(f"{p.id}: " + ("ok" if not marks else "; ".join(marks)))
        lines.append("")
    lines.append(f"{'category':<18} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn")
    for name, score in [*evaluation.scores.items(), ("overall", evaluation.overall())]:
        lines.append(_row(name, score))
    rate = evaluation.date_rate
    lines.append(f"policy date exact: {evaluation.date_exact}/{len(evaluation.policies)} = {rate:.3f}")
    return "\n".join(lines)


def _row(name: str, s: Score) -> str:
    return f"{name:<18} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4d}{s.fp:4d}{s.fn:4d}"

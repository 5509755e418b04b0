"""The extraction rules: `data/mappings/extract-rules.yaml`, read once into typed, compiled rules.

The rules are data so that a reviewer can read why a fact was drafted (each drafted fact names
its rule) and so that tuning never hides knowledge in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..paths import project_paths

RULES_FILE = "extract-rules.yaml"


def rules_path() -> Path:
    return project_paths().data / "mappings" / RULES_FILE


@dataclass(frozen=True)
class Pattern:
    """A named, compiled pattern with the term it stands for (if any)."""

    id: str
    regex: re.Pattern[str]
    term: str = ""
    kind: str = ""
    confidence: float = 0.8
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Leg:
    label: str
    when: re.Pattern[str]
    basis: str
    measure: str = ""
    exclusive: bool = False


@dataclass(frozen=True)
class Mechanism:
    id: str
    regex: re.Pattern[str]
    legs: tuple[Leg, ...]
    default_leg: str
    require: re.Pattern[str] | None = None
    reject: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Rules:
    source: Path
    date_labels: tuple[Pattern, ...]
    date_label_gap: int
    bare_date_lines: int
    day_first_signs: re.Pattern[str]
    legal_forms: re.Pattern[str]
    name_stop_words: frozenset[str]
    name_connectors: frozenset[str]
    street_address: re.Pattern[str]
    languages: dict[str, re.Pattern[str]]
    strong_reliance: re.Pattern[str]
    plain_reliance: re.Pattern[str]
    controller_cues: tuple[Pattern, ...]
    not_controller_context: re.Pattern[str]
    processor_cues: tuple[Pattern, ...]
    countries: tuple[Pattern, ...]
    registration: re.Pattern[str]
    mechanisms: tuple[Mechanism, ...]
    scc_decisions: tuple[Pattern, ...]
    disclaimed: re.Pattern[str]
    relied: re.Pattern[str]
    mentioned_only: re.Pattern[str]
    legal_bases: tuple[Pattern, ...]
    legal_basis_reject: re.Pattern[str]
    legal_basis_context: re.Pattern[str]
    legal_basis_labels: dict[str, re.Pattern[str]]
    rights_context: re.Pattern[str]
    rights: tuple[Pattern, ...]
    rights_reject: dict[str, re.Pattern[str]]
    email: re.Pattern[str]
    hidden_email: re.Pattern[str]
    dpo_context: re.Pattern[str]
    privacy_context: re.Pattern[str]
    privacy_local_part: re.Pattern[str]
    email_reject: re.Pattern[str]
    retention_verbs: re.Pattern[str]
    retention_criteria: re.Pattern[str]
    retention_reject: re.Pattern[str]
    dispute_bodies: tuple[Pattern, ...]
    negative_statements: tuple[Pattern, ...]
    recipients: tuple[Pattern, ...]
    negation: re.Pattern[str]
    negative_qualifiers: re.Pattern[str]
    purposes: tuple[Pattern, ...]
    personal_data: tuple[Pattern, ...]


class _Reader:
    """Compiles patterns, naming the rule file and the rule in any error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def regex(self, value: Any, where: str, case: bool = False) -> re.Pattern[str]:
        if not isinstance(value, str) or not value:
            raise InputFileError(self.path, f"{where}: expected a regular expression")
        try:
            return re.compile(value, 0 if case else re.IGNORECASE)
        except re.error as err:
            raise InputFileError(self.path, f"{where}: bad regular expression ({err})") from None

    def patterns(self, items: Any, section: str, id_key: str = "id") -> tuple[Pattern, ...]:
        if not isinstance(items, list):
            raise InputFileError(self.path, f"{section}: expected a list")
        out: list[Pattern] = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputFileError(self.path, f"{section}[{index}]: expected a mapping")
            ident = str(item.get(id_key) or item.get("label") or item.get("term") or index)
            where = f"{section}/{ident}"
            extra = {k: v for k, v in item.items() if k not in {"pattern", "term", "kind", "confidence"}}
            out.append(
                Pattern(
                    id=ident,
                    regex=self.regex(item.get("pattern"), where, case=bool(item.get("case"))),
                    term=str(item.get("term", "")),
                    kind=str(item.get("kind", "")),
                    confidence=float(item.get("confidence", 0.8)),
                    extra=extra,
                )
            )
        return tuple(out)

    def mechanism(self, item: Any, index: int) -> Mechanism:
        if not isinstance(item, dict):
            raise InputFileError(self.path, f"mechanisms[{index}]: expected a mapping")
        where = f"mechanisms/{item.get('id', index)}"
        legs = tuple(
            Leg(
                label=str(leg["label"]),
                when=self.regex(leg.get("when"), f"{where}/legs"),
                basis=str(leg.get("basis", "")),
                measure=str(leg.get("measure", "")),
                exclusive=bool(leg.get("exclusive")),
            )
            for leg in item.get("legs", [])
        )
        return Mechanism(
            id=str(item.get("id")),
            regex=self.regex(item.get("pattern"), where),
            legs=legs,
            default_leg=str(item.get("default_leg", "")),
            require=self.regex(item["require"], f"{where}/require") if "require" in item else None,
            reject=self.regex(item["reject"], f"{where}/reject") if "reject" in item else None,
        )


def _load(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        raise InputFileError(path, "extraction rules not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        raise InputFileError(path, f"YAML syntax error: {err}", None if line is None else line + 1) from None
    if not isinstance(data, dict):
        raise InputFileError(path, "expected a mapping of rule sections")
    return data


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> Rules:
    path = path or rules_path()
    data = _load(path)
    r = _Reader(path)
    try:
        retention = data["retention"]
        status = data["transfer_status"]
        return Rules(
            source=path,
            date_labels=r.patterns(data["date_labels"], "date_labels"),
            date_label_gap=int(data.get("date_label_gap", 12)),
            bare_date_lines=int(data.get("bare_date_lines", 12)),
            day_first_signs=r.regex(data["day_first_signs"], "day_first_signs", case=True),
            legal_forms=r.regex(data["legal_forms"], "legal_forms", case=True),
            name_stop_words=frozenset(str(w) for w in data["name_stop_words"]),
            name_connectors=frozenset(str(w) for w in data["name_connectors"]),
            street_address=r.regex(data["street_address"], "street_address", case=True),
            languages={str(k): r.regex(v, f"languages/{k}", case=True) for k, v in data["languages"].items()},
            strong_reliance=r.regex(status["strong"], "transfer_status/strong"),
            plain_reliance=r.regex(status["plain"], "transfer_status/plain"),
            controller_cues=r.patterns(data["controller_cues"], "controller_cues"),
            not_controller_context=r.regex(data["not_controller_context"], "not_controller_context"),
            processor_cues=r.patterns(data["processor_cues"], "processor_cues"),
            countries=tuple(
                Pattern(id=code, regex=r.regex(rx, f"countries/{code}", case=True), term=f"loc:{code}")
                for code, rx in data["countries"].items()
            ),
            registration=r.regex(data["registration"], "registration", case=True),
            mechanisms=tuple(r.mechanism(m, i) for i, m in enumerate(data["mechanisms"])),
            scc_decisions=r.patterns(data["scc_decisions"], "scc_decisions", id_key="label"),
            disclaimed=r.regex(status["disclaimed"], "transfer_status/disclaimed"),
            relied=r.regex(status["relied"], "transfer_status/relied"),
            mentioned_only=r.regex(status["mentioned_only"], "transfer_status/mentioned_only"),
            legal_bases=r.patterns(data["legal_bases"], "legal_bases", id_key="label"),
            legal_basis_reject=r.regex(data["legal_basis_reject"], "legal_basis_reject"),
            legal_basis_context=r.regex(data["legal_basis_context"], "legal_basis_context"),
            legal_basis_labels={
                str(k): r.regex(v, f"legal_basis_labels/{k}") for k, v in data["legal_basis_labels"].items()
            },
            rights_context=r.regex(data["rights_context"], "rights_context"),
            rights=r.patterns(data["rights"], "rights", id_key="label"),
            rights_reject={
                k: r.regex(v, f"rights_reject/{k}") for k, v in (data.get("rights_reject") or {}).items()
            },
            email=r.regex(data["email_pattern"], "email_pattern", case=True),
            hidden_email=r.regex(data["hidden_email"], "hidden_email"),
            dpo_context=r.regex(data["dpo_context"], "dpo_context"),
            privacy_context=r.regex(data["privacy_context"], "privacy_context"),
            privacy_local_part=r.regex(data["privacy_local_part"], "privacy_local_part"),
            email_reject=r.regex(data["email_reject"], "email_reject"),
            retention_verbs=r.regex(retention["verbs"], "retention/verbs"),
            retention_criteria=r.regex(retention["criteria"], "retention/criteria"),
            retention_reject=r.regex(retention["reject"], "retention/reject"),
            dispute_bodies=r.patterns(data["dispute_bodies"], "dispute_bodies"),
            negative_statements=r.patterns(data["negative_statements"], "negative_statements"),
            recipients=r.patterns(data["recipients"], "recipients"),
            negation=r.regex(data["negation"], "negation"),
            negative_qualifiers=r.regex(data["negative_qualifiers"], "negative_qualifiers"),
            purposes=r.patterns(data["purposes"], "purposes", id_key="term"),
            personal_data=r.patterns(data["personal_data"], "personal_data", id_key="term"),
        )
    except KeyError as err:
        raise InputFileError(path, f"missing rule section {err.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as err:
        raise InputFileError(path, f"malformed rule section ({err})") from None

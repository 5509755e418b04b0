"""The detectors: one function per kind of fact, each reading the rules of extract-rules.yaml.

Every detector returns findings whose quote is verbatim text at its offsets; none invents a
value the text does not hold (a hidden e-mail stays hidden, an undated text stays undated).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date

from ..dates import MONTH_WORD, month_number
from .model import DISCLAIMED, MENTIONED, RELIED, Entity, Extraction, Finding, PolicyDate
from .rules import Mechanism, Rules
from .text import PolicyText, Span

# --- dates ------------------------------------------------------------------------------------

# Dates are delimited by non-alphanumerics, not by \b: Markdown puts "_" (a word character) around them.
_L, _R = r"(?<![^\W_])", r"(?![^\W_])"
_DATE_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ISO", re.compile(rf"{_L}(\d{{4}})-(\d{{2}})-(\d{{2}}){_R}")),
    ("Month D, Y", re.compile(rf"{_L}({MONTH_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_R}")),
    (
        "D Month Y",
        re.compile(
            rf"{_L}(\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:of\s+|de\s+)?({MONTH_WORD})\.?,?\s+(?:de\s+)?(\d{{4}}){_R}"
        ),
    ),
    ("numeric", re.compile(rf"{_L}(\d{{1,2}})([/.\-])\s?(\d{{1,2}})\2\s?(\d{{4}}|\d{{2}}){_R}")),
    ("Month Y", re.compile(rf"{_L}({MONTH_WORD})\.?,?\s+(\d{{4}}){_R}")),
)
_EARLIEST_YEAR = 1995


def _parse_at(
    text: str, start: int, language: str, limit: int, day_first: re.Pattern[str]
) -> tuple[date, str, Span, float] | None:
    """The first date form that starts within ``limit`` characters of ``start``."""
    window = text[start : start + limit + 40]
    best: tuple[int, date, str, Span, float] | None = None
    for notation, rx in _DATE_FORMS:
        for m in rx.finditer(window):
            if m.start() > limit:
                break
            parsed = _read_date(notation, m, text, language, day_first)
            if parsed is None:
                continue
            when, actual, confidence = parsed
            span = Span(start + m.start(), start + m.end(), m.group(0))
            if (
                best is None
                or m.start() < best[0]
                or (m.start() == best[0] and len(span.text) > len(best[3].text))
            ):
                best = (m.start(), when, actual, span, confidence)
            break
    return None if best is None else best[1:]


def _read_date(
    notation: str, m: re.Match[str], text: str, language: str, day_first_signs: re.Pattern[str]
) -> tuple[date, str, float] | None:
    try:
        if notation == "ISO":
            when = date(int(m[1]), int(m[2]), int(m[3]))
            return _plausible(when, notation, 0.95)
        if notation == "Month D, Y":
            month = month_number(m[1])
            return None if month is None else _plausible(date(int(m[3]), month, int(m[2])), notation, 0.95)
        if notation == "D Month Y":
            month = month_number(m[2])
            return None if month is None else _plausible(date(int(m[3]), month, int(m[1])), notation, 0.95)
        if notation == "Month Y":
            month = month_number(m[1])
            return None if month is None else _plausible(date(int(m[2]), month, 1), notation, 0.85)
        first, second = int(m[1]), int(m[3])
        year = int(m[4]) + (2000 if len(m[4]) == 2 else 0)
        european = m[2] == "." or language != "en" or bool(day_first_signs.search(text))
        if first > 12 or (second <= 12 and european):
            day_first, confidence = True, (0.95 if first > 12 else 0.7)
        else:
            day_first, confidence = False, (0.95 if second > 12 else 0.6)
        day, month = (first, second) if day_first else (second, first)
        return _plausible(date(year, month, day), "D/M/Y" if day_first else "M/D/Y", confidence)
    except ValueError:
        return None


def _plausible(when: date, notation: str, confidence: float) -> tuple[date, str, float] | None:
    if when.year < _EARLIEST_YEAR or when > date.today().replace(year=date.today().year + 1):
        return None
    return when, notation, confidence


def _iso(when: date, notation: str) -> str:
    return when.isoformat()[:7] if notation == "Month Y" else when.isoformat()


def detect_date(doc: PolicyText, rules: Rules, language: str) -> PolicyDate | None:
    """The policy's own date: a labelled date (the latest, if several labels carry dates: a
    list of earlier versions precedes or follows the current one), else a bare date line at the
    head or foot of the text. ``None`` when the text states no date."""
    text = doc.text
    labelled: list[PolicyDate] = []
    for label in rules.date_labels:
        for m in label.regex.finditer(text):
            if m.start() > 0 and text[m.start() - 1].isalnum():
                continue
            found = _parse_at(text, m.end(), language, rules.date_label_gap, rules.day_first_signs)
            if found is None:
                continue
            when, notation, span, confidence = found
            labelled.append(
                PolicyDate(_iso(when, notation), label.kind, notation, span, f"date/{label.id}", confidence)
            )
    if labelled:
        # the first labelled date: the policy's own date heads it; later ones date parts or
        # announce changes ("Effective as of Feb 2nd, 2018" for a supplement)
        return min(labelled, key=lambda d: d.quote.start)
    return _bare_date_line(doc, rules, language)


def _bare_date_line(doc: PolicyText, rules: Rules, language: str) -> PolicyDate | None:
    lines = [(m.start(), m.group(0)) for m in re.finditer(r"[^\n]+", doc.text) if m.group(0).strip()]
    edge = lines[: rules.bare_date_lines] + lines[-rules.bare_date_lines :]
    for start, line in edge:
        stripped = line.strip(" \t*_#>|")
        if not stripped or len(stripped) > 40:
            continue
        offset = start + line.index(stripped)
        found = _parse_at(doc.text, offset, language, 0, rules.day_first_signs)
        if found and found[2].end == offset + len(stripped):
            when, notation, span, confidence = found
            return PolicyDate(
                _iso(when, notation),
                "pkg:DateOfVersion",
                notation,
                span,
                "date/bare-date-line",
                confidence * 0.9,
            )
    return None


# --- language ---------------------------------------------------------------------------------


def detect_language(text: str, rules: Rules) -> str:
    sample = text[:20000]
    counts = {lang: len(rx.findall(sample)) for lang, rx in rules.languages.items()}
    return max(counts, key=lambda lang: counts[lang])


# --- controllers ------------------------------------------------------------------------------


_NAME_TOKEN = re.compile(r"[\w&.,'’\-/()]+")


def _name_before(text: str, end: int, floor: int, rules: Rules) -> tuple[int, str] | None:
    """Walk back from ``end`` over capitalised words (and connectors) to the start of a name."""
    tokens = list(_NAME_TOKEN.finditer(text, floor, end))
    start = end
    taken = 0
    for tok in reversed(tokens):
        word = tok.group(0).strip(",()")
        gap = text[tok.end() : start]
        if taken and (("\n" in gap) or len(gap.strip(" ")) > 0 or tok.group(0).endswith((",", ";"))):
            break
        if not word:
            break
        if word[0].isupper() or word[0].isdigit() or (word in rules.name_connectors and taken):
            start = tok.start() + (len(tok.group(0)) - len(tok.group(0).lstrip(",(")))
            taken += 1
            if taken >= 7:
                break
        else:
            break
    name = text[start:end].strip(" ,")
    words = name.split()
    while words and (words[0] in rules.name_stop_words or words[0].lower() in rules.name_connectors):
        words.pop(0)
    while words and words[-1].lower() in rules.name_connectors:
        words.pop()
    if not words:
        return None
    cleaned = " ".join(words)
    return text.index(words[0], start), cleaned


def _legal_names(doc: PolicyText, rules: Rules, span: Span) -> Iterator[tuple[int, int, str]]:
    """Company names with a legal form inside ``span``: (start, end, name)."""
    pattern = re.compile(rf"(?:,\s*|\s+)(?:{rules.legal_forms.pattern})(?![\w])")
    for m in pattern.finditer(doc.text, span.start, span.end):
        found = _name_before(doc.text, m.start(), max(span.start, m.start() - 90), rules)
        if found is None:
            continue
        start, core = found
        end = m.end()
        name = doc.text[start:end].strip()
        if len(core.split()) == 0 or core.isdigit():
            continue
        yield start, end, name


def _definition_names(doc: PolicyText, span: Span, rules: Rules) -> Iterator[tuple[int, int, str]]:
    """Names defined as "we": ``Name ("Short", "we", "us")`` or ``At Name ("Short"), we ...``."""
    rx = re.compile(
        r"\(\s*\**\s*[“\"«][^)]{1,60}?[”\"»]\s*\**[^)]{0,40}\)(?=[^.]{0,6}\bwe\b)"
        r"|\(\s*\**\s*[“\"«][^)]{0,60}?\b(?:we|us|our)\b[^)]{0,40}\)",
        re.IGNORECASE,
    )
    for m in rx.finditer(doc.text, span.start, span.end):
        # "Quillon Pte. Ltd. (UEN 201934417K) ("Quillon", "we")": the name is before the number
        end = m.start()
        registration = re.search(r"\([^()]{1,40}\)\s*$", doc.text[max(span.start, end - 60) : end])
        if registration:
            end -= len(registration.group(0))
        found = _name_before(doc.text, end, max(span.start, end - 80), rules)
        if found is None:
            continue
        start, core = found
        if len(core.split()) > 5 or not core[0].isupper():
            continue
        yield start, start + len(doc.text[start:end].rstrip(" ,")), core


_LEGAL_CLASS = {"corporation": "corp", "limited": "ltd", "incorporated": "inc", "sasu": "sas"}


def name_key(name: str, rules: Rules) -> str:
    """``core|form``: the name without parentheses, punctuation and "-based" words, and its legal
    form in one spelling ("Corp." = "Corporation"), so that "Evernote GmbH" and "Evernote
    Corporation" stay two entities while "Wix.com Ltd." = "Wix.com Limited"."""
    core = re.sub(r"\([^)]*\)", " ", name)
    core = re.sub(r"\b[\w-]+-based\b", " ", core)
    forms = re.compile(rf"(?<![\w.])(?:{rules.legal_forms.pattern})(?![\w])")
    found = forms.findall(core)
    form = re.sub(r"[^a-z]", "", found[-1].lower()) if found else ""
    core = forms.sub(" ", core)
    plain = unicodedata.normalize("NFKD", core.lower()).encode("ascii", "ignore").decode()
    words = " ".join(re.findall(r"[a-z0-9]+", plain))
    return f"{words}|{_LEGAL_CLASS.get(form, form)}"


def _names_for_cue(doc: PolicyText, rules: Rules, cue: str, sentence: Span) -> list[tuple[int, int, str]]:
    if cue == "we-definition":
        names = list(_definition_names(doc, sentence, rules))
        return names + [n for n in _legal_names(doc, rules, sentence) if _defines_we(doc.text, n[1])]
    names = list(_legal_names(doc, rules, sentence))
    if cue == "short-name-definition":
        return [n for n in names if re.match(r"\s*\(\s*\**\s*[“\"«][A-Z]", doc.text[n[1] : n[1] + 12])]
    if not names and cue == "we-at":
        m = re.search(r"(?:^\W*At|\b[Ww]e\s+at)\s+((?:[A-Z][\w.&'’-]*\s?){1,4})", sentence.text)
        if m:
            core = m.group(1).strip()
            start = sentence.start + m.start(1)
            names = [(start, start + len(core), core)]
    return names


def detect_controllers(doc: PolicyText, rules: Rules) -> list[Entity]:
    found: dict[str, Entity] = {}
    sentences = doc.sentences
    for index, sentence in enumerate(sentences):
        for cue in rules.controller_cues:
            if not cue.regex.search(sentence.text):
                continue
            if cue.id != "we-definition" and rules.not_controller_context.search(sentence.text):
                continue
            names = _names_for_cue(doc, rules, cue.id, sentence)
            if not names and sentence.text.rstrip("*_ ").endswith(("?", ":")) and index + 1 < len(sentences):
                # a heading that asks "Who is responsible?" and answers in the next block
                names = list(_legal_names(doc, rules, sentences[index + 1]))
            for start, end, name in names:
                key = name_key(name, rules)
                if _not_a_name(key, name, rules) or any(_same_or_part(key, k) for k in found):
                    continue
                found[key] = _entity(doc, rules, name, sentence, start, end, cue.id, cue.confidence)
        if len(found) >= 8:
            break
    return list(found.values())


_POSTCODE = re.compile(r"^(?:[a-z0-9]{2,4}\s?){1,3}$")


def _not_a_name(key: str, name: str = "", rules: Rules | None = None) -> bool:
    """An empty core ("Inc." alone), a postcode ("EC1M 5NR") or a country ending an address
    ("..., Karnataka, India ("Quillstack", "we")") is no company name."""
    core = key.split("|")[0]
    if rules is not None and any(c.regex.fullmatch(name.strip(" ,.")) for c in rules.countries):
        return True
    return not core or (bool(_POSTCODE.match(core)) and any(c.isdigit() for c in core) and key[-1:] == "|")


def _same_or_part(key: str, other: str) -> bool:
    """ "Hetzner" after "Hetzner Online GmbH": the same entity named short."""
    core, form = key.split("|")
    other_core, other_form = other.split("|")
    if core == other_core:
        return form == other_form or not form or not other_form
    return not form and other_core.startswith(core + " ")


def _defines_we(text: str, end: int) -> bool:
    return bool(
        re.match(r"\s*\(\s*\**\s*[“\"«][^)]{0,60}\b(?:we|us|our)\b", text[end : end + 90], re.IGNORECASE)
    )


def _entity(
    doc: PolicyText,
    rules: Rules,
    name: str,
    sentence: Span,
    start: int,
    end: int,
    cue: str,
    confidence: float,
) -> Entity:
    around = Span(start, min(len(doc.text), max(sentence.end, end + 250)), "")
    area = doc.text[around.start : around.end]
    country, country_quote = "", None
    near = doc.text[end : end + 110]  # "Wix.com Ltd. is based in Israel", "GmbH, Industriestr. 25, 91710 ..."
    for pattern in rules.countries:
        m = pattern.regex.search(near)
        if m and (country_quote is None or end + m.start() < country_quote.start):
            country = pattern.id
            country_quote = Span(end + m.start(), end + m.end(), m.group(0))
    address = None
    street = rules.street_address.search(area)
    if street:
        line_end = area.find("\n", street.end())
        stop = len(area) if line_end < 0 else line_end
        sentence_stop = re.search(r"(?<=[a-z0-9)])\.\s", area[street.start() : stop])
        if sentence_stop:
            stop = street.start() + sentence_stop.start() + 1
        address = doc.quote(around.start + street.start(), around.start + min(stop, street.start() + 160))
    registration = None
    reg = rules.registration.search(area)
    if reg:
        registration = Span(around.start + reg.start(1), around.start + reg.end(1), reg.group(1))
    return Entity(
        name=name,
        quote=Span(start, end, doc.text[start:end]),
        rule=f"controller/{cue}",
        confidence=confidence,
        country=country,
        country_quote=country_quote,
        address=address,
        registration=registration,
    )


def detect_processor_role(doc: PolicyText, rules: Rules, controllers: list[Entity]) -> Finding | None:
    """The vendor says it processes data for its customers: the sentence's subject before the
    cue must be the vendor ("we", or a name of its controller entities), not a third party
    ("This company acts as a service provider for us")."""
    names = {w for e in controllers for w in name_key(e.name, rules).split("|")[0].split()[:1]}
    subject = re.compile(
        r"\b(?:we|us|our)\b" + "".join(f"|\\b{re.escape(n)}\\b" for n in names), re.IGNORECASE
    )
    for cue in rules.processor_cues:
        for sentence in doc.sentences:
            m = cue.regex.search(sentence.text)
            if m is None or re.search(r"\bfor\s+us\b", sentence.text[m.end() : m.end() + 30]):
                continue
            if cue.id == "acts-as-processor" and not subject.search(sentence.text[: m.start() + 1]):
                continue
            if not re.search(r"\b(?:not|never)\b[^.]{0,20}$", sentence.text[: m.start()]):
                quote = doc.clause(sentence, sentence.start + m.start(), sentence.start + m.end())
                return Finding(
                    "processor", "processor_for_customers", quote, f"processor/{cue.id}", cue.confidence
                )
    return None


# --- transfer mechanisms ----------------------------------------------------------------------


_CLAUSE_BREAK = re.compile(r";|\s[—–]\s")


def _clause(text: str, sentence: Span, start: int, end: int) -> str:
    """The clause of a sentence around a match: "X has not certified to A; data is sent under B"
    disclaims A, not B."""
    lo = max((m.end() for m in _CLAUSE_BREAK.finditer(text, sentence.start, start)), default=sentence.start)
    after = _CLAUSE_BREAK.search(text, end, sentence.end)
    return text[lo : after.start() if after else sentence.end]


def _status(rules: Rules, clause: str, sentence: str, lead_in: str) -> str:
    """Mentioned only by the clause's own words; relied upon when the clause (or, for a clause
    without any cue, its sentence, or a table's header such as "Transfer safeguard") presents the
    mechanism as used. Disclaimers are settled before, by ``_disclaimed_targets``."""
    if rules.mentioned_only.search(clause):
        return MENTIONED
    if rules.relied.search(clause):
        return RELIED
    if rules.disclaimed.search(sentence) or rules.mentioned_only.search(sentence):
        return MENTIONED
    if rules.relied.search(sentence) or (lead_in and rules.relied.search(lead_in)):
        return RELIED
    return MENTIONED


def _legs(mechanism: Mechanism, context: str) -> list[tuple[str, str, str, bool]]:
    """The legs the words before a framework name select: (label, basis, measure, generic)."""
    matched = [leg for leg in mechanism.legs if leg.when.search(context)]
    exclusive = [leg for leg in matched if leg.exclusive]
    chosen = exclusive or matched
    if chosen:
        return [(leg.label, leg.basis, leg.measure, False) for leg in chosen]
    default = next(leg for leg in mechanism.legs if leg.label == mechanism.default_leg)
    return [(default.label, default.basis, default.measure, True)]


def _adequacy_negated(text: str, start: int, sentence: Span) -> bool:
    clause_start = max(text.rfind(c, sentence.start, start) for c in ",;(") + 1
    clause_start = max(clause_start, sentence.start)
    adequa = re.search(r"adequa|equivalent", text[start : sentence.end], re.IGNORECASE)
    stop = start + (adequa.start() if adequa else 0)
    return bool(
        re.search(
            r"\b(?:not|no|non|never|without|lacking)\b|n[’']t\b", text[clause_start:stop], re.IGNORECASE
        )
    )


def _mechanism_matches(doc: PolicyText, rules: Rules, sentence: Span) -> list[tuple[Mechanism, int, int]]:
    """Every mechanism a sentence names, in text order."""
    found: list[tuple[Mechanism, int, int]] = []
    for mechanism in rules.mechanisms:
        if mechanism.require is not None and not mechanism.require.search(sentence.text):
            continue
        if mechanism.reject is not None and mechanism.reject.search(sentence.text):
            continue
        for m in mechanism.regex.finditer(sentence.text):
            start, end = sentence.start + m.start(), sentence.start + m.end()
            if mechanism.id == "adequacy" and _adequacy_negated(doc.text, start, sentence):
                continue
            found.append((mechanism, start, end))
    return sorted(found, key=lambda item: item[1])


def _disclaimed_targets(rules: Rules, sentence: Span, matches: list[tuple[Mechanism, int, int]]) -> set[int]:
    """Which mentions a disclaimer is about: the one nearest to each disclaiming phrase ("The
    Privacy Shield replaced the Safe Harbor, on which we never relied" disclaims Safe Harbor)."""
    targets: set[int] = set()
    for cue in rules.disclaimed.finditer(sentence.text):
        lo, hi = sentence.start + cue.start(), sentence.start + cue.end()
        distances = [_gap(lo, hi, start, end) for _, start, end in matches]
        if distances:
            targets.add(distances.index(min(distances)))
    return targets


def _gap(lo: int, hi: int, start: int, end: int) -> int:
    """Characters between two spans (0 when they overlap)."""
    return 0 if start < hi and lo < end else min(abs(start - hi), abs(lo - end))


def detect_transfers(doc: PolicyText, rules: Rules) -> list[Finding]:
    mentions: list[Finding] = []
    generic_disclaimers: dict[str, Finding] = {}
    for sentence in doc.sentences:
        matches = _mechanism_matches(doc, rules, sentence)
        if not matches:
            continue
        disclaimed = _disclaimed_targets(rules, sentence, matches)
        strength = _evidence_strength(sentence.text, rules)
        lead_in = doc.lead_in(sentence)
        previous_end = sentence.start
        for index, (mechanism, start, end) in enumerate(matches):
            context = doc.text[max(previous_end, start - 70) : end]
            clause = _clause(doc.text, sentence, start, end)
            status = DISCLAIMED if index in disclaimed else _status(rules, clause, sentence.text, lead_in)
            quote = doc.clause(sentence, start, end)
            legs = _legs(mechanism, context)
            if legs[0][3]:
                # no leg named before the framework: the words after it may scope it ("the Data
                # Privacy Framework for data transferred from the United Kingdom or Switzerland")
                after = doc.text[end : min(end + 100, sentence.end)]
                scoped = _legs(mechanism, _CLAUSE_BREAK.split(after)[0])
                legs = legs if scoped[0][3] else scoped
            for label, basis, measure, generic in legs:
                finding = Finding(
                    "transfer",
                    label,
                    quote,
                    f"transfer/{mechanism.id}/{status}",
                    round(_confidence(status, generic) + strength, 2),
                    term=basis,
                    status=status,
                    measure=measure,
                )
                mentions.append(finding)
                if generic and status == DISCLAIMED:
                    generic_disclaimers.setdefault(mechanism.id, finding)
            previous_end = end
    mentions += _generic_disclaimers(rules, mentions, generic_disclaimers)
    mentions = _specific_scc(doc, rules, mentions)
    return _settle(mentions)


def _evidence_strength(sentence: str, rules: Rules) -> float:
    """Prefer a sentence that states reliance in so many words over a heading that names it."""
    heading = len(sentence.split()) < 10 and not sentence.rstrip("*_ ").endswith((".", ":", ";"))
    strong = (
        0.05
        if rules.strong_reliance.search(sentence)
        else 0.02
        if rules.plain_reliance.search(sentence)
        else 0.0
    )
    return (-0.2 if heading else 0.0) + strong


def _confidence(status: str, generic: bool) -> float:
    base = {RELIED: 0.85, DISCLAIMED: 0.9, MENTIONED: 0.6}[status]
    return round(base - (0.1 if generic else 0.0), 2)


def _generic_disclaimers(
    rules: Rules, mentions: list[Finding], disclaimers: dict[str, Finding]
) -> list[Finding]:
    """ "We do not rely on the Privacy Shield" disclaims every leg of it that the text names."""
    extra: list[Finding] = []
    for mechanism in rules.mechanisms:
        finding = disclaimers.get(mechanism.id)
        if finding is None:
            continue
        named = {f.label for f in mentions if f.rule.startswith(f"transfer/{mechanism.id}/")}
        for leg in mechanism.legs:
            if leg.label in named and leg.label != finding.label:
                extra.append(
                    Finding(
                        "transfer",
                        leg.label,
                        finding.quote,
                        finding.rule,
                        finding.confidence,
                        term=leg.basis,
                        status=DISCLAIMED,
                        measure=leg.measure,
                    )
                )
    return extra


def _specific_scc(doc: PolicyText, rules: Rules, mentions: list[Finding]) -> list[Finding]:
    """SCC mentions that identify the Commission decision (in the sentence or the next one)."""
    out: list[Finding] = []
    sentences = doc.sentences
    for finding in mentions:
        if finding.label != "scc_unspecified":
            out.append(finding)
            continue
        sentence = doc.sentence_at(finding.quote.start)
        index = sentences.index(sentence) if sentence in sentences else -1
        window = sentence.text + (" " + sentences[index + 1].text if 0 <= index < len(sentences) - 1 else "")
        decision = next((d for d in rules.scc_decisions if d.regex.search(window)), None)
        if decision is None:
            out.append(finding)
            continue
        out.append(
            Finding(
                "transfer",
                decision.id,
                finding.quote,
                finding.rule + "/" + decision.id,
                finding.confidence,
                term=finding.term,
                status=finding.status,
                measure=str(decision.extra.get("measure", "")),
            )
        )
    return out


def _settle(mentions: list[Finding]) -> list[Finding]:
    """One finding per mechanism label: a disclaimer wins, then reliance, then a mention.
    A specific SCC decision relied upon makes an unspecified SCC mention redundant."""
    rank = {DISCLAIMED: 3, RELIED: 2, MENTIONED: 1}
    best: dict[str, Finding] = {}
    for finding in mentions:
        current = best.get(finding.label)
        if current is None or (rank[finding.status], finding.confidence) > (
            rank[current.status],
            current.confidence,
        ):
            best[finding.label] = finding
    specific = any(label.startswith("scc_") and label != "scc_unspecified" for label in best)
    if specific and best.get("scc_unspecified") is not None:
        del best["scc_unspecified"]
    return sorted(best.values(), key=lambda f: f.quote.start)


# --- legal bases, rights ----------------------------------------------------------------------


def _first_matches(
    doc: PolicyText,
    patterns: Iterable[tuple[str, str, re.Pattern[str], float]],
    category: str,
    sentence_ok: re.Pattern[str] | None = None,
    reject: dict[str, re.Pattern[str]] | None = None,
) -> list[Finding]:
    found: dict[str, Finding] = {}
    for sentence in doc.sentences:
        if sentence_ok is not None and not sentence_ok.search(sentence.text + " " + doc.lead_in(sentence)):
            continue
        for label, term, rx, confidence in patterns:
            if label in found:
                continue
            m = rx.search(sentence.text)
            if m is None:
                continue
            if reject and label in reject and reject[label].search(sentence.text):
                continue
            quote = doc.clause(sentence, sentence.start + m.start(), sentence.start + m.end())
            found[label] = Finding(category, label, quote, f"{category}/{label}", confidence, term=term)
    return sorted(found.values(), key=lambda f: f.quote.start)


def detect_legal_bases(doc: PolicyText, rules: Rules) -> list[Finding]:
    reject = {p.id: rules.legal_basis_reject for p in rules.legal_bases}
    patterns = [(p.id, p.term, p.regex, p.confidence) for p in rules.legal_bases]
    findings = _first_matches(doc, patterns, "legal_basis", reject=reject)
    found = {f.label for f in findings}
    terms = {p.id: p.term for p in rules.legal_bases}
    for sentence in doc.sentences:
        lead_in = doc.lead_in(sentence)
        if not lead_in or not rules.legal_basis_context.search(lead_in):
            continue
        cell = _first_cell(sentence.text) if sentence.text.startswith("|") else sentence.text
        for label, rx in rules.legal_basis_labels.items():
            if label in found or label not in terms:
                continue
            if rx.search(cell):
                start = (
                    sentence.start + sentence.text.index(cell) if cell in sentence.text else sentence.start
                )
                quote = doc.quote(start, start + len(cell))
                findings.append(
                    Finding("legal_basis", label, quote, f"legal_basis/{label}-label", 0.7, term=terms[label])
                )
                found.add(label)
    return sorted(findings, key=lambda f: f.quote.start)


def _first_cell(row: str) -> str:
    """The cell of a table row that names a legal basis: the first non-empty cell that does."""
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    return next((c for c in cells if c), "")


def detect_rights(doc: PolicyText, rules: Rules) -> list[Finding]:
    patterns = [(p.id, p.term, p.regex, p.confidence) for p in rules.rights]
    return _first_matches(doc, patterns, "right", rules.rights_context, rules.rights_reject)


# --- contacts ---------------------------------------------------------------------------------


def _plain_email(written: str) -> str:
    value = written.replace("\\", "")
    value = re.sub(r"\s?[\[(]at[\])]\s?|\s+at\s+", "@", value)
    value = re.sub(r"\s?[\[(]dot[\])]\s?", ".", value)
    return value.lower()


def _label_before(doc: PolicyText, sentence: Span) -> str:
    """The short line just before a sentence (a heading or a label such as "Data Protection
    Officer:"), which names what an address on the next line is for."""
    index = doc.sentences.index(sentence) if sentence in doc.sentences else -1
    if index <= 0:
        return ""
    previous = doc.sentences[index - 1]
    return previous.text if len(previous.text.split()) <= 12 and sentence.start - previous.end < 10 else ""


def detect_emails(doc: PolicyText, rules: Rules) -> list[Finding]:
    """DPO and privacy-contact addresses, as written (obfuscated forms read back), and hidden ones."""
    text = doc.text
    candidates: list[tuple[int, Finding]] = []
    dpos: dict[str, Finding] = {}
    for m in rules.email.finditer(text):
        written = m.group(0)
        if "@" not in written and not re.search(r"[\[(]at[\])]", written.replace("\\", "")):
            continue  # "name at host dot com" in prose is too weak alone
        value = _plain_email(written)
        local = value.split("@")[0]
        if rules.email_reject.match(local) or value.endswith((".png", ".jpg", ".gif")):
            continue
        sentence = doc.sentence_at(m.start())
        before = text[max(0, m.start() - 250) : m.start()]
        quote = Span(m.start(), m.end(), written)
        if rules.dpo_context.search(sentence.text + " " + _label_before(doc, sentence)) or local in (
            "dpo",
            "dpd",
        ):
            dpos.setdefault(
                value, Finding("email", "dpo", quote, "email/dpo", 0.9, value=value, status="written")
            )
        score = 0
        if rules.privacy_local_part.match(local):
            score += 4 if local.startswith("privacy") else 3
        if rules.privacy_context.search(sentence.text):
            score += 2
        if rules.privacy_context.search(before):
            score += 1
        if score >= 2:
            candidates.append(
                (
                    score,
                    Finding(
                        "email",
                        "privacy",
                        quote,
                        "email/privacy-contact",
                        0.6 + 0.05 * score,
                        value=value,
                        status="written",
                    ),
                )
            )
    findings = list(dpos.values())
    if candidates:
        top = max(candidates, key=lambda c: (c[0], -c[1].quote.start))[1]
        findings.append(top)
    hidden_roles: set[str] = set()
    for m in rules.hidden_email.finditer(text):
        before = text[max(0, m.start() - 200) : m.start()]
        role = "dpo" if rules.dpo_context.search(before) else "privacy"
        if role in hidden_roles:
            continue
        hidden_roles.add(role)
        findings.append(
            Finding(
                "email",
                role,
                Span(m.start(), m.end(), m.group(0)),
                f"email/hidden-{role}",
                0.9,
                status="hidden",
            )
        )
    return findings


# --- retention, dispute bodies, purposes, personal data -------------------------------------------


def detect_retention(doc: PolicyText, rules: Rules, limit: int = 12) -> list[Finding]:
    out: list[Finding] = []
    for sentence in doc.sentences:
        if rules.retention_reject.search(sentence.text):
            continue
        criteria = rules.retention_criteria.search(sentence.text)
        if criteria is None:
            continue
        verb = rules.retention_verbs.search(sentence.text)
        if verb is not None:
            lo = sentence.start + min(verb.start(), criteria.start())
            hi = sentence.start + max(verb.end(), criteria.end())
        elif sentence.text.startswith("|") and rules.retention_verbs.search(doc.lead_in(sentence)):
            # a row of a table whose header names the retention ("Storage period", "Retention")
            lo, hi = sentence.start + criteria.start(), sentence.start + criteria.end()
        else:
            continue
        quote = doc.clause(sentence, lo, hi)
        period = re.search(r"\d+|\b(?:one|two|three|four|five|six|seven|ten|twelve)\b", criteria.group(0))
        out.append(
            Finding(
                "retention",
                "stated",
                quote,
                "retention/period" if period else "retention/criteria",
                0.8 if period else 0.65,
                value=criteria.group(0),
            )
        )
        if len(out) >= limit:
            break
    return out


def detect_disputes(doc: PolicyText, rules: Rules) -> list[Finding]:
    """Bodies named for complaints or recourse. A generic "supervisory authority" is dropped
    when the same or the next two sentences name the national authority ("... In France, this
    is the CNIL")."""
    found: dict[str, Finding] = {}
    national = [b for b in rules.dispute_bodies if b.extra.get("national")]
    sentences = doc.sentences
    for index, sentence in enumerate(sentences):
        for body in rules.dispute_bodies:
            if body.id in found:
                continue
            m = body.regex.search(sentence.text)
            if m is None:
                continue
            requires = body.extra.get("requires")
            if requires and not re.search(str(requires), sentence.text, re.IGNORECASE):
                continue
            if body.extra.get("generic") and not _readers_own(
                sentence.text[max(0, m.start() - 50) : m.end()]
            ):
                # "... the CNIL" names the authority the generic words stand for; but "your local
                # authority ...; our lead authority is the DPC" names two
                nearby = " ".join(x.text for x in sentences[index : index + 3])
                if any(n.regex.search(nearby) for n in national):
                    continue
            quote = doc.clause(sentence, sentence.start + m.start(), sentence.start + m.end())
            role = "enforcement" if body.extra.get("enforcement") else "dispute"
            found[body.id] = Finding(
                "dispute",
                body.id,
                quote,
                f"dispute/{body.id}",
                body.confidence,
                term=str(body.extra.get("type", "")),
                value=str(body.extra.get("name", body.id)),
                status=role,
            )
    return sorted(found.values(), key=lambda f: f.quote.start)


def _negated(doc: PolicyText, rules: Rules, sentence: Span, start: int) -> bool:
    """Whether the clause of a match negates it ("we do not use ... for targeted ads")."""
    return bool(rules.negation.search(_clause(doc.text, sentence, start, start)))


_READERS_OWN = re.compile(
    r"\byour\s+(?:local|own|national|competent|home)\b|\bwhere\s+you\s+live\b|\bof\s+your\s+(?:country|member\s+state)|"
    r"\bin\s+(?:the|your)\s+(?:EEA|EU|European)\s+(?:country|member\s+state)|\bin\s+your\s+(?:country|member\s+state)",
    re.IGNORECASE,
)


def _readers_own(words: str) -> bool:
    """Whether generic authority words point at the reader's own authority, not one named later."""
    return bool(_READERS_OWN.search(words))


def detect_terms(
    doc: PolicyText, patterns: Iterable[tuple[str, re.Pattern[str]]], category: str, rules: Rules
) -> list[Finding]:
    """Purposes and personal data the text states, not in a negated clause."""
    found: dict[str, Finding] = {}
    for sentence in doc.sentences:
        for term, rx in patterns:
            if term in found:
                continue
            m = rx.search(sentence.text)
            if m and not _negated(doc, rules, sentence, sentence.start + m.start()):
                quote = doc.quote(sentence.start + m.start(), sentence.start + m.end())
                found[term] = Finding(category, term, quote, f"{category}/{term}", 0.6, term=term)
    return sorted(found.values(), key=lambda f: f.quote.start)


def detect_negatives(doc: PolicyText, rules: Rules) -> list[Finding]:
    """What the text says it does not do; one finding per rule (its first statement)."""
    found: dict[str, Finding] = {}
    for sentence in doc.sentences:
        for rule in rules.negative_statements:
            m = rule.regex.search(sentence.text) if rule.id not in found else None
            if m is None or rules.negative_qualifiers.search(sentence.text):
                continue
            quote = doc.clause(sentence, sentence.start + m.start(), sentence.start + m.end())
            found[rule.id] = Finding(
                "negative", rule.id, quote, f"negative/{rule.id}", rule.confidence,
                term=str(rule.extra.get("value", "")), value=str(rule.extra.get("denied", "")),
            )  # fmt: skip
    return sorted(found.values(), key=lambda f: f.quote.start)


def detect_recipients(doc: PolicyText, rules: Rules) -> list[Finding]:
    """Recipient categories the text says data goes to (not in a negated clause)."""
    found: dict[str, Finding] = {}
    for sentence in doc.sentences:
        for rule in rules.recipients:
            if rule.id in found:
                continue
            m = rule.regex.search(sentence.text)
            if m is None or _negated(doc, rules, sentence, sentence.start + m.start()):
                continue
            quote = doc.clause(sentence, sentence.start + m.start(), sentence.start + m.end())
            found[rule.id] = Finding(
                "recipient", rule.id, quote, f"recipient/{rule.id}", 0.6,
                term=str(rule.extra.get("type", "dpv:ThirdParty")),
                value=str(rule.extra.get("label", rule.id)),
            )  # fmt: skip
    return sorted(found.values(), key=lambda f: f.quote.start)


# --- everything -------------------------------------------------------------------------------


def extract_text(text: str, rules: Rules) -> Extraction:
    doc = PolicyText(text)
    language = detect_language(text, rules)
    controllers = detect_controllers(doc, rules)
    return Extraction(
        date=detect_date(doc, rules, language),
        controllers=controllers,
        processor_role=detect_processor_role(doc, rules, controllers),
        transfers=detect_transfers(doc, rules),
        legal_bases=detect_legal_bases(doc, rules),
        rights=detect_rights(doc, rules),
        emails=detect_emails(doc, rules),
        retention=detect_retention(doc, rules),
        disputes=detect_disputes(doc, rules),
        negatives=detect_negatives(doc, rules),
        recipients=detect_recipients(doc, rules),
        purposes=detect_terms(doc, [(p.term, p.regex) for p in rules.purposes], "purpose", rules),
        personal_data=detect_terms(
            doc, [(p.term, p.regex) for p in rules.personal_data], "personal_data", rules
        ),
        language=language,
    )

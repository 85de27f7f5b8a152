"""Rule-derived triage: the severity and target the ticket text alone supports, with reasons.

Signals are the policy's regular expressions (policy.signals), plus `off_hours` when the moment
of escalation falls outside business hours. The decision reads them in this order, and each step
writes one reason with its citation:

1. base, first match wins: security -> sev1 security, escalate immediately (003:14);
   outage or "all users" -> sev1 engineering (002:6); data loss -> sev1 engineering, sev2 when
   a workaround exists or the data is wrong rather than lost (003:4, 000:53); major impairment
   -> sev2 engineering (002:7); degradation -> sev3 engineering (002:8); feature request -> sev4
   product (003:13); question -> sev4 support_l2 (002:9); minor -> sev4 engineering (002:9);
   nothing: sev3 engineering if the text reads like a bug report, else sev4 support_l2.
2. a real workaround (not negated, not asked about) caps the base at sev3 unless it is a
   security, outage or data-loss issue (002:8, 000:17).
3. floors, which are explicit minimums and so apply after the cap: 3+ customers (003:9) and an
   emergency running 3+ hours (001:27) -> at least their min_severity, unless the ticket only asks
   for a feature or answer; a blocked renewal/migration (001:28) -> at least sev2, and the target
   becomes leadership when nothing technical is wrong.
4. immediate: security, any sev1 (002:6 "immediate escalation"), and sev1/sev2 off hours (002:24).

Scanning is the expensive part (~30 regexes over the ticket, each run through app.core.fast_regex),
so it runs once per (text, policy) and is kept in a small LRU; the decision itself is cheap and
is redone for each `now`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from app.core.fast_regex import FastPattern, compile_fast
from app.core.sla import find_timestamps, is_business_hours
from schemas.common import Severity, Target
from schemas.policy import Policy, Rules
from schemas.triage import Signal, TriageResult

TECHNICAL_KINDS = frozenset({"security", "outage", "data_loss", "major_impairment", "degradation", "minor"})
REQUEST_KINDS = frozenset({"feature_request", "question"})
# Kinds whose evidence is strong enough for the rules to overrule a drafted brief; the weaker
# lexical ones (major_impairment, degradation, minor) only inform.
DECISIVE_KINDS = frozenset(
    {"security", "outage", "data_loss", "customer_count", "duration", "business_blocked", "workaround",
     "feature_request", "question"}
)  # fmt: skip
OFF_HOURS = "off_hours"
# A phrase before a match that negates it: "no outage", "not a security issue", "don't see data loss".
_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:no|not|never|without|nor|nothing|nobody)|n[’']t)(?:\s+[\w’']+){0,2}\s*$", re.IGNORECASE
)
_UNNEGATABLE = frozenset({"no_workaround", "question", "customer_count", "duration"})
_URGENCY_ONLY = re.compile(r"(?i)(?:blocker|blocking|urgent|critical|asap)")
_DESTRUCTIVE = re.compile(r"(?i)corrupt|lost|loss|delet|wip|missing")
_BUG_LIKE = re.compile(
    r"\b(?:\w*(?:error|exception)s?|traceback|stack ?trace|bug|fail(?:s|ed|ing|ure)?|broken|crash\w*|"
    r"segfault|panic|stopped \w+ing|HTTP [45]\d\d|status(?: code)? [45]\d\d|[45]\d\d (?:error|response)|"
    r"(?:don.t|doesn.t|didn.t|do not|does not|did not|won.t|isn.t|aren.t|never|not) (?:arriv|load|work|show|appear|"
    r"sync|send|open|sav|updat|run)\w*)\b",
    re.IGNORECASE,
)
# A sentence ends at . ! ? or a blank line; tickets wrap lines mid-sentence.
_SENTENCE_END = re.compile(r"[.!?]|\n\s*\n")
_ASKING_BEFORE = re.compile(r"\b(?:is there|are there|do (?:you|we) have|any)\s+(?:an?\s+|any\s+)?$", re.IGNORECASE)
_OTHER = re.compile(r"\b(?:other|more)\b", re.IGNORECASE)
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    # Vague quantities read as conservative lower bounds.
    "multiple": 2, "several": 3, "many": 5, "dozens of": 24, "hundreds of": 200, "thousands of": 2000,
}  # fmt: skip


# --------------------------------------------------------------------------- compiling the policy


@dataclass(frozen=True, slots=True)
class _Spec:
    kind: str
    cite: str
    patterns: tuple[FastPattern, ...]


@dataclass(frozen=True, eq=False)  # hashed by identity: a cache key for the scan LRU
class CompiledSignals:
    specs: tuple[_Spec, ...]
    cites: dict[str, str] = field(default_factory=dict)


_compiled: dict[int, tuple[Policy, CompiledSignals]] = {}


def compile_signals(policy: Policy) -> CompiledSignals:
    """The policy's signal patterns, compiled once per policy object."""
    entry = _compiled.get(id(policy))
    if entry is not None and entry[0] is policy:
        return entry[1]
    specs = tuple(
        _Spec(kind, spec.cite, tuple(compile_fast(p) for p in spec.patterns)) for kind, spec in policy.signals.items()
    )
    cites = {kind: spec.cite for kind, spec in policy.signals.items()}
    cites[OFF_HOURS] = policy.business_hours.cite
    compiled = CompiledSignals(specs, cites)
    if len(_compiled) >= 8:
        _compiled.pop(next(iter(_compiled)))
    # Holding the policy keeps its id from being reused by another object while the entry lives.
    _compiled[id(policy)] = (policy, compiled)
    return compiled


# --------------------------------------------------------------------------- scanning


def _number(word: str | None) -> float | None:
    if not word:
        return None
    word = " ".join(word.lower().split())
    try:
        return float(word)
    except ValueError:
        return _WORD_NUMBERS.get(word)


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < end and start < a[1] for start, end in spans)


def _asks_about(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is asked about ("is there a workaround we can use?"), not stated."""
    if _ASKING_BEFORE.search(text, max(0, start - 20), start):
        return True
    stop = _SENTENCE_END.search(text, end, end + 200)
    return bool(stop and stop.group() == "?")


def _raw_matches(text: str, compiled: CompiledSignals) -> list[tuple[str, int, int, float | None]]:
    lowered = text.lower()
    matches: list[tuple[str, int, int, float | None]] = []
    for spec in compiled.specs:
        for pattern in spec.patterns:
            for m in pattern.finditer(text, lowered):
                if m.end() > m.start():
                    n = m.group("n") if "n" in m.re.groupindex else None
                    matches.append((spec.kind, m.start(), m.end(), _number(n)))
    return matches


@lru_cache(maxsize=64)
def _scan(text: str, compiled: CompiledSignals) -> tuple[Signal, ...]:
    raw = _raw_matches(text, compiled)
    negations = [(s, e) for kind, s, e, _ in raw if kind == "no_workaround"]
    kept: list[Signal] = []
    seen: dict[str, list[tuple[int, int]]] = {}
    for kind, start, end, value in sorted(raw, key=lambda m: (m[1], -m[2])):
        if kind == "workaround":
            if _overlaps((start, end), negations) or _asks_about(text, start, end):
                continue
            if _NEGATED_BEFORE.search(text, max(0, start - 40), start):
                kind = "no_workaround"  # "we don't have a workaround" says there is none
        elif kind not in _UNNEGATABLE and _NEGATED_BEFORE.search(text, max(0, start - 40), start):
            continue
        if _overlaps((start, end), seen.get(kind, [])):
            continue  # two patterns of one kind on the same words: one signal
        seen.setdefault(kind, []).append((start, end))
        if kind == "customer_count" and value is not None and _OTHER.search(text, start, end):
            value += 1  # "two other customers" are two besides the one reporting
        kept.append(
            Signal(kind=kind, text=text[start:end], start=start, end=end, value=value, citation=compiled.cites[kind])
        )
    return tuple(kept)


def scan_signals(text: str, policy: Policy) -> tuple[Signal, ...]:
    """The policy's signals in `text`, in order of position (cached per text and policy)."""
    return _scan(text, compile_signals(policy))


# --------------------------------------------------------------------------- deciding


@dataclass(frozen=True, slots=True)
class TriageBasis:
    """Which signal kind set the final severity and the final target ('' for the fallback)."""

    severity_kind: str
    target_kind: str


def is_request_only(kinds: Iterable[str]) -> bool:
    """A ticket that only asks for a feature or an answer, with nothing technically wrong."""
    present = set(kinds)
    return bool(present & REQUEST_KINDS) and not present & TECHNICAL_KINDS


def max_value(signals: Iterable[Signal], kind: str) -> float:
    return max((s.value for s in signals if s.kind == kind and s.value is not None), default=0.0)


def evidence_kinds(signals: list[Signal], text: str) -> set[str]:
    """Kinds that count as evidence: urgency words ("urgent", "blocking") alone are not a broken
    function, and words inside a blocked-renewal phrase describe the business, not the product."""
    blocked = [(s.start, s.end) for s in signals if s.kind == "business_blocked"]
    kinds: set[str] = set()
    urgency = False
    for s in signals:
        if s.kind in TECHNICAL_KINDS and _overlaps((s.start, s.end), blocked):
            continue
        if s.kind == "major_impairment" and _URGENCY_ONLY.fullmatch(s.text):
            urgency = True
            continue
        kinds.add(s.kind)
    if urgency and (kinds & (TECHNICAL_KINDS - {"minor"}) or _BUG_LIKE.search(text)):
        kinds.add("major_impairment")
    if "workaround" in kinds and "no_workaround" in kinds:
        kinds.discard("workaround")
    return kinds


def _decide(text: str, signals: list[Signal], policy: Policy, off_hours: bool) -> tuple[TriageResult, TriageBasis]:
    rules: Rules = policy.rules
    kinds = evidence_kinds(signals, text)
    sev_cite = {sev: level.cite for sev, level in policy.severities.items()}
    reasons: list[str] = []

    def say(kind: str, verdict: str, cite: str) -> None:
        # The span quoted is the one that carries the largest value (customers, hours), else the first.
        spans = [s for s in signals if s.kind == kind]
        shown = f" {max(spans, key=lambda s: s.value or 0).text!r}" if spans else ""
        reasons.append(f"{kind}{shown}: {verdict} ({cite})")

    def tier(target: Target) -> str:
        cited = policy.tiers.get(target)
        return cited.cite if cited else ""

    # 1. base severity and target
    severity, target, basis, immediate = Severity.sev4, Target.support_l2, "", False
    if "security" in kinds:
        severity, target, basis, immediate = Severity.sev1, Target.security, "security", True
        say("security", "sev1, security escalation, immediately", tier(Target.security))
    elif "outage" in kinds:
        severity, target, basis = Severity.sev1, Target.engineering, "outage"
        say("outage", "sev1, engineering", sev_cite[Severity.sev1])
    elif "data_loss" in kinds:
        lost = any(s.kind == "data_loss" and _DESTRUCTIVE.search(s.text) for s in signals)
        severity = Severity.sev1 if lost and "workaround" not in kinds else Severity.sev2
        target, basis = Target.engineering, "data_loss"
        say("data_loss", f"{severity.value}, engineering", policy.signals["data_loss"].cite)
    elif "major_impairment" in kinds:
        severity, target, basis = Severity.sev2, Target.engineering, "major_impairment"
        say("major_impairment", "sev2, engineering", sev_cite[Severity.sev2])
    elif "degradation" in kinds:
        severity, target, basis = Severity.sev3, Target.engineering, "degradation"
        say("degradation", "sev3, engineering", sev_cite[Severity.sev3])
    elif "feature_request" in kinds:
        severity, target, basis = Severity.sev4, Target.product, "feature_request"
        say("feature_request", "sev4, product", tier(Target.product))
    elif "question" in kinds:
        severity, target, basis = Severity.sev4, Target.support_l2, "question"
        say("question", "sev4, support L2", sev_cite[Severity.sev4])
    elif "minor" in kinds:
        severity, target, basis = Severity.sev4, Target.engineering, "minor"
        say("minor", "sev4, engineering", sev_cite[Severity.sev4])
    elif bug := _BUG_LIKE.search(text):
        severity, target = Severity.sev3, Target.engineering
        reasons.append(
            f"no policy signal; reads like a bug report ({bug.group()!r}): sev3, engineering "
            f"({tier(Target.engineering)})"
        )
    else:
        reasons.append(f"no policy signal and nothing bug-like: sev4, support L2 ({tier(Target.support_l2)})")
    target_basis = basis

    # 2. a real workaround caps what is not security, outage or data loss
    if "workaround" in kinds and severity.rank < 3 and not kinds & {"security", "outage", "data_loss"}:
        severity, basis = Severity.sev3, "workaround"
        say("workaround", "a viable workaround caps severity at sev3", rules.critical_needs_no_workaround.cite)

    # 3. floors
    def raise_to(floor: Severity, kind: str, why: str, cite: str) -> None:
        nonlocal severity, basis
        if severity.rank > floor.rank:
            severity, basis = floor, kind
            say(kind, f"{why}: at least {floor.value}", cite)

    request_only = is_request_only(kinds)
    customers = max_value(signals, "customer_count")
    if customers >= rules.pattern_customers.threshold and not request_only:
        raise_to(
            rules.pattern_customers.min_severity,
            "customer_count",
            f"{customers:g} customers",
            rules.pattern_customers.cite,
        )
    hours = max_value(signals, "duration")
    if hours >= rules.emergency_duration.threshold and not request_only:
        raise_to(
            rules.emergency_duration.min_severity, "duration", f"running {hours:g} hours", rules.emergency_duration.cite
        )
    if "business_blocked" in kinds:
        raise_to(Severity.sev2, "business_blocked", "outside factors blocked", rules.business_blocked.cite)
        if not kinds & TECHNICAL_KINDS:
            target, target_basis = Target.leadership, "business_blocked"
            say("business_blocked", "nothing technical is wrong: leadership", tier(Target.leadership))

    # 4. escalate now?
    if severity is Severity.sev1 and not immediate:
        immediate = True
        reasons.append(f"sev1: immediate escalation to SRE and engineering ({sev_cite[Severity.sev1]})")
    if off_hours and severity.rank <= 2 and not immediate:
        immediate = True
        reasons.append(f"{severity.value} outside business hours: page on-call now ({rules.off_hours.cite})")

    result = TriageResult(severity=severity, target=target, signals=signals, reasons=reasons, immediate=immediate)
    return result, TriageBasis(basis, target_basis)


def triage_with_basis(
    source_text: str, policy: Policy, now: datetime | None = None
) -> tuple[TriageResult, TriageBasis]:
    """`triage` plus which signal kinds decided it (the rules engine needs that)."""
    signals = list(scan_signals(source_text, policy))
    moment, where = now, None
    if moment is None and (stamps := find_timestamps(source_text)):
        where = max(stamps, key=lambda stamp: stamp.moment)
        moment = where.moment
    off_hours = moment is not None and not is_business_hours(moment, policy)
    if off_hours:
        cite = policy.business_hours.cite
        if where is not None:
            signals.append(Signal(kind=OFF_HOURS, text=where.text, start=where.start, end=where.end, citation=cite))
        else:  # the clock, not the ticket, says so: there is no span to point at
            signals.append(Signal(kind=OFF_HOURS, text="", start=0, end=0, citation=cite))
    return _decide(source_text, signals, policy, off_hours)


def triage(source_text: str, policy: Policy, now: datetime | None = None) -> TriageResult:
    """Severity, target and signals from the ticket text alone (no model). `now` is when the
    escalation happens; without it the latest timestamp in the ticket decides `off_hours`."""
    return triage_with_basis(source_text, policy, now)[0]

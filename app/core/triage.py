"""The policy's lexical signals in a ticket: each pattern match with its span, value and citation.

Signals are the policy's regular expressions (policy.signals). A match preceded by a negation
("no outage", "not a security issue") is dropped; a workaround that is negated ("we don't have a
workaround") becomes `no_workaround`, one that is asked about ("is there a workaround?") is
dropped. What the signals mean for the verdict is decided in app.core.assessment, once.

Scanning is the expensive part (~60 regexes over the ticket, each run through app.core.fast_regex);
the policy's patterns are compiled once per policy object.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.fast_regex import FastPattern, compile_fast
from schemas.policy import Policy
from schemas.triage import Signal

OFF_HOURS = "off_hours"
# A phrase before a match that negates it: "no outage", "not a security issue", "don't see data loss".
_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:no|not|never|without|nor|nothing|nobody)|n[’']t)(?:\s+[\w’']+){0,2}\s*$", re.IGNORECASE
)
_UNNEGATABLE = frozenset({"no_workaround", "question", "customer_count", "duration"})
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
    word = " ".join(word.lower().replace(",", "").split())
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
    """The policy's signals in `text`, in order of position."""
    return _scan(text, compile_signals(policy))

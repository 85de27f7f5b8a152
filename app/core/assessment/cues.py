"""How a sentence speaks about a problem: as a fact now, or asked about, supposed, scheduled or past.

"Is data loss possible if I remove a member?", "the dashboard will be down for maintenance on
Saturday" and "the outage you had last March" name a problem that is not happening to the
customer now; a raising signal inside such a sentence does not raise. The words that say so are
the policy's `cues` (hypothetical, scheduled, past); this module only finds the sentence and
asks whether a cue stands in it before the signal (or anywhere in it, for a question).

Also here: durations written as clock times ("since 04:10", the message written at 09:40).
"""

import re
from dataclasses import dataclass
from datetime import UTC

from dateutil import parser as date_parser

from app.core.fast_regex import FastPattern, compile_fast
from schemas.policy import Policy

# A sentence ends at . ! ? followed by a space or the end of a line, or at a line break.
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
_CLOCK = r"(?:[01]?\d|2[0-3])[:.h][0-5]\d(?:\s?[ap]\.?m\.?)?|(?:1[0-2]|0?[1-9])\s?[ap]\.?m\.?"
_SINCE_CLOCK = re.compile(
    rf"\b(?:since|from|starting at|started at|as of)\s+(?:about\s+|around\s+|~)?(?P<t>{_CLOCK})", re.I
)
_WRITTEN_AT = re.compile(
    rf"(?:^[ \t]*[\[(]?(?P<a>{_CLOCK})(?:\s?[A-Z]{{2,4}})?[\])]?[ \t]|\bit(?:'s| is) (?P<c>{_CLOCK}) now\b|"
    rf"\b(?:it(?:'s| is) now|now it(?:'s| is)|"
    rf"(?:as of )?now,? at|at the moment it is|current(?:ly)? time(?: is)?:?)\s+(?P<b>{_CLOCK}))",
    re.I | re.M,
)


@dataclass(frozen=True, slots=True)
class CompiledCues:
    hypothetical: tuple[FastPattern, ...]
    benign: tuple[FastPattern, ...]
    scheduled: tuple[FastPattern, ...]
    past: tuple[FastPattern, ...]
    incident_record: tuple[FastPattern, ...]
    pending: tuple[FastPattern, ...]
    untrusted: tuple[FastPattern, ...]


_compiled: dict[int, tuple[Policy, CompiledCues]] = {}


def compile_cues(policy: Policy) -> CompiledCues:
    """The policy's cue patterns, compiled once per policy object (as app.core.triage does)."""
    entry = _compiled.get(id(policy))
    if entry is not None and entry[0] is policy:
        return entry[1]

    def fast(name: str) -> tuple[FastPattern, ...]:
        cue = policy.cues.get(name)
        return tuple(compile_fast(p) for p in cue.patterns) if cue else ()

    compiled = CompiledCues(
        fast("hypothetical"), fast("benign"), fast("scheduled"), fast("past"), fast("incident_record"), fast("pending"),
        fast("untrusted"),
    )  # fmt: skip
    if len(_compiled) >= 8:
        _compiled.pop(next(iter(_compiled)))
    # Holding the policy keeps its id from being reused by another object while the entry lives.
    _compiled[id(policy)] = (policy, compiled)
    return compiled


def is_pending(text: str, start: int, end: int, cues: CompiledCues) -> bool:
    """Whether a resolution is still to come ("until this is fixed", "is it resolved?")."""
    begin, stop = sentence_of(text, start, end)
    return text[begin:stop].rstrip().endswith("?") or _found(cues.pending, text, begin, start)


def is_incident_record(text: str, cues: CompiledCues) -> bool:
    """A status-page timeline or a post-mortem: it reports an incident's impact after the fact."""
    return _found(cues.incident_record, text, 0, len(text))


def sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    begin = 0
    for m in _SENTENCE_END.finditer(text, max(0, start - 400), start):
        begin = m.end()
    stop = _SENTENCE_END.search(text, end)
    return begin, (stop.end() if stop else len(text))


def _found(patterns: tuple[FastPattern, ...], text: str, lo: int, hi: int) -> bool:
    piece = text[lo:hi]
    lowered = piece.lower()
    return any(next(p.finditer(piece, lowered), None) is not None for p in patterns)


def modality(text: str, start: int, end: int, cues: CompiledCues, record: bool = False) -> str | None:
    """'benign', 'hypothetical', 'scheduled' or 'past' when the sentence around text[start:end]
    speaks of the problem in that way; None when it states it as happening. In an incident record the past
    tense is the record's own, so only hypothetical and scheduled count."""
    begin, stop = sentence_of(text, start, end)
    question = text[begin:stop].rstrip().endswith("?")
    if _found(cues.benign, text, begin, stop):
        return "benign"  # "the alert was our own red team", "our users had no problem"
    kinds = [("hypothetical", cues.hypothetical), ("scheduled", cues.scheduled)]
    if not record:
        kinds.append(("past", cues.past))
    for name, patterns in kinds:
        # A cue before the signal ("what happens if the API goes down"), or anywhere in a
        # question ("is data loss possible if I remove a member?").
        if _found(patterns, text, begin, start) or (question and _found(patterns, text, begin, stop)):
            return name
        if name != "hypothetical" and _found(patterns, text, end, stop):
            return name  # "the outage ... was fixed last March": the cue may follow
    return None


def _minutes(clock: str) -> int | None:
    m = re.match(r"(\d{1,2})(?:[:.h](\d\d))?\s?([ap])?", clock.strip(), re.I)
    if not m:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower()
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return hour * 60 + minute


def since_clock_hours(text: str) -> list[tuple[int, int, float]]:
    """(start, end, hours) for each "since 04:10" whose elapsed time the ticket itself gives: from
    that clock time to the last time the ticket says a message was written ("[09:40]" opening a
    turn on that line or later, "it's now 09:40"), wrapping past midnight. Without such a time
    nothing is guessed: the server's clock is in no known relation to the customer's."""
    written = [(m.start(), _minutes(m.group("a") or m.group("b") or m.group("c"))) for m in _WRITTEN_AT.finditer(text)]
    found = []
    for m in _SINCE_CLOCK.finditer(text):
        began = _minutes(m.group("t"))
        line_start = text.rfind("\n", 0, m.start()) + 1
        later = [w for pos, w in written if pos >= line_start and w is not None]
        if began is None or not later:
            continue
        elapsed = (later[-1] - began) % 1440
        if elapsed:
            found.append((m.start(), m.end(), elapsed / 60))
    return found


_BETWEEN = re.compile(
    r"\b(?:between|from)\s+(?P<a>[^,;\n]{6,45}?\d{4}|[^,;\n]{6,45}?\b(?:UTC|GMT|PST|PDT|PT))\s+(?:and|to|until)\s+"
    r"(?P<b>[^,;\n]{4,45}?\d{4}|[^,;\n]{4,45}?\b(?:UTC|GMT|PST|PDT|PT))\b",
    re.IGNORECASE,
)


def between_hours(text: str) -> list[tuple[int, int, float]]:
    """(start, end, hours) of "between 21:00 UTC on 08 Oct 2018 and 01:00 UTC on 10 Oct 2018": the
    span an incident record gives for its impact. Both ends must parse as date-times; the second
    takes its missing parts from the first."""
    found = []
    for m in _BETWEEN.finditer(text):
        try:
            first = date_parser.parse(m.group("a").replace(" on ", " "), fuzzy=True)
            second = date_parser.parse(m.group("b").replace(" on ", " "), fuzzy=True, default=first)
        except (ValueError, OverflowError):
            continue
        if first.tzinfo is None:
            first = first.replace(tzinfo=UTC)
        if second.tzinfo is None:
            second = second.replace(tzinfo=first.tzinfo)
        hours = (second - first).total_seconds() / 3600
        if 0 < hours < 24 * 60:
            found.append((m.start(), m.end(), round(hours, 2)))
    return found

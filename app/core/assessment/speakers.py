"""Whose words each part of a ticket carries: the customer's, the agent's, or untrusted text.

Lowering evidence (a workaround, "it's only a question", "resolved") counts only when it comes
from the customer's or the agent's own turns. Text pasted from elsewhere or hidden from a human
reader cannot lower a verdict: HTML and Markdown comments, code blocks, log lines, JSON/YAML
blobs, front matter, lines with zero-width characters, and lines the policy's `untrusted` cue
marks (text addressed to an assistant, directives about the ticket's own severity or priority).

Turns are lines that open with a speaker, optionally after a time stamp:
"[08:14 PT] Customer (Marisol, Northgate): ...", "Agent (Theo): ...", "Priya (support): ...".
A line without one continues the previous turn; a ticket with no turns is the customer's.
"""

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.fast_regex import FastPattern

_TURN = re.compile(
    r"^[ \t]*(?:[\[(][^\]\n)]{1,40}[\])][ \t]*)?(?:[-*>][ \t]*)?"
    r"(?P<who>[A-Za-z][\w .'&-]{0,40}?)(?:[ \t]*\((?P<role>[^)\n]{0,80})\))?[ \t]*:[ \t]",
    re.MULTILINE,
)
_AGENT = re.compile(
    r"\b(agent|support|tier|l[123]|engineer|technician|tech|csm|tam|helpdesk|help desk|service desk|"
    r"operator|specialist|advisor|representative|rep|staff)\b",
    re.IGNORECASE,
)
_CUSTOMER = re.compile(r"\b(customer|client|user|caller|requester|requestor|reporter|admin|owner|lead)\b", re.I)
# Names that open a line but are not speakers ("Note: ...", "Error: ...", "Environment: ...").
_NOT_A_SPEAKER = re.compile(
    r"^(note|notes|error|errors|warning|exception|caused by|environment|env|version|steps|expected|actual|"
    r"subject|title|summary|description|priority|severity|status|date|time|url|at|ps|p\.s|re|fw|fwd|http|https|"
    r"investigating|identified|monitoring|resolved|update|postmortem|completed|scheduled|verifying)$",
    re.IGNORECASE,
)
_HIDDEN_BLOCKS = re.compile(
    r"<!--.*?(?:-->|\Z)"  # HTML comments, unterminated ones to the end
    r"|^[ \t]*\[(?://|comment|_metadata_)\]:[^\n]*"  # Markdown comments: [//]: # (...)
    r"|^```.*?(?:^```[^\n]*|\Z)"  # fenced code blocks
    r"|^---[ \t]*\n.*?^(?:---|\.\.\.)[ \t]*$",  # YAML documents, front matter or pasted at the end
    re.DOTALL | re.MULTILINE | re.IGNORECASE,
)
_PASTED_LINE = re.compile(
    r"^[ \t]*(?:"
    # log lines: a time stamp followed by a level or key=value pairs (a chat line may open with a stamp)
    r"(?:\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d[^\n]{0,40}?\b(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL|NOTICE)\b)"
    r"|\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d\S*\s+\S+\s+[\w.-]+="
    r"|\d\d:\d\d:\d\d[.,]\d+"
    r"|(?:\[\s*)?(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL|CRITICAL|NOTICE)\b"
    r"|[{\[]\s*\"|\"[\w.-]+\"\s*:"  # JSON
    r"|[A-Za-z0-9+/]{40,}={0,2}\s*$"  # base64 blobs
    r"|at [\w$.]+\([\w.]*(?::\d+)?\)"  # stack frames
    r")",
    re.MULTILINE,
)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    speaker: str  # customer | agent | untrusted | unknown


@dataclass(frozen=True, slots=True)
class Speakers:
    """Who speaks at each offset of one text."""

    turns: tuple[Span, ...]
    untrusted: tuple[tuple[int, int], ...]
    _starts: tuple[int, ...]

    def at(self, offset: int) -> str:
        if any(start <= offset < end for start, end in self.untrusted):
            return "untrusted"
        i = bisect_right(self._starts, offset) - 1
        return self.turns[i].speaker if i >= 0 else "customer"

    def trusted_text(self, text: str) -> str:
        """`text` without its untrusted spans (comments, pasted blobs, attached logs, lines that
        address an assistant), each replaced by a line break: what the people in the ticket said."""
        parts, at = [], 0
        for start, end in self.untrusted:
            if end <= at:
                continue
            parts.append(text[at : max(at, start)])
            parts.append("\n")
            at = max(at, end)
        parts.append(text[at:])
        return "".join(parts)


def _role(who: str, role: str | None) -> str | None:
    words = f"{who} {role or ''}"
    # "Note:", "severity:", "auto_triage:" open data lines, not turns.
    plain_key = who.islower() and " " not in who.strip() and not (_AGENT.search(who) or _CUSTOMER.search(who))
    if _NOT_A_SPEAKER.match(who.strip()) or "_" in who or plain_key:
        return None
    if _AGENT.search(words):
        return "agent"
    if _CUSTOMER.search(words):
        return "customer"
    # A person's name ("Dana:") or a company: the other side of the conversation from support.
    return "customer" if len(who.split()) <= 4 else None


def _line_spans(text: str, pattern: re.Pattern[str] | FastPattern) -> list[tuple[int, int]]:
    spans = []
    lowered = text.lower()
    matches = pattern.finditer(text, lowered) if isinstance(pattern, FastPattern) else pattern.finditer(text)
    for m in matches:
        # A cue may begin at the line break before its line ('(^|\n)\s*AI:'); the line it marks
        # is the one its words are on, not the person's line above (which it used to swallow).
        first, last = m.start(), m.end()
        while first < last and text[first].isspace():
            first += 1
        while last > first and text[last - 1].isspace():
            last -= 1
        start = text.rfind("\n", 0, first) + 1
        end = text.find("\n", last)
        spans.append((start, len(text) if end < 0 else end))
    return spans


def find_speakers(text: str, untrusted_cues: Sequence[FastPattern], untrusted_from: int | None = None) -> Speakers:
    """Turns and untrusted spans of `text`. Everything from `untrusted_from` on (attached logs) is
    untrusted; `untrusted_cues` are the policy's patterns for lines that cannot lower a verdict."""
    turns: list[Span] = []
    for m in _TURN.finditer(text):
        speaker = _role(m.group("who"), m.group("role"))
        if speaker is None:
            continue
        if turns:
            turns[-1] = Span(turns[-1].start, m.start(), turns[-1].speaker)
        turns.append(Span(m.start(), len(text), speaker))
    untrusted = [(m.start(), m.end()) for m in _HIDDEN_BLOCKS.finditer(text)]
    untrusted += _line_spans(text, _PASTED_LINE)
    untrusted += _line_spans(text, _ZERO_WIDTH)
    for cue in untrusted_cues:
        untrusted += _line_spans(text, cue)
    if untrusted_from is not None and untrusted_from < len(text):
        untrusted.append((untrusted_from, len(text)))
    return Speakers(tuple(turns), tuple(sorted(set(untrusted))), tuple(t.start for t in turns))

"""Grounding: every identifier a brief quotes, and every evidence quote, must come from the ticket.

Models invent plausible request IDs, error codes and timestamps; a brief that cites one sends
engineering after something that does not exist. Identifiers are compared case-insensitively
after collapsing whitespace; a number counts as present when it stands as a digit run in the
ticket (so "503" is found in "HTTP 503" and in "E503"). Redaction placeholders such as <EMAIL_1>
are always allowed: they replace values that were in the ticket.
"""

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from pydantic import BaseModel

from schemas.brief import EscalationBrief, normalize_space

# One pass, most specific first: at a position the first alternative that matches wins, so a
# UUID is not also read as five hex ids and a timestamp not as three numbers.
_IDENTIFIER = re.compile(
    r"""
    (?P<placeholder><[A-Z][A-Z0-9_]*>)
    | (?P<url>\bhttps?://[^\s<>"'`)\]]+)
    | (?P<email>\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
    | (?P<uuid>\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)
    | (?P<timestamp>\b\d{4}-\d{2}-\d{2}(?:[T\ ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\w)
                   |\b\d{1,2}:\d{2}(?::\d{2})?\b)
    | (?P<http_status>\bHTTP(?:/\d(?:\.\d)?)?[\ ]?[1-5]\d\d\b)
    | (?P<version>\bv?\d+(?:\.\d+){1,3}\b)
    | (?P<number>\b\d{1,3}(?:,\d{3})+\b)
    | (?P<id>\b[a-z0-9]+(?:[-_.:/][a-z0-9]+)*\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_HAS_DIGIT = re.compile(r"\d")
_MAY_HOLD_IDENTIFIER = re.compile(r"[\d@]|://")
_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
# "500ms", "3rd", "24h", "sev1", "P2", "L2": numbers with a unit or a label, not identifiers.
_NUMBER_WITH_UNIT = re.compile(
    r"^(?P<n>\d+)(?:ms|s|sec|secs|m|min|mins|h|hr|hrs|d|x|k|kb|mb|gb|tb|st|nd|rd|th|%)$", re.IGNORECASE
)
_LABEL = re.compile(r"^(?:sev|p|l|tier|v|q)\d$", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"\d+")
_GROUPED_NUMBER = re.compile(r"\b\d{1,3}(?:,\d{3})+\b")
_NUMBER_WORDS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Identifier:
    text: str
    kind: str  # url, email, uuid, timestamp, http_status, version, id, number
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class UngroundedIdentifier:
    field: str
    text: str
    kind: str


@dataclass(frozen=True, slots=True)
class MissingQuote:
    index: int  # position in brief.evidence
    quote: str


def _classify(kind: str, token: str) -> str | None:
    """The kind to check `token` as, or None when it is not identifier-like."""
    if kind != "id":
        return kind
    if not _HAS_DIGIT.search(token) or _LABEL.match(token):
        return None
    if _NUMBER.match(token) or _NUMBER_WITH_UNIT.match(token):
        digits = re.sub(r"\D", "", token) if _NUMBER.match(token) else _NUMBER_WITH_UNIT.match(token)["n"]  # type: ignore[index]
        return "number" if len(digits) >= 2 else None
    return "id" if len(token) >= 3 else None


def extract_identifiers(text: str) -> list[Identifier]:
    """Identifier-like tokens of `text`: IDs with digits, UUIDs, hex ids, error codes, HTTP
    statuses, timestamps, URLs, emails, versions and numbers of 2+ digits. Placeholders are skipped."""
    return list(_identifiers(text))


@lru_cache(maxsize=1024)
def _identifiers(text: str) -> tuple[Identifier, ...]:
    if not _MAY_HOLD_IDENTIFIER.search(text):
        return ()  # every kind but URLs and emails has a digit
    found: list[Identifier] = []
    for match in _IDENTIFIER.finditer(text):
        kind = match.lastgroup or ""
        token = match.group(kind)
        if kind == "url":
            token = token.rstrip(".,;:!?")
        checked = _classify(kind, token) if kind != "placeholder" else None
        if checked:
            found.append(Identifier(token, checked, match.start(), match.start() + len(token)))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class _SourceIndex:
    spaced: str  # whitespace collapsed: what evidence quotes must be found in
    text: str  # whitespace collapsed and lower-case: what identifiers must be found in
    digit_runs: frozenset[str]


@lru_cache(maxsize=64)
def _index(source: str) -> _SourceIndex:
    # "1,200" in the ticket grounds "1200" in the brief, and "007" grounds "7".
    runs = _DIGIT_RUN.findall(source) + [n.replace(",", "") for n in _GROUPED_NUMBER.findall(source)]
    spaced = normalize_space(source)
    return _SourceIndex(spaced, spaced.lower(), frozenset(runs) | {r.lstrip("0") or "0" for r in runs})


def _present(identifier: Identifier, index: _SourceIndex) -> bool:
    token = normalize_space(identifier.text).lower()
    if identifier.kind == "number":
        digits = re.sub(r"\D", "", _NUMBER_WITH_UNIT.match(token)["n"] if _NUMBER_WITH_UNIT.match(token) else token)  # type: ignore[index]
        return digits in index.digit_runs or token in index.text
    if identifier.kind == "http_status":
        return token[-3:] in index.digit_runs
    if identifier.kind == "version":
        return token.removeprefix("v") in index.text
    if identifier.kind == "url":
        return token.rstrip("/") in index.text
    return token in index.text


def brief_texts(brief: BaseModel, *, include_evidence: bool = True) -> list[tuple[str, str]]:
    """Every free-text value of a brief with its dotted path ('tried[1].result').
    Enum values (severity, target, SLA status) and evidence field names are not text."""
    # model_dump runs in pydantic-core: walking its plain dicts is ~4x faster than walking models.
    data = brief.model_dump(exclude=None if include_evidence else {"evidence"})
    found: list[tuple[str, str]] = []
    _walk(data, "", found)
    return found


def _walk(value: object, path: str, found: list[tuple[str, str]]) -> None:
    if isinstance(value, str):
        if value and not isinstance(value, Enum):
            found.append((path, value))
    elif isinstance(value, dict):
        for name, item in value.items():
            if name != "field" or not path.startswith("evidence["):
                _walk(item, f"{path}.{name}" if path else name, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", found)


def ungrounded_identifiers(brief: EscalationBrief, source: str) -> list[UngroundedIdentifier]:
    """Identifiers the brief states (outside its evidence quotes) that the source does not contain."""
    index = _index(source)
    missing: list[UngroundedIdentifier] = []
    for path, text in brief_texts(brief, include_evidence=False):
        for identifier in _identifiers(text):
            if not _present(identifier, index):
                missing.append(UngroundedIdentifier(path, identifier.text, identifier.kind))
    count = brief.impact.customers_affected
    if count is not None and count >= 10 and not _count_present(count, source, index):
        missing.append(UngroundedIdentifier("impact.customers_affected", str(count), "number"))
    return missing


def _count_present(count: int, source: str, index: _SourceIndex) -> bool:
    if str(count) in index.digit_runs or f"{count:,}" in index.text:
        return True
    words = [word for word, value in _NUMBER_WORDS.items() if value == count]
    return any(re.search(rf"\b{word}\b", index.text) for word in words)


# Lists whose every item is one identifier: an item the ticket does not contain is invented
# (measured: the 0.5B model wrote the timestamp 2023-04-15T12:34:56Z into 15 of 40 dev briefs).
IDENTIFIER_LIST_ITEM = re.compile(r"diagnostics\.(account_ids|timestamps|error_messages)\[(\d+)\]")


def without_invented_list_items(brief: EscalationBrief, source: str) -> tuple[EscalationBrief, list[str]]:
    """The brief without diagnostic list items (IDs, timestamps, error codes) that hold an
    identifier the source lacks, and the items removed. Free text is left to the agent."""
    drop: dict[str, set[int]] = {}
    for item in ungrounded_identifiers(brief, source):
        match = IDENTIFIER_LIST_ITEM.fullmatch(item.field)
        if match:
            drop.setdefault(match[1], set()).add(int(match[2]))
    if not drop:
        return brief, []
    removed: list[str] = []
    changes: dict[str, list[str]] = {}
    for name, indices in drop.items():
        values: list[str] = getattr(brief.diagnostics, name)
        removed += [v for i, v in enumerate(values) if i in indices]
        changes[name] = [v for i, v in enumerate(values) if i not in indices]
    return brief.model_copy(update={"diagnostics": brief.diagnostics.model_copy(update=changes)}), removed


def evidence_quotes_missing(brief: EscalationBrief, source: str) -> list[MissingQuote]:
    """Evidence quotes that are not in the source verbatim (whitespace may differ)."""
    normal_source = _index(source).spaced
    return [
        MissingQuote(i, item.quote)
        for i, item in enumerate(brief.evidence)
        if normalize_space(item.quote) not in normal_source
    ]


# ------------------------------------------------------------------ echoed instructions
# Measured on the 0.5B model: it fills fields it has no fact for with the field's own description
# ("Revenue, renewal or contract at risk, as stated; else null"). No identifier is invented, so
# the identifier check passes; this catches the copied instruction text instead.
_ECHO_MIN_CHARS = 12


@dataclass(frozen=True)
class EchoedInstruction:
    field: str
    text: str


@lru_cache(maxsize=1)
def _instruction_texts() -> tuple[str, ...]:
    from schemas.brief import DraftedBrief

    texts: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            description = node.get("description")
            if isinstance(description, str):
                texts.append(normalize_space(description).lower())
            for item in node.values():
                collect(item)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(DraftedBrief.model_json_schema())
    return tuple(texts)


@lru_cache(maxsize=32)
def _lowered(source: str) -> str:
    # A reviewer's re-checks reuse one ticket: normalise it once.
    return normalize_space(source).lower()


def echoed_instructions(brief: EscalationBrief, source: str) -> list[EchoedInstruction]:
    """Text fields that repeat the schema's field descriptions rather than anything in the ticket."""
    instructions = _instruction_texts()
    ticket = _lowered(source)
    echoed: list[EchoedInstruction] = []
    for path, text in brief_texts(brief, include_evidence=False):
        value = normalize_space(text).lower().rstrip(".")
        if len(value) < _ECHO_MIN_CHARS or value in ticket:
            continue
        if any(value in instruction for instruction in instructions):
            echoed.append(EchoedInstruction(path, text))
    return echoed

"""Code reads what code reads better: identifiers, times, codes, amounts and counts, from the source.

The embedded models copy identifiers badly (a request ID with a digit changed, a timestamp the
ticket never gives) and spend most of their output tokens on lists a regular expression reads
exactly. So the brief's diagnostic lists come from here, each item a verbatim slice of a numbered
source line: account IDs, failure timestamps, error codes and messages and request IDs, URLs,
versions and environment strings, money amounts with their period, counts with their nouns, and
which attachments are present. Redaction placeholders (<EMAIL_1>) are never taken for a value.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core import loglines
from app.core.numbered import NumberedSource
from app.core.sla import find_timestamps
from schemas.draft import Attachment

_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")

# org_7Q2M91, acct-88123, tenant_ab12, ws_9f2, workspace ID 4411 (an ID needs a digit).
_ACCOUNT_PREFIXED = re.compile(
    r"\b(?:org|acct|account|tenant|workspace|ws|cust|customer|merchant|company|team|project|site|store|shop|client)"
    r"[_-](?=[A-Za-z0-9_-]*\d)[A-Za-z0-9][A-Za-z0-9_-]{2,}\b",
    re.IGNORECASE,
)
_ACCOUNT_NAMED = re.compile(
    r"\b(?:org(?:anization|anisation)?|account|tenant|workspace|customer|merchant|company|instance|subscription)"
    r"(?:\s+(?:id|number|no\.?|#))?\s*(?:is|:|=|#)?\s*(?P<id>(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9][A-Za-z0-9_-]{3,})\b",
    re.IGNORECASE,
)
_REQUEST_ID = re.compile(
    r"\b(?:req|request|trace|span|correlation|corr|txn|transaction|job|run|incident|ticket|order|evt|event)"
    r"[_-](?=[A-Za-z0-9_-]*\d)[A-Za-z0-9][A-Za-z0-9_-]{3,}\b"
    r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
    re.IGNORECASE,
)
_REQUEST_NAMED = re.compile(
    r"\b(?:request|trace|correlation)[ _-]?id\s*(?:is|:|=|#)?\s*"
    r"(?P<id>(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9][A-Za-z0-9_-]{5,})\b",
    re.IGNORECASE,
)
_CODES = (
    re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]{2,}\b"),  # ERR_CONN_RESET
    re.compile(r"\b[A-Z]{2,6}-\d{3,6}\b"),  # ORA-00942
    re.compile(r"\bE\d{3,6}\b"),  # E1234
    re.compile(r"\b[A-Z][A-Za-z0-9]+(?:Error|Exception|Fault|Timeout)\b"),  # PaymentGatewayTimeoutError
    re.compile(r"\b0x[0-9A-Fa-f]{8}\b"),
    # 503 Service Unavailable, HTTP 500, status=502, returns 429, 504 errors (a bare 3-digit number is not one)
    re.compile(
        r"\b(?:(?i:HTTP/?[\d.]*\s?|status\s?[:=]?\s?|code\s?[:=]?\s?|returns?\s|returned\s|got\s(?:an?\s)?|with\s(?:an?\s)?)"
        r"[45]\d\d(?:\s[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2})?"
        r"|[45]\d\d\s[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}|[45]\d\d(?=s?\s(?i:errors?|responses?)\b))(?=\W|$)"
    ),
)
_ERROR_CODE_NAMED = re.compile(
    r"\b(?:error|err|status)[ _-]?(?:code)?\s*[:=]\s*\"?(?P<code>(?-i:(?=[A-Za-z0-9_.-]*[\dA-Z_])[A-Za-z0-9_.-]{3,}))",
    re.I,
)
# A message in quotes next to an error word: 'shows "Payment method declined"', err="upstream reset".
_QUOTED_MESSAGE = re.compile(
    r"(?:error|err|message|msg|says|said|shows|showing|returns|returned|get|got|see|reads?|banner|toast|popup)\b[^\"“'\n]{0,20}?"
    r"[\"“'](?P<msg>[^\"”'\n]{6,160})[\"”']",
    re.IGNORECASE,
)
_ERRORISH = re.compile(
    r"error|fail|denied|invalid|unable|cannot|can't|couldn't|timed? ?out|timeout|declined|refused|not found|forbidden"
    r"|unauthori[sz]ed|exception|mismatch|expired|wrong|rejected|unavailable|reset|crash|missing",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"\b\d{1,2}:\d{2}(?::\d{2})?\s?(?:[AaPp]\.?[Mm]\.?\s?)?(?:UTC|GMT|PT|PST|PDT|MT|CT|CST|CDT|ET|EST|EDT|CET|CEST|BST|IST|AEST|JST|Z)\b"
)
_URL = re.compile(r"\bhttps?://[^\s<>\"'`)\]]+")
_VERSIONED = re.compile(
    r"\b(?:(?:version|ver|release|build|app|sdk|api|client|agent|firmware|plugin|driver)\s*v?\d+(?:\.\d+){1,3}"
    r"|v\d+(?:\.\d+){1,3}"
    r"|(?:Chrome|Chromium|Firefox|Safari|Edge|Opera|iOS|iPadOS|Android|Windows|macOS|Mac OS X|Ubuntu|Debian|RHEL|"
    r"CentOS|Linux|Node(?:\.js)?|Python|Java|PHP|Ruby|Go|\.NET|Kubernetes|k8s|Postgres(?:QL)?|MySQL|Redis|nginx)"
    r"\s*v?\d+(?:\.\d+){0,3}"
    r"|(?:us|eu|ap|sa|ca|me|af)-(?:east|west|north|south|central|northeast|southeast|northwest|southwest)-\d"
    r"|\b(?!(?:Our|My|Their|The|This|That|Your|Which|What|Same|Each|Any|Every|No)\b)"
    r"[A-Z][a-z]+ (?:plan|tier|edition)\b)",
)
_MONEY = re.compile(
    r"(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:[kKmM]|million|thousand|bn))?|\b\d[\d,]*(?:\.\d+)?\s?(?:USD|EUR|GBP|dollars))"
    r"(?:\s?(?:/|per|a|an|each)\s?(?:year|yr|annum|month|mo|week|wk|day|hour|hr|seat|user))?"
    r"(?:\s(?:ARR|MRR|ACV|renewal|contract|deal|in revenue|revenue|refunds?|orders?|transactions?|sales))?",
    re.IGNORECASE,
)
_UNITS = {
    "ms", "millisecond", "milliseconds", "s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes",
    "h", "hr", "hrs", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years", "pm", "am",
    "percent", "times", "x", "kb", "mb", "gb", "tb", "px",
}  # fmt: skip
# "240 of our claims agents", "40 stores", "3 retailers", "1,200 users": a number and the noun it counts.
_COUNT = re.compile(
    r"(?<![\w.$€£:/-])(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:\+)?\s+(?:(?:of\s+)?(?:our|their|the|all|its|my)\s+)?"
    r"(?P<words>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,2})",
)
_SCREENSHOT = re.compile(r"\b(?:screenshot|screen ?shot|screen recording|screencast|recording|video|loom)s?\b", re.I)
_TRACEROUTE = re.compile(r"\b(?:traceroute|tracert|mtr report)\b", re.IGNORECASE)
_HAR = re.compile(r"\.har\b|\bHAR (?:file|capture)\b", re.IGNORECASE)
_IMAGE = re.compile(r"\.(?:png|jpe?g|gif|webp|mp4|mov|webm)$", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """One value read from the source: its verbatim text and the 1-based line it stands on."""

    text: str
    line: int


@dataclass
class SourceDiagnostics:
    account_ids: list[Found] = field(default_factory=list)
    timestamps: list[Found] = field(default_factory=list)
    error_messages: list[Found] = field(default_factory=list)  # codes, messages, request IDs
    urls: list[Found] = field(default_factory=list)
    environment: list[Found] = field(default_factory=list)  # versions, browsers, OSes, regions, plans
    money: list[Found] = field(default_factory=list)
    counts: list[tuple[int, str, int]] = field(default_factory=list)  # (number, noun, line)
    logs_attached: bool = False
    har_attached: bool = False
    traceroute_attached: bool = False
    screenshots: list[str] = field(default_factory=list)

    def texts(self, name: str, limit: int) -> list[str]:
        items: list[Found] = getattr(self, name)
        return [f.text for f in items[:limit]]


def _clean(value: str) -> str:
    return value.strip().rstrip(".,;:!?")


def _add(bucket: list[Found], seen: set[str], value: str, line: int) -> None:
    value = _clean(value)
    key = value.lower()
    if len(value) < 2 or key in seen or _PLACEHOLDER.search(value):
        return
    if value.isdigit() and any(value in f.text for f in bucket):
        return  # "503" after "503 Service Unavailable"
    seen.add(key)
    bucket.append(Found(value, line))


def _lines(source: NumberedSource, only: Iterable[int] | None = None) -> Iterable[tuple[int, str]]:
    numbers = only if only is not None else range(1, len(source.lines) + 1)
    for n in numbers:
        text = source.lines[n - 1]
        if text.strip():
            yield n, text


def read_diagnostics(
    source: NumberedSource, attachments: Iterable[Attachment] = (), *, pasted_logs: bool = False
) -> SourceDiagnostics:
    """Every diagnostic value of the numbered source, in order of first appearance."""
    found = SourceDiagnostics()
    seen: dict[str, set[str]] = {k: set() for k in ("acct", "ts", "err", "url", "env", "money")}
    ticket_end = (source.logs_from_line or len(source.lines) + 1) - 1
    for n, text in _lines(source):
        in_logs = n > ticket_end
        for match in _URL.finditer(text):
            _add(found.urls, seen["url"], match.group(), n)
        masked = _URL.sub(" ", text)
        for match in _ACCOUNT_PREFIXED.finditer(masked):
            _add(found.account_ids, seen["acct"], match.group(), n)
        for match in _ACCOUNT_NAMED.finditer(masked):
            _add(found.account_ids, seen["acct"], match.group("id"), n)
        for match in _REQUEST_ID.finditer(masked):
            if match.group().lower() not in seen["acct"]:
                _add(found.error_messages, seen["err"], match.group(), n)
        for match in _REQUEST_NAMED.finditer(masked):
            _add(found.error_messages, seen["err"], match.group("id"), n)
        for pattern in _CODES:
            for match in pattern.finditer(masked):
                _add(found.error_messages, seen["err"], match.group(), n)
        for match in _ERROR_CODE_NAMED.finditer(masked):
            code = match.group("code")
            if code.isdigit() and int(code) < 400:
                continue  # status=200 is not an error
            _add(found.error_messages, seen["err"], match.group("code"), n)
        for match in _QUOTED_MESSAGE.finditer(text):
            if _ERRORISH.search(match.group()):
                _add(found.error_messages, seen["err"], match.group("msg"), n)
        if not in_logs:
            for match in _VERSIONED.finditer(masked):
                _add(found.environment, seen["env"], match.group(), n)
            for match in _MONEY.finditer(masked):
                _add(found.money, seen["money"], match.group(), n)
            for match in _COUNT.finditer(masked):
                if (noun := _count_noun(match.group("words"))) is not None:
                    found.counts.append((int(match.group("n").replace(",", "")), noun, n))
        if _TRACEROUTE.search(text):
            found.traceroute_attached = True
        if not in_logs and _HAR.search(text):
            found.har_attached = True
        if not in_logs and (shot := _SCREENSHOT.search(text)):
            found.screenshots.append(f"{shot.group()} (line {n})")
    found.timestamps = _timestamps(source, ticket_end)
    for attachment in attachments:
        kind, name = attachment.kind.lower(), attachment.name
        if kind == "har" or name.lower().endswith(".har"):
            found.har_attached = True
        elif _IMAGE.search(name):
            found.screenshots.append(name)
        elif _TRACEROUTE.search(name) or _TRACEROUTE.search(attachment.text[:2000]):
            found.traceroute_attached = True
        else:
            found.logs_attached = True
    found.logs_attached = found.logs_attached or pasted_logs
    found.screenshots = list(dict.fromkeys(found.screenshots))[:5]
    return found


def _timestamps(source: NumberedSource, ticket_end: int) -> list[Found]:
    """Times the ticket states, then the first and last time of failing log lines."""

    found: list[Found] = []
    seen: set[str] = set()
    for n, text in _lines(source, range(1, ticket_end + 1)):
        for stamp in find_timestamps(text):
            _add(found, seen, stamp.text, n)
        for match in _CLOCK.finditer(text):
            if not any(match.group().lower() in s for s in seen):
                _add(found, seen, match.group(), n)
    failing = [
        (n, ts)
        for n, text in _lines(source, range(ticket_end + 1, len(source.lines) + 1))
        if (ts := loglines.find_timestamp(text)) and loglines.line_level(text) >= loglines.Level.error
    ]
    for n, ts in failing[:1] + failing[-1:]:
        _add(found, seen, ts, n)
    return found[:8]


def _count_noun(words: str) -> str | None:
    """The counted noun among up to three words after a number: the words up to the first plural
    noun of people or organisations, else the first word when it is a plural that is not a unit."""
    parts = words.split()
    for i, word in enumerate(parts):
        if _AFFECTED_NOUNS.search(word):
            return " ".join(parts[: i + 1])
    first = parts[0].lower() if parts else ""
    return first if first.endswith("s") and first not in _UNITS and len(first) > 3 else None


# Nouns that count people or organisations hit by the problem (impact.customers_affected).
_AFFECTED_NOUNS = re.compile(
    r"(?:customers|clients|users|accounts|tenants|merchants|stores|shops|locations|sites|agents|employees|"
    r"members|seats|retailers|restaurants|clinics|branches|teams|companies|organi[sz]ations|orgs|patients|drivers)$",
    re.IGNORECASE,
)


def affected_count(found: SourceDiagnostics) -> int | None:
    """The largest count of customers, users, stores... the ticket states; None when it states none."""
    counts = [n for n, noun, _ in found.counts if _AFFECTED_NOUNS.search(noun)]
    return max(counts) if counts else None


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value))


__all__ = ["Found", "SourceDiagnostics", "affected_count", "is_placeholder", "read_diagnostics"]

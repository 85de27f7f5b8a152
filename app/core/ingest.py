"""Turn what an agent pasted and uploaded into text: decode, size-check, summarise HARs.

Every refusal is an InputError that names the file and says what to do; anything that is text
but malformed (a HAR or JSON that does not parse) is kept as plain text with a note, never dropped.
"""

import base64
import binascii
import codecs
import json
import logging
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import charset_normalizer

from app.core import loglines
from app.core.errors import InputError
from app.core.reading import check_ticket_text, describe_limit
from schemas.draft import Attachment, TicketInput

log = logging.getLogger(__name__)

# Above this share of control characters a "text" file is really binary.
MAX_CONTROL_RATIO = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGIC = {
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive",
    b"\x7fELF": "an executable",
    b"MZ": "an executable",
}
_GZIP_MAGIC = b"\x1f\x8b"
# Unicode blocks charset-normalizer reports that a Western single-byte code page also produces.
# It reports "Control character" for any text with a newline or tab, so that block counts too.
_LATIN_BLOCKS = re.compile(
    r"^(?:Basic Latin|Latin-1 Supplement|Latin Extended.*|General Punctuation|Currency Symbols|Control character)$"
)

LOG_SUFFIXES = frozenset({".log", ".out", ".err", ".trace", ".jsonl", ".ndjson", ".syslog"})
JSON_SUFFIXES = frozenset({".json"})
HAR_SUFFIXES = frozenset({".har"})


# ---------------------------------------------------------------------------------------------- decoding
def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def _looks_like_bomless_utf16(data: bytes) -> str | None:
    """ASCII-heavy UTF-16 without a BOM: every other byte is NUL, always on the same side."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    if odd_nuls > 0.3 * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def _decode_unknown(data: bytes) -> str:
    """Not UTF-8: trust charset-normalizer for non-Latin scripts, else Windows-1252, else Latin-1.

    On short Western text charset-normalizer often picks cp1250/cp1257 and turns 'naïve' into
    'naďve'; browsers default unlabeled Western text to windows-1252 for the same reason.
    """
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and not all(_LATIN_BLOCKS.match(block) for block in best.alphabets):
        return str(best)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def decode_bytes(data: bytes, name: str) -> str:
    """Decode an upload to text, or refuse it with an InputError that names the file."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: starts with a {codec} byte-order mark but is not valid {codec} ({exc})"
                ) from exc
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name} is {what}, not text; attach logs, HAR or JSON as text files")
    if b"\x00" in data:
        utf16 = _looks_like_bomless_utf16(data)
        if utf16 is None:
            raise InputError(f"{name} looks binary (it contains NUL bytes); attach logs, HAR or JSON as text files")
        text = data.decode(utf16, errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_unknown(data)
    controls = len(_CONTROL.findall(text))
    if text and controls / len(text) > MAX_CONTROL_RATIO:
        raise InputError(
            f"{name} looks binary ({controls / len(text):.0%} control characters); "
            "attach logs, HAR or JSON as text files"
        )
    return text


def _gunzip(data: bytes, name: str, max_bytes: int) -> bytes:
    # Bounded: a small .gz can expand to gigabytes.
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(f"{name} is not a valid gzip file ({exc})") from exc
    if len(out) > max_bytes:
        raise InputError(
            f"{name} expands to more than {_mb(max_bytes)} when decompressed, over the input limit "
            f"of {_mb(max_bytes)} ({max_bytes} bytes); attach the relevant part of the log"
        )
    return out


# ---------------------------------------------------------------------------------------------- HAR
_SECRET_PARAM = re.compile(
    r"(?i)(?:token|secret|password|passwd|pwd|api[-_]?key|apikey|access[-_]?key|sig|signature|auth|credential"
    r"|session|jwt|code|key|x-amz-security-token|x-amz-credential|x-goog-credential)"
)
_REMOVED = "[removed]"
_DIAGNOSTIC_HEADERS = (
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-amz-cf-id",
    "cf-ray",
    "x-trace-id",
    "traceparent",
    "x-cloud-trace-context",
    "x-ms-request-id",
    "retry-after",
    "www-authenticate",
)
_TEXTUAL_MIME = re.compile(
    r"^(?:text/|application/(?:[\w.+-]*\+)?(?:json|xml|javascript|problem\+json|x-www-form-urlencoded))"
)
BODY_SNIPPET_CHARS = 400
MAX_HAR_FAILURES = 40


def sanitize_url(url: str) -> str:
    """Drop the password of user:pass@ and the values of query parameters that look like secrets."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{_REMOVED}@{host}" if ":" in userinfo else f"{user}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = "&".join(
            f"{quote(k, safe='[]._-')}={_REMOVED if v and _SECRET_PARAM.search(k) else quote(v, safe='/:,._-')}"
            for k, v in pairs
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _body_snippet(content: dict[str, object]) -> str | None:
    text = content.get("text")
    if not isinstance(text, str) or not text:
        return None
    mime = str(content.get("mimeType") or "")
    if content.get("encoding") == "base64":
        try:
            raw = base64.b64decode(text, validate=False)
        except (binascii.Error, ValueError):
            return f"(base64 body, {len(text)} characters, not decodable)"
        if mime and not _TEXTUAL_MIME.match(mime):
            return f"({mime} body, {len(raw)} bytes)"
        text = raw.decode("utf-8", errors="replace")
    elif mime and not _TEXTUAL_MIME.match(mime):
        return f"({mime} body, {len(text)} characters)"
    flat = " ".join(text.split())
    return flat if len(flat) <= BODY_SNIPPET_CHARS else flat[:BODY_SNIPPET_CHARS] + f"... ({len(flat)} characters)"


@dataclass
class _FailureGroup:
    method: str
    url: str
    status: str
    first: str
    last: str
    times_ms: list[float] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None

    @property
    def count(self) -> int:
        return len(self.times_ms)


def _headers(items: object) -> dict[str, str]:
    found: dict[str, str] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and str(item.get("name", "")).lower() in _DIAGNOSTIC_HEADERS:
                found[str(item["name"]).lower()] = str(item.get("value", ""))
    return found


def _object(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _is_failure(status: int, response: dict[str, object]) -> bool:
    return status >= 400 or status <= 0 or bool(response.get("_error"))


def summarize_har(har: object, name: str) -> str:
    """The failing requests of a HAR as a few readable lines; raises ValueError if it is not a HAR."""
    if not isinstance(har, dict) or not isinstance(har.get("log"), dict):
        raise ValueError("no top-level 'log' object")
    entries = har["log"].get("entries")
    if not isinstance(entries, list):
        raise ValueError("'log.entries' is missing or not a list")
    groups: dict[tuple[str, str, str], _FailureGroup] = {}
    started: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        request = _object(entry.get("request"))
        response = _object(entry.get("response"))
        when = str(entry.get("startedDateTime", ""))
        if when:
            started.append(when)
        try:
            status = int(response.get("status", 0) or 0)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            status = 0
        if not _is_failure(status, response):
            continue
        method = str(request.get("method", "?"))
        url = sanitize_url(str(request.get("url", "?")))
        error = response.get("_error") or response.get("_failureText")
        label = (
            f"{status} {response.get('statusText', '')}".strip() if status > 0 else f"no response ({error or 'failed'})"
        )
        key = (method, url.split("?", 1)[0], label)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _FailureGroup(method, url, label, when, when)
            content = response.get("content")
            group.body = _body_snippet(content) if isinstance(content, dict) else None
            group.headers = _headers(response.get("headers"))
        group.last = when or group.last
        try:
            group.times_ms.append(float(entry.get("time", 0) or 0))
        except (TypeError, ValueError):
            group.times_ms.append(0.0)
    span = f" from {min(started)} to {max(started)}" if started else ""
    failures = sum(g.count for g in groups.values())
    lines = [
        f"HAR summary of {name}: {len(entries)} requests{span}; {failures} failed "
        f"(HTTP status >= 400 or no response). Successful requests are left out."
    ]
    for number, group in enumerate(list(groups.values())[:MAX_HAR_FAILURES], start=1):
        slowest = max(group.times_ms)
        repeat = (
            f" x{group.count} (first {group.first}, last {group.last})" if group.count > 1 else f" at {group.first}"
        )
        lines.append(f"[{number}] {group.method} {group.url} -> {group.status} in {slowest:.0f} ms{repeat}")
        lines.extend(f"    {header}: {value}" for header, value in group.headers.items())
        if group.body:
            lines.append(f"    response body: {group.body}")
    if len(groups) > MAX_HAR_FAILURES:
        rest = list(groups.values())[MAX_HAR_FAILURES:]
        lines.append(f"... and {len(rest)} more failing URLs ({sum(g.count for g in rest)} requests) not listed")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- files
def _parse_json_lines(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        for line in lines:
            json.loads(line)
    except json.JSONDecodeError:
        return False
    return True


def _note(name: str, problem: str) -> str:
    return f"[ingest note: {name} {problem}; kept below as plain text]"


def _attachment(name: str, text: str) -> Attachment:
    suffix = PurePath(name.removesuffix(".gz")).suffix.lower()
    stripped = text.lstrip()
    looks_json = stripped[:1] in "{["
    if suffix in HAR_SUFFIXES or (looks_json and '"log"' in stripped[:400] and '"entries"' in text):
        try:
            return Attachment(name=name, text=summarize_har(json.loads(text), name), kind="har")
        except json.JSONDecodeError as exc:
            problem = (
                f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}), so it is not a readable HAR"
            )
        except ValueError as exc:
            problem = f"is JSON but not a HAR ({exc})"
        log.warning("%s", _note(name, problem))
        return Attachment(name=name, text=f"{_note(name, problem)}\n{text}", kind="text")
    if suffix in JSON_SUFFIXES or (looks_json and suffix not in LOG_SUFFIXES):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            if _parse_json_lines(text):
                return Attachment(name=name, text=text, kind="log")
            if suffix not in JSON_SUFFIXES:
                return Attachment(name=name, text=text, kind=_text_kind(suffix, text))
            problem = f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            log.warning("%s", _note(name, problem))
            return Attachment(name=name, text=f"{_note(name, problem)}\n{text}", kind="text")
        return Attachment(name=name, text=json.dumps(parsed, indent=2, ensure_ascii=False), kind="json")
    return Attachment(name=name, text=_ANSI_ESCAPE.sub("", text), kind=_text_kind(suffix, text))


def _text_kind(suffix: str, text: str) -> str:
    if suffix in LOG_SUFFIXES:
        return "log"
    lines = text.splitlines()[:200]
    log_lines = sum(1 for line in lines if _is_log_line(line))
    return "log" if lines and log_lines >= 0.3 * len(lines) else "text"


def ingest(text: str, files: Iterable[tuple[str, bytes]], max_bytes: int) -> TicketInput:
    """Decode the pasted text and the uploads into a TicketInput, refusing oversize or binary input."""
    uploads = list(files)
    if not text.strip() and not uploads:
        raise InputError("nothing to draft from: paste the ticket conversation or attach a file")
    limit = describe_limit(max_bytes)
    total = len(text.encode("utf-8"))
    for name, data in uploads:
        if len(data) > max_bytes:
            raise InputError(
                f"{name} is {_mb(len(data))} ({len(data):,} bytes), over {limit}; attach the relevant part"
            )
        total += len(data)
    if total > max_bytes:
        raise InputError(
            f"the ticket and its {len(uploads)} attachment(s) are {_mb(total)} ({total:,} bytes) together, "
            f"over {limit}; attach fewer or smaller files"
        )
    check_ticket_text(text, "the ticket")
    attachments = []
    for name, data in uploads:
        if _is_screenshot(name, data):
            # The policy asks for screenshots (seed 002 line 12): kept by name for the brief; the
            # model reads text only, so its pixels never enter the prompt.
            attachments.append(Attachment(name=name, text="", kind="screenshot"))
            continue
        raw = _gunzip(data, name, max_bytes) if data.startswith(_GZIP_MAGIC) else data
        attachments.append(_attachment(name, decode_bytes(raw, name)))
    return TicketInput(text=_ANSI_ESCAPE.sub("", text), attachments=attachments)


IMAGE_SUFFIXES = {".png": b"\x89PNG", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".gif": b"GIF8"}


def _is_screenshot(name: str, data: bytes) -> bool:
    """An image named as one (a PNG renamed .log is still refused as a log that is not text)."""
    magic = IMAGE_SUFFIXES.get(PurePath(name).suffix.lower())
    return magic is not None and data.startswith(magic)


# ---------------------------------------------------------------------------------------------- split
_LEVELS = "TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|FATAL|CRITICAL|PANIC"
# A level word opens a log line only when a log shape follows it: "[ERROR]", "ERROR:", "ERROR |",
# "ERROR [main]", "ERROR svc: msg", "ERROR key=value". "ERROR is shown in red." is a sentence.
_LEVEL_PREFIX = re.compile(
    rf"^\s*(?:\[[^\]]{{1,40}}\]\s*)?"
    rf"(?:[\[(<](?i:{_LEVELS})[\])>]"
    rf"|(?:{_LEVELS})(?::|\s*\||\s+[\[(]|\s+\S+:\s|\s+\S+=\S|\s*$))"
)
_JSON_LOG = re.compile(r'^\s*\{.*"(?:level|severity|lvl|msg|message|@timestamp|timestamp|ts)"\s*:.*\}\s*$')
_TRACE_HEAD = re.compile(r"\b(?:Exception|Error|Throwable|panic)\b|^Exception in thread ")
_LOGFMT = re.compile(r"^\s*(?:ts|time|timestamp|t)=\S+\s.*\b(?:level|lvl|msg)=|^\s*level=\w+\s+\w+=")


def _is_log_line(line: str) -> bool:
    return bool(
        loglines.LEADING_TIMESTAMP.match(line)
        or loglines.GLOG_PREFIX.match(line)
        or _LEVEL_PREFIX.match(line)
        or _JSON_LOG.match(line)
        or _LOGFMT.match(line)
        or loglines.TRACEBACK_START.match(line)
        or loglines.FRAME.match(line)
    )


def split_conversation(text: str) -> tuple[str, str]:
    """Separate pasted log lines and stack traces from the human conversation.

    Returns (conversation, logs), each in original order. Besides lines shaped like log lines, a
    line joins the logs when it is indented right after a log line (multi-line messages, the code
    lines of Python frames), ends a stack trace (the exception line), or heads one (the line just
    before the first "at ..." frame).
    """
    lines = text.splitlines()
    is_log = [_is_log_line(line) for line in lines]
    in_log = in_trace = False
    for index, line in enumerate(lines):
        if is_log[index]:
            if loglines.FRAME.match(line) and index > 0 and not is_log[index - 1]:
                previous = lines[index - 1]
                if loglines.EXCEPTION_LINE.match(previous) or _TRACE_HEAD.search(previous):
                    is_log[index - 1] = True
            in_log = True
            in_trace = bool(loglines.TRACEBACK_START.match(line) or loglines.FRAME.match(line)) or (
                in_trace and line[:1].isspace()
            )
        elif in_log and line.strip() and line[:1].isspace():
            is_log[index] = True
        elif in_trace and (loglines.EXCEPTION_LINE.match(line) or loglines.PYTHON_CHAIN.match(line)):
            is_log[index] = True
            in_trace = bool(loglines.PYTHON_CHAIN.match(line))
        elif in_trace and not line.strip():
            pass  # a blank line inside a chained Python traceback: the next line decides
        else:
            in_log = in_trace = False
    conversation = [line for line, logged in zip(lines, is_log, strict=True) if not logged]
    logs = [line for line, logged in zip(lines, is_log, strict=True) if logged]
    return _tidy(conversation), _tidy(logs)


def _tidy(lines: list[str]) -> str:
    """Join, collapsing the runs of blank lines that removing the other half leaves behind."""
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)

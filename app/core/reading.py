"""Read what users hand the product from outside, bounded: files, standard input, brief JSON.

One implementation of the input limits for the CLI and the services (`ingest` checks pasted text
with `check_ticket_text`). Every refusal is an InputError whose message is one line naming the
input; nothing here reads more than the limit plus one byte, follows a FIFO or a device, or
recurses on untrusted nesting.

Why by hand and not a library: the standard library has every piece (`os.stat`, bounded
`read`, `json`'s `object_pairs_hook`, pydantic's strict mode); what is ours is only the order
(stat first, then read at most limit + 1) and the messages.
"""

import json
import os
import stat
import sys
from typing import Any

from pydantic import ValidationError

from app.core.errors import BriefSchemaError, InputError
from schemas.brief import EscalationBrief

STDIN = "-"
# A brief is a page of text: the largest of the 160 dev-set reference briefs is 2.2 KB of JSON.
MAX_BRIEF_BYTES = 1024 * 1024
# A brief nests three levels (brief > tried > attempt); `escalate draft --json` adds a few more.
MAX_JSON_DEPTH = 32
# A ticket is a conversation. A line this long is a minified log or a binary blob pasted in; it
# belongs in an attachment, where the condenser reads it as a log.
MAX_TICKET_LINE_CHARS = 100_000
_CHUNK = 1024 * 1024


def display_name(path: str) -> str:
    return "standard input" if path == STDIN else path


def describe_limit(max_bytes: int) -> str:
    return f"the input limit of {max_bytes / 1_048_576:.1f} MB ({max_bytes:,} bytes)"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


BRIEF_LIMIT = f"the {MAX_BRIEF_BYTES / 1_048_576:.1f} MB ({MAX_BRIEF_BYTES:,} bytes) a brief may be; is it a brief?"


def _over_limit(name: str, limit: str, size: int | None = None) -> InputError:
    actual = f" is {size / 1_048_576:.1f} MB ({size:,} bytes)," if size is not None else " is"
    return InputError(f"{name}{actual} over {limit}")


def _read_bounded(read: Any, name: str, max_bytes: int, limit: str) -> bytes:
    """At most max_bytes + 1 bytes: one byte more is enough to know the input is too big."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        raise _over_limit(name, limit)
    return b"".join(chunks)


def _os_error(name: str, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{name}: no such file")
    if isinstance(exc, PermissionError):
        return InputError(f"{name}: permission denied")
    return InputError(f"{name}: cannot read ({exc.strerror or exc})")


def read_input(path: str, max_bytes: int, limit: str | None = None) -> bytes:
    """The bytes of a regular file, or of standard input for '-', refusing anything else or anything
    over `max_bytes` (`limit` names that limit in the message). A path is stat-ed before it is
    opened, so a FIFO is never opened (opening one blocks until a writer comes), and fstat-ed once
    open, in case it was swapped in between."""
    limit = limit or f"{describe_limit(max_bytes)}; give only the relevant part"
    if path == STDIN:
        return _read_stdin(max_bytes, limit)
    name = display_name(path)
    try:
        kind = _kind(os.stat(path).st_mode)
        if kind:
            raise InputError(f"{name} is {kind}, not a file; give a text file or - for standard input")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _os_error(name, exc) from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind:
            raise InputError(f"{name} is {kind}, not a file; give a text file or - for standard input")
        if info.st_size > max_bytes:
            raise _over_limit(name, limit, info.st_size)
        try:
            return _read_bounded(handle.read, name, max_bytes, limit)
        except OSError as exc:
            raise _os_error(name, exc) from None


def _read_stdin(max_bytes: int, limit: str) -> bytes:
    name = display_name(STDIN)
    stream = sys.stdin.buffer
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        mode = None  # not backed by a descriptor (a test runner's buffer): nothing to stat
    if mode is not None and stat.S_ISCHR(mode) and not stream.isatty():
        raise InputError(f"{name} is a character device (like /dev/zero), not text; redirect a file or a pipe")
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError(f"{name} is a directory, not text; redirect a file or a pipe")
    try:
        return _read_bounded(stream.read, name, max_bytes, limit)
    except OSError as exc:
        raise _os_error(name, exc) from None


# ---------------------------------------------------------------------------------------------- text
def decode_utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})") from None


def check_ticket_text(text: str, name: str) -> None:
    """Refuse a ticket line no conversation has (see MAX_TICKET_LINE_CHARS)."""
    start = 0
    # str.find, not splitlines(): a 20 MB paste must not be copied into a list to measure it.
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_TICKET_LINE_CHARS:
            line = text.count("\n", 0, start) + 1
            raise InputError(
                f"{name}: line {line} is {end - start:,} characters long, over the {MAX_TICKET_LINE_CHARS:,} a "
                "ticket line may have; attach a log like this as a file (--log) instead of pasting it"
            )
        start = end + 1


def read_ticket(path: str, max_bytes: int) -> str:
    """A ticket conversation: UTF-8 text that is neither empty nor only whitespace."""
    name = display_name(path)
    text = decode_utf8(read_input(path, max_bytes), name)
    if not text.strip():
        what = "empty" if not text else "only whitespace"
        raise InputError(f"{name} is {what}: nothing to draft from or triage; give the ticket conversation")
    check_ticket_text(text, name)
    return text


# ---------------------------------------------------------------------------------------------- JSON
def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r} in one object")
        seen[key] = value
    return seen


def _refuse_constant(word: str) -> None:
    raise ValueError(f"{word} is not a JSON number")


def _depth(value: Any) -> int:
    """Nesting depth, without recursion (the value came from outside)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def parse_json(text: str, name: str) -> Any:
    """Strict JSON: duplicate keys, NaN/Infinity and nesting deeper than MAX_JSON_DEPTH refused."""
    too_deep = InputError(f"{name}: JSON nested more than {MAX_JSON_DEPTH} levels deep; a brief nests 3")
    try:
        value = json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:  # from the hooks above
        raise InputError(f"{name}: invalid JSON: {exc}") from None
    except RecursionError:
        # CPython's C decoder guards its recursion and raises this; the stack is unwound by now.
        raise too_deep from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise too_deep
    return value


def parse_brief(data: bytes, name: str) -> EscalationBrief:
    """A brief from outside (a file, a pipe): strict JSON, strict types (no "12" for 12, no "yes"
    for true), no unknown keys. The output of `escalate draft --json` carries it under "brief"."""
    if len(data) > MAX_BRIEF_BYTES:
        raise _over_limit(name, BRIEF_LIMIT, len(data))
    if not data.strip():
        raise InputError(f"{name} is {'empty' if not data else 'only whitespace'}: expected an escalation brief (JSON)")
    raw = parse_json(decode_utf8(data, name), name)
    if isinstance(raw, dict) and isinstance(raw.get("brief"), dict):
        raw = raw["brief"]
    try:
        # Validated from JSON text: strict mode there still reads enums and dates from strings.
        return EscalationBrief.model_validate_json(json.dumps(raw), strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise BriefSchemaError(f"{name}: not an escalation brief: '{key}': {first['msg']}{more}") from None


def read_brief(path: str) -> EscalationBrief:
    # Read up to the brief limit only: a bigger file is refused after MAX_BRIEF_BYTES + 1 bytes.
    return parse_brief(read_input(path, MAX_BRIEF_BYTES, BRIEF_LIMIT), display_name(path))

"""What a log line looks like: timestamps, levels and stack-trace lines.

Shared by ingest (telling pasted logs from the conversation) and condense (folding and ranking),
so both agree on what a log line is.
"""

import re
from enum import IntEnum

# Timestamps at the start of a line, in the shapes logs actually use: ISO 8601 (with T or space,
# optional fraction and zone), syslog ("May  1 10:00:01"), Apache/nginx ("[01/May/2024:10:00:01
# +0000]"), glog ("E0501 10:00:01.123456") and bare clock times with seconds.
_ISO = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?"
_SYSLOG = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)?"
_CLF = r"\d{2}/(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?"
_CLOCK = r"\d{2}:\d{2}:\d{2}(?:[.,]\d{3,9})"
_EPOCH = r"1[5-9]\d{8}(?:\.\d+|\d{3})?"
LEADING_TIMESTAMP = re.compile(rf"^\s*\[?(?P<ts>{_ISO}|{_SYSLOG}|{_CLF}|{_CLOCK}|{_EPOCH})\]?(?=[\s,;|\]]|$)")
# Anywhere in a line, for logfmt/JSON lines that put the time in a field.
ANY_TIMESTAMP = re.compile(rf"(?P<ts>{_ISO}|{_CLF})")
GLOG_PREFIX = re.compile(r"^(?P<level>[IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d+")

_LEVEL_WORDS = (
    r"TRACE|DEBUG|FINE|FINER|FINEST|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL|CRIT|"
    r"PANIC|EMERG|ALERT"
)
# A level word standing as a field near the start of the line: "ERROR", "[warn]", "level=error",
# '"level":"error"', "<E>" is not a level. Upper case, or any case when bracketed / in a field.
LEVEL = re.compile(
    rf"(?:(?<![\w.-])(?P<upper>{_LEVEL_WORDS})(?![\w.-])"
    rf"|\[(?P<bracketed>(?i:{_LEVEL_WORDS}))\]"
    rf"|(?i:\b(?:level|severity|lvl)\b\"?\s*[=:]\s*\"?(?P<field>{_LEVEL_WORDS})\b))"
)
LEVEL_SEARCH_WINDOW = 120
_LEVEL_AFTER_TIME = re.compile(rf"[\s\]|,]*\[?(?P<upper>{_LEVEL_WORDS})\]?(?=[\s:|\]-])")


class Level(IntEnum):
    """Log levels ranked by how much a brief needs the line."""

    debug = 1
    info = 2
    unknown = 3
    warning = 5
    error = 9


_LEVEL_BY_WORD = {
    "TRACE": Level.debug,
    "DEBUG": Level.debug,
    "FINE": Level.debug,
    "FINER": Level.debug,
    "FINEST": Level.debug,
    "INFO": Level.info,
    "NOTICE": Level.info,
    "WARN": Level.warning,
    "WARNING": Level.warning,
    "ERROR": Level.error,
    "ERR": Level.error,
    "SEVERE": Level.error,
    "FATAL": Level.error,
    "CRITICAL": Level.error,
    "CRIT": Level.error,
    "PANIC": Level.error,
    "EMERG": Level.error,
    "ALERT": Level.error,
}
_GLOG_LEVELS = {"I": Level.info, "W": Level.warning, "E": Level.error, "F": Level.error}

# Stack traces: Java/JS/C# frames, Python tracebacks, chained causes, Go panics.
TRACEBACK_START = re.compile(r"^\s*Traceback \(most recent call last\):\s*$")
PYTHON_FRAME = re.compile(r'^\s+File "[^"]+", line \d+')
FRAME = re.compile(
    r"^\s+(?:at\s+\S+|\.\.\. \d+ (?:more|common frames omitted)|File \"[^\"]+\", line \d+)"
    r"|^\s*(?:Caused by|Suppressed|Wrapped by):\s"
    r"|^goroutine \d+ \[[\w ]+\]:$"
)
CAUSE = re.compile(r"^\s*(?:Caused by|Suppressed|Wrapped by):\s")
PYTHON_CHAIN = re.compile(
    r"^(?:During handling of the above exception, another exception occurred:"
    r"|The above exception was the direct cause of the following exception:)\s*$"
)
# "java.lang.IllegalStateException: msg", "ValueError: msg", "panic: runtime error: ..."
EXCEPTION_LINE = re.compile(
    r"^\s*(?:panic: |(?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*(?:Error|Exception|Exit|Interrupt|Fault|Failure|Warning)\b)"
)
ERRORISH = re.compile(
    r"\b(?:exception|error|errors? occurred|failed|failure|fatal|panic|timed? ?out|refused|denied|unreachable"
    r"|traceback|segfault|OOM|out of memory|5\d\d (?:internal|bad gateway|service unavailable|gateway timeout))\b",
    re.IGNORECASE,
)
# Failed requests as ingest's HAR summary writes them: "[3] POST https://... -> 502 Bad Gateway".
HTTP_FAILURE_ARROW = re.compile(r" -> (?:[45]\d\d\b|no response)")
HTTP_5XX = re.compile(r"(?:\bstatus(?:_code)?[=:]\s*\"?|\" |\bHTTP/\d(?:\.\d)? )5\d\d\b")


def leading_timestamp(line: str) -> str | None:
    match = LEADING_TIMESTAMP.match(line)
    return match.group("ts") if match else None


def find_timestamp(line: str) -> str | None:
    """The line's own time: at the start, else the first ISO/CLF time inside it."""
    found = leading_timestamp(line)
    if found:
        return found
    match = ANY_TIMESTAMP.search(line, 0, 200)
    return match.group("ts") if match else None


def line_level(line: str) -> Level:
    glog = GLOG_PREFIX.match(line)
    if glog:
        return _GLOG_LEVELS[glog.group("level")]
    stamp = LEADING_TIMESTAMP.match(line)
    # Most lines put the level right after the time; try there before searching the line.
    match = _LEVEL_AFTER_TIME.match(line, stamp.end() if stamp else 0) or LEVEL.search(line, 0, LEVEL_SEARCH_WINDOW)
    if match:
        word = next(value for value in match.groupdict().values() if value).upper()
        level = _LEVEL_BY_WORD[word]
        if level < Level.error and HTTP_5XX.search(line):
            return Level.error
        return level
    if HTTP_5XX.search(line) or HTTP_FAILURE_ARROW.search(line):
        return Level.error
    return Level.unknown


def has_level(line: str) -> bool:
    return bool(GLOG_PREFIX.match(line) or LEVEL.search(line, 0, LEVEL_SEARCH_WINDOW))


def is_frame(line: str) -> bool:
    return bool(FRAME.match(line))

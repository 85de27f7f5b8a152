"""Values wrapped across lines: a token cut by an e-mail client, a terminal's width or a shell's '\\'.

'ghp_abc...' split after 20 characters matches no vendor rule on any of its lines. Each run of lines
where the first ends in a run of token characters and the next ones are nothing but token characters
(each may end in a shell line continuation, '\\') is joined, the secret detectors run on the joined
runs, and a hit crossing a join is masked from its first to its last character (the newlines,
backslashes and indentation between them included).
"""

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.redaction.detection import Detection
from app.core.redaction.lines import Lines

_TAIL = re.compile(r"[A-Za-z0-9+/=_\-.]{8,}[\"']?[ \t]*\\?[ \t]*$")
# '=' only as base64 padding at the end: 'tenant_id=309a...' or 'PORT=3000' on the next line is
# the next assignment, not the rest of the token above it.
# Atlassian's tokens end in '=' and an 8-hex-digit checksum; a log line may go on with a short
# remark in brackets after the value ('...XA== (403)').
# A log framework's gutter may lead each continued line ('  | 2WYEVB-kaoz...').
_BODY = (
    r"[ \t>\"']*(?:\|[ \t]+)?(?P<body>[A-Za-z0-9+/_\-.]{4,}={0,2}|[A-Za-z0-9+/_\-.]{1,}=[0-9A-F]{8})"
    r"[\"',;]*[ \t]*\\?[ \t]*"
    r"(?:\([^()\n]{1,40}\)[ \t]*)?$"
)
_CONTINUATION = re.compile("^" + _BODY)
_CONTINUATION_HINT = re.compile("^" + _BODY, re.MULTILINE)
_PROMPT = re.compile(r"^[ \t]*(?:[\w.@~:/\-]*[$#%]|PS [^>\n]*>|>>>)[ \t]")
# A wrapped token spans a few lines (a 600-character JWT at 60 columns is ten); a longer run of
# token-shaped lines is a list (of hashes, codes) and is not joined further.
_MAX_LINES = 16


@dataclass
class _Run:
    """Pieces of the text joined into one line: (start, end) of each piece in the text."""

    pieces: list[tuple[int, int]] = field(default_factory=list)
    last_line: int = -1


def _head_end(line: str) -> int:
    return len(line.rstrip(" \t\"'\\"))


def find_wrapped(lines: Lines, secret_finder: Callable[[str], list[Detection]]) -> list[Detection]:
    text = lines.text
    runs: list[_Run] = []
    for number in lines.matching(_CONTINUATION_HINT):
        if number == 0:
            continue
        offset, line = lines.line(number)
        body = _CONTINUATION.match(line)
        if not body:
            continue
        current = runs[-1] if runs and runs[-1].last_line == number - 1 else None
        if current is not None and len(current.pieces) < _MAX_LINES:
            current.pieces.append((offset + body.start("body"), offset + body.end("body")))
            current.last_line = number
            continue
        previous_offset, previous = lines.line(number - 1)
        # A shell command ('$ vault kv get ... secret/prod/db') and the line it printed are two values.
        if not _TAIL.search(previous) or _PROMPT.match(previous):
            continue
        head = (previous_offset, previous_offset + _head_end(previous))
        runs.append(_Run([head, (offset + body.start("body"), offset + body.end("body"))], number))
    if not runs:
        return []
    joined_lines: list[str] = []
    for run in runs:
        joined_lines.append("".join(text[start:end] for start, end in run.pieces))
    joined = "\n".join(joined_lines)
    index = Lines(joined)
    found: list[Detection] = []
    for hit in secret_finder(joined):
        number = index.index_of(hit.start)
        line_start = index.starts[number]
        run = runs[number]
        # Where each piece starts in the joined line.
        starts: list[int] = []
        cursor = 0
        for start, end in run.pieces:
            starts.append(cursor)
            cursor += end - start
        start, end = hit.start - line_start, hit.end - line_start
        if end > cursor:
            continue  # runs past its own run (a truncated key block)
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, end - 1) - 1
        if first == last:
            continue  # within one line: the direct detectors' own
        original_start = run.pieces[first][0] + start - starts[first]
        original_end = run.pieces[last][0] + end - starts[last]
        found.append(Detection(hit.kind, original_start, original_end, hit.rule, hit.category))
    return found

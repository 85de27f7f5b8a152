"""Values wrapped across two lines: a token cut by an e-mail client or a terminal's width.

'ghp_abc...' split after 20 characters matches no vendor rule on either line. Each pair of lines
where the first ends in a run of token characters and the second is nothing but token characters
is joined, the secret detectors run on the joined pairs, and a hit crossing the join is masked on
both lines (the newline and indentation between them included).
"""

import re
from collections.abc import Callable

from app.core.redaction.detection import Detection
from app.core.redaction.lines import Lines

_TAIL = re.compile(r"[A-Za-z0-9+/=_\-.]{8,}[\"']?[ \t]*$")
# '=' only as base64 padding at the end: 'tenant_id=309a...' or 'PORT=3000' on the next line is
# the next assignment, not the rest of the token above it.
# Atlassian's tokens end in '=' and an 8-hex-digit checksum; a log line may go on with a short
# remark in brackets after the value ('...XA== (403)').
_CONTINUATION = re.compile(
    r"^[ \t>\"']*(?P<body>[A-Za-z0-9+/_\-.]{4,}(?:={0,2}|=[0-9A-F]{8}))[\"',;]*[ \t]*(?:\([^()\n]{1,40}\)[ \t]*)?$"
)


def find_wrapped(lines: Lines, secret_finder: Callable[[str], list[Detection]]) -> list[Detection]:
    pairs: list[tuple[int, int, int, int]] = []  # (line start, join point in text, body start, body end)
    pieces: list[str] = []
    for number in lines.matching(_CONTINUATION_HINT):
        if number == 0:
            continue
        offset, line = lines.line(number)
        body = _CONTINUATION.match(line)
        previous_offset, previous = lines.line(number - 1)
        tail = _TAIL.search(previous)
        # A shell command ('$ vault kv get ... secret/prod/db') and the line it printed are two values.
        if not body or not tail or _PROMPT.match(previous):
            continue
        head = previous.rstrip(" \t\"'")
        pairs.append(
            (previous_offset, previous_offset + len(head), offset + body.start("body"), offset + body.end("body"))
        )
        pieces.append(head + body.group("body"))
    if not pairs:
        return []
    joined = "\n".join(pieces)
    index = Lines(joined)
    found: list[Detection] = []
    for hit in secret_finder(joined):
        number = index.index_of(hit.start)
        line_start = index.starts[number]
        line_offset, join_at, body_start, _ = pairs[number]
        head_length = join_at - line_offset
        start, end = hit.start - line_start, hit.end - line_start
        # Crosses the join, and stays within its own pair (a truncated key block would run on).
        if start < head_length < end <= len(pieces[number]):
            found.append(
                Detection(hit.kind, line_offset + start, body_start + (end - head_length), hit.rule, hit.category)
            )
    return found


_PROMPT = re.compile(r"^[ \t]*(?:[\w.@~:/\-]*[$#%]|PS [^>\n]*>|>>>)[ \t]")
_CONTINUATION_HINT = re.compile(
    r"^[ \t>\"']*[A-Za-z0-9+/_\-.]{4,}(?:={0,2}|=[0-9A-F]{8})[\"',;]*[ \t]*(?:\([^()\n]{1,40}\)[ \t]*)?$", re.MULTILINE
)

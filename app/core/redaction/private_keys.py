"""Private keys in every form a ticket carries them, each masked whole.

- PEM blocks of any label: RSA, EC, DSA, OPENSSH, ENCRYPTED (PKCS#8), PGP PRIVATE KEY BLOCK, with
  their Proc-Type/DEK-Info headers, real newlines or JSON-escaped '\\n';
- SSH2 (Tectia) '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----' blocks;
- PuTTY key files, from 'PuTTY-User-Key-File-N:' to the 'Private-MAC:' line;
- key bodies pasted without their BEGIN line: a base64 run that ends in an END line, or whose first
  bytes are a private key's ASN.1 header (a SEQUENCE holding INTEGER version 0/1, which a
  certificate never starts with), an OpenSSH 'openssh-key-v1' body, or a PGP secret-key packet.

detect-secrets' PrivateKeyDetector knew the BEGIN line only; a truncated or headless paste leaked.
"""

import base64
import binascii
import re
from collections.abc import Iterator

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines

KIND = "PRIVATE_KEY"
_NL = r"(?:\r?\n|\\r?\\n)"
_PEM_BEGIN = re.compile(r"-----\s?BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?\s?-----")
_PEM_END = re.compile(r"-----\s?END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?\s?-----")
_SSH2_BEGIN = re.compile(r"---- BEGIN SSH2 (?:ENCRYPTED )?PRIVATE KEY ----")
_SSH2_END = re.compile(r"---- END SSH2 (?:ENCRYPTED )?PRIVATE KEY ----")
_PUTTY_BEGIN = re.compile(r"PuTTY-User-Key-File-\d+:")
_PUTTY_END = re.compile(r"Private-MAC:[ \t]*[0-9a-fA-F]*")
# A key block is a few KB (an 8192-bit RSA key is ~6.5 KB); an END further away belongs elsewhere.
_MAX_BLOCK = 16_384
# A body line: base64 only, possibly indented or quoted in a YAML/JSON string.
_BODY_LINE = re.compile(r"^[ \t\"']*([A-Za-z0-9+/]{16,}={0,2})[ \t\"',]*$")
_BLANK_OR_END = re.compile(r"\n[ \t]*\n|\Z")
# Bodies that name themselves: OpenSSH's magic, PGP secret-key packets (old and new format).
_SELF_NAMED_BODY = re.compile(r"^(?:b3BlbnNzaC1rZXktdjE|lQ[OPQRSWYZ]|xc[A-Za-z0-9])")


def _is_private_der(body: str) -> bool:
    """The first bytes of a DER private key: SEQUENCE (any length form), then INTEGER 0 or 1
    (PKCS#1/PKCS#8 version, SEC1 EC version). Certificates and public keys start SEQUENCE, SEQUENCE."""
    try:
        head = base64.b64decode(body[:24] + "=" * (-len(body[:24]) % 4), validate=False)
    except (binascii.Error, ValueError):
        return False
    if len(head) < 6 or head[0] != 0x30:
        return False
    length_octets = head[1] - 0x80 if head[1] & 0x80 else 0
    at = 2 + length_octets
    return len(head) > at + 2 and head[at] == 0x02 and head[at + 1] == 0x01 and head[at + 2] in (0, 1)


def _blocks(
    text: str, begin: re.Pattern[str], end: re.Pattern[str], end_of_line: bool = False
) -> Iterator[tuple[int, int]]:
    for match in begin.finditer(text):
        closing = end.search(text, match.end(), match.end() + _MAX_BLOCK)
        if closing:
            stop = closing.end()
            if end_of_line:
                newline = text.find("\n", stop)
                newline = newline if newline != -1 else len(text)
                # In a JSON string the line ends at its '\n' escape ('...Private-MAC: 2334...\n", "serial": ...').
                escaped = text.find("\\n", stop, newline)
                stop = escaped if escaped != -1 else newline
            yield match.start(), stop
        else:
            # No END line (a truncated paste): mask to the first blank line.
            tail = _BLANK_OR_END.search(text, match.end())
            yield match.start(), tail.start() if tail else len(text)


def _headless_bodies(text: str, lines: Lines, taken: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Runs of base64 lines outside the blocks found above that are a private key's body."""
    candidates = [i for i in lines.matching(re.compile(r"[A-Za-z0-9+/]{16,}")) if _BODY_LINE.match(lines.line(i)[1])]
    run: list[int] = []
    for index in [*candidates, -2]:
        if run and index == run[-1] + 1:
            run.append(index)
            continue
        if run:
            yield from _judge_run(text, lines, run, taken)
        run = [index]


def _judge_run(text: str, lines: Lines, run: list[int], taken: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    start = lines.span(run[0])[0]
    end = lines.span(run[-1])[1]
    if any(s <= start < e for s, e in taken):
        return
    first = _BODY_LINE.match(lines.line(run[0])[1])
    body = first.group(1) if first else ""
    previous = lines.line(run[0] - 1)[1] if run[0] > 0 else ""
    # A body under a BEGIN CERTIFICATE / PUBLIC KEY line is public.
    if "-----BEGIN" in previous:
        return
    following = lines.line(run[-1] + 1)[1] if run[-1] + 1 < len(lines.starts) else ""
    ends_in_marker = _PEM_END.search(following) is not None
    size = sum(len(lines.line(i)[1].strip()) for i in run)
    if ends_in_marker or (size >= 40 and (_is_private_der(body) or _SELF_NAMED_BODY.match(body))):
        marker = _PEM_END.search(following)
        if marker:
            end = lines.span(run[-1] + 1)[0] + marker.end()
        yield start + (first.start(1) if first else 0), end


def find_private_keys(text: str, lines: Lines | None = None) -> list[Detection]:
    index = lines if lines is not None else Lines(text)
    spans: list[tuple[int, int]] = []
    if "PRIVATE KEY" in text:
        spans.extend(_blocks(text, _PEM_BEGIN, _PEM_END))
        spans.extend(_blocks(text, _SSH2_BEGIN, _SSH2_END))
    if "PuTTY-User-Key-File" in text:
        spans.extend(_blocks(text, _PUTTY_BEGIN, _PUTTY_END, end_of_line=True))
    # A block needs a body ('-----BEGIN PRIVATE KEY-----\nanything\n-----END...' is an example).
    spans = [(s, e) for s, e in spans if _BASE64_RUN.search(text, s, e) or not _PEM_END.search(text, s, e)]
    spans.extend(_headless_bodies(text, index, sorted(spans)))
    # A one-line body (JSON-escaped, or a key squeezed onto one line) that names itself.
    for match in _ONE_LINE_BODY.finditer(text):
        if _is_private_der(match.group(1)) or _SELF_NAMED_BODY.match(match.group(1)):
            spans.append(match.span(1))
    return [Detection(KIND, s, e, "custom:private_key", Category.secret) for s, e in spans]


_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{16,}")
_ONE_LINE_BODY = re.compile(
    r"(?<![A-Za-z0-9+/])((?:MI|MH|b3BlbnNzaC1rZXktdjE|lQ|xc)[A-Za-z0-9+/]{100,}={0,2})(?![A-Za-z0-9+/])"
)

"""Secrets hidden one base64 layer down: Kubernetes Secret data, Docker config auths, Basic auth.

A Kubernetes Secret's `data:` values, a `.dockerconfigjson` and an Authorization: Basic value are
base64 of the secret. Every base64 value long enough to hold one is decoded; when the decoded
text is printable and the secret detectors find a credential in it (a URL password, a private
key, an 'auth' field, a vendor token), the whole encoded value is masked. Values under a key that
names a secret ('password:', 'tls.key:', '.dockerconfigjson:') and every value inside the
`data:` block of a `kind: Secret` manifest are masked without decoding: the manifest says what
they are.
"""

import base64
import binascii
import re
from collections.abc import Callable, Iterator

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines
from app.core.redaction.names import names_secret

KIND = "ENCODED_SECRET"
_BASE64 = re.compile(
    r"(?<![A-Za-z0-9+/_\-])(?:[A-Za-z0-9+/]{4}){4,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?(?![A-Za-z0-9+/=_\-])"
)
_YAML_VALUE = re.compile(
    r"^(?P<indent>[ \t]*)[\"']?(?P<name>[\w.\-]+)[\"']?[ \t]*:[ \t]*[\"']?(?P<value>[A-Za-z0-9+/]{8,}={0,2"
    r"})[\"']?[ \t]*,?$"
)
_SECRET_MANIFEST = re.compile(r"(?im)^[ \t]*[\"']?kind[\"']?[ \t]*:[ \t]*[\"']?Secret\b")
_BLOCK_SCALAR = re.compile(r"^[ \t]*[\"']?(?P<name>[\w.\-]+)[\"']?[ \t]*:[ \t]*[|>][-+]?[ \t]*$")
_DATA_KEY = re.compile(r"^(?P<indent>[ \t]*)[\"']?(?:data|stringData)[\"']?[ \t]*:[ \t]*\{?[ \t]*$")
_PRINTABLE = re.compile(r"^[\x09\x0a\x0d\x20-\x7e]+$")


def _decoded(value: str) -> str | None:
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return text if _PRINTABLE.match(text) else None


_PUBLIC_NAMES = re.compile(r"(?i)(?:^|[._-])(?:crt|cert|certificate|ca|pub|public)(?:$|[._-])")
_PUBLIC_PEM = re.compile(r"-----BEGIN (?:CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|X509 CRL)")


def _public(name: str, value: str) -> bool:
    """A certificate or public key in a Secret ('tls.crt', 'ca.crt') is not itself secret."""
    decoded = _decoded(value)
    if decoded is not None and _PUBLIC_PEM.search(decoded):
        return True
    return bool(_PUBLIC_NAMES.search(name)) and (decoded is None or "PRIVATE KEY" not in decoded)


def _manifest_values(text: str, lines: Lines) -> Iterator[tuple[int, int]]:
    """Every value in the data: block of a Secret manifest (YAML or kubectl's JSON)."""
    if not _SECRET_MANIFEST.search(text):
        return
    # Documents of a multi-document YAML ('---'): only a Secret's data is masked whole.
    secret_lines: set[int] = set()
    document: list[int] = []
    for number in [*range(len(lines.starts)), -1]:
        line = lines.line(number)[1] if number >= 0 else "---"
        if line.strip() == "---":
            if _SECRET_MANIFEST.search("\n".join(lines.line(n)[1] for n in document)):
                secret_lines.update(document)
            document = []
        else:
            document.append(number)
    inside_indent: int | None = None
    for number in sorted(secret_lines):
        offset, line = lines.line(number)
        opened = _DATA_KEY.match(line)
        if opened:
            inside_indent = len(opened.group("indent"))
            continue
        if inside_indent is None or not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent <= inside_indent or line.strip() in {"}", "},"}:
            inside_indent = None
            continue
        value = _YAML_VALUE.match(line)
        if value and not _public(value.group("name"), value.group("value")):
            yield offset + value.start("value"), offset + value.end("value")
            continue
        block = _BLOCK_SCALAR.match(line)
        if block and not _public(block.group("name"), ""):
            # 'key: |' then the value on the lines indented below it.
            body = number + 1
            while body < len(lines.starts):
                body_offset, body_line = lines.line(body)
                if not body_line.strip() or len(body_line) - len(body_line.lstrip()) <= indent:
                    break
                lead = len(body_line) - len(body_line.lstrip())
                yield body_offset + lead, body_offset + len(body_line.rstrip())
                body += 1


def find_encoded(text: str, lines: Lines, secret_finder: Callable[[str], list[Detection]]) -> list[Detection]:
    """`secret_finder` runs the other secret detectors on decoded text (passed in to avoid a cycle)."""
    spans: set[tuple[int, int]] = set(_manifest_values(text, lines))
    named: list[tuple[int, int]] = []
    for number in lines.matching(_YAML_VALUE_HINT):
        offset, line = lines.line(number)
        value = _YAML_VALUE.match(line)
        if value and names_secret(value.group("name").lstrip(".")) and _decoded(value.group("value")):
            named.append((offset + value.start("value"), offset + value.end("value")))
    spans.update(named)
    candidates: list[tuple[int, int, str]] = []
    for match in _BASE64.finditer(text):
        if match.span() in spans or len(match.group(0)) < 16:
            continue
        decoded = _decoded(match.group(0))
        if decoded is not None and len(decoded) >= 8:
            candidates.append((match.start(), match.end(), decoded))
    if candidates:
        # One call for all decoded values: each on its own line, offsets mapped back by line.
        joined = "\n".join(decoded.replace("\n", " ") for _, _, decoded in candidates)
        found = {Lines(joined).index_of(hit.start) for hit in secret_finder(joined)}
        spans.update((candidates[i][0], candidates[i][1]) for i in found)
    return [Detection(KIND, s, e, "custom:base64_decoded", Category.secret) for s, e in sorted(spans)]


_YAML_VALUE_HINT = re.compile(r":[ \t]*[\"']?[A-Za-z0-9+/]{8,}={0,2}[\"']?[ \t]*,?$", re.MULTILINE)

"""What recorded model traffic (vcrpy cassettes) may keep: the one home for cassette scrubbing.

`escalate eval --cassette` (evals/cassette.py), tests/drafting, tests/hardening and the browser
test all record through `vcr_options()`, so a header added here is removed everywhere; before,
three copies had drifted and tests/drafting kept two x-stainless headers the others removed.

- request headers: credentials and client fingerprints removed (FILTER_HEADERS), and any other
  header whose name names a credential by the product's own rule (names.names_secret, the words
  keyword-anchored redaction reads: 'X-Auth-Token', 'Private-Token', 'X-Vault-Token'), so a
  provider's new auth header is scrubbed without a second list to keep;
- response headers: only content-type kept (server, date and rate-limit headers say nothing the
  replay needs and may carry account identifiers);
- bodies, both ways: any secret the redaction detectors find is replaced by '<KIND>'. Prompts
  are built from redacted text, so this changes nothing in a normal recording; it is the net
  for a key that reaches a body some other way (an error echoing a header, a misconfigured
  proxy). vcrpy scrubs a live request the same way before matching it, so replay still matches.
"""

import re
from collections.abc import Callable
from typing import Any

from app.core.redaction.names import names_secret

FILTER_HEADERS: tuple[str, ...] = (
    *("authorization", "proxy-authorization", "api-key", "x-api-key", "openai-organization", "openai-project"),
    *("anthropic-api-key", "x-goog-api-key", "ocp-apim-subscription-key", "cookie", "set-cookie", "user-agent"),
    *("x-stainless-os", "x-stainless-arch", "x-stainless-runtime-version", "x-stainless-package-version"),
    *("x-stainless-runtime", "x-stainless-lang", "x-stainless-retry-count", "x-stainless-read-timeout"),
)
KEEP_RESPONSE_HEADERS = frozenset({"content-type"})


def scrub_text(text: str) -> str:
    """`text` with every secret the detectors find replaced by '<KIND>' (PII is left: bodies hold
    redacted prompts, and masking look-alikes there would only break body matching)."""
    from app.core.redaction.scan import find_secret_spans

    spans = find_secret_spans(text)
    if not spans:
        return text
    pieces: list[str] = []
    cursor = 0
    for kind, start, end in spans:
        pieces.extend((text[cursor:start], f"<{kind}>"))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _scrub_body(body: Any) -> Any:
    if isinstance(body, bytes):
        try:
            decoded = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        scrubbed = scrub_text(decoded)
        return body if scrubbed == decoded else scrubbed.encode("utf-8")
    if isinstance(body, str):
        return scrub_text(body)
    return body


def credential_header(name: str) -> bool:
    """A request header a cassette must not keep: listed, or named a credential by names.py."""
    return name.lower() in FILTER_HEADERS or names_secret(name)


def scrub_request(request: Any) -> Any:
    """vcrpy `before_record_request`: the body's secrets masked, credential headers dropped (the
    listed ones also go by `filter_headers`; this catches those named like a credential)."""
    if request is None:
        return request
    headers = getattr(request, "headers", None)
    if headers and any(credential_header(name) for name in headers):
        kept = headers.copy()  # a copy, as vcrpy's own header filters make: the caller's request is left alone
        for name in [name for name in headers if credential_header(name)]:
            kept.pop(name)
        request.headers = kept
    if getattr(request, "body", None):
        request.body = _scrub_body(request.body)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy `before_record_response`: only the kept headers, the body's secrets masked."""
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() in KEEP_RESPONSE_HEADERS}
    body = response.get("body")
    if isinstance(body, dict) and body.get("string"):
        body["string"] = _scrub_body(body["string"])
    return response


def vcr_options(only: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """Keyword arguments for vcr.VCR(...) / pytest-recording's vcr_config; `only` picks the requests
    to tape (return None to let one go live), applied before the scrubbing."""

    def before_record_request(request: Any) -> Any:
        chosen = only(request) if only is not None else request
        return scrub_request(chosen) if chosen is not None else None

    return {
        "filter_headers": list(FILTER_HEADERS),
        "before_record_request": before_record_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
    }


_HEADER_KEY = re.compile(r"(?m)^      ([A-Za-z][\w-]*):$")


def cassette_leaks(cassette_text: str) -> list[str]:
    """Header names from FILTER_HEADERS and secrets still present in a cassette file's text (for
    tests that check every committed cassette)."""
    found: list[str] = []
    lowered = cassette_text.lower()
    found.extend(
        f"header {name}" for name in FILTER_HEADERS if f"\n      {name}:" in lowered or f"'{name}':" in lowered
    )
    # Any other header key (vcrpy writes them six spaces in, under 'headers:') named a credential.
    found.extend(
        f"header {name}"
        for name in sorted(set(_HEADER_KEY.findall(cassette_text)))
        if name.lower() not in FILTER_HEADERS and names_secret(name)
    )
    from app.core.redaction.scan import find_secret_spans

    found.extend(f"{kind} at {start}" for kind, start, _ in find_secret_spans(cassette_text))
    return found

"""All detectors together: Presidio for PII, detect-secrets and our own patterns for secrets."""

import re
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import replace

from app.core.redaction import persons
from app.core.redaction.assignments import find_assignments, is_placeholder
from app.core.redaction.codes import find_recovery_codes
from app.core.redaction.credentials import find_credentials
from app.core.redaction.detection import Category, Detection
from app.core.redaction.encoded import find_encoded
from app.core.redaction.keep import drop_look_alikes
from app.core.redaction.lines import Lines
from app.core.redaction.national_ids import find_national_ids
from app.core.redaction.outputs import find_command_output_secrets
from app.core.redaction.personal import find_personal
from app.core.redaction.private_keys import find_private_keys
from app.core.redaction.secrets import find_secrets
from app.core.redaction.tabular import find_sql_secrets, find_tabular
from app.core.redaction.vendor_rules import find_vendor_tokens
from app.core.redaction.wrapped import find_wrapped
from schemas.redaction import SensitiveSpan

# Kinds that say only "a credential follows a keyword": a vendor-specific kind names it better.
GENERIC_KINDS = frozenset({"SECRET", "PASSWORD", "ENCODED_SECRET"})


def _rank(hit: Detection) -> tuple[bool, bool, int, bool, float, int]:
    # Of two hits on the same stretch, the one a context word proved names it ('NHS number 943 476
    # 5919' is an NHS number, though it is also shaped like a phone number).
    return (
        hit.category != Category.secret,
        hit.kind in GENERIC_KINDS,
        -hit.length,
        not hit.anchored,
        -hit.score,
        hit.start,
    )


def _resolve_overlaps(hits: list[Detection]) -> list[Detection]:
    """One detection per stretch of text.

    Secrets come first, vendor-specific kinds before generic ones, longer before shorter. Secrets
    that overlap merge into one mask (no character of either stays visible) under the better
    kind; PII that overlaps a secret yields: 'postgres://admin:pw@db.example.com' gives a URL
    password and an email-shaped 'pw@db.example.com', and masking the password keeps the host.
    """
    ranked = sorted(hits, key=_rank)
    # Accepted spans never overlap, so sorted by start they are sorted by end too.
    starts: list[int] = []
    chosen: list[Detection] = []
    for hit in ranked:
        first = bisect_left(starts, hit.start)
        if first > 0 and chosen[first - 1].end > hit.start:
            first -= 1
        last = first
        while last < len(chosen) and chosen[last].start < hit.end:
            last += 1
        if first == last:
            starts.insert(first, hit.start)
            chosen.insert(first, hit)
        elif hit.category == Category.secret:
            # Only secrets are accepted before the first PII hit is looked at.
            best = min(chosen[first:last], key=_rank)
            merged = replace(
                best,
                start=min(hit.start, chosen[first].start),
                end=max(hit.end, chosen[last - 1].end),
            )
            del chosen[first:last], starts[first:last]
            starts.insert(first, merged.start)
            chosen.insert(first, merged)
    return chosen


def detect(text: str, *, mask_ips: bool = True, allow_list: Collection[str] = ()) -> list[Detection]:
    if not text:
        return []
    # Imported on first use: Presidio (with spaCy underneath) takes ~2 s to import, which every
    # CLI command would otherwise pay.
    from app.core.redaction.pii import find_pii

    allowed = set(allow_list)
    lines = Lines(text)
    found_pii = [
        *find_pii(text, mask_ips=mask_ips, allow_list=list(allowed), lines=lines),
        *find_personal(text, lines),
        *find_national_ids(text, lines),
        *(persons.find_persons(text, lines) if persons.enabled() else []),
        *find_tabular(text, lines),
    ]
    pii = drop_look_alikes([p for p in found_pii if text[p.start : p.end] not in allowed], lines)
    secrets = [s for s in _all_secrets(text, lines) if s.length > 0 and text[s.start : s.end] not in allowed]
    return _resolve_overlaps([*pii, *secrets])


def _all_secrets(text: str, lines: Lines) -> list[Detection]:
    found = [
        *_direct_secrets(text, lines),
        *find_encoded(text, lines, _secrets_in),
        *find_wrapped(lines, _secrets_and_encoded_in),
    ]
    # 'ghp_xxxxxxxx', 'YOUR_API_KEY', '<password>': documentation a ticket quotes, which the brief keeps.
    return [
        hit for hit in found if not is_placeholder(text[hit.start : hit.end]) and not _local_default(text, hit)
    ]


# 'postgres://postgres:postgres@localhost:5432/dev': a password equal to its user name, for a server
# on this machine, is the image's or framework's documented default (postgres, root, guest, admin),
# which .env.example files and READMEs quote; the same pair on another host stays masked.
_LOCAL_DEFAULT = re.compile(
    r"://(?P<user>[^\s:/@\"']+):(?P<password>[^\s:/@\"']+)@(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)"
    r"(?![\w.\-])"
)


def _local_default(text: str, hit: Detection) -> bool:
    if hit.kind != "PASSWORD_IN_URL" or "@" not in text[hit.end : hit.end + 2 * hit.length + 2]:
        return False
    window = text[max(0, hit.start - hit.length - 4) : hit.end + hit.length + 32]
    for login in _LOCAL_DEFAULT.finditer(window):
        if login.group("user").lower() == login.group("password").lower():
            offset = max(0, hit.start - hit.length - 4)
            if offset + login.start("user") <= hit.start and hit.end <= offset + login.end("password"):
                return True
    return False


def find_secret_spans(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of the secrets alone, without loading the PII detectors (for scrubbing
    recorded traffic, which must stay cheap)."""
    if not text:
        return []
    lines = Lines(text)
    hits = [s for s in _all_secrets(text, lines) if s.length > 0]
    return [(h.kind, h.start, h.end) for h in _resolve_overlaps(hits)]


def _direct_secrets(text: str, lines: Lines) -> list[Detection]:
    """Every detector that reads a secret where it stands (no decoding, no joining of lines)."""
    return [
        *find_vendor_tokens(text, lines),
        *find_secrets(text, lines),
        *find_credentials(text, lines),
        *find_assignments(text, lines),
        *find_private_keys(text, lines),
        *find_recovery_codes(text, lines),
        *find_command_output_secrets(text, lines),
        *find_sql_secrets(text, lines),
    ]


def _secrets_in(text: str) -> list[Detection]:
    return _direct_secrets(text, Lines(text))


def _secrets_and_encoded_in(text: str) -> list[Detection]:
    """For joined wrapped lines: a base64 blob cut over lines (a Kubernetes Secret's data) too."""
    lines = Lines(text)
    return [*_direct_secrets(text, lines), *find_encoded(text, lines, _secrets_in)]


def scan_sensitive(text: str, *, mask_ips: bool = True) -> list[SensitiveSpan]:
    """Where the text holds PII or secrets (for checking model output: placeholders never match)."""
    return [SensitiveSpan(kind=h.kind, start=h.start, end=h.end, rule=h.rule) for h in detect(text, mask_ips=mask_ips)]

"""Stable placeholders and the receipt's masked previews and digests."""

import hashlib
import ipaddress
import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import phonenumbers

if TYPE_CHECKING:
    from schemas.redaction import RedactionItem

_NON_DIGIT = re.compile(r"\D")
_NUMBERED_PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]*?)_(\d+)>")
# Public, well-known prefixes that tell a reviewer which vendor a key belongs to.
_KNOWN_PREFIX = re.compile(
    r"^(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9]|AIza|GOCSPX-|ya29\.|gh[pousr]_|github_pat_|glpat-|gl[a-z]+-|xox[abposr]-|"
    r"https://hooks\.slack\.com/|[rs]k_(?:live|test)_|whsec_|SG\.|sk-(?:proj|svcacct|admin|ant)-|sk-|eyJ|AC|SK|"
    r"npm_|pypi-|sq0csp-|-----BEGIN [A-Z ]+-----)"
)


def _normalized(kind: str, value: str) -> str:
    """The same value written two ways gets one placeholder: case of emails, spacing of cards."""
    if kind == "EMAIL":
        return value.lower()
    if kind in {"CREDIT_CARD", "US_SSN", "IBAN"}:
        return re.sub(r"[\s-]", "", value).upper()
    if kind == "PHONE":
        try:
            return phonenumbers.format_number(phonenumbers.parse(value, "US"), phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            return _NON_DIGIT.sub("", value)
    if kind == "IP_ADDRESS":
        try:
            return str(ipaddress.ip_interface(value))
        except ValueError:
            return value
    return value


class PlaceholderMap:
    """Hands out '<EMAIL_1>', '<EMAIL_2>'...; pass one map to every part of a ticket so a value
    masked in the conversation and in an attachment gets the same placeholder."""

    def __init__(self) -> None:
        self._assigned: dict[tuple[str, str], str] = {}
        self._per_kind: Counter[str] = Counter()
        # A map rebuilt from a stored draft knows values only by their digest (the receipt's).
        self._by_digest: dict[tuple[str, str], str] = {}

    @classmethod
    def resumed(cls, items: "Iterable[RedactionItem]", text: str = "") -> "PlaceholderMap":
        """The map that masked a stored draft, rebuilt from its receipt (no original value is kept):
        a value masked before gets its old placeholder again, a new one the next number of its kind
        (after every placeholder in `text`, the stored redacted text, too)."""
        mapping = cls()
        for item in items:
            mapping._by_digest.setdefault((item.kind, item.digest), item.placeholder)
        numbered = [(m.group(1), int(m.group(2))) for m in _NUMBERED_PLACEHOLDER.finditer(text)]
        numbered += [
            (m.group(1), int(m.group(2)))
            for item in items
            if (m := _NUMBERED_PLACEHOLDER.fullmatch(item.placeholder)) is not None
        ]
        for kind, number in numbered:
            mapping._per_kind[kind] = max(mapping._per_kind[kind], number)
        return mapping

    def placeholder(self, kind: str, value: str) -> str:
        key = (kind, _normalized(kind, value))
        found = self._assigned.get(key) or self._by_digest.get((kind, digest(value)))
        if found is None:
            self._per_kind[kind] += 1
            found = self._assigned[key] = f"<{kind}_{self._per_kind[kind]}>"
        return found

    def __len__(self) -> int:
        return len(self._assigned)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def preview(kind: str, value: str) -> str:
    """Enough to check the mask hit the right thing, never enough to rebuild the value."""
    if kind == "EMAIL" and "@" in value:
        local, _, domain = value.rpartition("@")
        host, dot, tld = domain.rpartition(".")
        return f"{local[:1]}***@{(host or domain)[:1]}***{dot}{tld if host else ''}"
    digits = _NON_DIGIT.sub("", value)
    if kind == "CREDIT_CARD":
        return f"**** **** **** {digits[-4:]}" if len(digits) >= 13 else "****"
    if kind == "PHONE":
        return f"***-***-**{digits[-2:]}" if len(digits) >= 7 else "***"
    if kind == "US_SSN":
        return "***-**-****"
    if kind == "IBAN":
        return f"{value[:2]}** **** ...{digits[-2:]}" if len(digits) >= 6 else "****"
    if kind == "IP_ADDRESS":
        if ":" in value:
            return value.split(":", 1)[0] + ":****:..."
        return value.split(".", 1)[0] + ".*.*.*"
    prefix = _KNOWN_PREFIX.match(value)
    shown = prefix.group(0) if prefix and len(prefix.group(0)) <= len(value) // 2 else ""
    return f"{shown}*** ({len(value)} chars)"

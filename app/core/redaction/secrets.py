"""Secrets through detect-secrets' plugins, called line by line through their public API.

The plugins answer "which values in this line are secrets" but not where they are, and running
all of them on every line of a 1 MB log costs ~1.5 s. So the plugins' own denylist patterns
(and the keyword plugin's words) first pick the few lines worth asking about, in one pass over
the whole text; the plugins then decide, and the values they return are located in their line.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines

# Token-shaped secrets are often longer than the plugin's pattern (Stripe keys grew to 99
# characters, a JWT's signature is matched lazily): the mask runs to the end of the token.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-]*")
_JWT_CHARS = re.compile(r"[A-Za-z0-9_\-.=+/]*")


@dataclass(frozen=True)
class _Plugin:
    detector: BasePlugin
    kind: str
    extend: re.Pattern[str] | None = _TOKEN_CHARS
    # Context the plugin includes in its value that should stay readable ("AccountKey=").
    lead: re.Pattern[str] | None = None


# Left out on purpose: the keyword plugin (assignments.py reads names in more syntaxes, and the
# plugin masked ARNs' ':secret:' segments), the high-entropy plugins (they flag commit SHAs, request IDs and UUIDs the
# brief must keep), IPPublicDetector (IPs follow the redaction policy, see pii.py), and the
# keyword-guessing IBM/Cloudant/Softlayer/Artifactory plugins (noisy on log text).
PLUGINS: tuple[_Plugin, ...] = (
    _Plugin(AzureStorageKeyDetector(), "AZURE_KEY", re.compile(r"[A-Za-z0-9+/=]*"), re.compile(r"AccountKey=")),
    _Plugin(BasicAuthDetector(), "PASSWORD_IN_URL", None),
    _Plugin(StripeDetector(), "STRIPE_KEY"),
    _Plugin(TwilioKeyDetector(), "TWILIO_KEY"),
    _Plugin(SendGridDetector(), "SENDGRID_KEY"),
    _Plugin(OpenAIDetector(), "OPENAI_KEY"),
    _Plugin(JwtTokenDetector(), "JWT", _JWT_CHARS),
    _Plugin(DiscordBotTokenDetector(), "DISCORD_TOKEN"),
    _Plugin(NpmDetector(), "NPM_TOKEN", None),
    _Plugin(PypiTokenDetector(), "PYPI_TOKEN"),
    _Plugin(SquareOAuthDetector(), "SQUARE_TOKEN"),
    _Plugin(TelegramBotTokenDetector(), "TELEGRAM_TOKEN"),
)
_PREFILTERS: tuple[re.Pattern[str], ...] = tuple(
    pattern
    for plugin in PLUGINS
    if isinstance(plugin.detector, RegexBasedDetector)
    for pattern in plugin.detector.denylist
)
_PRIVATE_KEY_END = re.compile(
    r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|---- END SSH2 ENCRYPTED PRIVATE KEY ----"
)
_PRIVATE_KEY_BODY_END = re.compile(r"\n\s*\n|\Z")
# A key block is a few KB; an END marker further away belongs to another block.
_PRIVATE_KEY_MAX_CHARS = 16_384


def _candidate_lines(lines: Lines) -> list[int]:
    found: set[int] = set()
    for pattern in _PREFILTERS:
        found.update(lines.matching(pattern))
    return sorted(found)


def _locate(line: str, value: str) -> Iterator[int]:
    position = line.find(value)
    while position != -1:
        yield position
        position = line.find(value, position + len(value))


def _extend_private_key(text: str, start: int) -> tuple[int, int]:
    """From '-----BEGIN ... PRIVATE KEY-----' to its END line (or the end of the block)."""
    begin = text.rfind("-----", max(0, start - 8), start)
    begin = begin if begin != -1 else start
    end_marker = _PRIVATE_KEY_END.search(text, start, start + _PRIVATE_KEY_MAX_CHARS)
    if end_marker:
        return begin, end_marker.end()
    # No END line (a truncated paste): mask to the first blank line.
    body_end = _PRIVATE_KEY_BODY_END.search(text, start)
    return begin, body_end.start() if body_end else len(text)


def _spans(plugin: _Plugin, line: str) -> list[tuple[int, int]]:
    """Where the plugin's own patterns match: a returned value counts only inside one of them.

    detect-secrets returns the first capture group when a pattern has one, so the GitHub plugin
    answers 'ghp' for a whole 'ghp_...' token; the span then gives the token its full length.
    """
    if not isinstance(plugin.detector, RegexBasedDetector):
        return [(0, len(line))]
    return [match.span() for pattern in plugin.detector.denylist for match in pattern.finditer(line)]


def _plugin_hits(plugin: _Plugin, text: str, line: str, offset: int) -> Iterator[Detection]:
    values = set(plugin.detector.analyze_string(line))
    if not values:
        return
    spans = _spans(plugin, line)
    rule = f"detect-secrets:{type(plugin.detector).__name__}"
    for value in values:
        for at in _locate(line, value):
            inside = [span for span in spans if span[0] <= at and at + len(value) <= span[1]]
            if not inside:
                continue
            start, end = offset + at, offset + at + len(value)
            if plugin.kind == "PRIVATE_KEY":
                start, end = _extend_private_key(text, start)
            elif plugin.extend is not None:
                # A prefix group ('ghp') grows to its whole match, a token to its last character.
                matched_from_here = [span[1] for span in inside if span[0] == at]
                if matched_from_here:
                    end = max(end, offset + max(matched_from_here))
                grown = plugin.extend.match(text, end)
                end = grown.end() if grown else end
            if plugin.lead is not None:
                lead = plugin.lead.match(text, start)
                start = lead.end() if lead else start
            yield Detection(plugin.kind, start, end, rule, Category.secret)


def find_secrets(text: str, lines: Lines | None = None) -> list[Detection]:
    index = lines if lines is not None else Lines(text)
    hits: list[Detection] = []
    for number in _candidate_lines(index):
        offset, line = index.line(number)
        for plugin in PLUGINS:
            hits.extend(_plugin_hits(plugin, text, line, offset))
    return hits

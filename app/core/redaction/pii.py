"""PII through Presidio's AnalyzerEngine, offline: no spaCy model, pattern recognizers only.

Presidio's default setup loads a spaCy model (a download) for names and places; tickets need the
structured kinds below, which its pattern recognizers find without one. Two of its defaults are
replaced, for measured reasons:
- PhoneRecognizer runs libphonenumbers' matcher once per region over the whole text: 11.9 s on
  1.3 MB of logs, and it flags bare digit runs inside request IDs and order numbers. A pattern
  recognizer for written phone shapes, validated with `phonenumbers`, does the job (bench/).
- LemmaContextAwareEnhancer deep-copies every result to look for context words in tokens that
  the no-op NLP engine never produces: half the analysis time for nothing.
"""

import os

# tldextract (used by Presidio's email validation) would fetch the public suffix list on first
# use; an empty URL list makes it use the snapshot bundled in the wheel. Must precede the import.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import re
import threading
from functools import cache
from typing import ClassVar

import phonenumbers
import tldextract
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NoOpNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    UsSsnRecognizer,
)

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines

# Presidio entity -> the kind written in placeholders and receipts.
KIND_BY_ENTITY = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IP_ADDRESS": "IP_ADDRESS",
    "IBAN_CODE": "IBAN",
    "US_SSN": "US_SSN",
}
ENTITIES = tuple(KIND_BY_ENTITY)
# Drops Presidio's "very weak" SSN patterns (any 9 digits, 5-4 digits: order numbers and zip codes).
MIN_SCORE = 0.3
LANGUAGE = "en"

_OFFLINE_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


# Top-level domains that are not public but are real mailboxes to someone: RFC 2606/6761 names
# and common private ones ("dana@acme-retail.example", "ops@corp.internal").
PRIVATE_TLDS = frozenset(
    {"example", "test", "invalid", "localhost", "local", "internal", "corp", "lan", "home", "intranet"}
)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recognizer, validating domains against the bundled suffix snapshot.

    The suffix check keeps 'logo@2x.png' and 'pkg@1.2.tgz' out; private TLDs are let in.
    """

    def validate_result(self, pattern_text: str) -> bool:
        if _OFFLINE_TLD(pattern_text).fqdn:
            return True
        return pattern_text.rsplit(".", 1)[-1].lower() in PRIVATE_TLDS


class PhonePatternRecognizer(PatternRecognizer):
    """Phone numbers as people write them: '+44 20 7946 0958', '(415) 555-2671', '415.555.2671',
    or bare digits right after a word like 'phone' or 'call'. Bare digit runs without such a word
    are left alone: in logs they are order numbers, IDs and epoch times.
    """

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "international",
            r"(?<![\w+/.:-])\+[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){2,6}(?![\w.-]*\d)",
            0.5,
        ),
        Pattern(
            "nanp",
            r"(?<![\w+/.:-])(?:1[ .-]?)?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?![\w.-]*\d)",
            0.5,
        ),
        Pattern(
            "after_phone_word",
            # \K (of the `regex` module Presidio uses) starts the match after the word, which a
            # variable-width lookbehind would do at ~10x the cost.
            r"(?i)\b(?:phone|tel|telephone|mobile|cell|cellphone|call(?: me)?(?: at| on)?|whatsapp|sms|fax)"
            r"(?: number| no\.?| #)?[:.]?\s{0,3}\K\+?\d{8,14}\b",
            0.5,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="PHONE_NUMBER", patterns=self.PATTERNS, name="PhonePatternRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        try:
            number = phonenumbers.parse(pattern_text, "US")
        except phonenumbers.NumberParseException:
            return False
        return phonenumbers.is_possible_number(number)


# Presidio's card pattern predates Mastercard's 2221-2720 range (in use since 2017); same Luhn
# check, one more prefix.
MASTERCARD_2_SERIES = Pattern(
    "Mastercard 2-series",
    r"\b2(?:2[2-9]\d|[3-6]\d{2}|7[01]\d|720)[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}\b",
    0.3,
)


class NoContextEnhancer(ContextAwareEnhancer):
    """The no-op NLP engine yields no tokens, so there is no context to look at."""

    def __init__(self) -> None:
        super().__init__(0.0, 0.0, 0, 0)

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        return raw_results


_lock = threading.Lock()


@cache
def _analyzer() -> AnalyzerEngine:
    nlp_engine = NoOpNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "none"}])
    nlp_engine.load()
    registry = RecognizerRegistry(
        recognizers=[
            OfflineEmailRecognizer(),
            PhonePatternRecognizer(),
            CreditCardRecognizer(patterns=[*CreditCardRecognizer.PATTERNS, MASTERCARD_2_SERIES]),
            IpRecognizer(),
            IbanRecognizer(),
            UsSsnRecognizer(),
        ],
        supported_languages=[LANGUAGE],
    )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[LANGUAGE],
        context_aware_enhancer=NoContextEnhancer(),
    )


def analyzer() -> AnalyzerEngine:
    """The engine, built once per process (building it takes longer than using it)."""
    with _lock:
        return _analyzer()


# Which lines each recognizer needs to see. Running every pattern over every line of a 1 MB log
# takes ~1.4 s (Presidio's email and IPv6 patterns alone ~0.9 s); a cheap trigger per group
# picks the lines that could hold a match, and the engine analyses only those.
_TRIGGERS: tuple[tuple[str, re.Pattern[str] | tuple[str, ...]], ...] = (
    ("EMAIL_ADDRESS", re.compile("@")),
    # IPv4 after its first octet, '::' or a full eight-group IPv6: each alternative starts with a
    # literal, which the regex engine scans for quickly (a leading \d is tried at every digit).
    ("IP_ADDRESS", re.compile(r"\.\d{1,3}\.\d{1,3}\.\d|::|:" + r"[0-9a-fA-F]{1,4}:" * 6)),
    ("CREDIT_CARD", re.compile(r"\d(?:[ -]?\d){12,18}")),
    ("US_SSN", re.compile(r"[- .]\d{2}[- .]\d{4}")),
    ("IBAN_CODE", re.compile(r"[A-Z]{2}\d{2}[ ]?[A-Z0-9]{4}")),
    ("PHONE_NUMBER", re.compile(r"\+\d|\(\d{3}\)|[ .-]\d{3}[ .-]\d{4}")),
    ("PHONE_NUMBER", ("phone", "tel", "mobile", "cell", "call", "whatsapp", "sms", "fax")),
)


def _trim_email(text: str, start: int, end: int) -> int:
    """Presidio's email pattern accepts '=' and ':' in the local part, so 'to=jo@x.io' comes back
    whole; a log field name is not part of the address."""
    local = text[start:end].split("@", 1)[0]
    cut = max(local.rfind("="), local.rfind(":"))
    return start + cut + 1 if cut >= 0 else start


def _inside_digit_group(text: str, start: int, end: int) -> bool:
    """'310-3016238-8544811' (an Amazon order number) holds a Luhn-valid run of 14 digits; a card
    is the whole dash-joined group, never the tail of a longer one."""
    before, after = text[max(0, start - 2) : start], text[end : end + 2]
    return bool(re.fullmatch(r"\d[-./]", before) or re.fullmatch(r"[-./]\d", after))


def find_pii(
    text: str, *, mask_ips: bool = True, allow_list: list[str] | None = None, lines: Lines | None = None
) -> list[Detection]:
    index = lines if lines is not None else Lines(text)
    engine = analyzer()
    found: list[Detection] = []
    candidates_by_entity: dict[str, set[int]] = {}
    for entity, trigger in _TRIGGERS:
        if entity == "IP_ADDRESS" and not mask_ips:
            continue
        found_lines = index.matching(trigger) if isinstance(trigger, re.Pattern) else index.containing(trigger)
        candidates_by_entity.setdefault(entity, set()).update(found_lines)
    for entity, line_numbers in candidates_by_entity.items():
        if not line_numbers:
            continue
        excerpt = index.excerpt(sorted(line_numbers))
        results = engine.analyze(
            text=excerpt.text,
            language=LANGUAGE,
            entities=[entity],
            score_threshold=MIN_SCORE,
            allow_list=allow_list or None,
        )
        for r in results:
            start = excerpt.to_original(r.start)
            end = start + (r.end - r.start)
            if r.entity_type == "EMAIL_ADDRESS":
                start = _trim_email(text, start, end)
            if r.entity_type == "CREDIT_CARD" and _inside_digit_group(text, start, end):
                continue
            recognizer = r.recognition_metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY, r.entity_type)
            found.append(
                Detection(KIND_BY_ENTITY[r.entity_type], start, end, f"presidio:{recognizer}", Category.pii, r.score)
            )
    return found

"""National identifiers through Presidio's own country recognizers (patterns and checksums).

Presidio's registry knows these IDs but ships most of them for other languages or with weak
scores that its context enhancer (which needs spaCy tokens) would raise. Here each recognizer
runs on the lines its trigger picks, and a result counts when Presidio validated it (a checksum
or a strong pattern: score >= 0.5) and its kind does not need context, or when one of the kind's
context words stands within 60 characters before it. Kinds whose shape is a bare digit run
(Aadhaar's 12 digits, TFN's 9) need context unless written in their grouped form, since AWS
account IDs and order numbers share the shape.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines


@dataclass(frozen=True)
class NationalId:
    kind: str
    recognizer: str  # class name in presidio_analyzer.predefined_recognizers
    trigger: re.Pattern[str]
    context: tuple[str, ...]
    # None: a validated result stands alone; a pattern: it stands alone only in this written form.
    alone_when: re.Pattern[str] | None = None
    needs_context: bool = False
    # Right after its own label ('aadhaar no 3788 0481 0578') the shape is the customer's ID even
    # when the check digit fails: a mistyped ID is still theirs, and Presidio would drop it.
    label_over_checksum: bool = False


IDS: tuple[NationalId, ...] = (
    NationalId(
        "UK_NINO",
        "UkNinoRecognizer",
        re.compile(r"[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]\b"),
        ("national insurance", "nino", "ni number", "ni no", "ni:"),
    ),
    NationalId("IN_PAN", "InPanRecognizer", re.compile(r"\b[A-Za-z]{5}\d{4}[A-Za-z]\b"), ("pan", "permanent account")),
    NationalId("ES_NIF", "EsNifRecognizer", re.compile(r"\b\d{7,8}-?[A-Z]\b"), ("nif", "dni", "nie", "documento")),
    NationalId(
        "IT_FISCAL_CODE",
        "ItFiscalCodeRecognizer",
        re.compile(r"(?i)\b[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]\b"),
        ("codice fiscale", "fiscal", "cf"),
    ),
    NationalId(
        "IN_AADHAAR",
        "InAadhaarRecognizer",
        re.compile(r"\b\d{4}[- :]?\d{4}[- :]?\d{4}\b"),
        ("aadhaar", "aadhar", "uidai", "uid"),
        alone_when=re.compile(r"^\d{4}[- ]\d{4}[- ]\d{4}$"),
        label_over_checksum=True,
    ),
    NationalId(
        "AU_TFN",
        "AuTfnRecognizer",
        re.compile(r"\b\d{3} ?\d{3} ?\d{3}\b"),
        ("tfn", "tax file"),
        alone_when=re.compile(r"^\d{3} \d{3} \d{3}$"),
        label_over_checksum=True,
    ),
    NationalId(
        "AU_MEDICARE",
        "AuMedicareRecognizer",
        re.compile(r"\b[2-6]\d{3} ?\d{5} ?\d\b"),
        ("medicare",),
        needs_context=True,
    ),
    NationalId("UK_NHS", "NhsRecognizer", re.compile(r"\b\d{3}[- ]?\d{3}[- ]?\d{4}\b"), ("nhs",), needs_context=True),
    NationalId(
        "CA_SIN",
        "CaSinRecognizer",
        re.compile(r"\b\d{3}[- ]?\d{3}[- ]?\d{3}\b"),
        ("sin", "social insurance"),
        needs_context=True,
    ),
    NationalId(
        "US_ITIN",
        "UsItinRecognizer",
        re.compile(r"\b9\d{2}[- ]?[5-9]\d[- ]?\d{4}\b"),
        ("itin", "taxpayer"),
        needs_context=True,
    ),
    NationalId("SG_NRIC_FIN", "SgFinRecognizer", re.compile(r"(?i)\b[STFGM]\d{7}[A-Z]\b"), ("nric", "fin")),
    NationalId("PL_PESEL", "PlPeselRecognizer", re.compile(r"\b\d{11}\b"), ("pesel",), needs_context=True),
    NationalId(
        "FI_PERSONAL_IDENTITY_CODE",
        "FiPersonalIdentityCodeRecognizer",
        re.compile(r"\b\d{6}[-+A-Y]\d{3}[0-9A-Z]\b"),
        ("henkilötunnus", "hetu", "personal identity"),
    ),
)
# Passports: every country's format differs, so the word decides and the shape only bounds it.
_PASSPORT = re.compile(
    r"(?i)\bpassport(?:\s*(?:no\.?|number|num|#|id))?\b[^\n\w]{0,4}(?:(?:is|was|:)\s*)?[\"']?"
    r"(?P<value>(?=[A-Z0-9]*\d)[A-Z0-9]{6,9})\b"
)


@cache
def _recognizer(name: str) -> Any:
    from presidio_analyzer import predefined_recognizers

    cls = getattr(predefined_recognizers, name)
    try:
        return cls(supported_language="en")
    except TypeError:
        return cls()


def _context_before(line: str, start: int, words: tuple[str, ...]) -> bool:
    window = line[max(0, start - 60) : start].lower()
    return any(re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", window) for word in words)


_LABEL_GAP = re.compile(r"(?i)\W{0,3}(?:(?:no|number|num|#)\.?\W{0,3})?(?:is\s+)?$")


def _labelled(line: str, start: int, words: tuple[str, ...]) -> bool:
    """A label word, then at most 'no.', 'number', 'is' and punctuation before the value."""
    window = line[max(0, start - 30) : start].lower()
    for word in words:
        at = window.rfind(word)
        if at != -1 and _LABEL_GAP.match(window, at + len(word)):
            return True
    return False


def _hits(spec: NationalId, line: str) -> Iterator[tuple[int, int]]:
    recognizer = _recognizer(spec.recognizer)
    if spec.label_over_checksum:
        for match in spec.trigger.finditer(line):
            if _labelled(line, match.start(), spec.context):
                yield match.span()
    for result in recognizer.analyze(line, recognizer.supported_entities, None):
        value = line[result.start : result.end]
        worded = _context_before(line, result.start, spec.context)
        if worded and result.score > 0:
            yield result.start, result.end
        elif spec.needs_context or result.score < 0.5:
            continue
        elif spec.alone_when is None or spec.alone_when.match(value):
            yield result.start, result.end


def _passports(line: str) -> Iterator[tuple[int, int]]:
    for match in _PASSPORT.finditer(line):
        yield match.span("value")


_FINDERS: tuple[tuple[str, re.Pattern[str] | tuple[str, ...], Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    *((spec.kind, spec.trigger, lambda line, spec=spec: _hits(spec, line)) for spec in IDS),
    ("PASSPORT", ("passport",), _passports),
)


def _lines_for(spec: NationalId, lines: Lines) -> list[int]:
    """A kind that needs context is looked for on lines holding a context word; one that may stand
    alone in a grouped form, on those lines and the lines holding that form."""
    if spec.needs_context:
        return lines.containing(spec.context)
    if spec.alone_when is not None:
        grouped = re.compile(spec.alone_when.pattern.strip("^$").replace("^", ""))
        return sorted({*lines.containing(spec.context), *lines.matching(grouped)})
    return lines.matching(spec.trigger)


def find_national_ids(text: str, lines: Lines) -> list[Detection]:
    found: list[Detection] = []
    specs = {spec.kind: spec for spec in IDS}
    for kind, trigger, finder in _FINDERS:
        spec = specs.get(kind)
        if spec is not None:
            numbers = _lines_for(spec, lines)
        else:
            numbers = lines.matching(trigger) if isinstance(trigger, re.Pattern) else lines.containing(trigger)
        for number in numbers:
            offset, line = lines.line(number)
            for start, end in finder(line):
                found.append(
                    Detection(kind, offset + start, offset + end, f"presidio:{kind}", Category.pii, anchored=True)
                )
    return found

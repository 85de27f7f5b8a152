"""National identifiers through Presidio's own country recognizers (patterns and checksums).

Presidio's registry knows these IDs but ships most of them for other languages or with weak
scores that its context enhancer (which needs spaCy tokens) would raise. Here each recognizer
runs on the lines its trigger picks, and a result counts when Presidio validated it (a checksum
or a strong pattern: score >= 0.5) and its kind does not need context, or when one of the kind's
context words stands within 60 characters before it. Kinds whose shape is a bare digit run
(Aadhaar's 12 digits, TFN's 9) need context unless written in their grouped form, since AWS
account IDs and order numbers share the shape.

Kinds Presidio does not know come from python-stdnum's check-digit rules (CHECKSUM_IDS: Brazil's
CPF, France's NIR, Germany's tax ID, the Dutch BSN, the Nordic personal numbers, ...), under the
same rule: a context word before it and valid check digits, or its label right before it.
Passports and driving licences have no check digit: the word decides and the shape only bounds it.
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
# The word in the languages tickets come in: 'Reisepass-Nr.', 'pasaporte nº', 'passaporte', 'passaporto',
# 'numéro de passeport', 'paspoortnummer'.
_PASSPORT = re.compile(
    r"(?i)\b(?:passport|reisepass|pasaporte|passaporte|passaporto|passeport|paspoort)(?:[\s-]*(?:no\.?|number|num|"
    r"#|id|n[º°o]\.?|nr\.?|nummer|n[úu]mero|numero))?(?![^\W\d_])[^\n\w]{0,4}(?:(?:is|was|es|é|ist|est|:)\s*)?[\"']?"
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
    # '_' joins words in field names and export columns ('CN_RESIDENT_ID,4201...', 'US_SSN;8809...').
    window = line[max(0, start - 60) : start].lower().replace("_", " ")
    return any(re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", window) for word in words)


_LABEL_GAP = re.compile(r"(?i)\W{0,3}(?:(?:no|number|num|#)\.?\W{0,3})?(?:is\s+)?$")


def _labelled(line: str, start: int, words: tuple[str, ...]) -> bool:
    """A label word, then at most 'no.', 'number', 'is' and punctuation before the value."""
    window = line[max(0, start - 30) : start].lower().replace("_", " ")
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


# Driving licences: no checksum and a format per state or country, so, as for passports, the
# words decide ('driver's license #', 'Führerschein-Nr.', 'permis de conduire n°').
_DRIVING_LICENCE = re.compile(
    r"(?i)\b(?:driver'?s?|driving)[ _-]?licen[cs]e(?:\s*(?:no\.?|number|num|#|id))?\b"
    r"|\bF(?:ü|ue)hrerschein(?:[ -]?nr\.?|nummer)?|\bpermis de conduire(?:\s*n[°o]\.?)?|\bcarn[eé] de conducir"
    r"|\bpatente(?: di guida)?|\brijbewijs(?:nummer)?|\bDL\s*(?:no\.?|#|number)"
    # 'licence number H425AMOKGZ2' alone: a licence's number is the holder's (a software licence key too).
    r"|\blicen[cs]e\s*(?:no\.?|number|num|#)"
)
# India's 'TN36 20090782004' (state, RTO code, then year and number after a space).
# New York's '783 541 393' (digits grouped by three, as printed on the card).
_LICENCE_VALUE = re.compile(
    r"[^\n\w]{0,4}(?:(?:is|was|:)\s*)?[\"']?(?P<value>\d{3}(?: \d{3}){2,3}(?![\w-])"
    r"|(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,17}[A-Z0-9]"
    r"(?: \d{7,13}(?!\w))?|[A-Z]{2}\d{2} \d{7,13}(?!\w))\b"
)


_LICENCE_WORDS = (
    *("licen", "führerschein", "fuehrerschein", "permis", "conducir", "patente", "rijbewijs"),
    *("dl no", "dl#", "dl #", "dl number"),
)


def _driving_licences(line: str) -> Iterator[tuple[int, int]]:
    for match in _DRIVING_LICENCE.finditer(line):
        value = _LICENCE_VALUE.match(line, match.end())
        if value:
            yield value.span("value")


@dataclass(frozen=True)
class ChecksumId:
    """A national ID python-stdnum validates (its maintained per-country check-digit rules).

    Most are bare digit runs that order numbers share, so a context word within 60 characters
    before must name the kind and the check digits must hold; right after its label the shape
    alone counts (a mistyped ID is still the customer's). `alone_when`: a written form
    distinctive enough (with valid check digits) to stand without a word."""

    kind: str
    module: str  # a python-stdnum module
    shape: re.Pattern[str]
    context: tuple[str, ...]
    alone_when: re.Pattern[str] | None = None


# Italian codice fiscale: surname, name, birth date and place (digits may be letter-coded), check letter.
_CODICE_FISCALE = r"[A-Z]{6}[\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{3}[A-Z]"

CHECKSUM_IDS: tuple[ChecksumId, ...] = (
    ChecksumId(
        "BR_CPF",
        "stdnum.br.cpf",
        re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"),
        ("cpf",),
        re.compile(r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b"),
    ),
    # Presidio's ItFiscalCodeRecognizer returns nothing for some valid codes ('CHBRIH62H56E144W'), so
    # python-stdnum checks the control letter; with it valid, the 16-character form stands alone.
    ChecksumId(
        "IT_FISCAL_CODE",
        "stdnum.it.codicefiscale",
        re.compile(rf"(?i)\b{_CODICE_FISCALE}\b"),
        ("codice fiscale", "fiscal", "cf", "c.f"),
        re.compile(rf"\b{_CODICE_FISCALE}\b"),
    ),
    ChecksumId(
        "MX_CURP",
        "stdnum.mx.curp",
        re.compile(r"\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b"),
        ("curp",),
        re.compile(r"\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b"),
    ),
    ChecksumId(
        "FR_NIR",
        "stdnum.fr.nir",
        re.compile(r"\b[123478]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}\s?\d{2}\b"),
        ("nir", "sécurité sociale", "securite sociale", "sécu", "insee", "carte vitale", "social security"),
    ),
    ChecksumId(
        "DE_TAX_ID",
        "stdnum.de.idnr",
        re.compile(r"\b\d{2}\s?\d{3}\s?\d{3}\s?\d{3}\b"),
        ("steuer-id", "steuerid", "steueridentifikationsnummer", "identifikationsnummer", "idnr", "tax id"),
    ),
    ChecksumId(
        "NL_BSN",
        "stdnum.nl.bsn",
        re.compile(r"\b\d{4}\.?\d{2}\.?\d{3}\b|\b\d{3}[ .]\d{3}[ .]\d{3}\b"),
        ("bsn", "burgerservicenummer", "sofinummer"),
    ),
    ChecksumId(
        "BE_NATIONAL_NUMBER",
        "stdnum.be.nn",
        re.compile(r"\b\d{2}\.?\d{2}\.?\d{2}[-.]?\d{3}[-.]?\d{2}\b"),
        (
            "rijksregisternummer",
            "rijksregister",
            "numéro national",
            "numero national",
            "registre national",
            "insz",
            "niss",
            "national number",
            # The register's own abbreviations: 'NRN' (national register number), 'RRN' (rijksregisternummer).
            "nrn",
            "be rrn",
        ),
    ),
    ChecksumId(
        "SE_PERSONNUMMER",
        "stdnum.se.personnummer",
        re.compile(r"\b(?:\d{2})?\d{6}[-+]?\d{4}\b"),
        ("personnummer", "personnr", "samordningsnummer"),
    ),
    ChecksumId(
        "NO_FODSELSNUMMER",
        "stdnum.no.fodselsnummer",
        re.compile(r"\b\d{6}\s?\d{5}\b"),
        ("fødselsnummer", "fodselsnummer", "personnummer", "f.nr"),
    ),
    ChecksumId("DK_CPR", "stdnum.dk.cpr", re.compile(r"\b\d{6}-?\d{4}\b"), ("cpr", "personnummer")),
    ChecksumId(
        "ES_NIE",
        "stdnum.es.nie",
        re.compile(r"\b[XYZ]-?\d{7}-?[A-Z]\b"),
        ("nie:", "nie ", "n.i.e", "extranjero"),
        re.compile(r"\b[XYZ]\d{7}[A-Z]\b"),
    ),
    ChecksumId("PT_NIF", "stdnum.pt.nif", re.compile(r"\b\d{3}\s?\d{3}\s?\d{3}\b"), ("nif", "contribuinte")),
    ChecksumId(
        "IE_PPS",
        "stdnum.ie.pps",
        re.compile(r"\b\d{7}[A-W][ABWTX]?\b"),
        ("pps no", "pps number", "pps:", "ppsn", "personal public service"),
    ),
    ChecksumId(
        "CH_AHV",
        "stdnum.ch.ssn",
        re.compile(r"\b756\.?\d{4}\.?\d{4}\.?\d{2}\b"),
        ("ahv", "avs ", "avs:", "avs-", "sozialversicherung", "assurance sociale"),
        re.compile(r"\b756\.\d{4}\.\d{4}\.\d{2}\b"),
    ),
    ChecksumId(
        "AT_SVNR",
        "stdnum.at.vnr",
        re.compile(r"\b\d{4}\s?\d{6}\b"),
        ("svnr", "sv-nr", "sv-nummer", "versicherungsnummer", "sozialversicherungsnummer"),
    ),
    ChecksumId(
        "ZA_ID_NUMBER",
        "stdnum.za.idnr",
        re.compile(r"\b\d{6}\s?\d{4}\s?\d{2}\s?\d\b"),
        ("id number", "identity number", "sa id", "rsa id", "id no"),
    ),
    ChecksumId(
        "KR_RRN",
        "stdnum.kr.rrn",
        re.compile(r"\b\d{6}-?\d{7}\b"),
        ("rrn", "resident registration", "주민등록번호"),
    ),
    # stdnum's validate() also looks the birth place up in its bundled county list, which lacks
    # current codes (330106 Hangzhou Xihu, 510107 Chengdu Wuhou); the check digit and the birth date
    # are checked through its own functions instead (_cn_ric below).
    ChecksumId(
        "CN_RESIDENT_ID",
        "stdnum.cn.ric",
        re.compile(r"\b\d{17}[\dXx]\b"),
        ("身份证", "resident identity", "resident id", "id card", "citizen id", "cn resident"),
    ),
    ChecksumId(
        "JP_MY_NUMBER",
        "stdnum.jp.in_",
        re.compile(r"\b\d{4}\s?\d{4}\s?\d{4}\b"),
        ("my number", "mynumber", "マイナンバー", "個人番号", "individual number"),
    ),
    ChecksumId(
        "NZ_IRD", "stdnum.nz.ird", re.compile(r"\b\d{2,3}-?\d{3}-?\d{3}\b"), ("ird no", "ird number", "ird:", "ird #")
    ),
    ChecksumId(
        "UK_UTR",
        "stdnum.gb.utr",
        re.compile(r"\b\d{5}\s?\d{5}\b"),
        ("utr:", "utr ", "utr no", "unique taxpayer reference", "self assessment"),
    ),
)


_ALONE_FORMS = re.compile("|".join(f"(?:{spec.alone_when.pattern})" for spec in CHECKSUM_IDS if spec.alone_when))


def _cn_ric(value: str) -> bool:
    from stdnum.cn import ric

    number = value.upper()
    try:
        ric.get_birth_date(number)
    except Exception:  # stdnum raises its ValidationError subclasses (and ValueError) for a bad date
        return False
    return ric.calc_check_digit(number) == number[17]  # it takes the number with its check digit


@cache
def _validator(module: str) -> Callable[[str], bool]:
    import importlib

    if module == "stdnum.cn.ric":
        return _cn_ric
    validate: Callable[[str], bool] = importlib.import_module(module).is_valid
    return validate


def _checksum_hits(spec: ChecksumId, line: str) -> Iterator[tuple[int, int]]:
    for match in spec.shape.finditer(line):
        value = match.group(0)
        worded = _context_before(line, match.start(), spec.context) or (
            spec.alone_when is not None and spec.alone_when.fullmatch(value) is not None
        )
        if _labelled(line, match.start(), spec.context) or (worded and _validator(spec.module)(value)):
            yield match.span()


_FINDERS: tuple[tuple[str, re.Pattern[str] | tuple[str, ...], Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    *((spec.kind, spec.trigger, lambda line, spec=spec: _hits(spec, line)) for spec in IDS),
    (
        "PASSPORT",
        ("passport", "reisepass", "pasaporte", "passaporte", "passaporto", "passeport", "paspoort"),
        _passports,
    ),
    ("DRIVERS_LICENSE", _LICENCE_WORDS, _driving_licences),
)


def _lines_for(spec: NationalId, lines: Lines) -> list[int]:
    """A kind that needs context is looked for on lines holding a context word; one that may stand
    alone in a grouped form, on those lines and the lines holding that form."""
    if spec.needs_context:
        return lines.containing(spec.context, underscores=True)
    if spec.alone_when is not None:
        grouped = re.compile(spec.alone_when.pattern.strip("^$").replace("^", ""))
        return sorted({*lines.containing(spec.context, underscores=True), *lines.matching(grouped)})
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
    # The written forms that may stand alone, looked for in one pass over the text (one pass per
    # form cost ~40 ms per MB each).
    alone_lines = set(lines.matching(_ALONE_FORMS))
    for checksum_spec in CHECKSUM_IDS:
        numbers = lines.containing(checksum_spec.context, underscores=True)
        if checksum_spec.alone_when is not None:
            numbers = sorted({*numbers, *alone_lines})
        for number in numbers:
            offset, line = lines.line(number)
            for start, end in _checksum_hits(checksum_spec, line):
                found.append(
                    Detection(
                        checksum_spec.kind, offset + start, offset + end, f"stdnum:{checksum_spec.module}",
                        Category.pii, anchored=True,
                    )
                )  # fmt: skip
    return found

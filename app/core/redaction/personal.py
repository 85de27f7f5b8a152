"""PII shapes Presidio's pattern recognizers miss in support tickets, each checked before it counts.

- phone numbers in national formats (020 7946 0774, 030 1234 5678, 01 23 45 67 89, 03-1234-5678,
  (02) 9876 5432, (11) 91234-5678, 98765 43210) and with a 00 international prefix, validated by
  `phonenumbers` against the regions tickets come from;
- e-mail addresses written to dodge scrapers: 'jane dot doe at example dot com', 'jane[at]x[dot]io';
- card numbers with any separator ('.', '/', none) or after '#', Luhn-checked with a card prefix;
- IBANs in lower case or grouped with dashes, checked by Presidio's own IBAN validator;
- SSNs written without dashes after 'ssn'; dates of birth after a birth word;
- street addresses: a house number, street words and a street-type word, with the city/postcode
  that follows on the same line.

Each returns Detections with `anchored=True` when a context word proved the kind: the look-alike
rules (keep.py) then leave them alone ('DOB 1985-03-14' is a date of birth, not a timestamp).
"""

import re
from collections.abc import Iterator
from functools import cache

import phonenumbers
from presidio_analyzer.predefined_recognizers import IbanRecognizer

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines

# Regions whose national formats tickets carry, tried in this order for a number without '+'.
PHONE_REGIONS = ("GB", "DE", "FR", "IN", "JP", "AU", "BR", "US", "CA", "IT", "ES", "NL", "IE", "MX", "SG")
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/.:#@=-])(?:(?:\+|00)\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{1,5}(?:[ .\-/]\d{1,8}){1,5}(?![\w.\-/]*\d)"
)
_PHONE_WORDS = re.compile(
    r"(?i)\b(?:phone|tel|telephone|mobile|cell|call|ring|whatsapp|sms|fax|handy|telefon|portable|t[ée]l[ée]phone|contact)\b"
)
_NOT_PHONE_BEFORE = re.compile(
    r"(?i)\b(?:order|invoice|ticket|case|account|acct|ref|reference|id|version|ver|build|release|sku|tracking|"
    r"serial|po|batch|job|port|pid|uid|gid|code|error|errno|amount|total|qty|size|bytes|oid|iban|card)\W{0,4}$"
)
_DATE_SHAPE = re.compile(r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}$")


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@cache
def _valid_national(number: str) -> bool:
    for region in PHONE_REGIONS:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return True
    return False


@cache
def _valid_international(number: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+" + number))
    except phonenumbers.NumberParseException:
        return False


def _phones(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in _PHONE_CANDIDATE.finditer(line):
        value = match.group(0)
        digits = _digits(value)
        if not 9 <= len(digits) <= 15 or _DATE_SHAPE.match(value):
            continue
        before = line[max(0, match.start() - 30) : match.start()]
        worded = _PHONE_WORDS.search(line[max(0, match.start() - 40) : match.start()]) is not None
        if _NOT_PHONE_BEFORE.search(before) and not worded:
            continue
        if value.startswith(("+", "00")):
            ok = _valid_international(digits[2:] if value.startswith("00") else digits)
        elif value.startswith(("0", "(")) or worded or re.fullmatch(r"[6-9]\d{4} \d{5}", value):
            ok = _valid_national(value)
        else:
            continue
        if ok:
            yield "PHONE", match.start(), match.end(), worded


# --- e-mail addresses written out ------------------------------------------------------------
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)(?<![\w.+-])[a-z0-9][a-z0-9_+\-]*(?:{_DOT}[a-z0-9_+\-]+)*{_AT}[a-z0-9][a-z0-9\-]*(?:{_DOT}[a-z0-9\-]+)+"
)
_MARKER = re.compile(r"(?i)[\[({<]\s*(?:at|dot)\s*[\])}>]|\sdot\s")
_TLDS = frozenset(
    "com org net io co uk de fr es it nl be ch at se no dk fi pl pt ie eu us ca au nz in jp cn br mx ar za sg hk "
    "edu gov mil info biz me dev app ai cloud email example test".split()
)


def _emails(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in _OBFUSCATED_EMAIL.finditer(line):
        value = match.group(0)
        if "@" in value and not _MARKER.search(value):
            continue  # a plain address: Presidio's recognizer has it
        if not _MARKER.search(value):
            continue
        last = re.split(r"(?i)\s+dot\s+|[\[({<]\s*dot\s*[\])}>]|\.", value)[-1].strip().lower()
        if last in _TLDS:
            yield "EMAIL", match.start(), match.end(), True


# --- cards ------------------------------------------------------------------------------------
_CARD = re.compile(r"(?<![\d.\-/])(?:\d[ .\-/]?){12,18}\d(?![\d])")
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[068]|35|6011|64[4-9]|65|62)")
_CARD_WORDS = re.compile(r"(?i)\b(?:card|cc|credit|debit|visa|master\s?card|amex|discover|pan|payment|paid with)\b")


def luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _cards(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in _CARD.finditer(line):
        value = match.group(0)
        digits = _digits(value)
        separators = set(re.sub(r"\d", "", value))
        if len(separators) > 1 or not 13 <= len(digits) <= 19 or not _CARD_PREFIX.match(digits) or not luhn(digits):
            continue
        worded = _CARD_WORDS.search(line[max(0, match.start() - 40) : match.start()]) is not None
        # Bare 16-digit runs that pass Luhn are 1 in 10 of all order numbers: without a separator
        # or a card word, leave them to Presidio's recognizer (and the look-alike rules).
        if separators or worded:
            yield "CREDIT_CARD", match.start(), match.end(), worded


# --- IBANs ------------------------------------------------------------------------------------
_IBAN = re.compile(r"(?i)(?<![\w-])[a-z]{2}\d{2}(?:[ \-]?[a-z0-9]){11,30}(?![\w-])")
_IBAN_VALIDATOR = IbanRecognizer()


def _ibans(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in _IBAN.finditer(line):
        value = match.group(0)
        normalized = re.sub(r"[ \-]", "", value).upper()
        if _IBAN_VALIDATOR.validate_result(normalized):
            yield "IBAN", match.start(), match.end(), True


# --- SSN, date of birth -----------------------------------------------------------------------
_SSN = re.compile(
    r"(?i)\b(?:ssn|ss#|social security(?: number| no\.?| #)?|soc\.? ?sec\.?(?: no\.?)?)[\"']?\s*[:=#]?\s*[\"']?"
    r"(?P<value>(?!000|666|9)\d{3}([- .]?)(?!00)\d{2}\2(?!0000)\d{4})\b"
)
_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_DOB = re.compile(
    r"(?i)\b(?:dob|d\.o\.b\.?|date of birth|birth\s?date|birthday|born(?: on)?|geb(?:urtsdatum|\.)|"
    r"date de naissance|né(?:e)? le|fecha de nacimiento|data de nascimento|nascid[oa] em)\b[\"']?\s*[:=]?\s*[\"']?"
    rf"(?P<value>{_DATE})(?!\d)"
)


def _anchored(pattern: re.Pattern[str], kind: str, line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in pattern.finditer(line):
        yield kind, match.start("value"), match.end("value"), True


# --- street addresses -------------------------------------------------------------------------
_STREET_TYPES = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|close|"
    r"crescent|cres|square|sq|parkway|pkwy|highway|hwy|circle|cir|trail|row|mews|grove|gardens|walk|hill|"
    r"alley|plaza|broadway)"
)
_UNIT = r"(?:,?\s*(?:apt|apartment|suite|ste|unit|flat|floor|fl)\.?\s*#?\s*[\w-]+)?"
# City, then a US state + ZIP, a UK postcode, or a 4-5 digit postcode.
_POSTCODE = r"(?:[A-Z]{2}\s+\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|\d{4,5})\b"
_LOCALITY = rf"(?:,\s*[A-Z][A-Za-z'.-]*\b(?:\s+[A-Z][A-Za-z'.-]*\b){{0,3}}(?:,?\s*{_POSTCODE})?|,?\s+{_POSTCODE})?"
_ADDRESS_EN = re.compile(
    rf"(?<![\w#-])\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?\s+(?:[A-Z][A-Za-z'.-]*\s+){{1,4}}(?i:{_STREET_TYPES})\b\.?"
    + _UNIT + _LOCALITY
)
# Hauptstraße 5, Rue de Rivoli 12 / 12 rue de Rivoli, Calle Mayor 3, Via Roma 10.
_ADDRESS_EU = re.compile(
    r"(?<![\w-])(?:\d{1,4}[a-z]?,?\s+(?i:rue|avenue|boulevard|bd|chemin|allée|place|impasse|quai)\s+(?:(?:de|du|des|la|le|l')\s*)*"
    r"[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+){0,3}"
    r"|[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm)\s+\d{1,4}[a-z]?"
    r"|(?i:calle|avenida|rua|via|viale|piazza|plaza)\s+(?:(?:de|del|da|do|dos|la)\s+)*[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+){0,3},?\s+\d{1,4})"
    r"(?:,\s*\d{4,5}\s+[A-ZÀ-Ý][\w-]+(?:\s+[A-ZÀ-Ý][\w-]+)?)?"
)


def _addresses(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for pattern in (_ADDRESS_EN, _ADDRESS_EU):
        for match in pattern.finditer(line):
            yield "ADDRESS", match.start(), match.end().__int__() - _trailing(match.group(0)), True


def _trailing(value: str) -> int:
    return len(value) - len(value.rstrip(" ,."))


_TRIGGER = re.compile(r"\d[ .\-]?\d[ .\-]?\d|\bat\b|\[at\]|\(at\)|\bdot\b|[A-Za-z]{2}\d{2}|(?i:straße|strasse|rue|calle|via|rua)")


def find_personal(text: str, lines: Lines) -> list[Detection]:
    found: list[Detection] = []
    for number in lines.matching(_TRIGGER):
        offset, line = lines.line(number)
        for finder in (_phones, _emails, _cards, _ibans, _addresses):
            for kind, start, end, anchored in finder(line):
                found.append(Detection(kind, offset + start, offset + end, f"custom:{finder.__name__[1:]}", Category.pii, anchored=anchored))
        for pattern, kind in ((_SSN, "US_SSN"), (_DOB, "DATE_OF_BIRTH")):
            for kind_, start, end, anchored in _anchored(pattern, kind, line):
                found.append(Detection(kind_, offset + start, offset + end, f"custom:{kind.lower()}", Category.pii, anchored=anchored))
    return found

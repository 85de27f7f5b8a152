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
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING

import phonenumbers

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines
from app.core.redaction.persons import COMPANY_WORDS

if TYPE_CHECKING:
    from presidio_analyzer.predefined_recognizers import IbanRecognizer

# Regions whose national formats tickets carry, tried in this order for a number without '+'.
PHONE_REGIONS = ("GB", "DE", "FR", "IN", "JP", "AU", "BR", "US", "CA", "IT", "ES", "NL", "IE", "MX", "SG")
# After a phone word ('Tel:', 'Handy', 'Móvil') the word already says it is a phone number, so
# the national formats of more regions are tried: a Polish or Swedish number is as personal.
WORDED_PHONE_REGIONS = (
    *PHONE_REGIONS,
    *("PL", "SE", "NO", "DK", "FI", "CH", "AT", "BE", "PT", "CZ", "GR", "RO", "HU", "TR", "IL", "AE", "SA", "ZA"),
    *("NZ", "KR", "CN", "HK", "TW", "PH", "ID", "MY", "TH", "VN", "AR", "CL", "CO", "PE", "NG", "KE", "EG", "PK"),
)
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/.#@-])(?:\+\d{8,15}(?![\w.\-/]*\d)|(?:(?:\+|00)\d{1,3}[ .\-]?)?(?:\(0?\d{1,5}\)[ .\-]?)?\d{1"
    r",12}(?:[ .\-/]\d{1,9}){0,5}(?![\w.\-/]*\d))"
)
_PHONE_WORDS = re.compile(
    # '_' may join the word to others in a field name ('SUPPORT_PHONE_FALLBACK=0049 170 ...').
    r"(?i)(?<![^\W_])(?:phone|tel|telephone|mobile|cell|call(?:ed|ing|s)?|ring|whatsapp|sms|fax|handy|telefon|portable|t[ée]l[ée"
    r"]phone|contact|"
    # 'call me on' in the languages tickets come in: 'llamarme al', "m'appeler au", 'chiamarmi al',
    # 'anrufen unter', 'bellen op', 'ligar para', 'zadzwonić pod'.
    r"llam(?:ar|arme|eme|en|adme)|(?:m')?appel(?:er|ez)|chiamar(?:mi|e)?|anrufen|bel(?:len)?|ligar|lig(?:a|ue)-me|"
    r"zadzwo[nń]\w*|"
    # The word in the languages of PHONE_REGIONS: 'Teléfono:', 'Telefone', 'Cellulare', 'Móvil'.
    r"tel[ée]fono|telefone|telefoon|telefonnummer|cellulare|celular|m[óo]vil|telem[óo]vel|mobil|rufnummer|"
    # 'my number is' in the same languages, and 'reach me at'.
    r"(?:il )?mio numero|mi n[úu]mero|meu n[úu]mero|mon num[ée]ro|meine nummer|mijn nummer|my number|"
    r"erreichen mich unter|erreichbar unter|reach me (?:at|on))(?![^\W_])"
)
_NOT_PHONE_BEFORE = re.compile(
    r"(?i)\b(?:order|invoice|ticket|case|account|acct|ref|reference|id|version|ver|build|release|sku|tracking|"
    r"serial|po|batch|job|port|pid|uid|gid|code|error|errno|amount|total|qty|size|bytes|oid|iban|card)\W{0,4}$"
)
_DATE_SHAPE = re.compile(r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}$")


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@cache
def _valid_national(number: str, worded: bool = False) -> bool:
    for region in WORDED_PHONE_REGIONS if worded else PHONE_REGIONS:
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


def _phones(line: str, asked: bool = False) -> Iterator[tuple[str, int, int, bool]]:
    """`asked`: the line answers a question about a phone number ('Can you confirm your phone
    number?' / 'Visitor: 620372121, address is ...'), which words it as a phone word would."""
    for match in _PHONE_CANDIDATE.finditer(line):
        value = match.group(0)
        digits = _digits(value)
        if not 9 <= len(digits) <= 15 or _DATE_SHAPE.match(value):
            continue
        before = line[max(0, match.start() - 30) : match.start()]
        worded = asked or _PHONE_WORDS.search(line[max(0, match.start() - 40) : match.start()]) is not None
        # After ':' or '=' only as a phone field's value ('tel:+44...', 'phone=0207...').
        if match.start() and line[match.start() - 1] in ":=" and not worded:
            continue
        # One unbroken digit run is an ID unless a phone word or a '+' says otherwise.
        if value.isdigit() and not worded:
            continue
        if _NOT_PHONE_BEFORE.search(before) and not worded:
            continue
        if value.startswith(("+", "00")):
            # After a phone word, '+' and 8-15 digits is a phone number even where the numbering
            # plan changed since ('+52 1 55 ...': Mexico's mobile '1', dropped in 2019).
            ok = _valid_international(digits[2:] if value.startswith("00") else digits) or (
                worded and value.startswith("+") and 8 <= len(digits) <= 15
            )
        elif value.startswith(("0", "(")) or worded or re.fullmatch(r"[6-9]\d{4} \d{5}", value):
            ok = _valid_national(value, worded)
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
# A bracketed or spelled-out 'at'/'dot', or an '@' with spaces around it ('mrossi @ gmx.de').
_MARKER = re.compile(r"(?i)[\[({<]\s*(?:at|dot)\s*[\])}>]|\sdot\s|\s@\s")
_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "io",
        "co",
        "uk",
        "de",
        "fr",
        "es",
        "it",
        "nl",
        "be",
        "ch",
        "at",
        "se",
        "no",
        "dk",
        "fi",
        "pl",
        "pt",
        "ie",
        "eu",
        "us",
        "ca",
        "au",
        "nz",
        "in",
        "jp",
        "cn",
        "br",
        "mx",
        "ar",
        "za",
        "sg",
        "hk",
        "edu",
        "gov",
        "mil",
        "info",
        "biz",
        "me",
        "dev",
        "app",
        "ai",
        "cloud",
        "email",
        "example",
        "test",
    ]
)


def _emails(line: str) -> Iterator[tuple[str, int, int, bool]]:
    if not _MARKER.search(line):
        return
    position = 0
    while (match := _OBFUSCATED_EMAIL.search(line, position)) is not None:
        # 'reach me at ahmed.anneke6 @ brightfield.co': the first try reads 'me at ahmed.anneke6' and
        # fails on its top-level domain; the address may start inside it, so the next try starts one
        # word on rather than after the failed match.
        value = match.group(0)
        space = value.find(" ")
        position = match.start() + (space + 1 if space > 0 else len(value))
        if "@" in value and not _MARKER.search(value):
            continue  # a plain address: Presidio's recognizer has it
        if not _MARKER.search(value):
            continue
        last = re.split(r"(?i)\s+dot\s+|[\[({<]\s*dot\s*[\])}>]|\.", value)[-1].strip().lower()
        if last in _TLDS:
            position = match.end()
            yield "EMAIL", match.start(), match.end(), True


# --- cards ------------------------------------------------------------------------------------
_CARD = re.compile(r"(?<![\d.\-/])(?:\d(?:[ .\-/]| {2})?){12,18}\d(?![\d])")
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[068]|35|6011|64[4-9]|65|62)")
_CARD_WORDS = re.compile(
    r"(?i)\b(?:card|cc|credit|debit|visa|master\s?card|amex|discover|pan|payment|paid with|"
    # The word in the languages tickets come in: 'tarjeta', 'carta', 'cartão', 'carte', 'Karte'.
    r"tarjeta|carta|cart[ãa]o|carte(?: bancaire| bleue)?|karte|kreditkarte)\b"
)


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


# A card's security code: 'CVV 123', 'CVC2: 4321', 'código de seguridad 630', 'cryptogramme 347',
# 'the 3 digits on the back are 887'; a full stop may end the sentence ('exp 11/28, CVV 504.'), a
# decimal point may not ('CVV 1.5'). No recognizer in Presidio or stdnum covers it (it has no
# checksum), so only the word proves it: the card-specific words alone, the general ones ('security
# code', 'CID') when the line also names or holds a card.
_CVV = re.compile(
    r"(?i)(?:\b(?P<strong>cvv2?|cvc2?|cvn|card verification (?:value|code|number)|card security code|c[óo]digo de "
    r"seguridad|c[óo]digo de seguran[çc]a|c[óo]digo cvv|codice di sicurezza|cryptogramme(?: visuel)?|"
    r"(?:karten)?pr[üu]fnummer|pr[üu]fziffer|kaartcontrolecode|(?:3|4|three|four)[ -]digits?(?: code)? on the back"
    r"(?: of (?:the|my) card)?)|\b(?:security code|sec code|csc|cid))\b"
    r"[^\n\w]{0,3}(?:(?:is|are|es|é|est|ist|:)\s*)?(?P<value>\d{3,4})(?![\d/\-]|[.,]\d|\s?[ap]m\b)"
)
_CVV_LITERALS = (
    *("cvv", "cvc", "cvn", "card verification", "security code", "sec code", "csc", "cid", "seguridad"),
    *("seguran", "sicurezza", "cryptogramme", "prüf", "pruf", "controlecode", "on the back"),
)


def _cvvs(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in _CVV.finditer(line):
        if match.group("strong") or _CARD_WORDS.search(line) or _CARD.search(line):
            yield "CARD_CVV", match.start("value"), match.end("value"), True


# --- IBANs ------------------------------------------------------------------------------------
# Possessive: on a 1 MB log the backtracking form took 2.8 s.
_IBAN = re.compile(r"(?<![\w-])[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,30}+(?![\w-])")


@cache
def _iban_validator() -> "IbanRecognizer":
    # Presidio takes ~2 s to import; the CLI imports this module for every command.
    from presidio_analyzer.predefined_recognizers import IbanRecognizer

    return IbanRecognizer()


def _mod97(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def _ibans(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in _IBAN.finditer(line):
        value = match.group(0)
        normalized = re.sub(r"[ \-]", "", value).upper()
        # ISO 13616's mod-97 check first (1 in 97 hex IDs pass it), Presidio's per-country format after.
        if _mod97(normalized) and _iban_validator().validate_result(normalized):
            yield "IBAN", match.start(), match.end(), True


# --- SSN, date of birth -----------------------------------------------------------------------
_SSN = re.compile(
    # '_' before: an export's column or a field name ('US_SSN;880905617').
    r"(?i)(?<![^\W_])(?:ssn|ss#|social security(?: number| no\.?| #)?|soc\.? ?sec\.?(?: no\.?)?)"
    r"[\"']?\s*[:=#;,]?\s*[\"']?"
    r"(?P<value>(?!000|666|9)\d{3}([- .]?)(?!00)\d{2}\2(?!0000)\d{4})\b"
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# Month names in the languages tickets come in (de, fr, es, it, pt, nl): '26. Juli 1994', '16 mars
# 1962', '18 de marzo de 1967'. Written by hand: no dependency of the project carries locale month
# names (Babel and dateparser are not installed), and the list is closed.
_MONTHS_INTL = (
    r"(?:j[äa]nner|januar[iy]?|janvier|janeiro|enero|gennaio|febbraio|februar[iy]?|f[ée]vrier|fevereiro|febrero|"
    r"m[äa]rz|maerz|maart|mars|mar[çc]o|marzo|avril|abril|aprile|mai|maio|mayo|maggio|mei|juni|juin|junho|junio|"
    r"giugno|juli|juillet|julho|julio|luglio|august|augustus|ao[uû]t|agosto|septembre|setembro|septiembre|"
    r"setiembre|settembre|oktober|octobre|outubro|octubre|ottobre|novembre|novembro|noviembre|dezember|"
    r"d[ée]cembre|dezembro|diciembre|dicembre|december|april|september|november)"
)
_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{1,2}[-/. ]"
    + _MONTHS
    + r"\.?[-/. ]\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd"
    rf"|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:\.|º|er)?\s+(?:de\s+)?{_MONTHS_INTL}\s+(?:de\s+)?\d{{4}}"
    r"|\d{8}(?=\D|$))"
)
# A birth word, then up to 30 characters of filler ('DOB on file:', '"birthDate": "', 'born on the').
_DOB = re.compile(
    r"(?i)(?:\bdob\b|\bd\.o\.b\b\.?|date[ _-]?of[ _-]?birth|birth[ _-]?date|birthday|\bborn\b|geburtsdatum|\bgeb\.|"
    r"date de naissance|\bn[ée]e? le\b|fecha de nacimiento|data de nascimento|nascid[oa] em|data di nascita|"
    r"geboortedatum|生年月日|"
    # Polish, Swedish, Danish/Norwegian, Finnish, Czech, Turkish, Hungarian.
    r"data urodzenia|f[öo]delsedatum|f[øo]dselsdato|syntym[äa]aika|datum narozen[íi]|do[ğg]um tarihi|"
    r"sz[üu]let[ée]si (?:d[áa]tum|id[őo])|"
    # 'I was born on' in the same languages: 'nacido el', 'nací el', 'nato il', 'nasci em', 'geboren am'.
    r"\bnac[ií]d[oa]s? el\b|\bnac[ií] el\b|\bnat[oa] il\b|\bnasci(?:d[oa])? em\b|\bgeboren (?:am|op)\b|"
    r"\bgeburtstag\b|\bfecha de nac\.|\bf\. nac\.)"
    r"[^\n\d]{0,30}?(?<![\d/.-])"
    rf"(?P<value>{_DATE})(?![\d/])"
)


def _ssns(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in _SSN.finditer(line):
        yield "US_SSN", match.start("value"), match.end("value"), True


def _dobs(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in _DOB.finditer(line):
        yield "DATE_OF_BIRTH", match.start("value"), match.end("value"), True


# --- street addresses -------------------------------------------------------------------------
_STREET_TYPES = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|close|"
    r"crescent|cres|square|sq|parkway|pkwy|highway|hwy|circle|cir|trail|row|mews|grove|gardens|walk|hill|"
    r"alley|plaza|broadway|marg|nagar|layout|cross|main|"
    # Australian and New Zealand street types: 'Banksia Pde', 'Ocean Esp', 'Kings Cct'.
    r"parade|pde|esplanade|esp|circuit|cct|promenade|quay|rise|chase|loop|glade)"
)
_DIRECTION = r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\b)?"
# A unit after the street: 'Apt 4B', 'Suite 200', or Spanish floor and door, '2º C', '5º 2ª', '3º izq.',
# 'bajo A', 'ático'.
_UNIT = (
    r"(?:,?\s*(?:(?i:apt|apartment|suite|ste|unit|flat|floor|fl|#)\.?\s*#?\s*[\w-]+|\d{1,2}\s?[º°ª](?:\s*(?:[A-Z]"
    r"\b|\d{1,2}\s?[º°ª]|(?i:izq\w*|dcha\.?|der\w*|pta\.?\s*\d+))\.?)?|(?i:bajo|bj|entresuelo|entlo|[áa]tico|"
    r"principal|pral)\.?(?:\s+[A-Z0-9]\b)?))?"
)
# A US state + ZIP, an AU state + postcode, a UK or Canadian postcode, a JP or BR code, 4-6 digits.
_POSTCODE = (
    r"(?:[A-Z]{2,3}\s+\d{4,5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|"
    r"\d{3}-\d{4}|\d{5}-\d{3}|\d{4}\s?[A-Z]{2}|\d{4,6})\b"
)
_COUNTRIES = (
    r"(?:USA|U\.S\.A\.|US|United States|UK|U\.K\.|United Kingdom|England|Scotland|Wales|Ireland|Germany|Deutschland|"
    r"France|Spain|España|Italy|Italia|Netherlands|Belgium|Switzerland|Austria|Portugal|Sweden|Norway|Denmark|"
    r"Finland|Poland|India|Japan|China|Singapore|Australia|New Zealand|Canada|Mexico|Brazil|Brasil|South Africa)"
)
# A place name: capitalised words, with the small words place names carry ('Stratford upon Avon').
_PLACE_WORD = r"[A-ZÀ-Ý](?:[^\W\d_]|['’.])*(?:-(?:[^\W\d_]|['’.])+)*(?!\w)"
_PLACE = rf"{_PLACE_WORD}(?:[ \t]+(?:(?:de|da|do|del|la|le|sur|upon|on|am|an|im)[ \t]+)?{_PLACE_WORD}){{0,3}}"
# What follows the street: up to four parts (district, city, state + postcode, country), each after
# a comma, a ' - ' or a line break, or a postcode right after a place.
_LOCALITY = (
    rf"(?:(?:[ \t]*,[ \t]*|[ \t]+-[ \t]+|[ \t]*\n[ \t]*(?={_PLACE}[ \t,]+{_POSTCODE}|{_POSTCODE}|{_COUNTRIES}\b))"
    rf"(?:{_POSTCODE}(?:[ \t]+{_PLACE})?|{_PLACE}(?:[ \t,]+{_POSTCODE})?)){{0,4}}"
    rf"(?:[ \t]+{_POSTCODE})?"
)
_UNIT_FIRST = (
    r"(?:(?i:apt|apartment|suite|ste|unit|flat|floor|fl|house(?:\s+no\.?)?|no\.|plot)\.?\s*#?\s*(?:[\w-]+,?\s+)?)?"
)
_ADDRESS_EN = re.compile(
    rf"(?<![\w#-]){_UNIT_FIRST}\d{{1,5}}(?:st|nd|rd|th|[A-Za-z])?(?:[-/]\d{{1,5}}[A-Za-z]?)?,?\s+(?:[A-Z]["
    rf"A-Za-z'.-]*\s+){{1,4}}"
    rf"(?i:{_STREET_TYPES})\b\.?{_DIRECTION}" + _UNIT + _LOCALITY
)
# Hauptstraße 5, Rue de Rivoli 12 / 12 rue de Rivoli, Calle Mayor 3, Via Roma 10, Rua Augusta, 1500.
_ADDRESS_EU = re.compile(
    r"(?<![\w-])(?:\d{1,4}[a-z]?(?:\s(?:bis|ter|quater)\b)?,?\s+(?i:rue|avenue|boulevard|bd|chemin|allée|place|impasse|quai)\s+(?:(?:"
    r"de|du|des|la|le|l')\s*)*"
    r"[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+){0,3}"
    # German, Dutch and Nordic street words are suffixes: Hauptstraße 5, Keizersgracht 123, Storgatan 4.
    r"|[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|straat|laan|gracht|plein|kade|"
    r"singel|dijk|steeg|gade|vej|gatan|vägen|veien|gata)\s+\d{1,4}[a-z]?"
    # Italian 'Corso Garibaldi 118', 'Largo', 'Vicolo'; Spanish/Catalan 'Rambla', 'Ronda'; Portuguese
    # 'Travessa', 'Praça', 'Alameda'.
    r"|(?i:calle|c/|avenida|avda\.?|av\.|rua|via|viale|piazza|plaza|carrer|paseo|corso|largo|vicolo|strada|"
    r"lungomare|rambla|ronda|travessa|alameda|pra[çc]a)\s*(?:(?:de|del|da|do|dos|das|la|las|los)\s+)*"
    r"[A-ZÀ-Ý][\w'-]+(?:\s+(?:(?:de|del|da|do|dos|das|la)\s+)?[A-ZÀ-Ý][\w'-]+){0,3},?\s+(?:n[º°o]\.?\s*)?\d"
    r"{1,5}[a-zA-Z]?)" + _UNIT + _LOCALITY
)
# Japanese block addresses: '1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002'.
_ADDRESS_JP = re.compile(
    r"(?<![\w-])\d{1,4}-\d{1,4}(?:-\d{1,4})?,?\s+[A-Z][a-z]+(?:-[a-z]+)?(?:,\s*[A-Z][a-z]+-(?:ku|shi|cho|machi|gun))"
    + _LOCALITY
)
# A unit and a building before the locality, the Indian way: 'Flat 745, Green Glen Apartments,
# Andheri West, Mumbai 400075'. No street word, so the postcode at the end is required.
# The parts between the commas may hold a number ('Koramangala 5th Block', 'Road No. 12').
_UNIT_FIRST_PART = r"[A-ZÀ-Ý0-9][^\n,;:]{1,40}"
_ADDRESS_UNIT_FIRST = re.compile(
    r"(?<![\w-])(?i:flat|apt|apartment|suite|unit|house|plot|door|block|villa|room)\.?\s*(?i:no\.?\s*)?#?\s*"
    rf"\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,5}}[A-Za-z]?)?,[ \t]*(?:{_UNIT_FIRST_PART}[ \t]*,[ \t]*){{0,3}}{_PLACE}[ \t,]+"
    rf"{_POSTCODE}"
    rf"(?:[ \t]*,[ \t]*{_COUNTRIES}\b)?"
)
# German streets named with a preposition and no street word ('Am Mühlbach 109', 'An der Alster 4',
# 'Im Winkel 2'): without the suffix they read like prose ('Am Montag 12 Uhr'), so the postcode and
# town after them are required.
_ADDRESS_DE_PREPOSITION = re.compile(
    r"(?<![\w-])(?:Am|An der|An den|Im|In der|In den|Auf der|Auf dem|Zum|Zur|Unter den|Hinter der|Vor dem)\s+"
    rf"[A-ZÄÖÜ][\wäöüß-]+(?:\s+[A-ZÄÖÜ][\wäöüß-]+)?\s+\d{{1,4}}[a-z]?,[ \t]*\d{{5}}[ \t]+{_PLACE}"
)
# A street with no street word ('Lange Voorhout 106', 'Kalverstraat' is suffixed, 'Voorhout' is not)
# after a word saying an address follows ('adres Lange Voorhout 106, 1576 PX Amsterdam', 'residente in',
# 'wohnhaft in'): then the postcode and town after the comma are required.
_ADDRESS_LABELLED = re.compile(
    r"(?i:\b(?:address|adres|adresse|anschrift|domicilio|indirizzo|endere[çc]o|morada|direcci[óo]n)(?:\s+is)?|"
    r"\bresidente (?:in|a|em)|\bwohnhaft (?:in|an)|\bwoonachtig (?:aan|op|in)|\b(?:living|lives|resident) at)"
    r"[ \t]+(?P<value>[A-ZÀ-Ý][\w'’.-]+(?:[ \t]+(?:(?:de|del|van|der|den|di|da|la|le)[ \t]+)?[A-ZÀ-Ý][\w'’.-]+){0,3}"
    rf"[ \t]+\d{{1,5}}[a-zA-Z]?,[ \t]*{_POSTCODE}[ \t]+{_PLACE})"
)
_ADDRESS_LABEL_LITERALS = (
    *("addr", "adres", "anschrift", "domicilio", "indirizzo", "endere", "morada", "direcci", "residente "),
    *("wohnhaft ", "woonachtig ", "living at", "lives at", "resident at"),
)
_PO_BOX = re.compile(r"(?i)\bP\.?\s?O\.?\s+Box\s+\d{1,6}" + _LOCALITY)
# A field that holds an address: 'address: ...', '"shipping_address": "..."', 'street=...'.
_ADDRESS_FIELD = re.compile(
    r"(?i)[\"']?(?:(?:home|billing|shipping|mailing|postal|street|delivery|residential)[ _-]?address|addre"
    r"ss(?:[ _-]?line[ _-]?\d)?|"
    r"street(?:[ _-]?address)?|addr|"
    # The label in the languages tickets come in; their values may start with a street word.
    r"direcci[óo]n|domicilio|indirizzo|endere[çc]o|morada|adresse|anschrift|adres|lieferadresse|rechnungsadresse)"
    r"[\"']?\s*[:=]\s*(?:\"(?P<q>[^\"\n]{6,})\"|(?P<v>\d[^\n,;]{4,}?(?:,[^\n,;]+){0,4})"
    # A value starting with a word: several comma-separated parts, one holding a number.
    r"|(?P<w>(?=[^\n;]*\d)[A-ZÀ-Ý][^\n,;]{2,60}(?:,[^\n,;]+){1,4}))(?=[\"\s,;}]|$)"
)
# 'IP address: ...', 'email address: ...': an address, but not where someone lives.
_NOT_POSTAL = re.compile(
    r"(?i)\b(?:ip|ipv4|ipv6|mac|e-?mail|memory|bind|listen|remote|local|server|host|wallet|bitcoin|web|url|network|"
    r"proxy|gateway|return|reply|sender|from|to|node|peer|physical|virtual|public|private)[ _-]?$"
)


# What an 'address' field holds in code and logs when it is not where someone lives: an IP address
# or a host with its port ('"serverIPAddress": "10.217.210.142"', 'Addr: "192.168.87.97:3306"'), a URL
# ('address = "https://vault.service.consul:8200"'), a memory address ('addr=0x0 pc=0x042fab]').
_NETWORK_VALUE = re.compile(
    r"(?i)^(?:[a-z][a-z0-9+.\-]*://\S*|0x[0-9a-f]+\b.*|\[?[0-9a-f:.]*[:.][0-9a-f:.]*\]?(?::\d{1,5})?"
    r"|[a-z0-9](?:[\w\-]*\.)*[\w\-]+:\d{1,5})$"
)


_STATE_POSTCODE = re.compile(r"(?:^|\s)[A-Z]{2,3}\s+\d{4,5}(?:-\d{4})?\s*$")


def _without_company(value: str) -> str:
    """'12 Main Street, Springfield, Acme Corp' -> '12 Main Street, Springfield': the brief needs the company."""
    parts = value.split(",")
    for index in range(1, len(parts)):
        if _STATE_POSTCODE.search(parts[index]):
            continue  # 'Denver, CO 80294': Colorado, not a company; 'Fitzroy SA 6507': South Australia
        words = {w.strip(".").lower() for w in parts[index].split()}
        if words & COMPANY_WORDS:
            return ",".join(parts[:index])
    return value


def _preposition_addresses(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for match in _ADDRESS_DE_PREPOSITION.finditer(line):
        yield "ADDRESS", match.start(), match.end() - _trailing(match.group(0)), True


def _addresses(line: str) -> Iterator[tuple[str, int, int, bool]]:
    for pattern in (_ADDRESS_EN, _ADDRESS_EU, _ADDRESS_JP, _ADDRESS_UNIT_FIRST, _PO_BOX):
        for match in pattern.finditer(line):
            value = _without_company(match.group(0))
            yield "ADDRESS", match.start(), match.start() + len(value) - _trailing(value), True
    lowered = line.lower()
    if any(label in lowered for label in _ADDRESS_LABEL_LITERALS):
        for match in _ADDRESS_LABELLED.finditer(line):
            yield "ADDRESS", match.start("value"), match.end("value") - _trailing(match.group("value")), True
    for match in _ADDRESS_FIELD.finditer(line):
        group = "q" if match.group("q") else "v" if match.group("v") else "w"
        if group == "w" and _NOT_POSTAL.search(line, 0, match.start()):
            continue
        if any(ch.isdigit() for ch in match.group(group)) and not _NETWORK_VALUE.match(match.group(group).strip()):
            yield "ADDRESS", match.start(group), match.end(group) - _trailing(match.group(group)), True


_STREET_WORD = re.compile(
    rf"(?i:\b{_STREET_TYPES}\b|straße|strasse|str\.|weg\b|gasse|allee|platz|\b(?:rue|calle|via|viale|rua|p"
    rf"iazza|plaza)\b)"
)


_LONG_TYPES = (
    *("street", "avenue", "road", "boulevard", "lane", "drive", "court", "place", "terrace", "close", "crescent"),
    *("square", "parkway", "highway", "circle", "trail", "mews", "grove", "gardens", "walk", "hill", "alley", "way"),
    *("plaza", "broadway", "row", "layout", "cross", "main", "parade", "esplanade", "circuit", "promenade", "quay"),
    *("rise", "chase", "loop", "glade"),
)
_SHORT_TYPES = (
    "st",
    "ave",
    "rd",
    "blvd",
    "ln",
    "dr",
    "ct",
    "pl",
    "cres",
    "sq",
    "pkwy",
    "hwy",
    "cir",
    "pde",
    "esp",
    "cct",
)
# Plain substrings (any case) a line must hold before the address patterns read it.
_STREET_LITERALS = (
    *(f" {word}" for word in _LONG_TYPES),
    *(f" {word}{end}" for word in _SHORT_TYPES for end in (" ", ".", ",")),
    *("straße", "strasse", "str.", "weg ", "gasse", "allee", "platz", "rue ", "calle ", "via ", "viale ", "rua "),
    *("avenida", "avda", "c/", "straat", "laan ", "gracht", "plein", "kade ", "singel", "dijk", "steeg", "gade "),
    *("vej ", "gatan", "vägen", "veien", "gata ", "direcci", "domicilio", "indirizzo", "endere", "morada"),
    *("adres", "anschrift", "residente ", "wohnhaft ", "woonachtig ", "living at", "lives at", "resident at"),
    *("corso ", "largo ", "vicolo ", "strada ", "lungomare ", "rambla ", "ronda ", "travessa ", "alameda "),
    *("praça ", "praca "),
    *(
        "piazza ",
        "av. ",
        "carrer ",
        "paseo ",
        "po box",
        "p.o. box",
        "address",
        "addr",
        *("flat ", "apt", "apartment", "suite ", "unit ", "house ", "plot ", "door ", "block ", "villa ", "room "),
        "-ku",
        "-shi",
        " marg",
        " nagar",
    ),
)


def _trailing(value: str) -> int:
    return len(value) - len(value.rstrip(" ,."))


# Which lines each finder reads: one cheap test per finder over the whole text, so the finders'
# own patterns run on a few lines of a 1 MB log rather than all of them.
# A '+', a 00 prefix, a trunk 0 group or an area code in brackets after a space, an Indian
# 5-5 mobile, or a phone word. (US numbers without these are Presidio's recognizer's.) ISO
# timestamps and IPs, on every line of a log, match none of them.
_PHONE_LINE = re.compile(
    r"(?m)\+\d|(?:^|[\s(:=\"',;>\[/|])(?:00\d|0\d{1,5}[ .\-/)]|\(\d{2,4}\))|\b[6-9]\d{4} \d{5}\b|"
    r"(?i:phone|tel|mobile|cell|call|whatsapp|sms|fax|handy|contact|m[óo]vil|celular|numero|n[úu]mero|num[ée]ro|"
    r"nummer|erreich|reach me)"
)
# 'Call me' in other languages (_PHONE_WORDS), looked for as literals: as alternatives of _PHONE_LINE
# they slowed its pass over a 1 MB log by a third.
_CALL_LITERALS = ("llam", "appel", "chiam", "anruf", "bel ", "bellen", "ligar", "liga-me", "ligue-me", "zadzwo")
# Four-digit groups with a separator, or a card word.
_CARD_LINE = re.compile(
    r"\d{4}(?:[ .\-/]| {2})\d{4,6}(?:[ .\-/]| {2})\d{4}|(?i:card|visa|amex|master|\bcc\b|credit|debit|pan\b)"
)
_LINE_TESTS: tuple[
    tuple[Callable[[str], Iterator[tuple[str, int, int, bool]]], re.Pattern[str] | tuple[str, ...]], ...
] = (
    (_phones, _PHONE_LINE),
    (_cards, _CARD_LINE),
    (_cvvs, _CVV_LITERALS),
    (_ibans, re.compile(r"[A-Za-z]{2}\d\d")),
    (_emails, ("[at]", "(at)", "{at}", "<at>", " dot ", "[dot]", "(dot)", "{dot}", "<dot>", " @ ")),
    (_addresses, _STREET_LITERALS),
    # A German postcode and town after a comma: the lines where 'Am Mühlbach 109, 69471 Leipzig' may be.
    (_preposition_addresses, re.compile(r",[ \t]*\d{5}[ \t]+[A-ZÄÖÜ]")),
    (_ssns, ("ssn", "ss#", "social security", "soc sec", "soc. sec")),
    (
        _dobs,
        (
            *("dob", "d.o.b", "birth", "born", "geb", "naissance", "né le", "née le", "nacimiento", "nascimento"),
            *("nascid", "nascita", "nacid", "nací el", "naci el", "nato il", "nata il", "nasci em", "fecha de nac"),
            *("f. nac.", "geboortedatum", "urodzenia", "delsedato", "dselsdato", "syntym", "narozen", "tarihi"),
            *("születési", "szuletesi"),
        ),
    ),
)


# A question about the customer's phone number: the next message or two answer it.
_PHONE_ASKED = re.compile(r"(?i)\b(?:phone|mobile|cell|telephone|contact)(?: number)?\b[^\n?]*\?")
_CHAT_REPLY = re.compile(r"^[ \t]*(?:\[[^\]\n]{1,20}\][ \t]*)?[\w .'()-]{1,30}:[ \t]*(?=[+(\d])")


_PHONE_ASKED_LITERALS = ("phone", "mobile", "cell", "contact")


def _answered_phones(lines: Lines) -> Iterator[Detection]:
    answered: set[int] = set()  # one answer per question: the first chat reply after it
    for question, offset, line in lines.replies(_PHONE_ASKED_LITERALS, _PHONE_ASKED):
        head = _CHAT_REPLY.match(line)
        if not head or question in answered:
            continue
        answered.add(question)
        for kind, start, end, _ in _phones(line[: head.end() + 40], asked=True):
            if start == head.end():
                yield Detection(kind, offset + start, offset + end, "custom:phones", Category.pii, anchored=True)


# A mail's closing ('Best regards,' / name / '638 123 161'): a number alone on a line of the signature
# under it is the sender's phone, as a 'Tel.' label would say. The closings in the languages tickets
# come in; written by hand (no dependency carries them).
_CLOSING = re.compile(
    r"(?i)^[ \t]*(?:(?:best|kind|warm|many)?[ \t]*regards|cheers|thanks|thank you|sincerely|"
    r"yours(?: truly| sincerely)?|best|saludos(?: cordiales)?|atentamente|un saludo|cordialement|"
    r"bien (?:à vous|cordialement)|salutations|mit freundlichen gr(?:ü|ue)(?:ß|ss)en|viele gr(?:ü|ue)(?:ß|ss)e|"
    r"gr(?:ü|ue)(?:ß|ss)e|cordiali saluti|distinti saluti|"
    r"saluti|atenciosamente|cumprimentos|abra[çc]os|met vriendelijke groet(?:en)?|groeten|pozdrawiam|"
    r"z powa[żz]aniem|med v[äa]nlig(?:a)? h[äa]lsning(?:ar)?|mvh|ystävällisin terveisin)[ \t]*[,.!]?[ \t]*$"
)
_CLOSING_LITERALS = (
    *("regards", "cheers", "thank", "sincerely", "yours", "best", "saludo", "atentamente", "cordialement"),
    *("salutations", "grüß", "grüss", "grüs", "gruss", "grues", "saluti", "atenciosamente", "cumprimentos"),
    *("abraço", "abraco", "groet", "pozdrawiam", "poważaniem", "powazaniem", "hälsning", "halsning", "mvh"),
    *("terveisin",),
)
_SIGNATURE_LINES = 4
_PHONE_ONLY = re.compile(r"^[ \t]*[+(\d][\d ()+./\-]{6,24}[ \t]*$")


def _signature_phones(lines: Lines) -> Iterator[Detection]:
    count = len(lines.starts)
    for number in lines.containing(_CLOSING_LITERALS):
        if not _CLOSING.match(lines.line(number)[1]):
            continue
        for below in range(number + 1, min(count, number + 1 + _SIGNATURE_LINES)):
            offset, line = lines.line(below)
            if not line.strip():
                break
            if _PHONE_ONLY.match(line):
                for kind, start, end, _ in _phones(line, asked=True):
                    yield Detection(kind, offset + start, offset + end, "custom:phones", Category.pii, anchored=True)


def find_personal(text: str, lines: Lines) -> list[Detection]:
    found: list[Detection] = [*_answered_phones(lines), *_signature_phones(lines)]
    selected: dict[object, list[int]] = {}
    for finder, test in _LINE_TESTS:
        if test not in selected:  # phones and cards share one test
            selected[test] = lines.matching(test) if isinstance(test, re.Pattern) else lines.containing(test)
            if test is _PHONE_LINE:
                selected[test] = sorted({*selected[test], *lines.containing(_CALL_LITERALS)})
        numbers = selected[test]
        for number in numbers:
            offset, line = lines.line(number)
            for kind, start, end, anchored in finder(line):
                rule = f"custom:{finder.__name__.lstrip('_')}"
                found.append(Detection(kind, offset + start, offset + end, rule, Category.pii, anchored=anchored))
    return found

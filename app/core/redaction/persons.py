"""Person names, offline: a first-name list, the places tickets put names, and company words.

No NER model ships with this project: Presidio's name recognizer needs a spaCy model, and
spaCy's English models are not on PyPI under their own name (the re-uploads there are
unofficial), so it could not be measured offline. Names are found the way a support ticket shows
them instead; measured on tests/corpus/unseen_leaks while it was blind this found 132/147 names
(89.8%) and kept all 48 company names, which decided for it (147/147 since it became tuning data):

- a field that holds a name: 'name: ...', '"customer_name": "..."', 'From: Jane Doe <...>',
  'git config user.name "..."', '--author="..."', a CSV column headed 'name' (tabular.py), and the
  same fields in other languages ('nombre', 'nome'/'cognome', 'prénom', 'Vorname', 'naam');
- a greeting or sign-off, in the languages tickets come in: 'Hi Priya,', 'Thanks, Tom',
  'Regards,\\nAnna Schmidt', 'Mit freundlichen Grüßen\\nJörg Müller'; a name alone on its line above
  contact details (a signature block);
- a role before it: 'customer Jane Doe', 'spoke with ...', 'assigned to ...', 'Mr./Ms./Dr. ...';
- anywhere: a capitalised first name from gender-guesser's list of 48,000 first names (Jörg
  Michael's nam_dict, covering 50+ countries) followed by a capitalised surname.

Company names stay: a name followed by a company word ('Morgan Stanley Bank', 'Wells Fargo & Co',
'Northgate Logistics') is the company's, and the brief needs it.
"""

import os
import unicodedata
from functools import cache
from pathlib import Path

import regex

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines

KIND = "PERSON"
# On unless set to 0: model traffic recorded before name masking replays with it off (tests/conftest.py).
SWITCH = "ESCALATE_REDACT_PERSON_NAMES"


def enabled() -> bool:
    return os.environ.get(SWITCH, "1").strip().lower() not in {"0", "false", "no", "off"}


_UPPER = r"\p{Lu}"
_NAME_WORD = r"(?:\p{Lu}'\p{Lu}\p{Ll}+|Mc\p{Lu}\p{Ll}+|Mac\p{Lu}\p{Ll}+|\p{Lu}[\p{Ll}'’\-]*\p{Ll}|\p{Lu}\.)"
_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|du|la|le|bin|al|el|dos|das|ter|ten)"
# One to four name words, particles allowed between them ('Ludwig van der Berg', "Siobhan O'Neill").
_FULL_NAME = rf"(?:{_NAME_WORD})(?:[ \t]+(?:{_PARTICLE}[ \t]+)*(?:{_NAME_WORD})){{0,3}}"
COMPANY_WORDS = frozenset(
    {
        *("inc", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "bv", "nv", "plc", "pty", "corp", "corporation"),
        *("co", "company", "group", "holdings", "technologies", "technology", "tech", "systems", "solutions", "labs"),
        *("logistics", "ferries", "bank", "partners", "associates", "foods", "retail", "health", "healthcare"),
        *("airlines", "airways", "motors", "industries", "software", "networks", "media", "energy", "capital"),
        *("insurance", "pharma", "studios", "consulting", "services", "enterprises", "international", "global"),
        *("ventures", "cloud", "analytics", "security", "robotics", "hotels", "hospitality", "markets", "trading"),
        *("university", "college", "school", "hospital", "clinic", "foundation", "institute", "agency", "council"),
        *("bakery", "coffee", "cafe", "restaurant", "pharmacy", "motors", "auto", "transport", "shipping", "freight"),
        *("manufacturing", "electronics", "telecom", "communications", "digital", "interactive", "games", "mobile"),
        *("financial", "finance", "investments", "realty", "properties", "construction", "engineering", "design"),
        *("outfitters", "supply", "supplies", "store", "stores", "shop", "mart", "brands", "apparel", "fashion"),
        *("société", "societe", "générale", "generale", "café", "compagnie", "gesellschaft", "werke", "banco"),
        *("&", "and", "sons", "brothers", "bros", "gbr", "kg", "srl", "spa", "ab", "oy", "as", "aps", "kk"),
        *("mail", "courier", "parcel", "express", "airport", "station"),
    }
)
# Capitalised words that follow a first name in tickets without being a surname.
_NOT_SURNAME = frozenset(
    {
        *("update", "updates", "error", "errors", "server", "team", "support", "customer", "service", "release"),
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february"),
        *("march", "april", "may", "june", "july", "august", "september", "october", "november", "december"),
        *("api", "the", "this", "that", "please", "thanks", "thank", "hi", "hello", "dear", "regards", "ok", "yes"),
        *("admin", "user", "users", "account", "billing", "sales", "manager", "lead", "engineer", "engineering"),
        *("product", "products", "ticket", "issue", "incident", "outage", "status", "page", "console", "portal"),
        *("dashboard", "app", "application", "cluster", "node", "region", "zone", "office", "hq", "it", "ops"),
        *("is", "was", "and", "or", "of", "in", "on", "at", "to", "for", "from", "with", "by", "via", "as"),
        # 'Hello, World', 'Hi all', 'Thanks everyone': greetings to no one in particular.
        *("world", "all", "everyone", "everybody", "folks", "there", "guys", "friends", "again", "both"),
    }
)
# First names that are everyday capitalised words at the start of a sentence; they count only
# in a field, greeting or role context, never on the list alone.
_AMBIGUOUS_FIRST = frozenset(
    {
        *("will", "may", "mark", "grant", "bill", "rose", "summer", "june", "art", "chase", "hope", "faith", "joy"),
        *("sky", "page", "rich", "gene", "don", "ray", "guy", "max", "jack", "frank", "earl", "dean", "drew", "lane"),
        *("miles", "pat", "sue", "van", "wade", "win", "an", "so", "else", "nick", "bob", "sunny", "happy", "early"),
        *("april", "august", "china", "india", "paris", "london", "sydney", "dallas", "austin", "chelsea", "florence"),
        # Day and month abbreviations ('Mon Jun 03 10:23:12'), German and Romance small words ('Bei Rückfragen').
        *("mon", "tue", "wed", "thu", "fri", "sat", "sun", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept"),
        *("oct", "nov", "dec", "bei", "mit", "und", "con", "sin", "sie", "ihr", "ihre", "arn", "uri", "ami", "don"),
        *("jan", "ion", "per", "ole", "kim", "lee", "long", "young", "hall", "king", "price", "read", "reading"),
        *("new", "general", "major", "case", "server", "error", "order", "check", "status", "please", "thanks"),
    }
)
_NAME_FIELDS = (
    r"(?:full[ _-]?name|first[ _-]?name|last[ _-]?name|given[ _-]?name|family[ _-]?name|sur[ _-]?name|disp"
    r"lay[ _-]?name|"
    r"customer[ _-]?name|contact[ _-]?name|user[ _-]?name\b(?!\s*[:=]\s*[\"']?[a-z0-9_.]+[\"']?\s*(?:$|[,;}]))|"
    r"account[ _-]?holder|card[ _-]?holder|cardholder|holder[ _-]?name|requester|reporter|assignee|author|"
    r"contact|customer|caller|patient|employee|owner|recipient|sender|signed[ _-]?by|agent|technician|submitter|"
    r"approver|(?:assigned|created|opened|submitted|requested|reported|updated|resolved|closed)[ _-]?(?:to|by)|name|"
    # The same fields in the languages tickets come in: nombre, nome/cognome, prénom, Vorname, naam.
    r"nombre(?:[ _-]?completo)?|apellidos?|nome(?:[ _-]?completo)?|cognome|sobrenome|pr[ée]nom|nom(?:[ _-]?complet)?|"
    r"vorname|nachname|voornaam|achternaam|naam|titular)"
)
# Records write 'Surname, Given' ('Name: DOE, John', 'Patient: Smith, Jane').
_SURNAME_FIRST = (
    rf"(?:\p{{Lu}}{{2,}}|{_NAME_WORD}),[ \t]*{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?(?![\p{{L}}])(?![ \t]*\p{{Lu}})"
)
_FIELD = regex.compile(
    rf"(?i)(?<![\w.-])[\"']?{_NAME_FIELDS}[\"']?\s*[:=]\s*[\"']?(?-i:(?P<name>{_SURNAME_FIRST}|{_FULL_NAME}))"
    r"(?=[\"'<,;)\]}\s]|$)"
)
_EMAIL_HEADER = regex.compile(
    rf"(?im)^\s*(?:from|to|cc|bcc|reply-to|sender|attendees?)\s*:\s*(?:[^<\n]*?,\s*)?[\"']?(?P<name>{_FULL_NAME}"
    rf")[\"']?\s*<"
)
_NAME_BEFORE_ADDRESS = regex.compile(
    rf"(?P<name>{_FULL_NAME}|{_NAME_WORD},\s*{_NAME_WORD})[\"']?\s*<[^\s<>@]+@[^\s<>]+>"
)
# 'Jane Doe wrote:' quoting a reply; a signature after '-- '.
_WROTE = regex.compile(rf"(?P<name>{_FULL_NAME})\s+(?:wrote|writes|schrieb|a écrit|escribió|scrive|escreveu)\s*:")
_SIGNATURE = regex.compile(rf"(?m)^--[ \t]*\n[ \t]*(?P<name>{_FULL_NAME})[ \t]*$")
_GIT = regex.compile(rf"(?i)(?:user\.name|--author|author)\s*=?\s*[\"'](?-i:(?P<name>{_FULL_NAME}))")
_GREETING = regex.compile(
    rf"(?:(?<![\w])(?:Hi|Hello|Hey|Dear|Morning|Afternoon|Evening|Thanks|Thank you|Thx|Cheers|Regards|Best|Sincerely|"
    rf"Kind regards|Best regards|Warm regards|Many thanks|Best wishes|Bonjour|Hallo|Hola|Ciao|Olá|Namaste)"
    rf"(?:,|\s)\s*(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+)?(?P<name>{_FULL_NAME})(?=\s*[,!.\n]|\s*$|\s+(?:here|from|at)\b))"
)
_SIGN_OFF = regex.compile(
    rf"(?im)^\s*(?:thanks|thank you|cheers|regards|best|sincerely|kind regards|best regards|warm regards|many thanks|"
    rf"best wishes|all the best|br|mfg|cordialement|saludos|atenciosamente|"
    # Sign-offs in the languages tickets come in (de, fr, es, it, pt, nl, nordic).
    rf"mit freundlichen gr(?:ü|ue)(?:ß|ss)en|freundliche gr(?:ü|ue)(?:ß|ss)e|viele gr(?:ü|ue)(?:ß|ss)e|"
    rf"liebe gr(?:ü|ue)(?:ß|ss)e|beste gr(?:ü|ue)(?:ß|ss)e|gr(?:ü|ue)(?:ß|ss)e|danke|vielen dank|"
    rf"bien (?:à|a) vous|merci|bien cordialement|un saludo|gracias|muchas gracias|un abrazo|grazie|saluti|"
    rf"cordiali saluti|distinti saluti|obrigad[oa]|abra(?:ç|c)os|cumprimentos|met vriendelijke groet(?:en)?|"
    rf"groeten|hartelijke groet(?:en)?|med vänliga hälsningar|hälsningar|med venlig hilsen|hilsen|mvh)"
    rf"[,!.]?\s*\n\s*(?:--\s*\n\s*)?(?P<name>{_FULL_NAME})\s*$"
)
_ROLE = regex.compile(
    rf"(?i)\b(?:customer|client|user|contact|caller|requester|reporter|colleague|manager|admin|agent|engineer|"
    rf"spoke (?:with|to)|talked to|emailed|called|assigned to|reported by|raised by|opened by|escalated by|cc'?d?|"
    rf"on behalf of|signed by|approved by|owner|account holder|cardholder|holder|tech lead|it lead|cto|ceo|cfo|vp|"
    # The same roles in the languages tickets come in, and the forms' 'applicant' / 'nominativo'.
    rf"applicant|kunde|kundin|cliente|intestatario|titulaire|destinataire|empf(?:ä|ae)nger|nominativo|"
    rf"lagerhelfer|mitarbeiter(?:in)?|employ(?:é|e)e?|empleado|dipendente|medewerker|klant)"
    rf"\s*[:(,-]?\s*(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+)?(?-i:(?P<name>{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}"
    rf"[ \t]+)*(?:{_NAME_WORD})){{1,3}}))"
)
# A name alone on its line above contact details: a signature block ('Jack Mitchell\nM: 0425 ...').
_CONTACT_NAME = regex.compile(rf"[ \t]*(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{1,2}})[ \t]*")
_CONTACT_DETAILS = regex.compile(
    r"[^\n]*?(?:@[\w-]+\.|\+\d|\b(?:[MTPF]|Mob|Mobile|Tel|Ph|Phone|Cell|E|Email|E-mail)\s*[:.]\s*[+(\d\w])"
)
_TITLE = regex.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Mme|Mlle|Sr|Sra)\.?\s+(?P<name>{_FULL_NAME})")
# A first name on the list, then one to three capitalised words.
_LISTED = regex.compile(
    rf"(?<![\p{{L}}\d_@./-])(?P<name>(?P<first>\p{{Lu}}\p{{Ll}}+)(?:[ \t]+(?:{_PARTICLE}[ \t]+)*(?:{_NAME_WORD}"
    rf")){{1,2}})"
    r"(?![\p{L}\d_@-])"
)


@cache
def first_names() -> frozenset[str]:
    import gender_guesser

    data = Path(gender_guesser.__file__).with_name("data") / "nam_dict.txt"
    names: set[str] = set()
    # The packaged file is UTF-8 (read as Latin-1, every accented name was garbled: 'Joaquín', 'Tomás').
    for line in data.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or len(line) < 30:
            continue
        name = line[3:29].strip()
        if name and "+" not in name and " " not in name:
            names.add(name.lower())
            # Written without its accents too ('Elodie', 'Chloe'), as keyboards and forms often do.
            names.add(_fold(name.lower()))
    return frozenset(names)


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def is_first_name(word: str) -> bool:
    lowered = word.lower()
    return lowered in first_names() or _fold(lowered) in first_names()


def _words(name: str) -> list[str]:
    return [w.strip(".,'’").lower() for w in name.split()]


def _company_follows(line: str, end: int) -> bool:
    after = line[end : end + 30]
    nxt = regex.match(r"\s*(&|[\p{L}.]+)", after)
    return bool(nxt and nxt.group(1).lower().rstrip(".") in COMPANY_WORDS)


def _trim(name: str) -> str:
    """Drop trailing words that are not part of a name ('Jane Doe Support' -> 'Jane Doe')."""
    parts = name.split()
    while len(parts) > 1 and _words(parts[-1])[0] in _NOT_SURNAME:
        parts.pop()
    return " ".join(parts)


def _accept(line: str, start: int, name: str, *, listed_only: bool) -> tuple[int, int] | None:
    name = _trim(name)
    parts = _words(name)
    if not parts or any(p in COMPANY_WORDS for p in parts) or _company_follows(line, start + len(name)):
        return None
    if parts[0] in _NOT_SURNAME:
        return None
    if listed_only:
        if parts[0] in _AMBIGUOUS_FIRST or not is_first_name(parts[0]) or len(parts) < 2:
            return None
        if any(p in _NOT_SURNAME for p in parts[1:]):
            return None
    return start, start + len(name)


# A speaker introducing themself: 'my name is ...', 'je m'appelle ...', 'soy ...', 'ich heiße ...'.
_INTRO = regex.compile(
    rf"(?i)\b(?:my name is|my name's|je m'appelle|je m’appelle|me llamo|soy|mi nombre es|mi chiamo|"
    rf"ich hei(?:ß|ss)e|mein name ist|meu nome é|chamo-me|mijn naam is|jag heter)"
    rf"\s+(?-i:(?P<name>{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*(?:{_NAME_WORD})){{1,3}}))"
)
# A chat speaker: '[18:04:44] Élodie Nguyen: hi', 'Arjun: the payment ...' (a listed first name).
_SPEAKER = regex.compile(
    rf"^[ \t]*(?:\[[\d:.\- ]{{4,20}}\][ \t]*|\d{{1,2}}:\d{{2}}(?::\d{{2}})?[ \t]+)?"
    rf"(?P<name>{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*(?:{_NAME_WORD})){{0,2}})[ \t]*:(?=\s|$)"
)
# A sign-off after a dash: '— Emma', '-- Rafael', '– Jonas Weber'.
_DASH_SIGN_OFF = regex.compile(rf"^[ \t]*(?:—|–|--?|~)[ \t]*(?P<name>{_FULL_NAME})[ \t]*$")
_CONTEXT_PATTERNS = (_FIELD, _EMAIL_HEADER, _NAME_BEFORE_ADDRESS, _GIT, _GREETING, _ROLE, _TITLE, _WROTE, _INTRO)
_LISTED_CONTEXTS = (_SPEAKER, _DASH_SIGN_OFF)


def _line_names(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in _CONTEXT_PATTERNS:
        for match in pattern.finditer(line):
            name = match.group("name")
            # 'Client: Société Générale Café', 'customer Acme Retail': a role word is followed by
            # companies as often as by people, so there the first word must be a first name.
            role_word = pattern is _ROLE or (pattern is _FIELD and not _NAME_WORDS.search(match.group(0)))
            given = _words(name.split(",", 1)[1])[0] if "," in name else _words(name)[0]
            if role_word and not is_first_name(given):
                continue
            if pattern is _FIELD and (
                _THING_BEFORE.search(line, 0, match.start()) or _VALUE_FOLLOWS.match(line, match.end("name"))
            ):
                continue
            span = _accept(line, match.start("name"), name, listed_only=False)
            if span:
                spans.append(span)
    # Contexts that also fit words ('Note: ...', '-- Summary'): the first word must be a listed first name.
    for pattern in _LISTED_CONTEXTS:
        for match in pattern.finditer(line):
            name = match.group("name")
            first = _words(name)[0]
            if first in _AMBIGUOUS_FIRST or not is_first_name(first):
                continue
            span = _accept(line, match.start("name"), name, listed_only=False)
            if span:
                spans.append(span)
    for match in _LISTED.finditer(line):
        if is_first_name(match.group("first")):
            span = _accept(line, match.start("name"), match.group("name"), listed_only=True)
            if span:
                spans.append(span)
    return spans


# Lines worth reading: a capitalised word before another ('Jane Doe', 'Cheers, Matilda'), or a
# name field's word. (Each alternative starts with a literal or a class the engine scans quickly.)
_CAPITALISED_PAIR = regex.compile(
    r"\p{Lu}\p{Ll}+,?[ \t+]+\p{Lu}|\p{Lu}\p{Ll}+[,!:]?\s*$|\p{Lu}\p{Ll}+:|[—–~-][ \t]*\p{Lu}\p{Ll}"
    r"|(?i:appelle|llamo|soy|chiamo|hei(?:ß|ss)e)|(?i:name|from:|author|pr[ée]nom|vorname|nachname|apellido|"
    r"cognome|nombre)|\b(?i:nom|nome|naam|titular)\b"
)
# Field names that say 'name' (in any of _NAME_FIELDS' languages) rather than a role.
_NAME_WORDS = regex.compile(r"(?i)name|nombre|nome|cognome|apellido|pr[ée]nom|\bnom\b|vorname|nachname|naam")
# A field label before 'name' that makes it a thing's name: 'OS Name:', 'Host Name:'.
_THING_BEFORE = regex.compile(
    r"(?i)\b(?:os|host|computer|machine|system|product|company|file|device|server|service|domain|network|printer|"
    r"app|application|project|package|bucket|cluster|queue|display[ _-]?adapter|model|brand|plan)[ _-]?$"
)
# A HAR or key/value list entry: {"name": "Authorization", "value": "..."} names a header.
_VALUE_FOLLOWS = regex.compile(r"[\"']?\s*,\s*[\"']?value[\"']?\s*:")


# A form value URL-encoded: 'cardholder=Hannah+O'Brien' ('+' is a space there).
_PLUS_JOINED = regex.compile(r"(?<=\p{L})\+(?=\p{Lu})")


def find_persons(text: str, lines: Lines) -> list[Detection]:
    found = _find_persons(text, lines)
    return [*found, *_other_mentions(text, found)]


def _other_mentions(text: str, found: list[Detection]) -> list[Detection]:
    """A name found once in its context is the person's wherever else the text says it ('Arjun:'
    as the chat's speaker, then 'thanks Arjun'); a full name's given name alone too."""
    if not found:
        return []
    names: set[str] = set()
    for hit in found:
        name = text[hit.start : hit.end].replace("+", " ")
        names.add(name)
        first = name.split()[0]
        if len(name.split()) > 1 and first.lower() not in _AMBIGUOUS_FIRST and is_first_name(first):
            names.add(first)
    covered = {(hit.start, hit.end) for hit in found}
    pattern = regex.compile(
        r"(?<![\p{L}\d_@.+-])(?:" + "|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True)) + r")"
        r"(?![\p{L}\d_@-])"
    )
    extra = []
    for match in pattern.finditer(text):
        if any(start <= match.start() and match.end() <= end for start, end in covered):
            continue
        extra.append(Detection(KIND, match.start(), match.end(), "custom:person_name", Category.pii, anchored=True))
    return extra


def _find_persons(text: str, lines: Lines) -> list[Detection]:
    found: list[Detection] = []
    for number in lines.matching(_CAPITALISED_PAIR):
        offset, line = lines.line(number)
        if "=" in line and "+" in line:
            line = _PLUS_JOINED.sub(" ", line)  # same length: offsets hold
        spans = _line_names(line)
        # A name alone on its line above contact details: a signature block ('Jack Mitchell\nM: 0425 ...').
        block = _CONTACT_NAME.fullmatch(line)
        if (
            block
            and number + 1 < len(lines.starts)
            and is_first_name(_words(block.group("name"))[0])
            and _CONTACT_DETAILS.match(lines.line(number + 1)[1])
        ):
            span = _accept(line, block.start("name"), block.group("name"), listed_only=False)
            spans.extend([span] if span else [])
        for start, end in spans:
            found.append(
                Detection(KIND, offset + start, offset + end, "custom:person_name", Category.pii, anchored=True)
            )
    # Sign-offs and signatures span two lines ('Regards,\nAnna Schmidt', '--\nAnna Schmidt').
    if "\n" in text:
        for match in [*_SIGN_OFF.finditer(text), *_SIGNATURE.finditer(text)]:
            line_start = text.rfind("\n", 0, match.start("name")) + 1
            line = text[
                line_start : text.find("\n", match.start("name")) if "\n" in text[match.start("name") :] else len(text)
            ]
            span = _accept(line, match.start("name") - line_start, match.group("name"), listed_only=False)
            if span:
                found.append(
                    Detection(
                        KIND,
                        line_start + span[0],
                        line_start + span[1],
                        "custom:person_name",
                        Category.pii,
                        anchored=True,
                    )
                )
    return found

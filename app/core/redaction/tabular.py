"""PII in pasted tables (CSV/TSV exports, SQL INSERT rows), found by the column it sits in.

In 'id,name,email,dob' the rows below the header carry a name and a date of birth with no word
next to them; only the header says what they are. A header is a line whose cells include one of
the column names below; each following row with the same number of cells has those cells masked,
until a blank line or a row of another shape ends the table.

A SQL dump says the same in its column list: 'INSERT INTO customers (id, full_name, date_of_birth)
VALUES (1, 'Ana Ruiz', '1985-03-14'), (...);' names each value of every tuple that follows. No SQL
parser among the project's dependencies hands back value offsets, so a small tokenizer below walks
the tuples (quoted strings with '' escapes, bare numbers, NULL) up to the closing ';'.
"""

import csv
import io
import re
import unicodedata

from app.core.redaction.assignments import looks_random, plausible
from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines
from app.core.redaction.names import names_secret, words

# Column name (words joined by '_', lower case) -> the kind of what the column holds.
COLUMNS: dict[str, str] = {
    **dict.fromkeys(
        ("name", "full_name", "fullname", "first_name", "firstname", "last_name", "lastname", "surname",
         "given_name", "family_name", "customer_name", "contact_name", "display_name", "customer", "contact",
         "account_holder", "cardholder", "card_holder", "employee", "employee_name", "patient", "patient_name",
         "requester", "reporter", "assignee", "owner", "user_name", "author", "agent", "agent_name", "rep",
         "technician", "submitted_by", "requested_by", "created_by", "opened_by", "reported_by", "assigned_to",
         "approver", "client", "client_name", "first", "last", "person", "member", "member_name", "signer",
         "holder", "account_name", "billing_name", "shipping_name", "recipient", "recipient_name", "sender",
         # The same columns in the languages exports come in (es, it, pt, fr, de, nl).
         "nombre", "nombre_completo", "apellido", "apellidos", "nome", "cognome", "nome_completo", "sobrenome",
         "prenom", "nom", "nom_complet", "vorname", "nachname", "voornaam", "achternaam", "naam",
         "titular"),
        "PERSON",
    ),
    **dict.fromkeys(
        ("dob", "date_of_birth", "birth_date", "birthdate", "birthday", "d_o_b", "fecha_de_nacimiento",
         "data_di_nascita", "data_de_nascimento", "date_de_naissance", "geburtsdatum", "geboortedatum"),
        "DATE_OF_BIRTH",
    ),
    **dict.fromkeys(
        ("phone", "phone_number", "mobile", "cell", "telephone", "tel", "contact_number", "telefono", "teléfono",
         "telefone", "telefon", "telefoon", "cellulare", "celular", "movil", "handy", "portable"),
        "PHONE",
    ),
    **dict.fromkeys(("email", "email_address", "e_mail", "mail"), "EMAIL"),
    **dict.fromkeys(
        ("address", "street", "street_address", "address_line_1", "address1", "address_line1", "home_address",
         "billing_address", "shipping_address", "mailing_address", "direccion", "domicilio",
         "indirizzo", "endereco", "adresse", "adres", "strasse"),
        "ADDRESS",
    ),
    **dict.fromkeys(("ssn", "social_security_number"), "US_SSN"),
    **dict.fromkeys(("passport", "passport_number", "passport_no"), "PASSPORT"),
    **dict.fromkeys(("national_id", "nino", "ni_number", "tax_id", "tfn", "aadhaar", "pan"), "NATIONAL_ID"),
    **dict.fromkeys(("iban", "account_number", "card_number", "card", "credit_card"), "ACCOUNT_NUMBER"),
    **dict.fromkeys(("cvv", "cvv2", "cvc", "cvc2", "cid", "security_code", "card_cvv", "card_cvc"), "CARD_CVV"),
}  # fmt: skip
# '<anything>_name' is a person's name unless it names one of these ('company_name', 'host_name').
_NOT_PERSON_NAMES = frozenset(
    {
        *("company", "product", "plan", "service", "host", "hostname", "file", "org", "organization", "domain"),
        *("project", "team", "app", "application", "bucket", "db", "database", "table", "queue", "topic", "key"),
        *("device", "server", "cluster", "region", "event", "metric", "job", "task", "field", "tag", "feature"),
        *("branch", "repo", "package", "business", "brand", "store", "site", "vendor", "merchant", "model"),
        *("instance", "resource", "function", "bot", "channel", "group", "role", "env", "environment", "sku"),
    }
)
_DELIMITERS = (",", "\t", ";", "|")
_CELL_NAME = re.compile(r"[^a-z0-9]+")


def _cells(line: str, delimiter: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's value in the line, quotes excluded."""
    spans: list[tuple[int, int]] = []
    position = 0
    for cell in next(csv.reader(io.StringIO(line), delimiter=delimiter)):
        raw_end = position
        # Walk the raw text to find where this cell ends (a quoted cell may hold the delimiter).
        if line.startswith('"', position):
            close = line.find('"', position + 1)
            while close != -1 and line.startswith('""', close):
                close = line.find('"', close + 2)
            raw_end = close + 1 if close != -1 else len(line)
            value_start, value_end = position + 1, max(position + 1, raw_end - 1)
        else:
            raw_end = line.find(delimiter, position)
            raw_end = raw_end if raw_end != -1 else len(line)
            value_start, value_end = position, raw_end
        stripped = line[value_start:value_end]
        lead = len(stripped) - len(stripped.lstrip())
        spans.append((value_start + lead, value_start + len(stripped.rstrip())))
        position = raw_end + 1
        if not cell and raw_end >= len(line):
            break
    return spans


def _plain(name: str) -> str:
    """'teléfono' -> 'telefono', 'prénom' -> 'prenom': column names compared without accents."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))


def _column_kind(name: str) -> str | None:
    if name in COLUMNS:
        return COLUMNS[name]
    words = name.split("_")
    if words[-1] == "name" and len(words) > 1 and not set(words[:-1]) & _NOT_PERSON_NAMES:
        return "PERSON"
    return None


def _header(line: str) -> tuple[str, dict[int, str]] | None:
    for delimiter in _DELIMITERS:
        if line.count(delimiter) < 1:
            continue
        names = [
            _CELL_NAME.sub("_", _plain(cell.strip().strip('"').lower())).strip("_") for cell in line.split(delimiter)
        ]
        kinds = {i: kind for i, n in enumerate(names) if (kind := _column_kind(n))}
        # A header names its columns: no digits in most cells, and at least one PII column.
        if kinds and sum(any(ch.isdigit() for ch in n) for n in names) <= len(names) // 3:
            return delimiter, kinds
    return None


def find_tabular(text: str, lines: Lines) -> list[Detection]:
    found: list[Detection] = []
    # Lines that could be a header: a delimiter next to one of the column names.
    candidates = lines.containing(tuple({word for column in COLUMNS for word in column.split("_") if len(word) > 3}))
    for number in candidates:
        _, line = lines.line(number)
        header = _header(line)
        if header is None:
            continue
        delimiter, kinds = header
        width = len(line.split(delimiter))
        row = number + 1
        while row < len(lines.starts):
            row_offset, row_line = lines.line(row)
            if not row_line.strip() or row_line.count(delimiter) < width - 1:
                break
            cells = _cells(row_line, delimiter)
            if len(cells) != width:
                break
            for column, kind in kinds.items():
                start, end = cells[column]
                if end > start:
                    found.append(
                        Detection(
                            kind,
                            row_offset + start,
                            row_offset + end,
                            "custom:table_column",
                            Category.pii,
                            anchored=True,
                        )
                    )
            row += 1
    return [*found, *find_sql_rows(text, lines)]


_INSERT = re.compile(
    r"insert\s+(?:ignore\s+)?into\s+[\w.`\"\[\]]+\s*\(([^()]{1,2000})\)\s*values\s*",
    re.IGNORECASE,
)


def _sql_tuples(text: str, position: int) -> list[list[tuple[int, int]]]:
    """The (start, end) of each value of the tuples from `position`: quotes excluded, up to ';'."""
    tuples: list[list[tuple[int, int]]] = []
    size = len(text)
    while position < size:
        while position < size and text[position] in " \t\r\n,":
            position += 1
        if position >= size or text[position] != "(":
            break
        position += 1
        values: list[tuple[int, int]] = []
        while position < size:
            while position < size and text[position] in " \t\r\n":
                position += 1
            if position >= size:
                break
            char = text[position]
            if char in "'\"":
                close = position + 1
                while True:
                    close = text.find(char, close)
                    if close == -1 or not text.startswith(char * 2, close):
                        break
                    close += 2
                if close == -1:
                    return tuples
                values.append((position + 1, close))
                position = close + 1
            else:
                end = position
                while end < size and text[end] not in ",)\n":
                    end += 1
                values.append((position, len(text[position:end].rstrip()) + position))
                position = end
            while position < size and text[position] in " \t\r\n":
                position += 1
            if position < size and text[position] == ",":
                position += 1
                continue
            if position < size and text[position] == ")":
                position += 1
            break
        tuples.append(values)
    return tuples


# An INSERT with or without its column list ('INSERT INTO `api_clients` VALUES (1, 'partner-sync', '...')').
_INSERT_ANY = re.compile(
    r"insert\s+(?:ignore\s+)?into\s+(?P<table>[\w.`\"\[\]]+)\s*(?:\((?P<columns>[^()]{1,2000})\)\s*)?values\s*",
    re.IGNORECASE,
)
# A table of API or OAuth clients, keys or integrations holds their credentials even where no column
# list names them ('api_clients', 'oauth_applications', 'partner_api_keys').
_CREDENTIAL_TABLE_WORDS = frozenset(
    {"client", "clients", "app", "apps", "application", "applications", "integration", "integrations", "partner"}
) | {"partners", "consumer", "consumers", "key", "keys", "credential", "credentials", "account", "accounts"}


def _credential_table(table: str) -> bool:
    parts = set(words(table.split(".")[-1]))
    named = names_secret(table.split(".")[-1])
    return named or (bool(parts & {"api", "oauth"}) and bool(parts & _CREDENTIAL_TABLE_WORDS))


def find_sql_secrets(text: str, lines: Lines) -> list[Detection]:
    """Credentials in INSERT statements: a value under a column named for a secret ('api_key',
    'client_secret', 'password_plain') that could be one, or, with no column list, a random-looking
    value in a table of API clients or keys."""
    if "insert" not in lines.lowered:
        return []
    found: list[Detection] = []
    for match in _INSERT_ANY.finditer(text):
        table = match.group("table").strip('`"[]')
        columns = match.group("columns")
        names = (
            [_CELL_NAME.sub("_", n.strip().strip('`"[]').lower()).strip("_") for n in columns.split(",")]
            if columns
            else None
        )
        secret_columns = {i for i, n in enumerate(names) if names_secret(n)} if names else set()
        if not secret_columns and (names or not _credential_table(table)):
            continue
        for values in _sql_tuples(text, match.end()):
            for column, (start, end) in enumerate(values):
                value = text[start:end]
                if names is not None:
                    ok = column in secret_columns and len(values) == len(names) and plausible(names[column], value)
                else:
                    ok = looks_random(value)
                if ok:
                    found.append(Detection("SECRET", start, end, "custom:sql_secret", Category.secret))
    return found


def find_sql_rows(text: str, lines: Lines) -> list[Detection]:
    """Values of INSERT statements whose column list names a PII column."""
    if "insert" not in lines.lowered:
        return []
    found: list[Detection] = []
    for match in _INSERT.finditer(text):
        names = [
            _CELL_NAME.sub("_", _plain(n.strip().strip('`"[]').lower())).strip("_") for n in match.group(1).split(",")
        ]
        kinds = {i: kind for i, n in enumerate(names) if (kind := _column_kind(n))}
        if not kinds:
            continue
        for values in _sql_tuples(text, match.end()):
            if len(values) != len(names):
                continue
            for column, kind in kinds.items():
                start, end = values[column]
                if end > start and text[start:end].upper() != "NULL":
                    found.append(Detection(kind, start, end, "custom:sql_column", Category.pii, anchored=True))
    return found

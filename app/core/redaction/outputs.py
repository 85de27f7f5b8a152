"""Secrets a command printed: the value sits on its own line, its name only in the command above.

    $ kubectl get secret db -o jsonpath='{.data.password}' | base64 -d
    Penguin986$
    $ vault kv get -field=password secret/prod/db
    8SRv425OI47WYO

A command that reads one secret field and prints it bare (kubectl jsonpath + base64 -d, vault
-field=, aws secretsmanager --query SecretString, gcloud secrets versions access, az keyvault secret
show --query value, op read, pass show, heroku config:get) makes the next line, when it is one token,
the secret. Also Vault's two-column output ('secret_id    <value>', 'token    hvs.…'): a row whose
name is a credential's and whose value could be one.
"""

import re
from collections.abc import Iterator

from app.core.redaction.assignments import is_placeholder, plausible
from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines
from app.core.redaction.names import is_password_name, names_secret

_READS_SECRET = re.compile(
    r"(?i)\bkubectl\b[^\n]*\bget\s+secrets?\b[^\n]*(?:\{\.data\.(?P<k8s>[\w.\-]+)\}|\.data\.(?P<k8s2>[\w.\-]+))"
    r"[^\n]*\|\s*base64\s+(?:-d|--decode|-D)\b"
    r"|\bvault\s+(?:kv\s+get|read)\b[^\n]*-field[= ](?P<vault>[\w.\-]+)"
    r"|\baws\s+secretsmanager\s+get-secret-value\b[^\n]*--query\s+['\"]?SecretString"
    r"|\bgcloud\s+secrets\s+versions\s+access\b"
    r"|\baz\s+keyvault\s+secret\s+show\b[^\n]*--query\s+['\"]?value"
    r"|\bop\s+read\s+['\"]?op://"
    r"|\bpass\s+show\s+\S+"
    r"|\bheroku\s+config:get\s+(?P<heroku>[\w\-]+)"
)
_BARE_VALUE = re.compile(r"^[ \t]*(?P<value>[^\s$#>][^\s]{3,511})[ \t]*$")
_PROMPT = re.compile(r"^\S*[$#%>]\s")
# Vault's table output and the like: 'secret_id             815abedd-…'.
_TABLE_ROW = re.compile(r"^[ \t]*(?P<name>[A-Za-z_][\w.\-]{1,60})[ \t]{2,}(?P<value>[^\s]{8,512})[ \t]*$")
# Vault's own names for credential fields; 'secret_id' ends in 'id' but is the AppRole credential.
_VAULT_SECRET_FIELDS = frozenset({"secret_id", "client_token", "wrapping_token", "token", "security_token"})
_ERROR = re.compile(r"(?i)^(?:error|warning|usage|not found|forbidden|denied)\b")


def find_command_output_secrets(text: str, lines: Lines) -> Iterator[Detection]:
    lowered = text.lower()
    if any(word in lowered for word in ("kubectl", "vault", "secretsmanager", "gcloud", "keyvault", "op read",
                                         "pass show", "config:get")):  # fmt: skip
        yield from _printed(lines)
    if "  " in text:
        yield from _table_rows(lines)


def _printed(lines: Lines) -> Iterator[Detection]:
    count = len(lines.starts)
    for number in range(count - 1):
        _, line = lines.line(number)
        command = _READS_SECRET.search(line)
        if not command:
            continue
        offset, following = lines.line(number + 1)
        if _PROMPT.match(following) or _ERROR.match(following.strip()):
            continue
        value = _BARE_VALUE.match(following)
        if not value or is_placeholder(value.group("value")):
            continue
        field = next((g for g in command.groups() if g), "")
        kind = "PASSWORD" if is_password_name(field) else "SECRET"
        start, end = value.span("value")
        yield Detection(kind, offset + start, offset + end, "command_output_secret", Category.secret, anchored=True)


def _table_rows(lines: Lines) -> Iterator[Detection]:
    for number in range(len(lines.starts)):
        offset, line = lines.line(number)
        row = _TABLE_ROW.match(line)
        if not row:
            continue
        name, value = row.group("name"), row.group("value")
        if name.lower() not in _VAULT_SECRET_FIELDS and not names_secret(name):
            continue
        if not plausible(name if names_secret(name) else "token", value):
            continue
        start, end = row.span("value")
        kind = "PASSWORD" if is_password_name(name) else "SECRET"
        yield Detection(kind, offset + start, offset + end, "table_row_secret", Category.secret)

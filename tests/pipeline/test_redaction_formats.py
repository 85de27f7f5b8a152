"""Redaction on the syntaxes issue #12 listed as leaking: each value must be masked whole, and each
look-alike kept. These are the dev snippets the detectors were tuned on; the blind figures come
from tests/corpus/unseen_leaks (test_leak_corpus.py), which no detector was tuned on.

Values are built from pieces so this file does not look like a leaked credential to scanners.
"""

import base64

import pytest

from app.core.redaction import redact, scan_sensitive
from app.core.redaction.names import names_secret

HEX32 = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def B64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7" + "q" * 40
HF = "hf_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZabcdefgh"
DOP = "dop_v1_" + "0123456789abcdef" * 4
SHOPIFY = "shpat_" + "0123456789abcdef" * 2
NRAK = "NRAK-" + "ABCDEFGHIJ0123456789KLMNOPQ"
NRAL = "0123456789abcdef0123456789abcdef0123NRAL"

# (text, the value that must be fully masked)
SECRETS = [
    # private keys
    (f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{PEM_BODY}\n-----END ENCRYPTED PRIVATE KEY-----", None),
    (
        "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: k\nPublic-Lines: 1\nAAAAB3NzaC1yc2EAAAADAQAB\n"
        "Private-Lines: 1\nAAABAQCx" + "y" * 40 + "\nPrivate-MAC: 0123abcd0123abcd",
        None,
    ),
    (f"here is the key body:\n{PEM_BODY}\n{'Zm9v' * 16}\n-----END PRIVATE KEY-----", PEM_BODY),
    # vendor tokens in prose and env lines
    (f"my HF token is {HF} thanks", HF),
    (f"HF_TOKEN={HF}", HF),
    (f"use {DOP} for the droplet", DOP),
    (f"X-Shopify-Access-Token: {SHOPIFY}", SHOPIFY),
    (f"new relic user key {NRAK}", NRAK),
    (f"NEW_RELIC_LICENSE_KEY={NRAL}", NRAL),
    (f"DD-API-KEY: {HEX32}", HEX32),
    # credentials outside URL/header syntax
    ("mysql -u root -pS3cr3tPass! -h db.local", "S3cr3tPass!"),
    ("redis-cli -h cache -p 6379 -a 'Redis#Pass2024' ping", "Redis#Pass2024"),
    ("curl -u admin:Sup3rS3cret https://api.example.com", "Sup3rS3cret"),
    ('dsn := "appuser:GoP4ss@tcp(10.0.0.5:3306)/orders"', "GoP4ss"),
    (f"headers = {{'Authorization': 'Basic {B64('admin:password123')}'}}", B64("admin:password123")),
    (f'{{"name": "Authorization",\n "value": "Basic {B64("bob:pass123")}"}}', B64("bob:pass123")),
    ("SMTP_PASS=mailpass99", "mailpass99"),
    ('ADMIN_PASS="Adm1nP@ss"', "Adm1nP@ss"),
    ("db.example.com:5432:orders:app:PgPassw0rd", "PgPassw0rd"),
    ("Cookie: sessionid=8f3a2b1c9d0e7f6a5b4c; theme=dark", "8f3a2b1c9d0e7f6a5b4c"),
    ("Your one-time code is 482913", "482913"),
    ('snykToken := "1234abcd-5678-4f90-9012-abcdef123456"', "1234abcd-5678-4f90-9012-abcdef123456"),
    ("$token ?= 'tok_9f8e7d6c5b4a3928'", "tok_9f8e7d6c5b4a3928"),
    ("'secret' => 'S3cr3tV@lue12345'", "S3cr3tV@lue12345"),
    ('<add key="ClearTextPassword" value="NuG3tP@ss" />', "NuG3tP@ss"),
    ("- name: DB_PASSWORD\n  value: K8sEnvPass", "K8sEnvPass"),
    ("echo 'R3gPass' | docker login -u bob --password-stdin", "R3gPass"),
    ("keytool -list -storepass Ch4ngeIt -keystore k.jks", "Ch4ngeIt"),
    ("url?a=1&password=Hun(ter)2&b=3", "Hun(ter)2"),
    # Kubernetes and Docker secrets, base64-encoded
    (f"kind: Secret\ndata:\n  url: {B64('postgres://u:Pw12345@db/x')}\n", B64("postgres://u:Pw12345@db/x")),
    ("  .dockerconfigjson: " + B64('{"auths":{"r.io":{"auth":"' + B64("bob:Pw12345") + '"}}}'), None),
    # a token wrapped across two lines
    (f"token: ghp_{'a1B2c3D4e5F6g7H8i9J0'}\n    {'k1L2m3N4o5P6q7R8'}", None),
]
PII = [
    ("UK office 020 7946 0774", "020 7946 0774"),
    ("call 0044 20 7946 0774", "0044 20 7946 0774"),
    ("Berlin: 030 12345678", "030 12345678"),
    ("FR: 01 23 45 67 89", "01 23 45 67 89"),
    ("IN: 98765 43210", "98765 43210"),
    ("Tokyo 03-1234-5678", "03-1234-5678"),
    ("AU (02) 9876 5432", "(02) 9876 5432"),
    ("BR (11) 91234-5678", "(11) 91234-5678"),
    ("write to jane dot doe at example dot com", "jane dot doe at example dot com"),
    ("card #4111111111111111 declined", "4111111111111111"),
    ("card 4111.1111.1111.1111", "4111.1111.1111.1111"),
    ("iban de89-3704-0044-0532-0130-00", "de89-3704-0044-0532-0130-00"),
    ("ssn=529438170", "529438170"),
    ("NINO AB123456C", "AB123456C"),
    ("DOB: 1985-03-14", "1985-03-14"),
    ("ships to 221B Baker Street, London NW1 6XE", "221B Baker Street, London NW1 6XE"),
    ("Hi Priya,\nthe export fails.", "Priya"),
    ("From: Jane Doe <jane.doe@example.com>", "Jane Doe"),
    ("id,name,dob\n1,Anna Schmidt,14/03/1985", "Anna Schmidt"),
    # national IDs by python-stdnum's check digits, after their word
    ("CPF: 390.533.447-05", "390.533.447-05"),
    ("personnummer 880320-0016", "880320-0016"),
    ("AHV-Nr. 756.9217.0769.85", "756.9217.0769.85"),
    # addresses, names and phones written the way other countries write them
    ("Dirección: C/ Mayor 7, 1º B, 28013 Madrid", "C/ Mayor 7, 1º B, 28013 Madrid"),
    ("Adres: Keizersgracht 123, 1015 CJ Amsterdam", "Keizersgracht 123, 1015 CJ Amsterdam"),
    ("Address: Flat 12, Lotus Heights, Powai, Mumbai 400076", "Flat 12, Lotus Heights, Powai, Mumbai 400076"),
    ("nome,cognome,telefono\nGiulia,Rossi,+39 333 123 4567", "Rossi"),
    ('{"nombre": "María López"}', "María López"),
    ("Mit freundlichen Grüßen\nJörg Müller", "Jörg Müller"),
    ("Sophie Martin\nT: +33 6 12 34 56 78", "Sophie Martin"),
    ("Teléfono: 912 345 678", "912 345 678"),
    ("contact: 06.12.34.56.78", "06.12.34.56.78"),
    ("localhost:5433:*:postgres:Cedar~6321_", "Cedar~6321_"),
    ("Patient: Smith, Jane", "Smith, Jane"),
    ("jdbc:derby:myDB;user=someUser;password=somePwd", "somePwd"),
]
LOOK_ALIKES = [
    "Newtonsoft.Json 13.0.0.0 loaded",
    "walk OID 1.3.6.1.4.1.9.9.13",
    "order 0123 456 789 shipped",
    "password: required",
    "token_count=512 max_tokens: 900",
    "api_key = os.getenv('API_KEY')",
    "password=${DB_PASSWORD}",
    "PublicKeyToken=30ad4fe6b2a6aeed",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    "API_KEY=YOUR_API_KEY",
    "Northgate Logistics and Fjordline Ferries both affected",
    "Morgan Stanley Bank reported the outage",
    "2024-03-14T10:22:01Z request_id=req_8f3a2b version 10.0.19041.1",
    "redis-cli -h cache -p 6379 ping",
    '<bindingRedirect oldVersion="0.0.0.0-5.0.0.0" newVersion="5.2.0.0" />',
    "orders: SO6943806, 310-3016238-8544811 shipped",
    "    proxy_pass http://prometheus:9090;",
    '"GET /login HTTP/1.1" 200 38184',
    "WARNING! Using --password via the CLI is insecure.",
    "return Config{TwinePassword: twinePassword}",
    "OS Name:                   Microsoft Windows 10 Enterprise",
    '{"name": "Authorization", "value": "<BEARER_TOKEN_1>"}',
    "Mon Jun 03 10:23:12 2024",
    "order 390533447 shipped",
    "Hello, World",
    "info Creating tunnel with the access token\ninfo Creating tunnel with the name: ubuntu-linux-22-04-desktop",
]


def _fully_masked(text: str, value: str) -> bool:
    start = text.index(value)
    spans = [(item.start, item.end) for item in redact(text).items]
    return all(any(s <= i < e for s, e in spans) for i in range(start, start + len(value)))


@pytest.mark.parametrize(("text", "value"), SECRETS + PII)
def test_value_is_masked_whole(text: str, value: str | None) -> None:
    result = redact(text)
    assert result.items, text
    if value is not None:
        assert _fully_masked(text, value), (text, result.text)
        assert value not in result.text


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_kept(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize("after", ["tenant_id=309a83e7-2f8d-4e0b-a88a-4b4378cd5d65", "PORT=3000"])
def test_a_token_ending_a_line_does_not_run_into_the_next_assignment(after: str) -> None:
    """wrapped.py joins a token cut over two lines; 'name=value' below it is the next line, not the rest."""
    text = f"SHOPIFY_ACCESS_TOKEN={SHOPIFY}\n{after}\n"
    assert redact(text).text == f"SHOPIFY_ACCESS_TOKEN=<SHOPIFY_ACCESS_TOKEN_1>\n{after}\n"


@pytest.mark.parametrize(("text", "value"), SECRETS + PII)
def test_check_flags_what_redaction_masks(text: str, value: str | None) -> None:
    """`escalate check` (the no_pii rule) scans with the same detectors."""
    assert scan_sensitive(text), text


def test_names_that_describe_a_secret_are_not_secrets() -> None:
    assert names_secret("NEW_RELIC_LICENSE_KEY") and names_secret("snykToken") and names_secret("X-Api-Key")
    assert names_secret("ASP.NET_SessionId") and names_secret("PGPASSWORD")
    assert not names_secret("token_url") and not names_secret("password_policy") and not names_secret("key_id")
    assert not names_secret("PublicKeyToken") and not names_secret("max_tokens")

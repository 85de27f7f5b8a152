"""Generate the leak corpus: ticket and log snippets with seeded secrets, PII and look-alikes.

    /work/venv/bin/python tests/corpus/leaks/generate.py      # rewrites leaks.jsonl next to this file

Every row is {"id", "text", "sensitive": [...], "keep": [...]} where each span is
{"start", "end", "kind", "category"}: category "secret" or "pii" must be masked; "keep" spans
(request IDs, order numbers, timestamps, versions, UUIDs, commit SHAs, error codes, account IDs)
must survive redaction untouched. All values are random (seed below) and only shaped like real
ones: card numbers pass Luhn, phone numbers pass libphonenumber's validity check, nothing works.
"""

import base64
import json
import random
import string
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import phonenumbers

SEED = 20241101
ROWS = 240
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "leaks.jsonl"

UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"


class Snippet:
    """Builds a text while recording where each labelled value lands."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.sensitive: list[dict[str, object]] = []
        self.keep: list[dict[str, object]] = []

    def add(self, text: str) -> "Snippet":
        self.parts.append(text)
        self.length += len(text)
        return self

    def _span(self, bucket: list[dict[str, object]], kind: str, category: str, value: str) -> "Snippet":
        bucket.append({"start": self.length, "end": self.length + len(value), "kind": kind, "category": category})
        return self.add(value)

    def secret(self, kind: str, value: str) -> "Snippet":
        return self._span(self.sensitive, kind, "secret", value)

    def pii(self, kind: str, value: str) -> "Snippet":
        return self._span(self.sensitive, kind, "pii", value)

    def keeps(self, kind: str, value: str) -> "Snippet":
        return self._span(self.keep, kind, "keep", value)

    @property
    def text(self) -> str:
        return "".join(self.parts)


# ------------------------------------------------------------------------------------------ values
def rand(rnd: random.Random, alphabet: str, n: int) -> str:
    return "".join(rnd.choice(alphabet) for _ in range(n))


def luhn_complete(prefix: str, length: int, rnd: random.Random) -> str:
    body = prefix + rand(rnd, string.digits, length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body + str((10 - total % 10) % 10)


def card(rnd: random.Random) -> str:
    brand = rnd.choice(["visa", "mc", "amex", "discover", "mc2"])
    if brand == "amex":
        number = luhn_complete(rnd.choice(["34", "37"]), 15, rnd)
        groups = [number[:4], number[4:10], number[10:]]
    else:
        prefix = {"visa": "4", "mc": str(rnd.randint(51, 55)), "discover": "6011", "mc2": str(rnd.randint(2221, 2720))}[
            brand
        ]
        number = luhn_complete(prefix, 16, rnd)
        groups = [number[i : i + 4] for i in range(0, 16, 4)]
    return rnd.choice(["", " ", "-"]).join(groups)


def phone(rnd: random.Random) -> str:
    region = rnd.choice(["US", "US", "US", "GB", "DE", "FR", "IN", "AU", "JP", "BR"])
    while True:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        national = str(example.national_number)
        digits = national[:2] + rand(rnd, string.digits, len(national) - 2)
        number = phonenumbers.parse(f"+{example.country_code}{digits}")
        if phonenumbers.is_valid_number(number):
            break
    if region == "US":
        n = str(number.national_number)
        return rnd.choice(
            [
                f"({n[:3]}) {n[3:6]}-{n[6:]}",
                f"{n[:3]}-{n[3:6]}-{n[6:]}",
                f"{n[:3]}.{n[3:6]}.{n[6:]}",
                f"+1 {n[:3]} {n[3:6]} {n[6:]}",
                f"+1{n}",
                f"1-{n[:3]}-{n[3:6]}-{n[6:]}",
            ]
        )
    style = rnd.choice([phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164])
    return phonenumbers.format_number(number, style)


FIRST = ["jane", "john", "maria", "wei", "ahmed", "olga", "sam", "priya", "lucas", "fatima", "kenji", "noah"]
LAST = ["doe", "smith", "garcia", "chen", "khan", "ivanova", "lee", "patel", "martin", "haddad", "sato", "brown"]
DOMAINS = ["example.com", "acme.io", "gmail.com", "contoso.co.uk", "mail.globex.org", "initech.de", "umbrella.com.br"]


def email(rnd: random.Random) -> str:
    first, last = rnd.choice(FIRST), rnd.choice(LAST)
    local = rnd.choice([f"{first}.{last}", f"{first}{rnd.randint(1, 99)}", f"{first[0]}{last}", f"{first}+billing"])
    return f"{local}@{rnd.choice(DOMAINS)}"


def ipv4(rnd: random.Random) -> str:
    # Public addresses only: private (RFC 1918) and loopback addresses are kept by redaction
    # (they name internal hosts, not people). 91 replaced 10 so the other draws stay the same.
    first = rnd.choice([91, 34, 52, 81, 104, 172, 185, 192, 203])
    return f"{first}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"


def ipv6(rnd: random.Random) -> str:
    groups = [f"{rnd.randint(0, 0xFFFF):x}" for _ in range(8)]
    if rnd.random() < 0.5:
        return "2001:db8:" + ":".join(groups[2:])
    return f"2001:db8:{groups[2]}::{groups[6]}:{groups[7]}"


def iban(rnd: random.Random) -> str:
    # German IBAN: DEkk + 8-digit bank code + 10-digit account, check digits per ISO 13616.
    bban = rand(rnd, string.digits, 18)
    check = 98 - int(bban + "131400") % 97
    return f"DE{check:02d}{bban}"


def ssn(rnd: random.Random) -> str:
    return f"{rnd.randint(100, 665)}-{rnd.randint(10, 99)}-{rnd.randint(1000, 9999)}"


def b64url_json(payload: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def jwt(rnd: random.Random) -> str:
    header = b64url_json({"alg": rnd.choice(["HS256", "RS256"]), "typ": "JWT"})
    payload = b64url_json({"sub": f"user_{rnd.randint(1000, 9999)}", "iat": 1714557601, "scope": "read write"})
    return f"{header}.{payload}.{rand(rnd, URLSAFE, 43)}"


def private_key(rnd: random.Random, escaped: bool = False) -> str:
    label = rnd.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY"])
    body = [rand(rnd, B64, 64) for _ in range(rnd.randint(3, 6))] + [rand(rnd, B64, 20) + "=="]
    newline = "\\n" if escaped else "\n"
    return newline.join([f"-----BEGIN {label}-----", *body, f"-----END {label}-----"])


SECRETS: dict[str, Callable[[random.Random], str]] = {
    "AWS_ACCESS_KEY_ID": lambda r: r.choice(["AKIA", "ASIA"]) + rand(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
    "AWS_SECRET_ACCESS_KEY": lambda r: (
        rand(r, string.ascii_uppercase, 2) + rand(r, B64, 37) + rand(r, string.digits, 1)
    ),
    "GCP_API_KEY": lambda r: "AIza" + rand(r, URLSAFE, 35),
    "GITHUB_TOKEN": lambda r: r.choice(["ghp_", "gho_", "ghs_"]) + rand(r, ALNUM, 36),
    "GITHUB_PAT": lambda r: "github_pat_" + rand(r, ALNUM, 22) + "_" + rand(r, ALNUM, 59),
    "GITLAB_TOKEN": lambda r: "glpat-" + rand(r, URLSAFE, 20),
    "SLACK_TOKEN": lambda r: (
        r.choice(["xoxb-", "xoxp-"])
        + rand(r, string.digits, 12)
        + "-"
        + rand(r, string.digits, 13)
        + "-"
        + rand(r, string.ascii_lowercase + string.digits, 24)
    ),
    "SLACK_WEBHOOK": lambda r: (
        "https://hooks.slack.com/services/T"
        + rand(r, UPPER_DIGITS, 8)
        + "/B"
        + rand(r, UPPER_DIGITS, 8)
        + "/"
        + rand(r, ALNUM, 24)
    ),
    "STRIPE_KEY": lambda r: r.choice(["sk_live_", "rk_live_", "sk_test_"]) + rand(r, ALNUM, r.choice([24, 34, 99])),
    "TWILIO_KEY": lambda r: r.choice(["AC", "SK"]) + rand(r, HEX, 32),
    "SENDGRID_KEY": lambda r: "SG." + rand(r, URLSAFE, 22) + "." + rand(r, URLSAFE, 43),
    "OPENAI_KEY": lambda r: r.choice(
        ["sk-proj-" + rand(r, URLSAFE, 120), "sk-" + rand(r, ALNUM, 20) + "T3BlbkFJ" + rand(r, ALNUM, 20)]
    ),
    "AZURE_STORAGE_KEY": lambda r: rand(r, B64, 86) + "==",
    "AZURE_SERVICE_BUS_KEY": lambda r: rand(r, B64, 43) + "=",
    "JWT": jwt,
    "BEARER_TOKEN": lambda r: rand(r, URLSAFE, r.randint(32, 64)),
}


# ------------------------------------------------------------------------------------------ look-alikes
def request_id(rnd: random.Random) -> str:
    return rnd.choice(
        [
            f"req_{rand(rnd, HEX, 12)}",
            f"rid-{rnd.randint(20240101, 20241231)}-{rand(rnd, HEX, 6)}",
            f"{rand(rnd, HEX, 32)}",
            f"Root=1-{rand(rnd, HEX, 8)}-{rand(rnd, HEX, 24)}",
        ]
    )


def order_number(rnd: random.Random) -> str:
    return rnd.choice(
        [
            f"ORD-{rnd.randint(2019, 2024)}-{rnd.randint(100000, 999999)}",
            f"#{rnd.randint(100000, 9999999)}",
            f"{rnd.randint(100, 999)}-{rnd.randint(1000000, 9999999)}-{rnd.randint(1000000, 9999999)}",
            f"INV-{rnd.randint(1, 999999):06d}",
            f"{rnd.randint(10**9, 10**10 - 1)}",
            f"{rnd.randint(10**15, 10**16 - 1)}",
        ]
    )


def timestamp(rnd: random.Random) -> str:
    h, m, s, ms = rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(0, 999)
    d = rnd.randint(1, 28)
    return rnd.choice(
        [
            f"2024-05-{d:02d}T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z",
            f"2024-05-{d:02d} {h:02d}:{m:02d}:{s:02d},{ms:03d}",
            f"{rnd.randint(1700000000, 1730000000)}",
            f"{rnd.randint(1700000000000, 1730000000000)}",
            f"{d:02d}/May/2024:{h:02d}:{m:02d}:{s:02d} +0000",
        ]
    )


def version(rnd: random.Random) -> str:
    a, b, c, d = rnd.randint(1, 30), rnd.randint(0, 20), rnd.randint(0, 99), rnd.randint(0, 9999)
    return rnd.choice(
        [
            f"v{a}.{b}.{c}",
            f"version {a}.{b}.{c}.{d % 250}",
            f"Chrome/{100 + a}.0.{d}.{c}",
            f"{a}.{b}.{c}-beta.{d % 9}",
            f"build {a}.{b}.{c}.{d % 250}",
            f"release {a}.{b}",
            # Hard on purpose: four numbers after a product name read as an IPv4 address.
            f"{rnd.choice(['cuDNN', 'OpenCV', 'driver'])} {a}.{b}.{c}.{d % 250}",
        ]
    )


def commit_sha(rnd: random.Random) -> str:
    return rand(rnd, HEX, rnd.choice([7, 12, 40]))


def error_code(rnd: random.Random) -> str:
    return rnd.choice(
        [
            f"E{rnd.randint(1000, 9999)}",
            "ERR_CONNECTION_RESET",
            f"0x{rnd.randint(0x80000000, 0x8FFFFFFF):08X}",
            f"ORA-{rnd.randint(0, 99999):05d}",
            f"SQLSTATE {rnd.choice(['40001', '23505', '57014'])}",
            f"HTTP {rnd.choice([500, 502, 503, 504, 429])}",
        ]
    )


def account_id(rnd: random.Random) -> str:
    return rnd.choice(
        [
            f"acct_{rnd.randint(1000, 99999)}",
            f"{rnd.randint(10**11, 10**12 - 1)}",
            f"cus_{rand(rnd, ALNUM, 14)}",
            f"tenant-{rnd.randint(100, 9999)}",
        ]
    )


LOOK_ALIKES: dict[str, Callable[[random.Random], str]] = {
    "REQUEST_ID": request_id,
    "ORDER_NUMBER": order_number,
    "TIMESTAMP": timestamp,
    "VERSION": version,
    "UUID": lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)),
    "COMMIT_SHA": commit_sha,
    "ERROR_CODE": error_code,
    "ACCOUNT_ID": account_id,
}


# ------------------------------------------------------------------------------------------ snippets
def _look_alike_line(s: Snippet, rnd: random.Random) -> None:
    """A log line or sentence carrying two or three look-alikes."""
    kinds = rnd.sample(list(LOOK_ALIKES), rnd.randint(2, 3))
    s.add(rnd.choice(["", "[app] ", "Customer says: ", "2nd attempt: "]))
    labels = {
        "REQUEST_ID": "request_id=",
        "ORDER_NUMBER": "order ",
        "TIMESTAMP": "at ",
        "VERSION": "running ",
        "UUID": "job ",
        "COMMIT_SHA": "deployed commit ",
        "ERROR_CODE": "failed with ",
        "ACCOUNT_ID": "account ",
    }
    for i, kind in enumerate(kinds):
        s.add(("" if i == 0 else rnd.choice([", ", " and ", "; "])) + labels[kind])
        s.keeps(kind, LOOK_ALIKES[kind](rnd))
    s.add(".\n")


def _closer(opener: str) -> str:
    return '"' if opener.endswith('"') else ""


def _secret_context(s: Snippet, rnd: random.Random, kind: str) -> None:
    value = SECRETS[kind](rnd) if kind in SECRETS else ""
    if kind == "AWS_ACCESS_KEY_ID":
        opener = rnd.choice(["AWS_ACCESS_KEY_ID=", "aws_access_key_id = ", "the key id was ", '"AccessKeyId": "'])
        s.add(opener).secret(kind, value).add(_closer(opener) + "\n")
    elif kind == "AWS_SECRET_ACCESS_KEY":
        opener = rnd.choice(
            ["AWS_SECRET_ACCESS_KEY=", "aws_secret_access_key = ", '"SecretAccessKey": "', "my aws secret is "]
        )
        s.add(opener).secret(kind, value).add(_closer(opener) + "\n")
    elif kind == "GCP_SERVICE_ACCOUNT":
        s.add('{"type": "service_account", "project_id": "acme-prod", "private_key": "')
        s.secret("PRIVATE_KEY", private_key(rnd, escaped=True)).add("\\n")
        s.add('", "client_email": "').pii(
            "EMAIL", f"exporter@acme-prod-{rnd.randint(100, 999)}.iam.gserviceaccount.com"
        )
        s.add('"}\n')
    elif kind == "PRIVATE_KEY":
        s.add(rnd.choice(["Here is the key we use:\n", "id_rsa contents:\n", "cat deploy.pem\n"]))
        s.secret(kind, private_key(rnd)).add("\n")
    elif kind == "AZURE_STORAGE_KEY":
        s.add(f"DefaultEndpointsProtocol=https;AccountName=acme{rnd.randint(1, 99)};AccountKey=")
        s.secret(kind, value).add(";EndpointSuffix=core.windows.net\n")
    elif kind == "AZURE_SERVICE_BUS_KEY":
        s.add(
            "Endpoint=sb://acme-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey="
        )
        s.secret(kind, value).add("\n")
    elif kind == "AZURE_SAS":
        s.add("GET https://acmeexports.blob.core.windows.net/exports/report.csv?sv=2022-11-02&ss=b&sp=r&sig=")
        s.secret(kind, rand(rnd, ALNUM, 40) + "%3D").add(" -> 403\n")
    elif kind == "PASSWORD_IN_URL":
        scheme, user, host = rnd.choice(
            [
                ("postgres", "app_user", "db.internal:5432/orders"),
                ("mongodb+srv", "admin", "cluster0.ab1cd.mongodb.net/prod"),
                ("redis", "", "cache.internal:6379/0"),
                ("https", "deploy", "git.acme.io/acme/app.git"),
                ("amqp", "guest", "mq.internal:5672/"),
            ]
        )
        password = rand(rnd, ALNUM, rnd.randint(8, 16)) + rnd.choice(["", "!", "$", "#2"])
        s.add(rnd.choice(["DATABASE_URL=", "connecting to ", "git clone "]) + f"{scheme}://{user}:")
        s.secret(kind, password).add(f"@{host}\n")
    elif kind == "PASSWORD":
        opener = rnd.choice(["password=", "DB_PASSWORD=", '"password": "', "admin password: "])
        s.add(opener).secret(kind, rand(rnd, ALNUM, rnd.randint(8, 14)) + rnd.choice(["!", "9", "#x", ""]))
        s.add(_closer(opener) + "\n")
    elif kind == "BEARER_TOKEN":
        s.add("curl -H 'Authorization: Bearer ").secret(kind, value).add("' https://api.acme.io/v1/orders\n")
    elif kind == "JWT":
        s.add(rnd.choice(["token=", "Authorization: Bearer ", "the JWT in the cookie was ", "id_token: "]))
        s.secret(kind, value).add("\n")
    elif kind == "SLACK_WEBHOOK":
        s.add("webhook url: ").secret(kind, value).add("\n")
    else:
        s.add(
            rnd.choice(
                [
                    f"{kind.lower()}: ",
                    "Using key ",
                    "export API_TOKEN=",
                    "they pasted ",
                    "config.yaml -> credentials: ",
                ]
            )
        )
        s.secret(kind, value).add(rnd.choice(["\n", " in the ticket.\n", " (rotated?)\n"]))


def _pii_context(s: Snippet, rnd: random.Random, kind: str) -> None:
    if kind == "EMAIL":
        s.add(rnd.choice(["Contact: ", "user=", "From: ", "please reply to "])).pii(kind, email(rnd)).add("\n")
    elif kind == "PHONE":
        s.add(rnd.choice(["Call me at ", "phone: ", "mobile ", "Customer's number is ", "tel: "]))
        s.pii(kind, phone(rnd)).add(rnd.choice(["\n", " any time.\n"]))
    elif kind == "CREDIT_CARD":
        s.add(rnd.choice(["card ", "They paid with ", "cc_number=", "charged card "])).pii(kind, card(rnd))
        s.add(rnd.choice([" exp 04/27\n", "\n", " and it was declined.\n"]))
    elif kind == "IPV4":
        s.add(rnd.choice(["client_ip=", "login from ", "remote_addr: ", "blocked "])).pii("IP_ADDRESS", ipv4(rnd))
        s.add("\n")
    elif kind == "IPV6":
        s.add(rnd.choice(["client_ip=", "login from ", "src "])).pii("IP_ADDRESS", ipv6(rnd)).add("\n")
    elif kind == "US_SSN":
        s.add("SSN on file: ").pii(kind, ssn(rnd)).add("\n")
    elif kind == "IBAN":
        s.add("refund to IBAN ").pii(kind, iban(rnd)).add("\n")


SECRET_KINDS = [
    *SECRETS,
    "GCP_SERVICE_ACCOUNT",
    "PRIVATE_KEY",
    "AZURE_SAS",
    "PASSWORD_IN_URL",
    "PASSWORD",
]
PII_KINDS = ["EMAIL", "PHONE", "PHONE", "CREDIT_CARD", "CREDIT_CARD", "IPV4", "IPV6", "US_SSN", "IBAN", "EMAIL"]


def snippet(rnd: random.Random, number: int) -> Snippet:
    s = Snippet()
    s.add(rnd.choice(["Ticket #", "Escalation ", "Case "]))
    s.keeps("ORDER_NUMBER", f"{rnd.randint(10000, 99999)}").add("\n")
    # Round-robin guarantees every kind appears many times; the rest is random.
    secrets = [SECRET_KINDS[number % len(SECRET_KINDS)], *rnd.sample(SECRET_KINDS, rnd.randint(0, 1))]
    pii = [PII_KINDS[number % len(PII_KINDS)], *rnd.sample(PII_KINDS, rnd.randint(0, 2))]
    blocks: list[Callable[[], None]] = [
        *(lambda k=kind: _secret_context(s, rnd, k) for kind in secrets),
        *(lambda k=kind: _pii_context(s, rnd, k) for kind in pii),
        *(lambda: _look_alike_line(s, rnd) for _ in range(rnd.randint(1, 3))),
    ]
    rnd.shuffle(blocks)
    for block in blocks:
        block()
    return s


def generate(seed: int = SEED, rows: int = ROWS) -> list[dict[str, object]]:
    rnd = random.Random(seed)
    out = []
    for number in range(rows):
        s = snippet(rnd, number)
        out.append({"id": f"leak-{number:03d}", "text": s.text, "sensitive": s.sensitive, "keep": s.keep})
    return out


def main() -> None:
    rows = generate()
    with OUTPUT.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

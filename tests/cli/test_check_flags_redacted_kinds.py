"""`escalate check` flags every kind of secret and PII that redaction masks.

Redaction masks a ticket before the model sees it; the no_pii rule of `escalate check` is the net
for a value that reaches a brief anyway (a model echoing a key, an engineer pasting a log line).
Both read the same detectors (app.core.redaction.scan), but check reads them through a brief: its
fields joined into one text, redaction placeholders skipped. A kind that redaction masks and check
lets through would be a leak nobody is told about.

Each example below is masked by redaction under its kind; the same text, as one field of a brief,
must then make `escalate check` report no_pii naming that kind for that field. The table holds one
example per kind the hand-written detectors produce, and, for gitleaks' provider rules, one of
gitleaks' own true-positive examples per kind redaction reports for them.

Values are built from pieces so this file does not look like a leaked credential to scanners.
"""

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from app.core.redaction import redact

REPO = Path(__file__).resolve().parents[2]
GITLEAKS = REPO / "tests" / "corpus" / "gitleaks" / "examples.jsonl"
NOW = ["--now", "2026-11-21T15:00:00+00:00"]
runner = CliRunner()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


_PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA" + "q7Lx" * 16 + "\n-----END RSA PRIVATE KEY-----"
_JWT = ".".join(
    (_b64('{"alg":"HS256","typ":"JWT"}'), _b64('{"sub":"4471","name":"ops"}'), "Zx9" + "qL2mN8vB4cR7tY1w" * 2)
)

# (kind redaction reports, text holding it)
HAND_EXAMPLES: list[tuple[str, str]] = [
    # PII: Presidio's recognizers (pii.py)
    ("EMAIL", "Reach the analyst at ana.ruiz@contoso.com today."),
    ("PHONE", "Call the store manager on +44 20 7946 0958."),
    ("CREDIT_CARD", "The refund went to card 4111 1111 1111 1111."),
    ("IP_ADDRESS", "Requests from 81.2.69.142 are rejected."),
    ("IBAN", "Payout account IBAN DE89 3704 0044 0532 0130 00."),
    ("US_SSN", "Payroll shows ssn=529438170 on the slip."),
    # PII: personal.py, persons.py, national_ids.py, tabular.py
    ("DATE_OF_BIRTH", "Verified the caller, DOB: 1985-03-14."),
    ("ADDRESS", "Parcels ship to 221B Baker Street, London NW1 6XE."),
    ("PERSON", "Spoke with Jane Doe about the outage."),
    ("UK_NINO", "Employee NINO AB123456C is on the form."),
    ("IN_PAN", "KYC failed for PAN AAAPL1234C."),
    ("ES_NIF", "Cliente con NIF 12345678Z."),
    ("IT_FISCAL_CODE", "Codice fiscale RSSMRA85T10A562S."),
    ("IN_AADHAAR", "KYC aadhaar no 2345 6789 0124 rejected."),
    ("AU_TFN", "My tax file number is 123 456 782."),
    ("AU_MEDICARE", "Medicare card 2123 45670 1 on file."),
    ("UK_NHS", "NHS number 943 476 5919 on the referral."),
    ("CA_SIN", "Social insurance number (SIN) 130 692 544 was entered."),
    ("SG_NRIC_FIN", "NRIC S1234567D on the account."),
    ("PL_PESEL", "Numer PESEL 44051401359."),
    ("FI_PERSONAL_IDENTITY_CODE", "Henkilötunnus 131052-308T."),
    ("PASSPORT", "Passport no. X1234567 was uploaded."),
    ("DRIVERS_LICENSE", "Driver's license #: D1234-56789-01234 on the rental."),
    ("BR_CPF", "Cliente com CPF 390.533.447-05."),
    ("FR_NIR", "Numéro de sécurité sociale 2 95 10 99 126 111 93."),
    ("NL_BSN", "Klant BSN 111222333."),
    ("NATIONAL_ID", "id,national_id\n1,ZX99812Q"),
    ("ACCOUNT_NUMBER", "id,account_number\n1,00123456789"),
    # Secrets: keyword-anchored (assignments.py) and hand-written formats (credentials.py)
    ("PASSWORD", "SMTP_PASS=mailpass99"),
    ("SESSION_COOKIE", "Cookie: sessionid=8f3a2b1c9d0e7f6a5b4c; theme=dark"),
    ("ONE_TIME_CODE", "Your one-time code is 482913"),
    ("PASSWORD_IN_URL", "DATABASE_URL=postgres://admin:" + "S3cretPw1" + "@db.internal:5432/app"),
    ("BEARER_TOKEN", "Authorization: Bearer " + "abc123def456" + "ghi789jkl"),
    ("BASIC_AUTH", "Authorization: Basic " + _b64("admin:password123")),
    ("AZURE_KEY", "AccountKey=" + "Zx9qL2mN8vB4cR7t" * 5 + "Y1wE3r==;EndpointSuffix=core.windows.net"),
    ("AZURE_SAS", "https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=" + "Zx9qL2mN8vB4cR7tY1wE3r%2Bk"),
    ("GCP_OAUTH_SECRET", "client secret GOCSPX-" + "Zx9qL2mN8vB4cR7tY1wE3rT5uI6o"),
    ("GCP_OAUTH_TOKEN", "token ya29." + "a0AfB_byZx9qL2mN8vB4cR7tY1wE3r"),
    ("AIRTABLE_PAT", "pat" + "Zx9qL2mN8vB4cR" + "." + "0123456789abcdef" * 4),
    ("DOCKERHUB_PAT", "docker login -u bob --password-stdin <<< dckr_pat_" + "Zx9qL2mN8vB4cR7tY1wE3r"),
    ("NEW_RELIC_KEY", "new relic user key NRAK-" + "ABCDEFGHIJ0123456789KLMNOPQ"),
    ("PRIVATE_KEY", _PEM),
    ("JWT", "session jwt " + _JWT),
    ("ENCODED_SECRET", "kind: Secret\ndata:\n  url: " + _b64("postgres://u:Pw12345@db.internal/x")),
    # Credentials named in one chat line and pasted in the next (assignments._carried)
    (
        "SECRET",
        "ops: the Datadog app key stopped working\nops: this is what is in the vault now: "
        + "76dc7ad81cf5b0dd"
        + "dc55dd61b5fd7cc4074fbba7",
    ),
]


def _gitleaks_examples() -> list[tuple[str, str]]:
    """One gitleaks true-positive example per kind redaction reports for it (first one found)."""
    if not GITLEAKS.exists():
        return []
    found: dict[str, str] = {}
    for line in GITLEAKS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["kind"] != "tp":
            continue
        for item in redact(row["text"]).items:
            if item.category == "secret" and item.kind not in found:
                found[item.kind] = row["text"]
    return sorted(found.items())


EXAMPLES = HAND_EXAMPLES + [pair for pair in _gitleaks_examples() if pair[0] not in dict(HAND_EXAMPLES)]


@pytest.fixture(scope="module")
def flagged() -> dict[str, str]:
    """`escalate check` once over a brief holding every example in a field of its own
    (tried[i].action): field path -> the no_pii message for it."""
    brief = {
        "summary": "Checkout fails for all EU customers since 09:10 UTC",
        "severity": "sev3",
        "target": "engineering",
        "tried": [{"action": text, "result": ""} for _, text in EXAMPLES],
    }
    result = runner.invoke(app, ["check", "-", "--json", *NOW], input=json.dumps(brief))
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)["findings"]
    return {f["field"]: f["message"] for f in findings if f["rule"] == "no_pii"}


def test_the_table_covers_the_detectors() -> None:
    kinds = {kind for kind, _ in EXAMPLES}
    assert len(kinds) == len(EXAMPLES), "one example per kind"
    # The hand-written kinds, plus gitleaks' provider kinds when its examples are there.
    assert len(kinds) >= len(HAND_EXAMPLES) + (30 if GITLEAKS.exists() else 0), sorted(kinds)


@pytest.mark.parametrize(("index", "kind"), [(i, kind) for i, (kind, _) in enumerate(EXAMPLES)], ids=lambda v: str(v))
def test_redaction_masks_it_and_check_flags_it(index: int, kind: str, flagged: dict[str, str]) -> None:
    text = EXAMPLES[index][1]
    masked = {item.kind for item in redact(text).items}
    assert kind in masked, (text, masked)
    message = flagged.get(f"tried[{index}].action")
    assert message is not None, f"escalate check lets a {kind} through: {text!r}"
    assert kind in message, (kind, message)

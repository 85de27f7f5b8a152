"""Redaction: every kind is masked, look-alikes survive, placeholders are stable, receipts hold no value."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.redaction import PlaceholderMap, redact, redact_ticket, scan_sensitive
from schemas.draft import Attachment, TicketInput

REPO = Path(__file__).resolve().parents[2]

# Built from pieces so this file itself does not look like a leaked credential to scanners.
AWS_ID = "AKIA" + "Q3EGRTYPLMNB7XZ2"
GH = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyXzQ0NzEiLCJpYXQiOjE3MTQ1NTc2MDF9."
    "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
)
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Zc9\nq8Lr0Vw3Ue==\n-----END RSA PRIVATE KEY-----"

CASES = [
    ("EMAIL", "reply to jane.doe@example.com please", "jane.doe@example.com"),
    ("EMAIL", "user=olga+billing@contoso.co.uk logged in", "olga+billing@contoso.co.uk"),
    ("PHONE", "call me at (415) 555-2671 today", "(415) 555-2671"),
    ("PHONE", "mobile +44 7700 900123", "+44 7700 900123"),
    ("PHONE", "phone: 4155552671", "4155552671"),
    ("CREDIT_CARD", "card 4111 1111 1111 1111 declined", "4111 1111 1111 1111"),
    ("CREDIT_CARD", "cc=5555-5555-5555-4444", "5555-5555-5555-4444"),
    ("CREDIT_CARD", "amex 378282246310005 ok", "378282246310005"),
    ("CREDIT_CARD", "new mastercard 2223003122003222", "2223003122003222"),
    ("IP_ADDRESS", "login from 81.2.69.160 failed", "81.2.69.160"),
    ("IP_ADDRESS", "src 2001:db8:85a3::8a2e:370:7334 blocked", "2001:db8:85a3::8a2e:370:7334"),
    ("IBAN", "refund to DE89370400440532013000", "DE89370400440532013000"),
    ("US_SSN", "SSN on file 536-22-8742", "536-22-8742"),
    ("AWS_KEY", f"AWS_ACCESS_KEY_ID={AWS_ID}", AWS_ID),
    (
        "AWS_KEY",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE9",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE9",
    ),
    ("GITHUB_TOKEN", f"token {GH} leaked", GH),
    ("GITLAB_TOKEN", "glpat-" + "x7Yz2Kq9Lm4Np8Rs3Tv6", "glpat-" + "x7Yz2Kq9Lm4Np8Rs3Tv6"),
    ("SLACK_TOKEN", "xoxb-" + "123456789012-1234567890123-abcdefghij0123456789abcd", None),
    ("STRIPE_KEY", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc99", None),
    ("TWILIO_KEY", "AC" + "0123456789abcdef0123456789abcdef", None),
    ("SENDGRID_KEY", "SG." + "kT3vQ9xLm2Rp7WcZ4bNy8u.hG5dJ1sF6aK0eV3qX9zM2nB7cL4pW8tY1rU6oI3jE5gQ", None),
    ("OPENAI_KEY", "OPENAI_API_KEY=sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_-Q", None),
    ("GCP_API_KEY", "key AIza" + "SyD4x7Qw9Ls2Vn8Kp3Tz6Hm1Jb5Gc0Rf-eY", None),
    ("AZURE_KEY", "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKey=" + "q" * 43 + "=", None),
    ("JWT", f"Authorization: Bearer {JWT}", JWT),
    ("BEARER_TOKEN", "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ("PRIVATE_KEY", f"key:\n{PEM}\nend", PEM),
    ("PASSWORD_IN_URL", "postgres://app:Pa55w0rd!@db.internal:5432/orders", "Pa55w0rd!"),
    ("PASSWORD_IN_URL", "redis://:s3cretPass@cache.internal:6379/0", "s3cretPass"),
    ("PASSWORD", "password=hunter2 user=bob", "hunter2"),
    ("SESSION_COOKIE", "Cookie: sid=8f3a2b1c9d0e7f6a; theme=dark", "sid=8f3a2b1c9d0e7f6a; theme=dark"),
]


@pytest.mark.parametrize(("kind", "text", "value"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_kind_is_masked(kind: str, text: str, value: str | None) -> None:
    secret = value or text.split("=", 1)[-1].split()[-1]
    result = redact(text)
    assert secret not in result.text
    assert any(item.kind == kind for item in result.items), [i.kind for i in result.items]


def test_jwt_signature_is_masked_too() -> None:
    # detect-secrets matches a JWT's signature lazily; the mask must still cover all of it.
    result = redact(f"token={JWT}")
    assert result.text == "token=<JWT_1>"


LOOK_ALIKES = [
    "request_id=req_8f3a2b1c9d0e",
    "order ORD-2024-118833 shipped",
    "order #4155552671",
    "Amazon order 112-4455667-1234567",
    "at 2024-05-01T10:00:01.123Z",
    "ts=1714557601123",
    "running version 10.2.0.1",
    "Chrome/124.0.6367.91",
    "nvidia-cudnn-cu11==8.6.0.163",
    "V8: 11.4.183.29-electron.0",
    "job 550e8400-e29b-41d4-a716-446655440000",
    "deployed commit 4a7d1ed414474e4033ac29ccb8653d9b12345678",
    "failed with 0x80070005 and ORA-00942",
    "AWS account 123456789012",
    "tenant-4471 and acct_4471",
    "connect to 127.0.0.1:9000",
    "abfs://bucket@acct.dfs.core.windows.net/path",
    "Password reset failed for acct_4471",
    "max_tokens=4096",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_the_brief_needs_are_kept(text: str) -> None:
    result = redact(text)
    assert result.text == text, result.items


def test_same_value_gets_the_same_placeholder_across_ticket_and_attachments() -> None:
    ticket = TicketInput(
        text="Contact Jane.Doe@Example.com or jane.doe@example.com; cc bob@example.com; call (415) 555-2671",
        attachments=[
            Attachment(name="app.log", text="2024-05-01 ERROR mail to jane.doe@example.com bounced; +1 415-555-2671"),
        ],
    )
    redacted, items = redact_ticket(ticket)
    assert redacted.text == "Contact <EMAIL_1> or <EMAIL_1>; cc <EMAIL_2>; call <PHONE_1>"
    assert redacted.attachments[0].text == "2024-05-01 ERROR mail to <EMAIL_1> bounced; <PHONE_1>"
    assert {item.source for item in items} == {"ticket", "app.log"}
    assert redacted.attachments[0].name == "app.log" and redacted.attachments[0].kind == "log"


def test_a_shared_map_keeps_numbering_across_calls() -> None:
    mapping = PlaceholderMap()
    first = redact("a@example.com", placeholders=mapping)
    second = redact("b@example.com and a@example.com", "notes.txt", mapping)
    assert first.text == "<EMAIL_1>"
    assert second.text == "<EMAIL_2> and <EMAIL_1>"


def test_receipt_never_holds_the_raw_value() -> None:
    text = f"jane.doe@example.com 4111 1111 1111 1111 {AWS_ID} postgres://u:Pa55w0rd!@h/db (415) 555-2671"
    result = redact(text, source="ticket")
    assert len(result.items) == 5
    for item in result.items:
        raw = text[item.start : item.end]
        assert item.digest == hashlib.sha256(raw.encode()).hexdigest()
        dumped = item.model_dump_json()
        assert raw not in dumped
        assert raw not in item.preview
        assert item.placeholder in result.text
    previews = {item.kind: item.preview for item in result.items}
    assert previews["EMAIL"] == "j***@e***.com"
    assert previews["CREDIT_CARD"] == "**** **** **** 1111"
    assert previews["AWS_KEY"] == "AKIA*** (20 chars)"


def test_ip_masking_follows_the_policy_switch() -> None:
    text = "blocked 81.2.69.160 for jane@example.com"
    assert redact(text).text == "blocked <IP_ADDRESS_1> for <EMAIL_1>"
    assert redact(text, mask_ips=False).text == "blocked 81.2.69.160 for <EMAIL_1>"


def test_allow_list_keeps_named_values() -> None:
    text = "write to support@acme.io, not jane@example.com"
    assert redact(text, allow_list=["support@acme.io"]).text == "write to support@acme.io, not <EMAIL_1>"


def test_redaction_is_idempotent_and_placeholders_scan_clean() -> None:
    once = redact(f"jane@example.com {GH} 81.2.69.160 password=hunter2")
    assert redact(once.text).items == []
    assert scan_sensitive(once.text) == []


def test_scan_sensitive_reports_offsets_into_the_text() -> None:
    text = "model wrote: contact jane@example.com or use key " + AWS_ID
    spans = scan_sensitive(text)
    assert [(s.kind, text[s.start : s.end]) for s in spans] == [("EMAIL", "jane@example.com"), ("AWS_KEY", AWS_ID)]


OFFLINE_SCRIPT = """
import socket, sys
def refuse(*args, **kwargs):
    print("NETWORK ATTEMPT", args, file=sys.stderr)  # seen even if a library swallows the error
    raise OSError("network is unplugged in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from app.core.redaction import redact
print(redact("mail ops@new-domain.example.co.uk about 81.2.69.160").text)
"""


def test_redaction_works_with_the_network_unplugged(tmp_path: Path) -> None:
    """A fresh interpreter with no tldextract cache: the suffix list must come from the wheel."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"},
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(REPO),
    }
    run = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "mail <EMAIL_1> about <IP_ADDRESS_1>"
    assert "NETWORK ATTEMPT" not in run.stderr


@pytest.mark.parametrize(
    "text",
    [
        "connect ECONNREFUSED 10.12.4.7:5432",
        "host: 172.20.147.140",
        "Server=192.168.11.146;Database=orders",
        "ping 127.0.0.1",
        "upstream [fd12:3456:789a::1]:443",
    ],
)
def test_private_and_loopback_addresses_are_kept(text: str) -> None:
    """RFC 1918 / loopback / unique-local addresses name internal hosts, not people."""
    assert not [item for item in redact(text).items if item.kind == "IP_ADDRESS"]


def test_public_addresses_next_to_private_ones_are_masked() -> None:
    items = redact("X-Forwarded-For: 81.2.69.160, 10.0.3.4").items
    assert [item.kind for item in items] == ["IP_ADDRESS"]

"""Secrets whose name is only in the context: recovery-code lists, command output, vendor formats."""

import pytest

from app.core.redaction import redact


def _masked(text: str) -> list[str]:
    return [text[item.start : item.end] for item in redact(text).items]


def test_recovery_codes_under_a_heading_are_masked() -> None:
    text = "my-recovery-codes.txt\n\nab3de-fg7hk\nq2w3e-r4t5y\n\nKeep them safe."
    assert {"ab3de-fg7hk", "q2w3e-r4t5y"} <= set(_masked(text))


def test_numbered_backup_codes_are_masked() -> None:
    text = "Backup codes for the admin account:\n1. 1234 5678\n2. 8765 4321\n"
    assert {"1234 5678", "8765 4321"} <= set(_masked(text))


def test_a_list_without_a_recovery_heading_is_kept() -> None:
    assert not _masked("Affected builds:\nab3de-fg7hk\nq2w3e-r4t5y\n")


@pytest.mark.parametrize(
    ("command", "value"),
    [
        ("$ kubectl get secret db -n prod -o jsonpath='{.data.password}' | base64 -d", "Penguin986$"),
        ("$ vault kv get -field=password secret/prod/db", "8SRv425OI47WYO"),
    ],
)
def test_a_secret_printed_by_the_command_above_is_masked(command: str, value: str) -> None:
    assert value in _masked(f"{command}\n{value}\n$ ls\n")


def test_vault_secret_id_row_is_masked_and_its_accessor_kept() -> None:
    text = (
        "secret_id             815abedd-d026-4925-ab73-fff63e30055a\n"
        "secret_id_accessor    206fe945-a2b2-49f0-9a6d-1c2b3d4e5f60\n"
    )
    assert _masked(text) == ["815abedd-d026-4925-ab73-fff63e30055a"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Tu código de verificación es 005635.", "005635"),
        ("Votre code de vérification est : 001714", "001714"),
        ("Ihr Bestätigungscode lautet 120322.", "120322"),
        ("ALTER ROLE app WITH LOGIN PASSWORD 'Z~VGSVTlnp!3D6f';", "Z~VGSVTlnp!3D6f"),
        ("url=jdbc:oracle:thin:scott/Galaxy1870!@//db.internal:1521/ORCL", "Galaxy1870!"),
        ('s.login("noreply@example.org", "K@ff331543!")', "K@ff331543!"),
        ("rabbitmqadmin -H mq -u admin -p dhfd8JBWjuetFDQJ list queues", "dhfd8JBWjuetFDQJ"),
        ("define( 'DB_PASSWORD', 'uC8Ga%A1.Q29tx^' );", "uC8Ga%A1.Q29tx^"),
        ("define( 'LOGGED_IN_KEY', '7R.sn((YB_#4i7,b<jbUdrlvS=fJF' );", "7R.sn((YB_#4i7,b<jbUdrlvS=fJF"),
        (
            "Authorization: SSWS 00Rd9nfdpJJ16cvKM0o4S9oK3YHsqtAaQ7k2Bad46i",
            "00Rd9nfdpJJ16cvKM0o4S9oK3YHsqtAaQ7k2Bad46i",
        ),
        (
            '"os.environ[\\"HF_TOKEN\\"] = \\"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\\"\\n",',
            "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",
        ),
    ],
)
def test_credential_formats(text: str, value: str) -> None:
    assert value in _masked(text)


def test_fcm_server_key_is_masked() -> None:
    key = "AAAAeGVEBXU:APA91b" + "Jq7dW1BMlD9J5mGItpLicYT7omB-aqGmck7sIMHmbZGxhekXvdNf8mSyeVphTgR6UM" * 2
    assert key in _masked(f"const FCM_KEY = '{key}';")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Arjun: the payment keeps failing\nAgent: sorry Arjun, checking", "Arjun"),
        ("Forum post: email me please\n— Élodie\n", "Élodie"),
        ("Client : Bonjour, je m'appelle Oluwaseun Okafor. Mon colis", "Oluwaseun Okafor"),
        ("  cardholder=Hannah+O'Brien\n  pan=4111111111111111", "Hannah+O'Brien"),
    ],
)
def test_person_name_contexts(text: str, name: str) -> None:
    assert name in _masked(text)


def test_german_pronoun_is_not_a_name() -> None:
    assert not _masked("Guten Tag,\nbitte überweisen Sie den Betrag auf mein Konto: bald")

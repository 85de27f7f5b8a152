"""Formats added for corpus c's gaps: each case says what must be masked and what must stay."""

import pytest

from app.core.redaction import redact

MASKED = [
    (
        "INSERT INTO customers (id, full_name, date_of_birth, national_id) VALUES\n"
        "  (1, 'Ana Ruiz', '1985-03-14', 'X1234567L');",
        ["1985-03-14", "X1234567L"],
    ),
    ("Para verificar: nacido el 18 de marzo de 1967", ["18 de marzo de 1967"]),
    ("Für die Verifizierung: geboren am 26. Juli 1994", ["26. Juli 1994"]),
    ("Per la verifica: nata il 08-11-1949", ["08-11-1949"]),
    ("my other card 4868-6168-8520-1356 exp 05/26 security code 557", ["557"]),
    ("Mi tarjeta: 4659-2605-3338-1428 cvv: 069", ["069"]),
    ("vault login hvs.UfURhmGKpg63iPMMw4Yaiz6w", ["hvs.UfURhmGKpg63iPMMw4Yaiz6w"]),
    (
        "DISCORD_WEBHOOK=https://discord.com/api/webhooks/1752776515697247111/UYpPbho7-ApPPB6Xv9Fy8Cuxjoim19i1rSdgOAiP6iwAzYZXDXn2BePXIVLa_MFKKMGQ",
        [
            "https://discord.com/api/webhooks/1752776515697247111/UYpPbho7-ApPPB6Xv9Fy8Cuxjoim19i1rSdgOAiP6iwAzYZXDXn2BePXIVLa_MFKKMGQ"
        ],
    ),
    (
        'variable "pagerduty_token" {\n  default   = "u+_U5P_E7xyWBejw62Ac"\n  sensitive = true\n}',
        ["u+_U5P_E7xyWBejw62Ac"],
    ),
    ('PGPASSWORD="${PGPASSWORD:-c_FqY^c@DANS1ufYvNb}"', ["c_FqY^c@DANS1ufYvNb"]),
    ("Agent: I've sent a one-time code to your phone. Can you read it back?\ncustomer: its 3843", ["3843"]),
    ("kyc.doc type=passport Reisepass-Nr. ZSR838179", ["ZSR838179"]),
    ("customer: C.F. RGMPAF87D45L142T", ["RGMPAF87D45L142T"]),
    ("Il mio numero è 376 177 4027", ["376 177 4027"]),
    ("Dirección de envío: Calle Mayor 70, 5º 2ª, 49264 Bilbao", ["Calle Mayor 70, 5º 2ª, 49264 Bilbao"]),
    ("Lieferadresse bitte: Am Mühlbach 109, 69471 Leipzig", ["Am Mühlbach 109, 69471 Leipzig"]),
]
KEPT = [
    "tls handshake ok sigalg=1.3.101.112 peer=10.1.2.3",
    'cert_oid_policy: "2.5.29.17"',
    "Message-ID: <0c70ff69-9ddb-4b40-8fdf-72506859feee@mail.gmail.com>",
    "Related: INFRA-1637, AUTH-7370. Trace: 215a459e9ff412d6931389968574b843",
    "smtp AUTH LOGIN email-smtp.eu-west-1.amazonaws.com:587",
    "GRAFANA_CLOUD_API_KEY=xoxb-your-bot-token",
]


@pytest.mark.parametrize(("text", "values"), MASKED)
def test_value_is_masked(text: str, values: list[str]) -> None:
    result = redact(text)
    for value in values:
        assert any(i.start <= text.index(value) and text.index(value) + len(value) <= i.end for i in result.items), (
            value,
            result.text,
        )


@pytest.mark.parametrize("text", KEPT)
def test_look_alike_is_kept(text: str) -> None:
    assert redact(text).text == text


def test_a_date_after_a_verification_word_is_a_birth_date_not_a_code() -> None:
    result = redact("also u asked for verification, my date of birth: 1953-07-03")
    assert [i.kind for i in result.items] == ["DATE_OF_BIRTH"]


def test_set_cookie_attributes_stay() -> None:
    text = "Set-Cookie: session=nvBHz1T_mGqadRAkGmubc9fVdatE; Path=/; HttpOnly; Max-Age=1209600"
    assert redact(text).text.endswith("; Path=/; HttpOnly; Max-Age=1209600")

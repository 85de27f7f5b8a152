"""Recorded model traffic keeps no credential: one set of scrubbing rules for every recorder."""

from pathlib import Path

import pytest

from app.core.redaction.names import names_secret
from app.core.redaction.recording import FILTER_HEADERS, cassette_leaks, scrub_request, scrub_response, vcr_options
from evals.cassette import VCR_CONFIG

REPO = Path(__file__).resolve().parents[2]
CASSETTES = sorted(REPO.glob("tests/**/cassettes/**/*.yaml"))
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc99"


class _Request:
    def __init__(self, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.body = body
        self.path = "/v1/chat/completions"
        self.headers = dict(headers or {})


def test_every_recorder_uses_the_one_home() -> None:
    assert VCR_CONFIG["filter_headers"] == list(FILTER_HEADERS)
    assert VCR_CONFIG["before_record_response"] is scrub_response
    for header in ("authorization", "x-api-key", "cookie", "x-stainless-retry-count", "x-stainless-read-timeout"):
        assert header in FILTER_HEADERS


def test_bodies_lose_their_secrets_both_ways() -> None:
    request = scrub_request(_Request(f'{{"content": "key {STRIPE} and <EMAIL_1>"}}'.encode()))
    assert STRIPE.encode() not in request.body and b"<EMAIL_1>" in request.body
    response = scrub_response(
        {"headers": {"Content-Type": ["application/json"], "Set-Cookie": ["sid=1"]}, "body": {"string": STRIPE}}
    )
    assert response["headers"] == {"Content-Type": ["application/json"]}
    assert STRIPE not in response["body"]["string"]


def test_credential_headers_are_found_by_the_products_own_name_rule() -> None:
    """No second list: a header the redaction module names a credential is dropped too."""
    headers = {"X-Auth-Token": "t", "Private-Token": "t", "X-Vault-Token": "t", "Authorization": "Bearer t"}
    headers |= {"Content-Type": "application/json", "X-Request-Id": "req_1", "Accept": "*/*"}
    scrubbed = scrub_request(_Request(b"{}", headers)).headers
    assert set(scrubbed) == {"Content-Type", "X-Request-Id", "Accept"}
    # The listed credential headers are ones the product's rule names a credential as well.
    for header in ("authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie"):
        assert header in FILTER_HEADERS and names_secret(header), header


def test_a_cassette_keeping_a_credential_header_is_caught() -> None:
    taped = "interactions:\n- request:\n    headers:\n      x-auth-token:\n      - abc\n      accept:\n      - '*/*'\n"
    assert cassette_leaks(taped) == ["header x-auth-token"]


def test_a_body_without_secrets_is_left_byte_for_byte() -> None:
    body = b'{"messages": [{"content": "order 4471 failed at 2024-05-01T10:00:00Z"}]}'
    assert scrub_request(_Request(body)).body is body


def test_only_picks_requests_before_scrubbing() -> None:
    before = vcr_options(only=lambda request: None)["before_record_request"]
    assert before(_Request(b"x")) is None


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: p.name)
def test_committed_cassettes_hold_no_credential(cassette: Path) -> None:
    assert cassette_leaks(cassette.read_text(encoding="utf-8")) == []

"""Shared fixtures. Tests never reach a network or a live model."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Presidio's tldextract must never try to download the public suffix list.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts from default settings, with no .env and no real data directories."""
    for name in list(os.environ):
        if name.startswith("ESCALATE_") and not name.startswith("ESCALATE_TEST_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from app.core.llm.settings import get_settings

    get_settings.cache_clear()


# Model traffic in these folders was recorded before redaction masked person names: replaying it
# needs the prompts it was recorded with (README: re-record to drop this).
_RECORDED_BEFORE_NAMES = ("drafting", "hardening", "evals", "browser", "follow")


@pytest.fixture(autouse=True)
def _names_as_recorded(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _isolated_settings: None
) -> None:
    if Path(str(request.node.fspath)).parent.name in _RECORDED_BEFORE_NAMES:
        monkeypatch.setenv("ESCALATE_REDACT_PERSON_NAMES", "0")


@pytest.fixture(autouse=True)
def _every_request_replayed(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test whose code sent a request its cassette does not hold.

    The client turns vcrpy's refusal into a connection error, which code under test may handle
    gracefully (a re-ask that fails keeps the last draft): such a test would pass for the wrong
    reason. Tests that mean to send unrecorded requests are marked `unrecorded_requests_ok`.
    """
    if request.node.get_closest_marker("unrecorded_requests_ok"):
        yield
        return
    from vcr.cassette import Cassette

    missed: list[str] = []
    can_play = Cassette.can_play_response_for

    def checked(cassette: Cassette, vcr_request: object) -> bool:
        playable = can_play(cassette, vcr_request)
        # A request the cassette's configuration ignores (ignore_hosts) goes past the tape by design.
        ignored = cassette.filter_request(vcr_request) is None
        if not playable and not ignored and cassette.record_mode == "none":
            missed.append(f"{getattr(vcr_request, 'method', '?')} {getattr(vcr_request, 'path', '?')}")
        return bool(playable)

    monkeypatch.setattr(Cassette, "can_play_response_for", checked)
    yield
    assert not missed, f"requests not in the cassette (re-record it): {missed}"

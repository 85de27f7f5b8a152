"""Recorded model traffic for the hardening tests and bench/hardening_report.py.

The cassettes were recorded against the real embedded llama.cpp server (Qwen2.5-Coder-0.5B,
`ESCALATE_EMBEDDED_MODEL=qwen2.5-coder-0.5b escalate model serve --port 8765`):

    ESCALATE_TEST_RECORD_URL=http://127.0.0.1:8765/v1 \
    pytest --record-mode=new_episodes tests/hardening        # record what is missing
    pytest tests/hardening                                   # replay only (CI): record mode none

Two ways traffic is taped:
- direct: the client (openai on httpx2) is taped, as in tests/drafting.
- through the fault proxy: the client's httpx2 is left alone so it really talks to the proxy on
  127.0.0.1, and only the proxy's upstream calls (stdlib http.client) are taped. In CI the proxy's
  upstream is the cassette; nothing listens on 8765.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import vcr

from app.core.llm.client import BackendInfo
from app.core.llm.settings import EMBEDDED_MODEL_ALIAS, Settings
from app.core.redaction.recording import vcr_options
from app.services.drafting import DraftingService
from app.services.factory import build_extractor

CASSETTES = Path(__file__).with_name("cassettes")
# Where a recording run finds the model server; replay never connects, cassettes match on method,
# path and body. Same variable as tests/drafting (ESCALATE_TEST_* survives the suite's clearing).
RECORDED_BASE_URL = os.environ.get("ESCALATE_TEST_RECORD_URL", "http://127.0.0.1:8765/v1")
RECORDED_HOST = RECORDED_BASE_URL.removesuffix("/").removesuffix("/v1")


def recorder(record_mode: str, *, through_proxy: bool = False) -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        # Body matching: a prompt or schema change fails loudly until the cassettes are re-recorded.
        match_on=["method", "path", "body"],
        **vcr_options(),  # scrubbing rules: app/core/redaction/recording.py
        skip_patchers=("httpx", "httpx2") if through_proxy else (),
    )


@contextmanager
def taped(name: str, record_mode: str = "none", *, through_proxy: bool = False) -> Iterator[Any]:
    tape = recorder(record_mode, through_proxy=through_proxy)
    # Several fault scenarios ask the model the same question; one recorded answer serves them all.
    with tape.use_cassette(f"{name}.yaml", allow_playback_repeats=through_proxy) as cassette:
        yield cassette


def recorded_settings(base_url: str = RECORDED_BASE_URL, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "backend": "openai",
        "base_url": base_url,
        "model": EMBEDDED_MODEL_ALIAS,
        "max_retries": 0,
        "timeout_s": 1800.0,  # recording on a shared CPU queues behind other requests
        "max_tokens": 900,  # the product's default
    }
    values.update(overrides)
    return Settings(**values)


def recorded_service(settings: Settings, reasks: int = 1) -> DraftingService:
    backend = BackendInfo(name="embedded", base_url=settings.base_url or RECORDED_BASE_URL, model=EMBEDDED_MODEL_ALIAS)
    extractor = build_extractor(settings, reasks, backend=backend)
    return DraftingService(extractor, settings=settings, backend_name="embedded")


def cli_environment(base_url: str = RECORDED_BASE_URL, **overrides: str) -> dict[str, str]:
    """ESCALATE_* variables that make `escalate draft` send what `recorded_settings` sends."""
    env = {
        "ESCALATE_BACKEND": "openai",
        "ESCALATE_BASE_URL": base_url,
        "ESCALATE_MODEL": EMBEDDED_MODEL_ALIAS,
        "ESCALATE_MAX_RETRIES": "0",
        "ESCALATE_TIMEOUT_S": "1800",
        "ESCALATE_MAX_TOKENS": "900",
    }
    env.update(overrides)
    return env

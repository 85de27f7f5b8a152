"""Recorded model traffic: cassettes were recorded against the real embedded llama.cpp server
(`escalate model serve --port 8765`, Qwen2.5-Coder-0.5B) with `pytest --record-mode=once`.
In CI pytest-recording's default record mode, `none`, replays them and refuses any new request.
"""

import os
from pathlib import Path
from typing import Any

import pytest

from app.core.extract import InstructorExtractor
from app.core.llm.client import BackendInfo
from app.core.llm.settings import EMBEDDED_MODEL_ALIAS, Settings
from app.core.redaction.recording import vcr_options
from app.services.drafting import DraftingService
from app.services.factory import build_extractor
from schemas.draft import Attachment, TicketInput
from tests.fixtures.make_log import make_log

# Cassettes match on method, path and body, so the host and port only matter while recording.
RECORDED_BASE_URL = os.environ.get("ESCALATE_TEST_RECORD_URL", "http://127.0.0.1:8765/v1")
TICKETS = Path(__file__).resolve().parents[1] / "fixtures" / "tickets"


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # Body matching makes any prompt or schema change fail loudly until cassettes are re-recorded;
    # the scrubbing rules live in app/core/redaction/recording.py for every recorder.
    return {"match_on": ["method", "path", "body"], **vcr_options()}


def recorded_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "backend": "openai",
        "base_url": RECORDED_BASE_URL,
        "model": EMBEDDED_MODEL_ALIAS,
        "max_retries": 0,
        "timeout_s": 1200.0,
        "max_tokens": 900,
    }
    values.update(overrides)
    return Settings(**values)


def recorded_extractor(settings: Settings, reasks: int = 1) -> InstructorExtractor:
    backend = BackendInfo(name="embedded", base_url=RECORDED_BASE_URL, model=EMBEDDED_MODEL_ALIAS)
    return build_extractor(settings, reasks, backend=backend)


@pytest.fixture
def service() -> DraftingService:
    settings = recorded_settings()
    return DraftingService(recorded_extractor(settings), settings=settings, backend_name="embedded")


def ticket(name: str, with_log: bool = False) -> TicketInput:
    text = (TICKETS / name).read_text(encoding="utf-8")
    attachments = [Attachment(name="pos.log", text=make_log(), kind="log")] if with_log else []
    return TicketInput(text=text, attachments=attachments)

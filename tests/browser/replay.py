"""Drafter factory for the browser test: the real DraftingService, its model traffic replayed from
the cassette recorded for tests/drafting against the embedded model server (never a live model).

The streamlit server process imports this through ESCALATE_DRAFTER_FACTORY; the cassette stays
active for the life of that process, and a request it does not hold fails (record_mode none).
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import vcr
from vcr.request import Request

from app.core.extract import Extraction, Extractor
from app.core.prompts import PromptFile
from app.core.redaction.recording import vcr_options
from app.services.drafting import DraftingService
from tests.drafting.conftest import recorded_extractor, recorded_settings

TESTS = Path(__file__).resolve().parents[1]
CASSETTES = TESTS / "drafting" / "cassettes"
CASSETTE = CASSETTES / "test_recorded_drafts" / "test_stream_yields_partials_then_the_checked_draft.yaml"
TICKET = TESTS / "fixtures" / "tickets" / "feature_request.txt"
# What the web app ships (brief@v2: numbered lines, cited answer, code-read identifiers), recorded
# against the embedded model for tests/drafting/test_cited_drafts.py.
CITED_CASSETTE = CASSETTES / "test_cited_drafts" / "test_cited_draft_then_regenerate_keeps_the_placeholder_map.yaml"
CITED_TICKET = TESTS / "fixtures" / "tickets" / "checkout_outage.txt"


# vcrpy undoes its patches when the context object is garbage-collected (its patch generator is
# closed), so the entered cassette must stay referenced for the life of the process.
_ACTIVE: list[object] = []


def _model_traffic_only(request: Request) -> Request | None:
    # Only the model's API is replayed; the webhook the test sends to is a real local server.
    return request if request.path.startswith("/v1/") else None


class Paced:
    """The recorded answer streamed at a model's pace (ESCALATE_TEST_REPLAY_PACE_S per partial),
    so a person (or the browser test) can reload mid-draft. Only the timing is added: every
    partial and the final answer are the recording's, through the real extractor."""

    def __init__(self, extractor: Extractor, pace_s: float) -> None:
        self.extractor = extractor
        self.pace_s = pace_s
        self.model_name = extractor.model_name

    def extract(self, prompt: PromptFile, context: dict[str, Any]) -> Extraction:
        return self.extractor.extract(prompt, context)

    def stream(self, prompt: PromptFile, context: dict[str, Any]) -> Iterator[dict[str, Any] | Extraction]:
        for item in self.extractor.stream(prompt, context):
            if not isinstance(item, Extraction):
                time.sleep(self.pace_s)
            yield item

    def __getattr__(self, name: str) -> Any:
        return getattr(self.extractor, name)


def _replayed(cassette: Path, prompt_ref: str) -> DraftingService:
    if not _ACTIVE:
        recorder = vcr.VCR(
            record_mode="none",
            match_on=["method", "path", "body"],
            **vcr_options(only=_model_traffic_only),  # scrubbing rules: app/core/redaction/recording.py
        )
        context = recorder.use_cassette(str(cassette), allow_playback_repeats=True)
        context.__enter__()  # replay for as long as the app runs
        _ACTIVE.append(context)
    settings = recorded_settings()
    extractor: Extractor = recorded_extractor(settings)
    pace_s = float(os.environ.get("ESCALATE_TEST_REPLAY_PACE_S") or 0)
    if pace_s:
        extractor = Paced(extractor, pace_s)
    return DraftingService(extractor, settings=settings, prompt_ref=prompt_ref, backend_name="embedded")


def build_replayed_drafter() -> DraftingService:
    """The whole-brief prompt (brief@v1), whose recorded draft needs the agent's fixes."""
    return _replayed(CASSETTE, "brief@v1")


def build_replayed_cited_drafter() -> DraftingService:
    """The prompt the web app ships (brief@v2), replayed."""
    return _replayed(CITED_CASSETTE, "brief@v2")

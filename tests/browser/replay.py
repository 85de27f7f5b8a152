"""Drafter factory for the browser test: the real DraftingService, its model traffic replayed from
the cassette recorded for tests/drafting against the embedded model server (never a live model).

The streamlit server process imports this through ESCALATE_DRAFTER_FACTORY; the cassette stays
active for the life of that process, and a request it does not hold fails (record_mode none).
"""

from pathlib import Path

import vcr
from vcr.request import Request

from app.core.redaction.recording import vcr_options
from app.services.drafting import DraftingService
from tests.drafting.conftest import recorded_extractor, recorded_settings

CASSETTE = (
    Path(__file__).resolve().parents[1]
    / "drafting"
    / "cassettes"
    / "test_recorded_drafts"
    / "test_stream_yields_partials_then_the_checked_draft.yaml"
)
TICKET = Path(__file__).resolve().parents[1] / "fixtures" / "tickets" / "feature_request.txt"


# vcrpy undoes its patches when the context object is garbage-collected (its patch generator is
# closed), so the entered cassette must stay referenced for the life of the process.
_ACTIVE: list[object] = []


def _model_traffic_only(request: Request) -> Request | None:
    # Only the model's API is replayed; the webhook the test sends to is a real local server.
    return request if request.path.startswith("/v1/") else None


def build_replayed_drafter() -> DraftingService:
    if not _ACTIVE:
        recorder = vcr.VCR(
            record_mode="none",
            match_on=["method", "path", "body"],
            **vcr_options(only=_model_traffic_only),  # scrubbing rules: app/core/redaction/recording.py
        )
        context = recorder.use_cassette(str(CASSETTE), allow_playback_repeats=True)
        context.__enter__()  # replay for as long as the app runs
        _ACTIVE.append(context)
    settings = recorded_settings()
    return DraftingService(recorded_extractor(settings), settings=settings, backend_name="embedded")

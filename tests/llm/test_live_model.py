"""Opt-in smoke test against the real embedded model (ESCALATE_TEST_LIVE_MODEL=1, model assembled).

Skipped in CI and by default: tests never need a live model. Run it after `escalate model install
--model qwen2.5-coder-0.5b` to check that xllamacpp, openai and instructor still fit together.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from app.core.llm import embedded, model_files
from app.core.llm.client import make_instructor, request_options, resolve_backend
from app.core.llm.settings import Settings

SMALL = model_files.SPECS["qwen2.5-coder-0.5b"]
MODEL_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "escalate" / "models"

pytestmark = [
    pytest.mark.skipif(os.environ.get("ESCALATE_TEST_LIVE_MODEL") != "1", reason="set ESCALATE_TEST_LIVE_MODEL=1"),
    pytest.mark.skipif(
        not model_files.model_file(SMALL, MODEL_DIR).is_file(),
        reason="run `escalate model install --model qwen2.5-coder-0.5b` first",
    ),
]


class TicketFacts(BaseModel):
    """Facts copied from a support ticket."""

    account_id: str = Field(description="The customer's account id, copied exactly.")
    error_code: str = Field(description="The error code the customer saw, copied exactly.")


@pytest.fixture
def live_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.chdir(tmp_path)
    yield Settings(embedded_model=SMALL.name, model_dir=MODEL_DIR, server_port=0, ctx_size=2048)
    embedded.stop_server()


def test_embedded_model_answers_a_json_schema_extraction(live_settings: Settings) -> None:
    backend = resolve_backend(live_settings)
    extractor = make_instructor(live_settings, backend=backend)
    facts = extractor.create(
        response_model=TicketFacts,
        messages=[
            {"role": "system", "content": "Extract the facts from the ticket."},
            {"role": "user", "content": "Account ACC-48213: every checkout fails with error PAY-502 since 09:14."},
        ],
        max_retries=1,
        **request_options(live_settings),
    )
    assert facts.account_id == "ACC-48213"
    assert facts.error_code == "PAY-502"
    extractor.client.close()

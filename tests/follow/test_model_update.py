"""The customer update drafted by the model (prompts/customer_update@v1), replayed from traffic
recorded against the embedded llama.cpp server (Qwen2.5-Coder-0.5B, `escalate model serve`).
What the model writes goes through the same checks as anything the agent types.

Re-record after changing the prompt or the facts: start
`ESCALATE_EMBEDDED_MODEL=qwen2.5-coder-0.5b escalate model serve --port 8765`, then
`pytest tests/follow/test_model_update.py --record-mode=once` (delete the cassette first)."""

from datetime import timedelta

import pytest

from app.services.followup import ModelUpdateWriter
from app.services.workspace import SubmissionBlocked
from tests.drafting.conftest import recorded_extractor, recorded_settings
from tests.follow.conftest import ANA, BUSINESS, Services

UPDATE_TICKET = "Checkout fails\nCards are declined with error GW-502: Payment declined for account acct-2042."


@pytest.fixture
def default_cassette_name() -> str:
    return "customer_update_v1"  # one recording for both store backends: the store is not in the traffic


@pytest.mark.vcr
def test_the_model_drafts_a_customer_update_that_is_then_checked(services: Services) -> None:
    # The customer's words as the update's "issue" (impact.workflow_impact), as recorded.
    draft_id = services.drafted(UPDATE_TICKET)
    record = services.workspace.open(ANA, draft_id)
    assert record.brief.impact.workflow_impact == "Checkout fails"
    # "Checkout fails" alone does not state the business impact: the agent leads the summary with it.
    with pytest.raises(SubmissionBlocked, match="states the business impact"):
        services.workspace.submit(ANA, draft_id, record.version)
    summary = "Checkout fails at every store: customers cannot pay by card"
    services.workspace.save(ANA, draft_id, record.version, record.brief.model_copy(update={"summary": summary}), "")
    services.approve(draft_id)
    sent = services.follow.send(ANA, draft_id).escalation
    services.clock.advance(minutes=30)
    services.follow.acknowledge(ANA, draft_id, sent.version, by="data platform on-call")
    promised = BUSINESS + timedelta(hours=4)
    writer = ModelUpdateWriter(recorded_extractor(recorded_settings(max_tokens=200)))

    try:
        text, problems = services.follow.draft_customer_update(ANA, draft_id, promised, writer=writer)
    finally:
        writer.extractor.close()  # type: ignore[attr-defined]

    # What the 0.5B model wrote when recorded: the facts, one per line, with the promised time.
    assert "2026-11-23 21:00 UTC" in text and "Engineering has confirmed they are working on it" in text
    assert problems == []  # nothing personal or internal-only: it may be sent after the agent reads it
    told = services.follow.add_update(
        ANA, draft_id, sent.version + 1, audience="customer", body=text, next_touch_at=promised
    )
    assert told.next_touch_at == promised

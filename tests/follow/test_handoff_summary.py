"""The handoff's optional prose summary: written by the model from the facts, kept only when every
escalation number and time it names is in the facts. The recorded test replays traffic recorded
against the embedded llama.cpp server (Qwen2.5-Coder-0.5B); the gate tests stand functions in for
the model's answer.

Re-record after changing prompts/handoff or the facts: start
`ESCALATE_EMBEDDED_MODEL=qwen2.5-coder-0.5b escalate model serve --port 8765`, delete the cassette,
then `pytest tests/follow/test_handoff_summary.py --record-mode=once`."""

from datetime import timedelta

import pytest

from app.services.handoff import ModelHandoffWriter, render_note, summarise
from tests.drafting.conftest import recorded_extractor, recorded_settings
from tests.follow.conftest import ANA, SEV1_TICKET, SEV3_TICKET, Services


def seeded(services: Services) -> None:
    urgent = services.approved(SEV1_TICKET)
    services.approved(SEV3_TICKET)
    services.follow.send(ANA, urgent)
    services.follow.send(ANA, 2)
    services.clock.advance(minutes=20)  # the Sev1 acknowledgement (15 minutes) is overdue


@pytest.fixture
def default_cassette_name() -> str:
    return "handoff_summary_v1"  # one recording for both store backends


@pytest.mark.vcr
def test_the_model_summary_is_kept_only_when_grounded(services: Services) -> None:
    seeded(services)
    handoff = services.handoff.build(ANA, timedelta(hours=8))
    writer = ModelHandoffWriter(recorded_extractor(recorded_settings(max_tokens=200)))
    try:
        prose, problems = summarise(handoff, writer)
    finally:
        writer.extractor.close()  # type: ignore[attr-defined]
    # When recorded, the 0.5B model copied the facts (up to its 200 tokens) rather than summarising;
    # what it copied is grounded, so it is kept; a larger model writes actual prose.
    assert problems == []
    assert prose is not None and prose.startswith("#1: Checkout down at all stores for acct-1")
    assert "Summary: #1: Checkout down" in render_note(handoff, prose)


@pytest.mark.parametrize(
    ("answer", "kept", "problems"),
    [
        ("#1 waits for engineering since 17:15; #2 is on its clock.", True, []),
        ("#1 and #7 need attention.", False, ["#7"]),
        ("Acknowledge #1 by 23:59 UTC.", False, ["23:59"]),
        ("", False, ["the model wrote nothing"]),
    ],
)
def test_a_summary_naming_what_the_facts_do_not_hold_is_dropped(
    services: Services, answer: str, kept: bool, problems: list[str]
) -> None:
    seeded(services)
    handoff = services.handoff.build(ANA, timedelta(hours=8))
    prose, found = summarise(handoff, lambda facts: answer)
    assert (prose is not None, found) == (kept, problems)
    note = render_note(handoff, prose)
    assert ("Summary: " in note) == kept

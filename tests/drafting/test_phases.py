"""Drafting progress through the real service, the model endpoint a function (tests/ui/endpoint.py):
the phases in order, and the no-model verdict before the model is asked."""

from app.services.drafting import PHASES, DraftDone, PartialBrief, Phase, Verdict
from tests.ui import endpoint

TICKET = "Checkout fails at all stores for acct-1234 since 2026-11-20 09:10 UTC\nEvery till shows error GW-502."


def test_the_verdict_comes_before_the_model_is_asked_and_the_draft_starts_from_it() -> None:
    drafter = endpoint.build_function_drafter()
    endpoint.GATE.set()
    asked_before: dict[str, int] = {}
    events = []
    for event in drafter.stream(drafter.ingest(TICKET, [])):
        if isinstance(event, Verdict):
            asked_before["verdict"] = len(endpoint.REQUESTS)
        events.append(event)
    drafter.close()
    phases = [e.name for e in events if isinstance(e, Phase)]
    assert phases == ["redacting", "condensing", "verdict", "drafting", "checking"] == list(PHASES)
    # The verdict event follows its phase and precedes the model's phase and every partial brief.
    kinds = [type(e).__name__ if not isinstance(e, Phase) else e.name for e in events]
    assert kinds.index("verdict") + 1 == kinds.index("Verdict") < kinds.index("drafting")
    assert kinds.index("Verdict") < kinds.index("PartialBrief")
    # Computed with no model: the endpoint had not been sent this draft's request yet.
    sent_before = asked_before["verdict"]
    assert len(endpoint.REQUESTS) == sent_before + 1
    [verdict] = [e.assessment for e in events if isinstance(e, Verdict)]
    assert verdict.severity.value == "sev1" and "scope_all" in verdict.decided_by
    # The stored draft's verdict is that one (the stand-in model cites no facts to raise it).
    done = events[-1]
    assert isinstance(done, DraftDone) and done.result.assessment == verdict
    assert [e for e in events if isinstance(e, PartialBrief)]

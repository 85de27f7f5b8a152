"""How the model's and the rules' severity and target combine: rules stand wherever a signal spoke."""

from datetime import UTC, datetime

from app.core.policy import cached_policy
from app.core.triage import triage_with_basis
from app.services.drafting import decide_severity, decide_target
from schemas.common import Severity, Target

NOW = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)  # a Wednesday, in business hours
OUTAGE = "Since 09:10 none of our 40 stores can take card payments; checkout is down everywhere."
NO_SIGNAL = "Hello, quick note from Dana about the account page wording."
SLOW = "Reports have been a bit slow this week, it takes longer than before to load them."


def _triage(text: str):  # type: ignore[no-untyped-def]
    return triage_with_basis(text, cached_policy(None), NOW)


def test_a_signal_keeps_the_rules_severity_whatever_the_model_says() -> None:
    for text in (OUTAGE, SLOW):
        triaged, basis = _triage(text)
        assert basis.severity_kind, f"expected a signal in {text!r}"
        for model in Severity:
            decision = decide_severity(model, triaged, basis)
            assert decision.final is triaged.severity and decision.rules is triaged.severity
            assert decision.model is model
            if model is not triaged.severity:
                assert decision.reasons[0] == f"model suggested {model.value}; overruled by the policy"


def test_without_a_signal_the_model_fills_in_but_never_as_sev1() -> None:
    triaged, basis = _triage(NO_SIGNAL)
    assert not basis.severity_kind
    assert decide_severity(Severity.sev4, triaged, basis).final is Severity.sev4
    capped = decide_severity(Severity.sev1, triaged, basis)
    assert capped.final is Severity.sev2 and "capped at sev2" in capped.reasons[0]
    assert decide_severity(None, triaged, basis).final is triaged.severity


def test_target_follows_the_same_rule() -> None:
    triaged, basis = _triage(OUTAGE)
    assert basis.target_kind
    assert decide_target(Target.product, triaged, basis).final is triaged.target
    quiet, quiet_basis = _triage(NO_SIGNAL)
    assert not quiet_basis.target_kind
    assert decide_target(Target.product, quiet, quiet_basis).final is Target.product

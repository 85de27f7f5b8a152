"""How the model's suggestion and the assessment combine: the assessment's verdict always stands."""

from datetime import UTC, datetime

from app.core.assessment import assess
from app.core.policy import cached_policy
from app.services.drafting import decide_severity, decide_target, with_model_reading
from schemas.common import Severity, Target

NOW = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)  # a Wednesday, in business hours
OUTAGE = "Since 09:10 none of our 40 stores can take card payments; checkout is down everywhere."
NO_SIGNAL = "Hello, quick note from Dana about the account page wording."


def test_the_assessment_stands_whatever_the_model_says() -> None:
    for text in (OUTAGE, NO_SIGNAL):
        assessment = assess(text, cached_policy(None), NOW)
        for model in Severity:
            decision = decide_severity(model, assessment)
            assert decision.final is assessment.severity and decision.rules is assessment.severity
            assert decision.model is model
            if model is not assessment.severity:
                assert decision.reasons[0] == f"model suggested {model.value}; the assessment's " + (
                    f"{assessment.severity.value} stands"
                )


def test_target_follows_the_same_rule() -> None:
    for text in (OUTAGE, NO_SIGNAL):
        assessment = assess(text, cached_policy(None), NOW)
        assert decide_target(Target.product, assessment).final is assessment.target


def test_a_disagreeing_model_on_an_unsure_verdict_asks_a_person() -> None:
    unsure = assess(NO_SIGNAL, cached_policy(None), NOW)
    assert unsure.confidence < 0.8
    asked = with_model_reading(unsure, Severity.sev2, Target.engineering)
    assert asked.needs_human and asked.readings[-1].source == "model"
    assert asked.severity is unsure.severity, "the reading is offered, not taken"
    sure = assess(OUTAGE, cached_policy(None), NOW)
    assert sure.confidence >= 0.8
    assert with_model_reading(sure, Severity.sev4, Target.product) == sure


def test_a_pattern_across_tickets_and_cited_facts_only_raise_the_drafted_verdict() -> None:
    from app.core.llm.settings import Settings
    from app.services.drafting import DraftingService
    from schemas.assessment import ModelFact, PatternMatch
    from schemas.brief import EscalationBrief
    from schemas.draft import TicketInput

    class _NoModel:
        """The assessment never calls the model; a call here is a bug in the test."""

        model_name = "none"

        def extract(self, *_: object) -> None:
            raise AssertionError("no model in the assessment")

        stream = complete_text = extract

    pattern = PatternMatch(signature="ERR-7f21c", draft_ids=[4, 7, 9], accounts=["a", "b", "c"])
    asked: list[str] = []

    def find_pattern(brief: EscalationBrief, source_text: str, now: datetime) -> PatternMatch:
        asked.append(brief.summary)
        return pattern

    settings = Settings(backend="openai", base_url="http://127.0.0.1:9/v1", model="x")
    service = DraftingService(_NoModel(), settings=settings, find_pattern=find_pattern)  # type: ignore[arg-type]
    prepared = service.prepare(TicketInput(text="Customer: the weekly report shows ERR-7f21c sometimes."))
    base = service.assess(prepared, NOW)
    brief = EscalationBrief(summary="Weekly report shows ERR-7f21c", severity=Severity.sev4, target=Target.support_l2)
    raised = service.assess_with_facts(prepared, NOW, [], base, brief)
    assert asked == ["Weekly report shows ERR-7f21c"]
    assert raised.pattern == pattern and raised.severity.rank <= cached_policy(None).patterns.severity_floor.rank
    assert raised.severity.rank < base.severity.rank
    lowering = [ModelFact(kind="question_only", lines=[1])]
    service.find_pattern = None
    outage = service.prepare(TicketInput(text="Customer: since 09:10 checkout is down for all our stores."))
    outage_base = service.assess(outage, NOW)
    assert service.assess_with_facts(outage, NOW, lowering, outage_base, brief).severity is outage_base.severity


def test_the_classifier_reads_a_draft_once_though_the_verdict_is_taken_twice(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The no-model assessment and the fact-informed one read the same source: the second reuses
    the first one's classifier scores instead of scoring the ticket again."""
    from app.core import classifier as classifier_module
    from app.core.llm.settings import Settings
    from app.services import assessment as assessment_service
    from app.services.drafting import DraftingService
    from schemas.assessment import ModelFact
    from schemas.draft import TicketInput

    model = classifier_module.load_default()
    if model is None:
        import pytest

        pytest.skip("no shipped classifier artifact")
    shipped = model
    calls: list[str] = []

    class _Counting:
        def predict(self, text: str):  # type: ignore[no-untyped-def]
            calls.append(text)
            return shipped.predict(text)

    monkeypatch.setattr(assessment_service, "load_default", lambda: _Counting())
    settings = Settings(backend="openai", base_url="http://127.0.0.1:9/v1", model="x")
    service = DraftingService(object(), settings=settings)  # type: ignore[arg-type]
    prepared = service.prepare(TicketInput(text="Customer: since 09:10 checkout is down for all our stores."))
    base = service.assess(prepared, NOW)
    informed = service.assess_with_facts(prepared, NOW, [ModelFact(kind="service_unavailable", lines=[1])], base)
    assert len(calls) == 1
    assert informed.classifier == base.classifier and informed.facts

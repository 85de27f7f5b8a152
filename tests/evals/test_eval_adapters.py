"""Adapters: a real DraftingService (redaction, triage, rules) behind a fake extractor, and prose parsing."""

import pytest

from app.core.llm.settings import Settings
from app.services.drafting import DraftingService
from evals.adapters import drafter_for, outcome_from_prose, parse_severity, parse_target
from evals.cases import Case
from evals.metrics import Scored, fact_recall
from schemas.common import Severity, Target
from tests.evals.conftest import FakeExtractor

PROSE = """ESCALATION: All card payments fail for 180 merchants
Severity: **Critical**
Target: Engineering
IMPACT
- Customers affected: 180 merchants (Tillpoint POS)
- Workflow impact: cash only
ISSUE DESCRIPTION
Every transaction for ptnr_4410 returns error 9021 since 12:05 PT; see tx_ZZ999.
REPRODUCTION STEPS (for bugs)
1. Run a test transaction on ptnr_4410
2. Observe error 9021
Expected: approved
Actual: declined
WHAT'S BEEN TRIED
1. Sandbox test -> 9021
"""


def service(extractor: FakeExtractor, prompt_ref: str = "brief@v1") -> DraftingService:
    return DraftingService(extractor, settings=Settings(), prompt_ref=prompt_ref, backend_name="fake")


@pytest.fixture(scope="module")
def payments(conversations: list[Case]) -> Case:
    return next(c for c in conversations if c.id.startswith("conv-30"))


def test_a_typed_draft_becomes_an_outcome_with_the_rules_beside_the_model(payments: Case) -> None:
    assert payments.gold.brief is not None
    wrong = payments.gold.brief.model_copy(update={"severity": Severity.sev4, "target": Target.product})
    outcome = drafter_for(service(FakeExtractor(wrong)))(payments)
    assert outcome.ok and outcome.valid
    # The injected "set severity to sev4" persuaded the fake model; the rules did not move.
    assert outcome.severity_model is Severity.sev4
    assert outcome.severity_rules is not None and outcome.severity_rules.rank <= 2
    # The verdict shown before the model answered is recorded beside it; the final is never below it.
    assert outcome.severity_assessment is not None and outcome.target_assessment is not None
    assert outcome.severity_final is not None and outcome.severity_final.rank <= outcome.severity_assessment.rank
    assert outcome.target_model is Target.product
    assert (outcome.prompt_tokens, outcome.completion_tokens, outcome.latency_s) >= (900, 300, 2.5)
    assert outcome.identifiers > 5 and outcome.ungrounded == []
    assert {f.rule for f in outcome.findings}  # the checker ran on the drafted brief
    assert fact_recall([Scored(payments.gold, outcome)])["account_ids"] == 1.0


def test_an_invented_identifier_counts_as_ungrounded(payments: Case) -> None:
    assert payments.gold.brief is not None
    invented = payments.gold.brief.model_copy(update={"description": "Fails with ERR-7731 on ptnr_4410."})
    outcome = drafter_for(service(FakeExtractor(invented)))(payments)
    assert "ERR-7731" in outcome.ungrounded and "ptnr_4410" not in outcome.ungrounded


def test_a_draft_without_a_brief_still_scores_the_rules(payments: Case) -> None:
    outcome = drafter_for(service(FakeExtractor(None)))(payments)
    assert outcome.ok and not outcome.valid
    assert outcome.severity_model is None and outcome.severity_final is not None
    assert outcome.brief_text == "" and outcome.identifiers == 0 and outcome.rules_checked


def test_the_baseline_prompt_goes_through_the_prose_adapter(payments: Case) -> None:
    extractor = FakeExtractor(prose=PROSE)
    outcome = drafter_for(service(extractor, "baseline@v1"))(payments)
    # Same redaction and condensing as the typed path: the model saw the ticket, not the template.
    assert "ptnr_4410" in extractor.contexts[0]["ticket"] and "field_guide" not in extractor.contexts[0]
    assert outcome.severity_model is Severity.sev1 and outcome.severity_final is Severity.sev1
    assert outcome.severity_rules is None and not outcome.rules_checked  # the plain approach has no rules
    assert outcome.target_final is Target.engineering
    assert outcome.customer_count == 180 and outcome.reproduction_steps
    assert outcome.ungrounded == ["tx_ZZ999"]
    assert (outcome.prompt_tokens, outcome.completion_tokens) == (700, 250)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Critical", Severity.sev1),
        ("High (sev2)", Severity.sev2),
        ("Sev 3", Severity.sev3),
        ("**low**", Severity.sev4),
        ("[Critical / High / Medium]", Severity.sev1),
        ("urgent!", None),
        ("", None),
    ],
)
def test_severity_lines_the_prose_may_write(line: str, expected: Severity | None) -> None:
    assert parse_severity(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Engineering", Target.engineering),
        ("Support L2", Target.support_l2),
        ("support_l2", Target.support_l2),
        ("Security Escalation", Target.security),
        ("Sales", None),
    ],
)
def test_target_lines_the_prose_may_write(line: str, expected: Target | None) -> None:
    assert parse_target(line) is expected


def test_prose_without_the_template_scores_as_missing() -> None:
    outcome = outcome_from_prose("x", "The customer is unhappy. Please look.", "source")
    assert outcome.severity_final is None and outcome.target_final is None and not outcome.valid
    assert outcome.customer_count is None and not outcome.reproduction_steps and not outcome.workaround
    template_left_in = outcome_from_prose("y", "REPRODUCTION STEPS (for bugs)\n1. [Step]\nExpected: [X]\n", "s")
    assert not template_left_in.reproduction_steps
    negated = outcome_from_prose("z", "There is no workaround; the customer is blocked.", "s")
    assert not negated.workaround

"""Scorers against values worked out by hand."""

import pytest

from evals.cases import Facts, Gold
from evals.metrics import (
    Scored,
    blocked_by,
    by_tag,
    confusion,
    cost_metrics,
    critical_recall,
    direction,
    expected_findings_recall,
    fact_recall,
    macro_f1,
    off_by_one,
    quadratic_weighted_kappa,
    rule_pass_rate,
    scalar_metrics,
    severity_metrics,
    target_accuracy,
    ungrounded_rate,
)
from evals.outcome import FindingRef, Outcome
from schemas.common import Severity, Target
from schemas.finding import Level

S1, S2, S3, S4 = Severity.sev1, Severity.sev2, Severity.sev3, Severity.sev4


def test_ordinal_scores_on_a_worked_example() -> None:
    gold, pred = [S1, S2, S3, S4], [S2, S2, S3, S4]
    # Hand computation: one sev1 rated sev2. Observed weighted disagreement 1/9, expected 8/9.
    assert quadratic_weighted_kappa(gold, pred) == pytest.approx(0.875)
    # F1 per class: sev1 0, sev2 2/3, sev3 1, sev4 1.
    assert macro_f1(gold, pred) == pytest.approx((0 + 2 / 3 + 1 + 1) / 4)
    assert off_by_one(gold, pred) == 1.0
    assert critical_recall(gold, pred) == 0.0
    assert quadratic_weighted_kappa(gold, gold) == 1.0
    assert quadratic_weighted_kappa([S1, S4], [S4, S1]) == pytest.approx(-1.0)


def test_a_missing_prediction_scores_zero_everywhere() -> None:
    assert off_by_one([S1], [None]) == 0.0
    assert critical_recall([S1], [None]) == 0.0
    assert macro_f1([S1, S4], [None, S4]) == pytest.approx((0 + 1) / 2)
    # Counted as the worst rating (sev4 for a sev1): the same as predicting sev4.
    assert quadratic_weighted_kappa([S1, S4], [None, S4]) == quadratic_weighted_kappa([S1, S4], [S4, S4])
    assert quadratic_weighted_kappa([S3, S1], [None, S1]) == quadratic_weighted_kappa([S3, S1], [S1, S1])


def test_undefined_metrics_are_none_not_zero() -> None:
    assert critical_recall([S2, S3], [S2, S3]) is None
    assert quadratic_weighted_kappa([S2, S2], [S2, S2]) is None
    assert macro_f1([], []) is None
    assert severity_metrics([], "final")["accuracy"] is None


def test_confusion_matrix_has_a_column_for_no_prediction() -> None:
    matrix = confusion([S1, S2, S2, S4], [None, S3, S2, S4])
    assert matrix == [[0, 0, 0, 0, 1], [0, 1, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 1, 0]]


def scored(gold: Gold, **outcome: object) -> Scored:
    return Scored(gold, Outcome(case_id="x", **outcome))  # type: ignore[arg-type]


def test_model_rules_and_final_are_scored_separately_and_failures_count() -> None:
    records = [
        scored(Gold(severity=S1), severity_model=S3, severity_rules=S1, severity_final=S1),
        scored(Gold(severity=S2), severity_model=S2, severity_rules=S3, severity_final=S3),
        scored(Gold(severity=S3), error="BackendTimeout: slow", severity_model=S3),
        scored(Gold(severity=None), severity_model=S1),  # no gold: left out
    ]
    assert severity_metrics(records, "model")["accuracy"] == pytest.approx(1 / 3)
    assert severity_metrics(records, "rules")["accuracy"] == pytest.approx(1 / 3)
    assert severity_metrics(records, "final")["n"] == 3
    assert severity_metrics(records, "final")["critical_recall"] == 1.0
    metrics = scalar_metrics(records)
    assert metrics["run.failed"] == 1 and metrics["run.failed_rate"] == 0.25


def test_a_source_the_run_does_not_produce_is_not_scored_as_wrong() -> None:
    # The prose baseline has no rule-derived severity or target: "–", not an accuracy of 0.
    prose = [
        scored(Gold(severity=S1, target=Target.engineering), severity_model=S1, severity_final=S1),
        scored(Gold(severity=S2, target=Target.product), severity_model=S3, severity_final=S3),
    ]
    rules = severity_metrics(prose, "rules")
    assert rules.pop("n") == 2.0 and set(rules.values()) == {None}
    assert target_accuracy(prose, "rules") is None
    assert severity_metrics(prose, "final")["accuracy"] == 0.5
    # A run where every case failed still scores 0: the source exists, it just never answered.
    failed = [scored(Gold(severity=S1), error="BackendTimeout: slow")]
    assert severity_metrics(failed, "rules")["accuracy"] == 0.0


def test_fact_recall_per_field() -> None:
    facts = Facts(
        account_ids=["acct_1", "acct_2"],
        error_codes=["E42"],
        customer_count=3,
        reproduction_steps=True,
        workaround=False,
    )
    good = scored(
        Gold(facts=facts),
        brief_text="acct_1 fails with  E42",
        customer_count=3,
        reproduction_steps=True,
        workaround=False,
    )
    bad = scored(Gold(facts=facts), brief_text="acct_2", customer_count=None, reproduction_steps=False, workaround=True)
    failed = scored(Gold(facts=facts), error="x", brief_text="acct_1 acct_2 E42", customer_count=3)
    recall = fact_recall([good, bad, failed])
    assert recall["account_ids"] == pytest.approx(2 / 6)
    assert recall["error_codes"] == pytest.approx(1 / 3)
    assert recall["customer_count"] == pytest.approx(1 / 3)
    assert recall["reproduction_steps"] == pytest.approx(1 / 3)
    assert recall["workaround"] == pytest.approx(1 / 3)
    assert fact_recall([scored(Gold())])["account_ids"] is None


def test_grounding_rule_pass_and_expected_findings() -> None:
    ok = Outcome(
        case_id="a",
        valid=True,
        identifiers=8,
        ungrounded=["ERR-9"],
        findings=[FindingRef(rule="sla_status", level=Level.warning)],
    )
    blocked = Outcome(
        case_id="b",
        valid=True,
        identifiers=2,
        ungrounded=[],
        findings=[FindingRef(rule="grounding", level=Level.error)],
    )
    invalid = Outcome(case_id="c", valid=False, identifiers=0)
    crashed = Outcome(case_id="d", error="boom", identifiers=50, ungrounded=["a"] * 50)
    assert ungrounded_rate([ok, blocked, invalid, crashed]) == pytest.approx(1 / 10)
    assert ungrounded_rate([invalid]) is None
    assert rule_pass_rate([ok, blocked, invalid, crashed]) == 0.25
    # Prose goes through no rules: its lack of findings is not a pass.
    prose = Outcome(case_id="e", valid=True, rules_checked=False)
    assert rule_pass_rate([prose, crashed]) is None
    records = [Scored(Gold(findings=["sla_status", "off_hours"]), ok), Scored(Gold(findings=["off_hours"]), crashed)]
    assert expected_findings_recall(records) == pytest.approx(1 / 3)


def test_cost_metrics_skip_failed_cases() -> None:
    outcomes = [
        Outcome(case_id=str(i), latency_s=float(i), prompt_tokens=10, completion_tokens=5, reasks=i % 2)
        for i in range(1, 21)
    ] + [Outcome(case_id="f", error="x", latency_s=999.0)]
    cost = cost_metrics(outcomes)
    assert cost["latency.p50"] == pytest.approx(10.5)
    assert cost["latency.p95"] == pytest.approx(19.05)
    assert cost["tokens.total"] == 300 and cost["reasks.total"] == 10


def test_directions_and_slices() -> None:
    assert direction("severity.final.accuracy") == 1
    assert direction("grounding.ungrounded_rate") == -1 and direction("latency.p95") == -1
    assert direction("severity.final.n") == 0 and direction("run.n") == 0
    records = [
        scored(
            Gold(severity=S1, target=Target.security, rules=["security_immediate"]),
            severity_final=S1,
            target_final=Target.security,
        ),
        scored(Gold(severity=S3, target=Target.engineering), severity_final=S2, target_final=Target.engineering),
    ]
    slices = by_tag(records, [["security"], ["workaround"]])
    assert slices["security"]["severity.final.accuracy"] == 1.0
    assert slices["rule:security_immediate"]["n"] == 1
    assert slices["workaround"]["severity.final.accuracy"] == 0.0


def test_blocked_by_counts_each_rule_once_per_draft_and_ignores_warnings_and_failures() -> None:
    gap = FindingRef(rule="required_diagnostics", level=Level.error)
    outcomes = [
        Outcome(case_id="a", valid=True, findings=[gap, gap]),
        Outcome(case_id="b", valid=True, findings=[gap, FindingRef(rule="grounding", level=Level.error)]),
        Outcome(case_id="c", valid=True, findings=[FindingRef(rule="sla_status", level=Level.warning)]),
        Outcome(case_id="d", valid=True),
        Outcome(case_id="e", error="BackendTimeout: no answer"),
    ]
    assert blocked_by(outcomes) == {"grounding": 0.25, "required_diagnostics": 0.5}

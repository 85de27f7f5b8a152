"""The classifier report's scorer: each row judged at its own model's cut, false alarms counted."""

from app.core.classifier.data import Example
from evals.classifier_eval import per_source
from schemas.assessment import ClassifierScores
from schemas.common import Severity, Target


def _scores(sev1: float, security: float, *, cut: float = 0.5) -> ClassifierScores:
    rest = (1.0 - sev1) / 3
    return ClassifierScores(
        model_id="test",
        severity={Severity.sev1: sev1, Severity.sev2: rest, Severity.sev3: rest, Severity.sev4: rest},
        security=security,
        target={Target.engineering: 1 - security, Target.security: security},
        sev1_threshold=0.7,
        security_threshold=cut,
    )


def _row(i: int, source: str, severity: str | None, target: str) -> Example:
    return Example(id=f"{source}:{i}", text="", source=source, licence="x", severity=severity, target=target)


def test_security_precision_counts_false_alarms_from_sources_without_security_rows() -> None:
    dev = [
        _row(1, "farsec", None, "security"),
        _row(2, "farsec", None, "engineering"),
        _row(3, "llmsvc", "sev1", "engineering"),  # no security rows in this source, but a false alarm
        _row(4, "llmsvc", "sev3", "engineering"),
    ]
    scores = [_scores(0.1, 0.9), _scores(0.1, 0.2), _scores(0.8, 0.6), _scores(0.1, 0.1)]
    figures = per_source(dev, scores)
    assert figures["farsec"]["security"] == {
        "rows": 2,
        "positives": 1,
        "average_precision": 1.0,
        "flagged": 1,
        "precision_at_cut": 1.0,
        "recall_at_cut": 1.0,
    }
    assert figures["llmsvc"]["security"]["flagged"] == 1 and figures["llmsvc"]["security"]["precision_at_cut"] == 0.0
    assert figures["all"]["security"]["precision_at_cut"] == 0.5
    sev = figures["llmsvc"]["severity"]
    assert (sev["critical_recall"], sev["accuracy"], sev["sev1_flagged"], sev["sev1_precision_at_cut"]) == (
        1.0,
        0.5,
        1,
        1.0,
    )
    assert figures["all"]["target"] == {"rows": 4, "accuracy": 0.75}


def test_each_row_is_judged_at_its_own_model_s_cut() -> None:
    # Leave-one-source-out scores come from different models with different cuts.
    dev = [_row(1, "farsec", None, "security"), _row(2, "gitbugs", "sev3", "security")]
    scores = [_scores(0.1, 0.4, cut=0.3), _scores(0.1, 0.4, cut=0.5)]
    assert per_source(dev, scores)["all"]["security"]["flagged"] == 1

"""Pure scorers over (gold, outcome) pairs. No I/O, no model, no randomness.

Conventions, so every figure in a report means one thing:
- A failed case (drafting raised) or a missing prediction counts as wrong in accuracy, off-by-one,
  macro-F1 and Critical recall, and as the worst possible rating (the severity farthest from gold)
  in quadratic-weighted kappa: it scores 0 rather than dropping out of the denominator.
- Cases without a gold label for a metric (e.g. public rows with no severity) are left out of it.
- Metrics that cannot be computed (no gold Critical cases, kappa with one class) are None.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from evals.cases import Gold
from evals.outcome import Outcome
from schemas.common import Severity, Target
from schemas.finding import Level

# "assessment": the verdict before the model answered; "rules": the verdict with the model's cited
# facts; "final": what the brief carries. Final never below the assessment is a goal of #11.
Source = Literal["model", "assessment", "rules", "final"]
SOURCES: tuple[Source, ...] = ("model", "assessment", "rules", "final")
SEVERITIES: tuple[Severity, ...] = tuple(Severity)
NO_PREDICTION = "none"
FACT_FIELDS = ("account_ids", "error_codes", "customer_count", "reproduction_steps", "workaround")


@dataclass(frozen=True)
class Scored:
    gold: Gold
    outcome: Outcome


# --------------------------------------------------------------------------- severity
# Scorers work on rank arrays (1..4, 0 = no prediction): the bootstrap calls them thousands of times.

_RANK = {s: s.rank for s in SEVERITIES}
K = len(SEVERITIES)
_QW = np.array([[(i - j) ** 2 for j in range(K)] for i in range(K)]) / (K - 1) ** 2


def ranks(values: Sequence[Severity | None]) -> np.ndarray:
    return np.array([_RANK[v] if v is not None else 0 for v in values], dtype=int)


def confusion(gold: Sequence[Severity], pred: Sequence[Severity | None]) -> list[list[int]]:
    """Rows: gold sev1..sev4. Columns: predicted sev1..sev4, then 'none' (failed or unreadable)."""
    g, p = ranks(gold), ranks(pred)
    matrix = np.zeros((K, K + 1), dtype=int)
    np.add.at(matrix, (g - 1, np.where(p == 0, K, p - 1)), 1)
    return matrix.tolist()


def accuracy(gold: Sequence[object], pred: Sequence[object]) -> float | None:
    if not gold:
        return None
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)


def _off_by_one(g: np.ndarray, p: np.ndarray) -> float | None:
    return float(np.mean((p > 0) & (np.abs(g - p) <= 1))) if len(g) else None


def _macro_f1(g: np.ndarray, p: np.ndarray) -> float | None:
    labels = np.union1d(g, p[p > 0])
    if not len(labels):
        return None
    scores = []
    for label in labels:
        tp = np.sum((g == label) & (p == label))
        fp = np.sum((g != label) & (p == label))
        fn = np.sum((g == label) & (p != label))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def _qwk(g: np.ndarray, p: np.ndarray) -> float | None:
    if not len(g):
        return None
    # No prediction counts as the worst rating: the severity farthest from gold.
    p = np.where(p == 0, np.where(g <= 2, K, 1), p)
    observed = np.zeros((K, K))
    np.add.at(observed, (g - 1, p - 1), 1)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    denominator = float((_QW * expected).sum())
    if denominator == 0:
        return None  # one class on both sides: agreement is not measurable
    return 1.0 - float((_QW * observed).sum()) / denominator


def _critical_recall(g: np.ndarray, p: np.ndarray) -> float | None:
    critical = g == 1
    return float(np.mean(p[critical] == 1)) if critical.any() else None


def off_by_one(gold: Sequence[Severity], pred: Sequence[Severity | None]) -> float | None:
    return _off_by_one(ranks(gold), ranks(pred))


def macro_f1(gold: Sequence[Severity], pred: Sequence[Severity | None]) -> float | None:
    """Mean F1 over the severities that occur in gold or predictions; a miss is a false negative."""
    return _macro_f1(ranks(gold), ranks(pred))


def quadratic_weighted_kappa(gold: Sequence[Severity], pred: Sequence[Severity | None]) -> float | None:
    """Cohen's kappa with quadratic weights on the ordinal sev1..sev4 scale."""
    return _qwk(ranks(gold), ranks(pred))


def critical_recall(gold: Sequence[Severity], pred: Sequence[Severity | None]) -> float | None:
    return _critical_recall(ranks(gold), ranks(pred))


def _severity_pairs(records: Sequence[Scored], source: Source) -> tuple[list[Severity], list[Severity | None]]:
    pairs = [
        (r.gold.severity, getattr(r.outcome, f"severity_{source}") if r.outcome.ok else None)
        for r in records
        if r.gold.severity is not None
    ]
    return [g for g, _ in pairs], [p for _, p in pairs]


def produces(records: Sequence[Scored], field: str) -> bool:
    """Whether this run has the outcome field ('severity_rules', 'target_rules') at all: the prose
    baseline yields no rule verdict, and scoring its absence as 0 would read as rules that are
    always wrong. A run whose every case failed still has it (and scores 0)."""
    answered = [r for r in records if r.outcome.ok]
    return not answered or any(getattr(r.outcome, field) is not None for r in answered)


def severity_metrics(records: Sequence[Scored], source: Source) -> dict[str, float | None]:
    gold, pred = _severity_pairs(records, source)
    if not produces(records, f"severity_{source}"):
        return {
            "n": float(len(gold)),
            **dict.fromkeys(("accuracy", "off_by_one", "macro_f1", "qwk", "critical_recall")),
        }
    g, p = ranks(gold), ranks(pred)
    return {
        "n": float(len(g)),
        "accuracy": float(np.mean(g == p)) if len(g) else None,
        "off_by_one": _off_by_one(g, p),
        "macro_f1": _macro_f1(g, p),
        "qwk": _qwk(g, p),
        "critical_recall": _critical_recall(g, p),
    }


def severity_confusion(records: Sequence[Scored], source: Source) -> list[list[int]]:
    return confusion(*_severity_pairs(records, source))


# --------------------------------------------------------------------------- target


def target_accuracy(records: Sequence[Scored], source: Source) -> float | None:
    if not produces(records, f"target_{source}"):
        return None
    pairs: list[tuple[Target, Target | None]] = [
        (r.gold.target, getattr(r.outcome, f"target_{source}") if r.outcome.ok else None)
        for r in records
        if r.gold.target is not None
    ]
    return accuracy([g for g, _ in pairs], [p for _, p in pairs])


# --------------------------------------------------------------------------- facts


def _normal(text: str) -> str:
    return " ".join(text.split())


def fact_recall(records: Sequence[Scored]) -> dict[str, float | None]:
    """Per field: share of gold facts the brief carries.

    account_ids, error_codes: each gold string found verbatim in the brief's text (micro-averaged).
    customer_count: the brief states the gold number (cases whose ticket states one).
    reproduction_steps, workaround: the brief has steps / names a workaround exactly when gold says so.
    """
    found: dict[str, list[bool]] = {name: [] for name in FACT_FIELDS}
    for r in records:
        facts = r.gold.facts
        if facts is None:
            continue
        text = _normal(r.outcome.brief_text) if r.outcome.ok else ""
        for name in ("account_ids", "error_codes"):
            found[name] += [_normal(value) in text for value in getattr(facts, name) or []]
        if facts.customer_count is not None:
            found["customer_count"].append(r.outcome.ok and r.outcome.customer_count == facts.customer_count)
        if facts.reproduction_steps is not None:
            found["reproduction_steps"].append(
                r.outcome.ok and r.outcome.reproduction_steps == facts.reproduction_steps
            )
        if facts.workaround is not None:
            found["workaround"].append(r.outcome.ok and r.outcome.workaround == facts.workaround)
    return {name: (sum(hits) / len(hits) if hits else None) for name, hits in found.items()}


# --------------------------------------------------------------------------- grounding and rules


def ungrounded_rate(outcomes: Iterable[Outcome]) -> float | None:
    """Share of identifier-like tokens in the briefs that do not occur in the input (lower is better)."""
    done = [o for o in outcomes if o.ok]
    total = sum(o.identifiers for o in done)
    return sum(len(o.ungrounded) for o in done) / total if total else None


def rule_pass_rate(outcomes: Sequence[Outcome]) -> float | None:
    """Share of cases whose draft is valid and has no blocking (error-level) finding; None when no
    answered draft went through the rules (prose): 'no finding' would then read as 'passed'."""
    if not any(o.ok and o.rules_checked for o in outcomes):
        return None
    passed = [o.ok and o.valid and not any(f.level is Level.error for f in o.findings) for o in outcomes]
    return sum(passed) / len(passed)


def blocked_by(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Per rule, the share of answered drafts one of its error-level findings blocks. A brief of a
    public bug report has no account id, so `required_diagnostics` blocks it whatever the model
    writes (the agent must ask the customer): the share tells a ticket's gaps from a draft's faults."""
    done = [o for o in outcomes if o.ok and o.rules_checked]
    rules = sorted({f.rule for o in done for f in o.findings if f.level is Level.error})
    return {
        rule: sum(any(f.rule == rule and f.level is Level.error for f in o.findings) for o in done) / len(done)
        for rule in rules
    }


def expected_findings_recall(records: Sequence[Scored]) -> float | None:
    """Share of the findings the gold brief raises that the draft raises too (by rule id)."""
    hits: list[bool] = []
    for r in records:
        if not r.gold.findings:
            continue
        raised = {f.rule for f in r.outcome.findings} if r.outcome.ok else set()
        hits += [rule in raised for rule in r.gold.findings]
    return sum(hits) / len(hits) if hits else None


# --------------------------------------------------------------------------- cost


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if values else None


def cost_metrics(outcomes: Sequence[Outcome]) -> dict[str, float | None]:
    done = [o for o in outcomes if o.ok]
    # Replayed answers take milliseconds: only cases the model really answered in this run count.
    latencies = [o.latency_s for o in done if not o.replayed]
    return {
        "reasks.mean": _mean([o.reasks for o in done]),
        "reasks.total": float(sum(o.reasks for o in done)),
        "tokens.prompt.mean": _mean([o.prompt_tokens for o in done]),
        "tokens.completion.mean": _mean([o.completion_tokens for o in done]),
        "tokens.total": float(sum(o.prompt_tokens + o.completion_tokens for o in done)),
        "latency.n": float(len(latencies)),
        "latency.p50": percentile(latencies, 50),
        "latency.p95": percentile(latencies, 95),
    }


# --------------------------------------------------------------------------- everything


def scalar_metrics(records: Sequence[Scored]) -> dict[str, float | None]:
    """Every scalar metric under a flat dotted name (what the gate and the comparison read)."""
    outcomes = [r.outcome for r in records]
    failed = sum(not o.ok for o in outcomes)
    metrics: dict[str, float | None] = {
        "run.n": float(len(records)),
        "run.failed": float(failed),
        "run.failed_rate": failed / len(records) if records else None,
        "run.valid_rate": sum(o.ok and o.valid for o in outcomes) / len(records) if records else None,
    }
    for source in SOURCES:
        for name, value in severity_metrics(records, source).items():
            metrics[f"severity.{source}.{name}"] = value
        metrics[f"target.{source}.accuracy"] = target_accuracy(records, source)
    for name, value in fact_recall(records).items():
        metrics[f"facts.{name}"] = value
    metrics["grounding.ungrounded_rate"] = ungrounded_rate(outcomes)
    metrics["grounding.identifiers"] = float(sum(o.identifiers for o in outcomes if o.ok))
    metrics["rules.pass_rate"] = rule_pass_rate(outcomes)
    for rule, share in blocked_by(outcomes).items():
        metrics[f"rules.blocked_by.{rule}"] = share
    metrics["rules.expected_findings_recall"] = expected_findings_recall(records)
    metrics |= cost_metrics(outcomes)
    return metrics


# Which way is better, for deltas and the gate's messages; counts and sizes are neither.
LOWER_IS_BETTER = ("run.failed", "grounding.ungrounded_rate", "reasks.", "tokens.", "latency.")
NEUTRAL = ("run.n", "grounding.identifiers", ".n")


def direction(metric: str) -> int:
    """+1 when higher is better, -1 when lower is better, 0 when neither."""
    if metric.endswith(NEUTRAL) or metric in NEUTRAL:
        return 0
    return -1 if metric.startswith(LOWER_IS_BETTER) else 1


def by_tag(records: Sequence[Scored], tags: Sequence[Sequence[str]]) -> dict[str, dict[str, float | None]]:
    """Final severity and target accuracy on each slice of cases sharing a tag (or a gold rule)."""
    slices: dict[str, list[Scored]] = {}
    for record, case_tags in zip(records, tags, strict=True):
        for tag in {*case_tags, *(f"rule:{rule}" for rule in record.gold.rules)}:
            slices.setdefault(tag, []).append(record)
    return {
        tag: {
            "n": float(len(group)),
            "severity.final.accuracy": severity_metrics(group, "final")["accuracy"],
            "target.final.accuracy": target_accuracy(group, "final"),
        }
        for tag, group in sorted(slices.items())
    }

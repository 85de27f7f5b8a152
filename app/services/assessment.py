"""Assess a ticket: the one verdict, with every source of evidence the product has.

The redactor's findings and the learned classifier's scores are gathered here (services may
call both), then `app.core.assessment.assess` fuses them by the policy. The drafting service
calls `assess_source` once per draft and regenerate and stores the result with the draft; the
CLI and the evals call `assess_ticket`.
"""

from collections.abc import Sequence
from datetime import datetime

from app.core.assessment import assess
from app.core.classifier import load_default
from app.core.policy import cached_policy
from app.core.redaction import redact
from schemas.assessment import Assessment, ClassifierScores, ModelFact, PatternMatch
from schemas.policy import Policy
from schemas.redaction import RedactionItem


def assess_source(
    source_text: str,
    policy: Policy,
    now: datetime | None,
    *,
    redactions: Sequence[RedactionItem],
    facts: Sequence[ModelFact] = (),
    pattern: PatternMatch | None = None,
    untrusted_from: int | None = None,
    scores: ClassifierScores | None = None,
) -> Assessment:
    """The verdict on an already-redacted source: a secret the redactor masked stands in the text
    as its placeholder, which is where its evidence span points. `scores`: the classifier's reading
    of this very source, when an earlier assessment of it already has them (the draft's second,
    fact-informed assessment reuses the first one's)."""
    located = []
    for item in redactions:
        if item.category != "secret":
            continue
        at = source_text.find(item.placeholder)
        if at >= 0:
            located.append(item.model_copy(update={"start": at, "end": at + len(item.placeholder)}))
    model = None if scores is not None else load_default()  # parsed once per process by its module
    return assess(
        source_text,
        policy,
        now,
        redactions=located,
        classifier=scores,
        classify=model.predict if model else None,
        facts=facts,
        pattern=pattern,
        untrusted_from=untrusted_from,
    )


def assess_ticket(text: str, policy: Policy | None = None, now: datetime | None = None) -> Assessment:
    """The verdict on a raw ticket (CLI, batch triage, evals): redacts it first, as drafting does."""
    policy = policy or cached_policy()
    redacted = redact(text)
    return assess_source(redacted.text, policy, now, redactions=redacted.items)

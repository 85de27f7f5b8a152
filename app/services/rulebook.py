"""Use cases of the rulebook: triage a ticket, check a brief, render it. No model involved."""

from datetime import UTC, datetime

from app.core.policy import cached_policy
from app.core.render import RENDERERS, render_text
from app.core.rules import apply_computed_fields, check_brief
from app.services.assessment import assess_ticket
from schemas.assessment import Assessment
from schemas.brief import EscalationBrief
from schemas.finding import Finding
from schemas.policy import Policy

# Rules that compare the brief with the ticket it came from; meaningless without that ticket.
SOURCE_RULES = frozenset({"grounding", "evidence_verbatim"})


def current_policy(policy_file: str | None = None) -> Policy:
    return cached_policy(policy_file)


def triage_ticket(text: str, policy: Policy | None = None, now: datetime | None = None) -> Assessment:
    return assess_ticket(text, policy or current_policy(), now or datetime.now(UTC))


def triage_batch(
    texts: list[str], policy: Policy | None = None, now: datetime | None = None
) -> list[dict[str, object]]:
    """One verdict per ticket, as plain dicts (batch triage and the verdict eval)."""
    policy = policy or current_policy()
    moment = now or datetime.now(UTC)
    return [batch_row(assess_ticket(text, policy, moment)) for text in texts]


def batch_row(assessment: Assessment) -> dict[str, object]:
    """The keys of one `escalate triage --jsonl` line (besides the row's id)."""
    return {
        "severity": assessment.severity.value,
        "target": assessment.target.value,
        "confidence": assessment.confidence,
        "needs_human": assessment.needs_human,
        "signals": [s.model_dump(mode="json") for s in assessment.signals],
        "reasons": assessment.reasons,
    }


def check(
    brief: EscalationBrief,
    source_text: str | None,
    policy: Policy | None = None,
    now: datetime | None = None,
) -> list[Finding]:
    """Hold a brief against the policy. Without its ticket, signals are read from the brief itself
    and the rules that compare brief and ticket (grounding, verbatim evidence) are skipped."""
    policy = policy or current_policy()
    now = now or datetime.now(UTC)
    if source_text is None:
        findings = check_brief(brief, render_text(brief), policy, now)
        return [f for f in findings if f.rule not in SOURCE_RULES]
    return check_brief(brief, source_text, policy, now)


def finalize(brief: EscalationBrief, source_text: str, policy: Policy, now: datetime) -> EscalationBrief:
    """Fill the fields the rules compute (SLA status) rather than trusting a model with them."""
    return apply_computed_fields(brief, source_text, policy, now)


def render(brief: EscalationBrief, fmt: str) -> str:
    return RENDERERS[fmt](brief)

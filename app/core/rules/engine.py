"""The rules engine: one pure check per policy rule, run against a brief and its ticket."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.core.rules import content, severity, timing
from app.core.rules.context import Issue, RuleContext, to_finding
from app.core.sla import compute_sla
from schemas.assessment import Assessment
from schemas.brief import EscalationBrief
from schemas.finding import Finding, Level
from schemas.policy import Policy, Rules

RuleCheck = Callable[[RuleContext, Any], list[Issue]]

# Keyed by the rule ids of the policy file (schemas.policy.Rules); each takes that rule's settings.
RULE_CHECKS: dict[str, RuleCheck] = {
    "severity_matches_signals": severity.severity_matches_signals,
    "critical_needs_no_workaround": severity.critical_needs_no_workaround,
    "security_immediate": severity.security_immediate,
    "pattern_customers": severity.pattern_customers,
    "emergency_duration": severity.emergency_duration,
    "business_blocked": severity.business_blocked,
    "required_diagnostics": content.required_diagnostics,
    "impact_first": content.impact_first,
    "no_pii": content.no_pii,
    "grounding": content.grounding,
    "evidence_verbatim": content.evidence_verbatim,
    "sla_status": timing.sla_status,
    "off_hours": timing.off_hours,
    "escalation_criteria": timing.escalation_criteria,
    "target_matches_signals": severity.target_matches_signals,
}


def check_brief(
    brief: EscalationBrief, source_text: str, policy: Policy, now: datetime, assessment: Assessment | None = None
) -> list[Finding]:
    """Every enabled rule of `policy` held against `brief`, in policy order. Never raises: a rule
    that fails becomes an error finding naming it, so one broken rule cannot hide the others.
    `assessment` is the verdict stored with the draft; without one it is computed from the text."""
    ctx = RuleContext(brief, source_text, policy, now, assessment)
    findings: list[Finding] = []
    for rule_id in Rules.model_fields:
        rule = getattr(policy.rules, rule_id)
        if not rule.enabled:
            continue
        try:
            check = RULE_CHECKS[rule_id]
            findings.extend(to_finding(rule_id, rule, issue) for issue in check(ctx, rule))
        except Exception as exc:
            findings.append(
                to_finding(
                    rule_id,
                    rule,
                    Issue(
                        "",
                        f"rule {rule_id} could not run: {type(exc).__name__}: {exc}",
                        "the brief was not checked against this rule; fix the cause or have a reviewer check it",
                        level=Level.error,
                    ),
                )
            )
    return findings


def apply_computed_fields(brief: EscalationBrief, source_text: str, policy: Policy, now: datetime) -> EscalationBrief:
    """A copy of `brief` with the fields the rules compute rather than ask of a model (SLA status)."""
    status = compute_sla(source_text, brief.severity, policy, now).status
    return brief.model_copy(update={"impact": brief.impact.model_copy(update={"sla_status": status})})

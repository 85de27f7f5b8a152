"""Rules on time and on whether the brief is an escalation at all: SLA, off hours, criteria."""

from zoneinfo import ZoneInfo

from app.core.rules.content import is_filled
from app.core.rules.context import Issue, RuleContext
from app.core.sla import as_utc, is_business_hours
from schemas.common import SlaStatus, Target
from schemas.policy import Rule


def sla_status(ctx: RuleContext, rule: Rule) -> list[Issue]:
    computed, stated = ctx.sla, ctx.brief.impact.sla_status
    parts = []
    if stated is not computed.status:
        if computed.status is SlaStatus.unknown:
            parts.append(f"impact.sla_status says {stated.value} but the ticket cannot show it ({computed.reason})")
        else:
            parts.append(f"impact.sla_status says {stated.value}; computed: {computed.status.value}")
    if computed.status in (SlaStatus.breached, SlaStatus.at_risk):
        parts.append(f"the escalation clock is {computed.status.value}: {computed.reason}")
    elif parts:
        parts.append(computed.reason)
    if not parts:
        return []
    fix = f"set impact.sla_status to {computed.status.value} (it is computed from the ticket's timestamps)"
    if computed.status is SlaStatus.breached:
        fix += "; escalate now and update the customer with a timeline"
    return [Issue("impact.sla_status", "; ".join(parts), fix)]


def off_hours(ctx: RuleContext, rule: Rule) -> list[Issue]:
    severity = ctx.brief.severity
    if severity.rank > 2 or is_business_hours(ctx.now, ctx.policy):
        return []
    local = as_utc(ctx.now).astimezone(ZoneInfo(ctx.policy.business_hours.timezone))
    contact = "" if is_filled(ctx.brief.diagnostics.customer_contact) else " and add emergency contact details"
    return [
        Issue(
            "severity",
            f"{severity.value} outside business hours ({local:%a %H:%M %Z}): live support is not staffed, "
            "so on-call must be paged",
            f"page on-call through the pager system (PagerDuty or the service's chat channel){contact}",
        )
    ]


def _criteria_met(ctx: RuleContext) -> list[str]:
    brief, kinds = ctx.brief, ctx.kinds
    checks = {
        "technical": bool(kinds & {"data_loss", "outage", "major_impairment"})
        or bool(brief.diagnostics.error_messages)
        or (bool(brief.reproduction.steps) and is_filled(brief.reproduction.actual)),
        "complexity": bool(brief.tried),
        # The assessment read the ticket as critical or high (the learned classifier reads tickets in
        # any language it was trained on; the signal words are English): the impact is established.
        "impact": ctx.customers >= 2
        or bool(kinds & {"outage", "security"})
        or brief.target is Target.security
        or ctx.assessment.severity.rank <= 2,
        "business": "business_blocked" in kinds
        or is_filled(brief.impact.revenue_at_risk)
        or is_filled(brief.communication.escalation_risk),
        "time": ctx.sla.status in (SlaStatus.at_risk, SlaStatus.breached)
        or ctx.hours >= ctx.policy.rules.emergency_duration.threshold,
        "pattern": ctx.customers >= ctx.policy.rules.pattern_customers.threshold,
    }
    return [name for name in ctx.policy.escalation_criteria if checks.get(name)]


def escalation_criteria(ctx: RuleContext, rule: Rule) -> list[Issue]:
    if _criteria_met(ctx):
        return []
    listed = "; ".join(c.quote for c in ctx.policy.escalation_criteria.values())
    return [
        Issue(
            "",
            f"the brief meets none of the escalation criteria ({listed})",
            "state what makes this an escalation (impact, customers, a confirmed bug, what support tried), "
            "or handle it in support's normal backlog",
        )
    ]

"""Rules on severity and target: the brief must agree with the stored assessment.

Where the assessment was decided by a weak, purely lexical signal (major impairment,
degradation, a bug report, minor) or is unsure (`needs_human`), a disagreement is a warning
rather than the rule's level, and where no signal decided it at all there is nothing to disagree
with. Over-rating is always a warning: the signals can miss impact a reader sees, but the floors
below are the policy's explicit minimums.
"""

from app.core.rules.context import Issue, RuleContext
from app.core.triage import scan_signals
from schemas.brief import _PLACEHOLDERS  # the schema's own notion of an empty answer
from schemas.common import Severity, Target
from schemas.finding import Level
from schemas.policy import Rule, ThresholdRule

_CRITICAL_ANYWAY = frozenset({"security", "credential", "outage", "data_loss"})
# Kinds strong enough for a disagreement to block submission; the lexical impairment kinds only inform.
DECISIVE_KINDS = frozenset(
    {"security", "credential", "outage", "data_loss", "customer_count", "duration", "business_blocked", "pattern",
     "workaround", "resolved", "feature_request", "question"}
)  # fmt: skip
_TECHNICAL = frozenset(
    {"security", "credential", "outage", "data_loss", "data_wrong", "major_impairment", "degradation", "bug_report"}
)


def _request_only(kinds: frozenset[str]) -> bool:
    return bool(kinds & {"feature_request", "question"}) and not kinds & _TECHNICAL


def _level(ctx: RuleContext, basis: str) -> Level | None:
    """The rule's own level where decisive evidence set the verdict; a warning otherwise."""
    return None if basis in DECISIVE_KINDS and not ctx.assessment.needs_human else Level.warning


def _named(severity: Severity) -> str:
    return f"{severity.value} ({severity.label})"


def severity_matches_signals(ctx: RuleContext, rule: Rule) -> list[Issue]:
    have, want, basis = ctx.brief.severity, ctx.assessment.severity, ctx.assessment.severity_basis
    if have is want or not basis:
        return []
    why = "; ".join(ctx.assessment.reasons)
    if have.rank > want.rank:
        return [
            Issue(
                "severity",
                f"severity {_named(have)} is lower than the ticket's signals support, {_named(want)}: {why}",
                f"set severity to {want.value}, or have a reviewer overrule the signals with a reason",
                level=_level(ctx, basis),
            )
        ]
    return [
        Issue(
            "severity",
            f"severity {_named(have)} is higher than the ticket's signals support, {_named(want)}: {why}",
            f"lower severity to {want.value} unless the description shows impact the signals missed",
            level=Level.warning,
        )
    ]


def _states_workaround(ctx: RuleContext) -> bool:
    text = (ctx.brief.workaround or "").strip()
    if not text or text.lower() in _PLACEHOLDERS:
        return False
    return all(s.kind != "no_workaround" for s in scan_signals(text, ctx.policy))


def critical_needs_no_workaround(ctx: RuleContext, rule: Rule) -> list[Issue]:
    if ctx.brief.severity is not Severity.sev1 or ctx.kinds & _CRITICAL_ANYWAY:
        return []
    if _states_workaround(ctx):
        where, what = "workaround", f"the brief names a workaround ({ctx.brief.workaround!r})"
    elif "workaround" in ctx.kinds:
        where, what = "severity", f"the ticket mentions a workaround{ctx.signal_text('workaround')}"
    else:
        return []
    return [
        Issue(
            where,
            f"severity is sev1 (Critical) but {what}; an issue with a viable workaround is not critical "
            "unless it is a security, outage or data-loss issue",
            "lower severity to sev3 (or sev2 if the floors require it), or show why the workaround is not viable",
        )
    ]


def security_immediate(ctx: RuleContext, rule: Rule) -> list[Issue]:
    signal = "security" in ctx.kinds
    if signal and ctx.only_the_model_says("security") and ctx.assessment.target is not Target.security:
        # The assessment kept the model's reading on record rather than page security on it alone
        # (the policy's [fusion] model_fact_alone_teams): a person decides, nothing blocks.
        if ctx.brief.target is Target.security:
            signal = False  # the agent took the model's reading: the target branch below holds it to sev1
        else:
            return [
                Issue(
                    "target",
                    f"only the model reads a security concern{ctx.signal_text('security')}; "
                    "nothing else in the ticket confirms it",
                    "if the ticket shows exposed data or credentials, set target to security and severity to sev1",
                    level=Level.warning,
                )
            ]
    if not signal and ctx.brief.target is not Target.security:
        return []
    why = f"the ticket raises a security concern{ctx.signal_text('security')}" if signal else "the target is security"
    issues = []
    if ctx.brief.severity is not Severity.sev1:
        # Without a security signal the target came from the classifier (a security report, a
        # compliance request): where the brief carries the assessment's own verdict, the rule informs
        # rather than blocks the verdict the assessment gave; an agent's change of target still binds.
        as_assessed = (ctx.brief.severity, ctx.brief.target) == (ctx.assessment.severity, ctx.assessment.target)
        issues.append(
            Issue(
                "severity",
                f"{why}, so it is sev1 and escalated immediately, not {ctx.brief.severity.value}",
                "set severity to sev1 and escalate to security now",
                level=Level.warning if not signal and as_assessed else None,
            )
        )
    if signal and ctx.brief.target is not Target.security:
        issues.append(
            Issue("target", f"{why}, so it goes to security, not {ctx.brief.target.value}", "set target to security")
        )
    return issues


def _floor(ctx: RuleContext, rule: ThresholdRule, amount: float, what: str) -> list[Issue]:
    if amount < rule.threshold or _request_only(ctx.kinds) or ctx.brief.severity.rank <= rule.min_severity.rank:
        return []
    return [
        Issue(
            "severity",
            f"{what} (threshold {rule.threshold:g}) requires at least {_named(rule.min_severity)}, "
            f"not {_named(ctx.brief.severity)}",
            f"raise severity to {rule.min_severity.value} or higher",
        )
    ]


def pattern_customers(ctx: RuleContext, rule: ThresholdRule) -> list[Issue]:
    return _floor(ctx, rule, ctx.customers, f"{ctx.customers:g} customers report it{ctx.signal_text('customer_count')}")


def emergency_duration(ctx: RuleContext, rule: ThresholdRule) -> list[Issue]:
    return _floor(ctx, rule, ctx.hours, f"the emergency has run {ctx.hours:g} hours{ctx.signal_text('duration')}")


def business_blocked(ctx: RuleContext, rule: Rule) -> list[Issue]:
    if "business_blocked" not in ctx.kinds or ctx.brief.severity.rank <= Severity.sev2.rank:
        return []
    return [
        Issue(
            "severity",
            f"the issue blocks an outside initiative{ctx.signal_text('business_blocked')}, which makes it at least "
            f"sev2 (High), not {_named(ctx.brief.severity)}",
            "raise severity to sev2 and name the blocked renewal/migration in impact.revenue_at_risk",
        )
    ]


def target_matches_signals(ctx: RuleContext, rule: Rule) -> list[Issue]:
    have, want, basis = ctx.brief.target, ctx.assessment.target, ctx.assessment.target_basis
    if have is want or not basis:
        return []
    tier = ctx.policy.tiers.get(want)
    return [
        Issue(
            "target",
            f"target {have.value} does not match the ticket's signals, which point to {want.value} "
            f"({basis}{ctx.signal_text(basis)})" + (f": {tier.quote}" if tier else ""),
            f"set target to {want.value}, or have a reviewer overrule the signals with a reason",
            level=_level(ctx, basis),
        )
    ]

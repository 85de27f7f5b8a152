"""Tier-2 checks: the policy's rules as pure functions of (brief, ticket, policy, now).

check_brief(brief, source_text, policy, now) -> list[Finding]
apply_computed_fields(brief, source_text, policy, now) -> EscalationBrief
"""

from app.core.rules.engine import RULE_CHECKS, apply_computed_fields, check_brief

__all__ = ["RULE_CHECKS", "apply_computed_fields", "check_brief"]

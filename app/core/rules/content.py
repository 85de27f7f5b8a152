"""Rules on what the brief says: diagnostics present, impact first, no PII, nothing invented."""

import re
from functools import lru_cache

from pydantic import BaseModel

from app.core.grounding import brief_texts, echoed_instructions, evidence_quotes_missing, ungrounded_identifiers
from app.core.rules.context import Issue, RuleContext
from schemas.brief import _PLACEHOLDERS, normalize_space
from schemas.finding import Level
from schemas.policy import DiagnosticsRule, Rule

# What each brief field is, in the words an agent would use.
_FIELD_NAMES = {
    "diagnostics.account_ids": "the account ID",
    "diagnostics.timestamps": "timestamps of the failures",
    "diagnostics.error_messages": "the error messages or codes",
    "diagnostics.logs_attached": "logs",
    "diagnostics.har_attached": "a HAR file",
    "diagnostics.screenshots": "screenshots or recordings",
    "diagnostics.traceroute_attached": "a traceroute",
    "diagnostics.environment": "the customer environment",
    "reproduction.environment": "the environment (version, browser, OS, region)",
    "reproduction.steps": "steps to reproduce",
    "impact.workflow_impact": "what is broken for the customer",
    "communication.escalation_risk": "whether the customer may escalate further",
    "description": "a description of the issue",
    "tried": "what has been tried and its result",
}
_IMPACT_WORDS = re.compile(
    r"\b(?:cannot|can[’']?t|unable|block\w*|down|outage|fail\w*|errors?|lost|loss|los(?:e|ing)|missing|"
    r"slow\w*|delay\w*|time[sd]? ?out|timing out|incorrect|wrong|expos\w*|leak\w*|crash\w*|stuck|broken|"
    r"prevent\w*|no longer|unavailable|inaccessible|offline|degrad\w*|risk|churn\w*|renewal|revenue|"
    r"impact\w*|affect\w*|disrupt\w*|halt\w*|stop\w*|corrupt\w*|breach\w*|unauthori[sz]ed|not (?:working|loading))\b",
    re.IGNORECASE,
)
_GENERIC_IMPACT = re.compile(
    r"^(?:see (?:the )?(?:ticket|above|below|description)|(?:an? |the )?(?:issue|problem|bug)s?|various issues|"
    r"(?:the )?customer (?:has|had|reported|is having) (?:an? |some )?(?:issues?|problems?)|"
    r"something (?:is )?(?:wrong|broken)|(?:it(?:'s| is) )?not working)\.?$",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")


def _resolve(brief: BaseModel, path: str) -> object:
    value: object = brief
    for part in path.split("."):
        if not isinstance(value, BaseModel) or part not in type(value).model_fields:
            raise KeyError(path)
        value = getattr(value, part)
    return value


def is_filled(value: object) -> bool:
    """A bool counts when True, a list when not empty, text when it says more than 'N/A'."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() not in _PLACEHOLDERS
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, BaseModel):
        return any(is_filled(getattr(value, name)) for name in type(value).model_fields)
    return True


def required_diagnostics(ctx: RuleContext, rule: DiagnosticsRule) -> list[Issue]:
    target = ctx.brief.target
    issues: list[Issue] = []
    for level, paths in ((None, rule.required.get(target, [])), (Level.warning, rule.recommended.get(target, []))):
        need = "need" if level is None else "should have"
        for path in paths:
            try:
                value = _resolve(ctx.brief, path)
            except KeyError:
                issues.append(
                    Issue(
                        path,
                        f"the policy names {path!r}, which is not a field of the brief",
                        "correct the field path in the policy file",
                        level=Level.error,
                    )
                )
                continue
            if not is_filled(value):
                name = _FIELD_NAMES.get(path, path)
                issues.append(
                    Issue(
                        path,
                        f"{path} is {'not ticked' if isinstance(value, bool) else 'empty'}: "
                        f"{target.value} escalations {need} {name}",
                        f"add {name} from the ticket, or ask the customer for it",
                        level=level,
                    )
                )
    return issues


def states_impact(text: str) -> bool:
    """Whether `text` says what the business impact is, not just that there is a problem."""
    text = normalize_space(text)
    if len(text.split()) < 4 or _GENERIC_IMPACT.match(text):
        return False
    return bool(_IMPACT_WORDS.search(text))


def impact_first(ctx: RuleContext, rule: Rule) -> list[Issue]:
    summary, workflow = ctx.brief.summary, ctx.brief.impact.workflow_impact
    if states_impact(summary) or states_impact(workflow):
        return []
    shown = f"summary {summary!r}" + (f" and workflow impact {workflow!r}" if workflow.strip() else "")
    return [
        Issue(
            "impact.workflow_impact" if not workflow.strip() else "summary",
            f"neither the summary nor impact.workflow_impact states the business impact ({shown})",
            "lead the summary with who is affected and what they cannot do, e.g. "
            "'Checkout fails for all EU customers since 09:10 UTC'",
        )
    ]


# Fields are scanned as one text (one scanner call costs ~0.5 ms however short the text); the
# separator holds no digits, spaces or word characters, so no detection can run from one field into the next.
_FIELD_SEPARATOR = "\n\n\u00b6\u00b6\n\n"


@lru_cache(maxsize=32)
def _sensitive_kinds_by_field(joined: str, layout: tuple[tuple[str, int, int], ...]) -> dict[str, list[str]]:
    # Imported here: redaction loads presidio, which the other rules do not need.
    from app.core.redaction import scan_sensitive

    masked = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(joined)]
    found: dict[str, list[str]] = {}
    for span in scan_sensitive(joined):
        if any(s <= span.start and span.end <= e for s, e in masked):
            continue  # a redaction placeholder, which is what we want to see
        path = next((path for path, start, end in layout if start <= span.start < end), None)
        if path is not None:
            found.setdefault(path, []).append(span.kind)
    return found


def no_pii(ctx: RuleContext, rule: Rule) -> list[Issue]:
    texts = list(brief_texts(ctx.brief))
    layout, offset = [], 0
    for path, text in texts:
        layout.append((path, offset, offset + len(text)))
        offset += len(text) + len(_FIELD_SEPARATOR)
    joined = _FIELD_SEPARATOR.join(text for _, text in texts)
    return [
        Issue(
            path,
            f"{path} contains sensitive data ({', '.join(sorted(set(kinds)))}); "
            "a brief travels through shared channels",
            "remove it or replace it with its redaction placeholder, e.g. <EMAIL_1>",
        )
        for path, kinds in _sensitive_kinds_by_field(joined, tuple(layout)).items()
    ]


def grounding(ctx: RuleContext, rule: Rule) -> list[Issue]:
    return [
        Issue(
            item.field,
            f"{item.kind} {item.text!r} does not appear in the ticket",
            "copy the identifier exactly from the ticket, or remove it",
        )
        for item in ungrounded_identifiers(ctx.brief, ctx.source)
    ] + [
        Issue(
            echo.field,
            f"{echo.field} repeats the field's instructions ({echo.text[:80]!r}) instead of a fact from the ticket",
            "write what the ticket says for this field, or leave it empty if the ticket does not say",
        )
        for echo in echoed_instructions(ctx.brief, ctx.source)
    ]


def evidence_verbatim(ctx: RuleContext, rule: Rule) -> list[Issue]:
    if not ctx.brief.evidence:
        return [
            Issue(
                "evidence",
                "the brief quotes no evidence from the ticket",
                "add the exact ticket words behind the summary, severity and impact",
            )
        ]
    return [
        Issue(
            f"evidence[{missing.index}].quote",
            f"quote {missing.quote[:120]!r} is not in the ticket word for word",
            "copy the quote character for character from the ticket, or remove it",
        )
        for missing in evidence_quotes_missing(ctx.brief, ctx.source)
    ]

"""Adapters: one way of drafting in, one normalised `Outcome` out.

    outcome_from_draft   a DraftResult of the typed pipeline (brief@vN)
    outcome_from_prose   free text in seed 003's format (the baseline@vN prompt)
    brief_drafter / prose_drafter   bind a DraftingService into the `Drafter` the runner calls

Grounding uses the product's own identifier extractor (app.core.grounding) against the text the
model actually saw (redacted ticket + condensed logs), so placeholders such as <EMAIL_1> count as
grounded and the figure matches what the `grounding` rule reports.
"""

import re
from collections.abc import Callable

from app.core.grounding import brief_texts, extract_identifiers, ungrounded_identifiers
from app.core.policy import cached_policy
from app.core.triage import scan_signals
from app.services.drafting import DraftingService
from evals.cases import Case
from evals.outcome import FindingRef, Outcome
from schemas.brief import EscalationBrief
from schemas.common import TARGET_LABELS, Severity, Target
from schemas.draft import DraftResult

Drafter = Callable[[Case], Outcome]
"""Drafts one case. May raise (EscalateError or anything else): the runner records the failure."""

_FIELD = r"^[\s*_#>-]*{name}[\s*_]*:[\s*_]*(?P<value>.*)$"
_SEVERITY_LINE = re.compile(_FIELD.format(name="severity"), re.IGNORECASE | re.MULTILINE)
_TARGET_LINE = re.compile(_FIELD.format(name="target"), re.IGNORECASE | re.MULTILINE)
_CUSTOMERS_LINE = re.compile(_FIELD.format(name="customers affected"), re.IGNORECASE | re.MULTILINE)
_STEPS_SECTION = re.compile(
    r"REPRODUCTION STEPS[^\n]*\n(?P<body>.*?)(?:^\s*[-*]?\s*Expected\s*:|^[A-Z][A-Z' ]{6,}$|\Z)",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_NUMBERED = re.compile(r"^\s*\d+[.)]\s*(?P<step>.+)$", re.MULTILINE)
_EMPTY_STEP = re.compile(r"^\[?(step|n/?a|none|not (stated|applicable|provided)|unknown|-)\]?\.?$", re.IGNORECASE)
_COUNT = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\b")
_TARGETS = {label.lower(): target for target, label in TARGET_LABELS.items()} | {t.value: t for t in Target}


def _brief_text(brief: EscalationBrief) -> str:
    return "\n".join(text for _, text in brief_texts(brief, include_evidence=False))


def _grounding(brief: EscalationBrief, text: str, source: str) -> tuple[int, list[str]]:
    missing = ungrounded_identifiers(brief, source)
    # The count check of ungrounded_identifiers adds one item that is not an extracted token.
    extra = sum(1 for m in missing if m.field == "impact.customers_affected")
    return len(extract_identifiers(text)) + extra, [m.text for m in missing]


def outcome_from_draft(case_id: str, result: DraftResult) -> Outcome:
    brief = result.brief
    receipt = result.receipt
    common = {
        "case_id": case_id,
        "valid": result.valid,
        "severity_model": result.severity.model,
        "severity_assessment": result.severity.no_model,
        "severity_rules": result.severity.rules,
        "severity_final": result.severity.final,
        "target_model": result.target.model,
        "target_assessment": result.target.no_model,
        "target_rules": result.target.rules,
        "target_final": result.target.final,
        "findings": [FindingRef(rule=f.rule, level=f.level) for f in result.findings],
        "facts": [
            f"{f.kind}={f.value:g}@{','.join(map(str, f.lines))}"
            if not isinstance(f.value, bool)
            else f"{f.kind}@{','.join(map(str, f.lines))}"
            for f in (result.assessment.facts if result.assessment else [])
        ],
        "prompt_tokens": receipt.prompt_tokens,
        "completion_tokens": receipt.completion_tokens,
        "reasks": len(receipt.reasks),
        "latency_s": receipt.latency_s,
    }
    if brief is None:
        return Outcome(**common)
    text = _brief_text(brief)
    identifiers, ungrounded = _grounding(brief, text, result.redacted_text)
    return Outcome(
        **common,
        brief_text=text,
        customer_count=brief.impact.customers_affected,
        reproduction_steps=bool(brief.reproduction.steps),
        workaround=bool((brief.workaround or "").strip()),
        identifiers=identifiers,
        ungrounded=ungrounded,
    )


def parse_severity(value: str) -> Severity | None:
    """'Critical', 'High (sev2)', 'Sev 1', '**sev3**' -> a Severity; None when it names none."""
    cleaned = value.strip(" *_[]().")
    candidates = [cleaned, cleaned.split()[0] if cleaned.split() else "", re.sub(r"[\s_-]", "", cleaned).lower()]
    candidates += re.findall(r"sev\s*[1-4]", cleaned, re.IGNORECASE)
    for candidate in candidates:
        try:
            return Severity.from_label(
                re.sub(r"\s", "", candidate) if candidate.lower().startswith("sev") else candidate
            )
        except ValueError:
            continue
    return None


def parse_target(value: str) -> Target | None:
    cleaned = value.strip(" *_[]().").lower()
    for label in sorted(_TARGETS, key=len, reverse=True):  # 'support l2' before 'support'
        if cleaned.startswith(label):
            return _TARGETS[label]
    return None


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group("value") if match else None


def _has_steps(text: str) -> bool:
    section = _STEPS_SECTION.search(text)
    if not section:
        return False
    steps = [m.group("step").strip() for m in _NUMBERED.finditer(section.group("body"))]
    return any(step and not _EMPTY_STEP.match(step) for step in steps)


def _customer_count(text: str) -> int | None:
    line = _first(_CUSTOMERS_LINE, text)
    if line is None or line.lstrip().startswith("["):
        return None
    match = _COUNT.search(line)
    return int(match.group().replace(",", "")) if match else None


def outcome_from_prose(
    case_id: str,
    text: str,
    source: str,
    *,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    latency_s: float = 0.0,
) -> Outcome:
    """A prose brief in seed 003's format. The plain approach has no rules, so there is no rule
    severity and the final one is the model's; an unreadable severity line scores as missing."""
    severity = parse_severity(_first(_SEVERITY_LINE, text) or "")
    target = parse_target(_first(_TARGET_LINE, text) or "")
    kinds = {s.kind for s in scan_signals(text, cached_policy())}
    # Grounding is defined on briefs; the prose is checked as a brief whose description is all of it.
    as_brief = EscalationBrief(summary="prose", severity=Severity.sev4, target=Target.support_l2, description=text)
    identifiers, ungrounded = _grounding(as_brief, text, source)
    return Outcome(
        case_id=case_id,
        valid=severity is not None and target is not None,
        severity_model=severity,
        severity_final=severity,
        target_model=target,
        target_final=target,
        brief_text=text,
        customer_count=_customer_count(text),
        reproduction_steps=_has_steps(text),
        workaround="workaround" in kinds and "no_workaround" not in kinds,
        identifiers=identifiers,
        ungrounded=ungrounded,
        rules_checked=False,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        latency_s=latency_s,
    )


def brief_drafter(service: DraftingService) -> Drafter:
    def draft(case: Case) -> Outcome:
        return outcome_from_draft(case.id, service.draft(case.input, now=case.input.received_at))

    return draft


def prose_drafter(service: DraftingService) -> Drafter:
    """The baseline: the same redaction and condensing as the typed path, then one plain completion."""

    def draft(case: Case) -> Outcome:
        prepared = service.prepare(case.input)
        completion = service.extractor.complete_text(prepared.prompt, prepared.context)
        return outcome_from_prose(
            case.id,
            completion.text,
            prepared.source_text,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            latency_s=completion.latency_s,
        )

    return draft


def drafter_for(service: DraftingService) -> Drafter:
    """The adapter the service's prompt calls for: typed briefs or prose."""
    return prose_drafter(service) if service.prompt.output == "prose" else brief_drafter(service)

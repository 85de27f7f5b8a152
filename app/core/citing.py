"""Compose a brief from the model's cited prose and what code read from the source.

- Evidence is built from the line numbers the model cited: each quote is a slice of a numbered
  source line, so it is verbatim by construction. A citation of a line that does not exist (or
  is blank) is dropped; a prose field left with no valid citation is reported as unsupported.
- Identifiers, timestamps, codes, URLs, versions, amounts, counts and attachments come from
  `app.core.diagnostics`, never from the model.
- Model facts become `ModelFact`s whose `quote` is the cited lines' text (filled in here, never by
  the model); a fact with no valid citation is dropped. The assessment decides what they weigh.
- A prose value that echoes the prompt's own instructions, or a name that is a redaction
  placeholder or absent from the source, is removed.
"""

from dataclasses import dataclass, field
from typing import Any

from app.core.diagnostics import SourceDiagnostics, affected_count, is_placeholder
from app.core.grounding import ungrounded_identifiers
from app.core.numbered import NumberedSource
from schemas.assessment import ModelFact
from schemas.brief import (
    Attempt,
    CustomerCommunication,
    Diagnostics,
    EscalationBrief,
    Evidence,
    Impact,
    Reproduction,
    WhatsNeeded,
    normalize_space,
)
from schemas.cited import CITED_FIELDS, CitedDraft
from schemas.common import Severity, Target

# Evidence items per field: the first cited lines are enough for a reviewer.
QUOTES_PER_FIELD = 2
LIST_LIMIT = 6


@dataclass
class Composed:
    brief: EscalationBrief
    facts: list[ModelFact]
    unsupported: list[str] = field(default_factory=list)  # brief paths with text but no valid citation
    dropped: list[str] = field(default_factory=list)  # what code removed, and why


def _echo(text: str, instructions: str) -> bool:
    """Whether `text` only repeats the prompt's instructions (small models fill fields with them)."""
    said = normalize_space(text).lower().strip(" .:")
    return len(said) >= 12 and said in instructions


def compose(
    answer: CitedDraft,
    source: NumberedSource,
    found: SourceDiagnostics,
    *,
    severity: Severity,
    target: Target,
    instructions: str = "",
) -> Composed:
    said = normalize_space(instructions).lower()
    dropped: list[str] = []

    def text(path: str, value: str) -> str:
        value = value.strip()
        if value and said and _echo(value, said):
            dropped.append(f"{path}: repeats the prompt's instructions")
            return ""
        return value

    prose = {
        "summary": text("summary", answer.summary),
        "description": text("description", answer.description),
        "impact.workflow_impact": text("impact.workflow_impact", answer.workflow_impact),
        "reproduction.expected": text("reproduction.expected", answer.expected),
        "reproduction.actual": text("reproduction.actual", answer.actual),
        "workaround": text("workaround", answer.workaround),
        "communication.last_update": text("communication.last_update", answer.last_update),
        "communication.expectation": text("communication.expectation", answer.expectation),
        "communication.escalation_risk": text("communication.escalation_risk", answer.escalation_risk),
    }
    steps = [s for s in (text("reproduction.steps", s) for s in answer.steps) if s]
    asks = [a for a in (text("needed.asks", a) for a in answer.asks) if a]
    evidence: list[Evidence] = []
    unsupported: list[str] = []
    for path, key in CITED_FIELDS.items():
        has_text = bool(steps) if path == "reproduction.steps" else bool(prose.get(path))
        if not has_text:
            continue
        lines = source.valid(getattr(answer, key))
        if not lines:
            unsupported.append(path)
            continue
        for n in lines[:QUOTES_PER_FIELD]:
            quote = source.quote(n)
            if not any(e.field == path and e.quote == quote for e in evidence):
                evidence.append(Evidence(field=path, quote=quote))
    tried: list[Attempt] = []
    for i, attempt in enumerate(answer.tried):
        action = text(f"tried[{i}].action", attempt.action)
        if not action:
            continue
        tried.append(Attempt(action=action, result=text(f"tried[{i}].result", attempt.result)))
        lines = source.valid(attempt.lines)
        if not lines:
            unsupported.append(f"tried[{len(tried) - 1}]")
        for n in lines[:1]:
            evidence.append(Evidence(field=f"tried[{len(tried) - 1}]", quote=source.quote(n)))

    spaced_source = normalize_space(source.text).lower()
    names: list[str] = []
    for name in answer.customer_names:
        name = name.strip()
        if not name:
            continue
        if is_placeholder(name):
            dropped.append(f"impact.customer_names: {name!r} is a redaction placeholder, not a name")
        elif normalize_space(name).lower() not in spaced_source:
            dropped.append(f"impact.customer_names: {name!r} is not in the ticket")
        else:
            names.append(name)

    facts: list[ModelFact] = []
    for fact in answer.facts:
        lines = source.valid(fact.lines)
        if not lines:
            dropped.append(f"fact {fact.kind}: cites no line of the ticket")
            continue
        value: bool | float = True
        if fact.kind in ("customers_affected", "duration_hours"):
            value = float(fact.value)
            if value <= 0:
                dropped.append(f"fact {fact.kind}: no number given")
                continue
        facts.append(
            ModelFact(kind=fact.kind, value=value, lines=lines, quote="\n".join(source.quote(n) for n in lines))
        )

    count = affected_count(found)
    environment = "; ".join(f.text for f in (found.environment + found.urls)[:LIST_LIMIT])
    money = "; ".join(f.text for f in found.money[:3]) or None
    for kind, items in (("diagnostics.account_ids", found.account_ids), ("diagnostics.timestamps", found.timestamps),
                        ("diagnostics.error_messages", found.error_messages)):  # fmt: skip
        for item in items[:1]:
            evidence.append(Evidence(field=kind, quote=source.quote(item.line)))
    brief = EscalationBrief(
        summary=prose["summary"] or _first_line(source),
        severity=severity,
        target=target,
        impact=Impact(
            customers_affected=count,
            customer_names=names,
            workflow_impact=prose["impact.workflow_impact"],
            revenue_at_risk=money,
        ),
        description=prose["description"],
        workaround=prose["workaround"] or None,
        reproduction=Reproduction(
            steps=steps,
            expected=prose["reproduction.expected"],
            actual=prose["reproduction.actual"],
            environment=environment,
        ),
        tried=tried,
        communication=CustomerCommunication(
            last_update=prose["communication.last_update"],
            expectation=prose["communication.expectation"],
            escalation_risk=prose["communication.escalation_risk"],
        ),
        needed=WhatsNeeded(asks=asks),
        diagnostics=Diagnostics(
            account_ids=found.texts("account_ids", LIST_LIMIT),
            timestamps=found.texts("timestamps", LIST_LIMIT),
            environment=environment,
            error_messages=found.texts("error_messages", LIST_LIMIT),
            logs_attached=found.logs_attached,
            har_attached=found.har_attached,
            screenshots=found.screenshots,
            traceroute_attached=found.traceroute_attached,
        ),
        evidence=evidence,
    )
    brief = _without_invented_identifiers(brief, source, unsupported, dropped)
    return Composed(brief, facts, unsupported, dropped)


def _without_invented_identifiers(
    brief: EscalationBrief, source: NumberedSource, unsupported: list[str], dropped: list[str]
) -> EscalationBrief:
    """Clear a prose value that states an ID, time, code or number the source lacks: code put every
    real one in the brief already, so such a value is the model's invention, and it is unsupported."""
    invented = ungrounded_identifiers(brief, source.text)
    if not invented:
        return brief
    data = brief.model_dump()
    for item in invented:
        parts = [p for p in item.field.replace("]", "").replace("[", ".").split(".") if p]
        node: Any = data
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = parts[-1]
        key: int | str = int(last) if last.isdigit() else last
        if item.field == "summary":
            node[key] = _first_line(source)
        elif isinstance(node, list):
            node[int(key)] = ""  # list items emptied here are dropped by the brief's validators
        else:
            node[key] = "" if isinstance(node.get(key), str) else None
        dropped.append(f"{item.field}: states {item.text!r}, which the ticket does not contain")
        if item.field not in unsupported:
            unsupported.append(item.field)
    data["evidence"] = [e for e in data["evidence"] if e["field"] not in unsupported]
    return EscalationBrief.model_validate(data)


def _first_line(source: NumberedSource) -> str:
    """A summary when the model wrote none: the ticket's first non-blank line, cut to one line."""
    first = next((line.strip() for line in source.lines if line.strip()), "Escalation")
    return first[:200]


__all__ = ["Composed", "compose"]

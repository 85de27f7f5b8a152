"""The brief as editable form fields and back: one entry per field the agent can change.

Lists are edited one item per line; attempts as 'action -> result'. Turning the values back into
an EscalationBrief validates them, and a bad value names its field in words the agent knows.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from app.core.errors import InputError
from schemas.brief import Attempt, EscalationBrief, field_title

Kind = Literal["text", "area", "lines", "int", "bool", "severity", "target", "attempts"]


@dataclass(frozen=True)
class FormField:
    path: str  # dotted path in EscalationBrief, also the evidence `field` it matches
    label: str
    kind: Kind
    section: str


# Widget hints appended to the schema's title (the label's one home is schemas/brief.py).
_HINTS = {"lines": " (one per line)", "attempts": " (one per line: action -> result)"}


def _field(path: str, kind: Kind, section: str) -> FormField:
    return FormField(path, field_title(path) + _HINTS.get(kind, ""), kind, section)


FIELDS: tuple[FormField, ...] = (
    _field("summary", "text", "Brief"),
    _field("severity", "severity", "Brief"),
    _field("target", "target", "Brief"),
    _field("description", "area", "Brief"),
    _field("workaround", "text", "Brief"),
    _field("impact.customers_affected", "int", "Impact"),
    _field("impact.customer_names", "lines", "Impact"),
    _field("impact.workflow_impact", "text", "Impact"),
    _field("impact.revenue_at_risk", "text", "Impact"),
    _field("reproduction.steps", "lines", "Reproduction"),
    _field("reproduction.expected", "text", "Reproduction"),
    _field("reproduction.actual", "text", "Reproduction"),
    _field("reproduction.environment", "text", "Reproduction"),
    _field("tried", "attempts", "What's been tried"),
    _field("communication.last_update", "text", "Customer communication"),
    _field("communication.expectation", "text", "Customer communication"),
    _field("communication.escalation_risk", "text", "Customer communication"),
    _field("needed.asks", "lines", "What's needed"),
    _field("needed.deadline", "text", "What's needed"),
    _field("diagnostics.account_ids", "lines", "Diagnostics"),
    _field("diagnostics.timestamps", "lines", "Diagnostics"),
    _field("diagnostics.error_messages", "lines", "Diagnostics"),
    _field("diagnostics.environment", "text", "Diagnostics"),
    _field("diagnostics.screenshots", "lines", "Diagnostics"),
    _field("diagnostics.logs_attached", "bool", "Diagnostics"),
    _field("diagnostics.har_attached", "bool", "Diagnostics"),
    _field("diagnostics.traceroute_attached", "bool", "Diagnostics"),
    _field("diagnostics.customer_contact", "text", "Diagnostics"),
)
FIELD_LABELS = {f.path: f.label for f in FIELDS}


def _get(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[leaf] = value


def to_widget(field: FormField, value: Any) -> Any:
    if field.kind == "lines":
        return "\n".join(value or [])
    if field.kind == "attempts":
        return "\n".join(f"{a['action']} -> {a['result']}" if a.get("result") else a["action"] for a in value or [])
    if field.kind == "int":
        return "" if value is None else str(value)
    if field.kind == "bool":
        return bool(value)
    return value or ""


def from_widget(field: FormField, raw: Any) -> Any:
    if field.kind == "lines":
        return [line.strip() for line in str(raw or "").splitlines() if line.strip()]
    if field.kind == "attempts":
        attempts = []
        for line in str(raw or "").splitlines():
            if line.strip():
                action, _, result = line.partition("->")
                attempts.append(Attempt(action=action.strip() or line.strip(), result=result.strip()).model_dump())
        return attempts
    if field.kind == "int":
        text = str(raw or "").strip().replace(",", "")
        if not text:
            return None
        if not text.isdigit():
            raise InputError(f"{field.label}: '{raw}' is not a whole number")
        return int(text)
    if field.kind == "bool":
        return bool(raw)
    if field.path in ("workaround", "impact.revenue_at_risk", "needed.deadline"):
        return str(raw).strip() or None
    return str(raw or "")


def form_values(brief: EscalationBrief) -> dict[str, Any]:
    """Widget values for every field, keyed by path."""
    data = brief.model_dump(mode="json")
    return {field.path: to_widget(field, _get(data, field.path)) for field in FIELDS}


def brief_from_values(values: Mapping[str, Any], base: EscalationBrief) -> EscalationBrief:
    """The edited brief; fields not in the form (evidence, computed SLA) are kept from `base`.

    A field the agent rewrote loses the model's evidence for it: the quote backed the model's
    words, not the agent's, and a stale quote would keep failing the verbatim check.
    """
    data = base.model_dump(mode="json")
    rewritten: set[str] = set()
    for field in FIELDS:
        if field.path in values:
            value = from_widget(field, values[field.path])
            if value != _get(data, field.path):
                rewritten.add(field.path)
            _set(data, field.path, value)
    data["evidence"] = [e for e in data.get("evidence", []) if not any(_backs(e["field"], p) for p in rewritten)]
    try:
        return EscalationBrief.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"] if not isinstance(p, int))
        label = FIELD_LABELS.get(path, path or "brief")
        raise InputError(f"{label}: {first['msg']}") from exc


def evidence_for(brief: EscalationBrief, path: str) -> list[str]:
    """Quotes the model gave for a field (or any of its sub-fields)."""
    return [e.quote for e in brief.evidence if _backs(e.field, path)]


def _backs(evidence_field: str, path: str) -> bool:
    """Whether a quote for `evidence_field` backs the form field at `path` (or one of its parts)."""
    return evidence_field == path or evidence_field.startswith(path + ".")

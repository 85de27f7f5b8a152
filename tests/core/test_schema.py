"""The brief's contract: exported JSON Schema, severity labels, tier-1 grounding."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas import SEVERITY_LABELS, EscalationBrief, Severity

EXPORTED = Path(__file__).resolve().parents[2] / "schemas" / "escalation_brief.schema.json"


def test_exported_schema_is_current() -> None:
    # Regenerate with: escalate schema --out schemas/escalation_brief.schema.json
    assert json.loads(EXPORTED.read_text(encoding="utf-8")) == EscalationBrief.model_json_schema()


def test_severity_labels_follow_seed_002() -> None:
    assert [SEVERITY_LABELS[s] for s in Severity] == ["Critical", "High", "Medium", "Low"]


@pytest.mark.parametrize(("given", "expected"), [("Critical", "sev1"), ("Sev 2", "sev2"), ("low", "sev4")])
def test_severity_accepts_labels(given: str, expected: str) -> None:
    brief = EscalationBrief(summary="x", severity=given, target="engineering")  # type: ignore[arg-type]
    assert brief.severity.value == expected


def test_unknown_severity_message_is_an_instruction() -> None:
    with pytest.raises(ValidationError, match="answer one of sev1, sev2, sev3, sev4"):
        EscalationBrief(summary="x", severity="urgent", target="engineering")  # type: ignore[arg-type]


def test_evidence_must_be_verbatim_when_source_given() -> None:
    data = {
        "summary": "x",
        "severity": "sev2",
        "target": "engineering",
        "evidence": [{"field": "summary", "quote": "login   fails\nfor ACME"}],
    }
    EscalationBrief.model_validate(data, context={"source": "Since 9am login fails for ACME users"})
    with pytest.raises(ValidationError, match="not in the ticket"):
        EscalationBrief.model_validate(data, context={"source": "everything works"})


def test_evidence_required_when_source_given() -> None:
    with pytest.raises(ValidationError, match="evidence is empty"):
        EscalationBrief.model_validate(
            {"summary": "x", "severity": "sev2", "target": "engineering"}, context={"source": "text"}
        )


def test_summary_is_one_line() -> None:
    with pytest.raises(ValidationError):
        EscalationBrief(summary="two\nlines", severity="sev2", target="engineering")  # type: ignore[arg-type]


def test_placeholder_list_items_are_dropped() -> None:
    brief = EscalationBrief.model_validate(
        {"summary": "x", "severity": "sev3", "target": "product", "diagnostics": {"account_ids": ["N/A", "", "AC-1"]}}
    )
    assert brief.diagnostics.account_ids == ["AC-1"]


def test_null_quotes_are_dropped_not_reasked() -> None:
    # Recorded from the 0.5B model: evidence items whose quote is "null" or "[]" (it had none).
    data = {
        "summary": "x",
        "severity": "sev2",
        "target": "engineering",
        "evidence": [
            {"field": "impact.revenue_at_risk", "quote": "null"},
            {"field": "tried", "quote": "[]"},
            {"field": "summary", "quote": "login fails"},
        ],
    }
    brief = EscalationBrief.model_validate(data, context={"source": "Since 9am login fails for ACME users"})
    assert [e.quote for e in brief.evidence] == ["login fails"]
    # Only placeholders: nothing is left, and that is still an error the model is asked to fix.
    data["evidence"] = data["evidence"][:2]
    with pytest.raises(ValidationError, match="evidence is empty"):
        EscalationBrief.model_validate(data, context={"source": "Since 9am login fails for ACME users"})

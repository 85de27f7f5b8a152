"""Renderers: seed 003's exact section order, impact first in Markdown, JSON round trip."""

import json
from pathlib import Path

from app.core.render import render_json, render_markdown, render_text
from schemas.brief import EscalationBrief

SEED_003 = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "003_656cb13fbb021e47.txt"

BRIEF = EscalationBrief.model_validate(
    {
        "summary": "Checkout fails for 40 stores since 09:10 UTC",
        "severity": "sev1",
        "target": "engineering",
        "impact": {
            "customers_affected": 40,
            "workflow_impact": "Stores cannot take card payments",
            "revenue_at_risk": "about $12k/hour",
        },
        "description": "Payments return HTTP 502 from the gateway.",
        "reproduction": {"steps": ["Add an item", "Pay by card"], "expected": "Paid", "actual": "HTTP 502"},
        "tried": [{"action": "Restarted POS", "result": "No change"}],
        "needed": {"asks": ["Investigate gateway 502s"], "deadline": "2026-11-20 12:00 UTC"},
        "evidence": [{"field": "impact.customers_affected", "quote": "all 40 of our stores"}],
    }
)


def _seed_labels() -> list[str]:
    """Each line of seed 003's template up to its first placeholder: 'IMPACT', '- SLA status:', ..."""
    lines = SEED_003.read_text(encoding="utf-8").splitlines()
    start = lines.index("Every escalation should follow this structure:") + 1
    labels = [line.split("[")[0].strip() for line in lines[start:]]
    return [label for label in labels if label and not label[0].isdigit() and label != "-"]


def test_text_follows_seed_003_structure_in_order() -> None:
    rendered = render_text(BRIEF).splitlines()
    position = 0
    for label in _seed_labels():
        while position < len(rendered) and not rendered[position].startswith(label):
            position += 1
        assert position < len(rendered), f"{label!r} missing or out of order"
        position += 1


def test_text_values() -> None:
    text = render_text(BRIEF)
    assert text.startswith("ESCALATION: Checkout fails for 40 stores")
    assert "Severity: Critical\nTarget: Engineering\n" in text
    assert "1. Restarted POS -> No change" in text
    assert "- Deadline: 2026-11-20 12:00 UTC" in text


def test_markdown_states_business_impact_in_first_two_lines() -> None:
    first_two = "\n".join(render_markdown(BRIEF).splitlines()[:2])
    assert "40" in first_two and "card payments" in first_two and "Critical" in first_two


def test_markdown_escapes_model_text() -> None:
    hostile = BRIEF.model_copy(update={"summary": "<script>alert(1)</script> [click](http://x)"})
    md = render_markdown(hostile)
    assert "<script>" not in md and "\\[click\\](http" in md


def test_json_round_trips() -> None:
    assert EscalationBrief.model_validate(json.loads(render_json(BRIEF))) == BRIEF

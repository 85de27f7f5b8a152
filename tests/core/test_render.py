"""Renderers: seed 003's exact section order, impact first in Markdown, JSON round trip."""

import json
from pathlib import Path

import pytest

from app.core.render import handoff_checklist, render_json, render_markdown, render_text
from schemas.brief import EscalationBrief, leaf_paths

SEED_003 = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "003_656cb13fbb021e47.txt"
needs_seeds = pytest.mark.skipif(
    not SEED_003.exists(), reason=f"the seed guides are not next to this checkout ({SEED_003.parent})"
)

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


@needs_seeds
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


# Two values per kind of leaf: the field is held to an export when changing it changes the export.
def _variant(path: str, brief: EscalationBrief) -> object:
    value: object = brief.model_dump(mode="json")
    for part in path.split("."):
        value = value[part]  # type: ignore[index]
    if isinstance(value, bool):
        return not value
    if path == "severity":
        return "sev4"
    if path == "target":
        return "product"
    if path == "impact.sla_status":
        return "breached"
    if path == "impact.customers_affected":
        return 987654
    if path == "tried":
        return [{"action": "SENTINEL-tried", "result": "SENTINEL-result"}]
    if path == "evidence":
        return [{"field": "summary", "quote": "SENTINEL-quote"}]
    if isinstance(value, list):
        return [f"SENTINEL-{path}"]
    return f"SENTINEL-{path}"


def _with(brief: EscalationBrief, path: str, value: object) -> EscalationBrief:
    data = brief.model_dump(mode="json")
    node = data
    *parents, leaf = path.split(".")
    for part in parents:
        node = node[part]
    node[leaf] = value
    return EscalationBrief.model_validate(data)


def test_every_brief_field_reaches_the_text_export_except_evidence_which_reaches_markdown() -> None:
    # Changing any one field changes the escalation text engineering reads (evidence: the Markdown),
    # and every text value the agent typed appears in it verbatim.
    for path in leaf_paths():
        value = _variant(path, BRIEF)
        changed = _with(BRIEF, path, value)
        render = render_markdown if path == "evidence" else render_text
        assert render(changed) != render(BRIEF), f"{path} does not reach the {render.__name__} export"
        if isinstance(value, str) and value.startswith("SENTINEL"):
            assert value in render(changed), path
        if isinstance(value, list) and isinstance(value[0], str):
            assert value[0] in render(changed), path


@needs_seeds
def test_text_holds_seed_002_diagnostics_and_handoff_checklist() -> None:
    brief = _with(
        _with(BRIEF, "diagnostics.account_ids", ["acct-77"]), "diagnostics.customer_contact", "Ops lead, via Slack"
    )
    text = render_text(brief)
    diagnostics = text.split("DIAGNOSTICS\n")[1].split("HANDOFF CHECKLIST\n")
    assert "- Account / org IDs: acct-77\n" in diagnostics[0]
    assert "- Customer contact and preferred channel: Ops lead, via Slack\n" in diagnostics[0]
    assert "- Logs attached: no\n" in diagnostics[0]
    # Seed 002 lines 26-29, ticked only where the brief holds the item.
    assert diagnostics[1].splitlines() == [
        "- [x] Ticket summary and steps to reproduce",
        "- [ ] All collected logs and timestamps",
        "- [ ] Customer environment and configuration",
        "- [ ] Impact assessment and related customer SLAs",
    ]
    seed_002 = SEED_003.with_name("002_c7b4f1e68f98dd33.txt").read_text(encoding="utf-8").splitlines()
    assert [line.removeprefix("- ") for line in seed_002[25:29]] == [item for _, item in handoff_checklist(brief)]

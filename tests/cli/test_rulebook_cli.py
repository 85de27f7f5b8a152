"""`escalate triage | check | render`: output shapes, exit codes, and one-line messages on bad input."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app

TICKETS = Path(__file__).resolve().parents[1] / "fixtures" / "tickets"
NOW = ["--now", "2026-11-21T15:00:00+00:00"]
runner = CliRunner()

GOOD_BRIEF = {
    "summary": "Billing page shows other tenants' invoices to GLX-2208 users: data exposure",
    "severity": "sev1",
    "target": "security",
    "impact": {"customers_affected": 1, "workflow_impact": "Users see other tenants' invoices, a data exposure"},
    "description": "After this morning's update the Billing page lists invoices of other accounts.",
    "diagnostics": {
        "account_ids": ["GLX-2208"],
        "timestamps": ["2026-11-21 14:05 UTC"],
        "error_messages": ["INV-99120"],
        "screenshots": ["billing-leak.png"],
    },
    "evidence": [
        {"field": "impact.workflow_impact", "quote": "users in our workspace can see other tenants' invoices"}
    ],
}


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_triage_json_shape() -> None:
    result = runner.invoke(app, ["triage", str(TICKETS / "injection_security.txt"), "--json", *NOW])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["severity"] == "sev1" and payload["target"] == "security"
    assert any(s["kind"] == "security" and s["text"] for s in payload["signals"])


def test_triage_reads_stdin() -> None:
    text = (TICKETS / "feature_request.txt").read_text(encoding="utf-8")
    result = runner.invoke(app, ["triage", "-", "--json", *NOW], input=text)
    assert json.loads(result.stdout)["target"] == "product"


def test_triage_human_output_lists_signals() -> None:
    result = runner.invoke(app, ["triage", str(TICKETS / "checkout_outage.txt"), *NOW])
    assert "severity: sev1 (Critical)" in result.stdout and "[outage]" in result.stdout


def test_check_passes_a_good_brief(tmp_path: Path) -> None:
    brief = _write(tmp_path, "brief.json", GOOD_BRIEF)
    result = runner.invoke(
        app, ["check", str(brief), "--source", str(TICKETS / "injection_security.txt"), "--json", *NOW]
    )
    payload = json.loads(result.stdout)
    errors = [f for f in payload["findings"] if f["level"] == "error"]
    assert result.exit_code == 0, errors
    assert set(payload["findings"][0]) >= {"rule", "level", "field", "message"} if payload["findings"] else True


def test_check_exits_1_on_a_downgraded_security_brief(tmp_path: Path) -> None:
    bad = {**GOOD_BRIEF, "severity": "sev4", "target": "product"}
    brief = _write(tmp_path, "brief.json", bad)
    result = runner.invoke(
        app, ["check", str(brief), "--source", str(TICKETS / "injection_security.txt"), "--json", *NOW]
    )
    assert result.exit_code == 1
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"] if f["level"] == "error"}
    assert "security_immediate" in rules


def test_check_flags_ungrounded_identifier(tmp_path: Path) -> None:
    invented = {**GOOD_BRIEF, "diagnostics": {**GOOD_BRIEF["diagnostics"], "account_ids": ["GLX-9999"]}}
    brief = _write(tmp_path, "brief.json", invented)
    result = runner.invoke(
        app, ["check", str(brief), "--source", str(TICKETS / "injection_security.txt"), "--json", *NOW]
    )
    findings = json.loads(result.stdout)["findings"]
    assert result.exit_code == 1
    assert any(f["rule"] == "grounding" and "GLX-9999" in f["message"] for f in findings)


def test_check_flags_pii_in_brief(tmp_path: Path) -> None:
    leaky = {**GOOD_BRIEF, "description": "Reported by liam@globex.example, call +1 415 555 0199."}
    result = runner.invoke(app, ["check", str(_write(tmp_path, "b.json", leaky)), "--json", *NOW])
    assert result.exit_code == 1
    assert any(f["rule"] == "no_pii" for f in json.loads(result.stdout)["findings"])


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_render_formats(tmp_path: Path, fmt: str) -> None:
    result = runner.invoke(app, ["render", str(_write(tmp_path, "b.json", GOOD_BRIEF)), "--format", fmt])
    assert result.exit_code == 0
    assert "GLX-2208" in result.stdout


def test_render_accepts_draft_output_shape(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(_write(tmp_path, "d.json", {"brief": GOOD_BRIEF})), "-f", "text"])
    assert result.stdout.startswith("ESCALATION: Billing page")


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (["triage"], None, "no such file"),
        (["check"], "{not json", "invalid JSON at line 1"),
        (["check"], json.dumps({"summary": "x"}), "not an escalation brief"),
        (["render"], json.dumps({**GOOD_BRIEF, "severity": "urgent"}), "'severity'"),
        (["triage"], b"\xff\xfe\x00bad", "not UTF-8"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], content: object, message: str) -> None:
    path = tmp_path / "input"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, [*args, str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("error: ")


def test_schema_command_prints_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert json.loads(result.stdout)["title"] == "EscalationBrief"

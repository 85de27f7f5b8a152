"""Shift handoff: built from the timeline (facts deterministic), grounded (every id and time in
the note is one the timeline holds), `escalate handoff [--since] [--json]` on empty and seeded stores."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from app.core.llm.settings import get_settings
from app.services.handoff import parse_since, render_note, when
from tests.follow.conftest import ANA, BEA, QUIET_TICKET, SEV1_TICKET, SEV3_TICKET, Services
from tests.follow.receiver import free_port

_ID = re.compile(r"#(\d+)")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def seed(services: Services) -> dict[str, int]:
    """Three escalations: one acknowledged with updates, one waiting, one resolved."""
    busy = services.approved(SEV1_TICKET)
    waiting = services.approved(SEV3_TICKET)
    closed = services.approved(QUIET_TICKET)
    sent = services.follow.send(ANA, busy).escalation
    services.follow.send(ANA, waiting)
    done = services.follow.send(ANA, closed).escalation
    services.clock.advance(minutes=7)
    acked = services.follow.acknowledge(ANA, busy, sent.version, by="dev on-call")
    done = services.follow.acknowledge(ANA, closed, done.version, by="dev on-call")
    services.follow.resolve(ANA, closed, done.version, "config fixed")
    services.clock.advance(minutes=20)
    services.follow.add_update(
        ANA,
        busy,
        acked.version,
        audience="customer",
        body="Engineering is working on the checkout failures; next update within the hour.",
        next_touch_at=services.clock.now + timedelta(minutes=45),
    )
    return {"busy": busy, "waiting": waiting, "closed": closed}


def timeline_facts(services: Services) -> tuple[set[int], set[str]]:
    ids: set[int] = set()
    times: set[str] = set()
    for item in services.follow.board(ANA, include_resolved=True):
        ids.add(item.draft.id)
        for event in services.follow.open(ANA, item.draft.id).events:
            times.add(when(event.at))
            if event.next_touch_at:
                times.add(when(event.next_touch_at))
            times.update(_TIME.findall(event.body))
    return ids, times


def test_the_handoff_note_is_grounded_in_the_timeline(services: Services) -> None:
    ids = seed(services)
    services.clock.advance(hours=1)  # the Sev1 touch-point is now overdue
    handoff = services.handoff.build(BEA, timedelta(hours=8))
    assert [e["draft_id"] for e in handoff.escalations] == [ids["busy"], ids["waiting"]]  # resolved: out
    busy, waiting = handoff.escalations
    assert busy["owner"] == "ana" and busy["acknowledged_by"] == "dev on-call"
    assert [c["kind"] for c in busy["changes"]] == ["sent", "acknowledged", "update"]
    assert busy["touch_status"] == "overdue"
    assert busy["pending"][0].startswith("customer update overdue since")
    assert waiting["pending"][0].startswith("engineering to acknowledge by")

    note = render_note(handoff)
    body = note.split("\n", 1)[1]  # the first line names the handoff's own window
    known_ids, known_times = timeline_facts(services)
    assert set(map(int, _ID.findall(body))) <= known_ids
    assert _TIME.findall(body) and set(_TIME.findall(body)) <= known_times
    assert "config fixed" not in note


def test_changes_start_from_the_last_recorded_handoff(services: Services) -> None:
    ids = seed(services)
    first = services.handoff.build(ANA)
    assert first.since_reason.startswith("no handoff recorded yet")
    services.handoff.record(ANA, first)
    services.clock.advance(minutes=30)
    sent = services.follow.open(BEA, ids["waiting"]).escalation
    assert sent is not None
    services.follow.add_update(BEA, ids["waiting"], sent.version, audience="internal", body="repro on staging")
    second = services.handoff.build(BEA)
    assert second.since_reason == "the last handoff by ana"
    changes = {e["draft_id"]: [c["text"] for c in e["changes"]] for e in second.escalations}
    assert changes == {ids["busy"]: [], ids["waiting"]: ["repro on staging"]}


def test_since_takes_durations_and_refuses_anything_else() -> None:
    assert parse_since("8h") == timedelta(hours=8)
    assert parse_since("1h30m") == timedelta(minutes=90)
    assert parse_since("2d") == timedelta(days=2)
    for bad in ("", "8", "eight hours", "-8h", "8x"):
        with pytest.raises(Exception, match="expected a duration"):
            parse_since(bad)


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ESCALATE_DB_URL", db_url)
    monkeypatch.delenv("ESCALATE_WEBHOOK_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_handoff_json_is_an_empty_list_on_an_empty_store(cli_env: None) -> None:
    result = CliRunner().invoke(app, ["handoff", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["escalations"] == []
    result = CliRunner().invoke(app, ["handoff", "--since", "soon"])
    assert result.exit_code == 2 and "expected a duration like 8h" in result.output


def test_cli_handoff_on_a_seeded_store(cli_env: None, services: Services) -> None:
    services.clock.now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    ids = seed(services)
    result = CliRunner().invoke(app, ["handoff", "--since", "8h", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [e["draft_id"] for e in data["escalations"]] == [ids["busy"], ids["waiting"]]
    assert data["escalations"][0]["changes"][-1]["audience"] == "customer"
    text = CliRunner().invoke(app, ["handoff", "--since", "8h", "--record"])
    assert text.exit_code == 0 and f"#{ids['busy']} [sev1]" in text.output
    again = CliRunner().invoke(app, ["handoff"])
    assert "changes since" in again.output and "the last handoff by cli:" in again.output
    send = CliRunner().invoke(app, ["handoff", "--send"])
    assert send.exit_code == 2 and "no webhook is configured" in send.output


def test_cli_handoff_summary_without_a_model_still_prints_the_facts(
    cli_env: None, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.clock.now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    ids = seed(services)
    monkeypatch.setenv("ESCALATE_BACKEND", "openai")
    monkeypatch.setenv("ESCALATE_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")  # nothing listens
    monkeypatch.setenv("ESCALATE_MODEL", "escalate-embedded")
    monkeypatch.setenv("ESCALATE_MAX_RETRIES", "0")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["handoff", "--since", "8h", "--summary"])
    assert result.exit_code == 0, result.output
    assert "no summary: the model is not available" in result.output
    assert f"#{ids['busy']} [sev1]" in result.output and "Summary:" not in result.output

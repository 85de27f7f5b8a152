"""Approved briefs: seed-003 text and Markdown with copy, JSON download, webhook send; all recorded."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.core.store.repo import list_exports
from tests.ui.conftest import AppFactory, reload_settings
from tests.ui.flows import FRESH_TICKET, db, draft, open_in_review, submit, texts
from tests.ui.webhook_server import webhook_server


def approved_brief(make_app: AppFactory) -> AppTest:
    submit(draft(make_app("ana").run(), FRESH_TICKET))
    rui = open_in_review(make_app("rui").run(), 1)
    rui.button(key="review.approve").click().run()
    return make_app("ana").run().switch_page("views/approved.py").run()


def exports(app_env: Path) -> list[tuple[str, str, str, int | None]]:
    store = db(app_env)
    with store.read() as session:
        rows = [(e.format, e.destination, e.status, e.response_code) for e in list_exports(session, 1)]
    store.dispose()
    return rows


def test_approved_brief_in_the_escalation_format_markdown_and_json(make_app: AppFactory, app_env: Path) -> None:
    at = approved_brief(make_app)
    assert not at.exception
    text = at.code[0].value
    assert text.startswith(
        "ESCALATION: Exports are slow for acct-2042\nSeverity: Medium\nTarget: Engineering\nIMPACT\n"
    )
    assert "WHAT'S NEEDED" in text
    assert any(c.language == "markdown" and c.value.startswith("# Exports are slow") for c in at.code)
    assert any(c.language == "json" and '"summary": "Exports are slow for acct-2042"' in c.value for c in at.code)
    assert [b.label for b in at.download_button] == ["Download text", "Download markdown", "Download json"]
    assert "Set ESCALATE_WEBHOOK_URL" in texts(at)
    assert exports(app_env) == []
    at.download_button(key="approved.download.json").click().run()
    assert exports(app_env) == [("json", "download", "recorded", None)]


def test_send_posts_a_slack_payload_and_records_the_outcome(
    make_app: AppFactory, app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with webhook_server() as (url, received):
        monkeypatch.setenv("ESCALATE_WEBHOOK_URL", url)
        reload_settings()
        at = approved_brief(make_app)
        at.button(key="approved.send").click().run()
    assert "Sent to http://127.0.0.1:" in texts(at)
    assert "SECRET-TOKEN" not in texts(at)
    (payload,) = received.posts
    assert received.paths == ["/services/T000/B000/SECRET-TOKEN"]
    assert payload["text"] == "Medium → Engineering: Exports are slow for acct-2042"
    assert payload["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": payload["text"]}}
    assert "ESCALATION: Exports are slow for acct-2042" in payload["blocks"][2]["text"]["text"]
    ((fmt, destination, status, code),) = exports(app_env)
    assert (fmt, status, code) == ("webhook-slack", "ok", 200)
    assert destination.startswith("http://127.0.0.1:") and "SECRET" not in destination


def test_a_failed_send_is_recorded_and_shown(
    make_app: AppFactory, app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with webhook_server(status=404) as (url, _received):
        monkeypatch.setenv("ESCALATE_WEBHOOK_URL", url)
        monkeypatch.setenv("ESCALATE_WEBHOOK_FORMAT", "generic")
        reload_settings()
        at = approved_brief(make_app)
        at.button(key="approved.send").click().run()
    assert "Sending failed and was recorded: HTTP 404: no_service" in texts(at)
    ((fmt, _destination, status, code),) = exports(app_env)
    assert (fmt, status, code) == ("webhook-generic", "failed", 404)

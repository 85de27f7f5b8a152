"""Drafting that nothing loses: the ticket stored before the model is called, drafting on the server
(a reload reattaches to it through ?request=ID, then ?draft=ID), phases with elapsed time, the
brief so far as labelled fields, and a cancel that keeps the ticket. The pipeline is the real one
(tests/ui/endpoint.py); only the model is a function."""

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from app.core.store.models import DraftRequestRow
from app.core.users import Role
from app.services.auth import Principal
from app.services.workspace import DraftSaved, Workspace
from app.ui import state
from app.ui.views.draft import QUIET_S
from tests.ui import endpoint
from tests.ui.conftest import AppFactory, reload_settings
from tests.ui.flows import db, draft_row, texts, wait_for_draft

TICKET = "Exports time out for acct-4411 since Monday\nThe customer sees error 504 on every export."


@pytest.fixture
def real_pipeline(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ESCALATE_DRAFTER_FACTORY", "tests.ui.endpoint:build_function_drafter")
    reload_settings()
    endpoint.STARTED.clear()
    endpoint.GATE.clear()
    yield
    endpoint.GATE.set()


def _requests(app_env: Path) -> list[tuple[str, str, int | None]]:
    store = db(app_env)
    with store.read() as session:
        rows = [(r.status, r.ticket, r.draft_id) for r in session.scalars(select(DraftRequestRow))]
    store.dispose()
    return rows


def _start(at: AppTest) -> AppTest:
    at.text_area(key=state.TICKET_TEXT).input(TICKET)
    at.button(key="draft.start").click().run()
    assert endpoint.STARTED.wait(120), "the model was never asked"
    return at


def _until(at: AppTest, text: str, wait_s: float = 30) -> AppTest:
    deadline = time.monotonic() + wait_s
    while text not in texts(at):
        assert time.monotonic() < deadline, f"{text!r} never shown:\n{texts(at)}"
        time.sleep(0.1)
        at.run()
    return at


def test_a_reload_mid_draft_reattaches_and_ends_on_the_drafts_own_url(
    make_app: AppFactory, app_env: Path, real_pipeline: None
) -> None:
    at = _start(make_app("ana").run())
    # The ticket was stored before the model was asked; the URL names the request.
    [(status, stored, draft_id)] = _requests(app_env)
    assert status == "drafting" and json.loads(stored)["text"] == TICKET and draft_id is None
    assert at.query_params["request"] == "1"
    _until(at, "One-line summary")
    page = texts(at)
    # Phases with their elapsed time: the finished ones ticked, the current one in bold.
    assert re.search(r"Drafting the brief\*\* · \d+ s so far", page), page
    assert re.search(r"check_circle: Redacting personal data and secrets · \d+ s", page), page
    assert re.search(r"\*\*The model drafts the brief, field by field\*\* · \d+ s", page), page
    # The verdict phase ran before the model, and its no-model assessment is on screen already.
    assert re.search(r"check_circle: Weighing the evidence for a verdict, before the model · \d+ s", page), page
    assert "Assessment before the model: High (sev2), engineering" in page, page
    assert "radio_button_unchecked: Checking the brief against the policy" in page
    assert "Exports time out for acct-4411 since Monday" in page  # the brief so far, as a field
    assert "{" not in page.split("The brief so far")[-1]  # never a raw JSON tree
    # A reload is a new browser session on the same URL: it finds the draft still coming.
    reloaded = make_app("ana")
    reloaded.query_params["request"] = "1"
    reloaded.run()
    assert not reloaded.exception
    assert re.search(r"Drafting the brief\*\* · \d+ s so far", texts(reloaded))
    assert "One-line summary" in texts(reloaded)
    endpoint.GATE.set()
    reloaded = wait_for_draft(reloaded)
    assert reloaded.header[0].value.startswith("Draft #1")
    assert reloaded.query_params["draft"] == "1" and "request" not in reloaded.query_params
    assert _requests(app_env)[0][0] == "done" and _requests(app_env)[0][2] == 1
    # The draft's own URL opens it in any later session.
    later = make_app("ana")
    later.query_params["draft"] = "1"
    later.run()
    assert later.header[0].value.startswith("Draft #1")


def test_cancel_keeps_the_ticket(make_app: AppFactory, app_env: Path, real_pipeline: None) -> None:
    at = _start(make_app("ana").run())
    _until(at, "One-line summary")
    # The model goes quiet (as during a re-ask): the page says so instead of spinning in silence.
    time.sleep(QUIET_S + 0.5)
    _until(at, "No new output for")
    at.button(key="draft.cancel").click().run()
    endpoint.GATE.set()
    _until(at, "Drafting was cancelled. The ticket is saved.")
    assert _requests(app_env)[0][0] == "cancelled"
    at.button(key="draft.edit_ticket").click().run()
    assert not at.exception
    assert at.text_area(key=state.TICKET_TEXT).value == TICKET
    # Drafting it again works from the same ticket.
    at.button(key="draft.start").click().run()
    at = wait_for_draft(at)
    assert at.header[0].value.startswith("Draft #1")


def test_an_attached_screenshot_is_listed_in_the_brief_and_never_sent_to_the_model(app_env: Path) -> None:
    store = db(app_env)
    store.migrate()
    drafter = endpoint.build_function_drafter()
    workspace = Workspace(store, drafter)
    ana = Principal("ana", Role.agent)
    endpoint.GATE.set()
    ticket = workspace.ingest(ana, TICKET, [("error-504.png", b"\x89PNG\r\n\x1a\n" + bytes(64))])
    stored = workspace.request(ana, ticket)
    events = list(workspace.run(ana, stored.id))
    saved = events[-1]
    assert isinstance(saved, DraftSaved)
    assert saved.draft.brief.diagnostics.screenshots == ["error-504.png"]
    assert "error-504.png" not in saved.result.redacted_text  # the prompt's source holds no image
    assert not [f for f in saved.draft.findings if f.field == "diagnostics.screenshots"]
    store.dispose()


def test_regenerate_on_the_real_pipeline_appends_the_new_messages(
    make_app: AppFactory, app_env: Path, real_pipeline: None
) -> None:
    endpoint.GATE.set()
    at = make_app("ana").run()
    at.text_area(key=state.TICKET_TEXT).input(TICKET)
    at.button(key="draft.start").click().run()
    at = wait_for_draft(at)
    assert at.header[0].value.startswith("Draft #1")
    at.text_area(key=f"{state.NEW_MESSAGES}.1").input("Update: acct-9999 fails the same way since 10:00.")
    at.button(key="draft.regenerate").click().run()
    assert not at.exception, at.exception
    assert "Draft #1 regenerated." in texts(at)
    row = draft_row(app_env, 1)
    assert "acct-9999" in row.source_text and row.version == 2
    accounts = at.text_area(key=state.field_key(1, "diagnostics.account_ids")).value
    assert accounts.splitlines() == ["acct-4411", "acct-9999"]
    # The message box is empty for the next update; nothing in the page is raw JSON.
    assert at.text_area(key=f"{state.NEW_MESSAGES}.1").value == ""

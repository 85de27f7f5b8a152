"""The Escalations page: send, acknowledge, customer update (drafted, checked, sent), internal
note, resolve, all through the widgets, on the real store; and the Shift handoff page."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.core.policy import cached_policy
from app.core.store.delivery_settings import load_delivery_settings
from app.core.store.lifecycle import list_events, list_outbox
from app.core.users import Role
from app.services.auth import Principal
from app.services.followup import FollowService
from app.services.outbox import OutboxService
from tests.follow.receiver import free_port
from tests.ui.conftest import AppFactory, reload_settings
from tests.ui.flows import FRESH_TICKET, complete, db, draft, open_in_review, submit, texts
from tests.ui.webhook_server import webhook_server


def approved(make_app: AppFactory, ticket: str = FRESH_TICKET) -> AppTest:
    submit(draft(make_app("ana").run(), ticket))
    rui = open_in_review(make_app("rui").run(), 1)
    rui.button(key="review.approve").click().run()
    return make_app("ana").run().switch_page("views/escalations.py").run()


def events(app_env: Path) -> list[tuple[str, str | None, str]]:
    store = db(app_env)
    with store.read() as session:
        found = [(e.kind, e.audience, e.body) for e in list_events(session, [1])]
    store.dispose()
    return found


def test_follow_an_approved_brief_through_to_resolution(make_app: AppFactory, app_env: Path) -> None:
    at = approved(make_app)
    assert not at.exception
    assert "not sent yet" in texts(at)
    board = at.dataframe[0].value
    assert list(board["state"]) == ["approved"]

    at.button(key="follow.send").click().run()
    assert "Escalation #1 sent; engineering to acknowledge by" in texts(at)
    assert list(at.dataframe[0].value["state"]) == ["sent"]

    at.button(key="follow.ack").click().run()
    assert "say who in engineering confirmed receipt" in texts(at)
    at.text_input(key="follow.ack_by").input("Priya (payments on-call)")
    at.button(key="follow.ack").click().run()
    assert "Acknowledgement: done." in texts(at)

    at.button(key="follow.draft_update").click().run()
    drafted = at.text_area(key="follow.customer_text").value
    assert drafted.startswith("Thank you for your patience") and "We will update you again by" in drafted
    at.text_area(key="follow.customer_text").input(
        drafted + " Reach me at ana.lee@example.com or in #inc-payments."
    ).run()
    assert "contains personal or secret data (EMAIL)" in texts(at)
    assert "'#inc-payments' is internal-only" in texts(at)
    assert at.button(key="follow.customer_send").disabled
    at.text_area(key="follow.customer_text").input(drafted).run()
    assert not at.button(key="follow.customer_send").disabled
    at.button(key="follow.customer_send").click().run()
    assert "Customer update recorded as sent" in texts(at)

    at.text_input(key="follow.room").input("#esc-acct-2")
    at.text_input(key="follow.doc").input("https://docs.example.test/esc/acct-2")
    at.button(key="follow.save_links").click().run()
    assert "Links: done." in texts(at)
    at.text_area(key="follow.internal").input("Repro on staging with a test card").run()
    at.button(key="follow.add_internal").click().run()
    at.text_input(key="follow.resolution").input("Gateway timeout raised; exports recovered")
    at.button(key="follow.resolve").click().run()
    assert "Resolve: done." in texts(at)
    assert [(k, a) for k, a, _ in events(app_env)] == [
        ("sent", None),
        ("acknowledged", None),
        ("update", "customer"),
        ("links", None),
        ("update", "internal"),
        ("resolved", None),
    ]
    assert events(app_env)[2][2] == drafted


def test_a_breach_and_an_overdue_touch_point_stand_out(make_app: AppFactory, app_env: Path) -> None:
    approved(make_app)
    # The page reads the wall clock: send the escalation through the service as of two days ago.
    store = db(app_env)
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    outbox = OutboxService(store, load_delivery_settings(_env_file=None), clock=lambda: two_days_ago)
    FollowService(store, cached_policy(None), outbox, clock=lambda: two_days_ago).send(Principal("ana", Role.agent), 1)
    store.dispose()
    at = make_app("ana").run().switch_page("views/escalations.py").run()
    assert "BREACHED" in at.dataframe[0].value["acknowledgement"].iloc[0]
    assert "OVERDUE" in at.dataframe[0].value["customer hears next"].iloc[0]
    assert "Acknowledgement overdue" in texts(at)
    assert "The customer was promised an update by" in texts(at)
    assert at.metric[1].value == "1" and at.metric[2].value == "1"


def test_send_posts_the_summary_and_a_down_webhook_keeps_it_for_retry(
    make_app: AppFactory, app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with webhook_server(status=503) as (url, received):
        monkeypatch.setenv("ESCALATE_WEBHOOK_URL", url)
        monkeypatch.setenv("ESCALATE_DELIVERY_BACKOFF_S", "0.01")
        reload_settings()
        at = approved(make_app)
        at.button(key="follow.send").click().run()
        assert "not delivered yet, kept for retry: HTTP 503 from http://127.0.0.1:" in texts(at)
        assert "SECRET-TOKEN" not in texts(at)
        assert "1 message(s) waiting for delivery" in texts(at)
        assert len(received.posts) == 3  # three tries with backoff in one run
        store = db(app_env)
        with store.read() as session:
            (message,) = list_outbox(session)
        assert message.status == "pending" and message.attempts == 3
        # The receiver is back; once the retry time has come, "Retry deliveries now" delivers it.
        received.status = 200
        time.sleep(max((message.next_attempt_at - datetime.now(UTC)).total_seconds(), 0) + 0.1)
        at.button(key="follow.deliver").click().run()
        assert "Delivered 1 of 1 due messages." in texts(at)
        with store.read() as session:
            (message,) = list_outbox(session)
        store.dispose()
        assert (message.status, message.attempts, message.response_code) == ("delivered", 4, 200)
    assert received.posts[0]["text"] == "Medium → Engineering: Exports are slow for acct-2042"


def test_the_handoff_page_shows_open_escalations_and_records_the_handoff(make_app: AppFactory, app_env: Path) -> None:
    at = approved(make_app)
    at.button(key="follow.send").click().run()
    at = at.switch_page("views/handoff.py").run()
    assert not at.exception
    note = at.code[0].value
    assert note.startswith("SHIFT HANDOFF ")
    assert "#1 [sev3] Exports are slow for acct-2042" in note
    assert "Owner: ana · state: sent" in note
    assert "engineering to acknowledge by" in note
    assert "Set ESCALATE_WEBHOOK_URL" in texts(at)
    at.button(key="handoff.record").click().run()
    assert "Handoff #1 recorded; the next handoff starts from it." in texts(at)
    assert "the last handoff by ana" in texts(at)
    assert "No change since the last handoff." in at.code[0].value


def test_tickets_from_three_accounts_with_one_error_code_are_linked_as_a_pattern(
    make_app: AppFactory, app_env: Path
) -> None:
    tickets = [
        complete("Payments fail for acct-101\nCheckout shows PAYMENT_GATEWAY_TIMEOUT for every card"),
        complete("Card payments broken for acct-202\nOur logs show PAYMENT_GATEWAY_TIMEOUT since 9am"),
        complete("acct-303 cannot take payments\nThe pay button returns PAYMENT_GATEWAY_TIMEOUT"),
    ]
    submit(draft(make_app("ana").run(), tickets[0]))
    for ticket in tickets[1:]:
        draft(make_app("bea").run(), ticket)
    rui = open_in_review(make_app("rui").run(), 1)
    rui.button(key="review.approve").click().run()
    at = make_app("ana").run().switch_page("views/escalations.py").run()
    assert not at.exception
    shown = texts(at)
    assert (
        "Pattern: 3 accounts (acct-101, acct-202, acct-303) report the same issue (code:PAYMENT_GATEWAY_TIMEOUT)"
        in shown
    )
    assert "Severity floor High" in shown and "Pattern: Same issue reported by 3+ customers." in shown
    assert "Related tickets: [#2](/escalations?draft=2), [#3](/escalations?draft=3)" in shown


def test_when_the_model_is_unreachable_the_update_is_drafted_from_the_template(
    make_app: AppFactory, app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCALATE_BACKEND", "openai")
    monkeypatch.setenv("ESCALATE_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")  # nothing listens
    monkeypatch.setenv("ESCALATE_MODEL", "escalate-embedded")
    monkeypatch.setenv("ESCALATE_MAX_RETRIES", "0")
    reload_settings()
    at = approved(make_app)
    at.button(key="follow.send").click().run()
    at.button(key="follow.draft_model").click().run()
    assert "The model could not draft the update" in texts(at)
    assert at.text_area(key="follow.customer_text").value.startswith("Thank you for your patience")

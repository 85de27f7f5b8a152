"""On-call paging and webhook delivery through the outbox: Sev1/Sev2 outside business hours page
(PagerDuty Events API v2 shape and a Slack-shaped message); a receiver that is down does not lose
the message, which is delivered once it is back. Real HTTP on 127.0.0.1, real store."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from app.cli.main import app
from app.core.llm.settings import get_settings
from app.core.store.delivery_settings import load_delivery_settings
from app.core.store.lifecycle import list_outbox
from app.core.store.models import AuditRow
from tests.follow.conftest import ANA, OFF_HOURS, SEV1_TICKET, SEV3_TICKET, Services
from tests.follow.receiver import free_port, receiver

ROUTING_KEY = "R0UTINGKEY-SECRET-0123456789abcdef"


def configure(services: Services, port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    services.configure(
        load_delivery_settings(
            _env_file=None,
            webhook_url=f"{base}/services/T0/B0/WEBHOOK-TOKEN",
            pager_url=f"{base}/v2/enqueue",
            pager_routing_key=ROUTING_KEY,
            pager_slack_url=f"{base}/services/T0/B1/PAGER-TOKEN",
            app_url="https://escalate.example.test",
        )
    )


def test_a_page_survives_the_receiver_being_down_and_is_delivered_when_it_returns(services: Services) -> None:
    port = free_port()
    configure(services, port)
    services.clock.now = OFF_HOURS
    draft_id = services.approved(SEV1_TICKET)

    outcome = services.follow.send(ANA, draft_id)  # nothing listens on the port yet
    assert outcome.paged
    assert sorted((m.kind, m.channel) for m in outcome.queued) == [
        ("notify", "webhook"),
        ("page", "pager"),
        ("page", "pager_slack"),
    ]
    assert [r.delivered for r in outcome.delivered] == [False, False, False]
    with services.store.read() as session:
        pending = list_outbox(session, pending_only=True)
    assert len(pending) == 3
    for message in pending:
        assert message.attempts == 3  # the tenacity tries of one run
        assert message.last_error.startswith("ConnectError: could not reach http://127.0.0.1:")
        assert "TOKEN" not in message.last_error and "TOKEN" not in message.destination
        assert ROUTING_KEY not in str(message.payload)  # the routing key is added at delivery only
        assert message.next_attempt_at > OFF_HOURS

    # Before the retry time nothing is tried again.
    assert services.outbox.deliver_due() == []

    with receiver(port) as received:
        services.clock.advance(minutes=15)
        results = services.outbox.deliver_due()
    assert [r.delivered for r in results] == [True, True, True]
    assert all(r.message.attempts == 4 and r.message.response_code == 202 for r in results)
    by_path = dict(received.posts)
    page = by_path["/v2/enqueue"]
    assert page["routing_key"] == ROUTING_KEY
    assert page["event_action"] == "trigger"
    assert page["dedup_key"] == f"escalation-{draft_id}"
    assert page["payload"]["severity"] == "critical"
    assert page["payload"]["summary"].startswith("Critical → Engineering: Checkout down at all stores")
    assert page["payload"]["timestamp"] == OFF_HOURS.isoformat()
    assert page["links"] == [
        {"href": f"https://escalate.example.test/escalations?draft={draft_id}", "text": f"Escalation #{draft_id}"}
    ]
    slack_page = by_path["/services/T0/B1/PAGER-TOKEN"]
    assert slack_page["text"].startswith("PAGE (outside business hours): Critical → Engineering")
    notify = by_path["/services/T0/B0/WEBHOOK-TOKEN"]
    assert "escalations?draft=" in notify["blocks"][0]["text"]["text"]  # seed 002: summary with ticket link
    assert services.outbox.pending() == []
    assert services.outbox.deliver_due() == []  # delivered messages are never sent twice
    with services.store.read() as session:
        actions = [row.action for row in session.scalars(select(AuditRow).order_by(AuditRow.seq))]
    assert actions.count("outbox.retry_later") == 3 and actions.count("outbox.delivered") == 3
    timeline = services.follow.open(ANA, draft_id).events
    assert [e.kind for e in timeline] == ["sent", "paged"]
    assert "paged on-call via pager, pager_slack" in timeline[1].body


def test_no_page_inside_business_hours_or_below_sev2(services: Services) -> None:
    port = free_port()
    configure(services, port)
    with receiver(port) as received:
        sev1_in_hours = services.follow.send(ANA, services.approved(SEV1_TICKET))
        services.clock.now = OFF_HOURS
        sev3_off_hours = services.follow.send(ANA, services.approved(SEV3_TICKET))
    assert not sev1_in_hours.paged and not sev3_off_hours.paged
    assert [p for p, _ in received.posts] == ["/services/T0/B0/WEBHOOK-TOKEN"] * 2
    assert all(r.delivered for r in sev1_in_hours.delivered + sev3_off_hours.delivered)


def test_off_hours_without_a_pager_says_to_page_by_phone(services: Services) -> None:
    services.clock.now = OFF_HOURS
    draft_id = services.approved(SEV1_TICKET)
    outcome = services.follow.send(ANA, draft_id)
    assert outcome.paged and outcome.queued == []
    (_, paged) = services.follow.open(ANA, draft_id).events
    assert paged.body.startswith("outside business hours and no pager is configured: page on-call by phone")


def test_the_retry_wait_grows_with_each_failed_run(services: Services) -> None:
    port = free_port()
    configure(services, port)
    services.clock.now = OFF_HOURS
    services.follow.send(ANA, services.approved(SEV1_TICKET))
    waits = []
    for _ in range(3):
        (first, *_rest) = services.outbox.pending()
        waits.append(first.next_attempt_at - services.clock.now)
        services.clock.now = first.next_attempt_at
        services.outbox.deliver_due()
    assert waits[0] < waits[1] < waits[2] <= timedelta(seconds=600)


def test_escalate_outbox_deliver_retries_pending_messages(
    services: Services, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    configure(services, port)
    services.clock.now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # retry time has come
    services.follow.send(ANA, services.approved(SEV3_TICKET))  # the receiver is down
    monkeypatch.setenv("ESCALATE_DB_URL", db_url)
    monkeypatch.setenv("ESCALATE_WEBHOOK_URL", f"http://127.0.0.1:{port}/services/T0/B0/WEBHOOK-TOKEN")
    monkeypatch.setenv("ESCALATE_DELIVERY_BACKOFF_S", "0.01")
    get_settings.cache_clear()
    still_down = CliRunner().invoke(app, ["outbox", "deliver"])
    assert still_down.exit_code == 1 and "delivered 0 of 1 due; 1 pending" in still_down.output
    assert "WEBHOOK-TOKEN" not in still_down.output
    with services.store.write() as session:  # make the next retry due now rather than wait for it
        session.execute(text("UPDATE outbox SET next_attempt_at = :t"), {"t": datetime.now(UTC) - timedelta(seconds=1)})
    with receiver(port) as received:
        result = CliRunner().invoke(app, ["outbox", "deliver"])
    get_settings.cache_clear()
    assert result.exit_code == 0 and "delivered 1 of 1 due; 0 pending" in result.output
    assert [path for path, _ in received.posts] == ["/services/T0/B0/WEBHOOK-TOKEN"]

"""approved -> sent -> acknowledged -> updates -> resolved through the services, on SQLite and
PostgreSQL, with a fixed clock: each transition lands in the timeline and the audit chain."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core.errors import ConflictError, InputError, NotFound, PermissionDenied
from app.core.followup import AckStatus, TouchStatus
from app.core.store.models import AuditRow
from app.core.users import Role
from app.services.auth import Principal
from app.services.handoff import render_note
from tests.follow.conftest import ANA, BEA, BUSINESS, QUIET_TICKET, SEV1_TICKET, SEV3_TICKET, Services


def audit_actions(services: Services) -> list[str]:
    with services.store.read() as session:
        return [row.action for row in session.scalars(select(AuditRow).order_by(AuditRow.seq))]


def test_the_whole_lifecycle_is_timed_attributed_and_audited(services: Services) -> None:
    draft_id = services.approved(SEV1_TICKET)
    (item,) = services.follow.board(ANA)
    assert item.state == "approved" and item.escalation is None

    sent = services.follow.send(ANA, draft_id).escalation
    assert sent.state == "sent" and sent.sent_at == BUSINESS and sent.owner == "ana"
    # Sev1: the policy's 15-minute response expectation is the acknowledgement clock.
    assert sent.ack_due_at == BUSINESS + timedelta(minutes=15)
    # The first touch-point is the policy's default for Sev1 (60 minutes).
    assert sent.next_touch_at == BUSINESS + timedelta(minutes=60)

    services.clock.advance(minutes=10)
    acked = services.follow.acknowledge(BEA, draft_id, sent.version, by="dev on-call (Priya)")
    assert (acked.state, acked.acknowledged_by, acked.acknowledged_at) == (
        "acknowledged",
        "dev on-call (Priya)",
        BUSINESS + timedelta(minutes=10),
    )

    services.clock.advance(minutes=5)
    noted = services.follow.add_update(BEA, draft_id, acked.version, audience="internal", body="Posted in #inc-42")
    promised = BUSINESS + timedelta(hours=2)
    told = services.follow.add_update(
        BEA,
        draft_id,
        noted.version,
        audience="customer",
        body="Engineering is investigating the checkout failures. We will update you again within two hours.",
        next_touch_at=promised,
    )
    assert told.next_touch_at == promised and told.last_customer_update_at == BUSINESS + timedelta(minutes=15)

    services.clock.advance(minutes=30)
    done = services.follow.resolve(BEA, draft_id, told.version, "Hotfix 4.2.1 deployed; checkout recovered")
    assert done.state == "resolved" and done.resolved_by == "bea"

    case = services.follow.open(ANA, draft_id)
    assert [(e.kind, e.audience, e.actor) for e in case.events] == [
        ("sent", None, "ana"),
        ("acknowledged", None, "bea"),
        ("update", "internal", "bea"),
        ("update", "customer", "bea"),
        ("resolved", None, "bea"),
    ]
    assert [e.at - BUSINESS for e in case.events] == [
        timedelta(0),
        timedelta(minutes=10),
        timedelta(minutes=15),
        timedelta(minutes=15),
        timedelta(minutes=45),
    ]
    actions = audit_actions(services)
    for action in (
        "escalation.sent",
        "escalation.acknowledged",
        "escalation.update_internal",
        "escalation.update_customer",
        "escalation.resolved",
        "timeline.resolved",
    ):
        assert action in actions
    assert services.follow.board(ANA) == []  # resolved ones leave the board
    assert [i.state for i in services.follow.board(ANA, include_resolved=True)] == ["resolved"]


def test_a_customer_update_with_pii_or_internal_content_is_refused_and_nothing_changes(services: Services) -> None:
    draft_id = services.approved()
    sent = services.follow.send(ANA, draft_id).escalation
    later = BUSINESS + timedelta(hours=3)
    for body, reason in (
        ("Call me back on +1 415 555 0134 about this.", "PHONE"),
        ("Write to jane.doe@example.com for details.", "EMAIL"),
        ("We raised it in #sev1-checkout and the Slack room.", "internal-only"),
        ("This is Sev2 for us; see draft #1.", "internal-only"),
        ("Your contact <EMAIL_1> asked for it.", "internal-only"),
    ):
        with pytest.raises(InputError, match=reason):
            services.follow.add_update(ANA, draft_id, sent.version, audience="customer", body=body, next_touch_at=later)
    with pytest.raises(InputError, match="next touch-point"):
        services.follow.add_update(ANA, draft_id, sent.version, audience="customer", body="We are on it.")
    assert [e.kind for e in services.follow.open(ANA, draft_id).events] == ["sent"]
    # The same text is fine as an internal note: internal notes never reach the customer.
    services.follow.add_update(ANA, draft_id, sent.version, audience="internal", body="Raised in #sev1-checkout")


def test_transitions_in_the_wrong_order_or_on_a_stale_version_are_refused(services: Services) -> None:
    draft_id = services.approved()
    with pytest.raises(NotFound, match="has not been sent yet"):
        services.follow.acknowledge(ANA, draft_id, 1, by="x")
    sent = services.follow.send(ANA, draft_id).escalation
    with pytest.raises(InputError, match="already sent"):
        services.follow.send(ANA, draft_id)
    with pytest.raises(InputError, match="never acknowledged"):
        services.follow.resolve(ANA, draft_id, sent.version, "fixed")
    with pytest.raises(InputError, match="who in engineering"):
        services.follow.acknowledge(ANA, draft_id, sent.version, by="  ")
    acked = services.follow.acknowledge(ANA, draft_id, sent.version, by="eng")
    with pytest.raises(ConflictError, match="changed after you opened it"):
        services.follow.add_update(BEA, draft_id, sent.version, audience="internal", body="stale")
    with pytest.raises(InputError, match="only a sent one"):
        services.follow.acknowledge(ANA, draft_id, acked.version, by="eng")


def test_a_draft_not_yet_approved_cannot_be_sent_and_strangers_cannot_act(services: Services) -> None:
    draft_id = services.drafted(SEV3_TICKET)
    with pytest.raises(InputError, match="only approved briefs"):
        services.follow.send(ANA, draft_id)
    with pytest.raises(PermissionDenied, match="sign in first"):
        services.follow.board(None)  # type: ignore[arg-type]
    approved = services.approved()
    nobody = Principal("eve", Role.agent)
    assert services.follow.send(nobody, approved).escalation.owner == "eve"  # every agent follows through


def test_the_board_puts_acknowledgement_breaches_first_then_overdue_touchpoints(services: Services) -> None:
    slow = services.approved(SEV3_TICKET)  # Sev3: 24 business hours to acknowledge
    urgent = services.approved(SEV1_TICKET)  # Sev1: 15 minutes
    quiet = services.approved(QUIET_TICKET)  # Sev3, acknowledged below
    services.follow.send(ANA, slow)
    services.follow.send(ANA, urgent)
    sent = services.follow.send(ANA, quiet).escalation
    services.follow.acknowledge(ANA, quiet, sent.version, by="eng")
    services.clock.advance(minutes=16)
    board = services.follow.board(ANA)
    assert [i.draft.id for i in board] == [urgent, slow, quiet]
    assert board[0].ack is not None and board[0].ack.status == AckStatus.breached
    assert board[1].ack is not None and board[1].ack.status == AckStatus.waiting
    # Sev3 counts business minutes (02:00-18:00 PT): 540 on Monday from 09:00, then 900 more on
    # Tuesday, so it is due Tuesday 17:00 PT (Wednesday 01:00 UTC).
    assert board[1].ack.due_at == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    # Tuesday 09:30 PT: 990 of 1440 business minutes used, still waiting; but the touch-point the
    # customer was promised (24 wall-clock hours after sending) has passed.
    services.clock.advance(hours=24, minutes=14)
    board = services.follow.board(ANA)
    by_id = {i.draft.id: i for i in board}
    assert by_id[slow].ack is not None and by_id[slow].ack.status == AckStatus.waiting
    assert by_id[slow].ack.minutes_left == 1440 - 990
    assert by_id[slow].touch == TouchStatus.overdue
    assert by_id[quiet].touch == TouchStatus.overdue
    assert [i.draft.id for i in board] == [urgent, slow, quiet]


def test_the_room_and_escalation_doc_are_linked_and_reach_the_handoff(services: Services) -> None:
    draft_id = services.approved()
    sent = services.follow.send(ANA, draft_id).escalation
    linked = services.follow.set_links(
        BEA, draft_id, sent.version, room=" #esc-acct-2 ", doc="https://docs.example.test/esc/acct-2"
    )
    assert (linked.room, linked.doc) == ("#esc-acct-2", "https://docs.example.test/esc/acct-2")
    assert services.follow.set_links(BEA, draft_id, linked.version, room="#esc-acct-2", doc=linked.doc) == linked
    with pytest.raises(InputError, match="longer than 300"):
        services.follow.set_links(BEA, draft_id, linked.version, room="x" * 301, doc="")
    (_, links) = services.follow.open(ANA, draft_id).events
    assert (links.kind, links.actor) == ("links", "bea")
    assert "escalation.links" in audit_actions(services)
    note = render_note(services.handoff.build(ANA, timedelta(hours=1)))
    assert "Room: #esc-acct-2 · escalation doc: https://docs.example.test/esc/acct-2" in note

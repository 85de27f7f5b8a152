"""Escalations: approved briefs followed through to resolution (seed 002 'Acknowledge and track',
seed 001 'next touch-point', seed 003 'follow escalation through to resolution').

The board lists approved briefs not yet sent and every open escalation, acknowledgement breaches
first, then overdue touch-points. One escalation: send (pages on-call for Sev1/Sev2 outside business
hours), record engineering's acknowledgement, internal notes, customer updates (drafted, checked for
PII and internal-only content, edited, sent), next touch-point, resolve; its timeline, deliveries
and tickets from other accounts with the same error signature.
"""

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from app.core.errors import EscalateError
from app.core.followup import AckStatus, TouchStatus, default_touchpoint
from app.services.auth import Permission, Principal
from app.services.followup import BoardItem, EscalationCase
from app.ui import state
from app.ui.follow_wiring import follow_services, model_writer
from app.ui.text import safe
from schemas.common import SEVERITY_LABELS

PICK = "follow.pick"
ACK_BY = "follow.ack_by"
INTERNAL = "follow.internal"
CUSTOMER = "follow.customer_text"
TOUCH_DATE = "follow.touch_date"
TOUCH_TIME = "follow.touch_time"
RESOLUTION = "follow.resolution"
ROOM = "follow.room"
DOC = "follow.doc"


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if moment else "—"


def _ack_label(item: BoardItem) -> str:
    if item.ack is None:
        return "not sent"
    if item.ack.status == AckStatus.breached:
        return f"BREACHED (due {_when(item.ack.due_at)})"
    if item.ack.status == AckStatus.waiting:
        return f"waiting, due {_when(item.ack.due_at)}"
    return item.ack.status.value


def _touch_label(item: BoardItem) -> str:
    esc = item.escalation
    if esc is None:
        return "—"
    if item.touch == TouchStatus.overdue:
        return f"OVERDUE since {_when(esc.next_touch_at)}"
    return f"{item.touch.value}: {_when(esc.next_touch_at)}" if esc.next_touch_at else item.touch.value


def _board(items: list[BoardItem]) -> None:
    breached = sum(1 for i in items if i.ack and i.ack.status == AckStatus.breached)
    overdue = sum(1 for i in items if i.touch == TouchStatus.overdue)
    left, middle, right = st.columns(3)
    left.metric("Open", sum(1 for i in items if i.escalation))
    middle.metric("Acknowledgement breached", breached)
    right.metric("Touch-point overdue", overdue)
    st.dataframe(
        [
            {
                "#": item.draft.id,
                "severity": SEVERITY_LABELS[item.draft.severity],
                "state": item.state,
                "acknowledgement": _ack_label(item),
                "customer hears next": _touch_label(item),
                "owner": item.escalation.owner if item.escalation else "",
                "summary": item.draft.summary,
            }
            for item in items
        ],
        hide_index=True,
        key="follow.board",
    )


def _run(action: str, call: object, *args: object, **kwargs: object) -> None:
    """Call a service method from a button; the outcome is flashed on the next run."""
    try:
        call(*args, **kwargs)  # type: ignore[operator]
    except EscalateError as exc:
        state.flash("error", f"{action}: {exc}")
        return
    state.flash("success", f"{action}: done.")


def _send(me: Principal, draft_id: int) -> None:
    try:
        outcome = follow_services().follow.send(me, draft_id)
    except EscalateError as exc:
        state.flash("error", f"Not sent: {exc}")
        return
    failed = [r for r in outcome.delivered if not r.delivered]
    parts = [f"Escalation #{draft_id} sent; engineering to acknowledge by {_when(outcome.escalation.ack_due_at)}."]
    if outcome.paged:
        parts.append(
            "Outside business hours: on-call paged."
            if outcome.queued
            else "Outside business hours: page on-call by phone (no pager configured)."
        )
    if failed:
        parts.append(f"{len(failed)} message(s) not delivered yet, kept for retry: {failed[0].message.last_error}")
    state.flash("warning" if failed else "success", " ".join(parts))


def _acknowledge(me: Principal, draft_id: int, version: int) -> None:
    who = str(st.session_state.get(ACK_BY, ""))
    _run("Acknowledgement", follow_services().follow.acknowledge, me, draft_id, version, who)


def _internal(me: Principal, draft_id: int, version: int) -> None:
    text = str(st.session_state.get(INTERNAL, ""))
    try:
        follow_services().follow.add_update(me, draft_id, version, audience="internal", body=text)
    except EscalateError as exc:
        state.flash("error", f"Note not saved: {exc}")
        return
    st.session_state[INTERNAL] = ""
    state.flash("success", "Internal note added.")


def _touch_moment() -> datetime:
    day = st.session_state.get(TOUCH_DATE)
    clock = st.session_state.get(TOUCH_TIME)
    if not isinstance(day, date) or not isinstance(clock, time):
        raise ValueError("no touch-point")
    return datetime.combine(day, clock, UTC)


def _draft_update(me: Principal, draft_id: int, with_model: bool = False) -> None:
    """Fill the message from the template, or from the model; if the model fails, from the template."""
    follow = follow_services().follow
    try:
        moment = _touch_moment()
        if with_model:
            try:
                text, _ = follow.draft_customer_update(me, draft_id, moment, writer=model_writer())
            except EscalateError as exc:
                text, _ = follow.draft_customer_update(me, draft_id, moment)
                state.flash("warning", f"The model could not draft the update ({exc}); drafted from the template.")
        else:
            text, _ = follow.draft_customer_update(me, draft_id, moment)
    except (EscalateError, ValueError) as exc:
        state.flash("error", f"No draft: {exc}")
        return
    st.session_state[CUSTOMER] = text


def _customer(me: Principal, draft_id: int, version: int) -> None:
    text = str(st.session_state.get(CUSTOMER, ""))
    try:
        follow_services().follow.add_update(
            me, draft_id, version, audience="customer", body=text, next_touch_at=_touch_moment()
        )
    except (EscalateError, ValueError) as exc:
        state.flash("error", f"Not sent to the customer: {exc}")
        return
    st.session_state[CUSTOMER] = ""
    state.flash("success", "Customer update recorded as sent; the next touch-point is set.")


def _links(me: Principal, draft_id: int, version: int) -> None:
    _run(
        "Links",
        follow_services().follow.set_links,
        me,
        draft_id,
        version,
        room=str(st.session_state.get(ROOM, "")),
        doc=str(st.session_state.get(DOC, "")),
    )


def _resolve(me: Principal, draft_id: int, version: int) -> None:
    _run("Resolve", follow_services().follow.resolve, me, draft_id, version, str(st.session_state.get(RESOLUTION, "")))


def _pattern(case: EscalationCase) -> None:
    match = case.pattern
    if match is None:
        return
    rule = follow_services().follow.policy.patterns
    others = [i for i in match.draft_ids if i != case.draft.id]
    st.warning(
        f"Pattern: {len(match.accounts)} accounts ({safe(', '.join(match.accounts))}) report the same issue "
        f"({safe(match.signature)}). Severity floor {SEVERITY_LABELS[rule.severity_floor]}. "
        f"“{safe(rule.quote)}” ({rule.cite})"
    )
    st.markdown("Related tickets: " + ", ".join(f"[#{i}](/escalations?draft={i})" for i in others))


def _timeline(case: EscalationCase) -> None:
    st.subheader("Timeline")
    st.dataframe(
        [
            {
                "at": _when(e.at),
                "who": e.actor,
                "what": e.kind + (f" ({e.audience})" if e.audience else ""),
                "text": e.body,
                "next touch-point": _when(e.next_touch_at) if e.next_touch_at else "",
            }
            for e in case.events
        ],
        hide_index=True,
        key="follow.timeline",
    )
    if case.outbox:
        with st.expander(f"Deliveries: {len(case.outbox)}", key="follow.deliveries"):
            st.dataframe(
                [
                    {
                        "#": m.id,
                        "kind": m.kind,
                        "channel": m.channel,
                        "to": m.destination,
                        "status": m.status,
                        "tries": m.attempts,
                        "HTTP": m.response_code,
                        "error": m.last_error,
                    }
                    for m in case.outbox
                ],
                hide_index=True,
            )


def _actions(me: Principal, case: EscalationCase) -> None:
    esc = case.escalation
    can = me.can(Permission.export)
    if esc is None:
        if case.paging_needed:
            st.info("Outside business hours: sending pages on-call for this severity (seed 002).")
        st.button(
            "Send to engineering",
            type="primary",
            key="follow.send",
            on_click=_send,
            args=(me, case.draft.id),
            disabled=not can,
        )
        return
    if esc.state == "resolved":
        st.success(f"Resolved by {safe(esc.resolved_by)} at {_when(esc.resolved_at)}: {safe(esc.resolution)}")
        return
    if esc.owner != me.name:
        st.button(
            f"Take over from {esc.owner}",
            key="follow.own",
            on_click=_run,
            args=("Ownership", follow_services().follow.take_ownership, me, esc.draft_id, esc.version),
            disabled=not can,
        )
    if esc.state == "sent":
        with st.container(border=True):
            st.markdown("**Engineering's acknowledgement**")
            st.text_input("Acknowledged by (who in engineering confirmed receipt)", key=ACK_BY)
            st.button(
                "Record acknowledgement",
                key="follow.ack",
                on_click=_acknowledge,
                args=(me, esc.draft_id, esc.version),
                disabled=not can,
            )
    with st.container(border=True):
        st.markdown("**Customer update**")
        default = esc.next_touch_at if esc.next_touch_at and esc.next_touch_at > datetime.now(UTC) else None
        default = default or default_touchpoint(datetime.now(UTC), esc.severity, follow_services().follow.policy)
        left, right = st.columns(2)
        left.date_input("Next touch-point (UTC date)", value=default.date(), key=TOUCH_DATE)
        right.time_input(
            "Next touch-point (UTC time)",
            value=default.time().replace(second=0, microsecond=0),
            key=TOUCH_TIME,
            step=timedelta(minutes=15),
        )
        first, second = st.columns(2)
        first.button("Draft the update", key="follow.draft_update", on_click=_draft_update, args=(me, esc.draft_id))
        second.button(
            "Draft with the model",
            key="follow.draft_model",
            on_click=_draft_update,
            args=(me, esc.draft_id, True),
            help="The configured model writes the prose from the same facts; the checks below still apply.",
        )
        text = st.text_area("Message to the customer", key=CUSTOMER, height=120)
        problems = follow_services().follow.check_update(text) if text.strip() else []
        for problem in problems:
            st.error(safe(problem.message))
        st.button(
            "Send to customer",
            type="primary",
            key="follow.customer_send",
            on_click=_customer,
            args=(me, esc.draft_id, esc.version),
            disabled=not can or not text.strip() or bool(problems),
        )
    with st.container(border=True):
        st.markdown("**Slack room and escalation doc** (seed 001: linked so anyone can catch up)")
        if ROOM not in st.session_state or st.session_state.get("follow.links_of") != esc.draft_id:
            st.session_state[ROOM], st.session_state[DOC] = esc.room, esc.doc
            st.session_state["follow.links_of"] = esc.draft_id
        left, right = st.columns(2)
        left.text_input("Slack room", key=ROOM, placeholder="#esc-1234 or its link")
        right.text_input("Escalation doc", key=DOC, placeholder="link to the escalation document")
        st.button(
            "Save links",
            key="follow.save_links",
            on_click=_links,
            args=(me, esc.draft_id, esc.version),
            disabled=not can,
        )
    with st.container(border=True):
        st.markdown("**Internal note** (never sent to the customer)")
        st.text_area("Note", key=INTERNAL, height=80)
        st.button(
            "Add note",
            key="follow.add_internal",
            on_click=_internal,
            args=(me, esc.draft_id, esc.version),
            disabled=not can,
        )
    if esc.state == "acknowledged":
        with st.container(border=True):
            st.markdown("**Resolve**")
            st.text_input("Resolution", key=RESOLUTION)
            st.button(
                "Mark resolved",
                key="follow.resolve",
                on_click=_resolve,
                args=(me, esc.draft_id, esc.version),
                disabled=not can,
            )


def _deliver_pending() -> None:
    results = follow_services().outbox.deliver_due()
    delivered = sum(r.delivered for r in results)
    state.flash(
        "success" if delivered == len(results) else "warning", f"Delivered {delivered} of {len(results)} due messages."
    )


def render() -> None:
    me = state.principal()
    if me is None:
        st.stop()
    app = follow_services()
    st.title("Escalations")
    show_resolved = st.toggle("Show resolved", key="follow.show_resolved")
    items = app.follow.board(me, include_resolved=show_resolved)
    pending = app.outbox.pending()
    if pending:
        st.warning(
            f"{len(pending)} message(s) waiting for delivery (retried with backoff): {safe(pending[0].last_error)}"
        )
        st.button("Retry deliveries now", key="follow.deliver", on_click=_deliver_pending)
    if not items:
        st.info("No open escalations and no approved brief waiting to be sent.")
        return
    _board(items)
    ids = [i.draft.id for i in items]
    wanted = st.query_params.get("draft")
    if wanted and wanted.isdigit() and int(wanted) in ids and PICK not in st.session_state:
        st.session_state[PICK] = int(wanted)
    labels = {i.draft.id: f"#{i.draft.id} · {i.state} · {i.draft.summary[:80]}" for i in items}
    picked = st.selectbox("Escalation", ids, format_func=lambda v: labels[v], key=PICK)
    try:
        case = app.follow.open(me, picked)
    except EscalateError as exc:
        st.error(safe(str(exc)))
        return
    esc = case.escalation
    st.header(f"#{case.draft.id} {safe(case.draft.brief.summary)}")
    st.caption(
        f"{SEVERITY_LABELS[case.draft.brief.severity]} · approved by {safe(case.draft.reviewed_by)}"
        + (f" · owner {safe(esc.owner)} · {esc.state}" if esc else " · not sent yet")
    )
    if esc and case.ack:
        if case.ack.status == AckStatus.breached:
            st.error(f"Acknowledgement overdue: {safe(case.ack.reason)}")
        else:
            st.caption(f"Acknowledgement: {safe(case.ack.reason)}")
        if case.touch == TouchStatus.overdue:
            st.error(f"The customer was promised an update by {_when(esc.next_touch_at)}.")
        else:
            st.caption(f"Customer hears next: {_when(esc.next_touch_at)} ({case.touch.value})")
    _pattern(case)
    _actions(me, case)
    if esc:
        _timeline(case)


if __name__ == "__main__":
    render()

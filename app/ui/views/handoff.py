"""Shift handoff (seed 001: 'At the end of your shift, update the next on-call Support Engineer &
Manager of the escalation so they can take over'): every open escalation, what changed since the
last handoff, what is pending, the next touch-point and the owner, built from the timeline. Copy
it, record it (the next handoff starts there), or send it to the webhook."""

import json
from datetime import timedelta

import streamlit as st

from app.core.errors import EscalateError
from app.services.auth import Permission
from app.services.handoff import Handoff, render_note
from app.ui import state
from app.ui.follow_wiring import follow_services
from app.ui.text import safe

SINCE = "handoff.since"
WINDOWS: dict[str, timedelta | None] = {
    "since the last handoff": None,
    "last 8 hours": timedelta(hours=8),
    "last 12 hours": timedelta(hours=12),
    "last 24 hours": timedelta(hours=24),
}


def _record(handoff: Handoff, send: bool) -> None:
    me = state.principal()
    if me is None:
        return
    try:
        record, delivered = follow_services().handoff.record(me, handoff, send=send)
    except EscalateError as exc:
        state.flash("error", f"Handoff not recorded: {exc}")
        return
    failed = [r for r in delivered if not r.delivered]
    if failed:
        state.flash(
            "warning",
            f"Handoff #{record.id} recorded; not delivered yet, kept for retry: {failed[0].message.last_error}",
        )
    elif send:
        state.flash("success", f"Handoff #{record.id} recorded and sent to {delivered[0].message.destination}.")
    else:
        state.flash("success", f"Handoff #{record.id} recorded; the next handoff starts from it.")


def render() -> None:
    me = state.principal()
    if me is None:
        st.stop()
    app = follow_services()
    st.title("Shift handoff")
    window = st.selectbox("Changes", list(WINDOWS), key=SINCE)
    try:
        handoff = app.handoff.build(me, WINDOWS[window])
    except EscalateError as exc:
        st.error(safe(str(exc)))
        return
    note = render_note(handoff)
    since = f"{handoff.since:%Y-%m-%d %H:%M} UTC"
    st.caption(f"{len(handoff.escalations)} open escalation(s) · changes since {since} ({safe(handoff.since_reason)})")
    st.code(note, language=None, wrap_lines=True)
    with st.expander("As JSON", key="handoff.json"):
        st.code(json.dumps(handoff.as_json(), indent=2, ensure_ascii=False), language="json")
    can = me.can(Permission.export)
    left, right = st.columns(2)
    left.button("Record handoff", key="handoff.record", on_click=_record, args=(handoff, False), disabled=not can)
    if app.outbox.destination("webhook"):
        right.button(
            "Record and send to webhook",
            type="primary",
            key="handoff.send",
            on_click=_record,
            args=(handoff, True),
            disabled=not can,
        )
    else:
        right.caption("Set ESCALATE_WEBHOOK_URL to send the handoff to Slack or any JSON webhook.")


if __name__ == "__main__":
    render()

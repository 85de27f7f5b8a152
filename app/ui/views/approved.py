"""Approved briefs: the escalation text (seed 003 format) and Markdown with copy buttons, a JSON
download, and 'send' to the configured webhook. Every export is recorded."""

import streamlit as st

from app.core.errors import EscalateError
from app.core.render import render_json, render_markdown, render_text
from app.services.auth import Permission, Principal
from app.ui import state
from app.ui.text import safe
from app.ui.wiring import services


def _record_download(draft_id: int, fmt: str) -> None:
    app, me = services(), state.principal()
    if me is None:
        return
    try:
        app.export.record_download(me, draft_id, fmt)  # type: ignore[arg-type]
    except EscalateError as exc:
        state.flash("error", f"The download was not recorded: {exc}")


def _send(draft_id: int) -> None:
    app, me = services(), state.principal()
    if me is None:
        return
    try:
        outcome = app.export.send(me, draft_id)
    except EscalateError as exc:
        state.flash("error", f"Not sent: {exc}")
        return
    if outcome.status == "ok":
        state.flash("success", f"Sent to {outcome.destination} (HTTP {outcome.response_code}).")
    else:
        state.flash("error", f"Sending failed and was recorded: {outcome.error}")


def _exports(me: Principal, draft_id: int) -> None:
    history = services().export.history(me, draft_id)
    with st.expander(f"Exports of this brief: {len(history)}", key="approved.exports"):
        st.dataframe(
            [
                {
                    "at (UTC)": f"{e.at:%Y-%m-%d %H:%M:%S}",
                    "by": e.actor,
                    "format": e.format,
                    "to": e.destination,
                    "outcome": e.status,
                    "HTTP": e.response_code,
                    "error": e.error,
                }
                for e in reversed(history)
            ],
            hide_index=True,
        )


def render() -> None:
    me = state.principal()
    if me is None:
        st.stop()
    app = services()
    st.title("Approved briefs")
    approved = app.export.approved(me)
    if not approved:
        st.info("No approved briefs yet.")
        return
    labels = {d.id: f"#{d.id} · {d.summary[:80]} (approved by {d.reviewed_by})" for d in approved}
    picked = st.selectbox("Brief", list(labels), format_func=lambda v: labels[v], key=state.APPROVED_PICK)
    record = app.workspace.open(me, picked)
    brief = record.brief
    st.caption(f"Draft #{record.id} v{record.version} by {safe(record.author)}, approved by {safe(record.reviewed_by)}")
    text_tab, markdown_tab, json_tab = st.tabs(["Escalation text", "Markdown", "JSON"])
    with text_tab:
        st.code(render_text(brief), language=None, wrap_lines=True)
    with markdown_tab:
        markdown = render_markdown(brief)
        st.markdown(markdown)  # render_markdown escapes model text; no HTML is ever allowed here
        with st.expander("Markdown source (copy)", key="approved.markdown_source"):
            st.code(markdown, language="markdown", wrap_lines=True)
    with json_tab:
        st.code(render_json(brief), language="json")
    can_export = me.can(Permission.export)
    columns = st.columns(4)
    for column, (fmt, data, name, mime) in zip(
        columns,
        [
            ("text", render_text(brief), f"escalation-{record.id}.txt", "text/plain"),
            ("markdown", render_markdown(brief), f"escalation-{record.id}.md", "text/markdown"),
            ("json", render_json(brief), f"escalation-{record.id}.json", "application/json"),
        ],
        strict=False,
    ):
        column.download_button(
            f"Download {fmt}",
            data,
            file_name=name,
            mime=mime,
            key=f"approved.download.{fmt}",
            on_click=_record_download,
            args=(record.id, fmt),
            disabled=not can_export,
        )
    if app.export.webhook_configured:
        columns[3].button(
            "Send to webhook",
            type="primary",
            key="approved.send",
            on_click=_send,
            args=(record.id,),
            disabled=not can_export,
        )
    else:
        columns[3].caption("Set ESCALATE_WEBHOOK_URL to send briefs to Slack or any JSON webhook.")
    _exports(me, record.id)


if __name__ == "__main__":
    render()

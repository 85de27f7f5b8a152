"""Review queue: submitted drafts with their SLA computed now (breached first); open one, read the
brief exactly as it will be sent, its findings and evidence, compare the model's draft with the
agent's field by field, and approve or reject it with a reason. `?draft=ID` opens that draft."""

import streamlit as st

from app.core.errors import ConflictError, EscalateError
from app.core.render import render_json, render_markdown, render_text
from app.core.store import DraftRecord
from app.services.auth import Principal
from app.services.review import QueueItem, ReviewCase
from app.ui import panels, state
from app.ui.text import safe
from app.ui.wiring import services
from schemas.common import SEVERITY_LABELS, TARGET_LABELS, Severity, SlaStatus, Target

SLA_LABELS = {
    SlaStatus.breached: "Breached",
    SlaStatus.at_risk: "At risk",
    SlaStatus.within: "Within SLA",
    SlaStatus.unknown: "No clock",
}


def _filters() -> tuple[list[Severity], list[Target], list[SlaStatus]]:
    left, middle, right = st.columns(3)
    severities = left.multiselect(
        "Severity", list(Severity), format_func=lambda s: SEVERITY_LABELS[s], key="review.f.severity"
    )
    targets = middle.multiselect("Target", list(Target), format_func=lambda t: TARGET_LABELS[t], key="review.f.target")
    sla = right.multiselect("SLA status", list(SLA_LABELS), format_func=lambda s: SLA_LABELS[s], key="review.f.sla")
    return severities, targets, sla


def _queue_table(items: list[QueueItem]) -> None:
    st.dataframe(
        [
            {
                "#": item.draft.id,
                "SLA": SLA_LABELS[item.sla.status],
                "severity": SEVERITY_LABELS[item.draft.severity],
                "target": TARGET_LABELS[item.draft.target],
                "summary": item.draft.summary,
                "author": item.draft.author,
                "clock": item.sla.reason,
                "submitted (UTC)": f"{item.draft.submitted_at:%Y-%m-%d %H:%M}" if item.draft.submitted_at else "",
            }
            for item in items
        ],
        hide_index=True,
    )


def _decide(draft_id: int, version: int, decision: str) -> None:
    """on_click of Approve/Reject: `version` is the one this reviewer was shown, so a late click loses."""
    app, me = services(), state.principal()
    if me is None:
        return
    reason = st.session_state.get(state.review_reason_key(draft_id)) or ""
    try:
        if decision == "approve":
            app.review.approve(me, draft_id, version, reason)
        else:
            app.review.reject(me, draft_id, version, reason)
    except ConflictError as exc:
        state.flash("error", f"Someone else decided first, so your decision was not recorded. {exc}")
        return
    except EscalateError as exc:
        state.flash("error", f"Not recorded: {exc}")
        return
    state.flash("success", f"Draft #{draft_id} {'approved' if decision == 'approve' else 'rejected'}.")
    st.session_state[state.REVIEW_PICK] = None


def brief_as_sent(record: DraftRecord, key: str) -> None:
    """The brief exactly as the exports will carry it, each format one click away."""
    text_tab, markdown_tab, json_tab = st.tabs(["Escalation text", "Markdown", "JSON"], key=f"{key}.formats")
    with text_tab:
        st.code(render_text(record.brief), language=None, wrap_lines=True)
    with markdown_tab:
        st.markdown(render_markdown(record.brief))  # render_markdown escapes model text
    with json_tab:
        st.code(render_json(record.brief), language="json")


def _cell(value: str) -> str:
    return safe(value.replace("\n", " · ")) if value else "—"


def field_diff(case: ReviewCase) -> None:
    changed = case.changed
    st.subheader("The model's draft → the agent's version, field by field")
    if case.draft.model_result.brief is None:
        st.caption("The model gave no usable brief: every field below is the agent's.")
    elif changed:
        st.caption(f"The agent changed {len(changed)} of {len(case.changes)} fields.")
    else:
        st.caption(f"The agent changed none of the {len(case.changes)} fields the model wrote.")
    show_all = st.toggle("Show unchanged fields too", key=f"review.diff_all.{case.draft.id}")
    rows = case.changes if show_all else changed
    if rows:
        st.table(
            [
                {
                    "field": safe(c.label),
                    "changed": "changed" if c.changed else "",
                    "model's draft": _cell(c.model),
                    "agent's version": _cell(c.agent),
                }
                for c in rows
            ],
            hide_index=True,
        )


def _case(me: Principal, case: ReviewCase) -> None:
    record = case.draft
    st.header(f"#{record.id}: {safe(record.brief.summary)}")
    st.caption(
        f"By {safe(record.author)} · {record.status} · version {record.version} · "
        f"submitted {record.submitted_at:%Y-%m-%d %H:%M} UTC"
        if record.submitted_at
        else f"By {safe(record.author)} · {record.status}"
    )
    st.subheader("The brief as it will be sent")
    brief_as_sent(record, f"review.{record.id}")
    panels.findings_panel(record.findings, services().review.policy)
    panels.severities_panel(record)
    if record.overrides_rules:
        st.warning(f"The agent overrides the rules' severity. Their reason: {safe(record.override_justification)}")
    field_diff(case)
    panels.evidence_panel(record, expanded=True)
    panels.receipt_panel(record)
    panels.history_panel(case.versions)
    if record.status != "submitted":
        st.info(f"This draft is {record.status}; nothing to decide.")
        return
    own = record.author == me.name
    if own:
        st.warning("You wrote this draft. Another reviewer must approve or reject it.")
    st.text_area("Reason (required to reject)", key=state.review_reason_key(record.id))
    approve, reject = st.columns(2)
    approve.button(
        "Approve",
        type="primary",
        key="review.approve",
        disabled=own,
        on_click=_decide,
        args=(record.id, record.version, "approve"),
    )
    reject.button(
        "Reject", key="review.reject", disabled=own, on_click=_decide, args=(record.id, record.version, "reject")
    )


def _sync_url() -> None:
    picked = st.session_state.get(state.REVIEW_PICK)
    if picked is None:
        st.query_params.pop("draft", None)
    else:
        st.query_params["draft"] = str(picked)


def render() -> None:
    me = state.principal()
    if me is None:
        st.stop()
    app = services()
    st.title("Review queue")
    severities, targets, sla = _filters()
    try:
        items = app.review.queue(me, severities=severities, targets=targets, sla=sla)
    except EscalateError as exc:
        st.error(safe(exc))
        return
    if not items:
        st.info("Nothing waits for review with these filters.")
    else:
        _queue_table(items)
    labels = {
        item.draft.id: f"#{item.draft.id} · {SLA_LABELS[item.sla.status]} · {item.draft.summary[:70]}" for item in items
    }
    raw = st.query_params.get("draft")
    if raw is not None and raw.isdigit() and st.session_state.get(state.REVIEW_PICK) is None:
        st.session_state[state.REVIEW_PICK] = int(raw)  # a shared link or a reload: ?draft=ID
    picked = st.session_state.get(state.REVIEW_PICK)
    options: list[int | None] = [None, *labels]
    if picked not in options:
        options.append(picked)  # keep showing a draft that just left the queue, e.g. decided elsewhere
    st.selectbox(
        "Open a draft",
        options,
        key=state.REVIEW_PICK,
        format_func=lambda v: "—" if v is None else labels.get(v, f"#{v}"),
        on_change=_sync_url,
    )
    if picked is None:
        return
    try:
        case = app.review.open(me, picked)
    except EscalateError as exc:
        st.error(safe(exc))
        return
    _case(me, case)


if __name__ == "__main__":
    render()

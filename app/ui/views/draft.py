"""Draft page: paste a ticket and attach logs, watch the brief fill in, fix what the rules find,
edit any field (each change is saved at once), regenerate with new messages, submit for review."""

import json
import re
import time
from collections.abc import Iterable
from typing import Any

import streamlit as st
from streamlit.elements.lib.mutable_status_container import StatusContainer

from app.core.errors import EscalateError, NotFound, PermissionDenied
from app.core.grounding import IDENTIFIER_LIST_ITEM
from app.core.store import DraftRecord
from app.services.auth import Principal
from app.services.drafting import PHASES, PartialBrief, Phase
from app.services.jobs import JobView
from app.services.workspace import (
    DraftSaved,
    SubmissionBlocked,
    WorkspaceEvent,
    customer_request,
    submission_problems,
)
from app.ui import panels, state
from app.ui.brief_form import FIELDS, FormField, brief_from_values, evidence_for, form_values, to_widget
from app.ui.text import safe
from app.ui.verdict import verdict_headline
from app.ui.wiring import services
from schemas.common import SEVERITY_LABELS, TARGET_LABELS, Severity, Target

NEW = 0  # the picker's "new draft" entry
UPLOAD_TYPES = [
    "log",
    "txt",
    "out",
    "err",
    "trace",
    "har",
    "json",
    "jsonl",
    "ndjson",
    "csv",
    "gz",
    "png",
    "jpg",
    "jpeg",
    "gif",
]


# ---------------------------------------------------------------------------------------- picking
def _show_draft(draft_id: int | None) -> None:
    """Open a draft (None: a new one) and give it its own URL, ?draft=ID, to share or come back to."""
    st.session_state[state.CURRENT_DRAFT] = draft_id
    st.session_state.pop(state.SEEDED, None)
    st.query_params.pop("request", None)
    if draft_id is None:
        st.query_params.pop("draft", None)
    else:
        st.query_params["draft"] = str(draft_id)


def _pick() -> None:
    choice = st.session_state.get(state.DRAFT_PICKER) or NEW
    st.session_state[state.REQUEST] = None
    _show_draft(None if choice == NEW else choice)


def _from_url() -> None:
    """A reload (or a shared link) starts a fresh session: the URL says what was open."""
    for name, key in (("draft", state.CURRENT_DRAFT), ("request", state.REQUEST)):
        raw = st.query_params.get(name)
        if raw is not None and raw.isdigit() and st.session_state.get(key) is None:
            st.session_state[key] = int(raw)


def _picker(me: Principal) -> int | None:
    mine = services().workspace.my_drafts(me)
    labels = {NEW: "New draft…"} | {d.id: f"#{d.id} · {d.status} · {d.summary[:70]}" for d in mine}
    current = st.session_state.get(state.CURRENT_DRAFT)
    if current not in labels:
        current = None
    st.session_state[state.DRAFT_PICKER] = current or NEW  # before the widget exists, so allowed
    st.selectbox("Draft", list(labels), format_func=lambda v: labels[v], key=state.DRAFT_PICKER, on_change=_pick)
    return current


def _open(draft_id: int) -> None:
    _show_draft(draft_id)


# ---------------------------------------------------------------------------------------- drafting
POLL_S = 1.0
QUIET_S = 5.0  # seconds without model output before the page says what is going on


def _start(files: list[tuple[str, bytes]]) -> None:
    """on_click of 'Draft the brief': store the ticket first, then draft it on a worker thread."""
    app, me = services(), state.principal()
    if me is None:
        return
    text = st.session_state.get(state.TICKET_TEXT) or ""
    try:
        ticket = app.workspace.ingest(me, text, files)
        stored = app.workspace.request(me, ticket)
        app.jobs.start(me, stored.id)
    except EscalateError as exc:
        st.session_state[state.DRAFT_ERROR] = str(exc)
        return
    st.session_state[state.DRAFT_ERROR] = None
    st.session_state[state.REQUEST] = stored.id
    st.session_state[state.TICKET_TEXT] = ""  # stored with the request; the next 'New draft' starts empty
    st.query_params.pop("draft", None)
    st.query_params["request"] = str(stored.id)


def _back_to_ticket(request_id: int) -> None:
    """Put a request's ticket back in the box (after a cancel or a failure), nothing retyped."""
    app, me = services(), state.principal()
    if me is None:
        return
    try:
        stored = app.workspace.open_request(me, request_id)
    except EscalateError as exc:
        state.flash("error", str(exc))
        return
    st.session_state[state.TICKET_TEXT] = stored.ticket.text
    st.session_state[state.REQUEST] = None
    st.session_state[state.CURRENT_DRAFT] = None
    st.query_params.pop("request", None)
    if stored.ticket.attachments:
        names = ", ".join(a.name for a in stored.ticket.attachments)
        state.flash("info", f"Your ticket is back in the box; attach {names} again to draft with them.")


def _cancel(request_id: int) -> None:
    app, me = services(), state.principal()
    if me is None:
        return
    try:
        app.jobs.cancel(me, request_id)
    except EscalateError as exc:
        state.flash("error", f"Not cancelled: {exc}")


def _clear_error() -> None:
    st.session_state[state.DRAFT_ERROR] = None


def _new_draft(me: Principal) -> None:
    with st.container(key="draft.unfinished_list"):  # comes and goes: kept in one place (see _editor)
        _unfinished(me)
    st.text_area(
        "Ticket conversation",
        key=state.TICKET_TEXT,
        height=280,
        placeholder="Paste the customer conversation, and any log lines, here.",
        persist_state="session",
        on_change=_clear_error,
    )
    uploads = st.file_uploader(
        "Attach logs, HAR, JSON or screenshots",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key="draft.uploads",
        on_change=_clear_error,
    )
    files = [(f.name, f.getvalue()) for f in uploads or []]
    st.button("Draft the brief", type="primary", key="draft.start", on_click=_start, args=(files,))
    error = st.session_state.get(state.DRAFT_ERROR)
    if error:
        st.error(f"Not drafted: {safe(error)}. Your ticket text is kept.")


def _unfinished(me: Principal) -> None:
    """Requests of this agent without a draft: one still drafting, or one that failed or was cancelled."""
    app = services()
    pending = app.workspace.unfinished_requests(me)
    if not pending:
        return
    with st.expander(f"Tickets without a draft yet: {len(pending)}", key="draft.unfinished"):
        for item in pending[:10]:
            job = app.jobs.view(item.id)
            running = job is not None and job.running
            first = next((line.strip() for line in item.ticket.text.splitlines() if line.strip()), "(attachments)")
            left, right = st.columns([4, 1])
            status = "drafting now" if running else item.status
            left.caption(f"{item.created_at:%Y-%m-%d %H:%M} UTC · {status} · {safe(first[:80])}")
            if running:
                right.button("Watch", key=f"draft.watch.{item.id}", on_click=_watch, args=(item.id,))
            else:
                right.button("Load ticket", key=f"draft.load.{item.id}", on_click=_back_to_ticket, args=(item.id,))


def _watch(request_id: int) -> None:
    st.session_state[state.REQUEST] = request_id
    st.query_params["request"] = str(request_id)


def _partial_form(data: dict[str, Any]) -> None:
    """The brief as the model writes it, field by field, with the labels of the form."""
    filled = 0
    for field in FIELDS:
        value = _partial_value(data, field.path)
        if value in (None, "", [], False):
            continue
        filled += 1
        shown = to_widget(field, value) if field.kind in ("lines", "attempts") else value
        if field.kind == "bool":
            shown = "yes"
        elif field.kind == "severity" and value in Severity.__members__:
            shown = SEVERITY_LABELS[Severity(value)]
        elif field.kind == "target" and value in Target.__members__:
            shown = TARGET_LABELS[Target(value)]
        st.markdown(f"**{safe(field.label)}**  \n{safe(str(shown)).replace(chr(10), '  ' + chr(10))}")
    if not filled:
        st.caption("No field written yet.")


def _partial_value(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, list):
        value = [v for v in value if v not in (None, "", {})]
        if value and isinstance(value[0], dict):
            value = [v for v in value if isinstance(v, dict) and v.get("action")]
            value = [{"action": v["action"], "result": v.get("result") or ""} for v in value]
    return value


def _progress(me: Principal, request_id: int) -> None:
    app = services()
    # The job before the stored request: a job marks itself finished only after it wrote the request's
    # outcome, so a finished job always meets its final row (read the other way round, a job ending
    # between the two reads looked stopped with no outcome, and the page offered only "Draft it again").
    job = app.jobs.view(request_id)
    try:
        stored = app.workspace.open_request(me, request_id)
    except EscalateError as exc:
        st.warning(safe(exc))
        st.session_state[state.REQUEST] = None
        st.query_params.pop("request", None)
        return
    if stored.status == "done" and stored.draft_id is not None:
        state.flash("success", f"Draft #{stored.draft_id} is saved. Check the findings, then submit it for review.")
        st.session_state[state.REQUEST] = None
        _open(stored.draft_id)
        st.rerun()
    if job is None or (not job.running and stored.status != "done"):
        _stopped(stored.id, stored.status, stored.error or (job.error if job else ""), job is None)
        return
    _running(job)


def _stopped(request_id: int, status: str, error: str, orphaned: bool) -> None:
    if status == "cancelled":
        st.info("Drafting was cancelled. The ticket is saved.")
    elif status == "failed":
        st.error(f"Drafting failed: {safe(error)}. The ticket is saved; nothing is lost.")
    elif orphaned:
        st.warning("Drafting of this ticket was interrupted (the server restarted). The ticket is saved.")
    left, right = st.columns(2)
    left.button("Draft it again", type="primary", key="draft.again", on_click=_again, args=(request_id,))
    right.button("Edit the ticket first", key="draft.edit_ticket", on_click=_back_to_ticket, args=(request_id,))


def _again(request_id: int) -> None:
    app, me = services(), state.principal()
    if me is None:
        return
    try:
        stored = app.workspace.open_request(me, request_id)
        fresh = app.workspace.request(me, stored.ticket)
        app.jobs.start(me, fresh.id)
    except EscalateError as exc:
        state.flash("error", f"Not started: {exc}")
        return
    _watch(fresh.id)


STREAM_REDRAW_S = 0.4


def _run_stream(events: Iterable[WorkspaceEvent], status: StatusContainer) -> DraftSaved | None:
    """Regenerate (in this page's run): the phase and the brief so far as a form, then the stored draft."""
    live = st.empty()
    shown_at, unshown = 0.0, None
    started = time.monotonic()

    def show(data: dict[str, Any]) -> None:
        with live.container():
            _partial_form(data)

    for event in events:
        if isinstance(event, Phase):
            status.update(label=f"{PHASES[event.name]}… ({time.monotonic() - started:.0f} s)")
        elif isinstance(event, PartialBrief):
            # The model streams a partial per token (~500 a brief); a few redraws a second read as live.
            if time.monotonic() - shown_at < STREAM_REDRAW_S:
                unshown = event.data
                continue
            shown_at, unshown = time.monotonic(), None
            show(event.data)
        elif isinstance(event, DraftSaved):
            if unshown is not None:
                show(unshown)
            status.update(label=f"Draft #{event.draft.id} saved", state="complete", expanded=False)
            return event
    return None


@st.fragment(run_every=POLL_S)
def _running_fragment(request_id: int) -> None:
    app = services()
    job = app.jobs.view(request_id)
    if job is None or not job.running:
        st.rerun(scope="app")
        return
    now = app.jobs.clock()
    with st.container(border=True, key="draft.progress"):
        st.markdown(f"**Drafting the brief** · {now - job.started:.0f} s so far")
        done = dict(job.phases)
        for name, label in PHASES.items():
            if name == job.phase:
                st.markdown(f":material/progress_activity: **{label}** · {now - job.phase_started:.0f} s")
            elif name in done:
                st.markdown(f":material/check_circle: {label} · {done[name]:.0f} s")
            else:
                st.markdown(f":material/radio_button_unchecked: {label}")
        if job.verdict is not None:
            # Computed without the model: on screen while the model drafts (its cited facts can
            # only raise it).
            verdict_headline(job.verdict, "Assessment before the model")
        quiet = now - job.last_output if job.last_output is not None else None
        if job.phase == "drafting" and quiet is not None and quiet > QUIET_S:
            # The stream ended but the answer failed validation: the model is asked to correct it.
            st.caption(
                f"No new output for {quiet:.0f} s: the model's answer is being checked, or the model is "
                "asked to correct it (this can take as long as the first answer)."
            )
        st.button("Cancel (keeps the ticket)", key="draft.cancel", on_click=_cancel, args=(request_id,))
    st.subheader("The brief so far")
    _partial_form(job.partial)


def _running(job: JobView) -> None:
    st.caption("You can reload this page or open another one: drafting goes on, and this page picks it up again.")
    _running_fragment(job.request_id)


# ---------------------------------------------------------------------------------------- editing
def _seed(record: DraftRecord) -> None:
    """Fill the form from the stored draft (before its widgets are drawn in this run)."""
    for path, value in form_values(record.brief).items():
        st.session_state[state.field_key(record.id, path)] = value
    st.session_state[state.justification_key(record.id)] = record.override_justification
    st.session_state[state.SEEDED] = (record.id, record.version)
    st.session_state[state.EDIT_VERSION] = record.version
    st.session_state[state.SAVE_ERROR] = None


def _autosave(draft_id: int) -> None:
    """on_change of every field: save the whole form as the next version. A failure keeps the typed text."""
    app, me = services(), state.principal()
    if me is None:
        return
    values = {f.path: st.session_state.get(state.field_key(draft_id, f.path)) for f in FIELDS}
    try:
        base = app.workspace.open(me, draft_id)
        brief = brief_from_values(values, base.brief)
        saved = app.workspace.save(
            me,
            draft_id,
            st.session_state.get(state.EDIT_VERSION, base.version),
            brief,
            st.session_state.get(state.justification_key(draft_id)) or "",
            autosave=True,
        )
    except EscalateError as exc:
        st.session_state[state.SAVE_ERROR] = str(exc)
        return
    st.session_state[state.EDIT_VERSION] = saved.version
    st.session_state[state.SEEDED] = (draft_id, saved.version)
    st.session_state[state.SAVE_ERROR] = None


def _field_widget(record: DraftRecord, field: FormField, disabled: bool) -> None:
    quotes = evidence_for(record.brief, field.path)
    help_text = ("Evidence from the ticket: " + " | ".join(f"“{safe(q)}”" for q in quotes)) if quotes else None
    common: dict[str, Any] = {
        "key": state.field_key(record.id, field.path),
        "on_change": _autosave,
        "args": (record.id,),
        "disabled": disabled,
        "help": help_text,
        "persist_state": "session",
    }
    if field.kind in ("text", "int"):
        st.text_input(field.label, **common)
    elif field.kind in ("area", "lines", "attempts"):
        st.text_area(field.label, height=110 if field.kind != "area" else 140, **common)
    elif field.kind == "bool":
        st.checkbox(field.label, **common)
    elif field.kind == "severity":
        st.selectbox(
            field.label, [s.value for s in Severity], format_func=lambda v: SEVERITY_LABELS[Severity(v)], **common
        )
    elif field.kind == "target":
        st.selectbox(field.label, [t.value for t in Target], format_func=lambda v: TARGET_LABELS[Target(v)], **common)


def _goto(path: str) -> None:
    """on_click of a finding: open the section holding its field and put the cursor in it."""
    nonce = st.session_state.get(f"{state.FOCUS}.nonce", 0) + 1
    st.session_state[f"{state.FOCUS}.nonce"] = nonce
    st.session_state[state.FOCUS] = (path, nonce)
    if _form_field_for(path) is None:  # an evidence quote: it sits in the evidence list
        st.session_state[panels.EVIDENCE_KEY] = True


def _form_field_for(path: str) -> FormField | None:
    """The form field a finding's path lands on ('evidence[1].quote' has none; 'tried[0].action' is 'tried')."""
    head = re.split(r"\[", path, maxsplit=1)[0]
    return next((f for f in FIELDS if f.path == head or head.startswith(f.path + ".")), None)


# Put the cursor in the field a finding named. The widget's label is its aria-label. Streamlit fades
# out the previous run's elements before it removes them, so stale copies are skipped, and a rerun that
# lands seconds later on a busy machine can re-mount the field: the script follows the field to its new
# element for up to 15 s. It lets go the moment the person moves on (the field it focused is still on
# the page but no longer has the focus: a Tab, a click elsewhere) or another finding is clicked (a newer
# request on `window`): a script that kept pulling the focus back took a later finding's keystrokes.
_FOCUS_JS = """(() => {
  const sel = SELECTOR, me = NONCE;
  window.__briefFocus = me;
  let focused = null, tries = 0;
  const fresh = e => !e.closest('[data-stale="true"]') && e.offsetParent !== null;
  const go = () => {
    if (window.__briefFocus !== me || ++tries > 150) return;
    if (focused && document.activeElement !== focused && focused.isConnected && fresh(focused)) return;
    if (!focused || document.activeElement !== focused) {
      const el = [...document.querySelectorAll(sel)].filter(fresh).pop();
      if (el) { el.scrollIntoView({block: 'center'}); el.focus(); focused = el; }
    }
    setTimeout(go, 100);
  };
  setTimeout(go, 100);
})();"""


def _focus_script(label: str, nonce: int) -> None:
    script = _FOCUS_JS.replace("SELECTOR", json.dumps(f'[aria-label="{label}"]')).replace("NONCE", str(nonce))
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def _take_focus() -> tuple[FormField, int] | None:
    """The field a click on a finding asked for, consumed: one request opens and focuses once."""
    focus = st.session_state.pop(state.FOCUS, None)
    target = _form_field_for(focus[0]) if focus else None
    return (target, focus[1]) if target is not None and focus is not None else None


def _editor_fields(record: DraftRecord, disabled: bool, target: FormField | None) -> None:
    sections: dict[str, list[FormField]] = {}
    for field in FIELDS:
        sections.setdefault(field.section, []).append(field)
    # Keyed so an expander stays open when an autosave reshapes the page above it.
    for number, (section, fields) in enumerate(sections.items()):
        key = f"draft.section.{number}"
        if target is not None and target.section == section:
            st.session_state[key] = True  # a click on a finding opens its section
        # on_change="rerun" makes the open state a session value a finding's click can set.
        with st.expander(section, expanded=section == "Brief", key=key, on_change="rerun"):
            for field in fields:
                _field_widget(record, field, disabled)


def _save_status(record: DraftRecord) -> None:
    error = st.session_state.get(state.SAVE_ERROR)
    if error:
        st.error(f"Not saved: {safe(error)}. Your typing is kept on this page.")
        if st.button("Load the latest saved version (replaces what you typed)", key="draft.reload"):
            st.session_state.pop(state.SEEDED, None)
            st.session_state[state.SAVE_ERROR] = None
            st.rerun()
    else:
        st.caption(f"All changes saved · version {record.version} · {record.updated_at:%Y-%m-%d %H:%M:%S} UTC")


def _justification(record: DraftRecord, disabled: bool) -> None:
    if not record.overrides_rules:
        return
    st.warning(
        f"You chose {record.brief.severity.label}; the rules derived {record.rules_severity.label}. "
        "A reviewer needs your reason."
    )
    st.text_area(
        "Justification for overriding the rules' severity (required)",
        key=state.justification_key(record.id),
        on_change=_autosave,
        args=(record.id,),
        disabled=disabled,
        persist_state="session",
    )


def _remove(draft_id: int, what: str) -> None:
    """on_click of a one-click fix: the service drops what the rule found and saves a version."""
    app, me = services(), state.principal()
    if me is None:
        return
    action = app.workspace.remove_unverified_quotes if what == "quotes" else app.workspace.remove_invented_values
    try:
        saved = action(me, draft_id, st.session_state.get(state.EDIT_VERSION, 0))
    except EscalateError as exc:
        state.flash("error", f"Nothing was removed: {exc}")
        return
    state.flash("success", f"Removed the {what} not found in the ticket (version {saved.version}).")


def _one_click_fixes(record: DraftRecord, disabled: bool) -> None:
    # The evidence rule's fix is "copy the quote exactly, or remove it" and quotes are not form
    # fields; invented IDs, timestamps and codes sit in lists. Removing either is one button.
    if disabled:
        return
    quotes = sum(1 for f in record.findings if f.rule == "evidence_verbatim" and f.field.startswith("evidence["))
    values = sum(1 for f in record.findings if f.rule == "grounding" and IDENTIFIER_LIST_ITEM.fullmatch(f.field or ""))
    for count, what, noun, key in (
        (quotes, "quotes", "quote", "draft.remove_quotes"),
        (values, "diagnostic values", "diagnostic value", "draft.remove_values"),
    ):
        if count:
            label = f"Remove the {count} {noun if count == 1 else what} not found in the ticket"
            st.button(label, key=key, on_click=_remove, args=(record.id, what))


def _missing_diagnostics(record: DraftRecord) -> None:
    message = customer_request(record.findings)
    if message:
        st.subheader("Missing diagnostics")
        st.caption("The policy needs these before engineering can act. A message ready to send to the customer:")
        st.code(message, language=None, wrap_lines=True)


def _regenerate(me: Principal, record: DraftRecord) -> None:
    key = f"{state.NEW_MESSAGES}.{record.id}"
    with st.expander("Regenerate with the customer's new messages", key="draft.regenerate_section"):
        st.caption("The model drafts again from the ticket plus these messages; your edits stay in the history.")
        if st.session_state.pop(f"{key}.clear", False):
            st.session_state[key] = ""  # the last regeneration used them; set before the widget exists
        st.text_area("New messages", key=key, height=140, persist_state="session")
        if not st.button("Regenerate", key="draft.regenerate"):
            return
        with st.status("Drafting again…", expanded=True) as status:
            try:
                events = services().workspace.regenerate(
                    me,
                    record.id,
                    st.session_state.get(state.EDIT_VERSION, record.version),
                    st.session_state.get(key) or "",
                )
                saved = _run_stream(events, status)
            except EscalateError as exc:
                status.update(label="Regeneration failed; your messages are kept", state="error")
                st.error(safe(exc))
                return
        if saved is not None:
            st.session_state[f"{key}.clear"] = True
            state.flash("success", f"Draft #{record.id} regenerated.")
            _open(record.id)
            st.rerun()


def _submit(me: Principal, record: DraftRecord) -> None:
    problems = submission_problems(record.brief, record.findings, record.rules_severity, record.override_justification)
    if problems:
        st.error("Submission is blocked until these are fixed:\n" + "\n".join(f"- {safe(p)}" for p in problems))
    blocked = bool(problems) or bool(st.session_state.get(state.SAVE_ERROR))
    if not st.button("Submit for review", type="primary", disabled=blocked, key="draft.submit"):
        return
    try:
        services().workspace.submit(me, record.id, st.session_state.get(state.EDIT_VERSION, record.version))
    except SubmissionBlocked as exc:
        st.error("Not submitted: " + safe("; ".join(exc.problems)))
        return
    except EscalateError as exc:
        st.error(f"Not submitted: {safe(exc)}")
        return
    state.flash("success", f"Draft #{record.id} is in the review queue.")
    _open(record.id)
    st.rerun()


def _withdraw(me: Principal, record: DraftRecord) -> None:
    if st.button("Withdraw to edit", key="draft.withdraw"):
        try:
            services().workspace.withdraw(me, record.id, record.version)
        except EscalateError as exc:
            st.error(safe(exc))
            return
        _open(record.id)
        st.rerun()


def _status_banner(me: Principal, record: DraftRecord) -> None:
    if record.status == "submitted":
        st.info(f"Submitted for review at {record.submitted_at:%Y-%m-%d %H:%M} UTC; it is read-only now.")
        _withdraw(me, record)
    elif record.status == "approved":
        st.success(f"Approved by {safe(record.reviewed_by)}. Export it from the Approved briefs page.")
    elif record.status == "rejected":
        reason = (record.review_reason or "").strip().rstrip(".")
        st.warning(f"Rejected by {safe(record.reviewed_by)}: {safe(reason)}. Fix it and submit again.")


def _editor(me: Principal, draft_id: int) -> None:
    app = services()
    try:
        record = app.workspace.open(me, draft_id)
    except (NotFound, PermissionDenied) as exc:
        st.warning(safe(exc))
        st.session_state[state.CURRENT_DRAFT] = None
        st.query_params.pop("draft", None)
        return
    seeded = st.session_state.get(state.SEEDED)
    if (
        seeded is None
        or seeded[0] != record.id
        or (seeded[1] != record.version and not st.session_state.get(state.SAVE_ERROR))
    ):
        _seed(record)
    disabled = not record.editable or record.author != me.name
    # Every part whose elements come and go (findings, banners, a save error, one-click fixes) sits in
    # a container drawn on every run. Streamlit places elements by position: when the count above a
    # field changed between reruns, a field committed on blur could land its text in the field that
    # took its place (seen in the browser walk: an account id typed into the ID field saved as the
    # customer environment). With fixed places the form's fields never move.
    with st.container(key="draft.head"):
        st.header(f"Draft #{record.id}: {safe(record.brief.summary)}")
        _status_banner(me, record)
        panels.model_errors_panel(record)
        panels.findings_panel(record.findings, app.review.policy, goto=None if disabled else _goto)
        panels.severities_panel(record)
        _justification(record, disabled)
        _missing_diagnostics(record)
        st.subheader("The brief")
        _save_status(record)
    asked = _take_focus()
    with st.container(key="draft.form"):
        _editor_fields(record, disabled, asked[0] if asked else None)
    with st.container(key="draft.focus"):
        if asked is not None:
            _focus_script(asked[0].label, asked[1])
    with st.container(key="draft.tail"):
        panels.evidence_panel(record)
        _one_click_fixes(record, disabled)
        panels.receipt_panel(record)
        panels.history_panel(app.workspace.versions(me, record.id))
        if not disabled:
            _regenerate(me, record)
            _submit(me, record)


def render() -> None:
    me = state.principal()
    if me is None:
        st.stop()
    st.title("Draft a brief")
    _from_url()
    request_id = st.session_state.get(state.REQUEST)
    if request_id is not None:
        _progress(me, request_id)
        return
    draft_id = _picker(me)
    if draft_id is None:
        _new_draft(me)
    else:
        _editor(me, draft_id)


if __name__ == "__main__":
    render()

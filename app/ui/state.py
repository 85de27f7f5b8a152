"""Every st.session_state key the app uses, and typed access to the ones read in many places."""

from datetime import UTC, datetime
from typing import Any

import streamlit as st

from app.services.auth import Principal

PRINCIPAL = "auth.principal"
SIGNED_IN_AT = "auth.signed_in_at"
COOKIE_TO_SET = "auth.cookie_to_set"  # str: a session token the browser must keep ("" clears it)

# Draft page
CURRENT_DRAFT = "draft.current"  # int | None: the draft open in the editor
TICKET_TEXT = "draft.ticket_text"  # the pasted ticket, kept across errors and page switches
DRAFT_PICKER = "draft.picker"
SEEDED = "draft.seeded"  # (draft id, version) the form widgets were filled from
EDIT_VERSION = "draft.version"  # the version the next save expects (what this session last saw)
SAVE_ERROR = "draft.save_error"  # str | None: why the last autosave did not land
NEW_MESSAGES = "draft.new_messages"
REQUEST = "draft.request"  # int | None: the draft request being drafted (its progress is shown)
DRAFT_ERROR = "draft.error"  # str | None: why the last 'Draft the brief' did not start
FOCUS = "draft.focus"  # (field path, nonce): the field a click on a finding asked to open and focus
FLASH = "flash"  # (level, message) shown once after a rerun

# Review and approved pages
REVIEW_PICK = "review.pick"
APPROVED_PICK = "approved.pick"


def field_key(draft_id: int, path: str) -> str:
    return f"brief.{draft_id}.{path}"


def justification_key(draft_id: int) -> str:
    return f"brief.{draft_id}.justification"


def review_reason_key(draft_id: int) -> str:
    return f"review.reason.{draft_id}"


def principal() -> Principal | None:
    value = st.session_state.get(PRINCIPAL)
    return value if isinstance(value, Principal) else None


def sign_in(user: Principal, *, token: str | None = None, at: datetime | None = None) -> None:
    """`token`: a session token for the browser to keep, so the sign-in survives a reload."""
    st.session_state[PRINCIPAL] = user
    st.session_state[SIGNED_IN_AT] = at or datetime.now(UTC)
    if token is not None:
        st.session_state[COOKIE_TO_SET] = token


def sign_out(*, keep_work: bool = False) -> None:
    """Forget who is signed in; an explicit sign-out also forgets everything typed in this tab,
    an expired session keeps the pasted ticket so its owner loses nothing by signing in again."""
    kept = {TICKET_TEXT: st.session_state.get(TICKET_TEXT)} if keep_work else {}
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state.update({k: v for k, v in kept.items() if v is not None})


def flash(level: str, message: str) -> None:
    st.session_state[FLASH] = (level, message)


def pop_flash() -> tuple[str, str] | None:
    value: Any = st.session_state.pop(FLASH, None)
    return value if isinstance(value, tuple) else None

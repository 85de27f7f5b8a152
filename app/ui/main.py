"""Entry script: `streamlit run app/ui/main.py` (or `escalate serve`). Signs the user in, then
shows the pages their role allows. Pages live in app/ui/views/ and only draw and call services."""

from pathlib import Path

import streamlit as st

from app.core.errors import EscalateError
from app.services.auth import Permission, session_expired
from app.ui import state
from app.ui.auth_gate import resolve_principal
from app.ui.text import safe
from app.ui.wiring import services

VIEWS = Path(__file__).with_name("views")

st.set_page_config(page_title="Escalation briefs", page_icon=":material/priority_high:", layout="wide")

try:
    app = services()
except EscalateError as exc:
    st.error(f"The app cannot start: {exc}")
    st.stop()

principal = resolve_principal(app)
signed_in_at = st.session_state.get(state.SIGNED_IN_AT)
if (
    principal is not None
    and principal.via == "password"
    and signed_in_at is not None
    and session_expired(signed_in_at, app.app_settings.session_ttl_minutes)
):
    state.sign_out(keep_work=True)
    state.flash("info", "Your session expired; sign in again. Your pasted ticket is kept.")
    principal = None

if principal is None:
    page = st.navigation([st.Page(VIEWS / "sign_in.py", title="Sign in", icon=":material/login:")])
else:
    pages = []
    if principal.can(Permission.draft):
        pages.append(st.Page(VIEWS / "draft.py", title="Draft", icon=":material/edit_note:", default=True))
    if principal.can(Permission.review):
        pages.append(st.Page(VIEWS / "review.py", title="Review queue", icon=":material/fact_check:"))
    if principal.can(Permission.view_approved):
        pages.append(st.Page(VIEWS / "approved.py", title="Approved briefs", icon=":material/verified:"))
        pages.append(st.Page(VIEWS / "escalations.py", title="Escalations", icon=":material/campaign:"))
        pages.append(st.Page(VIEWS / "handoff.py", title="Shift handoff", icon=":material/swap_horiz:"))
    # Saved eval reports (public datasets, no customer data): readable by everyone signed in.
    pages.append(st.Page(VIEWS / "evals.py", title="Evals", icon=":material/monitoring:"))
    if principal.can(Permission.view_settings):
        pages.append(st.Page(VIEWS / "settings.py", title="Settings", icon=":material/settings:"))
    page = st.navigation(pages)
    with st.sidebar:
        st.caption(f"Signed in as **{safe(principal.name)}** ({principal.role.value})")
        if principal.via == "oidc":
            st.button("Sign out", on_click=st.logout, key="sign_out")
        else:
            st.button("Sign out", on_click=state.sign_out, key="sign_out")

flashed = state.pop_flash()
if flashed:
    level, message = flashed
    {"success": st.success, "warning": st.warning, "error": st.error}.get(level, st.info)(safe(message))
page.run()

"""Entry script: `streamlit run app/ui/main.py` (or `escalate serve`). Signs the user in, then
shows the pages their role allows. Pages live in app/ui/views/ and only draw and call services."""

from pathlib import Path

import streamlit as st

from app.core.errors import EscalateError
from app.services.auth import Permission, session_expired
from app.services.sessions import COOKIE
from app.ui import state
from app.ui.auth_gate import oidc_configured, resolve_principal
from app.ui.text import safe
from app.ui.wiring import services

VIEWS = Path(__file__).with_name("views")

st.set_page_config(page_title="Escalation briefs", page_icon=":material/priority_high:", layout="wide")

try:
    app = services()
except EscalateError as exc:
    st.error(f"The app cannot start: {exc}")
    st.stop()


def _keep_cookie() -> None:
    """Hand the browser the session token set at sign-in (or clear it at sign-out)."""
    token = st.session_state.pop(state.COOKIE_TO_SET, None)
    if token is None:
        return
    max_age = app.app_settings.session_ttl_minutes * 60 if token else 0
    st.html(
        f"<script>document.cookie = '{COOKIE}={token}; path=/; max-age={max_age}; SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
    )


def _sign_out() -> None:
    app.sessions.revoke(st.context.cookies.get(COOKIE))
    state.sign_out()
    st.session_state[state.COOKIE_TO_SET] = ""


principal = resolve_principal(app)
if principal is None and not oidc_configured():
    # A reload starts a new Streamlit session; the cookie the browser kept names the sign-in.
    resumed = app.sessions.resume(st.context.cookies.get(COOKIE))
    if resumed is not None:
        state.sign_in(resumed[0], at=resumed[1])
        principal = resumed[0]
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
    # Reviewers land on their queue, agents on their drafts.
    reviews = principal.can(Permission.review)
    if principal.can(Permission.draft):
        pages.append(st.Page(VIEWS / "draft.py", title="Draft", icon=":material/edit_note:", default=not reviews))
    if reviews:
        pages.append(st.Page(VIEWS / "review.py", title="Review queue", icon=":material/fact_check:", default=True))
    if principal.can(Permission.view_approved):
        pages.append(st.Page(VIEWS / "approved.py", title="Approved briefs", icon=":material/verified:"))
        pages.append(st.Page(VIEWS / "escalations.py", title="Escalations", icon=":material/campaign:"))
        pages.append(st.Page(VIEWS / "handoff.py", title="Shift handoff", icon=":material/swap_horiz:"))
    if principal.can(Permission.view_evals):
        pages.append(st.Page(VIEWS / "evals.py", title="Evals", icon=":material/monitoring:"))
    if principal.can(Permission.view_settings):
        pages.append(st.Page(VIEWS / "settings.py", title="Settings", icon=":material/settings:"))
    page = st.navigation(pages)
    with st.sidebar:
        st.caption(f"Signed in as **{safe(principal.name)}** ({principal.role.value})")
        if principal.via == "oidc":
            st.button("Sign out", on_click=st.logout, key="sign_out")
        else:
            st.button("Sign out", on_click=_sign_out, key="sign_out")

# The cookie script and the one-time message come and go between reruns; each sits in a container
# that is always drawn, so the page's own elements keep their places (see app/ui/views/draft.py).
with st.container(key="app.cookie"):
    _keep_cookie()
with st.container(key="app.flash"):
    flashed = state.pop_flash()
    if flashed:
        level, message = flashed
        {"success": st.success, "warning": st.warning, "error": st.error}.get(level, st.info)(safe(message))
page.run()

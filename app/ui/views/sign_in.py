"""Sign in: with the identity provider when OIDC is configured, else name and password.
On a fresh install (no users yet) this page creates the first admin."""

import streamlit as st

from app.core.errors import EscalateError
from app.ui import state
from app.ui.auth_gate import OIDC_ERROR, oidc_configured
from app.ui.text import safe
from app.ui.wiring import services


def _sign_in_form() -> None:
    app = services()
    with st.form("sign_in"):
        name = st.text_input("User name", key="sign_in.name")
        password = st.text_input("Password", type="password", key="sign_in.password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            principal = app.accounts.sign_in(name, password)
            state.sign_in(principal, token=app.sessions.issue(principal))
        except EscalateError as exc:
            st.error(safe(exc))
        else:
            st.rerun()


def _first_admin_form() -> None:
    app = services()
    st.info("No users yet. Create the first account: it will be an admin, who can then add agents and reviewers.")
    with st.form("first_admin"):
        name = st.text_input("User name", key="first_admin.name")
        password = st.text_input("Password (10+ characters)", type="password", key="first_admin.password")
        again = st.text_input("Password again", type="password", key="first_admin.again")
        submitted = st.form_submit_button("Create admin account", type="primary")
    if submitted:
        if password != again:
            st.error("The two passwords differ.")
            return
        try:
            principal = app.accounts.create_first_admin(name, password)
            state.sign_in(principal, token=app.sessions.issue(principal))
        except EscalateError as exc:
            st.error(safe(exc))
        else:
            st.rerun()


def render() -> None:
    st.title("Escalation briefs")
    st.caption("Turn a support ticket and its logs into a rule-checked escalation brief.")
    if oidc_configured():
        if OIDC_ERROR in st.session_state:
            st.error(safe(st.session_state[OIDC_ERROR]))
            st.button("Sign out of the identity provider", on_click=st.logout)
            return
        st.button("Sign in with your identity provider", type="primary", on_click=st.login)
        return
    if services().accounts.needs_first_admin():
        _first_admin_form()
    else:
        _sign_in_form()


if __name__ == "__main__":
    render()

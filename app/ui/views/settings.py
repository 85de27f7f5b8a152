"""Settings (admin): the backend, model, policy and prompt in use; users; the audit chain.
Secrets are shown as set or not set, never printed."""

import streamlit as st

from app.core.errors import EscalateError
from app.core.users import Role
from app.services.auth import describe_settings
from app.ui import state
from app.ui.text import safe
from app.ui.wiring import services


def _prompt_ref() -> str | None:
    prompt = getattr(services().drafter.built, "prompt", None)
    return getattr(prompt, "ref", None)


def _users() -> None:
    app, me = services(), state.principal()
    assert me is not None
    st.subheader("Users")
    table = st.empty()  # filled after the form, so a user added in this run is listed at once
    with st.form("add_user", clear_on_submit=True):
        st.caption("Add a user")
        name = st.text_input("User name", key="settings.user.name")
        role = st.selectbox("Role", list(Role), format_func=lambda r: r.value, key="settings.user.role")
        password = st.text_input("Password (10+ characters)", type="password", key="settings.user.password")
        email = st.text_input("E-mail (for OIDC sign-in; optional)", key="settings.user.email")
        if st.form_submit_button("Add user"):
            try:
                user = app.accounts.add_user(me, name, role or Role.agent, password or None, email or None)
            except EscalateError as exc:
                st.error(safe(exc))
            else:
                st.success(f"Added {safe(user.name)} as {user.role.value}.")
    table.dataframe(
        [
            {
                "name": u.name,
                "role": u.role.value,
                "sign-in": "password" if u.password_hash else "OIDC",
                "email": u.email,
            }
            for u in app.accounts.list_users(me)
        ],
        hide_index=True,
    )


def _audit() -> None:
    me = state.principal()
    assert me is not None
    st.subheader("Audit log")
    if st.button("Verify the audit hash chain", key="settings.verify"):
        report = services().accounts.verify_audit(me)
        (st.success if report.ok else st.error)(safe(report.summary()))
        for problem in report.problems:
            st.write(f"- {safe(problem)}")


def render() -> None:
    me = state.principal()
    if me is None:
        st.stop()
    app = services()
    st.title("Settings")
    try:
        shown = describe_settings(me, app.settings, app.app_settings, app.store, _prompt_ref())
    except EscalateError as exc:
        st.error(safe(exc))
        return
    st.dataframe([{"setting": s.name, "value": s.value} for s in shown], hide_index=True)
    st.caption("Change these with ESCALATE_* environment variables or a .env file, then restart the app.")
    _users()
    _audit()


if __name__ == "__main__":
    render()

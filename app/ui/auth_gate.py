"""Who is using this browser tab: Streamlit's OIDC sign-in (st.login) when `[auth]` is configured in
secrets.toml, otherwise the local users file. Either way the role comes from the users file."""

import streamlit as st

from app.core.errors import PermissionDenied
from app.services.auth import Principal
from app.ui import state
from app.ui.wiring import Services

OIDC_ERROR = "auth.oidc_error"


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all (StreamlitSecretNotFoundError)
        return False


def resolve_principal(app: Services) -> Principal | None:
    if not oidc_configured():
        return state.principal()
    if not st.user.get("is_logged_in", False):
        return None
    current = state.principal()
    email = st.user.get("email")
    if current is not None and current.via == "oidc":
        return current
    try:
        principal = app.accounts.sign_in_oidc(str(email) if email else None)
    except PermissionDenied as exc:
        st.session_state[OIDC_ERROR] = str(exc)
        return None
    st.session_state.pop(OIDC_ERROR, None)
    state.sign_in(principal)
    return principal

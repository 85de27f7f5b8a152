"""Password sign-ins that survive a reload: the browser keeps an opaque random token (a cookie),
the server keeps who it stands for and since when. Expired or revoked tokens resolve to nobody.

Tokens live in the server process: a restart signs everyone out (OIDC sign-ins are kept by
Streamlit itself). Several instances behind a load balancer need sticky sessions, as Streamlit does.
"""

import secrets
import threading
from datetime import UTC, datetime, timedelta

from app.services.auth import Principal

COOKIE = "escalate_session"


class Sessions:
    def __init__(self, ttl_minutes: int) -> None:
        self.ttl = timedelta(minutes=ttl_minutes)
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[Principal, datetime]] = {}

    def issue(self, principal: Principal, at: datetime | None = None) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (principal, at or datetime.now(UTC))
        return token

    def resume(self, token: str | None, now: datetime | None = None) -> tuple[Principal, datetime] | None:
        if not token:
            return None
        with self._lock:
            found = self._tokens.get(token)
            if found is None:
                return None
            if (now or datetime.now(UTC)) - found[1] > self.ttl:
                del self._tokens[token]
                return None
            return found

    def revoke(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._tokens.pop(token, None)

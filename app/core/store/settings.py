"""Settings of the web app that the model settings do not carry: users file, webhook, sessions.

Read from `ESCALATE_*` variables like `app.core.llm.settings.Settings` (which owns `db_url`), e.g.
`ESCALATE_USERS_FILE`, `ESCALATE_WEBHOOK_URL`, `ESCALATE_WEBHOOK_FORMAT`, `ESCALATE_SESSION_TTL_MINUTES`,
`ESCALATE_DRAFTER_FACTORY`.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.errors import InputError
from app.core.llm.settings import _default_data_dir

WebhookFormat = Literal["slack", "generic"]


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ESCALATE_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    users_file: Path = Field(
        default_factory=lambda: _default_data_dir() / "users.json",
        description="Local accounts (argon2 hashes); also maps OIDC e-mails to roles.",
    )
    # A Slack incoming-webhook URL is itself the credential, so it is a secret like an API key.
    webhook_url: SecretStr | None = Field(default=None, description="Where 'send' posts approved briefs.")
    webhook_format: WebhookFormat = "slack"
    webhook_timeout_s: PositiveFloat = 10.0
    session_ttl_minutes: PositiveInt = Field(default=12 * 60, description="Local sign-ins expire after this.")
    # "module:callable" returning a Drafter; tests and demos swap in a recorded-traffic drafter.
    drafter_factory: str = Field(default="app.services.factory:build_drafting_service", pattern=r"^[\w.]+:\w+$")


def safe_destination(url: str) -> str:
    """A webhook URL fit to show or store: scheme and host only, since the path is the credential."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/…" if parts.netloc else "(invalid URL)"


@lru_cache(maxsize=1)
def get_app_settings() -> AppSettings:
    """The process-wide app settings; `get_app_settings.cache_clear()` after changing the environment."""
    return load_app_settings()


def load_app_settings(**overrides: object) -> AppSettings:
    try:
        return AppSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise InputError(f"setting ESCALATE_{field.upper()}: {first['msg']}") from exc

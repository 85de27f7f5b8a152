"""Where follow-through messages go: the webhook (Slack-shaped or generic), the on-call pager
(PagerDuty Events API v2 shape) and a Slack-shaped pager channel; and how delivery retries.

Read from `ESCALATE_*` variables: `ESCALATE_WEBHOOK_URL` / `ESCALATE_WEBHOOK_FORMAT` (shared with
the export of approved briefs), `ESCALATE_PAGER_URL` + `ESCALATE_PAGER_ROUTING_KEY`,
`ESCALATE_PAGER_SLACK_URL`, `ESCALATE_APP_URL` (the link posted with each escalation). Every URL
and the routing key are secrets: only a URL's scheme and host are ever stored or shown.
"""

from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.errors import InputError

Channel = Literal["webhook", "pager", "pager_slack"]


class DeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ESCALATE_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    webhook_url: SecretStr | None = None
    webhook_format: Literal["slack", "generic"] = "slack"
    pager_url: SecretStr | None = Field(
        default=None, description="PagerDuty Events API v2 enqueue URL (or compatible)."
    )
    pager_routing_key: SecretStr | None = Field(default=None, description="The PagerDuty integration's routing key.")
    pager_slack_url: SecretStr | None = Field(
        default=None, description="Slack incoming webhook of the on-call channel."
    )
    app_url: str | None = Field(default=None, description="Base URL of this app, for the ticket link in messages.")
    delivery_timeout_s: PositiveFloat = 10.0
    delivery_tries: PositiveInt = Field(default=3, description="Tries per delivery run, with exponential backoff.")
    delivery_backoff_s: PositiveFloat = Field(default=0.5, description="First wait between tries; doubles each try.")
    delivery_retry_max_s: PositiveInt = Field(
        default=600, description="Longest wait before a failed message is retried."
    )

    def url(self, channel: Channel) -> str | None:
        secret = {"webhook": self.webhook_url, "pager": self.pager_url, "pager_slack": self.pager_slack_url}[channel]
        return secret.get_secret_value() if secret is not None else None

    @property
    def pager_channels(self) -> list[Channel]:
        channels: list[Channel] = []
        if self.pager_url is not None and self.pager_routing_key is not None:
            channels.append("pager")
        if self.pager_slack_url is not None:
            channels.append("pager_slack")
        return channels


def load_delivery_settings(**overrides: object) -> DeliverySettings:
    try:
        return DeliverySettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise InputError(f"setting ESCALATE_{field.upper()}: {first['msg']}") from exc

"""Delivery of follow-through messages (notify, page, handoff) through the outbox.

A message is written to the outbox in the same transaction as the change that causes it, then
delivered: each run tries a few times with exponential backoff (tenacity); a message the receiver
did not take stays pending with its error and a later `next_attempt_at`, and the next run (the
Escalations page, `escalate outbox deliver`) tries again. Nothing is lost while the receiver is
down. URLs and the pager routing key are read from the settings at delivery time: the database
holds only the scheme and host.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential
from tenacity.nap import sleep as tenacity_sleep

from app.core.render import impact_line
from app.core.store import DraftRecord, Store
from app.core.store.delivery_settings import Channel, DeliverySettings
from app.core.store.lifecycle import OutboxRecord, due_outbox, list_outbox, record_attempt
from app.core.store.settings import safe_destination
from app.services.export import slack_escape
from schemas.common import SEVERITY_LABELS, TARGET_LABELS, Severity

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
_PD_SEVERITY = {Severity.sev1: "critical", Severity.sev2: "error", Severity.sev3: "warning", Severity.sev4: "info"}


class DeliveryFailed(Exception):
    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


def ticket_link(settings: DeliverySettings, draft_id: int) -> str | None:
    if not settings.app_url:
        return None
    return f"{settings.app_url.rstrip('/')}/escalations?draft={draft_id}"


def headline(record: DraftRecord) -> str:
    brief = record.brief
    return f"{SEVERITY_LABELS[brief.severity]} → {TARGET_LABELS[brief.target]}: {brief.summary}"


def notify_payload(record: DraftRecord, settings: DeliverySettings, owner: str) -> dict[str, Any]:
    """Seed 002 'Notify on-call': a concise summary with the ticket link."""
    link = ticket_link(settings, record.id)
    summary = f"{headline(record)}\n{impact_line(record.brief)}\nOwner: {owner} · draft #{record.id}"
    if settings.webhook_format == "generic":
        return {
            "event": "escalation.sent",
            "draft_id": record.id,
            "severity": record.brief.severity.value,
            "target": record.brief.target.value,
            "summary": record.brief.summary,
            "impact": impact_line(record.brief),
            "owner": owner,
            "link": link,
        }
    text = slack_escape(summary) + (f"\n<{link}|Open the escalation>" if link else "")
    return {
        "text": slack_escape(headline(record)),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def pagerduty_payload(record: DraftRecord, settings: DeliverySettings, owner: str, at: datetime) -> dict[str, Any]:
    """PagerDuty Events API v2 'trigger' (the routing key is added at delivery, never stored)."""
    brief = record.brief
    body: dict[str, Any] = {
        "event_action": "trigger",
        "dedup_key": f"escalation-{record.id}",
        "payload": {
            "summary": headline(record)[:1024],
            "source": "escalation-brief",
            "severity": _PD_SEVERITY[brief.severity],
            "timestamp": at.astimezone(UTC).isoformat(),
            "component": brief.target.value,
            "custom_details": {"draft_id": record.id, "impact": impact_line(brief), "owner": owner},
        },
    }
    link = ticket_link(settings, record.id)
    if link:
        body["links"] = [{"href": link, "text": f"Escalation #{record.id}"}]
    return body


def slack_page_payload(record: DraftRecord, settings: DeliverySettings, owner: str) -> dict[str, Any]:
    link = ticket_link(settings, record.id)
    text = slack_escape(f"PAGE (outside business hours): {headline(record)}\nOwner: {owner} · draft #{record.id}")
    if link:
        text += f"\n<{link}|Open the escalation>"
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


@dataclass(frozen=True)
class DeliveryResult:
    message: OutboxRecord
    delivered: bool


class OutboxService:
    def __init__(
        self,
        store: Store,
        settings: DeliverySettings,
        clock: Clock = lambda: datetime.now(UTC),
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._transport = transport
        self._sleep = sleep  # tests pass a no-op; None means tenacity's real sleep

    def destination(self, channel: Channel) -> str | None:
        url = self.settings.url(channel)
        return safe_destination(url) if url else None

    def _post(self, message: OutboxRecord) -> int:
        url = self.settings.url(message.channel)  # type: ignore[arg-type]
        if url is None:
            raise DeliveryFailed(f"ESCALATE_{message.channel.upper()}_URL is not configured")
        body = dict(message.payload)
        if message.channel == "pager":
            if self.settings.pager_routing_key is None:
                raise DeliveryFailed("ESCALATE_PAGER_ROUTING_KEY is not configured")
            body["routing_key"] = self.settings.pager_routing_key.get_secret_value()
        try:
            with httpx.Client(timeout=self.settings.delivery_timeout_s, transport=self._transport) as client:
                response = client.post(url, json=body)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # httpx puts the URL in some messages; the URL is the secret, so name only the failure.
            raise DeliveryFailed(f"{type(exc).__name__}: could not reach {safe_destination(url)}") from None
        if not response.is_success:
            raise DeliveryFailed(f"HTTP {response.status_code} from {safe_destination(url)}", response.status_code)
        return response.status_code

    def _backoff(self, attempts: int) -> timedelta:
        seconds = min(self.settings.delivery_backoff_s * 2 ** max(attempts, 0) * 10, self.settings.delivery_retry_max_s)
        return timedelta(seconds=seconds)

    def deliver(self, message: OutboxRecord) -> DeliveryResult:
        """One run for one message: a few tries with exponential backoff, then the outcome is stored."""
        tries = 0
        code: int | None = None
        error = ""
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.delivery_tries),
            wait=wait_exponential(multiplier=self.settings.delivery_backoff_s, max=30),
            retry=retry_if_exception_type(DeliveryFailed),
            reraise=False,
            sleep=self._sleep or tenacity_sleep,
        )
        try:
            for attempt in retrying:
                with attempt:
                    tries += 1
                    code = self._post(message)
        except RetryError as exc:
            failure = exc.last_attempt.exception()
            error = str(failure)
            code = failure.code if isinstance(failure, DeliveryFailed) else None
        now = self.clock()
        with self.store.write() as session:
            stored = record_attempt(
                session,
                message.id,
                at=now,
                tries=tries,
                delivered=not error,
                response_code=code,
                error=error,
                next_attempt_at=now + self._backoff(message.attempts + tries),
            )
        return DeliveryResult(stored, not error)

    def deliver_due(self, *, only: list[int] | None = None) -> list[DeliveryResult]:
        """Deliver every pending message whose retry time has come (or just `only`, if given)."""
        now = self.clock()
        with self.store.read() as session:
            messages = due_outbox(session, now)
            if only is not None:
                messages = [m for m in list_outbox(session, pending_only=True) if m.id in only]
        return [self.deliver(message) for message in messages]

    def pending(self) -> list[OutboxRecord]:
        with self.store.read() as session:
            return list_outbox(session, pending_only=True)

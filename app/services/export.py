"""Export an approved brief: as text, Markdown or JSON, or posted to a webhook; each export is recorded.

Two webhook payloads: Slack's incoming-webhook shape (`text` + `blocks`) and a generic JSON
event. The webhook URL is a credential (a Slack URL's path is the token), so only its scheme
and host are stored or shown.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from app.core.errors import InputError
from app.core.render import impact_line, render_text
from app.core.store import DraftRecord, DraftSummary, ExportRecord, Store
from app.core.store.repo import add_export, get_draft, list_drafts, list_exports
from app.core.store.settings import AppSettings, safe_destination
from app.services.auth import Permission, Principal, require
from schemas.common import SEVERITY_LABELS, TARGET_LABELS

Clock = Callable[[], datetime]
Format = Literal["text", "markdown", "json"]
# Slack caps a section's text at 3000 characters and a header at 150.
_SLACK_SECTION = 2900
_SLACK_HEADER = 150


def slack_escape(text: str) -> str:
    """Slack reads <...> as links and mentions (<!channel>); model text must not be able to ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(record: DraftRecord) -> dict[str, Any]:
    brief = record.brief
    body = slack_escape(render_text(brief))
    chunks = [body[i : i + _SLACK_SECTION] for i in range(0, len(body), _SLACK_SECTION)]
    headline = f"{SEVERITY_LABELS[brief.severity]} → {TARGET_LABELS[brief.target]}: {brief.summary}"
    return {
        "text": slack_escape(headline),  # the notification line, and the fallback for old clients
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": slack_escape(headline)[:_SLACK_HEADER]}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": slack_escape(impact_line(brief))[:_SLACK_SECTION]},
            },
            *[{"type": "section", "text": {"type": "mrkdwn", "text": f"```{chunk}```"}} for chunk in chunks],
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": slack_escape(
                            f"Draft #{record.id} v{record.version} by {record.author}, approved by {record.reviewed_by}"
                        ),
                    }
                ],
            },
        ],
    }


def generic_payload(record: DraftRecord) -> dict[str, Any]:
    return {
        "event": "escalation.approved",
        "draft_id": record.id,
        "version": record.version,
        "author": record.author,
        "approved_by": record.reviewed_by,
        "approved_at": record.reviewed_at.isoformat() if record.reviewed_at else None,
        "severity": record.brief.severity.value,
        "target": record.brief.target.value,
        "brief": record.brief.model_dump(mode="json"),
        "text": render_text(record.brief),
    }


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ExportService:
    def __init__(
        self,
        store: Store,
        settings: AppSettings,
        clock: Clock = _utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._transport = transport  # tests pass httpx.MockTransport; None means the network

    @property
    def webhook_configured(self) -> bool:
        return self.settings.webhook_url is not None

    def approved(self, principal: Principal) -> list[DraftSummary]:
        require(principal, Permission.view_approved)
        with self.store.read() as session:
            return list_drafts(session, statuses=["approved"])

    def _approved(self, principal: Principal, draft_id: int) -> DraftRecord:
        require(principal, Permission.view_approved)
        with self.store.read() as session:
            record = get_draft(session, draft_id)
        if record.status != "approved":
            raise InputError(f"draft #{draft_id} is {record.status}; only approved briefs are exported")
        return record

    def record_download(self, principal: Principal, draft_id: int, fmt: Format) -> ExportRecord:
        require(principal, Permission.export)
        record = self._approved(principal, draft_id)
        with self.store.write() as session:
            return add_export(
                session,
                draft=record,
                actor=principal.name,
                at=self.clock(),
                fmt=fmt,
                destination="download",
                status="recorded",
            )

    def history(self, principal: Principal, draft_id: int) -> list[ExportRecord]:
        self._approved(principal, draft_id)
        with self.store.read() as session:
            return list_exports(session, draft_id)

    def send(self, principal: Principal, draft_id: int) -> ExportRecord:
        """Post the brief to the configured webhook; the outcome, good or bad, is stored."""
        require(principal, Permission.export)
        record = self._approved(principal, draft_id)
        if self.settings.webhook_url is None:
            raise InputError("no webhook is configured: set ESCALATE_WEBHOOK_URL")
        url = self.settings.webhook_url.get_secret_value()
        kind = self.settings.webhook_format
        payload = slack_payload(record) if kind == "slack" else generic_payload(record)
        code: int | None = None
        error = ""
        try:
            with httpx.Client(timeout=self.settings.webhook_timeout_s, transport=self._transport) as client:
                response = client.post(url, json=payload)
            code = response.status_code
            if not response.is_success:
                error = f"HTTP {code}: {response.text[:200]}"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # httpx puts the URL in some messages; the URL is the secret, so name only the failure.
            error = f"{type(exc).__name__}: could not deliver to {safe_destination(url)}"
        with self.store.write() as session:
            return add_export(
                session,
                draft=record,
                actor=principal.name,
                at=self.clock(),
                fmt=f"webhook-{kind}",
                destination=safe_destination(url),
                status="failed" if error else "ok",
                response_code=code,
                error=error,
            )

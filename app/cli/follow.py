"""`escalate handoff` and `escalate outbox deliver`: the follow-through from a shell.

    escalate handoff [--since 8h] [--json] [--record] [--send]
    escalate outbox deliver

The shell user acts as an agent named `cli:<login>` (the audit log says so).
"""

import getpass
import json
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.io import guard
from app.core.errors import EscalateError
from app.core.llm.settings import get_settings

if TYPE_CHECKING:
    from app.services.auth import Principal
    from app.services.handoff import Handoff, HandoffService
    from app.services.outbox import OutboxService

outbox_app = typer.Typer(help="Webhook and pager messages waiting for delivery.", no_args_is_help=True)


def _services() -> tuple["HandoffService", "OutboxService"]:
    from app.core.policy import cached_policy
    from app.core.store import Store
    from app.core.store.delivery_settings import load_delivery_settings
    from app.services.handoff import HandoffService
    from app.services.outbox import OutboxService

    settings = get_settings()
    store = Store(settings.db_url)
    store.migrate()
    policy = cached_policy(str(settings.policy_file) if settings.policy_file else None)
    outbox = OutboxService(store, load_delivery_settings())
    return HandoffService(store, policy, outbox), outbox


def _operator() -> "Principal":
    from app.core.users import Role
    from app.services.auth import Principal

    return Principal(f"cli:{getpass.getuser()}", Role.agent, via="cli")


def handoff_cmd(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Changes in this window (8h, 90m, 2d); default: since the last recorded handoff."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help='{"escalations": [...]} instead of the note.')] = False,
    record: Annotated[
        bool, typer.Option("--record", help="Keep it as this shift's handoff (the next starts here).")
    ] = False,
    send: Annotated[
        bool, typer.Option("--send", help="Post the note to ESCALATE_WEBHOOK_URL (implies --record).")
    ] = False,
    summary: Annotated[
        bool, typer.Option("--summary", help="Add a prose summary by the configured model (kept only if grounded).")
    ] = False,
) -> None:
    """The shift handoff: every open escalation, what changed, what is pending, next touch-point, owner."""
    from app.services.handoff import parse_since, render_note

    try:
        window = parse_since(since) if since is not None else None
        handoff_service, outbox = _services()
    except EscalateError as exc:
        guard(exc)
    try:
        me = _operator()
        handoff = handoff_service.build(me, window)
        prose = _summary(handoff) if summary else None
        if record or send:
            _, delivered = handoff_service.record(me, handoff, send=send, summary=prose)
            for result in delivered:
                if not result.delivered:
                    typer.echo(f"not delivered yet, kept for retry: {result.message.last_error}", err=True)
    except EscalateError as exc:
        guard(exc)
    finally:
        outbox.store.dispose()
    if as_json:
        typer.echo(json.dumps({**handoff.as_json(), "summary": prose}, indent=2, ensure_ascii=False))
    else:
        typer.echo(render_note(handoff, prose))


def _summary(handoff: "Handoff") -> str | None:
    """The model's summary, or None with the reason on standard error (the facts are printed anyway)."""
    from app.services.factory import build_extractor
    from app.services.handoff import ModelHandoffWriter, summarise

    try:
        writer = ModelHandoffWriter(build_extractor())
        try:
            prose, problems = summarise(handoff, writer)
        finally:
            writer.extractor.close()  # type: ignore[attr-defined]
    except EscalateError as exc:
        typer.echo(f"no summary: the model is not available ({exc})", err=True)
        return None
    if problems:
        typer.echo(f"no summary: the model named what the facts do not hold ({', '.join(problems)})", err=True)
    return prose


@outbox_app.command("deliver")
def deliver_cmd() -> None:
    """Deliver every message whose retry time has come; exit 1 if some are still pending."""
    try:
        _, outbox = _services()
        results = outbox.deliver_due()
        pending = outbox.pending()
    except EscalateError as exc:
        guard(exc)
    outbox.store.dispose()
    delivered = sum(r.delivered for r in results)
    typer.echo(f"delivered {delivered} of {len(results)} due; {len(pending)} pending")
    for message in pending:
        typer.echo(f"  #{message.id} {message.kind} -> {message.destination}: {message.last_error}", err=True)
    if pending:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("handoff")(handoff_cmd)
    app.add_typer(outbox_app, name="outbox")

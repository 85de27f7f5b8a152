"""`escalate draft TICKET_FILE [--log FILE]... [--json]`: one brief from the configured model."""

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.io import guard, read_bytes, read_ticket
from app.core.errors import BackendError, EscalateError
from app.core.render import render_text
from schemas.draft import DraftResult

EXIT_BACKEND = 3


def _as_json(result: DraftResult) -> str:
    payload = {
        "brief": result.brief.model_dump(mode="json") if result.brief else None,
        "valid": result.valid,
        "errors": result.errors,
        "findings": [f.model_dump(mode="json") for f in result.findings],
        "severity": result.severity.model_dump(mode="json"),
        "target": result.target.model_dump(mode="json"),
        "redactions": [r.model_dump(mode="json") for r in result.redactions],
        "receipt": result.receipt.model_dump(mode="json"),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def _print_human(result: DraftResult) -> None:
    if result.brief:
        typer.echo(render_text(result.brief))
    if not result.valid:
        typer.echo("DRAFT INVALID (retries ran out): " + "; ".join(result.errors), err=True)
    s = result.severity
    typer.echo(f"severity: model={s.model.value if s.model else '-'} rules={s.rules.value} final={s.final.value}")
    for reason in s.reasons[:4]:
        typer.echo(f"  - {reason}")
    t = result.target
    typer.echo(f"target:   model={t.model.value if t.model else '-'} rules={t.rules.value} final={t.final.value}")
    for f in result.findings:
        typer.echo(f"{f.level.value.upper():7} {f.rule} [{f.field or '-'}] {f.message}")
    if result.redactions:
        kinds = sorted({r.kind for r in result.redactions})
        typer.echo(f"redacted: {len(result.redactions)} values ({', '.join(kinds)})")
    r = result.receipt
    typer.echo(
        f"receipt: {r.prompt_id}@v{r.prompt_version} on {r.backend}/{r.model}; tokens {r.prompt_tokens} in + "
        f"{r.completion_tokens} out over {r.attempts} attempt(s), {len(r.reasks)} re-ask(s); {r.latency_s:.1f} s"
    )


def draft_cmd(
    ticket_file: Annotated[str, typer.Argument(help="Ticket text file, or - for standard input.")],
    log: Annotated[list[str] | None, typer.Option("--log", help="A log, HAR or JSON attachment (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    prompt: Annotated[str, typer.Option("--prompt", help="Prompt ID@vN.")] = "brief@v2",
) -> None:
    """Draft an escalation brief with the configured model, then check it against the policy."""
    text = read_ticket(ticket_file)
    files = [(Path(p).name, read_bytes(p)) for p in (log or [])]
    # Imported here: the model client (openai, instructor) costs every other command a second.
    from app.services.factory import build_drafting_service

    service = None
    try:
        service = build_drafting_service(prompt_ref=prompt)
        result = service.draft(service.ingest(text, files))
    except BackendError as exc:
        typer.echo(f"error: model backend: {exc}", err=True)
        raise typer.Exit(EXIT_BACKEND) from None
    except EscalateError as exc:
        guard(exc)
    finally:
        if service is not None:
            service.close()
    if as_json:
        typer.echo(_as_json(result))
    else:
        _print_human(result)


def register(app: typer.Typer) -> None:
    app.command("draft")(draft_cmd)

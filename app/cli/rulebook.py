"""`escalate triage | check | render | schema`: the rulebook from the command line."""

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app.cli.io import guard, read_brief, read_ticket
from app.core.errors import EscalateError
from app.services import rulebook
from schemas.brief import EscalationBrief
from schemas.finding import Level

EXIT_FINDING_ERROR = 1


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def _parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"--now {value!r} is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


NowOption = Annotated[str | None, typer.Option("--now", help="Evaluate as of this ISO 8601 time (default: now).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def triage_cmd(
    ticket_file: Annotated[str, typer.Argument(help="Ticket text file, or - for standard input.")],
    as_json: JsonOption = False,
    now: NowOption = None,
) -> None:
    """Rule-derived severity, target and the signals that decided them (no model)."""
    text = read_ticket(ticket_file)
    try:
        result = rulebook.triage_ticket(text, now=_parse_now(now))
    except EscalateError as exc:
        guard(exc)
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    typer.echo(f"severity: {result.severity.value} ({result.severity.label})")
    typer.echo(f"target:   {result.target.value}")
    typer.echo(f"immediate: {'yes' if result.immediate else 'no'}")
    for signal in result.signals:
        value = f" = {signal.value:g}" if signal.value is not None else ""
        typer.echo(f"  [{signal.kind}{value}] {signal.text!r} @ {signal.start}-{signal.end}  ({signal.citation})")
    for reason in result.reasons:
        typer.echo(f"  - {reason}")


def check_cmd(
    brief_json: Annotated[str, typer.Argument(help="Brief JSON file, or - for standard input.")],
    source: Annotated[str | None, typer.Option("--source", help="The ticket the brief was drafted from.")] = None,
    as_json: JsonOption = False,
    now: NowOption = None,
) -> None:
    """Hold a brief against the policy; exits 1 if any finding is an error."""
    brief = read_brief(brief_json)
    source_text = read_ticket(source) if source else None
    try:
        findings = rulebook.check(brief, source_text, now=_parse_now(now))
    except EscalateError as exc:
        guard(exc)
    if as_json:
        payload = {"findings": [f.model_dump(mode="json") for f in findings]}
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        if not findings:
            typer.echo("no findings: the brief meets the policy")
        for f in findings:
            typer.echo(f"{f.level.value.upper():7} {f.rule} [{f.field or '-'}] {f.message}")
            typer.echo(f"        fix: {f.fix}")
            typer.echo(f"        policy: “{f.policy_quote}” ({f.citation})")
    if any(f.level is Level.error for f in findings):
        raise typer.Exit(EXIT_FINDING_ERROR)


def render_cmd(
    brief_json: Annotated[str, typer.Argument(help="Brief JSON file, or - for standard input.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
) -> None:
    """Render a brief as seed 003's text format, Markdown or JSON."""
    typer.echo(rulebook.render(read_brief(brief_json), fmt.value), nl=False)


def schema_cmd(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of EscalationBrief."""
    text = json.dumps(EscalationBrief.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


def register(app: typer.Typer) -> None:
    app.command("triage")(triage_cmd)
    app.command("check")(check_cmd)
    app.command("render")(render_cmd)
    app.command("schema")(schema_cmd)

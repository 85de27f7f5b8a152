"""`escalate triage | check | render | schema`: the rulebook from the command line."""

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app.cli.io import fail, guard, read_brief, read_bytes, read_ticket
from app.core.errors import EscalateError
from app.core.reading import decode_utf8, display_name
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


def _jsonl_rows(path: str) -> list[tuple[object, str]]:
    """(id, input_text) per non-blank line; the first bad line stops everything (exit 2)."""
    name = display_name(path)
    try:
        text = decode_utf8(read_bytes(path), name)
    except EscalateError as exc:
        guard(exc)
    rows: list[tuple[object, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"{name}: line {number}: invalid JSON ({exc.msg})")
        if not isinstance(row, dict) or not isinstance(row.get("input_text"), str) or not row["input_text"].strip():
            fail(f"{name}: line {number}: expected an object with a non-empty 'input_text' string")
        rows.append((row.get("id", number), row["input_text"]))
    if not rows:
        fail(f"{name}: no rows")
    return rows


def triage_cmd(
    ticket_file: Annotated[
        str | None, typer.Argument(help="Ticket text file, or - for standard input.", show_default=False)
    ] = None,
    jsonl: Annotated[
        str | None,
        typer.Option(
            "--jsonl", help="Triage every row of a JSONL file ('input_text', optional 'id'); one JSON line each."
        ),
    ] = None,
    as_json: JsonOption = False,
    now: NowOption = None,
) -> None:
    """The verdict (severity, target, how sure, which evidence decided it) without a model."""
    if (ticket_file is None) == (jsonl is None):
        fail("give a ticket file or --jsonl FILE (one of them)")
    moment = _parse_now(now)
    if jsonl is not None:
        rows = _jsonl_rows(jsonl)
        try:
            verdicts = rulebook.triage_batch([text for _, text in rows], now=moment)
        except EscalateError as exc:
            guard(exc)
        for (row_id, _), verdict in zip(rows, verdicts, strict=True):
            typer.echo(json.dumps({"id": row_id, **verdict}, ensure_ascii=False))
        return
    text = read_ticket(str(ticket_file))
    try:
        result = rulebook.triage_ticket(text, now=moment)
    except EscalateError as exc:
        guard(exc)
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    typer.echo(f"severity: {result.severity.value} ({result.severity.label})")
    typer.echo(f"target:   {result.target.value}")
    typer.echo(f"immediate: {'yes' if result.immediate else 'no'}")
    sure = "a person should decide" if result.needs_human else "decided by the evidence"
    typer.echo(f"confidence: {result.confidence:.2f} ({sure}; from: {', '.join(result.decided_by) or 'no signal'})")
    for signal in result.signals:
        value = f" = {signal.value:g}" if signal.value is not None else ""
        typer.echo(
            f"  [{signal.kind}{value}] {signal.text!r} @ {signal.start}-{signal.end}  "
            f"({signal.source}, {signal.speaker}; {signal.citation})"
        )
    for reason in result.reasons:
        typer.echo(f"  - {reason}")
    for reading in result.readings:
        typer.echo(
            f"  ? another reading ({reading.source}): {reading.severity.value} {reading.target.value}: {reading.reason}"
        )
    for note in result.ignored:
        typer.echo(f"  x not counted: {note}")


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

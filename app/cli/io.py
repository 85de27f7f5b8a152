"""Reading CLI inputs: one place that turns every bad input into a one-line message and exit 2."""

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from pydantic import ValidationError

from app.core.errors import EscalateError
from schemas.brief import EscalationBrief

EXIT_BAD_INPUT = 2


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def read_text(path: str) -> str:
    """Read a UTF-8 text file, or standard input for '-'."""
    name = "standard input" if path == "-" else path
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        fail(f"{name}: no such file")
    except IsADirectoryError:
        fail(f"{name}: is a directory, expected a file")
    except OSError as exc:
        fail(f"{name}: cannot read ({exc.strerror})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"{name}: not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})")


def read_json(path: str) -> Any:
    text = read_text(path)
    name = "standard input" if path == "-" else path
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")


def read_brief(path: str) -> EscalationBrief:
    raw = read_json(path)
    name = "standard input" if path == "-" else path
    # A `escalate draft --json` output carries the brief under "brief"; accept both shapes.
    if isinstance(raw, dict) and "brief" in raw and isinstance(raw["brief"], dict):
        raw = raw["brief"]
    try:
        return EscalationBrief.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        fail(f"{name}: not an escalation brief: '{key}': {first['msg']}{more}")


def guard(exc: EscalateError) -> NoReturn:
    fail(str(exc))

"""Reading CLI inputs: one place that turns every bad input into a one-line message and exit 2.

The reading itself (stat first, bounded reads, strict brief JSON) lives in app.core.reading, shared
with the services; this module only maps its InputError to `error: ...` and exit 2.
"""

from typing import NoReturn

import typer

from app.core import reading
from app.core.errors import EscalateError
from app.core.llm.settings import get_settings
from schemas.brief import EscalationBrief

EXIT_BAD_INPUT = 2


def fail(message: str) -> NoReturn:
    # One line whatever the message holds (a file name may contain a newline).
    typer.echo("error: " + " ".join(message.splitlines()), err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def guard(exc: EscalateError) -> NoReturn:
    fail(str(exc))


def max_input_bytes() -> int:
    try:
        return get_settings().max_input_bytes
    except EscalateError as exc:
        guard(exc)


def read_ticket(path: str) -> str:
    """A ticket conversation from a file or '-': UTF-8, not empty, within the input limit."""
    try:
        return reading.read_ticket(path, max_input_bytes())
    except EscalateError as exc:
        guard(exc)


def read_bytes(path: str) -> bytes:
    """An attachment or a log to redact, as bytes, within the input limit."""
    try:
        return reading.read_input(path, max_input_bytes())
    except EscalateError as exc:
        guard(exc)


def read_brief(path: str) -> EscalationBrief:
    """A brief JSON file or '-': strict JSON and strict types."""
    try:
        return reading.read_brief(path)
    except EscalateError as exc:
        guard(exc)

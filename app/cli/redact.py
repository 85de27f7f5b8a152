"""`escalate redact FILE|- [--json]`: scrub a log or a ticket before sharing it anywhere.

The same redaction the drafting service applies before anything leaves the process, on its own.
"""

import json
from typing import Annotated

import typer

from app.cli.io import guard, read_bytes
from app.core.errors import EscalateError
from app.core.reading import display_name


def redact_cmd(
    file: Annotated[str, typer.Argument(help="Text or log file, or - for standard input.")],
    as_json: Annotated[
        bool,
        typer.Option("--json", help='Print {"text", "items": [{"kind", "start", "end"}]}; offsets are characters.'),
    ] = False,
) -> None:
    """Print the text with PII and secrets masked by placeholders such as <EMAIL_1>."""
    data = read_bytes(file)
    # Imported here: Presidio, detect-secrets and charset-normalizer would cost every other command
    # their start-up time.
    from app.core.ingest import decode_bytes
    from app.core.redaction import redact

    try:
        # Logs come in every encoding (UTF-16 from PowerShell, Latin-1 exports): decode as uploads are.
        text = decode_bytes(data, display_name(file))
        result = redact(text)
    except EscalateError as exc:
        guard(exc)
    if not as_json:
        typer.echo(result.text, nl=False)
        return
    # Offsets index the decoded input (Python str positions, i.e. code points), not the output.
    items = [{"kind": item.kind, "start": item.start, "end": item.end} for item in result.items]
    typer.echo(json.dumps({"text": result.text, "items": items}, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.command("redact")(redact_cmd)

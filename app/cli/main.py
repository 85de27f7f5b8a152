"""Entry point of the `escalate` command. Each area registers its commands from its own module."""

import importlib

import typer

from app.core.quiet_logs import quiet_instructor_logs

app = typer.Typer(
    name="escalate",
    help="Turn a support ticket and its logs into a rule-checked escalation brief.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module exposes `register(app: typer.Typer) -> None`. Add one line per area.
COMMAND_MODULES = (
    "app.cli.rulebook",
    "app.cli.draft",
    "app.cli.redact",
    "app.cli.serve",
    "app.cli.model",
    "app.cli.store",
    "app.cli.eval",
    "app.cli.train",
    "app.cli.follow",
)

for module_name in COMMAND_MODULES:
    importlib.import_module(module_name).register(app)


@app.callback()
def _quiet_libraries() -> None:
    # A callback, not main(): it must hold however `app` is invoked (console script, CliRunner).
    quiet_instructor_logs()


def main() -> None:
    app()


if __name__ == "__main__":  # `python -m app.cli.main`, as well as the `escalate` script
    main()

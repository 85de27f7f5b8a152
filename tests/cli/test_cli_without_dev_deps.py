"""The README's run command installs `.[model]`, not `.[dev]`: the CLI must start without test tools."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEV_ONLY = ("pytest", "_pytest", "pytest_recording", "playwright", "ruff", "mypy", "importlinter")

# Runs in a fresh interpreter whose imports of dev-only packages fail, as on a `.[model]` install.
SCRIPT = f"""
import importlib.abc, sys
class NoDevTools(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {DEV_ONLY!r}:
            raise ImportError("dev-only package imported: " + name)
        return None
sys.meta_path.insert(0, NoDevTools())
sys.argv = ["escalate", "--help"]
from app.cli.main import COMMAND_MODULES, main
try:
    main()
except SystemExit as exit:
    sys.exit(exit.code)
"""


def test_every_command_module_imports_without_dev_dependencies() -> None:
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    for command in ("triage", "check", "render", "draft", "serve", "model", "eval"):
        assert command in run.stdout


def test_the_guard_itself_refuses_dev_tools() -> None:
    # Without this, a broken finder would let the test above pass vacuously.
    script = SCRIPT.replace("from app.cli.main import COMMAND_MODULES, main", "import pytest")
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "dev-only package imported: pytest" in run.stderr

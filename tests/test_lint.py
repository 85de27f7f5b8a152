"""Lint and layer contracts are part of the test suite, so CI fails when a layer is crossed."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; install the project with the [dev] extra")
    return found


def test_ruff_passes() -> None:
    run = subprocess.run([_tool("ruff"), "check", "."], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_types_check(tmp_path: Path) -> None:
    # The type checker configured in pyproject.toml, on the shipped code; its cache in a temp dir
    # so a stale cache can never hide an error.
    run = subprocess.run(
        [_tool("mypy"), "--cache-dir", str(tmp_path / "mypy"), "app", "schemas", "evals"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_layers_hold() -> None:
    run = subprocess.run([_tool("lint-imports")], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_bans_streamlit_outside_ui(tmp_path: Path) -> None:
    # The ban itself must bite: a core module importing streamlit is reported.
    offender = REPO / "app" / "core" / "_lint_probe.py"
    offender.write_text("import streamlit\n", encoding="utf-8")
    try:
        run = subprocess.run(
            [_tool("ruff"), "check", "--select", "TID251", str(offender)], cwd=REPO, capture_output=True, text=True
        )
    finally:
        offender.unlink()
    assert run.returncode != 0 and "Only app/ui may import streamlit" in run.stdout

"""The CLI's one-line error is the only thing on stderr, however the app is invoked."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app

TICKET = Path(__file__).resolve().parents[1] / "fixtures" / "tickets" / "feature_request.txt"


@pytest.fixture
def instructor_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("instructor")
    level = logger.level
    logger.setLevel(logging.NOTSET)
    yield logger
    logger.setLevel(level)


def test_instructor_attempt_logs_are_silenced_by_the_app_itself(
    instructor_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Through CliRunner, as the hardening report and tests invoke it: not through main().
    monkeypatch.setenv("ESCALATE_BACKEND", "openai")
    monkeypatch.setenv("ESCALATE_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on port 9
    monkeypatch.setenv("ESCALATE_MODEL", "m")
    monkeypatch.setenv("ESCALATE_MAX_RETRIES", "0")
    result = CliRunner().invoke(app, ["draft", str(TICKET)])
    assert result.exit_code == 3
    assert result.stderr.startswith("error: model backend: cannot reach the model server")
    assert not logging.getLogger("instructor.v2.retry").isEnabledFor(logging.ERROR)

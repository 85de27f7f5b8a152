"""Shared fixtures. Tests never reach a network or a live model."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Presidio's tldextract must never try to download the public suffix list.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts from default settings, with no .env and no real data directories."""
    for name in list(os.environ):
        if name.startswith("ESCALATE_") and not name.startswith("ESCALATE_TEST_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from app.core.llm.settings import get_settings

    get_settings.cache_clear()

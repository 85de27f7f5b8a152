"""Fixtures of the rulebook tests: the default policy and where the seed guides are."""

from pathlib import Path

import pytest

from app.core.policy import load_policy
from schemas.policy import Policy


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    # The seeds live next to the repository (../shared/seeds), not inside it.
    return Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

"""Load an escalation policy file (TOML) into the typed `Policy`."""

import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from app.core.errors import PolicyError
from schemas.policy import Policy

DEFAULT_POLICY_FILE = Path(__file__).with_name("default.toml")


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy file; errors name the file, the key and what was expected."""
    file = Path(path) if path else DEFAULT_POLICY_FILE
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"policy file {file} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"policy file {file} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file {file} is not valid TOML: {exc}") from exc
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise PolicyError(f"policy file {file}: key '{key}': {first['msg']}{more}") from exc


@lru_cache(maxsize=8)
def cached_policy(path: str | None = None) -> Policy:
    """Policies are immutable; parse each file once per process."""
    return load_policy(path)

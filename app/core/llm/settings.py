"""Settings, read once from `ESCALATE_*` environment variables and an optional `.env` file.

Every variable is the field name upper-cased with the `ESCALATE_` prefix, e.g. `ESCALATE_BACKEND`,
`ESCALATE_BASE_URL`, `ESCALATE_API_KEY`. Real environment variables win over `.env`.
"""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.errors import InputError

# The name the embedded server answers to, so requests never carry a file path.
EMBEDDED_MODEL_ALIAS = "escalate-embedded"

Backend = Literal["embedded", "openai"]
EmbeddedModel = Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"]
ExtractionMode = Literal["json_schema", "tools", "json", "md_json"]


def _default_data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "escalate"


def _default_model_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "escalate" / "models"


def _default_db_url() -> str:
    return f"sqlite:///{_default_data_dir() / 'escalate.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ESCALATE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    # --- which model server ---
    backend: Backend = "embedded"
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (backend=openai)."
    )
    api_key: SecretStr | None = Field(default=None, description="Key for the endpoint; never printed.")
    model: str | None = Field(
        default=None,
        description=f"Model name sent with each request; defaults to '{EMBEDDED_MODEL_ALIAS}' for embedded.",
    )

    # --- the embedded llama.cpp server ---
    embedded_model: EmbeddedModel = "qwen2.5-coder-1.5b"
    model_path: Path | None = Field(
        default=None, description="Any other GGUF file to serve instead of the model assembled from parts."
    )
    model_dir: Path = Field(default_factory=_default_model_dir)
    server_host: str = "127.0.0.1"
    server_port: int = Field(default=8765, ge=0, le=65535)
    ctx_size: PositiveInt = 8192
    parallel: int = Field(
        default=1,
        ge=1,
        le=16,
        # Slots decode in one batch: more drafts per minute for several agents or `eval --concurrency`,
        # each one slower; a single draft on a 2-core machine is fastest with one slot.
        description="Drafts the embedded server works on at once; each gets ESCALATE_CTX_SIZE tokens of context.",
    )
    threads: PositiveInt = Field(default_factory=lambda: os.cpu_count() or 1)

    # --- requests ---
    connect_timeout_s: PositiveFloat = 5.0
    timeout_s: PositiveFloat = Field(
        default=180.0, description="Read/write timeout of one request; a CPU model needs minutes, not 10."
    )
    max_retries: int = Field(default=3, ge=0, le=10, description="HTTP retries with backoff on 429/5xx/timeouts.")
    reasks: int = Field(
        default=1,
        ge=0,
        le=5,
        # Measured on the public dev set with the 0.5B model: 12 of 12 drafts re-asked twice were still
        # invalid, and each re-ask re-sends the whole prompt (~1 minute on 2 cores). One correction
        # keeps the path for models that use it; a hosted model can be given more.
        description="How often a draft that fails validation is sent back to the model with the errors.",
    )
    mode: ExtractionMode = "json_schema"
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: PositiveInt = 900
    prompt_token_budget: PositiveInt = 3000

    # --- the rest of the product ---
    policy_file: Path | None = None
    classifier_file: Path | None = Field(
        default=None, description="A triage classifier retrained with `escalate train`, instead of the shipped one."
    )
    db_url: str = Field(default_factory=_default_db_url)
    max_input_bytes: PositiveInt = 20 * 1024 * 1024

    @property
    def request_model(self) -> str | None:
        """The model name to send: the embedded alias, or what the user configured."""
        if self.backend == "embedded":
            return self.model or EMBEDDED_MODEL_ALIAS
        return self.model


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment; a bad value becomes an InputError naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InputError(f"setting ESCALATE_{field.upper()}: {first['msg']}{more}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; call `get_settings.cache_clear()` after changing the environment."""
    return load_settings()

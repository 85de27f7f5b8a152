import os
from pathlib import Path

import httpx2
import pytest

from app.core.errors import InputError
from app.core.llm.settings import EMBEDDED_MODEL_ALIAS, Settings, get_settings, load_settings


@pytest.fixture
def in_empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_serve_the_embedded_model(in_empty_dir: Path) -> None:
    settings = Settings()
    assert settings.backend == "embedded"
    assert settings.embedded_model == "qwen2.5-coder-1.5b"
    assert settings.request_model == EMBEDDED_MODEL_ALIAS
    assert settings.server_host == "127.0.0.1"
    assert settings.server_port == 8765
    assert settings.threads == (os.cpu_count() or 1)
    assert settings.mode == "json_schema"
    assert settings.timeout_s < 600, "never fall back to openai's 600 s read timeout"
    assert settings.model_dir.parts[-2:] == ("escalate", "models")


def test_environment_variables_use_the_escalate_prefix(in_empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATE_BACKEND", "openai")
    monkeypatch.setenv("ESCALATE_BASE_URL", "http://127.0.0.1:8766/v1")
    monkeypatch.setenv("ESCALATE_MODEL", "served-model")
    monkeypatch.setenv("ESCALATE_THREADS", "3")
    monkeypatch.setenv("ESCALATE_TIMEOUT_S", "42.5")
    monkeypatch.setenv("BASE_URL", "http://not-prefixed.invalid")

    settings = Settings()

    assert settings.backend == "openai"
    assert settings.base_url == "http://127.0.0.1:8766/v1"
    assert settings.request_model == "served-model"
    assert settings.threads == 3
    assert settings.timeout_s == 42.5


def test_dotenv_file_is_read_and_the_environment_wins(in_empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (in_empty_dir / ".env").write_text(
        "ESCALATE_EMBEDDED_MODEL=qwen2.5-coder-0.5b\nESCALATE_CTX_SIZE=4096\nESCALATE_SERVER_PORT=9000\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ESCALATE_SERVER_PORT", "9100")

    settings = Settings()

    assert settings.embedded_model == "qwen2.5-coder-0.5b"
    assert settings.ctx_size == 4096
    assert settings.server_port == 9100


def test_api_key_is_never_printed(in_empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATE_API_KEY", "sk-very-secret")
    settings = Settings()
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "sk-very-secret"
    assert "sk-very-secret" not in repr(settings)
    assert "sk-very-secret" not in str(settings.model_dump())


def test_bad_value_names_the_variable_and_hides_the_input(in_empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATE_BACKEND", "ollama-please")
    with pytest.raises(InputError, match="ESCALATE_BACKEND") as caught:
        load_settings()
    assert "'embedded' or 'openai'" in str(caught.value)


def test_out_of_range_port_is_refused(in_empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATE_SERVER_PORT", "70000")
    with pytest.raises(InputError, match="ESCALATE_SERVER_PORT"):
        load_settings()


def test_get_settings_is_cached_until_cleared(in_empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    first = get_settings()
    monkeypatch.setenv("ESCALATE_MAX_TOKENS", "123")
    assert get_settings() is first
    get_settings.cache_clear()
    assert get_settings().max_tokens == 123


def test_settings_are_immutable(in_empty_dir: Path) -> None:
    settings = Settings()
    with pytest.raises(ValueError):
        settings.backend = "openai"  # type: ignore[misc]


def test_openai_backend_has_no_implicit_model(in_empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATE_BACKEND", "openai")
    assert Settings().request_model is None


def test_httpx2_is_the_transport_openai_uses() -> None:
    # The client factory builds timeouts and transports from httpx2; if openai switches back this fails loudly.
    import openai._base_client as base

    assert base.httpx2 is httpx2


def test_reasks_come_from_settings(in_empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.factory import build_extractor

    endpoint = {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"}
    assert build_extractor(load_settings(**endpoint)).max_retries == 1
    monkeypatch.setenv("ESCALATE_REASKS", "3")
    assert build_extractor(load_settings(**endpoint)).max_retries == 3
    monkeypatch.setenv("ESCALATE_REASKS", "9")
    with pytest.raises(InputError, match="ESCALATE_REASKS"):
        load_settings()


def test_each_parallel_slot_gets_the_whole_context() -> None:
    from app.core.llm.embedded import server_params

    params = server_params(Settings(parallel=2, ctx_size=4096, threads=2), Path("m.gguf"), "127.0.0.1", 0)
    assert (params.n_parallel, params.n_ctx, params.cpuparams.n_threads) == (2, 8192, 2)
    assert server_params(Settings(), Path("m.gguf"), "127.0.0.1", 0).n_parallel == 1
    with pytest.raises(InputError, match="ESCALATE_PARALLEL"):
        load_settings(parallel=0)

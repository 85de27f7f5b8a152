"""The client factory against httpx2 MockTransport and a local socket: retries, timeouts, error mapping."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2
import instructor
import openai
import pytest
from pydantic import BaseModel

from app.core.errors import BackendError, BackendTimeout, BackendUnavailable, InputError
from app.core.llm import client as llm_client
from app.core.llm.client import (
    BackendInfo,
    make_instructor,
    make_openai_client,
    map_openai_error,
    request_options,
    resolve_backend,
)
from app.core.llm.embedded import RunningServer
from app.core.llm.settings import EMBEDDED_MODEL_ALIAS, Settings

BACKEND = BackendInfo(name="openai", base_url="http://model.test/v1", model="test-model")


class Answer(BaseModel):
    account_id: str


def _completion(content: str) -> dict[str, object]:
    # The minimal shape openai's parser accepts; transport-level fixture, not a model's answer.
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)  # no stray .env
    return Settings(backend="openai", base_url=BACKEND.base_url, model=BACKEND.model, max_retries=3)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff delays openai asked for, without waiting for them."""
    recorded: list[float] = []
    monkeypatch.setattr(openai._base_client.time, "sleep", recorded.append)
    return recorded


Handler = Callable[[httpx2.Request], httpx2.Response]


@pytest.fixture
def served(settings: Settings) -> Iterator[Callable[[Handler], tuple[openai.OpenAI, list[httpx2.Request]]]]:
    clients: list[openai.OpenAI] = []

    def serve(handler: Handler) -> tuple[openai.OpenAI, list[httpx2.Request]]:
        requests: list[httpx2.Request] = []

        def record(request: httpx2.Request) -> httpx2.Response:
            requests.append(request)
            return handler(request)

        client = make_openai_client(settings, backend=BACKEND, transport=httpx2.MockTransport(record))
        clients.append(client)
        return client, requests

    yield serve
    for client in clients:
        client.close()


def _ask(settings: Settings, client: openai.OpenAI) -> Answer:
    extractor = make_instructor(settings, backend=BACKEND, client=client)
    return extractor.create(
        response_model=Answer,
        messages=[{"role": "user", "content": "account ACC-1"}],
        max_retries=0,
        **request_options(settings),
    )


def test_429_with_retry_after_is_retried_after_the_asked_delay(
    settings: Settings, served: Callable[..., tuple[openai.OpenAI, list[httpx2.Request]]], sleeps: list[float]
) -> None:
    replies = iter(
        [
            httpx2.Response(429, headers={"Retry-After": "1"}, json={"error": {"message": "slow down"}}),
            httpx2.Response(200, json=_completion('{"account_id": "ACC-1"}')),
        ]
    )
    client, requests = served(lambda request: next(replies))

    answer = _ask(settings, client)

    assert answer.account_id == "ACC-1"
    assert len(requests) == 2
    assert sleeps == [1.0]
    body = json.loads(requests[0].content)
    assert body["model"] == "test-model"
    assert body["response_format"]["type"] == "json_schema"
    assert body["max_tokens"] == settings.max_tokens
    assert body["temperature"] == settings.temperature


def test_5xx_every_time_exhausts_the_retries_with_backoff(
    settings: Settings, served: Callable[..., tuple[openai.OpenAI, list[httpx2.Request]]], sleeps: list[float]
) -> None:
    client, requests = served(
        lambda request: httpx2.Response(500, json={"error": {"code": 500, "message": "slot crashed"}})
    )

    with pytest.raises(Exception) as caught:
        _ask(settings, client)
    error = map_openai_error(caught.value)

    assert type(error) is BackendError
    assert "HTTP 500" in str(error) and "slot crashed" in str(error)
    assert "http://model.test" in str(error)
    assert len(requests) == settings.max_retries + 1
    assert len(sleeps) == settings.max_retries
    assert sleeps == sorted(sleeps) and max(sleeps) <= 8.0, "exponential backoff, capped"


def test_read_timeout_becomes_backend_timeout(
    settings: Settings, served: Callable[..., tuple[openai.OpenAI, list[httpx2.Request]]], sleeps: list[float]
) -> None:
    def too_slow(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    client, requests = served(too_slow)

    with pytest.raises(openai.APITimeoutError) as caught:
        client.chat.completions.create(model="test-model", messages=[{"role": "user", "content": "hi"}])

    assert isinstance(map_openai_error(caught.value), BackendTimeout)
    assert "ESCALATE_TIMEOUT_S" in str(map_openai_error(caught.value))
    assert len(requests) == settings.max_retries + 1


def test_refused_connection_becomes_backend_unavailable(
    settings: Settings, served: Callable[..., tuple[openai.OpenAI, list[httpx2.Request]]], sleeps: list[float]
) -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("[Errno 111] Connection refused", request=request)

    client, _ = served(refuse)
    with pytest.raises(Exception) as caught:
        _ask(settings, client)

    error = map_openai_error(caught.value)
    assert isinstance(error, BackendUnavailable)
    assert "Connection refused" in str(error)


def test_rejected_key_is_not_retried_and_names_the_setting(
    settings: Settings, served: Callable[..., tuple[openai.OpenAI, list[httpx2.Request]]], sleeps: list[float]
) -> None:
    client, requests = served(lambda request: httpx2.Response(401, json={"error": {"message": "bad key"}}))
    with pytest.raises(Exception) as caught:
        _ask(settings, client)
    assert "ESCALATE_API_KEY" in str(map_openai_error(caught.value))
    assert len(requests) == 1 and sleeps == []


def test_server_refusal_reports_the_servers_reason(
    settings: Settings, served: Callable[..., tuple[openai.OpenAI, list[httpx2.Request]]], sleeps: list[float]
) -> None:
    # The error body llama.cpp sends when a prompt is longer than the context.
    body = {"error": {"code": 400, "message": "request exceeds the available context size", "type": "x"}}
    client, _ = served(lambda request: httpx2.Response(400, json=body))
    with pytest.raises(Exception) as caught:
        _ask(settings, client)
    error = map_openai_error(caught.value)
    assert str(error).endswith("(HTTP 400): request exceeds the available context size")


def test_timeouts_retries_and_key_are_explicit(
    settings: Settings, served: Callable[..., tuple[openai.OpenAI, list[httpx2.Request]]]
) -> None:
    keyed = Settings(**{**settings.model_dump(), "api_key": "sk-test", "timeout_s": 77, "connect_timeout_s": 2})
    client = make_openai_client(
        keyed, backend=BACKEND, transport=httpx2.MockTransport(lambda r: httpx2.Response(200, json={"data": []}))
    )
    try:
        assert client.timeout == httpx2.Timeout(77, connect=2)
        assert client.max_retries == settings.max_retries
        assert str(client.base_url) == "http://model.test/v1/"
        assert client.api_key == "sk-test"
    finally:
        client.close()

    keyless, requests = served(lambda request: httpx2.Response(200, json={"object": "list", "data": []}))
    keyless.models.list()
    assert requests[0].headers["authorization"] == "Bearer not-needed"


def test_timeout_applies_on_a_real_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Slow(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            time.sleep(1.5)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.chdir(tmp_path)
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings = Settings(backend="openai", base_url=url, model="m", timeout_s=0.2, max_retries=0)
    client = make_openai_client(settings)
    try:
        started = time.perf_counter()
        with pytest.raises(openai.APITimeoutError) as caught:
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        assert time.perf_counter() - started < 1.5
        assert isinstance(map_openai_error(caught.value), BackendTimeout)
    finally:
        client.close()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("json_schema", instructor.Mode.JSON_SCHEMA),
        ("tools", instructor.Mode.TOOLS),
        ("json", instructor.Mode.JSON),
        ("md_json", instructor.Mode.MD_JSON),
    ],
)
def test_instructor_mode_comes_from_settings(settings: Settings, mode: str, expected: instructor.Mode) -> None:
    configured = Settings(**{**settings.model_dump(), "mode": mode})
    extractor = make_instructor(configured, backend=BACKEND)
    try:
        assert extractor.mode == expected
    finally:
        extractor.client.close()


def test_tools_mode_is_refused_for_the_embedded_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="json_schema"):
        make_instructor(Settings(backend="embedded", mode="tools"), backend=BACKEND)


def test_openai_backend_needs_a_model_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="ESCALATE_MODEL"):
        resolve_backend(Settings(backend="openai", base_url="http://127.0.0.1:8766/v1"))


def test_openai_backend_is_resolved_purely_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    started: list[Settings] = []
    monkeypatch.setattr("app.core.llm.embedded.ensure_server", started.append)
    info = resolve_backend(Settings(backend="openai", base_url="http://127.0.0.1:8766/v1/", model="m"))
    assert info == BackendInfo(name="openai", base_url="http://127.0.0.1:8766/v1", model="m")
    assert started == [], "an external backend never starts the embedded server"


def test_embedded_backend_starts_the_local_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    running = RunningServer(
        root_url="http://127.0.0.1:8765", model_path=tmp_path / "m.gguf", alias=EMBEDDED_MODEL_ALIAS, owned=True
    )
    monkeypatch.setattr("app.core.llm.embedded.ensure_server", lambda settings: running)
    info = resolve_backend(Settings(backend="embedded"))
    assert info == BackendInfo(name="embedded", base_url="http://127.0.0.1:8765/v1", model=EMBEDDED_MODEL_ALIAS)


def test_map_openai_error_handles_anything() -> None:
    original = BackendTimeout("already mapped")
    assert map_openai_error(original) is original
    assert "RuntimeError: boom" in str(map_openai_error(RuntimeError("boom")))
    assert isinstance(map_openai_error(openai.OpenAIError("Missing credentials")), BackendError)
    long = map_openai_error(ValueError("x" * 1000))
    assert len(str(long)) < 400


def test_client_module_exposes_every_mode() -> None:
    assert set(llm_client.MODES) == {"json_schema", "tools", "json", "md_json"}

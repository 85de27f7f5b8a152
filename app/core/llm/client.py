"""The one place that turns settings into a model client: openai (transport, timeouts, retries) + instructor.

Retries: openai retries connection errors, timeouts, 408/409/429 and 5xx itself, with exponential
backoff (0.5 s doubling to 8 s, jittered) and honours `Retry-After`/`retry-after-ms` up to 120 s;
`max_retries` comes from settings. A 200 JSON answer that does not parse (cut off mid-body) is
turned into a transport error by `reject_unreadable_json`, so it gets the same retries and backoff.
Whatever still fails goes through `map_openai_error`.
"""

import json
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx2  # openai 3.x is built on httpx2, not httpx: timeouts and transports must come from it
import instructor
import openai
from instructor.core import InstructorRetryException

from app.core.errors import BackendError, BackendTimeout, BackendUnavailable, InputError
from app.core.llm.settings import Settings

MODES: dict[str, instructor.Mode] = {
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}

# A local server ignores the key, but the openai client refuses to start without one.
_NO_KEY = "not-needed"
_DETAIL_CHARS = 300
_E = TypeVar("_E", bound=BaseException)


@dataclass(frozen=True)
class BackendInfo:
    name: str
    """'embedded' or 'openai'."""
    base_url: str
    model: str


def resolve_backend(settings: Settings) -> BackendInfo:
    """Where requests go. For 'embedded' this starts the local llama.cpp server if it is not running."""
    if settings.backend == "embedded":
        from app.core.llm.embedded import ensure_server

        server = ensure_server(settings)
        return BackendInfo(name="embedded", base_url=server.base_url, model=settings.request_model or "")
    if not settings.model:
        raise InputError("ESCALATE_MODEL must name the model to use with ESCALATE_BACKEND=openai")
    base_url = settings.base_url or "https://api.openai.com/v1"
    return BackendInfo(name="openai", base_url=base_url.rstrip("/"), model=settings.model)


class UnreadableResponse(httpx2.RemoteProtocolError):
    """A complete HTTP answer whose JSON body does not parse."""


def reject_unreadable_json(response: httpx2.Response) -> None:
    """httpx response hook: raise on a 200 JSON answer that does not parse.

    Raised inside the client's send, openai retries it with backoff like a dropped connection.
    Left alone, openai would parse it after its retry loop and instructor would retry it at once,
    with no backoff, and report a bare JSONDecodeError.
    """
    if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
        return
    response.read()
    try:
        json.loads(response.content)
    except ValueError as exc:
        raise UnreadableResponse(
            f"the answer was not readable JSON ({exc}); it was probably cut off", request=response.request
        ) from exc


def http_timeout(settings: Settings) -> httpx2.Timeout:
    """Explicit, because openai's default read timeout is 600 s."""
    return httpx2.Timeout(settings.timeout_s, connect=settings.connect_timeout_s)


def make_openai_client(
    settings: Settings,
    *,
    backend: BackendInfo | None = None,
    transport: httpx2.BaseTransport | None = None,
) -> openai.OpenAI:
    """An openai client for the configured backend. `transport` lets tests replace the network."""
    backend = backend or resolve_backend(settings)
    timeout = http_timeout(settings)
    http_client = openai.DefaultHttpxClient(
        timeout=timeout, transport=transport, event_hooks={"response": [reject_unreadable_json]}
    )
    api_key = settings.api_key.get_secret_value() if settings.api_key else _NO_KEY
    return openai.OpenAI(
        api_key=api_key,
        base_url=backend.base_url,
        timeout=timeout,
        max_retries=settings.max_retries,
        http_client=http_client,
    )


def make_async_openai_client(
    settings: Settings, *, backend: BackendInfo, transport: httpx2.AsyncBaseTransport | None = None
) -> openai.AsyncOpenAI:
    """The async twin of `make_openai_client`, for streaming (see `make_async_instructor`).

    No unreadable-JSON hook: a stream is server-sent events, not one JSON body.
    """
    timeout = http_timeout(settings)
    api_key = settings.api_key.get_secret_value() if settings.api_key else _NO_KEY
    return openai.AsyncOpenAI(
        api_key=api_key,
        base_url=backend.base_url,
        timeout=timeout,
        max_retries=settings.max_retries,
        http_client=openai.DefaultAsyncHttpxClient(timeout=timeout, transport=transport),
    )


def make_async_instructor(
    settings: Settings, *, backend: BackendInfo, transport: httpx2.AsyncBaseTransport | None = None
) -> instructor.AsyncInstructor:
    """An async instructor client. Streaming needs it: instructor 1.17's sync `create_partial`
    reads the whole stream before yielding its first partial; the async one yields as tokens arrive."""
    client = make_async_openai_client(settings, backend=backend, transport=transport)
    return instructor.from_openai(client, mode=MODES[settings.mode], model=backend.model)


def make_instructor(
    settings: Settings,
    *,
    backend: BackendInfo | None = None,
    client: openai.OpenAI | None = None,
) -> instructor.Instructor:
    """An instructor client in the configured mode, with the backend's model name filled in."""
    if settings.backend == "embedded" and settings.mode == "tools":
        # Measured: llama.cpp returns plain text, instructor then finds no tool call on every attempt.
        raise InputError(
            "ESCALATE_MODE=tools does not work with the embedded llama.cpp server; use json_schema (the default)"
        )
    backend = backend or resolve_backend(settings)
    client = client or make_openai_client(settings, backend=backend)
    return instructor.from_openai(client, mode=MODES[settings.mode], model=backend.model)


def request_options(settings: Settings) -> dict[str, Any]:
    """Sampling options every extraction request sends."""
    return {"temperature": settings.temperature, "max_tokens": settings.max_tokens}


def map_openai_error(exc: BaseException) -> BackendError:
    """Turn whatever the openai/instructor stack raised into the product's BackendError tree."""
    if isinstance(exc, BackendError):
        return exc
    api_error = _find_cause(exc, openai.APIError)
    if api_error is None:
        if isinstance(exc, InstructorRetryException):
            return BackendError(
                f"the model's answer did not fit the expected structure after {exc.n_attempts} attempt(s): "
                f"{_short(str(exc))}"
            )
        if isinstance(exc, openai.OpenAIError):
            return BackendError(f"the model client is misconfigured: {_short(str(exc))}")
        return BackendError(f"unexpected failure talking to the model server: {type(exc).__name__}: {_short(str(exc))}")
    where = _where(api_error)
    if isinstance(api_error, openai.APITimeoutError):
        return BackendTimeout(
            f"the model server{where} did not answer in time, even after retries "
            "(a model on CPU can need minutes: raise ESCALATE_TIMEOUT_S or shorten the input)"
        )
    if isinstance(api_error, openai.APIConnectionError):
        cause = api_error.__cause__
        if isinstance(cause, UnreadableResponse):
            return BackendError(f"the model server{where} kept sending unreadable answers, even after retries: {cause}")
        reason = f": {_short(str(cause))}" if cause and str(cause) else ""
        return BackendUnavailable(f"cannot reach the model server{where}{reason}")
    if isinstance(api_error, openai.APIStatusError):
        status = api_error.status_code
        detail = _status_detail(api_error)
        if status in (401, 403):
            return BackendError(
                f"the model server{where} refused the credentials (HTTP {status}); check ESCALATE_API_KEY"
            )
        if status == 404:
            return BackendError(
                f"the model server{where} answered HTTP 404 ({detail}); check ESCALATE_BASE_URL (it usually ends "
                "in /v1) and ESCALATE_MODEL"
            )
        if status == 429:
            return BackendError(f"the model server{where} is rate limiting (HTTP 429) even after retries: {detail}")
        if status >= 500:
            return BackendError(f"the model server{where} failed (HTTP {status}) even after retries: {detail}")
        return BackendError(f"the model server{where} refused the request (HTTP {status}): {detail}")
    return BackendError(f"the model server{where} returned something unusable: {_short(str(api_error))}")


def _find_cause(exc: BaseException, kind: type[_E]) -> _E | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _where(error: openai.APIError) -> str:
    try:
        url = error.request.url
    except (AttributeError, RuntimeError):
        return ""
    return f" at {url.scheme}://{url.netloc.decode()}"


def _status_detail(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return _short(str(message))
    return _short(error.response.text or error.message)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_CHARS else text[: _DETAIL_CHARS - 1] + "…"

"""A fault-injecting HTTP proxy on 127.0.0.1, in front of an OpenAI-compatible model server.

Test equipment, not product code. Each request to the proxy takes the next `Fault` of its plan
(then `pass` once the plan is used up) and gets one of:

    pass               forwarded to the upstream server, its answer returned unchanged
    delay              nothing for `delay_s` seconds (longer than the client's timeout), then a close
    rate_limit         HTTP 429 with `Retry-After: retry_after_s`
    server_error       HTTP 500
    truncated_body     the upstream answer cut in half mid-JSON, sent with a matching Content-Length
    truncated_content  the upstream answer with the model's JSON cut in half and finish_reason
                       "length", as when a model runs out of max_tokens
    drop_stream        the upstream answer's first third, then the connection is closed mid-chunk
                       (an SSE stream for streamed requests, a short body otherwise)
    ungrounded         a canned, schema-valid EscalationBrief whose quotes are in no ticket. This is a
                       FAULT INJECTION written by hand for this proxy, labelled as such in its `id`,
                       `model` and `system_fingerprint`; it is never presented as model output.

The upstream is reached with the standard library's http.client, so vcrpy's `httplib` patcher can
record the real model's answers once and replay them in CI while the client under test (openai
on httpx2) still talks to this proxy over a real socket.
"""

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class FaultKind(StrEnum):
    PASS = "pass"
    DELAY = "delay"
    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"
    TRUNCATED_BODY = "truncated_body"
    TRUNCATED_CONTENT = "truncated_content"
    DROP_STREAM = "drop_stream"
    UNGROUNDED = "ungrounded"


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    delay_s: float = 2.0
    retry_after_s: float = 1.0


PASS = Fault(FaultKind.PASS)

# The ungrounded answer: every field valid for the schema, every quote invented. Labelled.
FAULT_INJECTION_ID = "fault-injection-ungrounded"
UNGROUNDED_BRIEF: dict[str, Any] = {
    "summary": "Minor cosmetic issue: the login button is a slightly wrong shade of blue",
    "severity": "sev4",
    "target": "product",
    "description": "The customer reports that the login button colour does not match the brand guide.",
    "evidence": [
        {"field": "summary", "quote": "the login button is a slightly wrong shade of blue"},
        {"field": "severity", "quote": "purely cosmetic, no rush at all"},
    ],
}


@dataclass
class Served:
    """One request the proxy answered, and how (status None: the connection was closed unanswered)."""

    kind: FaultKind
    path: str
    streamed: bool
    at: float
    status: int | None = None


@dataclass
class _Upstream:
    status: int
    content_type: str
    body: bytes


@dataclass
class FaultProxy:
    """`with FaultProxy(upstream, plan) as proxy:` then point the client at `proxy.base_url`."""

    upstream: str
    plan: list[Fault] = field(default_factory=list)
    upstream_timeout_s: float = 600.0
    served: list[Served] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream)
        self._upstream_host = parts.hostname or "127.0.0.1"
        self._upstream_port = parts.port or 80
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> "FaultProxy":
        handler = type("_BoundHandler", (_Handler,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        assert self._server is not None, "use the proxy as a context manager"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # ------------------------------------------------------------------ bookkeeping
    def extend(self, faults: Iterable[Fault]) -> None:
        with self._lock:
            self.plan.extend(faults)

    def _next_fault(self) -> Fault:
        with self._lock:
            return self.plan.pop(0) if self.plan else PASS

    def _record(self, kind: FaultKind, path: str, streamed: bool) -> Served:
        # Recorded before the fault plays out, so a delayed request counts even if the test ends first.
        served = Served(kind, path, streamed, time.monotonic())
        with self._lock:
            self.served.append(served)
        return served

    @property
    def injected(self) -> int:
        """How many requests got a fault rather than the upstream's answer."""
        return sum(1 for s in self.served if s.kind is not FaultKind.PASS)

    def fetch_upstream(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> _Upstream:
        connection = http.client.HTTPConnection(
            self._upstream_host, self._upstream_port, timeout=self.upstream_timeout_s
        )
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            return _Upstream(response.status, response.getheader("content-type") or "", response.read())
        finally:
            connection.close()

    def sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    proxy: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self._handle(self.rfile.read(length) if length else b"")

    # ------------------------------------------------------------------ dispatch
    def _handle(self, body: bytes) -> None:
        fault = self.proxy._next_fault()
        served = self.proxy._record(fault.kind, self.path, _wants_stream(body))
        # A broken pipe means the client gave up first (a timeout): exactly what `delay` provokes.
        with suppress(BrokenPipeError, ConnectionResetError):
            served.status = self._serve(fault, body, served.streamed)

    def _serve(self, fault: Fault, body: bytes, streamed: bool) -> int | None:
        kind = fault.kind
        if kind is FaultKind.DELAY:
            self.proxy.sleep(fault.delay_s)
            self._drop()
            return None
        if kind is FaultKind.RATE_LIMIT:
            return self._send_json(
                429,
                {"error": {"message": "fault injection: rate limited", "type": "rate_limit_error"}},
                {"Retry-After": f"{fault.retry_after_s:g}"},
            )
        if kind is FaultKind.SERVER_ERROR:
            return self._send_json(500, {"error": {"message": "fault injection: internal error", "type": "server"}})
        if kind is FaultKind.UNGROUNDED:
            return self._send_completion(_canned_completion(body), streamed)
        upstream = self._forward(body)
        if upstream is None:
            return 502
        if kind is FaultKind.PASS or upstream.status != 200:
            return self._send_raw(upstream.status, upstream.content_type, upstream.body)
        if kind is FaultKind.TRUNCATED_BODY:
            return self._send_raw(200, upstream.content_type, upstream.body[: len(upstream.body) // 2])
        if kind is FaultKind.TRUNCATED_CONTENT:
            completion = _completion_from(upstream.body, streamed)
            message = completion["choices"][0]["message"]
            message["content"] = message["content"][: len(message["content"]) // 2]
            completion["choices"][0]["finish_reason"] = "length"
            return self._send_completion(completion, streamed)
        if kind is FaultKind.DROP_STREAM:
            self._send_partial_then_drop(upstream, streamed)
            return 200
        raise AssertionError(f"unhandled fault {kind}")

    def _forward(self, body: bytes) -> _Upstream | None:
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
        try:
            return self.proxy.fetch_upstream(self.command, self.path, body, headers)
        except Exception as exc:
            # Any upstream failure (an unrecorded request in CI included) is a loud 502 naming it, never a hang.
            self._send_json(502, {"error": {"message": f"fault proxy: upstream failed: {type(exc).__name__}: {exc}"}})
            return None

    # ------------------------------------------------------------------ writing
    def _send_raw(self, status: int, content_type: str, payload: bytes, extra: dict[str, str] | None = None) -> int:
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()
        return status

    def _send_json(self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None) -> int:
        return self._send_raw(status, "application/json", json.dumps(payload).encode(), extra)

    def _send_completion(self, completion: dict[str, Any], streamed: bool) -> int:
        if streamed:
            return self._send_raw(200, "text/event-stream", b"".join(_sse_events(completion)))
        return self._send_json(200, completion)

    def _send_partial_then_drop(self, upstream: _Upstream, streamed: bool) -> None:
        keep = upstream.body[: max(1, len(upstream.body) // 3)]
        self.send_response(200)
        self.send_header("Content-Type", upstream.content_type or "application/json")
        if streamed:
            # Chunked like llama.cpp's SSE; the terminating zero-length chunk never comes.
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(keep), keep))
        else:
            self.send_header("Content-Length", str(len(upstream.body)))
            self.end_headers()
            self.wfile.write(keep)
        self.wfile.flush()
        self._drop()

    def _drop(self) -> None:
        self.close_connection = True
        with suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _wants_stream(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("stream")) if body else False
    except (ValueError, AttributeError):
        return False


def _completion_from(body: bytes, streamed: bool) -> dict[str, Any]:
    """A chat.completion object from an upstream answer, reassembling an SSE stream if need be."""
    if not streamed:
        return json.loads(body)  # type: ignore[no-any-return]
    content: list[str] = []
    first: dict[str, Any] | None = None
    for line in body.decode("utf-8").splitlines():
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        chunk = json.loads(line[len("data: ") :])
        first = first or chunk
        for choice in chunk.get("choices", []):
            content.append((choice.get("delta") or {}).get("content") or "")
    assert first is not None, "upstream stream had no data events"
    return {
        "id": first.get("id", "stream"),
        "object": "chat.completion",
        "created": first.get("created", 0),
        "model": first.get("model", ""),
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "".join(content)}, "finish_reason": "stop"}
        ],
    }


def _canned_completion(request_body: bytes) -> dict[str, Any]:
    try:
        model = json.loads(request_body).get("model", "")
    except (ValueError, AttributeError):
        model = ""
    return {
        "id": FAULT_INJECTION_ID,
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "system_fingerprint": "fault-injection: hand-written, not model output",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": json.dumps(UNGROUNDED_BRIEF)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _sse_events(completion: dict[str, Any], pieces: int = 8) -> Iterator[bytes]:
    choice = completion["choices"][0]
    content: str = choice["message"]["content"]
    step = max(1, -(-len(content) // pieces))
    base = {k: completion[k] for k in ("id", "created", "model") if k in completion}
    for start in range(0, len(content), step):
        delta = {"content": content[start : start + step]}
        if start == 0:
            delta["role"] = "assistant"
        event = {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]}
        yield b"data: " + json.dumps(event).encode() + b"\n\n"
    final = {
        **base,
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}],
    }
    yield b"data: " + json.dumps(final).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


@contextmanager
def fault_proxy(upstream: str, plan: Iterable[Fault] = ()) -> Iterator[FaultProxy]:
    with FaultProxy(upstream, list(plan)) as proxy:
        yield proxy

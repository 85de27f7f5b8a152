"""Embedded server lifecycle, with a fake llama.cpp HTTP server instead of a real model."""

import ctypes
import json
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import BackendUnavailable
from app.core.llm import embedded
from app.core.llm.settings import EMBEDDED_MODEL_ALIAS, Settings


@dataclass
class FakeLlama:
    """Answers /health and /props like llama.cpp's server does."""

    model_path: str
    health: int = 200
    requests: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    @property
    def listening_address(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def fake_llama(tmp_path: Path) -> Iterator[FakeLlama]:
    fake = FakeLlama(model_path=str(tmp_path / "model.gguf"))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            if self.path == "/health":
                self._json(fake.health, {"status": "ok"})
            elif self.path == "/props":
                self._json(200, {"model_path": fake.model_path, "model_alias": EMBEDDED_MODEL_ALIAS})
            else:
                self._json(404, {"error": "not found"})

        def _json(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF\x03\x00\x00\x00")
    return path


@pytest.fixture(autouse=True)
def _no_server_left() -> Iterator[None]:
    yield
    embedded.stop_server()


def _settings(model_file: Path, port: int) -> Settings:
    return Settings(model_path=model_file, server_port=port, model_dir=model_file.parent / "unused")


def test_starts_once_and_reuses_the_running_server(
    fake_llama: FakeLlama, model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts: list[tuple[Path, int]] = []

    def start(settings: Settings, path: Path, host: str, port: int, verbose: bool) -> FakeLlama:
        starts.append((path, port))
        return fake_llama

    monkeypatch.setattr(embedded, "_start", start)
    settings = _settings(model_file, port=0)

    results: list[embedded.RunningServer] = []
    workers = [threading.Thread(target=lambda: results.append(embedded.ensure_server(settings))) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(starts) == 1
    assert starts[0] == (model_file.resolve(), 0)
    assert all(result is results[0] for result in results)
    assert results[0].base_url == f"{fake_llama.listening_address}/v1"
    assert results[0].owned and results[0].alias == EMBEDDED_MODEL_ALIAS
    assert "/health" in fake_llama.requests

    embedded.stop_server()
    assert embedded.current_server() is None


def test_a_server_for_the_same_model_in_another_process_is_reused(
    fake_llama: FakeLlama, model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_llama.model_path = str(model_file.resolve())
    monkeypatch.setattr(embedded, "_start", lambda *args: pytest.fail("must not load the model twice"))

    running = embedded.ensure_server(_settings(model_file, fake_llama.port))

    assert running.owned is False
    assert running.root_url == fake_llama.listening_address


def test_a_port_taken_by_a_different_model_is_refused(
    fake_llama: FakeLlama, model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_llama.model_path = "/elsewhere/other.gguf"
    monkeypatch.setattr(embedded, "_start", lambda *args: pytest.fail("the port is taken"))
    with pytest.raises(BackendUnavailable, match=r"other\.gguf.*ESCALATE_SERVER_PORT"):
        embedded.ensure_server(_settings(model_file, fake_llama.port))


def test_a_port_taken_by_something_else_is_refused_at_once(
    fake_llama: FakeLlama, model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_llama.health = 404
    monkeypatch.setattr(embedded, "_start", lambda *args: pytest.fail("the port is taken"))
    with pytest.raises(BackendUnavailable, match=r"not llama\.cpp"):
        embedded.ensure_server(_settings(model_file, fake_llama.port))


def test_a_failed_start_names_the_port_setting(model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("Failed to init server, please check the input params.")

    monkeypatch.setattr(embedded, "_start", fail)
    with pytest.raises(BackendUnavailable, match="ESCALATE_SERVER_PORT"):
        embedded.ensure_server(_settings(model_file, port=1))  # nothing answers on port 1


def test_model_path_setting_overrides_the_parts(model_file: Path) -> None:
    settings = Settings(model_path=model_file, model_dir=model_file.parent / "never-created")
    assert embedded.resolve_model_file(settings) == model_file
    assert not (model_file.parent / "never-created").exists()


@pytest.mark.skipif(os.name != "posix", reason="sigaction(2)")
def test_signal_handlers_taken_by_the_native_server_are_given_back() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.signal.restype = ctypes.c_void_p
    libc.signal.argtypes = [ctypes.c_int, ctypes.c_void_p]
    sig_ign = 1

    with embedded._keep_signal_handlers():
        # What xllamacpp does on its own thread: replace SIGINT behind Python's back.
        libc.signal(signal.SIGINT, sig_ign)

    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # let the interpreter run the pending handler
            pass

"""The embedded backend: llama.cpp's OpenAI-compatible HTTP server, run inside this process by xllamacpp.

`xllamacpp.Server(params)` binds the HTTP server, loads the model and returns once it is ready; its
C++ destructor stops it. One server per process, started on first use and stopped at exit. A server
that another process (e.g. `escalate model serve`) already runs on the configured port for the same
model file is reused instead of loading the model twice.
"""

import atexit
import ctypes
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from app.core.errors import BackendUnavailable
from app.core.llm.model_files import Progress, check_gguf, ensure_model, get_spec
from app.core.llm.settings import EMBEDDED_MODEL_ALIAS, Settings

STARTUP_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class RunningServer:
    root_url: str
    """e.g. http://127.0.0.1:8765 (health, props)."""
    model_path: Path
    alias: str
    owned: bool
    """True when this process started it (and will stop it)."""

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, e.g. http://127.0.0.1:8765/v1."""
        return f"{self.root_url}/v1"


_lock = threading.Lock()
_server: Any = None  # xllamacpp.Server; untyped extension type
_running: RunningServer | None = None


def resolve_model_file(settings: Settings, progress: Progress | None = None) -> Path:
    """ESCALATE_MODEL_PATH if set, else the verified file assembled from the installed parts."""
    if settings.model_path is not None:
        return check_gguf(settings.model_path)
    return ensure_model(get_spec(settings.embedded_model), settings.model_dir, progress)


def ensure_server(
    settings: Settings,
    *,
    port: int | None = None,
    verbose: bool = False,
    progress: Progress | None = None,
) -> RunningServer:
    """Start the embedded server, or return the one already running; thread-safe."""
    global _server, _running
    with _lock:
        if _running is not None:
            return _running
        model_path = resolve_model_file(settings, progress).resolve()
        host = settings.server_host
        wanted_port = settings.server_port if port is None else port
        if wanted_port:
            root = f"http://{_url_host(host)}:{wanted_port}"
            existing = _reusable(root, model_path)
            if existing is not None:
                _running = existing
                return existing
        try:
            server = _start(settings, model_path, host, wanted_port, verbose)
        except RuntimeError as exc:
            # Lost a race with another process binding the same port: reuse it if it serves our model.
            existing = _reusable(f"http://{_url_host(host)}:{wanted_port}", model_path) if wanted_port else None
            if existing is not None:
                _running = existing
                return existing
            raise BackendUnavailable(
                f"the embedded llama.cpp server did not start on {host}:{wanted_port} with {model_path}: {exc} "
                "(is the port taken? set ESCALATE_SERVER_PORT; run `escalate model serve` to see its log)"
            ) from exc
        root = str(server.listening_address).rstrip("/")
        _wait_healthy(root, STARTUP_TIMEOUT_S)
        _server = server
        _running = RunningServer(root_url=root, model_path=model_path, alias=EMBEDDED_MODEL_ALIAS, owned=True)
        return _running


def stop_server() -> None:
    """Stop the server this process started; forget a reused one. Safe to call twice."""
    global _server, _running
    with _lock:
        server, _server, _running = _server, None, None
    # Dropping the last reference runs the C++ destructor, which stops the loop and joins its thread.
    del server


def current_server() -> RunningServer | None:
    return _running


atexit.register(stop_server)


def server_params(settings: Settings, model_path: Path, host: str, port: int, verbose: bool = False) -> Any:
    """xllamacpp's CommonParams for our server, built apart from starting it so tests can read them."""
    import xllamacpp  # a 100 MB native extension: load it only when a server is really needed

    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.model_alias = {EMBEDDED_MODEL_ALIAS}
    params.hostnames = [host]
    params.port = port
    # llama.cpp divides the context among its slots: give each parallel draft the full context.
    params.n_ctx = settings.ctx_size * settings.parallel
    params.n_parallel = settings.parallel
    params.cpuparams.n_threads = settings.threads
    params.cpuparams_batch.n_threads = settings.threads
    params.endpoint_slots = False  # slot dumps would expose (redacted) prompts to any local process
    params.ui = False
    params.verbosity = 3 if verbose else 0
    return params


def _start(settings: Settings, model_path: Path, host: str, port: int, verbose: bool) -> Any:
    import xllamacpp

    params = server_params(settings, model_path, host, port, verbose)
    with _keep_signal_handlers():
        return xllamacpp.Server(params)


@contextmanager
def _keep_signal_handlers() -> Iterator[None]:
    """xllamacpp installs its own SIGINT/SIGTERM handlers (they stop the model server, not the program).

    That would swallow Ctrl-C in the CLI and in Streamlit, so put the process's handlers back. The
    install happens on xllamacpp's own thread, and Streamlit calls us off the main thread, where
    `signal.signal` is not allowed, hence sigaction(2) itself on an opaque, generously sized struct.
    """
    if sys.platform == "win32":
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    saved = {signum: ctypes.create_string_buffer(512) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum, buffer in saved.items():
        libc.sigaction(signum, None, buffer)
    try:
        yield
    finally:
        for signum, buffer in saved.items():
            libc.sigaction(signum, buffer, None)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _get_json(url: str, timeout: float) -> tuple[int, Any]:
    response = httpx2.get(url, timeout=timeout)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def _reusable(root: str, model_path: Path) -> RunningServer | None:
    """A llama.cpp server already at `root` serving `model_path`; None if nothing listens there."""
    try:
        code, _ = _get_json(f"{root}/health", 2.0)
    except httpx2.TransportError:
        return None
    if code == 503:  # llama.cpp answers 503 while it loads the model
        _wait_healthy(root, STARTUP_TIMEOUT_S)
    elif code != 200:
        raise BackendUnavailable(
            f"{root} is already used by another program (not llama.cpp: GET /health answered HTTP {code}); "
            "set ESCALATE_SERVER_PORT to a free port or stop that program"
        )
    try:
        _, props = _get_json(f"{root}/props", 5.0)
    except httpx2.TransportError as exc:
        raise BackendUnavailable(f"{root} stopped answering: {exc}") from exc
    served = props.get("model_path") if isinstance(props, dict) else None
    if served and Path(served).resolve() == model_path:
        return RunningServer(
            root_url=root, model_path=model_path, alias=str(props.get("model_alias") or ""), owned=False
        )
    raise BackendUnavailable(
        f"{root} is already used by another program (serving {served or 'something that is not llama.cpp'}), "
        f"not {model_path}; set ESCALATE_SERVER_PORT to a free port or stop that program"
    )


def _wait_healthy(root: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            code, body = _get_json(f"{root}/health", 5.0)
        except httpx2.TransportError as exc:
            last = str(exc) or type(exc).__name__
        else:
            if code == 200:
                return
            last = f"HTTP {code} {body}"
        time.sleep(0.25)
    raise BackendUnavailable(f"the llama.cpp server at {root} was not healthy after {timeout_s:.0f} s: {last}")

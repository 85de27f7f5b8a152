"""Drafting: our end-to-end time next to the engine's own time for the very same call, and
prompt tokens with condensing next to pasting everything, on the public dev set.

    python bench/bench_draft.py overhead [--runs 3] [--ticket tests/fixtures/tickets/checkout_outage.txt]
    python bench/bench_draft.py tokens [--dataset ../shared/datasets/public-dev.jsonl]

`overhead` needs a model server: the embedded one by default (settings as everywhere, e.g.
ESCALATE_EMBEDDED_MODEL=qwen2.5-coder-0.5b), or any llama.cpp server via ESCALATE_BACKEND=openai
+ ESCALATE_BASE_URL. llama.cpp reports `timings` (prompt_ms, predicted_ms) with every answer:
that is the raw engine time for exactly the prompt and output tokens of our call, measured in
the same run, so the ratio needs no second request whose output could differ.
"""

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core.prompts import render_preview  # noqa: E402
from app.core.tokens import count_tokens  # noqa: E402
from schemas.draft import Attachment, TicketInput  # noqa: E402

OVERHEAD_GOAL = 0.25
TOKENS_GOAL = 0.5


def _engine_ms(responses: list[dict[str, Any]]) -> float:
    return sum(
        r.get("timings", {}).get("prompt_ms", 0.0) + r.get("timings", {}).get("predicted_ms", 0.0) for r in responses
    )


def overhead(args: argparse.Namespace) -> None:
    import openai

    from app.services.factory import build_drafting_service
    from tests.fixtures.make_log import make_log

    responses: list[dict[str, Any]] = []

    def keep(response: Any) -> None:
        # The raw JSON llama.cpp sent back, timings included.
        responses.append(response.model_dump() if hasattr(response, "model_dump") else dict(response))

    service = build_drafting_service()
    service.extractor.client.on("completion:response", keep)  # type: ignore[attr-defined]
    text = Path(args.ticket).read_text(encoding="utf-8")
    ticket = TicketInput(text=text, attachments=[Attachment(name="pos.log", text=make_log())])
    rows = []
    for run in range(args.runs):
        responses.clear()
        started = time.perf_counter()
        try:
            result = service.draft(ticket, now=datetime(2026, 11, 20, 10, tzinfo=UTC))
        except openai.APIError as exc:
            sys.exit(f"model call failed: {exc}")
        wall_ms = (time.perf_counter() - started) * 1000
        engine_ms = _engine_ms(responses)
        rows.append((wall_ms, engine_ms))
        print(
            f"run {run + 1}: end-to-end {wall_ms:8.0f} ms | engine {engine_ms:8.0f} ms | "
            f"ours {wall_ms - engine_ms:6.0f} ms ({(wall_ms - engine_ms) / max(engine_ms, 1):.1%}) | "
            f"tokens {result.receipt.prompt_tokens} in, {result.receipt.completion_tokens} out, "
            f"{result.receipt.attempts} attempt(s)"
        )
    ratio = statistics.median((w - e) / max(e, 1) for w, e in rows)
    print(
        f"\nmedian overhead over the engine: {ratio:.1%} (goal <= {OVERHEAD_GOAL:.0%}) -> "
        f"{'met' if ratio <= OVERHEAD_GOAL else 'NOT met'}; includes ingest, redaction, condensing a 1 MB log, "
        "HTTP, parsing, validation and the rules"
    )


def tokens(args: argparse.Namespace) -> None:
    from app.core.llm.settings import Settings
    from app.services.drafting import DraftingService

    class _NoModel:
        model_name = "none"

    settings = Settings(prompt_token_budget=100_000)
    service = DraftingService(_NoModel(), settings=settings)  # type: ignore[arg-type]
    rows = [json.loads(line) for line in Path(args.dataset).read_text(encoding="utf-8").splitlines() if line.strip()]
    ours_total = naive_total = 0
    for row in rows:
        prepared = service.prepare(TicketInput(text=row["input_text"]))
        ours_total += prepared.prompt_tokens
        naive_context = {**prepared.context, "ticket": row["input_text"], "logs": "", "log_note": ""}
        naive_total += sum(count_tokens(m["content"]) for m in render_preview(service.prompt, naive_context))
    ratio = ours_total / naive_total
    print(
        f"{len(rows)} dev-set tickets: prompt tokens with condensing {ours_total:,} vs pasting everything "
        f"{naive_total:,} -> {ratio:.2f}x (goal <= {TOKENS_GOAL}x) -> {'met' if ratio <= TOKENS_GOAL else 'NOT met'}"
    )
    # The same prompt minus its fixed instructions: what condensing does to the ticket itself.
    fixed = sum(
        count_tokens(m["content"])
        for m in render_preview(
            service.prompt, {**service.prepare(TicketInput(text="x")).context, "ticket": "", "logs": "", "log_note": ""}
        )
    )
    body_ratio = (ours_total - fixed * len(rows)) / (naive_total - fixed * len(rows))
    print(f"ticket and log text alone (without the {fixed}-token fixed instructions): {body_ratio:.2f}x")
    print("  (the dev set's tickets carry no log attachments, median ~900 characters: there is nothing to fold)")
    if args.log_kb:
        # The product's own budget (ESCALATE_PROMPT_TOKEN_BUDGET, default 3000): what it really sends.
        product = DraftingService(_NoModel(), settings=Settings())  # type: ignore[arg-type]
        _tokens_with_logs(product, rows[: args.log_rows], args.log_kb)


def _tokens_with_logs(service: Any, rows: list[dict[str, Any]], log_kb: int) -> None:
    """The same tickets, each with a seeded synthetic service log attached, as agents attach them.
    Pasting everything means the whole log in the prompt (which the product's budget would refuse)."""
    sys.path.insert(0, str(REPO / "bench"))
    from logsynth import synth_log

    ours_total = naive_total = 0
    for i, row in enumerate(rows):
        log, _ = synth_log(log_kb * 1024, seed=i)
        prepared = service.prepare(
            TicketInput(text=row["input_text"], attachments=[Attachment(name="app.log", text=log)])
        )
        ours_total += prepared.prompt_tokens
        naive_context = {**prepared.context, "ticket": row["input_text"], "logs": log, "log_note": ""}
        naive_total += sum(count_tokens(m["content"]) for m in render_preview(service.prompt, naive_context))
    ratio = ours_total / naive_total
    print(
        f"{len(rows)} dev-set tickets + a {log_kb} KB synthetic log each: condensing {ours_total:,} vs pasting "
        f"everything {naive_total:,} -> {ratio:.3f}x (goal <= {TOKENS_GOAL}x) -> "
        f"{'met' if ratio <= TOKENS_GOAL else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    o = sub.add_parser("overhead")
    o.add_argument("--runs", type=int, default=3)
    o.add_argument("--ticket", default=str(REPO / "tests" / "fixtures" / "tickets" / "checkout_outage.txt"))
    t = sub.add_parser("tokens")
    t.add_argument("--dataset", default=str(REPO.parent / "shared" / "datasets" / "public-dev.jsonl"))
    t.add_argument("--log-kb", type=int, default=64, help="also attach a synthetic log of this size (0: skip)")
    t.add_argument("--log-rows", type=int, default=40, help="how many dev tickets get a log")
    args = parser.parse_args()
    overhead(args) if args.what == "overhead" else tokens(args)


if __name__ == "__main__":
    main()

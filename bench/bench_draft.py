"""Drafting: our end-to-end time next to the engine's own time for the very same call, and
prompt tokens with condensing next to pasting everything, on the public dev set.

    python bench/bench_draft.py overhead [--runs 3] [--ticket tests/fixtures/tickets/checkout_outage.txt]
    python bench/bench_draft.py tokens [--dataset ../shared/datasets/public-dev.jsonl]
    python bench/bench_draft.py prompts [--n 3] [--prompts brief@v1,brief@v2]
    python bench/bench_draft.py recorded

`recorded` reads the committed cassettes (real llama.cpp answers, Qwen2.5-Coder-0.5B) of the same
ticket drafted with brief@v1 and with brief@v2 and prints what each request cost: prompt tokens,
prompt tokens llama.cpp evaluated (the rest came from its prompt cache), completion tokens. No
model needed; the cassettes were recorded at different times, so only token counts compare.

`prompts` drafts the same authored conversations (evals/datasets/conversations.jsonl) with each
prompt, interleaved in one run against one server, and reports per prompt: p50 model time per
draft (llama.cpp's own prompt_ms + predicted_ms, so a queue in front of the server does not
count), the time to the first model-written field (prompt_ms plus the tokens up to the end of the
summary at the call's own ms per token; brief@v2's code-read diagnostics are there at 0 s), the
time to the verdict on screen (redaction, condensing and the no-model assessment: what the page
shows before the first token), completion tokens per brief, prompt tokens llama.cpp reused from
its cache, valid drafts and identifiers not found in the ticket.

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


def _first_field_ms(raw: str, timings: dict[str, Any]) -> float | None:
    """prompt_ms + the tokens up to the end of the summary's value x this call's ms per token."""
    at = raw.find('"summary"')
    if at < 0 or not timings.get("predicted_n"):
        return None
    end = raw.find('",', at + 10)
    upto = raw[: (end if end > 0 else len(raw)) + 1]
    per_token = timings.get("predicted_ms", 0.0) / max(timings.get("predicted_n", 1), 1)
    return float(timings.get("prompt_ms", 0.0)) + count_tokens(upto) * per_token


def prompts(args: argparse.Namespace) -> None:
    from app.core.grounding import ungrounded_identifiers
    from app.services.drafting import DraftingService
    from app.services.factory import build_extractor

    refs = args.prompts.split(",")
    rows = [json.loads(line) for line in (REPO / "evals" / "datasets" / "conversations.jsonl").open()]
    if args.ids:
        rows = [r for r in rows if any(r["id"].startswith(i) for i in args.ids.split(","))]
    rows = rows[: args.n]
    responses: list[dict[str, Any]] = []

    def keep(response: Any) -> None:
        responses.append(response.model_dump() if hasattr(response, "model_dump") else dict(response))

    services = {}
    for ref in refs:
        extractor = build_extractor()
        extractor.client.on("completion:response", keep)  # type: ignore[attr-defined]
        services[ref] = DraftingService(extractor, prompt_ref=ref)
    stats: dict[str, list[dict[str, Any]]] = {ref: [] for ref in refs}
    now = datetime(2026, 10, 6, 16, tzinfo=UTC)
    for i, row in enumerate(rows):
        ticket = TicketInput(
            text=row["input"]["text"], attachments=[Attachment(**a) for a in row["input"].get("attachments", [])]
        )
        order = refs if i % 2 == 0 else list(reversed(refs))  # alternate who goes first
        for ref in order:
            # What the page shows before the model's first token (DraftingService.stream's Verdict
            # event): redaction, condensing and the no-model assessment, timed on their own.
            started = time.perf_counter()
            services[ref].assess(services[ref].prepare(ticket), now)
            verdict_s = time.perf_counter() - started
            responses.clear()
            started = time.perf_counter()
            result = services[ref].draft(ticket, now=now)
            wall = time.perf_counter() - started
            timings = [r.get("timings") or {} for r in responses]
            engine_ms = sum(t.get("prompt_ms", 0.0) + t.get("predicted_ms", 0.0) for t in timings)
            raw = ""
            if responses:
                choices = responses[0].get("choices") or [{}]
                raw = ((choices[0] or {}).get("message") or {}).get("content") or ""
            first = _first_field_ms(raw, timings[0]) if timings else None
            reused = sum(
                (r.get("usage") or {}).get("prompt_tokens", 0) - (t.get("prompt_n") or 0)
                for r, t in zip(responses, timings, strict=True)
            )
            ungrounded = (
                [u.text for u in ungrounded_identifiers(result.brief, result.redacted_text)] if result.brief else []
            )
            entry = {
                "case": row["id"],
                "wall_s": wall,
                "verdict_s": verdict_s,
                "model_s": engine_ms / 1000,
                "first_field_s": None if first is None else first / 1000,
                "completion_tokens": result.receipt.completion_tokens,
                "prompt_tokens": result.receipt.prompt_tokens,
                "reused_prompt_tokens": reused,
                "attempts": result.receipt.attempts,
                "valid": result.valid and result.brief is not None,
                "ungrounded": ungrounded,
                "unsupported": result.unsupported,
                "severity": result.severity.final.value,
                "gold_severity": (row.get("gold") or {}).get("severity"),
            }
            stats[ref].append(entry)
            print(f"{ref:9} {row['id'][:34]:34} " + json.dumps({k: v for k, v in entry.items() if k != "case"}))
            sys.stdout.flush()
    print()
    summary = {}
    for ref, entries in stats.items():
        firsts = [e["first_field_s"] for e in entries if e["first_field_s"] is not None]
        summary[ref] = {
            "n": len(entries),
            "p50_model_s": statistics.median(e["model_s"] for e in entries),
            "p50_wall_s": statistics.median(e["wall_s"] for e in entries),
            "p50_first_field_s": statistics.median(firsts) if firsts else None,
            "p50_verdict_s": statistics.median(e["verdict_s"] for e in entries),
            "completion_tokens_per_brief": statistics.mean(e["completion_tokens"] for e in entries),
            "reused_prompt_tokens": sum(e["reused_prompt_tokens"] for e in entries),
            "valid": sum(e["valid"] for e in entries),
            "ungrounded_identifiers": sum(len(e["ungrounded"]) for e in entries),
            "drafts_with_ungrounded": sum(bool(e["ungrounded"]) for e in entries),
            "attempts": sum(e["attempts"] for e in entries),
        }
        print(ref, json.dumps(summary[ref]))
    if len(refs) == 2:
        old, new = (summary[r] for r in refs)
        print(
            f"\n{refs[1]} / {refs[0]}: completion tokens per brief "
            f"{new['completion_tokens_per_brief'] / max(old['completion_tokens_per_brief'], 1):.2f}x (goal <= 0.35x); "
            f"p50 model time {new['p50_model_s'] / max(old['p50_model_s'], 1e-9):.2f}x"
        )
    if args.out:
        Path(args.out).write_text(json.dumps({"runs": stats, "summary": summary}, indent=1), encoding="utf-8")


RECORDED = {
    # (cassette, what it holds): the same ticket, tests/fixtures/tickets/checkout_outage.txt, no log.
    "brief@v1": ("tests/drafting/cassettes/test_recorded_drafts/test_findings_block_until_fixed.yaml", "draft"),
    "brief@v2": (
        "tests/drafting/cassettes/test_cited_drafts/test_cited_draft_then_regenerate_keeps_the_placeholder_map.yaml",
        "draft, then regenerate with new messages",
    ),
}


def recorded(args: argparse.Namespace) -> None:
    import yaml

    for ref, (path, what) in RECORDED.items():
        cassette = yaml.safe_load((REPO / path).read_text(encoding="utf-8"))
        print(f"{ref} ({what}): {path}")
        for i, interaction in enumerate(cassette["interactions"]):
            text = interaction["response"]["body"]["string"]
            if "\ndata: " in text or text.startswith(
                "data:"
            ):  # a streamed answer: llama.cpp's last chunk has the timings
                chunks = [
                    json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:") and "{" in line
                ]
                timings = next((c["timings"] for c in reversed(chunks) if c.get("timings")), {})
                usage = {
                    "prompt_tokens": timings.get("cache_n", 0) + timings.get("prompt_n", 0),
                    "completion_tokens": timings.get("predicted_n", 0),
                }
            else:
                body = json.loads(text)
                usage, timings = body.get("usage") or {}, body.get("timings") or {}
            prompt, evaluated = usage.get("prompt_tokens", 0), timings.get("prompt_n", 0)
            print(
                f"  request {i + 1}: prompt {prompt} tokens ({evaluated} evaluated, {prompt - evaluated} from the "
                f"prompt cache), completion {usage.get('completion_tokens', 0)} tokens, "
                f"{timings.get('predicted_per_second', 0):.1f} tokens/s while recording"
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
    p = sub.add_parser("prompts")
    p.add_argument("--n", type=int, default=3, help="how many authored conversations")
    p.add_argument("--ids", default="", help="comma-separated id prefixes to pick conversations")
    p.add_argument("--prompts", default="brief@v1,brief@v2")
    p.add_argument("--out", default="", help="write every run and the summary as JSON here")
    sub.add_parser("recorded")
    args = parser.parse_args()
    {"overhead": overhead, "tokens": tokens, "prompts": prompts, "recorded": recorded}[args.what](args)


if __name__ == "__main__":
    main()

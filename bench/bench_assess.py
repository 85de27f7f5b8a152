"""Benchmark the verdict without a model: one ticket's assessment, and batch triage of the dev set.

    python bench/bench_assess.py [--repeats 3]

1. One ticket, warm (policy compiled, classifier loaded, Presidio up): p50 and p95 of
   `assess_ticket` (redaction + classifier + signals + fusion) over the 45 authored conversations,
   next to the goal (< 50 ms p50), with the share each part takes, measured in the same run.
2. `escalate triage --jsonl` on the 160 dev rows as a user runs it (a fresh process: start-up
   included), next to the goal (< 20 s). Skipped with a reason without ../shared.
CPU time is printed next to wall time: on a shared machine it is the steadier of the two.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core.assessment import assess  # noqa: E402
from app.core.classifier import load_default  # noqa: E402
from app.core.policy import cached_policy  # noqa: E402
from app.core.redaction import redact  # noqa: E402
from app.services.assessment import assess_ticket  # noqa: E402

GOAL_MS = 50.0
GOAL_BATCH_S = 20.0
NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
CONVERSATIONS = REPO / "evals" / "datasets" / "conversations.jsonl"
DEV = REPO.parent / "shared" / "datasets" / "public-dev.jsonl"


def _timed(fn, texts: list[str], repeats: int) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    wall: list[float] = []
    cpu = time.process_time()
    for _ in range(repeats):
        for text in texts:
            start = time.perf_counter()
            fn(text)
            wall.append((time.perf_counter() - start) * 1000)
    return wall, (time.process_time() - cpu) * 1000 / len(wall)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    policy = cached_policy()
    texts = [json.loads(line)["input"]["text"] for line in CONVERSATIONS.read_text("utf-8").splitlines() if line]
    assess_ticket(texts[0], policy, NOW)  # warm: Presidio, the compiled policy, the classifier
    model = load_default()
    parts = {
        "whole assessment (assess_ticket)": lambda t: assess_ticket(t, policy, NOW),
        "  redaction": redact,
        "  classifier": (lambda t: model.predict(t)) if model else (lambda t: None),
        "  signals + fusion (assess)": lambda t: assess(t, policy, NOW),
    }
    print(f"1. one ticket, warm: {len(texts)} authored conversations x {args.repeats}")
    for name, fn in parts.items():
        wall, cpu_ms = _timed(fn, texts, args.repeats)
        p50, p95 = statistics.median(wall), statistics.quantiles(wall, n=20)[18]
        verdict = f"  goal < {GOAL_MS:.0f} ms p50: {'met' if p50 < GOAL_MS else 'NOT met'}" if name[0] != " " else ""
        print(f"   {name:36} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  cpu {cpu_ms:6.1f} ms/ticket{verdict}")
    if not DEV.exists():
        print(f"2. batch triage: skipped, {DEV} not found (the dev set lives in ../shared)")
        return 0
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", "from app.cli.main import main; main()", "triage", "--jsonl", str(DEV)],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall_s = time.perf_counter() - start
    rows = len(run.stdout.splitlines())
    print(
        f"2. escalate triage --jsonl on the dev set: {rows} rows in {wall_s:.1f} s wall "
        f"(goal < {GOAL_BATCH_S:.0f} s: {'met' if wall_s < GOAL_BATCH_S else 'NOT met'}); "
        f"{wall_s / rows * 1000:.0f} ms per row including start-up"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

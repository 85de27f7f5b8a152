"""Benchmark the triage classifier's prediction (goal < 50 ms per ticket on 2 cores, no GPU).

    python bench/bench_classifier.py [--n 200]

Three figures, each next to the goal: the 45 conversations of evals/datasets/conversations.jsonl
(agent-customer tickets of 1-4 KB), a 20 KB ticket (the most the features read: MAX_CHARS) and a
1 MB pasted log (cut to MAX_CHARS before tokenising). Loading the shipped artifact (once per
process) is reported separately. CPU time is printed next to wall time: on a shared machine it is
the steadier of the two.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.classifier import load_default
from app.core.classifier.data import OWN_CONVERSATIONS, read_examples
from app.core.classifier.features import MAX_CHARS

GOAL_MS = 50.0


def per_call(fn: Callable[[], object], n: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return (time.perf_counter() - wall) / n * 1000, (time.process_time() - cpu) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    wall, cpu = time.perf_counter(), time.process_time()
    clf = load_default()
    print(
        f"load shipped artifact: {(time.perf_counter() - wall) * 1000:.0f} ms wall, "
        f"{(time.process_time() - cpu) * 1000:.0f} ms CPU (once per process)"
    )
    if clf is None:
        raise SystemExit("no shipped artifact; run `escalate train --out app/core/classifier`")
    texts = [ex.text for ex in read_examples(OWN_CONVERSATIONS)]
    big = (" ".join(texts) * 10)[:MAX_CHARS]
    log = "2026-11-20T09:10:00Z ERROR gateway GW-502 upstream timeout req_8f3a2c91\n" * 14_000
    cases = {
        f"{len(texts)} conversations (mean {sum(map(len, texts)) // len(texts)} chars)": lambda: [
            clf.predict(t) for t in texts
        ],
        f"one {len(big) // 1000} KB ticket": lambda: clf.predict(big),
        f"one {len(log) // 1_000_000} MB log": lambda: clf.predict(log),
    }
    for name, fn in cases.items():
        calls = len(texts) if "conversations" in name else 1
        n = max(1, args.n // calls)
        wall_ms, cpu_ms = per_call(fn, n)
        wall_ms, cpu_ms = wall_ms / calls, cpu_ms / calls
        verdict = "ok" if wall_ms < GOAL_MS else "OVER GOAL"
        print(f"{name}: {wall_ms:.2f} ms wall, {cpu_ms:.2f} ms CPU per ticket (goal {GOAL_MS:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()

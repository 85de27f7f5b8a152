"""Condensing: time on a realistic 1 MB log against the 0.5 s goal, and how many distinct error
signatures survive compared with a naive head/tail cut to the same token budget.

    /work/venv/bin/python bench/bench_condense.py [--size-mb 1.0] [--budget 1500] [--repeat 5]

Also times Drain3 fed every line (with Drain3's own regex masking), the approach condense.py
avoids by masking once and feeding each distinct masked line once.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from drain3 import TemplateMiner  # noqa: E402
from drain3.masking import MaskingInstruction  # noqa: E402
from drain3.template_miner_config import TemplateMinerConfig  # noqa: E402
from logsynth import synth_log  # noqa: E402

from app.core.condense import condense_log  # noqa: E402
from app.core.tokens import count_tokens  # noqa: E402

GOAL_SECONDS = 0.5


def head_tail(text: str, budget: int) -> str:
    """What a naive cut keeps: lines from the start and from the end, half the budget each."""
    lines = text.splitlines()
    head: list[str] = []
    tail: list[str] = []
    used = 0
    for line in lines:
        cost = count_tokens(line) + 1
        if used + cost > budget // 2:
            break
        head.append(line)
        used += cost
    for line in reversed(lines[len(head) :]):
        cost = count_tokens(line) + 1
        if used + cost > budget:
            break
        tail.append(line)
        used += cost
    return "\n".join([*head, "...", *reversed(tail)])


def drain_every_line(text: str) -> float:
    config = TemplateMinerConfig()
    config.masking_instructions = [
        MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)([0-9a-f]{8,})((?=[^A-Za-z0-9])|$)", "HEX"),
        MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
    ]
    miner = TemplateMiner(persistence_handler=None, config=config)
    start = time.perf_counter()
    for line in text.splitlines():
        miner.add_log_message(line)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--budget", type=int, default=1500, help="token budget for the logs")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    text, signatures = synth_log(int(args.size_mb * 1_000_000))
    size_mb = len(text.encode("utf-8")) / 1_000_000
    count_tokens("warm-up")
    times = []
    result = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = condense_log(text, args.budget, count_tokens)
        times.append(time.perf_counter() - start)
    assert result is not None
    seconds = statistics.median(times)
    naive = head_tail(text, args.budget)

    def kept(output: str) -> int:
        return sum(1 for marker in signatures if marker in output)

    print(f"cpu count: {os.cpu_count()}")
    print(f"log: {size_mb:.2f} MB, {result.lines_in:,} lines, {len(signatures)} distinct error signatures seeded")
    verdict = "meets" if seconds < GOAL_SECONDS else "MISSES"
    print(
        f"condense_log: {seconds:.3f} s median of {args.repeat} (min {min(times):.3f}, max {max(times):.3f}); "
        f"goal < {GOAL_SECONDS} s: {verdict}"
    )
    print(
        f"  output: {count_tokens(result.text):,} tokens (budget {args.budget:,}), {result.lines_out} lines, "
        f"{result.folded_lines:,} lines folded into {len(result.templates)} templates, "
        f"{result.dropped_lines:,} dropped"
    )
    print(f"  header: {result.text.splitlines()[0]}")
    print(f"signatures kept, condense_log:      {kept(result.text)}/{len(signatures)}")
    print(f"signatures kept, head/tail cut:     {kept(naive)}/{len(signatures)} ({count_tokens(naive):,} tokens)")
    print(f"Drain3 fed every line (its own masking): {drain_every_line(text):.3f} s for the template mining alone")


if __name__ == "__main__":
    main()

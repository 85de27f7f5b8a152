"""CLI start-up: the wall time of an offline rulebook command (`escalate triage TICKET --json`) in a
fresh interpreter, side by side with the same command when the model client and the store are
imported first, which is what every command paid before they were imported on use.

    python bench/bench_cli_startup.py [--runs 7]

Runs alternate between the two sides so machine noise falls on both alike; prints the medians and
their ratio, and the heavy packages each side loaded (the first must load none).
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TICKET = REPO / "tests" / "fixtures" / "tickets" / "checkout_outage.txt"
HEAVY = ("openai", "instructor", "sqlalchemy")

RUN = """
import sys
{preload}
sys.argv = ["escalate", "triage", {ticket!r}, "--json"]
from app.cli.main import main
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
print("LOADED", sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def one_run(preload: str) -> tuple[float, str]:
    script = RUN.format(preload=preload, ticket=str(TICKET), heavy=HEAVY)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    json.loads(done.stdout)  # the command really ran and printed its JSON
    return seconds, done.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sides = {"on use (now)": "", "all at start (before)": "import openai, instructor, sqlalchemy"}
    times: dict[str, list[float]] = {name: [] for name in sides}
    loaded: dict[str, str] = {}
    one_run("")  # warm the OS file cache so the first side measured does not pay for it
    for _ in range(args.runs):
        for name, preload in sides.items():
            seconds, loaded[name] = one_run(preload)
            times[name].append(seconds)
    now, before = (statistics.median(times[name]) for name in sides)
    for name in sides:
        print(f"{name:22} median {statistics.median(times[name]):.3f} s over {args.runs} runs; {loaded[name]}")
    print(f"escalate triage start-up: {now:.3f} s vs {before:.3f} s -> {now / before:.2f}x")


if __name__ == "__main__":
    main()

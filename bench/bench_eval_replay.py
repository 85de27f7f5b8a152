"""Replay the dev-set eval from its recorded model traffic: the whole pipeline (ingest, redaction,
condensing, the instructor call answered from the cassette, rules, scoring, report), no model.

    python bench/bench_eval_replay.py [--sample 160]   # 160: every dev row; 40: the stratified sample

Needs the recordings `evals/run_dev_eval.sh` writes to evals/.recordings/ (not committed: most dev
rows' licences forbid copying their text). Prints the replay time next to the time the recorded
run spent drafting (its per-case latencies from the committed report, summed and divided by the
cases it drafted at once: about its wall-clock time). Goal: < 30 s.
A case the recording does not hold fails at once (no model is reachable) and is counted apart: the
verdict is given only when every case was answered from the cassette or failed before any model call
(a prompt over the token budget), as it did in the recorded run.
"""

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.cli.eval import _select  # noqa: E402
from app.core.errors import BudgetError  # noqa: E402
from app.core.llm.settings import load_settings  # noqa: E402
from app.core.quiet_logs import quiet_instructor_logs  # noqa: E402
from app.services.factory import build_drafting_service  # noqa: E402
from evals.adapters import drafter_for  # noqa: E402
from evals.cases import load_dataset  # noqa: E402
from evals.cassette import use_cassette  # noqa: E402
from evals.report import PromptInfo, build_report  # noqa: E402
from evals.runner import ResultsLog, RunHeader, RunSpec, run_cases  # noqa: E402

GOAL_S = 30.0
quiet_instructor_logs()  # each invalid recorded answer would print an ERROR line; the report counts them
# Requests match on method, path and body, so any host works: nothing listens there during replay.
REPLAY = {"backend": "openai", "base_url": "http://127.0.0.1:8765/v1", "model": "escalate-embedded", "max_retries": 0}


BEFORE_ANY_CALL = BudgetError.__name__  # refused before sending: needs no recording


def replay(prompt: str, sample: int, workdir: Path) -> tuple[float, Counter[str], str]:
    cassette = REPO / "evals" / ".recordings" / f"public-dev-sample{sample}_{prompt.replace('@', '_')}.yaml"
    if not cassette.exists():
        sys.exit(f"{cassette.relative_to(REPO)} is missing: run evals/run_dev_eval.sh first (SAMPLE={sample})")
    started = time.perf_counter()
    dataset = _select(load_dataset("public-dev"), [], None, sample)
    service = build_drafting_service(load_settings(**REPLAY), prompt_ref=prompt)
    spec = RunSpec(prompt=prompt, model="openai:escalate-embedded")
    header = RunHeader(prompt=prompt, model=spec.model, dataset_sha256=dataset.sha256, repeats=1)
    with use_cassette(cassette):
        outcomes = run_cases(dataset.cases, drafter_for(service), spec, ResultsLog(workdir / f"{prompt}.jsonl", header),
                             progress=False)  # fmt: skip
    build_report(
        name=f"replay-{prompt}", command="bench/bench_eval_replay.py", prompt=PromptInfo(ref=prompt),
        backend="openai", model=spec.model, dataset=dataset, outcomes=outcomes,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    # replayed: the cassette answered; else the error's type (a case it does not hold fails at once).
    kinds = Counter("replayed" if o.replayed else (o.error or "no model call").split(":")[0] for o in outcomes)
    return seconds, kinds, dataset.name


def recorded_seconds(prompt: str, dataset_name: str) -> float | None:
    # Reports are named after the dataset selection: "public-devsample40__brief-v1__<model>" for a
    # sample, "public-dev__brief-v1__<model>" when the sample is every row.
    for path in sorted((REPO / "evals" / "reports").glob(f"{dataset_name}__{prompt.split('@')[0]}-*.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        # Only cases the model answered live: a replayed case's latency is the cassette's.
        live = [c["outcome"] for c in report.get("cases", []) if not c["outcome"].get("replayed")]
        # Cases drafted N at once overlap: the sum over N is about the wall-clock drafting time.
        return sum(o.get("latency_s") or 0.0 for o in live) / max(report.get("concurrency", 1), 1) or None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=160)
    args = parser.parse_args()
    total, complete = 0.0, True
    with tempfile.TemporaryDirectory() as tmp:
        for prompt in ("baseline@v1", "brief@v1"):
            seconds, kinds, dataset_name = replay(prompt, args.sample, Path(tmp))
            total += seconds
            n, answered = sum(kinds.values()), kinds["replayed"]
            missing = n - answered - kinds[BEFORE_ANY_CALL]
            complete &= missing == 0
            live = recorded_seconds(prompt, dataset_name)
            shown = f"; the recorded run drafted for {live:,.0f} s ({live / seconds:,.0f}x longer)" if live else ""
            others = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()) if k != "replayed")
            print(f"{prompt:12} {n} cases in {seconds:5.1f} s ({seconds / n * 1000:.0f} ms each): "
                  f"{answered} answered from the cassette; {others or 'none failed'}{shown}")  # fmt: skip
    if not complete:
        print(f"both prompts: {total:.1f} s, but the recordings miss cases: no verdict (evals/run_dev_eval.sh)")
        sys.exit(1)
    verdict = "met" if total < GOAL_S else "NOT met"
    print(f"dev-set eval replay, both prompts: {total:.1f} s (goal < {GOAL_S:.0f} s) -> {verdict}")


if __name__ == "__main__":
    main()

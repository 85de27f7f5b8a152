"""Redaction throughput: our pipeline next to Presidio's default AnalyzerEngine on the same text.

    /work/venv/bin/python bench/bench_redaction.py [--size-mb 1.0] [--repeat 3] [--skip-baseline]

Presidio's default AnalyzerEngine() loads the spaCy model en_core_web_lg, which it downloads on
first use; this machine has no network, so the baseline is Presidio's *default recognizer
registry* (all 17 predefined English recognizers, its phone recognizer, its context enhancer)
over the NoOpNlpEngine: everything of the default pipeline except spaCy's NER. The script says
which baseline it ran. Our figure includes every secret detector, the PII and name detectors and
the look-alike rules; the baseline finds no secrets at all. Goal: ours >= 5x faster on the 1 MB log.
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from logsynth import synth_log  # noqa: E402

from app.core.redaction import redact  # noqa: E402
from app.core.redaction.pii import ENTITIES  # noqa: E402

TICKETS = REPO.parent / "shared" / "datasets" / "public-dev.jsonl"


def baseline_engine() -> tuple[object, str]:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    try:
        return AnalyzerEngine(), "Presidio default AnalyzerEngine() (spaCy en_core_web_lg)"
    except Exception as exc:  # the model download fails offline; say so and fall back
        reason = f"{type(exc).__name__}: {str(exc)[:90]}"
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    nlp.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp)
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    label = (
        f"Presidio default recognizer registry ({len(registry.recognizers)} recognizers) over NoOpNlpEngine; "
        f"default AnalyzerEngine() could not load spaCy offline ({reason})"
    )
    return engine, label


def timed(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), found


def tickets_text() -> str:
    if not TICKETS.exists():
        return ""
    rows = [json.loads(line) for line in TICKETS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return "\n\n".join(str(row["input_text"]) for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=1.0, help="size of the synthetic log")
    parser.add_argument("--repeat", type=int, default=3, help="runs of our pipeline (median reported)")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    log, _ = synth_log(int(args.size_mb * 1_000_000))
    texts = {"synthetic multi-service log": log}
    tickets = tickets_text()
    if tickets:
        texts["160 public tickets (shared/datasets/public-dev.jsonl)"] = tickets
    redact("warm-up: jane@example.com")  # builds the analyzer once, as the app does
    engine, label = (None, "") if args.skip_baseline else baseline_engine()
    print(f"cpu count: {os.cpu_count()}")
    for name, text in texts.items():
        size_mb = len(text.encode("utf-8")) / 1_000_000
        print(f"\n{name}: {size_mb:.2f} MB, {text.count(chr(10)) + 1:,} lines")
        seconds, found = timed(lambda t=text: len(redact(t).items), args.repeat)
        print(
            f"  ours (all detectors: gitleaks rules, credentials, PII, names, look-alike rules): {seconds:.3f} s, "
            f"{size_mb / seconds:.2f} MB/s, {found} values masked (median of {args.repeat})"
        )
        if engine is None:
            continue
        for entities, what in ((None, "all entities"), (list(ENTITIES), "our 6 PII entities only")):
            seconds, found = timed(
                lambda t=text, e=entities: len(engine.analyze(text=t, language="en", entities=e)),  # type: ignore[attr-defined]
                1,
            )
            print(f"  baseline, {what}: {seconds:.3f} s, {size_mb / seconds:.2f} MB/s, {found} results (1 run)")
    if label:
        print(f"\nbaseline = {label}")


if __name__ == "__main__":
    main()

"""CI's eval gate: the smoke set drafted by the real pipeline, replayed from traffic recorded against
the embedded llama.cpp server (Qwen2.5-Coder-0.5B-Instruct Q4_K_M), held against evals/thresholds.toml.

Re-record after changing a prompt, the schema, redaction or condensing (body matching makes a stale
cassette fail loudly), with the server running (`escalate model serve --port 8765`):

    ESCALATE_TIMEOUT_S=900 ESCALATE_MAX_RETRIES=0 escalate eval --dataset smoke --prompt brief@v1 \
        --backend openai --base-url http://127.0.0.1:8765/v1 --model escalate-embedded \
        --cassette tests/evals/cassettes/smoke_brief_v1.yaml --record --no-cache --fresh

(and the same with baseline@v1 into smoke_baseline_v1.yaml). Then look at the report before
moving any threshold: thresholds follow measured figures, never the other way round.
"""

from pathlib import Path

import pytest

from app.core.llm.settings import load_settings
from app.services.factory import build_drafting_service
from evals.adapters import drafter_for
from evals.cases import load_dataset
from evals.cassette import use_cassette
from evals.compare import compare_reports
from evals.gate import check, load_thresholds
from evals.report import PromptInfo, Report, build_report
from evals.runner import ResultsLog, RunHeader, RunSpec, run_cases

CASSETTES = Path(__file__).with_name("cassettes")
RECORDED = {"backend": "openai", "base_url": "http://127.0.0.1:8765/v1", "model": "escalate-embedded", "max_retries": 0}


def replay(prompt: str, tmp_path: Path) -> Report:
    cassette = CASSETTES / f"smoke_{prompt.replace('@', '_')}.yaml"
    if not cassette.exists():
        pytest.fail(f"{cassette} is missing: record it (see this module's docstring)")
    dataset = load_dataset("smoke")
    settings = load_settings(**RECORDED)
    service = build_drafting_service(settings, prompt_ref=prompt)
    spec = RunSpec(prompt=prompt, model="openai:escalate-embedded")
    header = RunHeader(prompt=prompt, model=spec.model, dataset_sha256=dataset.sha256, repeats=1)
    with use_cassette(cassette):  # replay only: a request the cassette does not hold fails
        outcomes = run_cases(dataset.cases, drafter_for(service), spec, ResultsLog(tmp_path / "r.jsonl", header),
                             progress=False)  # fmt: skip
    return build_report(
        name=f"smoke-{prompt}", command="pytest tests/evals/test_eval_smoke.py", prompt=PromptInfo(ref=prompt),
        backend="openai", model=spec.model, dataset=dataset, outcomes=outcomes,
    )  # fmt: skip


def test_smoke_eval_meets_the_thresholds(tmp_path: Path) -> None:
    report = replay("brief@v1", tmp_path)
    errors = [s.outcome.error for s in report.scored() if not s.outcome.ok]
    assert not errors, errors  # a replay failure means the cassette no longer matches the requests
    # Replayed answers are marked, so no latency is reported from them.
    assert all(c.outcome.replayed for c in report.cases) and report.metrics["latency.p50"] is None
    failing = [r.describe() for r in check(report, load_thresholds()) if not r.passed]
    assert not failing, "\n".join(failing)


def test_smoke_baseline_replays_and_the_typed_approach_is_compared_on_the_same_model(tmp_path: Path) -> None:
    baseline = replay("baseline@v1", tmp_path / "baseline")
    brief = replay("brief@v1", tmp_path / "brief")
    comparison = compare_reports(baseline, brief, n_boot=200)
    assert comparison.shared_cases == len(load_dataset("smoke").cases) and not comparison.warnings
    assert all(c.outcome.ok and c.outcome.severity_rules is None for c in baseline.cases)

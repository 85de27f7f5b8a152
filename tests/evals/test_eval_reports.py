"""Reports, comparisons and the CI gate, built from fake-drafter runs."""

from pathlib import Path

import pytest

from app.core.errors import InputError
from evals.cases import SHARED_PUBLIC_DEV, Case, Dataset
from evals.compare import compare_reports, render_markdown
from evals.gate import Thresholds, check, load_thresholds
from evals.metrics import Scored, scalar_metrics
from evals.report import PromptInfo, Report, build_report, list_reports, load_report, write_report
from evals.runner import ResultsLog, RunHeader, RunSpec, run_cases
from tests.evals.conftest import FakeDrafter


def make_report(tmp_path: Path, cases: list[Case], name: str, drafter: FakeDrafter, prompt: str = "brief@v1") -> Report:
    dataset = Dataset("conversations", cases, "evals/datasets/conversations.jsonl")
    spec = RunSpec(prompt=prompt, model="embedded:test-model")
    header = RunHeader(prompt=prompt, model=spec.model, dataset_sha256=dataset.sha256, repeats=1)
    outcomes = run_cases(cases, drafter, spec, ResultsLog(tmp_path / f"{name}.jsonl", header), progress=False)
    return build_report(
        name=name,
        command=f"escalate eval --dataset conversations --prompt {prompt}",
        prompt=PromptInfo(ref=prompt, sha256="f" * 64),
        backend="embedded",
        model=spec.model,
        dataset=dataset,
        outcomes=outcomes,
        policy="default@test",
    )


@pytest.fixture(scope="module")
def sample(conversations: list[Case]) -> list[Case]:
    return conversations[:20]


def test_a_report_round_trips_and_records_how_to_remake_it(tmp_path: Path, sample: list[Case]) -> None:
    report = make_report(tmp_path, sample, "brief-run", FakeDrafter(wrong={sample[0].id}, fail={sample[1].id}))
    json_path, md_path = write_report(report, tmp_path / "reports")
    loaded = load_report(json_path)
    assert loaded.metrics == report.metrics and loaded.command == report.command
    assert loaded.dataset.sha256 == Dataset("x", sample, "").sha256
    assert loaded.metrics["run.failed"] == 1
    assert all(c.gold.brief is None for c in loaded.cases)  # the reference brief stays in the dataset
    markdown = md_path.read_text(encoding="utf-8")
    for expected in (
        report.command,
        report.dataset.sha256[:12],
        "Confusion matrix (rules)",
        "Failed cases",
        f"`{sample[1].id}`",
        "BackendTimeout",
    ):
        assert expected in markdown
    assert sum(sum(row) for row in loaded.confusion["final"]) == 20
    assert list_reports(tmp_path / "reports") == [json_path]


def test_comparing_a_report_with_itself_changes_nothing(tmp_path: Path, sample: list[Case]) -> None:
    report = make_report(tmp_path, sample, "same", FakeDrafter(wrong={sample[2].id}))
    result = compare_reports(report, report, n_boot=200)
    assert result.shared_cases == 20 and not result.flips and not result.warnings
    for delta in result.deltas:
        if delta.delta is not None:
            assert delta.delta == 0 and delta.low == 0 and delta.high == 0


def test_a_better_prompt_shows_a_positive_interval_and_the_flipped_cases(tmp_path: Path, sample: list[Case]) -> None:
    wrong = {c.id for c in sample[:12]}
    a = make_report(tmp_path, sample, "baseline", FakeDrafter(wrong=wrong), prompt="baseline@v1")
    b = make_report(tmp_path, sample, "brief", FakeDrafter(wrong={sample[0].id}))
    result = compare_reports(a, b, n_boot=300, seed=7)
    accuracy = next(d for d in result.deltas if d.metric == "severity.final.accuracy")
    assert accuracy.delta == pytest.approx(11 / 20)
    assert accuracy.low is not None and accuracy.low > 0 and accuracy.verdict == "better"
    grounding = next(d for d in result.deltas if d.metric == "grounding.ungrounded_rate")
    assert grounding.delta is not None and grounding.delta < 0 and grounding.verdict == "better"
    flipped = {f.case_id for f in result.flips if f.what == "severity"}
    assert flipped == {c.id for c in sample[1:12]}
    assert all(f.became == "right" for f in result.flips)
    # Seeded: the same reports always give the same intervals.
    again = compare_reports(a, b, n_boot=300, seed=7)
    assert [(d.low, d.high) for d in again.deltas] == [(d.low, d.high) for d in result.deltas]
    markdown = render_markdown(result, a, b)
    assert "Cases that flipped" in markdown and "severity.final.accuracy" in markdown
    # One run per case: the reader is told the intervals leave out run-to-run variation.
    assert "resample cases, not runs" in markdown
    repeated = [x.model_copy(update={"repeats": 3}) for x in (a, b)]
    assert "resample cases, not runs" not in render_markdown(result, *repeated)


def test_different_datasets_or_models_are_flagged(tmp_path: Path, sample: list[Case]) -> None:
    a = make_report(tmp_path, sample[:10], "a", FakeDrafter())
    b = make_report(tmp_path, sample[5:], "b", FakeDrafter())
    b.model = "openai:other"
    result = compare_reports(a, b, n_boot=100)
    assert result.shared_cases == 5
    assert any("different datasets" in w for w in result.warnings)
    assert any("different models" in w for w in result.warnings)


def test_the_gate_fails_a_metric_below_its_floor(tmp_path: Path, sample: list[Case]) -> None:
    good = make_report(tmp_path, sample, "good", FakeDrafter())
    bad = make_report(tmp_path, sample, "bad", FakeDrafter(wrong={c.id for c in sample[:10]}, fail={sample[10].id}))
    thresholds = Thresholds(min={"severity.final.accuracy": 0.9}, max={"run.failed_rate": 0.0})
    assert all(r.passed for r in check(good, thresholds))
    results = {r.metric: r for r in check(bad, thresholds)}
    assert not results["severity.final.accuracy"].passed and not results["run.failed_rate"].passed
    assert results["severity.final.accuracy"].describe().startswith("FAIL severity.final.accuracy = 0.45")
    missing = check(good, Thresholds(min={"severity.final.no_such_metric": 0.1}))
    assert not missing[0].passed and "missing" in missing[0].describe()


def test_thresholds_file_errors_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[min]\n"severity.final.accuracy" = "high"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"min\.severity\.final\.accuracy"):
        load_thresholds(path)
    path.write_text("[floor]\n", encoding="utf-8")
    with pytest.raises(InputError, match="floor"):
        load_thresholds(path)
    with pytest.raises(InputError, match="does not exist"):
        load_thresholds(tmp_path / "none.toml")
    assert load_thresholds().min  # the committed file parses and gates something


def test_a_file_that_is_not_a_report_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"name": "x"}', encoding="utf-8")
    with pytest.raises(InputError, match="not an eval report"):
        load_report(path)


@pytest.mark.skipif(not SHARED_PUBLIC_DEV.exists(), reason="../shared/datasets is not next to this checkout")
def test_reports_keep_no_text_of_tickets_whose_licence_forbids_copies() -> None:
    from evals.cases import Dataset, load_dataset
    from evals.outcome import Outcome
    from evals.report import WITHHELD, PromptInfo, build_report

    dataset = load_dataset("public-dev")
    restricted = next(c for c in dataset.cases if c.attribution.source not in ("gitbugs", "farsec"))
    open_row = next(c for c in dataset.cases if c.attribution.source == "gitbugs")
    quoted = "the brief quotes the ticket: " + restricted.input.text[:60]
    outcomes = [
        Outcome(case_id=c.id, brief_text=quoted if c is restricted else "open words", severity_final="sev2")
        for c in (restricted, open_row)
    ]
    subset = Dataset("two", [restricted, open_row], dataset.origin)
    report = build_report(
        name="t", command="t", prompt=PromptInfo(ref="brief@v1"), backend="openai", model="m",
        dataset=subset, outcomes=outcomes,
    )  # fmt: skip
    kept = {r.id: r.outcome.brief_text for r in report.cases}
    assert kept == {restricted.id: WITHHELD, open_row.id: "open words"}
    assert restricted.input.text[:60] not in report.model_dump_json()


def test_replayed_answers_do_not_count_as_latency(tmp_path: Path, sample: list[Case]) -> None:
    measured = make_report(tmp_path, sample[:4], "measured", FakeDrafter())
    assert measured.metrics["latency.n"] == 4 and measured.metrics["latency.p50"] is not None
    dataset = Dataset("conversations", sample[:4], "evals/datasets/conversations.jsonl")
    outcomes = [c.outcome.model_copy(update={"replayed": i < 3}) for i, c in enumerate(measured.cases)]
    mixed = build_report(
        name="mixed", command="escalate eval --cassette c.yaml --record", prompt=PromptInfo(ref="brief@v1"),
        backend="embedded", model="embedded:test-model", dataset=dataset, outcomes=outcomes,
    )  # fmt: skip
    assert mixed.metrics["latency.n"] == 1
    assert mixed.metrics["latency.p50"] == outcomes[3].latency_s
    assert mixed.metrics["severity.final.accuracy"] == measured.metrics["severity.final.accuracy"]
    _, md_path = write_report(mixed, tmp_path / "reports")
    assert "Latency: measured on 1 of 4 answered cases" in md_path.read_text(encoding="utf-8")
    replayed = [o.model_copy(update={"replayed": True}) for o in outcomes]
    assert (
        scalar_metrics([Scored(c.gold, o) for c, o in zip(measured.cases, replayed, strict=True)])["latency.p50"]
        is None
    )

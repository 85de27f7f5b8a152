"""The runner with a fake drafter: concurrency, cache, resuming, failures scored 0."""

import json
import time
from pathlib import Path

import pytest

from app.core.errors import InputError
from evals.cases import Case
from evals.runner import ResponseCache, ResultsLog, RunHeader, RunSpec, cache_key, run_cases
from tests.evals.conftest import FakeDrafter, make_case

SPEC = RunSpec(prompt="brief@v1", model="embedded:test-model", concurrency=3)


def log(tmp_path: Path, repeats: int = 1, sha: str = "abc") -> ResultsLog:
    header = RunHeader(prompt=SPEC.prompt, model=SPEC.model, dataset_sha256=sha, repeats=repeats)
    return ResultsLog(tmp_path / "run.jsonl", header)


def test_every_case_is_drafted_once_in_dataset_order(tmp_path: Path, cases: list[Case]) -> None:
    drafter = FakeDrafter()
    outcomes = run_cases(cases, drafter, SPEC, log(tmp_path), progress=False)
    assert [o.case_id for o in outcomes] == ["c1", "c2", "c3", "c4"]
    assert sorted(drafter.calls) == ["c1", "c2", "c3", "c4"]
    lines = (tmp_path / "run.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["header"]["prompt"] == "brief@v1" and len(lines) == 5


def test_a_failing_case_scores_zero_and_the_run_goes_on(tmp_path: Path, cases: list[Case]) -> None:
    outcomes = run_cases(cases, FakeDrafter(fail={"c2"}), SPEC, log(tmp_path), progress=False)
    failed = [o for o in outcomes if not o.ok]
    assert [o.case_id for o in failed] == ["c2"]
    assert failed[0].error == "BackendTimeout: model server timed out on c2"
    assert failed[0].severity_final is None
    assert sum(o.ok for o in outcomes) == 3


def test_an_unexpected_exception_is_recorded_too(tmp_path: Path, cases: list[Case]) -> None:
    def broken(case: Case):  # type: ignore[no-untyped-def]
        raise KeyError("choices")

    outcomes = run_cases(cases[:1], broken, SPEC, log(tmp_path), progress=False)
    assert outcomes[0].error == "KeyError: 'choices'"


def test_a_rerun_skips_done_cases_and_retries_failed_ones(tmp_path: Path, cases: list[Case]) -> None:
    run_cases(cases, FakeDrafter(fail={"c3"}), SPEC, log(tmp_path), progress=False)
    second = FakeDrafter()
    outcomes = run_cases(cases, second, SPEC, log(tmp_path), progress=False)
    assert second.calls == ["c3"]
    assert all(o.ok for o in outcomes)
    fresh = FakeDrafter()
    run_cases(cases, fresh, SPEC, log(tmp_path), fresh=True, progress=False)
    assert sorted(fresh.calls) == ["c1", "c2", "c3", "c4"]


def test_a_results_line_cut_short_by_a_crash_is_drafted_again(tmp_path: Path, cases: list[Case]) -> None:
    run_cases(cases, FakeDrafter(), SPEC, log(tmp_path), progress=False)
    path = tmp_path / "run.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:-1], lines[-1][:40]]) + "\n")
    again = FakeDrafter()
    run_cases(cases, again, SPEC, log(tmp_path), progress=False)
    assert len(again.calls) == 1


def test_results_of_another_run_are_not_mixed_in(tmp_path: Path, cases: list[Case]) -> None:
    run_cases(cases, FakeDrafter(), SPEC, log(tmp_path), progress=False)
    with pytest.raises(InputError, match=r"holds results of another run.*--fresh"):
        run_cases(cases, FakeDrafter(), SPEC, log(tmp_path, sha="different"), progress=False)
    (tmp_path / "run.jsonl").write_text("not json\n")
    with pytest.raises(InputError, match="not a results file"):
        run_cases(cases, FakeDrafter(), SPEC, log(tmp_path), progress=False)


def test_the_cache_answers_repeat_runs_and_never_keeps_failures(tmp_path: Path, cases: list[Case]) -> None:
    cache = ResponseCache(tmp_path / "cache")
    run_cases(cases, FakeDrafter(fail={"c4"}), SPEC, log(tmp_path / "a"), cache=cache, progress=False)
    second = FakeDrafter()
    outcomes = run_cases(cases, second, SPEC, log(tmp_path / "b"), cache=cache, progress=False)
    assert second.calls == ["c4"]
    assert [o.case_id for o in outcomes] == ["c1", "c2", "c3", "c4"]
    other_model = FakeDrafter()
    spec = RunSpec(prompt="brief@v1", model="openai:other")
    header = RunHeader(prompt="brief@v1", model="openai:other", dataset_sha256="abc", repeats=1)
    run_cases(cases, other_model, spec, ResultsLog(tmp_path / "c.jsonl", header), cache=cache, progress=False)
    assert len(other_model.calls) == 4


def test_cache_key_covers_prompt_model_input_and_repeat() -> None:
    case = make_case("k")
    base = cache_key("brief@v1", "m", case, 0)
    assert base == cache_key("brief@v1", "m", make_case("other-id", text=case.input.text), 0)  # id is not input
    assert base != cache_key("brief@v2", "m", case, 0)
    assert base != cache_key("brief@v1", "m2", case, 0)
    assert base != cache_key("brief@v1", "m", case, 1)
    assert base != cache_key("brief@v1", "m", make_case("k", text="another ticket"), 0)


def test_repeats_sample_each_case_again(tmp_path: Path, cases: list[Case]) -> None:
    drafter = FakeDrafter()
    spec = RunSpec(prompt=SPEC.prompt, model=SPEC.model, repeats=2, concurrency=2)
    outcomes = run_cases(cases, drafter, spec, log(tmp_path, repeats=2), progress=False)
    assert len(drafter.calls) == 8
    assert [(o.case_id, o.repeat) for o in outcomes][:5] == [("c1", 0), ("c2", 0), ("c3", 0), ("c4", 0), ("c1", 1)]


def test_bad_settings_are_refused(tmp_path: Path, cases: list[Case]) -> None:
    with pytest.raises(InputError, match="at least 1"):
        run_cases(cases, FakeDrafter(), RunSpec(prompt="p", model="m", concurrency=0), log(tmp_path))


def test_ctrl_c_stops_queued_cases_and_keeps_finished_ones(tmp_path: Path) -> None:
    many = [make_case(f"k{i}") for i in range(10)]
    drafter = FakeDrafter()

    def interrupted(case: Case):  # type: ignore[no-untyped-def]
        if case.id == "k1":
            raise KeyboardInterrupt
        time.sleep(0.05)  # a model takes time; the interrupt lands while k2 is being drafted
        return drafter(case)

    with pytest.raises(KeyboardInterrupt):
        run_cases(many, interrupted, RunSpec(prompt="p", model="m"), log(tmp_path), progress=False)
    assert len(drafter.calls) <= 2  # k0, and at most the one a worker had already picked up
    resumed = FakeDrafter()
    run_cases(many, resumed, RunSpec(prompt="p", model="m"), log(tmp_path), progress=False)
    assert "k0" not in resumed.calls and len(resumed.calls) >= 8

"""`escalate eval ...` end to end with the fake drafter in place of the model."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import app.cli.eval as eval_cli
import evals.report
from app.cli.main import app
from evals.cases import DATASETS_DIR, Case, load_dataset
from evals.report import load_report
from tests.evals.conftest import FakeDrafter

runner = CliRunner()


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    lines = (DATASETS_DIR / "conversations.jsonl").read_text(encoding="utf-8").splitlines()[:8]
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def drafters(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, FakeDrafter]:
    """Route every prompt to a fake drafter, and every file the CLI writes into tmp_path."""
    made: dict[str, FakeDrafter] = {}

    def fake(settings: object, prompt_ref: str) -> Callable[[Case], object]:
        baseline = prompt_ref.startswith("baseline")
        wrong = {"conv-01-api-outage-all-agents", "conv-02-saml-sso-eu-users"} if baseline else set()
        made[prompt_ref] = FakeDrafter(wrong=wrong)
        return made[prompt_ref]

    monkeypatch.setattr(eval_cli, "lazy_drafter", fake)
    monkeypatch.setattr(evals.report, "REPORTS_DIR", tmp_path / "reports")
    monkeypatch.setattr(eval_cli, "RUNS_DIR", tmp_path / "runs")
    return made


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["eval", *args])
    return result.exit_code, result.output


def test_eval_writes_json_and_markdown_reports(dataset: Path, drafters: dict[str, FakeDrafter], tmp_path: Path) -> None:
    code, out = run(
        "--dataset", str(dataset), "--prompt", "brief@v1", "--no-progress", "--no-cache", "--concurrency", "2"
    )
    assert code == 0, out
    assert "severity.final.accuracy" in out and "report:" in out
    [path] = (tmp_path / "reports").glob("*.json")
    report = load_report(path)
    assert report.name == "mini__brief-v1__qwen2.5-coder-1.5b"
    assert report.command.startswith("escalate eval --dataset") and "--concurrency 2" in report.command
    assert report.prompt.ref == "brief@v1" and len(report.prompt.sha256) == 64
    assert report.model == "embedded:qwen2.5-coder-1.5b" and report.metrics["run.n"] == 8
    assert (tmp_path / "reports" / "mini__brief-v1__qwen2.5-coder-1.5b.md").exists()
    # Running the same command again resumes: nothing is drafted twice.
    code, _ = run("--dataset", str(dataset), "--no-progress", "--no-cache")
    assert code == 0 and len(drafters["brief@v1"].calls) == 0


def test_a_report_says_what_it_gains_over_the_prose_baseline(
    dataset: Path, drafters: dict[str, FakeDrafter], tmp_path: Path
) -> None:
    assert run("--dataset", str(dataset), "--prompt", "baseline@v1", "--no-progress", "--no-cache")[0] == 0
    assert run("--dataset", str(dataset), "--prompt", "brief@v1", "--no-progress", "--no-cache")[0] == 0
    brief = load_report(tmp_path / "reports" / "mini__brief-v1__qwen2.5-coder-1.5b.json")
    assert brief.baseline is not None and brief.baseline.prompt == "baseline@v1"
    gain = {d["metric"]: d for d in brief.baseline.deltas}
    assert gain["severity.final.accuracy"]["delta"] == pytest.approx(2 / 8)
    md = (tmp_path / "reports" / "mini__brief-v1__qwen2.5-coder-1.5b.md").read_text(encoding="utf-8")
    assert "Gain over the prose baseline" in md

    code, out = run(
        "compare",
        str(tmp_path / "reports" / "mini__baseline-v1__qwen2.5-coder-1.5b.json"),
        str(tmp_path / "reports" / "mini__brief-v1__qwen2.5-coder-1.5b.json"),
        "--boot",
        "200",
    )
    assert code == 0, out
    assert "Cases that flipped" in out and "conv-01-api-outage-all-agents" in out
    # The saved names keep the whole model name ("...coder-1.5b"), dots included.
    stem = "compare-mini__baseline-v1__qwen2.5-coder-1.5b-vs-mini__brief-v1__qwen2.5-coder-1.5b"
    saved = json.loads((tmp_path / "reports" / f"{stem}.json").read_text(encoding="utf-8"))
    assert saved["shared_cases"] == 8 and saved["n_boot"] == 200
    assert (tmp_path / "reports" / f"{stem}.md").exists()


def test_gate_exit_codes(dataset: Path, drafters: dict[str, FakeDrafter], tmp_path: Path) -> None:
    run("--dataset", str(dataset), "--no-progress", "--no-cache")
    report = str(tmp_path / "reports" / "mini__brief-v1__qwen2.5-coder-1.5b.json")
    passing = tmp_path / "ok.toml"
    passing.write_text('[min]\n"severity.final.accuracy" = 0.9\n[max]\n"run.failed_rate" = 0\n', encoding="utf-8")
    code, out = run("gate", report, "--thresholds", str(passing))
    assert code == 0 and "ok   severity.final.accuracy = 1" in out
    failing = tmp_path / "strict.toml"
    failing.write_text('[min]\n"facts.error_codes" = 1.01\n', encoding="utf-8")
    code, out = run("gate", report, "--thresholds", str(failing))
    assert code == 1 and "FAIL facts.error_codes" in out


def test_bad_input_gets_a_one_line_message(tmp_path: Path, drafters: dict[str, FakeDrafter]) -> None:
    code, out = run("--dataset", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "does not exist" in out
    code, out = run("--dataset", "conversations", "--prompt", "nosuch@v9", "--no-progress")
    assert code == 2 and "no prompt named 'nosuch'" in out
    code, out = run("--dataset", "conversations", "--tag", "no-such-tag")
    assert code == 2 and "no case of conversations matches" in out
    code, out = run("gate", str(tmp_path / "none.json"))
    assert code == 2 and "does not exist" in out
    code, out = run()
    assert code == 2 and "--dataset" in out


def test_export_reviewed_on_an_empty_store(tmp_path: Path) -> None:
    out = tmp_path / "reviewed.jsonl"
    code, text = run("export-reviewed", "--out", str(out), "--db-url", f"sqlite:///{tmp_path / 'e.db'}")
    assert code == 0 and "0 new case(s)" in text


def test_export_reviewed_to_a_path_it_cannot_write_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("kept\n", encoding="utf-8")
    code, text = run("export-reviewed", "--out", str(blocker / "reviewed.jsonl"), "--db-url", "sqlite://")
    assert code == 2 and f"cannot write the cases to {blocker / 'reviewed.jsonl'}" in text
    assert "Traceback" not in text and blocker.read_text(encoding="utf-8") == "kept\n"


def test_sample_takes_every_source_in_turn_spread_over_each_file() -> None:
    dataset = load_dataset("public-open")  # committed rows: 40 GitBugs + 20 FARSEC
    sources = {c.attribution.source for c in dataset.cases}
    picked = eval_cli._select(dataset, [], None, sample=10)
    assert len(picked.cases) == 10 and picked.name.endswith("sample10")
    assert {c.attribution.source for c in picked.cases} == sources
    counts = {s: sum(c.attribution.source == s for c in picked.cases) for s in sources}
    assert set(counts.values()) == {5}  # in turn, not the first source's first ten
    # Spread over each source's rows, not its first few; and the same cases every time.
    gitbugs = [c.id for c in dataset.cases if c.attribution.source == "gitbugs"]
    positions = sorted(gitbugs.index(c.id) for c in picked.cases if c.attribution.source == "gitbugs")
    assert positions[-1] - positions[0] > len(gitbugs) // 2
    assert [c.id for c in eval_cli._select(dataset, [], None, sample=10).cases] == [c.id for c in picked.cases]

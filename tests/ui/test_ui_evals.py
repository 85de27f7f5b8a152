"""The Evals page (app/ui/views/evals.py) drawing saved reports made by fake-drafter runs."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.core.users import Role
from app.services.auth import Principal
from app.ui import state
from app.ui.views.evals import PICK_A, PICK_B, PICK_SOURCE, VERDICT_PICK
from evals.cases import Dataset, load_dataset
from evals.report import REPORTS_DIR, PromptInfo, build_report, list_reports, load_report, write_report
from evals.runner import ResultsLog, RunHeader, RunSpec, run_cases
from tests.evals.conftest import FakeDrafter

VIEW = Path(__file__).resolve().parents[2] / "app" / "ui" / "views" / "evals.py"


def save_report(root: Path, prompt: str, drafter: FakeDrafter) -> None:
    cases = load_dataset("conversations").cases[:12]
    dataset = Dataset("conversations", cases, "evals/datasets/conversations.jsonl")
    spec = RunSpec(prompt=prompt, model="embedded:test-model")
    header = RunHeader(prompt=prompt, model=spec.model, dataset_sha256=dataset.sha256, repeats=1)
    outcomes = run_cases(cases, drafter, spec, ResultsLog(root / f"{prompt}.jsonl", header), progress=False)
    report = build_report(
        name=prompt.replace("@", "-"),
        command="escalate eval",
        prompt=PromptInfo(ref=prompt),
        backend="embedded",
        model=spec.model,
        dataset=dataset,
        outcomes=outcomes,
    )
    write_report(report, root)


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ESCALATE_EVAL_REPORTS", str(tmp_path))
    at = AppTest.from_file(str(VIEW), default_timeout=60)
    at.session_state[state.PRINCIPAL] = Principal("rui", Role.reviewer)
    return at


def test_without_reports_the_page_says_how_to_make_one(page: AppTest) -> None:
    page.run()
    assert not page.exception
    assert "escalate eval --dataset" in page.info[0].value


def test_charts_and_a_comparison_from_saved_reports(page: AppTest, tmp_path: Path) -> None:
    cases = load_dataset("conversations").cases[:12]
    save_report(tmp_path, "baseline@v1", FakeDrafter(wrong={c.id for c in cases[:6]}))
    save_report(tmp_path, "brief@v1", FakeDrafter(wrong={cases[0].id}))
    page.run()
    assert not page.exception
    assert page.title[0].value == "Evals"
    charts = page.get("arrow_vega_lite_chart") or page.get("vega_lite_chart")
    # Severity bars, confusion heatmap, fact bars, A-vs-B deltas.
    assert len(charts) == 4
    assert len(page.selectbox) == 2
    page.radio(key="evals.source").set_value("rules").run()
    assert not page.exception
    flips = page.dataframe[-1].value
    assert set(flips["case"]) == {c.id for c in cases[1:6]}


COMMITTED = list_reports(REPORTS_DIR)


def test_agents_are_told_the_page_is_not_theirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATE_EVAL_REPORTS", str(REPORTS_DIR))
    at = AppTest.from_file(str(VIEW), default_timeout=60)
    at.session_state[state.PRINCIPAL] = Principal("ana", Role.agent)
    at.run()
    assert not at.exception
    assert at.warning[0].value == "Eval reports are for reviewers and admins."
    assert not at.selectbox


@pytest.mark.parametrize(
    ("a", "b"),
    [(a, b) for a in COMMITTED for b in COMMITTED if a != b],
    ids=[f"{a.stem}|{b.stem}" for a in COMMITTED for b in COMMITTED if a != b],
)
def test_every_pair_of_committed_reports_draws_without_an_error(
    a: Path, b: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCALATE_EVAL_REPORTS", str(REPORTS_DIR))
    at = AppTest.from_file(str(VIEW), default_timeout=120)
    at.session_state[state.PRINCIPAL] = Principal("root", Role.admin)
    at.run()
    at.selectbox(key=PICK_A).set_value(a).run()
    at.selectbox(key=PICK_B).set_value(b).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key=PICK_A).value == a and at.selectbox(key=PICK_B).value == b
    for source in at.radio(key=PICK_SOURCE).options:
        at.radio(key=PICK_SOURCE).set_value(source).run()
        assert not at.exception, (source, at.exception)


def _case_ids(path: Path) -> set[str]:
    return {c.id for c in load_report(path).cases}


def test_the_committed_pairs_include_reports_that_share_no_cases() -> None:
    # The pair test above then covers a comparison with nothing in common, not only overlapping runs.
    assert any(not (_case_ids(a) & _case_ids(b)) for a in COMMITTED for b in COMMITTED if a != b)


TRIAGE = sorted((REPORTS_DIR / "triage").glob("triage__*.md"))


def test_every_committed_triage_report_draws_without_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    assert TRIAGE, "evals/reports/triage holds the verdict reports"
    monkeypatch.setenv("ESCALATE_EVAL_REPORTS", str(REPORTS_DIR))
    at = AppTest.from_file(str(VIEW), default_timeout=120)
    at.session_state[state.PRINCIPAL] = Principal("rui", Role.reviewer)
    at.run()
    assert list(at.selectbox(key=VERDICT_PICK).options) == [p.stem.removeprefix("triage__") for p in TRIAGE]
    for report in TRIAGE:
        at.selectbox(key=VERDICT_PICK).set_value(report).run()
        assert not at.exception, (report.name, at.exception)
        assert not at.error, [e.value for e in at.error]
        assert any(report.read_text(encoding="utf-8")[:40].strip() in m.value for m in at.markdown), report.name

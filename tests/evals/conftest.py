"""Eval-suite fixtures: a deterministic fake drafter (a test double, never a model) and tiny datasets."""

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import BackendTimeout
from app.core.extract import Extraction, ProseCompletion
from app.core.grounding import brief_texts
from app.core.prompts import PromptFile
from evals.cases import Attribution, Case, Facts, Gold, load_dataset
from evals.outcome import FindingRef, Outcome
from schemas.brief import EscalationBrief
from schemas.common import Severity, Target
from schemas.draft import TicketInput
from schemas.finding import Level


class FakeDrafter:
    """Answers from each case's gold, with scripted mistakes and failures, and counts its calls."""

    def __init__(self, *, wrong: Iterable[str] = (), fail: Iterable[str] = ()) -> None:
        self.wrong = set(wrong)
        self.fail = set(fail)
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, case: Case) -> Outcome:
        with self._lock:
            self.calls.append(case.id)
        if case.id in self.fail:
            raise BackendTimeout(f"model server timed out on {case.id}")
        gold = case.gold
        severity = gold.severity or Severity.sev3
        if case.id in self.wrong:
            severity = Severity.sev4 if severity is not Severity.sev4 else Severity.sev1
        brief = gold.brief
        text = "\n".join(t for _, t in brief_texts(brief, include_evidence=False)) if brief else case.input.text
        return Outcome(
            case_id=case.id,
            valid=True,
            severity_model=severity,
            severity_rules=gold.severity,
            severity_final=severity,
            target_model=gold.target,
            target_rules=gold.target,
            target_final=gold.target,
            brief_text=text,
            customer_count=brief.impact.customers_affected if brief else None,
            reproduction_steps=bool(brief.reproduction.steps) if brief else False,
            workaround=bool(brief.workaround) if brief else False,
            identifiers=4,
            ungrounded=["ERR-999"] if case.id in self.wrong else [],
            findings=[FindingRef(rule=rule, level=Level.warning) for rule in gold.findings or []],
            prompt_tokens=100,
            completion_tokens=50,
            latency_s=1.0 + len(self.calls) % 3,
        )


class FakeExtractor:
    """Stands in for the model: returns a prepared brief or prose, and keeps what it was sent."""

    model_name = "fake-model"

    def __init__(self, brief: EscalationBrief | None = None, prose: str = "") -> None:
        self.brief, self.prose = brief, prose
        self.contexts: list[dict[str, Any]] = []

    def extract(self, prompt: PromptFile, context: dict[str, Any]) -> Extraction:
        self.contexts.append(context)
        return Extraction(
            brief=self.brief,
            valid=self.brief is not None,
            prompt_tokens=900,
            completion_tokens=300,
            attempts=1,
            latency_s=2.5,
        )

    def stream(self, prompt: PromptFile, context: dict[str, Any]) -> Iterator[dict[str, Any] | Extraction]:
        yield self.extract(prompt, context)

    def complete_text(self, prompt: PromptFile, context: dict[str, Any]) -> ProseCompletion:
        self.contexts.append(context)
        return ProseCompletion(text=self.prose, prompt_tokens=700, completion_tokens=250, latency_s=1.5)


def make_case(
    case_id: str,
    severity: Severity | None = Severity.sev2,
    target: Target | None = Target.engineering,
    text: str | None = None,
    **gold: object,
) -> Case:
    return Case(
        id=case_id,
        input=TicketInput(text=text or f"Ticket {case_id}: checkout fails for acct_1 with ERR_42"),
        gold=Gold(severity=severity, target=target, **gold),  # type: ignore[arg-type]
        attribution=Attribution(source="test", licence="MIT"),
    )


@pytest.fixture
def cases() -> list[Case]:
    return [
        make_case("c1", Severity.sev1, facts=Facts(account_ids=["acct_1"], error_codes=["ERR_42"])),
        make_case("c2", Severity.sev2),
        make_case("c3", Severity.sev3, Target.product),
        make_case("c4", Severity.sev4, Target.support_l2),
    ]


@pytest.fixture(scope="session")
def conversations() -> list[Case]:
    return load_dataset("conversations").cases


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[[str, list[dict[str, object]]], Path]:
    def write(name: str, rows: list[dict[str, object]]) -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return path

    return write

"""Approved briefs become dataset rows: the agent's corrections are the gold."""

from datetime import UTC, datetime
from pathlib import Path

from app.core.llm.settings import Settings
from app.core.policy import cached_policy
from app.core.rules import check_brief
from app.core.store import DraftRecord
from app.services.drafting import DraftingService
from evals.cases import Case, read_jsonl
from evals.reviewed import case_from_review, export_reviewed
from schemas.common import Severity, Target
from tests.evals.conftest import FakeExtractor


def approved(case: Case, draft_id: int = 7) -> DraftRecord:
    assert case.gold.brief is not None
    # The model got severity and target wrong; the agent corrected both and a reviewer approved.
    drafted = case.gold.brief.model_copy(update={"severity": Severity.sev4, "target": Target.product})
    service = DraftingService(FakeExtractor(drafted), settings=Settings(), backend_name="fake")
    result = service.draft(case.input)
    corrected = case.gold.brief
    now = datetime(2026, 10, 9, 17, 0, tzinfo=UTC)
    return DraftRecord(
        id=draft_id, author="ana", status="approved", version=3, created_at=now, updated_at=now,
        received_at=case.input.received_at or now, submitted_at=now, source_text=result.redacted_text,
        model_result=result.model_copy(update={"brief": drafted}), brief=corrected,
        findings=check_brief(corrected, result.redacted_text, cached_policy(), now),
        override_justification="", reviewed_by="rui", reviewed_at=now, review_reason="",
    )  # fmt: skip


def test_an_approved_brief_becomes_a_case_with_the_agents_corrections_as_gold(conversations: list[Case]) -> None:
    case = next(c for c in conversations if c.id.startswith("conv-14"))  # card number and phone in the ticket
    record = approved(case)
    row = case_from_review(record)
    assert row.id == "reviewed-7-v3"
    assert row.gold.severity == case.gold.severity and row.gold.target == case.gold.target
    assert row.gold.facts is not None and row.gold.facts.account_ids == ["acct_33092"]
    assert row.gold.brief == case.gold.brief
    # The drafted final severity is the assessment's, whatever the model said; the agent's sev3 differs.
    drafted = record.model_result.severity.final
    assert drafted != case.gold.severity
    assert "corrected" in row.tags and f"severity {drafted.value} -> sev3" in row.notes and "rui" in row.notes
    # Only the redacted ticket the store kept becomes input: the card number never leaves the store.
    assert "4111 1111 1111 1111" not in row.input.text and "acct_33092" in row.input.text


def test_export_appends_new_rows_once(conversations: list[Case], tmp_path: Path) -> None:
    records = [approved(conversations[0], 1), approved(conversations[2], 2)]
    out = tmp_path / "reviewed.jsonl"
    assert export_reviewed(records, out) == (2, 0)
    assert export_reviewed([*records, approved(conversations[3], 3)], out) == (1, 2)
    rows = read_jsonl(out)
    assert [r.id for r in rows] == ["reviewed-1-v3", "reviewed-2-v3", "reviewed-3-v3"]
    assert all(r.attribution.source == "reviewed" for r in rows)

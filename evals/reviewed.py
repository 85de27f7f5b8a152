"""Reviewer-approved briefs become eval cases: the brief the agent corrected and a reviewer approved
is the gold; the ticket is the redacted text the store keeps (the original never reaches it)."""

import json
from collections.abc import Iterable
from pathlib import Path

from app.core.errors import InputError
from app.core.store import DraftRecord, Store
from app.core.store.repo import get_draft, list_drafts
from evals.cases import Attribution, Case, Facts, Gold, read_jsonl
from schemas.draft import TicketInput


def approved_drafts(store: Store) -> list[DraftRecord]:
    with store.read() as session:
        return [get_draft(session, summary.id) for summary in list_drafts(session, statuses=["approved"])]


def _corrections(record: DraftRecord) -> list[str]:
    model = record.model_result
    changed = []
    if model.severity.final != record.brief.severity:
        changed.append(f"severity {model.severity.final.value} -> {record.brief.severity.value}")
    if model.target.final != record.brief.target:
        changed.append(f"target {model.target.final.value} -> {record.brief.target.value}")
    if model.brief is not None and model.brief.model_dump() != record.brief.model_dump():
        changed.append("brief edited")
    return changed


def case_from_review(record: DraftRecord) -> Case:
    brief = record.brief
    corrections = _corrections(record)
    return Case(
        id=f"reviewed-{record.id}-v{record.version}",
        input=TicketInput(text=record.source_text, received_at=record.received_at),
        gold=Gold(
            severity=brief.severity,
            target=brief.target,
            facts=Facts(
                account_ids=brief.diagnostics.account_ids,
                error_codes=brief.diagnostics.error_messages,
                customer_count=brief.impact.customers_affected,
                reproduction_steps=bool(brief.reproduction.steps),
                workaround=bool((brief.workaround or "").strip()),
            ),
            findings=sorted({f.rule for f in record.findings}),
            brief=brief,
        ),
        tags=["reviewed", *(["corrected"] if corrections else [])],
        notes=(
            f"Approved by {record.reviewed_by} on {record.reviewed_at:%Y-%m-%d}"
            if record.reviewed_at
            else f"Approved by {record.reviewed_by}"
        )
        + (f"; agent corrections: {', '.join(corrections)}" if corrections else "; accepted as drafted"),
        attribution=Attribution(source="reviewed", licence="internal: your organisation's own tickets"),
    )


def export_reviewed(records: Iterable[DraftRecord], out: Path) -> tuple[int, int]:
    """Append cases for approved drafts not yet in `out`; returns (written, already there)."""
    existing = {c.id for c in read_jsonl(out)} if out.exists() and out.stat().st_size else set()
    new = [case_from_review(r) for r in records]
    fresh = [c for c in new if c.id not in existing]
    lines = "".join(
        json.dumps(case.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False) + "\n" for case in fresh
    )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a", encoding="utf-8") as handle:  # built first: a bad case fails before the file is touched
            handle.write(lines)
    except OSError as exc:
        raise InputError(f"cannot write the cases to {out}: {exc.strerror or exc}") from exc
    return len(fresh), len(new) - len(fresh)

"""Drafts, versions, optimistic locking, and the database's own refusal of self-review."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from app.core.errors import ConflictError, NotFound, PermissionDenied, StoreError
from app.core.store import DraftRecord, Store, verify_chain
from app.core.store.migrate import alembic_config, current_revision
from app.core.store.models import DraftRow, ReviewRow
from app.core.store.repo import (
    add_review,
    brief_columns,
    create_draft,
    get_draft,
    list_drafts,
    list_versions,
    update_draft,
)
from schemas.common import Severity
from tests.store.builders import make_brief, make_result

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def new_draft(store: Store, author: str = "ana", summary: str = "Checkout down for acct-1234") -> DraftRecord:
    brief = make_brief(summary)
    with store.write() as session:
        return create_draft(
            session,
            author=author,
            at=T0,
            received_at=T0 - timedelta(hours=1),
            result=make_result(brief),
            brief=brief,
            findings=[],
        )


def edit(
    store: Store, draft: DraftRecord, summary: str, actor: str = "ana", expected: int | None = None
) -> DraftRecord:
    brief = draft.brief.model_copy(update={"summary": summary})
    with store.write() as session:
        return update_draft(
            session,
            draft.id,
            expected_version=draft.version if expected is None else expected,
            actor=actor,
            kind="edit",
            at=T0 + timedelta(minutes=1),
            changes=brief_columns(brief),
        )


def test_migrations_reach_head_and_rerun_harmlessly(store: Store) -> None:
    store.migrate()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(store.engine) == head
    store.migrate()
    assert current_revision(store.engine) == head


def test_migrations_go_down_and_up_again(store: Store) -> None:
    new_draft(store)
    with store.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert current_revision(store.engine) is None
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    store.migrate()
    assert new_draft(store).id == 1


def test_sqlite_runs_in_wal_with_full_sync(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.dispose()


def test_a_draft_round_trips_with_its_first_version(store: Store) -> None:
    draft = new_draft(store)
    assert draft.version == 1 and draft.status == "draft"
    with store.read() as session:
        again = get_draft(session, draft.id)
        versions = list_versions(session, draft.id)
    assert again.brief == draft.brief
    assert again.received_at == T0 - timedelta(hours=1)
    assert again.model_result.severity.rules is Severity.sev2
    assert [(v.version, v.kind, v.actor) for v in versions] == [(1, "created", "ana")]


def test_every_edit_is_a_version(store: Store) -> None:
    draft = new_draft(store)
    draft = edit(store, draft, "Checkout down for all stores")
    draft = edit(store, draft, "Checkout down for 40 stores")
    with store.read() as session:
        versions = list_versions(session, draft.id)
        summaries = list_drafts(session, author="ana")
    assert [v.brief.summary for v in versions] == [
        "Checkout down for acct-1234",
        "Checkout down for all stores",
        "Checkout down for 40 stores",
    ]
    assert draft.version == 3
    assert summaries[0].summary == "Checkout down for 40 stores"


def test_a_stale_edit_is_refused_and_names_who_changed_it(store: Store) -> None:
    draft = new_draft(store)
    edit(store, draft, "first writer wins", actor="ana")
    with pytest.raises(ConflictError, match=r"ana did 'edit' .* it is now draft \(you saw version 1, it is at 2\)"):
        edit(store, draft, "second writer loses", actor="ana", expected=1)
    with store.read() as session:
        assert get_draft(session, draft.id).brief.summary == "first writer wins"


def test_missing_draft_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="#999"), store.read() as session:
        get_draft(session, 999)


def test_two_writers_at_once_exactly_one_wins(store: Store) -> None:
    for _ in range(3):
        draft = new_draft(store)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def approve(
            reviewer: str,
            draft: DraftRecord = draft,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            barrier.wait()
            try:
                with store.write() as session:
                    update_draft(
                        session,
                        draft.id,
                        expected_version=draft.version,
                        actor=reviewer,
                        kind="approve",
                        at=T0,
                        changes={"status": "approved", "reviewed_by": reviewer, "reviewed_at": T0},
                    )
                outcomes.append("won")
            except ConflictError:
                outcomes.append("conflict")

        threads = [threading.Thread(target=approve, args=(name,)) for name in ("rui", "sam")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes) == ["conflict", "won"]
    with store.read() as session:
        assert verify_chain(session).ok


def test_concurrent_writers_keep_one_unbroken_chain(store: Store) -> None:
    errors: list[BaseException] = []

    def write_many(author: str) -> None:
        try:
            for i in range(5):
                new_draft(store, author=author, summary=f"{author} draft {i}")
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=write_many, args=(f"agent{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with store.read() as session:
        report = verify_chain(session)
    assert report.ok, report.problems
    assert report.entries == 20


def test_database_refuses_a_review_by_the_author(store: Store) -> None:
    draft = new_draft(store, author="ana")
    with pytest.raises(PermissionDenied), store.write() as session:
        add_review(session, draft=draft, reviewer="ana", decision="approved", reason="", at=T0)


def test_database_refuses_a_review_row_that_lies_about_the_author(store: Store) -> None:
    # Writing someone else's name as author to get past the CHECK breaks the composite foreign key.
    draft = new_draft(store, author="ana")
    with pytest.raises(StoreError), store.write() as session:
        session.add(
            ReviewRow(
                draft_id=draft.id, draft_version=1, author="bob", reviewer="ana", decision="approved", reason="", at=T0
            )
        )


def test_database_refuses_marking_a_draft_reviewed_by_its_author(store: Store) -> None:
    draft = new_draft(store, author="ana")
    with pytest.raises(PermissionDenied), store.write() as session:
        session.execute(
            text("UPDATE drafts SET status = 'approved', reviewed_by = author WHERE id = :id"), {"id": draft.id}
        )


def test_database_refuses_a_decision_without_a_reviewer(store: Store) -> None:
    draft = new_draft(store, author="ana")
    with pytest.raises(StoreError, match="decided_has_reviewer"), store.write() as session:
        session.execute(text("UPDATE drafts SET status = 'approved' WHERE id = :id"), {"id": draft.id})


def test_a_rejection_needs_a_reason_in_the_database(store: Store) -> None:
    draft = new_draft(store, author="ana")
    with pytest.raises(StoreError, match="reject_has_reason"), store.write() as session:
        add_review(session, draft=draft, reviewer="bob", decision="rejected", reason="", at=T0)


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    draft = new_draft(store)
    with pytest.raises(RuntimeError), store.write() as session:
        edit_row = session.scalars(select(DraftRow).where(DraftRow.id == draft.id)).one()
        edit_row.summary = "never committed"
        session.flush()
        raise RuntimeError("crash before commit")
    with store.read() as session:
        assert get_draft(session, draft.id).version == 1
        assert verify_chain(session).ok

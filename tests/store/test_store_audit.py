"""The audit log: every change leaves a link, the chain verifies, and tampering is found."""

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from app.core.errors import StoreError
from app.core.store import Store, verify_chain
from app.core.store.audit import GENESIS_HASH
from app.core.store.models import AuditRow
from app.core.store.repo import brief_columns, create_draft, update_draft
from tests.store.builders import make_brief, make_result

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _history(store: Store) -> None:
    brief = make_brief()
    with store.write() as session:
        draft = create_draft(
            session, author="ana", at=T0, received_at=T0, result=make_result(brief), brief=brief, findings=[]
        )
    for n in range(3):
        changed = draft.brief.model_copy(update={"summary": f"edit {n}"})
        with store.write() as session:
            draft = update_draft(
                session,
                draft.id,
                expected_version=draft.version,
                actor="ana",
                kind="edit",
                at=T0,
                changes=brief_columns(changed),
            )


def _drop_append_only_triggers(store: Store) -> None:
    # What an attacker with database access would do first; the chain must still give them away.
    with store.engine.begin() as connection:
        if store.dialect == "postgresql":
            connection.exec_driver_sql("DROP TRIGGER audit_log_append_only ON audit_log")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")


def test_each_change_is_one_linked_entry(store: Store) -> None:
    _history(store)
    with store.read() as session:
        report = verify_chain(session)
        rows = session.query(AuditRow).order_by(AuditRow.seq).all()
    assert report.ok, report.problems
    assert [r.action for r in rows] == ["draft.create", "draft.edit", "draft.edit", "draft.edit"]
    assert rows[0].prev_hash == GENESIS_HASH and rows[0].before_hash is None
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    # The after-state of one change is the before-state of the next.
    assert all(b.before_hash == a.after_hash for a, b in itertools.pairwise(rows))


@pytest.mark.breaks_audit_chain
def test_the_database_refuses_to_rewrite_the_log(store: Store) -> None:
    _history(store)
    with pytest.raises(StoreError, match="append-only"), store.write() as session:
        session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    with pytest.raises(StoreError, match="append-only"), store.write() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = 4"))


@pytest.mark.breaks_audit_chain
def test_an_altered_entry_is_found(store: Store) -> None:
    _history(store)
    _drop_append_only_triggers(store)
    with store.write() as session:
        session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    with store.read() as session:
        report = verify_chain(session)
    assert not report.ok
    assert "entry 2 was altered" in report.summary()


@pytest.mark.breaks_audit_chain
def test_a_removed_entry_is_found(store: Store) -> None:
    _history(store)
    _drop_append_only_triggers(store)
    with store.write() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    with store.read() as session:
        report = verify_chain(session)
    assert "entry 2 is missing" in report.summary()
    assert "entry 3 does not follow" in report.summary()


@pytest.mark.breaks_audit_chain
def test_a_truncated_tail_is_found(store: Store) -> None:
    _history(store)
    _drop_append_only_triggers(store)
    with store.write() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    with store.read() as session:
        assert "head does not match" in verify_chain(session).summary()


@pytest.mark.breaks_audit_chain
def test_a_draft_changed_behind_the_apps_back_is_found(store: Store) -> None:
    _history(store)
    with store.write() as session:
        session.execute(text("UPDATE drafts SET severity = 'sev4'"))
    with store.read() as session:
        report = verify_chain(session)
    assert report.problems == ["draft 1 differs from its last audited state (changed outside the app)"]

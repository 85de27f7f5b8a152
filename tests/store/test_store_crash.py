"""Killing a writer with SIGKILL loses only its open transaction: every commit survives and the
audit chain still verifies (SQLite: WAL + synchronous=FULL; PostgreSQL: the server rolls back)."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from app.core.policy import cached_policy
from app.core.store import Store, verify_chain
from app.core.store.repo import brief_columns, create_draft, get_draft, list_reviews, list_versions, update_draft
from app.core.users import Role
from app.services.auth import Principal
from app.services.review import ReviewService
from tests.store.builders import make_brief, make_result

REPO = Path(__file__).resolve().parents[2]


def _start_writer(url: str, draft_id: int, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.crash_writer", url, str(draft_id), mode],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def _new_draft(store: Store) -> int:
    brief = make_brief()
    now = datetime.now(UTC)
    with store.write() as session:
        return create_draft(
            session, author="ana", at=now, received_at=now, result=make_result(brief), brief=brief, findings=[]
        ).id


def _read_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise AssertionError(f"writer died early: {proc.stderr.read() if proc.stderr else ''}")
    return line.strip()


def _assert_intact(store: Store, draft_id: int, committed: int) -> int:
    """Everything reported committed is there, versions have no gaps, the chain verifies."""
    with store.read() as session:
        draft = get_draft(session, draft_id)
        versions = [v.version for v in list_versions(session, draft_id)]
        report = verify_chain(session)
    assert draft.version >= committed
    assert versions == list(range(1, draft.version + 1))
    assert draft.brief.summary != "never committed"
    assert report.ok, report.problems
    if store.dialect == "sqlite":
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    return draft.version


def test_kill_mid_transaction_keeps_every_commit(db_url: str, store: Store) -> None:
    draft_id = _new_draft(store)
    with _start_writer(db_url, draft_id, "hold") as proc:
        lines = [_read_line(proc) for _ in range(6)]
        assert lines[:5] == [f"COMMITTED {v}" for v in range(2, 7)] and lines[5] == "IN-TX"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    fresh = Store(db_url)
    try:
        version = _assert_intact(fresh, draft_id, committed=6)
        assert version == 6
        # The killed writer's lock is gone: the next writer goes straight on and the chain continues.
        with fresh.write() as session:
            brief = get_draft(session, draft_id).brief.model_copy(update={"summary": "after the crash"})
            update_draft(
                session,
                draft_id,
                expected_version=6,
                actor="ana",
                kind="edit",
                at=datetime.now(UTC),
                changes=brief_columns(brief),
            )
        _assert_intact(fresh, draft_id, committed=7)
    finally:
        fresh.dispose()


def test_kill_at_random_moments_while_writing(db_url: str, store: Store) -> None:
    draft_id = _new_draft(store)
    committed = 1
    for pause in (0.05, 0.13, 0.31):
        with _start_writer(db_url, draft_id, "hammer") as proc:
            deadline = time.monotonic() + pause
            while time.monotonic() < deadline or committed < 3:
                committed = int(_read_line(proc).split()[1])
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            assert proc.stdout is not None
            # Lines already written to the pipe were committed before the kill.
            for line in proc.stdout.read().split():
                if line.isdigit():
                    committed = max(committed, int(line))
        fresh = Store(db_url)
        try:
            committed = _assert_intact(fresh, draft_id, committed)
        finally:
            fresh.dispose()


def test_kill_during_an_approval_leaves_the_draft_waiting_and_the_chain_whole(db_url: str, store: Store) -> None:
    draft_id = _new_draft(store)
    with store.write() as session:
        update_draft(
            session, draft_id, expected_version=1, actor="ana", kind="submit", at=datetime.now(UTC),
            changes={"status": "submitted"},
        )  # fmt: skip
    with _start_writer(db_url, draft_id, "approve") as proc:
        assert _read_line(proc) == "IN-TX"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    fresh = Store(db_url)
    try:
        _assert_intact(fresh, draft_id, committed=2)
        with fresh.read() as session:
            draft = get_draft(session, draft_id)
            reviews = list_reviews(session, draft_id)
        # The approval never committed: no review row, the draft still waits, at the version submitted.
        assert (draft.status, draft.version, reviews) == ("submitted", 2, [])
        # After the restart another reviewer approves it normally and the chain goes on.
        policy = cached_policy(None)
        approved = ReviewService(fresh, policy).approve(Principal("rita", Role.reviewer), draft_id, expected_version=2)
        assert approved.status == "approved"
        _assert_intact(fresh, draft_id, committed=3)
    finally:
        fresh.dispose()

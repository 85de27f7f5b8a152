"""A writer process for the crash test: `python -m tests.store.crash_writer URL DRAFT_ID MODE`.

MODE 'hold': commit five edits, then open a sixth transaction, write, report IN-TX and wait to be
killed. MODE 'hammer': commit edits as fast as it can, reporting each one, until killed.
MODE 'approve': open the transaction ReviewService._decide writes (the review row, then the draft
marked approved, each with its audit entry), report IN-TX and wait to be killed.
Each line is printed only after its commit returned, so the parent knows what must survive.
"""

import sys
import time
from datetime import UTC, datetime

from app.core.store import Store
from app.core.store.repo import add_review, brief_columns, get_draft, update_draft


def edit(store: Store, draft_id: int, summary: str) -> int:
    with store.write() as session:
        draft = get_draft(session, draft_id)
        brief = draft.brief.model_copy(update={"summary": summary})
        return update_draft(
            session,
            draft_id,
            expected_version=draft.version,
            actor="writer",
            kind="autosave",
            at=datetime.now(UTC),
            changes=brief_columns(brief),
        ).version


def approve_and_hang(store: Store, draft_id: int) -> None:
    now = datetime.now(UTC)
    with store.write() as session:
        draft = get_draft(session, draft_id)
        add_review(session, draft=draft, reviewer="rita", decision="approved", reason="", at=now)
        update_draft(
            session,
            draft_id,
            expected_version=draft.version,
            actor="rita",
            kind="approve",
            at=now,
            changes={"status": "approved", "reviewed_by": "rita", "reviewed_at": now, "review_reason": ""},
        )
        session.flush()
        print("IN-TX", flush=True)
        time.sleep(300)


def main(url: str, draft_id: int, mode: str) -> None:
    store = Store(url)
    if mode == "approve":
        approve_and_hang(store, draft_id)
        return
    n = 0
    while mode == "hammer" or n < 5:
        n += 1
        print(f"COMMITTED {edit(store, draft_id, f'edit {n}')}", flush=True)
    with store.write() as session:
        draft = get_draft(session, draft_id)
        brief = draft.brief.model_copy(update={"summary": "never committed"})
        update_draft(
            session,
            draft_id,
            expected_version=draft.version,
            actor="writer",
            kind="autosave",
            at=datetime.now(UTC),
            changes=brief_columns(brief),
        )
        session.flush()
        print("IN-TX", flush=True)
        time.sleep(300)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])

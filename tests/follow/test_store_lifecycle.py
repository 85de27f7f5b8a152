"""The lifecycle tables on SQLite and PostgreSQL: the migration creates exactly the models, the
database's own constraints hold whatever code writes, and the audit chain catches an escalation
changed behind the app's back."""

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from app.core.errors import StoreError
from app.core.store import Store, verify_chain
from app.core.store.models import Base
from tests.follow.conftest import ANA, BUSINESS, Services


def test_the_migration_creates_exactly_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_the_database_refuses_an_acknowledged_escalation_without_who(services: Services) -> None:
    draft_id = services.approved()
    services.follow.send(ANA, draft_id)
    with pytest.raises(StoreError, match="ack_has_who"), services.store.write() as session:
        session.execute(text("UPDATE escalations SET state = 'acknowledged'"))
    with pytest.raises(StoreError, match="update_has_audience"), services.store.write() as session:
        session.execute(
            text(
                "INSERT INTO escalation_events (draft_id, at, actor, kind, body) "
                "VALUES (:d, :at, 'x', 'update', 'no audience')"
            ),
            {"d": draft_id, "at": BUSINESS},
        )


@pytest.mark.breaks_audit_chain
def test_an_escalation_changed_behind_the_apps_back_is_found(services: Services) -> None:
    draft_id = services.approved()
    services.follow.send(ANA, draft_id)
    with services.store.read() as session:
        assert verify_chain(session).ok
    with services.store.write() as session:
        session.execute(text("UPDATE escalations SET next_touch_at = :t"), {"t": BUSINESS + timedelta(days=9)})
    with services.store.read() as session:
        report = verify_chain(session)
    assert report.problems == [f"escalation {draft_id} differs from its last audited state (changed outside the app)"]

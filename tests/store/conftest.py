"""The store's tests run once on SQLite and once on PostgreSQL (when ESCALATE_TEST_PG_URL is set).

Each PostgreSQL test gets a database of its own, created from the server the URL points at and
dropped afterwards, so tests never see each other's rows.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url

from app.core.store import Store, verify_chain

PG_URL = os.environ.get("ESCALATE_TEST_PG_URL")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not PG_URL, reason="set ESCALATE_TEST_PG_URL to run on PostgreSQL"),
            ],
        ),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    assert PG_URL
    server = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"escalate_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def assert_audit_chain_holds(store: Store) -> None:
    with store.read() as session:
        report = verify_chain(session)
    assert report.ok, report.summary()


@pytest.fixture
def store(db_url: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    store = Store(db_url)
    store.migrate()
    yield store
    try:
        # Every test leaves a verifiable audit chain, except those that tamper with it on purpose.
        if request.node.get_closest_marker("breaks_audit_chain") is None:
            assert_audit_chain_holds(store)
    finally:
        store.dispose()

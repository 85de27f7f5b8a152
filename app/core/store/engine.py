"""One engine setup for SQLite (the default) and PostgreSQL (by URL), and the transaction scopes.

SQLite gets WAL (readers never block the writer), synchronous=FULL (a commit survives power
loss, not only a process crash) and a busy timeout. Its driver's own transaction handling is
switched off so that write transactions can begin IMMEDIATE: they take the write lock before
reading, so two writers queue instead of one failing with SQLITE_BUSY_SNAPSHOT half-way.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.core.errors import PermissionDenied, StoreError

BUSY_TIMEOUT_MS = 10_000
_WRITE = "escalate_write"
# CHECK constraints whose violation means "not allowed", not "broken data".
_PERMISSION_CONSTRAINTS = ("no_self_review", "reviewer_is_not_author")


def normalize_url(url: str) -> URL:
    """`postgresql://` means psycopg 3 here (the driver installed), not psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL with its password masked, for screens and logs."""
    return (make_url(url) if isinstance(url, str) else url).render_as_string(hide_password=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get(_WRITE) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_store_engine(url: str | URL) -> Engine:
    parsed = normalize_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        _configure_sqlite(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _describe(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


class Store:
    """The database: an engine plus the two kinds of transaction the services use."""

    def __init__(self, url: str | URL) -> None:
        self.url = normalize_url(url) if isinstance(url, str) else url
        self.engine = create_store_engine(self.url)
        self._writer = self.engine.execution_options(**{_WRITE: True})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return safe_url(self.url)

    def migrate(self) -> None:
        from app.core.store.migrate import upgrade_head  # alembic is only needed here

        upgrade_head(self._writer)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One atomic change: everything in the block commits together, or nothing does."""
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        except IntegrityError as exc:
            message = _describe(exc)
            if any(name in message for name in _PERMISSION_CONSTRAINTS):
                raise PermissionDenied("the database refused: a draft's author cannot review it") from exc
            raise StoreError(f"the database refused the change: {message}") from exc
        except OperationalError as exc:
            raise StoreError(f"the database is unavailable or busy, try again: {_describe(exc)}") from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            raise StoreError(f"the database is unavailable or busy, try again: {_describe(exc)}") from exc

    def dispose(self) -> None:
        self.engine.dispose()

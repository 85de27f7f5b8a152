"""Run the Alembic migrations from code: the app upgrades its database to head at start-up.

The Alembic configuration lives here instead of an alembic.ini, so the package needs no file
next to the working directory. Developers make a new revision with:
    python -c "from app.core.store.migrate import revision; revision('what changed')"
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from app.core.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any constant: concurrent app instances on one PostgreSQL take turns migrating.
_PG_MIGRATION_LOCK = 0x65736361


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade_head(engine: Engine) -> None:
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            command.upgrade(alembic_config(connection), "head")
    except CommandError as exc:
        raise StoreError(f"cannot migrate the database: {exc}") from exc


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def revision(message: str, url: str = "sqlite:///revision-scratch.db") -> None:
    """Autogenerate a new revision by comparing the models with a database at head."""
    from app.core.store.engine import create_store_engine

    engine = create_store_engine(url)
    upgrade_head(engine)
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)

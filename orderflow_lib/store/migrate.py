"""Programmatic Alembic: upgrade, downgrade and inspect the schema without an alembic.ini on disk."""

from __future__ import annotations

import threading

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from orderflow_lib.store.engine import writer

SCRIPT_LOCATION = "orderflow_lib.store:migrations"
_ALEMBIC_LOCK = (
    threading.Lock()
)  # Alembic's `context` and `op` are module globals: one run at a time


def alembic_config(connection: Connection | None = None) -> Config:
    """An in-memory Alembic config pointing at the packaged migrations (and `connection`, if given)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def revision_ids() -> list[str]:
    """Every revision id, oldest first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def head_revision() -> str:
    """The newest revision id."""
    return revision_ids()[-1]


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database forward to `revision` in one transaction (serialised across processes)."""
    with _ALEMBIC_LOCK, writer(engine).begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database back to `revision` ("base" empties it) in one transaction."""
    with _ALEMBIC_LOCK, writer(engine).begin() as connection:
        command.downgrade(alembic_config(connection), revision)

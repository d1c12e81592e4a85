"""Alembic environment: migrates the connection handed over by orderflow_lib.store.migrate.

On PostgreSQL a transaction-scoped advisory lock serialises concurrent start-ups (node and
notebook); on SQLite the caller's BEGIN IMMEDIATE does the same.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from orderflow_lib.core.errors import StoreError
from orderflow_lib.store.models import Base

MIGRATION_LOCK_KEY = 0x0F_10_57_0E


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if context.is_offline_mode() or not isinstance(_connection, Connection):
    raise StoreError(
        "store migrations run online through orderflow_lib.store.migrate, "
        "which passes an open connection"
    )
_run(_connection)

"""Dialect-aware INSERT ... ON CONFLICT for SQLite and PostgreSQL: idempotent inserts and upserts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from orderflow_lib.core.errors import StoreError
from orderflow_lib.store.models import Base


def _insert(session: Session, model: type[Base]) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise StoreError(f"the store supports sqlite and postgresql, not {name}")


def insert_ignore(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> int:
    """Insert `rows`, skipping any whose `keys` already exist; the number of rows inserted."""
    inserted = 0
    for row in rows:
        statement = (
            _insert(session, model)
            .values(dict(row))
            .on_conflict_do_nothing(index_elements=list(keys))
        )
        inserted += cast(CursorResult[Any], session.execute(statement)).rowcount
    return inserted


def upsert(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Insert `rows`, replacing the non-key columns of any row whose `keys` already exist."""
    for row in rows:
        statement = _insert(session, model).values(dict(row))
        changes = {name: statement.excluded[name] for name in row if name not in keys}
        session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changes))

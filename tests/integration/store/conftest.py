"""Store fixtures: every test runs on a fresh SQLite file and on an isolated PostgreSQL schema.

PostgreSQL comes from ORDERFLOW_TEST_DATABASE_URL; without it the PostgreSQL cases are skipped,
except under CI=true, where a missing or unreachable server fails them with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from orderflow_lib.store import Store, open_store

PG_ENV = "ORDERFLOW_TEST_DATABASE_URL"


def _postgres_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs PostgreSQL for the store tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server URL from ORDERFLOW_TEST_DATABASE_URL, checked reachable once."""
    url = os.environ.get(PG_ENV)
    if not url:
        _postgres_unavailable(f"{PG_ENV} is not set")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        _postgres_unavailable(f"PostgreSQL at {PG_ENV} is unreachable: {exc.__class__.__name__}")
    finally:
        engine.dispose()
    return url


def isolated_schema_url(server_url: str) -> Iterator[str]:
    """A URL whose connections use a new empty schema (search_path), dropped afterwards."""
    schema = f"of_store_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a SQLite file under tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'orderflow.sqlite'}"
        return
    server_url = request.getfixturevalue("postgres_url")
    yield from isolated_schema_url(server_url)


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """An empty PostgreSQL schema URL (PostgreSQL-only tests)."""
    yield from isolated_schema_url(postgres_url)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open, migrated store on `db_url`."""
    opened = open_store(db_url)
    try:
        yield opened
    finally:
        opened.close()

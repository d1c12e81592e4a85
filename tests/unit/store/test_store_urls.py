"""Database URL helpers: passwords never appear in messages; SQLite file paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderflow_lib.core.errors import StoreError
from orderflow_lib.store.urls import is_sqlite_memory, mask_url, parse_url, sqlite_file


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "postgresql+psycopg2://trader:pw@db:5432/of",
            "postgresql+psycopg2://trader:***@db:5432/of",
        ),
        ("postgresql://trader@db/of", "postgresql://trader@db/of"),
        ("sqlite:///data/orderflow.sqlite", "sqlite:///data/orderflow.sqlite"),
        ("garbage://trader:pw@host:notaport/x", "garbage://trader:***@host:notaport/x"),
    ],
)
def test_mask_url_hides_only_the_password(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_parse_url_when_not_a_url_then_store_error_masks_password() -> None:
    with pytest.raises(StoreError, match=r"'pg://u:\*\*\*@h:port/x' is not valid") as caught:
        parse_url("pg://u:hunter2@h:port/x")

    assert "hunter2" not in str(caught.value)


def test_sqlite_file_of_relative_url_is_relative_path() -> None:
    assert sqlite_file(parse_url("sqlite:///data/orderflow.sqlite")) == Path(
        "data/orderflow.sqlite"
    )


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_sqlite_file_of_memory_database_is_none(url: str) -> None:
    assert is_sqlite_memory(parse_url(url))
    assert sqlite_file(parse_url(url)) is None


def test_sqlite_file_of_postgres_url_is_none() -> None:
    assert sqlite_file(parse_url("postgresql://u@h/db")) is None

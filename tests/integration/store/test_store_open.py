"""open_store: embedded SQLite default, migration at start-up, clear errors naming the URL (masked)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from orderflow_lib.core.errors import StoreError
from orderflow_lib.store import open_store
from orderflow_lib.store.migrate import head_revision


def test_open_store_when_database_empty_then_migrated_to_head(db_url: str) -> None:
    with open_store(db_url) as store:
        revision = store.revision()
        store.ping()

    assert revision == head_revision()


def test_open_store_when_opened_again_then_nothing_to_migrate_and_data_kept(db_url: str) -> None:
    with open_store(db_url) as store:
        store.safety("live", "node").recent_denials(1)
    with open_store(db_url) as again:
        revision = again.revision()

    assert revision == head_revision()


def test_open_store_when_no_url_then_sqlite_file_under_data_folder_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("ORDERFLOW_CONFIG", raising=False)

    with open_store() as store:
        url = store.url

    assert url == "sqlite:///data/orderflow.sqlite"
    assert (tmp_path / "data" / "orderflow.sqlite").is_file()


def test_open_store_when_env_names_database_then_it_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "elsewhere" / "of.sqlite"
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", f"sqlite:///{target}")
    monkeypatch.delenv("ORDERFLOW_CONFIG", raising=False)

    with open_store() as store:
        dialect = store.dialect

    assert dialect == "sqlite"
    assert target.is_file()


def test_open_store_sqlite_uses_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'of.sqlite'}") as store, store.read() as session:
        journal = session.execute(text("PRAGMA journal_mode")).scalar()
        foreign_keys = session.execute(text("PRAGMA foreign_keys")).scalar()
        busy_timeout = session.execute(text("PRAGMA busy_timeout")).scalar()

    assert (journal, foreign_keys, busy_timeout) == ("wal", 1, 15_000)


def test_open_store_in_memory_sqlite_works_for_quick_notebooks() -> None:
    with open_store("sqlite://") as store:
        store.safety("synthetic", "notebook").recent_denials(1)
        revision = store.revision()

    assert revision == head_revision()


def test_open_store_when_postgres_unreachable_then_store_error_names_url_with_password_masked() -> (
    None
):
    url = "postgresql+psycopg2://trader:s3cret-pw@127.0.0.1:1/orderflow"

    with pytest.raises(StoreError) as caught:
        open_store(url)

    message = str(caught.value)
    assert "postgresql+psycopg2://trader:***@127.0.0.1:1/orderflow: opening failed" in message
    assert "s3cret-pw" not in message


def test_open_store_when_folder_cannot_be_created_then_store_error_names_folder(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")

    with pytest.raises(StoreError, match=r"cannot create folder .*data"):
        open_store(f"sqlite:///{blocker / 'orderflow.sqlite'}")


def test_open_store_when_file_is_not_a_database_then_store_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_bytes(b"these are notes, not a database" * 100)

    with pytest.raises(StoreError, match="opening failed: DatabaseError: file is not a database"):
        open_store(f"sqlite:///{bogus}")


def test_open_store_when_backend_unsupported_then_store_error() -> None:
    with pytest.raises(
        StoreError, match="unsupported database 'mysql'; expected one of sqlite, postgresql"
    ):
        open_store("mysql://trader:pw@localhost/of")


def test_open_store_when_url_malformed_then_store_error() -> None:
    with pytest.raises(StoreError, match="'not a url' is not valid"):
        open_store("not a url")


def test_open_store_when_database_is_from_a_newer_version_then_store_error(db_url: str) -> None:
    with open_store(db_url) as store, store.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))

    with pytest.raises(StoreError, match="newer orderflow"):
        open_store(db_url)

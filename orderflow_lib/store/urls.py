"""Database URLs: the embedded SQLite default, password masking for messages, SQLite file paths."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from orderflow_lib.core.errors import StoreError

DEFAULT_URL = "sqlite:///data/orderflow.sqlite"
"""The embedded default database: an SQLite file under data/."""


def parse_url(url: str) -> URL:
    """Parse `url` into a SQLAlchemy URL; StoreError (password masked) when it is not a database URL."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(
            f"database URL {mask_url(url)!r} is not valid: expected e.g. {DEFAULT_URL} "
            "or postgresql+psycopg2://user@host:5432/db"
        ) from exc


def mask_url(url: str | URL) -> str:
    """The URL as text with any password replaced by ***, safe for logs and error messages."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _mask_unparsable(url)


def _mask_unparsable(url: str) -> str:
    """Mask `user:password@` in text SQLAlchemy could not parse."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def is_sqlite(url: URL) -> bool:
    """True for any sqlite:// URL."""
    return url.get_backend_name() == "sqlite"


def is_sqlite_memory(url: URL) -> bool:
    """True for an in-memory SQLite database (`sqlite://` or `sqlite:///:memory:`)."""
    return is_sqlite(url) and url.database in (None, "", ":memory:")


def sqlite_file(url: URL) -> Path | None:
    """The database file of a file-based SQLite URL (relative to the working directory), else None."""
    if not is_sqlite(url) or is_sqlite_memory(url) or url.database is None:
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database)

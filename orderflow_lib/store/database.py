"""The Store: one database (SQLite file or PostgreSQL), migrated at open, handing out repositories.

`open_store(url)` is the entry point; `open_store(url, timeout_ms=500)` gives every statement a
deadline and the safety stores it hands out a DeadlineRunner (what the trading node uses). Each repository call runs in its own transaction; inside
`with store.atomic():` calls from one thread share one transaction, committed together or not at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from orderflow_lib.core.config import load_settings
from orderflow_lib.core.errors import StoreError
from orderflow_lib.risk.deadline import DeadlineRunner
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.timed_store import TimedSafetyStore
from orderflow_lib.store import migrate
from orderflow_lib.store.backtests import BacktestRepository
from orderflow_lib.store.engine import create_store_engine, store_error, writer
from orderflow_lib.store.market import (
    MarketSnapshotRepository,
    SignalRepository,
    SystemStatusRepository,
)
from orderflow_lib.store.orders import OrderRepository
from orderflow_lib.store.plans import PlanRepository
from orderflow_lib.store.positions import PositionRepository
from orderflow_lib.store.profiles import CvaArchiveRepository, ProfileRepository
from orderflow_lib.store.records import check_source
from orderflow_lib.store.safety import SafetyRepository
from orderflow_lib.store.safety_store import SqlSafetyStore
from orderflow_lib.store.urls import is_sqlite_memory, mask_url, parse_url, sqlite_file

SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def open_store(url: str | None = None, *, timeout_ms: int | None = None) -> Store:
    """Open (creating and migrating to the newest schema) the store at `url`.

    With `timeout_ms` (the node passes settings.store.timeout_ms) the database gives up on any
    statement after that long and safety stores run behind a DeadlineRunner of that deadline;
    migrations at open run without it.

    `url` defaults to settings.database_url (ORDERFLOW_DATABASE_URL, else the SQLite file
    data/orderflow.sqlite, whose folder is created). StoreError, naming the URL with its password
    masked, when the database cannot be reached or migrated.
    """
    parsed = parse_url(load_settings().database_url if url is None else url)
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise StoreError(
            f"store {mask_url(parsed)}: unsupported database {parsed.get_backend_name()!r}; "
            f"expected one of {', '.join(SUPPORTED_BACKENDS)}"
        )
    path = sqlite_file(parsed)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"store {mask_url(parsed)}: cannot create folder {path.parent}: {exc}"
            ) from exc
    engine = create_store_engine(parsed)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        migrate.upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise store_error(exc, parsed, "opening") from exc
    except CommandError as exc:
        engine.dispose()
        raise StoreError(
            f"store {mask_url(parsed)}: cannot migrate to {migrate.head_revision()}: {exc} "
            "(was the database written by a newer orderflow?)"
        ) from exc
    if timeout_ms is not None and not is_sqlite_memory(parsed):
        engine.dispose()
        engine = create_store_engine(parsed, timeout_ms=timeout_ms)
    return Store(engine, parsed, timeout_ms=timeout_ms)


class Store:
    """An open database with its repositories; close it (or use `with`) to release connections."""

    def __init__(self, engine: Engine, url: URL, *, timeout_ms: int | None = None) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._url = url
        self._local = threading.local()
        self.timeout_ms = timeout_ms
        self.deadline = None if timeout_ms is None else DeadlineRunner(timeout_ms / 1000, self.ping)

    @property
    def url(self) -> str:
        """The database URL with any password masked."""
        return mask_url(self._url)

    @property
    def dialect(self) -> str:
        """The database kind: "sqlite" or "postgresql"."""
        return self._engine.dialect.name

    def ping(self) -> None:
        """Check the database answers; StoreError naming the URL when it does not."""
        with self.read() as session:
            session.execute(text("SELECT 1"))

    def revision(self) -> str | None:
        """The schema revision the database is at."""
        try:
            return migrate.current_revision(self._engine)
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, "reading the schema revision") from exc

    def close(self) -> None:
        """Stop the deadline runner and release every pooled connection."""
        if self.deadline is not None:
            self.deadline.close()
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Run every repository call of this thread inside one transaction (nested blocks join it)."""
        if getattr(self._local, "session", None) is not None:
            yield
            return
        with self._transaction(self._writer, "atomic write") as session:
            self._local.session = session
            try:
                yield
            finally:
                self._local.session = None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (joins the current atomic block, if any)."""
        with self._session(self._engine, "read") as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for writing, committed on success and rolled back on any error."""
        with self._session(self._writer, "write") as session:
            yield session

    @contextmanager
    def _session(self, engine: Engine, action: str) -> Iterator[Session]:
        current: Session | None = getattr(self._local, "session", None)
        if current is not None:
            try:
                yield current
            except SQLAlchemyError as exc:
                raise store_error(exc, self._url, action) from exc
            return
        with self._transaction(engine, action) as session:
            yield session

    @contextmanager
    def _transaction(self, engine: Engine, action: str) -> Iterator[Session]:
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, action) from exc

    def orders(self, source: str) -> OrderRepository:
        """Orders and fills of one source."""
        return OrderRepository(self, check_source(source))

    def positions(self, source: str) -> PositionRepository:
        """Local positions of one source."""
        return PositionRepository(self, check_source(source))

    def safety(self, source: str, actor: str) -> SafetyRepository:
        """Safety state, denials, reject cooldowns and security log of one source; `actor` signs state saves."""
        return SafetyRepository(self, check_source(source), actor)

    def safety_store(self, source: str, actor: str) -> SafetyStore:
        """The risk layer's SafetyStore port backed by this database, for one source (behind the
        store's DeadlineRunner when it has one)."""
        store = SqlSafetyStore(self, check_source(source), actor)
        return store if self.deadline is None else TimedSafetyStore(store, self.deadline)

    @property
    def signals(self) -> SignalRepository:
        """Strategy signals."""
        return SignalRepository(self)

    @property
    def snapshots(self) -> MarketSnapshotRepository:
        """Market data snapshots."""
        return MarketSnapshotRepository(self)

    @property
    def status(self) -> SystemStatusRepository:
        """System status (balances, exchange rate, connections)."""
        return SystemStatusRepository(self)

    @property
    def profiles(self) -> ProfileRepository:
        """Daily and composite profiles."""
        return ProfileRepository(self)

    @property
    def archive(self) -> CvaArchiveRepository:
        """The CVA archive."""
        return CvaArchiveRepository(self)

    @property
    def plans(self) -> PlanRepository:
        """Trade plans and their reviews."""
        return PlanRepository(self)

    @property
    def backtests(self) -> BacktestRepository:
        """Backtest runs, to compare runs of the same settings."""
        return BacktestRepository(self)

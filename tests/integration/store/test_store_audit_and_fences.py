"""Audit entries keep wall-clock and market time apart (revision 0005), and a fence raised while
the database was down survives a crash: on SQLite and PostgreSQL (issue #19)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from store_builders import T0

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import StoreError
from orderflow_lib.core.timeconv import NS_PER_MINUTE, ns_to_ny, ny_to_ns
from orderflow_lib.risk import ProductionSafetyManager, SecurityEvent
from orderflow_lib.risk.fence_file import FenceFile, fence_file_path
from orderflow_lib.store import Store, open_store
from orderflow_lib.store.engine import create_store_engine
from orderflow_lib.store.migrate import downgrade, upgrade
from orderflow_lib.store.urls import parse_url, sqlite_file

BRACKET_FIELDS = "0004_orders_bracket_fields"
MARKET_TIME = "0005_security_log_market_time"
AUTH_KEY = "k" * 40
MARKET_NS = ny_to_ns(date(2025, 6, 3), time(11, 0))
WALL_NS = MARKET_NS + 68 * NS_PER_MINUTE


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the empty database, without migrating it."""
    url = parse_url(db_url)
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    created = create_store_engine(url)
    yield created
    created.dispose()


def test_security_event_when_saved_then_wall_and_market_time_read_back(store: Store) -> None:
    log = store.safety("replay", "node")
    log.record_security_event(SecurityEvent(WALL_NS, "FENCE_ACTIVATED", "internal", "x", MARKET_NS))
    log.record_security_event(SecurityEvent(WALL_NS + 1, "AUTH_FAILED", "10.0.0.1", "bad key"))

    assert [(e.ts_ns, e.market_ts_ns) for e in log.recent_security_events(5)] == [
        (WALL_NS + 1, None),
        (WALL_NS, MARKET_NS),
    ]


def test_upgrade_to_market_time_when_entries_exist_then_kept_with_null_market_time(
    engine: Engine, db_url: str
) -> None:
    upgrade(engine, BRACKET_FIELDS)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO security_log (source, ts_ns, event, address, detail) "
                "VALUES ('live', :ts, 'AUTH_FAILED', '10.0.0.1', 'bad key')"
            ),
            {"ts": T0},
        )

    upgrade(engine, MARKET_TIME)

    with open_store(db_url) as store:
        events = store.safety("live", "node").recent_security_events(5)
    assert events == [SecurityEvent(T0, "AUTH_FAILED", "10.0.0.1", "bad key", None)]


def test_downgrade_from_market_time_then_column_dropped_and_entries_kept(
    engine: Engine, db_url: str
) -> None:
    upgrade(engine)
    with open_store(db_url) as store:
        store.safety("live", "node").record_security_event(
            SecurityEvent(WALL_NS, "HALTED", "127.0.0.1", "by hand", MARKET_NS)
        )

    downgrade(engine, BRACKET_FIELDS)

    columns = {c["name"] for c in inspect(engine).get_columns("security_log")}
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT ts_ns, event FROM security_log")).all()
    assert "market_ts_ns" not in columns
    assert [tuple(row) for row in rows] == [(WALL_NS, "HALTED")]


class _Outage:
    """A SafetyStore that forwards to the SQL one until `down`, then raises StoreError."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.down = False

    def __getattr__(self, name: str) -> Callable[..., Any]:
        target = getattr(self.inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise StoreError(f"database unreachable ({name})")
            return target(*args, **kwargs)

        return call


async def _start(safety: Any, fence_file: FenceFile) -> ProductionSafetyManager:
    return await ProductionSafetyManager.create(
        safety,
        RiskSettings(),
        ReplayClock(MARKET_NS),
        auth_key=AUTH_KEY,
        in_trading_window=lambda ts_ns: True,
        trade_date_of=lambda ts_ns: ns_to_ny(ts_ns).date(),
        wall_clock=ReplayClock(WALL_NS),
        fence_file=fence_file,
    )


async def test_fence_when_database_down_and_node_crashes_then_restart_on_database_is_fenced(
    db_url: str, tmp_path: Any
) -> None:
    fence_file = FenceFile(fence_file_path(tmp_path / "data", "live"))
    with open_store(db_url) as first_store:
        outage = _Outage(first_store.safety_store("live", "node"))
        first = await _start(outage, fence_file)
        outage.down = True
        first.on_broker_disconnected("gateway dropped")
        assert first.state.fence_active
    del first  # killed: the database never heard of the fence

    with open_store(db_url) as store:
        before = store.safety("live", "node").load_state()
        second = await _start(store.safety_store("live", "node"), fence_file)
        saved = store.safety("live", "node").load_state()
        fences = store.safety("live", "node").recent_security_events(5, "FENCE_ACTIVATED")

    assert before is not None and not before.fence_active
    assert second.state.fence_active and "gateway dropped" in second.state.fence_reason
    assert saved is not None and saved.fence_active
    assert [(e.ts_ns, e.market_ts_ns, e.detail) for e in fences] == [
        (WALL_NS, MARKET_NS, "broker disconnected: gateway dropped")
    ]

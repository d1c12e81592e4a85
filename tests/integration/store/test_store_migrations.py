"""Alembic revisions from an empty database, one at a time, with data in between: nothing is lost."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from store_builders import T0, order

from orderflow_lib.risk.records import OrderAction, OrderStatus, OrderType
from orderflow_lib.store import open_store
from orderflow_lib.store.engine import create_store_engine
from orderflow_lib.store.migrate import current_revision, downgrade, revision_ids, upgrade
from orderflow_lib.store.models import Base
from orderflow_lib.store.urls import parse_url, sqlite_file

INITIAL = "0001_initial_schema"
ORDERS_INSTRUMENT_SOURCE = "0002_orders_instrument_source"
FILLED_PRICE_FLOAT = "0003_orders_filled_price_float"
BRACKET_FIELDS = "0004_orders_bracket_fields"
SECURITY_LOG_MARKET_TIME = "0005_security_log_market_time"
BACKTEST_RUNS = "0006_backtest_runs"


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


def _insert_initial_rows(engine: Engine) -> None:
    """Rows written by code that knew only the first schema."""
    order = (
        "INSERT INTO orders (order_id, signal_id, action, quantity, price_ticks, status, "
        "created_ts_ns, updated_ts_ns, filled_quantity) "
        "VALUES (:id, :signal, 'BUY', 1, 20040, :status, :ts, :ts, :filled)"
    )
    with engine.begin() as connection:
        connection.execute(
            text(order),
            {"id": "O-fill", "signal": "S-1", "status": "FILLED", "ts": T0, "filled": 1},
        )
        connection.execute(
            text(order),
            {"id": "O-signal", "signal": "S-2", "status": "SUBMITTED", "ts": T0 + 1, "filled": 0},
        )
        connection.execute(
            text(order),
            {"id": "O-bare", "signal": "S-9", "status": "PENDING", "ts": T0 + 2, "filled": 0},
        )
        connection.execute(
            text(
                "INSERT INTO fills (exec_id, order_id, source, instrument, action, quantity, "
                "price_ticks, commission, currency, ts_ns) "
                "VALUES ('E-1', 'O-fill', 'replay', 'ES', 'BUY', 1, 20041, 2.25, 'USD', :ts)"
            ),
            {"ts": T0},
        )
        connection.execute(
            text(
                "INSERT INTO signals (signal_id, source, ts_ns, instrument, strategy, action, "
                "price_ticks, payload) "
                "VALUES ('S-2', 'synthetic', :ts, 'MES', 'ROTATIONAL', 'BUY', 20040, '{}')"
            ),
            {"ts": T0},
        )
        connection.execute(
            text(
                "INSERT INTO security_log (source, ts_ns, event, address, detail) "
                "VALUES ('live', :ts, 'AUTH_FAILED', '10.0.0.1', 'bad key')"
            ),
            {"ts": T0},
        )


def _orders(engine: Engine) -> dict[str, tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT order_id, instrument, source, status FROM orders ORDER BY order_id")
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def test_revisions_are_listed_oldest_first() -> None:
    assert revision_ids() == [
        INITIAL,
        ORDERS_INSTRUMENT_SOURCE,
        FILLED_PRICE_FLOAT,
        BRACKET_FIELDS,
        SECURITY_LOG_MARKET_TIME,
        BACKTEST_RUNS,
    ]


def test_upgrade_one_revision_at_a_time_when_rows_exist_then_backfilled_and_kept(
    engine: Engine, db_url: str
) -> None:
    upgrade(engine, INITIAL)
    _insert_initial_rows(engine)

    upgrade(engine, ORDERS_INSTRUMENT_SOURCE)

    assert current_revision(engine) == ORDERS_INSTRUMENT_SOURCE
    assert _orders(engine) == {
        "O-bare": ("MES", "live", "PENDING"),
        "O-fill": ("ES", "replay", "FILLED"),
        "O-signal": ("MES", "synthetic", "SUBMITTED"),
    }
    with open_store(db_url) as store:
        filled = store.orders("replay").get("O-fill")
        events = store.safety("live", "node").recent_security_events(5)
    assert filled is not None and filled.status is OrderStatus.FILLED and filled.instrument == "ES"
    assert [e.event for e in events] == ["AUTH_FAILED"]


def _insert_filled_order(engine: Engine, revision: str, order_id: str, price: float | None) -> None:
    """A 2-lot order FILLED at `price` average ticks (None: still SUBMITTED), as code at `revision` writes it."""
    columns = "order_id, signal_id, action, quantity, price_ticks, status, created_ts_ns, "
    columns += "updated_ts_ns, filled_quantity, filled_price_ticks, filled_ts_ns"
    values = ":id, :id, 'BUY', 2, 20040, :status, :ts, :ts, :filled, :price, :filled_ts"
    if revision != INITIAL:
        columns += ", instrument, source"
        values += ", 'MES', 'synthetic'"
    filled = price is not None
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO orders ({columns}) VALUES ({values})"),
            {
                "id": order_id,
                "ts": T0,
                "status": "FILLED" if filled else "SUBMITTED",
                "filled": 2 if filled else 0,
                "price": price,
                "filled_ts": T0 if filled else None,
            },
        )


def _filled_prices(engine: Engine) -> dict[str, object]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT order_id, filled_price_ticks FROM orders"))
        return {row[0]: row[1] for row in rows}


def _bracket_columns(engine: Engine) -> dict[str, tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT order_id, order_type, parent_id, oca_group FROM orders")
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def test_every_revision_when_rows_added_between_steps_then_all_survive(engine: Engine) -> None:
    fill_prices = {
        INITIAL: 20041,
        ORDERS_INSTRUMENT_SOURCE: 20042,
        FILLED_PRICE_FLOAT: 20041.5,
        BRACKET_FIELDS: 20043.75,
        SECURITY_LOG_MARKET_TIME: 20044.25,
        BACKTEST_RUNS: 20045.5,
    }
    for step, revision in enumerate(revision_ids()):
        upgrade(engine, revision)
        _insert_filled_order(engine, revision, f"O-{step}", fill_prices[revision])
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO daily_profiles (trade_date, kind, contract, source, poc_tick, "
                    "val_tick, vah_tick, row_ticks, as_of_ns, payload) VALUES "
                    "(:day, 'volume', 'ESM24', 'replay', 20040, 20020, 20060, 1, :ts, '{\"poc\": 20040}')"
                ),
                {"day": date(2024, 5, 20 + step), "ts": T0 + step},
            )

    with engine.connect() as connection:
        days = connection.execute(text("SELECT trade_date, poc_tick FROM daily_profiles")).all()
    assert len(days) == len(revision_ids())
    assert {poc for _, poc in days} == {20040}
    assert _filled_prices(engine) == {
        "O-0": 20041.0,
        "O-1": 20042.0,
        "O-2": 20041.5,
        "O-3": 20043.75,
        "O-4": 20044.25,
        "O-5": 20045.5,
    }
    assert set(_bracket_columns(engine).values()) == {("MKT", None, None)}


def test_upgrade_to_float_fill_price_when_orders_exist_then_whole_prices_kept_as_floats(
    engine: Engine, db_url: str
) -> None:
    upgrade(engine, ORDERS_INSTRUMENT_SOURCE)
    _insert_filled_order(engine, ORDERS_INSTRUMENT_SOURCE, "O-whole", 20041)
    _insert_filled_order(engine, ORDERS_INSTRUMENT_SOURCE, "O-open", None)

    upgrade(engine, FILLED_PRICE_FLOAT)

    assert _filled_prices(engine) == {"O-whole": 20041.0, "O-open": None}
    with open_store(db_url) as store:
        stored = store.orders("synthetic").get("O-whole")
    assert stored is not None and stored.filled_price_ticks == 20041.0
    assert type(stored.filled_price_ticks) is float


def test_downgrade_from_float_fill_price_then_averages_rounded_to_whole_ticks_ties_to_even(
    engine: Engine,
) -> None:
    upgrade(engine)
    averages = {
        "O-a": 20041.25,
        "O-b": 20041.5,
        "O-c": 20042.5,
        "O-d": 20041.75,
        "O-e": 20043.0,
        "O-f": None,
    }
    for order_id, average in averages.items():
        _insert_filled_order(engine, FILLED_PRICE_FLOAT, order_id, average)

    downgrade(engine, ORDERS_INSTRUMENT_SOURCE)

    prices = _filled_prices(engine)
    assert prices == {
        "O-a": 20041,
        "O-b": 20042,
        "O-c": 20042,
        "O-d": 20042,
        "O-e": 20043,
        "O-f": None,
    }
    assert {type(price) for price in prices.values()} == {int, type(None)}
    column = next(
        c for c in inspect(engine).get_columns("orders") if c["name"] == "filled_price_ticks"
    )
    assert column["type"].python_type is int


def test_upgrade_to_bracket_fields_when_orders_exist_then_they_are_market_orders_without_parent(
    engine: Engine, db_url: str
) -> None:
    upgrade(engine, FILLED_PRICE_FLOAT)
    _insert_filled_order(engine, FILLED_PRICE_FLOAT, "O-done", 20041.5)
    _insert_filled_order(engine, FILLED_PRICE_FLOAT, "O-open", None)

    upgrade(engine, BRACKET_FIELDS)

    assert _bracket_columns(engine) == {
        "O-done": ("MKT", None, None),
        "O-open": ("MKT", None, None),
    }
    with open_store(db_url) as store:
        done = store.orders("synthetic").get("O-done")
        working = store.orders("synthetic").working()
    assert done is not None and done.filled_price_ticks == 20041.5
    assert [(o.order_id, o.order_type, o.parent_id, o.oca_group) for o in working] == [
        ("O-open", OrderType.MARKET, "", "")
    ]


def test_downgrade_from_bracket_fields_then_orders_kept_and_children_read_as_market_orders(
    engine: Engine, db_url: str
) -> None:
    upgrade(engine)
    stop = order(
        "O-stop",
        action=OrderAction.SELL,
        price_ticks=20032,
        created_ts_ns=T0 + 1,
        order_type=OrderType.STOP,
        parent_id="O-1",
        oca_group="OCA-O-1",
    )
    with open_store(db_url) as store:
        store.orders("live").save(order(status=OrderStatus.FILLED, filled_quantity=1))
        store.orders("live").save(stop)

    downgrade(engine, FILLED_PRICE_FLOAT)
    columns = {c["name"] for c in inspect(engine).get_columns("orders")}
    statuses = _orders(engine)
    upgrade(engine)

    assert columns.isdisjoint({"order_type", "parent_id", "oca_group"})
    assert statuses == {
        "O-1": ("MES", "live", "FILLED"),
        "O-stop": ("MES", "live", "PENDING"),
    }
    with open_store(db_url) as store:
        reread = store.orders("live").get("O-stop")
    assert reread == replace(stop, order_type=OrderType.MARKET, parent_id="", oca_group="")


def test_downgrade_when_back_to_initial_then_orders_kept_and_upgrade_backfills_again(
    engine: Engine,
) -> None:
    upgrade(engine, INITIAL)
    _insert_initial_rows(engine)
    upgrade(engine)

    downgrade(engine, INITIAL)
    columns = {c["name"] for c in inspect(engine).get_columns("orders")}
    upgrade(engine)

    assert "instrument" not in columns and "source" not in columns
    assert _orders(engine)["O-fill"] == ("ES", "replay", "FILLED")


def test_downgrade_to_base_leaves_only_the_version_table(engine: Engine) -> None:
    upgrade(engine)

    downgrade(engine, "base")

    assert current_revision(engine) is None
    assert inspect(engine).get_table_names() == ["alembic_version"]


def test_head_schema_matches_the_models(engine: Engine) -> None:
    upgrade(engine)

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []


def test_head_schema_refuses_an_order_without_instrument(engine: Engine) -> None:
    upgrade(engine)

    with pytest.raises(Exception, match="instrument"), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO orders (order_id, signal_id, source, action, quantity, price_ticks, "
                "status, created_ts_ns, updated_ts_ns, filled_quantity) "
                "VALUES ('O-1', 'S-1', 'live', 'BUY', 1, 1, 'PENDING', 0, 0, 0)"
            )
        )

"""Backtest runs: saved as numbered rows, listed by config hash, read back whole; the 0006
migration adds and drops their table without touching the rest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from store_builders import T0

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.store import Store, open_store
from orderflow_lib.store.engine import create_store_engine
from orderflow_lib.store.migrate import current_revision, downgrade, revision_ids, upgrade
from orderflow_lib.store.records import BacktestRunRecord
from orderflow_lib.store.urls import parse_url, sqlite_file

BACKTEST_RUNS = "0006_backtest_runs"
DAY: dict[str, Any] = {
    "trade_date": "2026-11-03",
    "regime": "BALANCE",
    "trips": [{"scenario_id": "S2", "r_multiple": -1.14, "pnl_gbp": -7.9}],
    "signals": [[1793716860000000000, "ABSORPTION", 1, 20772]],
    "pnl_gbp": -7.9,
}


def run(**changes: Any) -> BacktestRunRecord:
    """A two-day synthetic run of config a1b2c3d4e5f6 with one losing trade."""
    base = BacktestRunRecord(
        config_hash="a1b2c3d4e5f6",
        created_ts_ns=T0,
        source="synthetic",
        seed=7,
        first_date=date(2026, 11, 3),
        last_date=date(2026, 11, 4),
        totals={"trades": 1, "win_rate": 0.0, "sharpe": None, "grades": {"LOSS": 1}},
        days=[DAY, {**DAY, "trade_date": "2026-11-04", "trips": []}],
    )
    return replace(base, **changes)


def test_save_then_get_reads_back_the_whole_run_with_its_new_id(store: Store) -> None:
    saved = run()

    run_id = store.backtests.save(saved)

    assert store.backtests.get(run_id) == replace(saved, run_id=run_id)


def test_save_when_run_again_then_a_new_run_and_the_first_is_kept(store: Store) -> None:
    first = store.backtests.save(run())

    second = store.backtests.save(run(seed=8, run_id=first))

    assert second > first
    assert [(r.run_id, r.seed) for r in store.backtests.runs()] == [(first, 7), (second, 8)]


def test_runs_when_config_hash_given_then_only_that_configs_runs_oldest_first(
    store: Store,
) -> None:
    a1 = store.backtests.save(run())
    store.backtests.save(run(config_hash="ffffffffffff"))
    a2 = store.backtests.save(run(created_ts_ns=T0 + 1))

    same = store.backtests.runs(config_hash="a1b2c3d4e5f6")

    assert [r.run_id for r in same] == [a1, a2]
    assert len(store.backtests.runs()) == 3
    assert store.backtests.runs(config_hash="000000000000") == []


def test_get_when_run_unknown_then_none(store: Store) -> None:
    assert store.backtests.get(404) is None


def test_save_when_run_covered_no_days_then_dates_read_back_none(store: Store) -> None:
    run_id = store.backtests.save(run(first_date=None, last_date=None, days=[]))

    stored = store.backtests.get(run_id)

    assert stored is not None
    assert (stored.first_date, stored.last_date, stored.days) == (None, None, [])


def test_save_when_source_is_a_data_folder_then_kept_as_named(store: Store) -> None:
    folder = "../shared/data/lean-es-2013/minute"

    run_id = store.backtests.save(run(source=folder))

    stored = store.backtests.get(run_id)
    assert stored is not None and stored.source == folder


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"config_hash": ""}, "config_hash"),
        ({"source": "x" * 256}, "source"),
        ({"first_date": date(2026, 11, 5)}, "is after last_date"),
        ({"last_date": None}, "must both be dates or both None"),
        ({"totals": {"sharpe": float("nan")}}, "totals must be plain JSON"),
        ({"days": [{"trade_date": date(2026, 11, 3)}]}, r"days\[0\] must be plain JSON"),
    ],
)
def test_record_when_field_invalid_then_refused_naming_it(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        run(**changes)


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


def _before_backtest_runs() -> str:
    """The revision 0006 builds on."""
    revisions = revision_ids()
    return revisions[revisions.index(BACKTEST_RUNS) - 1]


def test_backtest_runs_revision_follows_the_security_log_revision() -> None:
    assert revision_ids()[4:6] == ["0005_security_log_market_time", BACKTEST_RUNS]


def test_upgrade_to_backtest_runs_when_rows_exist_then_table_added_and_rows_kept(
    engine: Engine, db_url: str
) -> None:
    upgrade(engine, _before_backtest_runs())
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO plans (trade_date, contract, source, regime, bias, confidence, "
                "created_ts_ns, payload) VALUES "
                "('2026-11-03', 'MESZ6', 'synthetic', 'BALANCE', 'NEUTRAL', 'LOW', :ts, '{}')"
            ),
            {"ts": T0},
        )

    upgrade(engine, BACKTEST_RUNS)

    assert current_revision(engine) == BACKTEST_RUNS
    assert "backtest_runs" in inspect(engine).get_table_names()
    with open_store(db_url) as store:
        run_id = store.backtests.save(run())
        assert store.backtests.get(run_id) == replace(run(), run_id=run_id)
        assert store.plans.plan(date(2026, 11, 3), "MESZ6", "synthetic") is not None


def test_downgrade_from_backtest_runs_then_table_dropped_other_rows_kept_and_upgrade_again(
    engine: Engine, db_url: str
) -> None:
    upgrade(engine, BACKTEST_RUNS)
    with open_store(db_url) as store:
        store.backtests.save(run())
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO security_log (source, ts_ns, event, address, detail) "
                "VALUES ('live', :ts, 'AUTH_FAILED', '10.0.0.1', 'bad key')"
            ),
            {"ts": T0},
        )

    downgrade(engine, _before_backtest_runs())
    tables = inspect(engine).get_table_names()
    upgrade(engine, BACKTEST_RUNS)

    assert "backtest_runs" not in tables and "security_log" in tables
    with open_store(db_url) as store:
        assert store.backtests.runs() == []
        assert [e.event for e in store.safety("live", "node").recent_security_events(5)] == [
            "AUTH_FAILED"
        ]


def test_head_refuses_a_run_whose_first_date_is_after_its_last(engine: Engine) -> None:
    upgrade(engine, BACKTEST_RUNS)

    with pytest.raises(Exception, match="dates"), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO backtest_runs (config_hash, created_ts_ns, source, seed, "
                "first_date, last_date, totals, days) VALUES "
                "('a1b2c3d4e5f6', 0, 'synthetic', 7, '2026-11-05', '2026-11-04', '{}', '[]')"
            )
        )

"""Keeping a backtest run: each day as plain JSON, and the run saved in the store by config hash."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from orderflow_lib.core.config import Settings
from orderflow_lib.research.backtest import DayResult, backtest_totals
from orderflow_lib.research.backtest_files import day_payload, store_backtest
from orderflow_lib.store import open_store

TRIP = {
    "signal_id": "synthetic:20261103:S2",
    "scenario_id": "S2",
    "direction": 1,
    "quantity": 1,
    "entry_ticks": 20773.0,
    "stop_ticks": 20766,
    "exit_ticks": 20765.0,
    "entry_ts_ns": 1793716860044415348,
    "exit_ts_ns": 1793717541532203194,
    "exit": "stop",
    "r_multiple": -1.1428571428571428,
    "pnl_usd": -10.0,
    "pnl_gbp": -7.9,
}


def day(trade_date: date, trips: list[dict[str, Any]], **numbers: Any) -> DayResult:
    """One day's result; `numbers` go into its one journal entry."""
    return DayResult(
        trade_date=trade_date,
        regime="BALANCE",
        bias="NEUTRAL",
        grades={"LOSS": 1, "MISSED": 1},
        entries=len(trips),
        skips={"SCORE": 1},
        trips=trips,
        signals=[(1793716860000000000, "ABSORPTION", 1, 20772)],
        statuses=[{"id": "S2", "state": "TRIGGERED", "target_hits_ns": [None]}],
        orders=[("MKT", "BUY", 1, 20772, "FILLED")],
        events=123_456,
        seconds=1.5,
        journal=[{"kind": "journal", "scenario_id": "S2", "taken": True, "numbers": numbers}],
        kinds={"S2": "ROTATE"},
    )


RESULTS = [day(date(2026, 11, 3), [TRIP]), day(date(2026, 11, 4), [])]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose store is a SQLite file under tmp_path."""
    return Settings(database_url=f"sqlite:///{tmp_path / 'data' / 'orderflow.sqlite'}")


def test_day_payload_when_dates_fractions_and_numpy_numbers_then_plain_json() -> None:
    result = day(date(2026, 11, 3), [TRIP], score=Fraction(9, 10), E=np.int64(20772), on=date.min)

    payload = day_payload(result)

    assert json.loads(json.dumps(payload, allow_nan=False)) == payload
    assert payload["trade_date"] == "2026-11-03"
    assert payload["journal"][0]["numbers"] == {"score": 0.9, "E": 20772, "on": "0001-01-01"}
    assert payload["signals"] == [[1793716860000000000, "ABSORPTION", 1, 20772]]
    assert payload["kinds"] == {"S2": "ROTATE"}
    assert payload["trips"] == [TRIP]
    assert (payload["pnl_gbp"], payload["r"]) == (-7.9, pytest.approx(-1.142857142857))


def test_day_payload_when_a_value_is_not_json_then_type_error_names_it() -> None:
    result = day(date(2026, 11, 3), [], odd={1, 2})

    with pytest.raises(TypeError, match="set is not JSON"):
        day_payload(result)


def test_store_backtest_saves_the_run_and_says_where(settings: Settings) -> None:
    totals = backtest_totals(RESULTS)

    said = store_backtest(settings, RESULTS, totals, source="synthetic", seed=7)

    with open_store(settings.database_url) as store:
        runs = store.backtests.runs(settings.config_hash())
    assert said == f"run 1 (config {settings.config_hash()}) in {settings.database_url}"
    assert len(runs) == 1
    run = runs[0]
    assert (run.run_id, run.source, run.seed) == (1, "synthetic", 7)
    assert (run.first_date, run.last_date) == (date(2026, 11, 3), date(2026, 11, 4))
    assert run.totals == json.loads(json.dumps(totals.to_dict()))
    assert run.totals["trades"] == 1 and run.totals["pnl_gbp"] == -7.9
    assert [d["trade_date"] for d in run.days] == ["2026-11-03", "2026-11-04"]
    assert run.days[0]["trips"] == [TRIP]


def test_store_backtest_when_run_again_then_a_second_run_with_the_same_config_hash(
    settings: Settings,
) -> None:
    totals = backtest_totals(RESULTS)
    store_backtest(settings, RESULTS, totals, source="synthetic", seed=7)

    said = store_backtest(settings, RESULTS[:1], totals, source="synthetic", seed=8)

    with open_store(settings.database_url) as store:
        runs = store.backtests.runs(settings.config_hash())
    assert said.startswith("run 2 ")
    assert [(r.run_id, r.seed, len(r.days)) for r in runs] == [(1, 7, 2), (2, 8, 1)]


def test_store_backtest_when_no_days_then_the_run_has_no_dates(settings: Settings) -> None:
    said = store_backtest(settings, [], backtest_totals([]), source="synthetic", seed=7)

    with open_store(settings.database_url) as store:
        run = store.backtests.get(1)
    assert said.startswith("run 1 ")
    assert run is not None
    assert (run.first_date, run.last_date, run.days) == (None, None, [])
    assert run.totals["trades"] == 0

"""Signal research: the day sources, the replay of trade dates through the order-flow engines,
and the per-kind summaries.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; Databento GLBX.MDP3
extracts published as test fixtures by the NautilusTrader project (LGPL-3.0 repository).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from research_support import ESH4_MBO, LEAN_MINUTE, need

from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import DataError
from orderflow_lib.market.synthetic import generate_sessions
from orderflow_lib.profiles import Levels
from orderflow_lib.research import MarketFiles, SyntheticDays, replay_days
from orderflow_lib.research.replay import default_bar, summarise

DAY = date(2024, 5, 21)


def test_synthetic_days_when_chained_then_same_session_as_generate_sessions() -> None:
    source = SyntheticDays(seed=5, scale=0.01, first_date=date(2024, 5, 17))

    trades = source.trades(DAY, Settings())

    chain = generate_sessions(date(2024, 5, 17), DAY, 5, scale=0.01)
    assert np.array_equal(trades, chain[-1].trades)
    assert source.market_data(DAY, Settings()).contract == "ESM24"


def test_synthetic_days_when_before_first_date_then_refused() -> None:
    with pytest.raises(DataError, match="before first_date"):
        SyntheticDays(first_date=DAY).trades(date(2024, 5, 20), Settings())


def test_replay_days_when_synthetic_day_then_one_row_per_signal_with_outcomes() -> None:
    study = replay_days(
        SyntheticDays(seed=5, scale=0.01), [DAY], bar="1min", horizons_min=[1, 5], progress=False
    )

    signals = study.signals
    assert len(signals) > 0 and set(signals["trade_date"]) == {DAY}
    assert list(signals.columns[-4:]) == ["fwd_1m", "fwd_5m", "mfe", "mae"]
    assert signals["ts_ns"].is_monotonic_increasing
    assert set(signals["location"]) <= {"ABOVE_VALUE", "IN_VALUE", "BELOW_VALUE", "NO_VALUE"}
    assert set(signals["cva_location"]) == {"NO_VALUE"}
    assert (signals["mfe"].dropna() >= 0).all() and (signals["mae"].dropna() >= 0).all()
    by_kind = study.by_kind()
    assert by_kind["count"].sum() == len(signals)
    assert study.by_location().to_numpy().sum() == len(signals)


def test_replay_days_when_reference_given_then_location_against_it() -> None:
    wide = Levels(val_ticks=0, vah_ticks=10**9, poc_ticks=1)

    study = replay_days(
        SyntheticDays(seed=5, scale=0.01), [DAY], bar="1min", reference={DAY: wide}, progress=False
    )

    assert set(study.signals["cva_location"]) == {"IN_VALUE"}


@pytest.mark.realdata
def test_replay_days_when_dbn_mbo_hour_then_signals_from_real_trades() -> None:
    source = MarketFiles.at(need(ESH4_MBO))

    study = replay_days(source, [date(2023, 12, 26)], bar="1min", progress=False)

    kinds = set(study.signals["kind"])
    assert {"FP_UNFINISHED_HIGH", "FP_UNFINISHED_LOW", "BUY_PRESSURE"} <= kinds
    assert study.signals["price"].between(4800.25, 4811.75).all()


@pytest.mark.realdata
def test_market_files_when_lean_bars_asked_for_trades_then_refused() -> None:
    with pytest.raises(DataError, match="1-minute bars, not trades"):
        MarketFiles.at(need(LEAN_MINUTE)).trades(date(2013, 10, 14), Settings())


def test_summarise_when_no_signals_then_empty_table_with_columns() -> None:
    study = replay_days(SyntheticDays(scale=0.01), [], progress=False)

    table = summarise(study.signals, "kind", [1])

    assert table.empty and list(table.columns)[:3] == ["count", "mean_fwd_1m", "hit_1m"]


def test_default_bar_when_settings_then_footprint_bar_text() -> None:
    assert default_bar(Settings()) == "volume:3000"
    timed = Settings.model_validate({"orderflow": {"bar": {"type": "time", "size": 60}}})
    assert default_bar(timed) == "60s"

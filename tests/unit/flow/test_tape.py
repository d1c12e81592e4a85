"""Time-and-sales pressure (spec §7.11)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from orderflow_lib.flow.signals import SignalKind
from orderflow_lib.flow.tape import TapeParams, intensity, tape_pressure, tape_signals
from orderflow_lib.flow.trades import trade_arrays
from tests.reference.tape import TapePressure

S = 1_000_000_000


def test_pressure_when_buy_420_sell_180_in_30s_then_0_40_buy_pressure():
    trades = trade_arrays([0, 10 * S, 20 * S], [10, 10, 10], [150, 180, 270], [1, -1, 1])

    readings = tape_pressure(trades)
    signals = tape_signals(readings, trades.price_ticks)

    assert readings.pressure[-1] == 0.4
    assert [s.kind for s in signals] == [SignalKind.BUY_PRESSURE]
    assert signals[0].evidence["buy_volume"] == 420


def test_pressure_when_volume_below_minimum_then_no_signal():
    trades = trade_arrays([0, S], [10, 10], [150, 40], [1, 1])

    assert tape_signals(tape_pressure(trades), trades.price_ticks) == []


def test_pressure_when_trade_ages_out_of_window_then_dropped():
    trades = trade_arrays([0, 30 * S, 31 * S], [10, 10, 10], [500, 100, 90], [1, -1, -1])

    readings = tape_pressure(trades)

    assert readings.buy.tolist() == [500, 0, 0]
    assert readings.sell.tolist() == [0, 100, 190]
    assert readings.state.tolist() == [1, 0, 0]


def test_pressure_when_exactly_threshold_then_flags_exactly():
    trades = trade_arrays([0, 1], [10, 10], [130, 70], [1, -1])

    readings = tape_pressure(trades, TapeParams(pressure_thr=Fraction(3, 10)))

    assert readings.state.tolist() == [0, 1]


def test_large_lots_when_counted_then_separate_delta():
    trades = trade_arrays([0, 1, 2], [10, 10, 10], [25, 24, 30], [1, 1, -1])

    readings = tape_pressure(trades)

    assert readings.large_lot_delta.tolist() == [25, 25, -5]
    assert intensity(readings).tolist() == [1 / 30, 2 / 30, 3 / 30]


def test_trade_window_when_mode_trades_then_last_n_trades():
    trades = trade_arrays([0, 1, 2], [10, 10, 10], [5, 6, 7], [1, 1, -1])

    readings = tape_pressure(trades, TapeParams(window_trades=2, mode="trades"))

    assert readings.buy.tolist() == [5, 11, 6]
    assert readings.trades.tolist() == [1, 2, 2]


def test_incremental_when_random_tape_then_same_signals_and_sums():
    rng = np.random.default_rng(4)
    n = 8000
    ts = np.sort(rng.integers(0, 3600 * S, n))
    trades = trade_arrays(
        ts,
        20000 + rng.integers(-5, 5, n),
        rng.integers(1, 60, n),
        rng.choice([-1, 0, 1], n, p=[0.45, 0.05, 0.5]),
    )
    for params in (TapeParams(), TapeParams(window_trades=50, mode="trades")):
        readings = tape_pressure(trades, params)
        batch = tape_signals(readings, trades.price_ticks, params)
        live = TapePressure(params)
        signals = []
        buys = []
        for t, p, q, s in zip(
            trades.ts_ns, trades.price_ticks, trades.size, trades.side, strict=True
        ):
            signal = live.on_trade(int(t), int(p), int(q), int(s))
            buys.append(live.buy)
            if signal is not None:
                signals.append(signal)

        assert signals == batch
        assert buys == readings.buy.tolist()
        assert len(batch) > 0

"""Anchored VWAP and sigma bands (spec §7.9) and the VWAP rhythm."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orderflow_lib.core.timeconv import ns_to_ny
from orderflow_lib.flow.anchors import session_anchors
from orderflow_lib.flow.rhythm import Pace, RhythmCondition, VwapRhythm, vwap_rhythm
from orderflow_lib.flow.trades import trade_arrays
from orderflow_lib.flow.vwap import vwap_bands
from tests.reference.vwap import VwapEngine

TICK = 0.25
MIN = 60_000_000_000


def test_vwap_when_spec_trades_then_101_20_sigma_0_60_and_bands():
    trades = trade_arrays([1, 2, 3], [400, 408, 404], [10, 30, 60], [0, 0, 0])

    series = vwap_bands(trades)
    vwap, sigma = series.vwap_ticks[-1] * TICK, series.sigma_ticks[-1] * TICK

    assert vwap == pytest.approx(101.20, abs=1e-12)
    assert sigma == pytest.approx(0.60, abs=1e-12)
    bands = {m: round(float(b[-1]) * TICK, 10) for m, b in series.bands((1, 2, 3)).items()}
    assert bands == {1: 101.8, -1: 100.6, 2: 102.4, -2: 100.0, 3: 103.0, -3: 99.4}


def test_vwap_when_anchor_passes_then_resets_and_nan_before_first_anchor():
    trades = trade_arrays([1, 5, 6, 9], [100, 104, 108, 100], [1, 1, 1, 1], [1, 1, 1, 1])

    series = vwap_bands(trades, anchors_ns=[5, 9])

    assert math.isnan(series.vwap_ticks[0])
    assert series.vwap_ticks[1:].tolist() == [104.0, 106.0, 100.0]
    assert series.segment.tolist() == [-1, 0, 0, 1]


def test_vwap_when_one_price_then_sigma_zero_never_negative():
    trades = trade_arrays([1, 2, 3], [401, 401, 401], [3, 7, 11], [0, 0, 0])

    assert vwap_bands(trades).sigma_ticks.tolist() == [0.0, 0.0, 0.0]


def test_vwap_engine_when_random_trades_then_identical_to_batch():
    rng = np.random.default_rng(9)
    n = 5000
    ts = np.sort(rng.integers(0, 10**12, n))
    trades = trade_arrays(
        ts, 20000 + np.cumsum(rng.integers(-2, 3, n)), rng.integers(1, 50, n), np.zeros(n)
    )
    anchors = [int(ts[100]), int(ts[3000]) + 1]
    batch = vwap_bands(trades, anchors)
    engine = VwapEngine(anchors)

    live = np.array(
        [
            engine.on_trade(int(t), int(p), int(q))
            for t, p, q in zip(trades.ts_ns, trades.price_ticks, trades.size, strict=True)
        ]
    )

    assert np.array_equal(live[:, 0], batch.vwap_ticks, equal_nan=True)
    assert np.array_equal(live[:, 1], batch.sigma_ticks, equal_nan=True)


def _bars(closes, vwaps, sigma=4.0, lows=None, highs=None):
    n = len(closes)
    ts = np.arange(1, n + 1) * MIN
    lows = lows if lows is not None else closes
    highs = highs if highs is not None else closes
    return (
        ts,
        np.array(closes),
        np.array(lows),
        np.array(highs),
        np.array(vwaps, float),
        np.full(n, sigma),
    )


def test_rhythm_when_flat_vwap_and_frequent_crosses_then_balanced():
    closes = [100 + (3 if i % 6 < 3 else -3) for i in range(60)]

    readings = vwap_rhythm(*_bars(closes, [100.0] * 60))

    assert readings[-1].condition == RhythmCondition.BALANCED
    assert readings[-1].crosses_per_hour >= 2


def test_rhythm_when_price_holds_above_rising_vwap_then_imbalanced_with_pace():
    vwaps = [100.0 + i * 0.2 for i in range(60)]
    closes = [int(v + 8) for v in vwaps]
    lows = [int(v + 4) for v in vwaps]

    reading = vwap_rhythm(*_bars(closes, vwaps, lows=lows))[-1]

    assert reading.condition == RhythmCondition.IMBALANCED_UP
    assert reading.pace == Pace.NORMAL


def test_rhythm_when_imbalance_then_period_close_below_vwap_then_reversal():
    vwaps = [100.0 + i * 0.2 for i in range(90)]
    closes = [int(v + 8) for v in vwaps[:89]] + [int(vwaps[89] - 5)]

    readings = vwap_rhythm(*_bars(closes, vwaps))

    assert readings[88].condition == RhythmCondition.IMBALANCED_UP
    assert readings[89].condition == RhythmCondition.REVERSAL


def test_rhythm_when_no_trade_since_anchor_then_undefined():
    rhythm = VwapRhythm()

    assert (
        rhythm.on_bar(MIN, 100, 100, 100, math.nan, math.nan).condition == RhythmCondition.UNDEFINED
    )


def test_session_anchors_when_rth_days_then_each_0930_open_after_start():
    start = 1_703_545_200_000_000_000
    week = session_anchors(start, start + 3 * 86_400 * 10**9, "rth_open")

    opens = [ns_to_ny(int(t)) for t in week]
    assert [(t.day, t.hour, t.minute) for t in opens] == [(26, 9, 30), (27, 9, 30), (28, 9, 30)]
    assert session_anchors(int(week[0]) + 1, int(week[0]) + 2, "rth_open").tolist() == [week[0]]


def test_session_anchors_when_anchor_unknown_then_value_error():
    with pytest.raises(ValueError, match="anchor must be"):
        session_anchors(0, 1, "noon")  # type: ignore[arg-type]

"""Absorption (spec §7.5) and exhaustion (§7.6) worked examples and batch/incremental agreement."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from orderflow_lib.flow.absorption import (
    AbsorptionDetector,
    absorption_at,
    absorption_signals,
    absorption_threshold,
)
from orderflow_lib.flow.candles import volumetric_candles
from orderflow_lib.flow.exhaustion import exhaustion_at, exhaustion_cap, exhaustion_signals
from orderflow_lib.flow.signals import SignalKind
from orderflow_lib.flow.trades import trade_arrays

P5000 = 20000
MIN = 60_000_000_000


def one_bar(rows: list[tuple[int, int, int]], start_ns: int = 0):
    ts, prices, sizes, sides = [], [], [], []
    for price, bid, ask in rows:
        for size, side in ((bid, -1), (ask, 1)):
            if size:
                ts.append(start_ns + len(ts))
                prices.append(price)
                sizes.append(size)
                sides.append(side)
    return volumetric_candles(trade_arrays(ts, prices, sizes, sides), "1min")


def test_absorption_when_spec_example_then_bid_absorption_at_5000():
    candle = one_bar([(P5000 - 1, 40, 10), (P5000, 1200, 30), (P5000 + 1, 5, 20)]).candle(0)

    signals = absorption_at(candle, Fraction(150))

    assert [(s.kind, s.price_ticks, s.direction) for s in signals] == [
        (SignalKind.BID_ABSORPTION, P5000, 1)
    ]
    assert absorption_threshold(Fraction(150)) == 450
    assert signals[0].evidence["sell_volume"] == 1200


def test_absorption_when_low_two_ticks_below_then_not_absorbed():
    candle = one_bar([(P5000 - 2, 40, 10), (P5000, 1200, 30)]).candle(0)

    assert absorption_at(candle, Fraction(150)) == []


def test_absorption_when_volume_below_k_times_median_then_none():
    candle = one_bar([(P5000, 1200, 30)]).candle(0)

    assert absorption_at(candle, Fraction(401)) == []
    assert absorption_threshold(Fraction(401)) == 1203


def test_absorption_when_ask_side_then_bearish_mirror():
    candle = one_bar([(P5000, 10, 900), (P5000 + 1, 5, 5)]).candle(0)

    signals = absorption_at(candle, None)

    assert [(s.kind, s.direction) for s in signals] == [(SignalKind.ASK_ABSORPTION, -1)]


def test_absorption_batch_when_history_builds_median_then_equals_detector():
    rng = np.random.default_rng(11)
    n = 6000
    ts = np.sort(rng.integers(0, 40 * MIN, n))
    prices = P5000 + rng.integers(-3, 4, n)
    sizes = np.where(rng.random(n) < 0.02, 400, rng.integers(1, 20, n))
    candles = volumetric_candles(trade_arrays(ts, prices, sizes, rng.choice([-1, 1], n)), "1min")

    batch = absorption_signals(candles, abs_median_bars=5, abs_min_vol=300)
    detector = AbsorptionDetector(abs_median_bars=5, abs_min_vol=300)
    live = [s for c in candles.candles() for s in detector.on_candle(c)]

    assert live == batch
    assert len(batch) > 0


def test_exhaustion_when_spec_example_then_high_flagged_with_cap_six():
    candle = one_bar(
        [(P5000 + 12, 60, 180), (P5000 + 13, 50, 90), (P5000 + 14, 30, 40), (P5000 + 15, 27, 3)]
    ).candle(0)

    signals = exhaustion_at(candle)

    assert candle.volume == 480
    assert exhaustion_cap(480, 4) == 6
    assert [(s.kind, s.price_ticks) for s in signals] == [(SignalKind.EXHAUSTION_HIGH, P5000 + 15)]
    assert signals[0].evidence["ask_volumes"] == "90,40,3"


def test_exhaustion_when_high_row_above_cap_then_none():
    candle = one_bar(
        [(P5000 + 12, 60, 180), (P5000 + 13, 50, 90), (P5000 + 14, 30, 40), (P5000 + 15, 20, 7)]
    ).candle(0)

    assert exhaustion_at(candle) == []


def test_exhaustion_when_not_strictly_falling_then_none():
    candle = one_bar([(10, 0, 50), (11, 0, 40), (12, 0, 40), (13, 0, 3)]).candle(0)

    assert exhaustion_at(candle) == []


def test_exhaustion_when_low_mirror_then_bullish():
    candle = one_bar([(10, 2, 0), (11, 30, 0), (12, 90, 0), (13, 100, 50)]).candle(0)

    signals = exhaustion_at(candle)

    assert [(s.kind, s.direction, s.price_ticks) for s in signals] == [
        (SignalKind.EXHAUSTION_LOW, 1, 10)
    ]


def test_exhaustion_batch_when_random_bars_then_equals_per_bar():
    rng = np.random.default_rng(5)
    n = 5000
    ts = np.sort(rng.integers(0, 60 * MIN, n))
    prices = P5000 + rng.integers(-4, 5, n)
    candles = volumetric_candles(
        trade_arrays(ts, prices, rng.integers(1, 40, n), rng.choice([-1, 1], n)), "1min"
    )

    batch = exhaustion_signals(candles, exh_abs=20)
    live = [s for c in candles.candles() for s in exhaustion_at(c, exh_abs=20)]

    assert batch == live
    assert len(batch) > 0

"""The CD order-flow table and delta divergence (spec §7.8)."""

from __future__ import annotations

import numpy as np
import pytest

from orderflow_lib.flow.candles import volumetric_candles
from orderflow_lib.flow.cd_table import CdClass, cd_inventory, cd_reading, cd_table, classify_cd
from orderflow_lib.flow.divergence import SwingDetector, divergence, swing_signals
from orderflow_lib.flow.pivots import PIVOT_HIGH, PIVOT_LOW, Pivot
from orderflow_lib.flow.signals import SignalKind
from orderflow_lib.flow.trades import trade_arrays
from tests.reference.cd_table import CdTableTracker

MIN = 60_000_000_000


@pytest.mark.parametrize(
    ("dp", "dcd", "expected"),
    [(2, 5000, CdClass.ABSORPTION), (16, 300, CdClass.STOP_OUTS), (8, 2200, CdClass.NORMAL)],
)
def test_cd_table_when_spec_cases_then_class(dp, dcd, expected):
    assert classify_cd(dp, dcd, 8, 2000) == expected


def test_cd_table_when_both_small_then_quiet_and_at_threshold_not_quiet():
    assert classify_cd(1, 400, 8, 2000) == CdClass.QUIET
    assert classify_cd(2, 400, 8, 2000) == CdClass.NORMAL


def test_cd_table_when_opposite_signs_then_absorption_or_stop_outs():
    assert classify_cd(8, -4000, 8, 2000) == CdClass.ABSORPTION
    assert classify_cd(16, -2000, 8, 2000) == CdClass.STOP_OUTS


def test_cd_table_when_cd_unchanged_then_price_move_is_stop_outs():
    assert classify_cd(8, 0, 8, 2000) == CdClass.STOP_OUTS


def test_cd_table_when_median_not_positive_then_value_error():
    with pytest.raises(ValueError, match="medians must be > 0"):
        classify_cd(1, 1, 0, 1)


def test_cd_reading_when_previous_windows_then_medians_from_them():
    close = [0, 8, 16, 24, 26]
    cum = [0, 2000, 4000, 6000, 11000]

    reading = cd_reading(close, cum, end=4, window=1, lookback=3)

    assert reading is not None
    assert (reading.dp_ticks, reading.dcd, reading.m_p, reading.m_cd) == (2, 5000, 8, 2000)
    assert reading.cls == CdClass.ABSORPTION


def test_cd_reading_when_no_previous_window_then_undefined():
    reading = cd_reading([0, 5], [0, 10], end=1, window=1)

    assert reading is not None and reading.cls == CdClass.UNDEFINED


def test_cd_tracker_when_fed_bar_by_bar_then_equals_batch():
    rng = np.random.default_rng(2)
    close = 100 + np.cumsum(rng.integers(-3, 4, 300))
    delta = rng.integers(-500, 500, 300)

    batch = cd_table(close, delta, window=5, lookback=20)
    tracker = CdTableTracker(window=5, lookback=20)
    live = [tracker.on_bar(int(c), int(d)) for c, d in zip(close, delta, strict=True)]

    assert [r for r in live if r is not None] == batch


def test_cd_inventory_when_history_then_quantile_else_fallback():
    assert cd_inventory(12000).overstretched
    assert cd_inventory(-500).label == "NET_SHORT"
    assert not cd_inventory(500, [1000] * 10).overstretched
    assert cd_inventory(500, [100] * 9 + [1000]).threshold == pytest.approx(190.0)
    assert cd_inventory(0).label == "FLAT"


def test_divergence_when_higher_high_with_lower_cd_high_then_bearish():
    high1 = Pivot(PIVOT_HIGH, 3, 20040, 5)
    high2 = Pivot(PIVOT_HIGH, 9, 20045, 11)

    signal = divergence(high1, high2, 1500, 1200, ts_ns=77)

    assert signal is not None
    assert (signal.kind, signal.direction, signal.price_ticks) == (
        SignalKind.BEARISH_DIVERGENCE,
        -1,
        20045,
    )
    assert signal.strength == 300.0


def test_divergence_when_cd_confirms_then_none():
    assert (
        divergence(Pivot(PIVOT_HIGH, 3, 20040, 5), Pivot(PIVOT_HIGH, 9, 20045, 11), 1200, 1500, 0)
        is None
    )
    assert (
        divergence(Pivot(PIVOT_LOW, 3, 20040, 5), Pivot(PIVOT_LOW, 9, 20035, 11), 100, 50, 0)
        is None
    )


def test_divergence_when_lower_low_with_higher_cd_low_then_bullish():
    signal = divergence(
        Pivot(PIVOT_LOW, 3, 20040, 5), Pivot(PIVOT_LOW, 9, 20039, 11), -900, -400, 1
    )

    assert signal is not None and signal.kind == SignalKind.BULLISH_DIVERGENCE


def test_swings_when_weak_new_high_then_lack_of_participation_and_batch_equals_live():
    highs = [16, 14, 10, 12, 14, 16, 18, 20, 18, 16, 14, 12, 14, 16, 18, 22, 20, 18]
    volumes = [1000] * 3 + [1800] * 5 + [1000] * 4 + [750] * 4 + [1000] * 2
    ts, prices, sizes, sides = [], [], [], []
    for b, (h, v) in enumerate(zip(highs, volumes, strict=True)):
        ts += [b * MIN + 1, b * MIN + 2]
        prices += [h - 1, h]
        sizes += [v // 2, v - v // 2]
        sides += [1, 1]
    candles = volumetric_candles(trade_arrays(ts, prices, sizes, sides), "1min")

    batch = swing_signals(candles)
    detector = SwingDetector()
    live = [s for c in candles.candles() for s in detector.on_candle(c)]

    lop = [s for s in batch if s.kind == SignalKind.LACK_OF_PARTICIPATION]
    assert [(s.price_ticks, s.evidence["swing_volume"], s.evidence["swing_bars"]) for s in lop] == [
        (22, 3000, 4)
    ]
    assert lop[0].evidence["prev_swing_volume"] == 9000
    assert live == batch

"""Absorption (spec §7.5): heavy aggression into one level that does not move price. Bid absorption
(bullish): sell volume at L >= max(abs_min_vol, abs_k x median row volume of the previous
abs_median_bars bars) while the bar's low stays within abs_max_pen_ticks of L. Ask absorption
mirrors it. The DOM-confirmed (refill) variant lives in `dom` as ICEBERG."""

from __future__ import annotations

from collections import deque
from fractions import Fraction

import numpy as np

from orderflow_lib.core.fractions import exact
from orderflow_lib.flow.candles import VolCandle, VolumetricCandles
from orderflow_lib.flow.signals import BEARISH, BULLISH, Signal, SignalKind
from orderflow_lib.kernels.flow_bars import _absorption


def _k(abs_k: float | str | Fraction) -> Fraction:
    k = exact(abs_k)
    if k <= 0:
        raise ValueError(f"abs_k must be > 0, was {abs_k}")
    return k


def absorption_threshold(
    median_row_volume: Fraction | None, abs_min_vol: int = 300, abs_k: float | str | Fraction = 3.0
) -> Fraction:
    """max(abs_min_vol, abs_k x median); only abs_min_vol when there is no history yet."""
    floor = Fraction(abs_min_vol)
    if median_row_volume is None:
        return floor
    return max(floor, _k(abs_k) * median_row_volume)


def _signal(
    ts_ns: int,
    bid_side: bool,
    price: int,
    volume: int,
    extreme: int,
    threshold: Fraction,
    median: Fraction | None,
    max_pen: int,
) -> Signal:
    strength = float(Fraction(volume) / threshold) if threshold > 0 else float(volume)
    return Signal(
        ts_ns=ts_ns,
        kind=SignalKind.BID_ABSORPTION if bid_side else SignalKind.ASK_ABSORPTION,
        direction=BULLISH if bid_side else BEARISH,
        price_ticks=price,
        strength=strength,
        evidence={
            "sell_volume" if bid_side else "buy_volume": volume,
            "threshold": float(threshold),
            "median_row_volume": float(median) if median is not None else -1.0,
            "bar_low" if bid_side else "bar_high": extreme,
            "max_pen_ticks": max_pen,
        },
    )


def absorption_at(
    candle: VolCandle,
    median_row_volume: Fraction | None,
    *,
    abs_min_vol: int = 300,
    abs_k: float | str | Fraction = 3.0,
    abs_max_pen_ticks: int = 1,
) -> list[Signal]:
    """Absorption signals of one bar, given the median row volume of the bars before it."""
    threshold = absorption_threshold(median_row_volume, abs_min_vol, abs_k)
    out = []
    for price, bid, ask, _, _ in candle.rows:
        for bid_side, volume in ((True, bid), (False, ask)):
            if volume == 0 or volume < threshold:
                continue
            if bid_side and candle.low_ticks >= price - abs_max_pen_ticks:
                out.append(
                    _signal(
                        candle.last_ts_ns,
                        True,
                        price,
                        volume,
                        candle.low_ticks,
                        threshold,
                        median_row_volume,
                        abs_max_pen_ticks,
                    )
                )
            if not bid_side and candle.high_ticks <= price + abs_max_pen_ticks:
                out.append(
                    _signal(
                        candle.last_ts_ns,
                        False,
                        price,
                        volume,
                        candle.high_ticks,
                        threshold,
                        median_row_volume,
                        abs_max_pen_ticks,
                    )
                )
    return out


def absorption_signals(
    candles: VolumetricCandles,
    *,
    abs_median_bars: int = 30,
    abs_min_vol: int = 300,
    abs_k: float | str | Fraction = 3.0,
    abs_max_pen_ticks: int = 1,
) -> list[Signal]:
    """Absorption signals of every bar (batch form), in bar and price order."""
    if abs_median_bars < 1:
        raise ValueError(f"abs_median_bars must be >= 1, was {abs_median_bars}")
    k = _k(abs_k)
    fp = candles.footprint
    bid_abs, ask_abs, twice_median = _absorption(
        fp.row_offsets,
        fp.price_ticks,
        fp.bid_volume,
        fp.ask_volume,
        fp.volume,
        candles["low_ticks"],
        candles["high_ticks"],
        abs_median_bars,
        abs_min_vol,
        k.numerator,
        k.denominator,
        abs_max_pen_ticks,
    )
    out = []
    rows = np.flatnonzero(bid_abs | ask_abs)
    bars = fp.row_bar[rows]
    for r, b in zip(rows.tolist(), bars.tolist(), strict=True):
        median = Fraction(int(twice_median[b]), 2) if twice_median[b] >= 0 else None
        threshold = absorption_threshold(median, abs_min_vol, k)
        ts = int(candles["last_ts_ns"][b])
        price = int(fp.price_ticks[r])
        if bid_abs[r]:
            out.append(
                _signal(
                    ts,
                    True,
                    price,
                    int(fp.bid_volume[r]),
                    int(candles["low_ticks"][b]),
                    threshold,
                    median,
                    abs_max_pen_ticks,
                )
            )
        if ask_abs[r]:
            out.append(
                _signal(
                    ts,
                    False,
                    price,
                    int(fp.ask_volume[r]),
                    int(candles["high_ticks"][b]),
                    threshold,
                    median,
                    abs_max_pen_ticks,
                )
            )
    return out


class AbsorptionDetector:
    """Incremental absorption: feed closed bars; keeps the row volumes of the last bars."""

    def __init__(
        self,
        *,
        abs_median_bars: int = 30,
        abs_min_vol: int = 300,
        abs_k: float | str | Fraction = 3.0,
        abs_max_pen_ticks: int = 1,
    ) -> None:
        if abs_median_bars < 1:
            raise ValueError(f"abs_median_bars must be >= 1, was {abs_median_bars}")
        self._history: deque[list[int]] = deque(maxlen=abs_median_bars)
        self._min_vol = abs_min_vol
        self._k = _k(abs_k)
        self._pen = abs_max_pen_ticks

    def on_candle(self, candle: VolCandle) -> list[Signal]:
        """Signals of a bar that just closed."""
        volumes = sorted(v for bar in self._history for v in bar)
        median = _median(volumes) if volumes else None
        out = absorption_at(
            candle,
            median,
            abs_min_vol=self._min_vol,
            abs_k=self._k,
            abs_max_pen_ticks=self._pen,
        )
        self._history.append([r[1] + r[2] + r[3] for r in candle.rows])
        return out


def _median(sorted_values: list[int]) -> Fraction:
    n = len(sorted_values)
    if n % 2:
        return Fraction(sorted_values[n // 2])
    return Fraction(sorted_values[n // 2 - 1] + sorted_values[n // 2], 2)

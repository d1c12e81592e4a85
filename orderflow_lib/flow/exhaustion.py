"""Exhaustion (spec §7.6): aggression fading into a bar extreme. At the high, the exh_levels rows
ending at the high have strictly falling ask volume and the high's ask volume is at most
max(exh_abs, exh_frac x mean row volume); the low mirrors it with bid volume."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import numpy as np

from orderflow_lib.core.fractions import exact
from orderflow_lib.flow.candles import VolCandle, VolumetricCandles
from orderflow_lib.flow.signals import BEARISH, BULLISH, Signal, SignalKind
from orderflow_lib.kernels.flow_bars import _exhaustion


def _frac(exh_frac: float | str | Fraction) -> Fraction:
    frac = exact(exh_frac)
    if frac < 0:
        raise ValueError(f"exh_frac must be >= 0, was {exh_frac}")
    return frac


def _signal(ts_ns: int, at_high: bool, price: int, volumes: list[int], cap: Fraction) -> Signal:
    first, last = volumes[0], volumes[-1]
    return Signal(
        ts_ns=ts_ns,
        kind=SignalKind.EXHAUSTION_HIGH if at_high else SignalKind.EXHAUSTION_LOW,
        direction=BEARISH if at_high else BULLISH,
        price_ticks=price,
        strength=1.0 - last / first,
        evidence={
            ("ask_volumes" if at_high else "bid_volumes"): ",".join(str(v) for v in volumes),
            "cap": float(cap),
        },
    )


def exhaustion_cap(
    volume: int, n_rows: int, exh_abs: int = 5, exh_frac: float | str | Fraction = 0.05
) -> Fraction:
    """max(exh_abs, exh_frac x volume / n_rows): the most the extreme row may trade."""
    return max(Fraction(exh_abs), _frac(exh_frac) * Fraction(volume, n_rows))


def exhaustion_at(
    candle: VolCandle,
    *,
    exh_levels: int = 3,
    exh_abs: int = 5,
    exh_frac: float | str | Fraction = 0.05,
) -> list[Signal]:
    """Exhaustion signals of one bar (high first)."""
    n_rows = candle.high_ticks - candle.low_ticks + 1
    if n_rows < exh_levels or exh_levels < 1:
        return []
    cap = exhaustion_cap(candle.volume, n_rows, exh_abs, exh_frac)
    bid = {r[0]: r[1] for r in candle.rows}
    ask = {r[0]: r[2] for r in candle.rows}
    out = []
    for at_high in (True, False):
        if at_high:
            ticks = range(candle.high_ticks - exh_levels + 1, candle.high_ticks + 1)
            volumes = [ask.get(t, 0) for t in ticks]
        else:
            ticks = range(candle.low_ticks + exh_levels - 1, candle.low_ticks - 1, -1)
            volumes = [bid.get(t, 0) for t in ticks]
        falling = all(a > b for a, b in pairwise(volumes))
        if falling and volumes[-1] <= cap:
            price = candle.high_ticks if at_high else candle.low_ticks
            out.append(_signal(candle.last_ts_ns, at_high, price, volumes, cap))
    return out


def exhaustion_signals(
    candles: VolumetricCandles,
    *,
    exh_levels: int = 3,
    exh_abs: int = 5,
    exh_frac: float | str | Fraction = 0.05,
) -> list[Signal]:
    """Exhaustion signals of every bar (batch form), high before low within a bar."""
    if exh_levels < 1:
        raise ValueError(f"exh_levels must be >= 1, was {exh_levels}")
    frac = _frac(exh_frac)
    fp = candles.footprint
    at_high, at_low = _exhaustion(
        fp.row_offsets,
        fp.price_ticks,
        fp.bid_volume,
        fp.ask_volume,
        candles["volume"],
        exh_levels,
        exh_abs,
        frac.numerator,
        frac.denominator,
    )
    out = []
    for b in np.flatnonzero(at_high | at_low).tolist():
        out.extend(
            exhaustion_at(candles.candle(b), exh_levels=exh_levels, exh_abs=exh_abs, exh_frac=frac)
        )
    return out

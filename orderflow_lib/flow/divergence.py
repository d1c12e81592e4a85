"""Delta divergence and lack of participation on swings (spec §7.7, §7.8).

On each confirmed pivot high: a higher high (>= 1 tick) with a lower CD high than the previous pivot
high of the same session is a BEARISH_DIVERGENCE; a higher high whose up-swing ran on weak volume or
STOP_OUTS flow is LACK_OF_PARTICIPATION. Pivot lows mirror both."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from orderflow_lib.core.fractions import exact
from orderflow_lib.flow.candles import VolCandle, VolumetricCandles
from orderflow_lib.flow.cd_table import DEFAULT_THRESHOLDS, CdClass, CdThresholds, cd_reading
from orderflow_lib.flow.participation import lack_of_participation
from orderflow_lib.flow.pivots import PIVOT_HIGH, Pivot, PivotTracker, find_pivots
from orderflow_lib.flow.signals import BEARISH, BULLISH, Signal, SignalKind


def divergence(prev: Pivot, cur: Pivot, cd_prev: int, cd_cur: int, ts_ns: int) -> Signal | None:
    """Divergence between two pivots of the same kind, with the CD high (highs) or CD low (lows)
    of their bars; None when price and CD agree."""
    if prev.kind != cur.kind:
        raise ValueError(f"pivots must be of one kind, were {prev.kind} and {cur.kind}")
    if cur.kind == PIVOT_HIGH:
        if not (cur.price_ticks >= prev.price_ticks + 1 and cd_cur < cd_prev):
            return None
        kind, direction = SignalKind.BEARISH_DIVERGENCE, BEARISH
    else:
        if not (cur.price_ticks <= prev.price_ticks - 1 and cd_cur > cd_prev):
            return None
        kind, direction = SignalKind.BULLISH_DIVERGENCE, BULLISH
    return Signal(
        ts_ns=ts_ns,
        kind=kind,
        direction=direction,
        price_ticks=cur.price_ticks,
        strength=float(abs(cd_prev - cd_cur)),
        evidence={
            "price1_ticks": prev.price_ticks,
            "price2_ticks": cur.price_ticks,
            "cd1": cd_prev,
            "cd2": cd_cur,
        },
    )


@dataclass
class _Series:
    """Per-bar values the swing rules read, appended bar by bar."""

    close: list[int] = field(default_factory=list)
    cum_delta: list[int] = field(default_factory=list)
    cum_volume: list[int] = field(default_factory=list)
    cd_high: list[int] = field(default_factory=list)
    cd_low: list[int] = field(default_factory=list)
    session: list[int] = field(default_factory=list)
    last_ts: list[int] = field(default_factory=list)


class _SwingRules:
    """Shared rules applied to each confirmed pivot (used by batch and incremental forms)."""

    def __init__(self, lop_vol_frac: Fraction, lookback: int, thresholds: CdThresholds) -> None:
        self.lop_vol_frac = lop_vol_frac
        self.lookback = lookback
        self.thresholds = thresholds
        self.highs: list[Pivot] = []
        self.lows: list[Pivot] = []

    def on_pivot(self, pivot: Pivot, s: _Series) -> list[Signal]:
        same = self.highs if pivot.kind == PIVOT_HIGH else self.lows
        other = self.lows if pivot.kind == PIVOT_HIGH else self.highs
        ts = s.last_ts[pivot.confirmed_index]
        out: list[Signal] = []
        if same:
            prev = same[-1]
            cd = s.cd_high if pivot.kind == PIVOT_HIGH else s.cd_low
            if s.session[prev.index] == s.session[pivot.index]:
                found = divergence(prev, pivot, cd[prev.index], cd[pivot.index], ts)
                if found is not None:
                    out.append(found)
            lop = self._participation(prev, pivot, other, s, ts)
            if lop is not None:
                out.append(lop)
        same.append(pivot)
        return out

    def _participation(
        self, prev: Pivot, pivot: Pivot, other: list[Pivot], s: _Series, ts: int
    ) -> Signal | None:
        new_extreme = (
            pivot.price_ticks > prev.price_ticks
            if pivot.kind == PIVOT_HIGH
            else pivot.price_ticks < prev.price_ticks
        )
        if not new_extreme:
            return None
        start = _last_before(other, pivot.index)
        prev_start = _last_before(other, prev.index)
        if start is None or prev_start is None:
            return None
        bars, prev_bars = pivot.index - start, prev.index - prev_start
        volume = s.cum_volume[pivot.index] - s.cum_volume[start]
        prev_volume = s.cum_volume[prev.index] - s.cum_volume[prev_start]
        reading = cd_reading(
            s.close, s.cum_delta, pivot.index, bars, self.lookback, self.thresholds
        )
        cls = reading.cls if reading is not None else CdClass.UNDEFINED
        if not lack_of_participation(
            volume,
            bars,
            prev_volume,
            prev_bars,
            stop_outs=cls == CdClass.STOP_OUTS,
            lop_vol_frac=self.lop_vol_frac,
        ):
            return None
        ratio = Fraction(volume * prev_bars, max(prev_volume * bars, 1))
        return Signal(
            ts_ns=ts,
            kind=SignalKind.LACK_OF_PARTICIPATION,
            direction=BEARISH if pivot.kind == PIVOT_HIGH else BULLISH,
            price_ticks=pivot.price_ticks,
            strength=max(0.0, 1.0 - float(ratio)),
            evidence={
                "swing_volume": volume,
                "swing_bars": bars,
                "prev_swing_volume": prev_volume,
                "prev_swing_bars": prev_bars,
                "cd_class": str(cls),
            },
        )


def _last_before(pivots: list[Pivot], index: int) -> int | None:
    for p in reversed(pivots):
        if p.index < index:
            return p.index
    return None


def swing_signals(
    candles: VolumetricCandles,
    *,
    pivot_k: int = 2,
    lop_vol_frac: float | str | Fraction = 0.5,
    cd_norm_lookback: int = 20,
    thresholds: CdThresholds = DEFAULT_THRESHOLDS,
) -> list[Signal]:
    """Divergence and lack-of-participation signals over a candle series (batch form)."""
    s = _Series(
        close=candles["close_ticks"].tolist(),
        cum_delta=np.cumsum(candles["delta"]).tolist(),
        cum_volume=np.cumsum(candles["volume"]).tolist(),
        cd_high=candles["cd_high"].tolist(),
        cd_low=candles["cd_low"].tolist(),
        session=candles.footprint.session.tolist(),
        last_ts=candles["last_ts_ns"].tolist(),
    )
    rules = _SwingRules(exact(lop_vol_frac), cd_norm_lookback, thresholds)
    out = []
    for pivot in find_pivots(candles["high_ticks"], candles["low_ticks"], pivot_k):
        out.extend(rules.on_pivot(pivot, s))
    return out


class SwingDetector:
    """Incremental divergence and lack of participation: feed closed bars in order."""

    def __init__(
        self,
        *,
        pivot_k: int = 2,
        lop_vol_frac: float | str | Fraction = 0.5,
        cd_norm_lookback: int = 20,
        thresholds: CdThresholds = DEFAULT_THRESHOLDS,
    ) -> None:
        self._pivots = PivotTracker(pivot_k)
        self._rules = _SwingRules(exact(lop_vol_frac), cd_norm_lookback, thresholds)
        self._s = _Series()

    def on_candle(self, candle: VolCandle) -> list[Signal]:
        """Signals confirmed by this bar."""
        s = self._s
        s.close.append(candle.close_ticks)
        s.cum_delta.append((s.cum_delta[-1] if s.cum_delta else 0) + candle.delta)
        s.cum_volume.append((s.cum_volume[-1] if s.cum_volume else 0) + candle.volume)
        s.cd_high.append(candle.cd_high)
        s.cd_low.append(candle.cd_low)
        s.session.append(candle.session)
        s.last_ts.append(candle.last_ts_ns)
        out = []
        for pivot in self._pivots.on_bar(candle.high_ticks, candle.low_ticks):
            out.extend(self._rules.on_pivot(pivot, s))
        return out

"""VWAP rhythm (spec §7.9, course VWAP trade plan): the market condition read from a bar series
(normally 1-minute) against VWAP and its bands over the last rhythm_lookback_min minutes.

* BALANCED: |VWAP slope| < flat_slope_ticks_per_30m and price crosses VWAP at least
  balanced_min_crosses_per_hour times an hour.
* IMBALANCED_UP / _DOWN: every close in the lookback on one side of VWAP; the pace is the band
  that pullbacks reach most often (VWAP or 0.5 sigma: SLOW, 1 sigma: NORMAL, 1.5 sigma or
  shallower: FAST).
* REVERSAL: while imbalanced, a 30-minute period closes on the other side of VWAP.
* BREAKOUT: while balanced, every close of the last accept_minutes is beyond +/-2 sigma.
* UNDEFINED otherwise (and until two samples exist).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

import numpy as np

from orderflow_lib.core.timeconv import NS_PER_MINUTE

_PERIOD_NS = 30 * NS_PER_MINUTE
_PACE_BANDS = (0.0, 0.5, 1.0, 1.5)


class RhythmCondition(StrEnum):
    """Market condition against VWAP."""

    BALANCED = "BALANCED"
    IMBALANCED_UP = "IMBALANCED_UP"
    IMBALANCED_DOWN = "IMBALANCED_DOWN"
    REVERSAL = "REVERSAL"
    BREAKOUT = "BREAKOUT"
    UNDEFINED = "UNDEFINED"


class Pace(StrEnum):
    """Trend pace of an imbalance, from the band pullbacks reach."""

    SLOW = "SLOW"
    NORMAL = "NORMAL"
    FAST = "FAST"
    NONE = "NONE"


@dataclass(frozen=True, slots=True)
class RhythmReading:
    """The rhythm condition at a bar end with the numbers it came from."""

    ts_ns: int
    condition: RhythmCondition
    pace: Pace
    slope_ticks_per_30m: float
    crosses_per_hour: float


@dataclass(frozen=True, slots=True)
class _Sample:
    ts_ns: int
    close: int
    low: int
    high: int
    vwap: float
    sigma: float


class VwapRhythm:
    """Incremental rhythm: feed each closed bar (end time, close/low/high ticks, VWAP, sigma)."""

    def __init__(
        self,
        *,
        flat_slope_ticks_per_30m: float = 0.5,
        balanced_min_crosses_per_hour: int = 2,
        rhythm_lookback_min: int = 60,
        accept_minutes: int = 30,
        breakout_sigma: float = 2.0,
    ) -> None:
        if rhythm_lookback_min < 1 or accept_minutes < 1:
            raise ValueError(
                f"lookback and acceptance must be >= 1 minute, were {rhythm_lookback_min} "
                f"and {accept_minutes}"
            )
        self.flat = flat_slope_ticks_per_30m
        self.min_crosses = balanced_min_crosses_per_hour
        self.lookback_ns = rhythm_lookback_min * NS_PER_MINUTE
        self.accept_ns = accept_minutes * NS_PER_MINUTE
        self.breakout_sigma = breakout_sigma
        self._samples: deque[_Sample] = deque()
        self._regime = RhythmCondition.UNDEFINED

    def on_bar(
        self, ts_ns: int, close: int, low: int, high: int, vwap: float, sigma: float
    ) -> RhythmReading:
        """The condition after this bar; NaN VWAP (no trade since the anchor) gives UNDEFINED."""
        if np.isnan(vwap):
            self._samples.clear()
            self._regime = RhythmCondition.UNDEFINED
            return RhythmReading(ts_ns, RhythmCondition.UNDEFINED, Pace.NONE, 0.0, 0.0)
        previous = self._samples[-1] if self._samples else None
        self._samples.append(_Sample(ts_ns, close, low, high, vwap, sigma))
        horizon = ts_ns - max(self.lookback_ns, self.accept_ns)
        while self._samples and self._samples[0].ts_ns <= horizon:
            self._samples.popleft()
        window = [s for s in self._samples if s.ts_ns > ts_ns - self.lookback_ns]
        if len(window) < 2:
            return RhythmReading(ts_ns, RhythmCondition.UNDEFINED, Pace.NONE, 0.0, 0.0)
        span_min = (window[-1].ts_ns - window[0].ts_ns) / NS_PER_MINUTE
        slope = (window[-1].vwap - window[0].vwap) / span_min * 30.0
        crosses = _crosses(window) * 60.0 * NS_PER_MINUTE / self.lookback_ns
        event = self._event(ts_ns, previous)
        balanced = abs(slope) < self.flat and crosses >= self.min_crosses
        above = all(s.close > s.vwap for s in window)
        below = all(s.close < s.vwap for s in window)
        if balanced:
            regime = RhythmCondition.BALANCED
        elif above:
            regime = RhythmCondition.IMBALANCED_UP
        elif below:
            regime = RhythmCondition.IMBALANCED_DOWN
        else:
            regime = RhythmCondition.UNDEFINED
        self._regime = regime
        condition = event if event is not None else regime
        pace = (
            _pace(window, up=above)
            if regime in (RhythmCondition.IMBALANCED_UP, RhythmCondition.IMBALANCED_DOWN)
            else Pace.NONE
        )
        return RhythmReading(ts_ns, condition, pace, slope, crosses)

    def _event(self, ts_ns: int, previous: _Sample | None) -> RhythmCondition | None:
        last = self._samples[-1]
        closes_period = previous is not None and ts_ns // _PERIOD_NS != previous.ts_ns // _PERIOD_NS
        if closes_period or ts_ns % _PERIOD_NS == 0:
            if self._regime == RhythmCondition.IMBALANCED_UP and last.close < last.vwap:
                return RhythmCondition.REVERSAL
            if self._regime == RhythmCondition.IMBALANCED_DOWN and last.close > last.vwap:
                return RhythmCondition.REVERSAL
        if self._regime == RhythmCondition.BALANCED:
            recent = [s for s in self._samples if s.ts_ns > ts_ns - self.accept_ns]
            span = recent[-1].ts_ns - recent[0].ts_ns if recent else 0
            if span >= self.accept_ns - NS_PER_MINUTE and recent:
                k = self.breakout_sigma
                if all(s.close > s.vwap + k * s.sigma for s in recent):
                    return RhythmCondition.BREAKOUT
                if all(s.close < s.vwap - k * s.sigma for s in recent):
                    return RhythmCondition.BREAKOUT
        return None


def _crosses(window: list[_Sample]) -> int:
    signs = [1 if s.close > s.vwap else -1 for s in window if s.close != s.vwap]
    return sum(1 for a, b in pairwise(signs) if a != b)


def _pace(window: list[_Sample], *, up: bool) -> Pace:
    counts = [0] * len(_PACE_BANDS)
    for s in window:
        for k, m in enumerate(_PACE_BANDS):
            reached = s.low <= s.vwap + m * s.sigma if up else s.high >= s.vwap - m * s.sigma
            if reached:
                counts[k] += 1
                break
    if not any(counts):
        return Pace.FAST
    best = max(range(len(counts)), key=lambda k: (counts[k], -k))
    return (Pace.SLOW, Pace.SLOW, Pace.NORMAL, Pace.FAST)[best]


def vwap_rhythm(
    ts_ns: np.ndarray,
    close: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    vwap: np.ndarray,
    sigma: np.ndarray,
    *,
    flat_slope_ticks_per_30m: float = 0.5,
    balanced_min_crosses_per_hour: int = 2,
    rhythm_lookback_min: int = 60,
    accept_minutes: int = 30,
) -> list[RhythmReading]:
    """Rhythm reading at every bar of a series (batch form of VwapRhythm)."""
    engine = VwapRhythm(
        flat_slope_ticks_per_30m=flat_slope_ticks_per_30m,
        balanced_min_crosses_per_hour=balanced_min_crosses_per_hour,
        rhythm_lookback_min=rhythm_lookback_min,
        accept_minutes=accept_minutes,
    )
    return [
        engine.on_bar(int(t), int(c), int(lo), int(hi), float(v), float(s))
        for t, c, lo, hi, v, s in zip(ts_ns, close, low, high, vwap, sigma, strict=True)
    ]

"""The G7FX CD order-flow table (spec §7.8): price change against cumulative-delta change over a
window, each normalised by its median over the previous windows of the same length, classified as
QUIET, ABSORPTION (price lagging CD), STOP_OUTS (price ahead of CD) or NORMAL; plus the inventory
read of CD (net long/short, overstretched)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np

from orderflow_lib.core.fractions import exact

_TINY = Fraction(1, 10**9)


class CdClass(StrEnum):
    """Classification of price against CD over a window."""

    QUIET = "QUIET"
    ABSORPTION = "ABSORPTION"
    STOP_OUTS = "STOP_OUTS"
    NORMAL = "NORMAL"
    UNDEFINED = "UNDEFINED"


@dataclass(frozen=True, slots=True)
class CdThresholds:
    """cd_quiet, cd_absorb_r and cd_stopout_r as exact fractions."""

    quiet: Fraction = Fraction(1, 4)
    absorb_r: Fraction = Fraction(1, 2)
    stopout_r: Fraction = Fraction(2)

    @classmethod
    def of(
        cls,
        cd_quiet: float | str | Fraction = 0.25,
        cd_absorb_r: float | str | Fraction = 0.5,
        cd_stopout_r: float | str | Fraction = 2.0,
    ) -> CdThresholds:
        """Thresholds read exactly from their decimal settings."""
        return cls(exact(cd_quiet), exact(cd_absorb_r), exact(cd_stopout_r))


DEFAULT_THRESHOLDS = CdThresholds()


@dataclass(frozen=True, slots=True)
class CdReading:
    """One window: price change (ticks), CD change (contracts), their medians and the class."""

    end_index: int
    window: int
    dp_ticks: int
    dcd: int
    m_p: Fraction
    m_cd: Fraction
    cls: CdClass


def classify_cd(
    dp_ticks: int,
    dcd: int,
    m_p: Fraction | int,
    m_cd: Fraction | int,
    thresholds: CdThresholds = DEFAULT_THRESHOLDS,
) -> CdClass:
    """Class of one window given the medians (each must be > 0)."""
    if m_p <= 0 or m_cd <= 0:
        raise ValueError(f"medians must be > 0, were m_p={m_p}, m_cd={m_cd}")
    p = Fraction(dp_ticks) / Fraction(m_p)
    d = Fraction(dcd) / Fraction(m_cd)
    if abs(p) < thresholds.quiet and abs(d) < thresholds.quiet:
        return CdClass.QUIET
    if p * d < 0:
        return CdClass.ABSORPTION if abs(d) >= abs(p) else CdClass.STOP_OUTS
    r = abs(p) / max(abs(d), _TINY)
    if r < thresholds.absorb_r:
        return CdClass.ABSORPTION
    if r > thresholds.stopout_r:
        return CdClass.STOP_OUTS
    return CdClass.NORMAL


def _median(values: list[int]) -> Fraction:
    s = sorted(values)
    n = len(s)
    return Fraction(s[n // 2]) if n % 2 else Fraction(s[n // 2 - 1] + s[n // 2], 2)


def cd_reading(
    close_ticks: Sequence[int] | np.ndarray,
    cum_delta: Sequence[int] | np.ndarray,
    end: int,
    window: int,
    lookback: int = 20,
    thresholds: CdThresholds = DEFAULT_THRESHOLDS,
) -> CdReading | None:
    """Reading of the window of `window` bars ending at bar `end` (None if it has no start bar).

    dp = close[end] - close[end - window]; dcd = cum_delta[end] - cum_delta[end - window], where
    cum_delta is the running sum of bar deltas (never reset, so windows may cross sessions). The
    medians of |dp| and |dcd| come from the previous `lookback` windows of the same length (floored
    at 1 tick / 1 contract); without any previous window the class is UNDEFINED.
    """
    if window < 1:
        raise ValueError(f"window must be >= 1 bar, was {window}")
    start = end - window
    if start < 0:
        return None
    dp = int(close_ticks[end]) - int(close_ticks[start])
    dcd = int(cum_delta[end]) - int(cum_delta[start])
    past_p: list[int] = []
    past_cd: list[int] = []
    for j in range(1, lookback + 1):
        e = end - j * window
        if e - window < 0:
            break
        past_p.append(abs(int(close_ticks[e]) - int(close_ticks[e - window])))
        past_cd.append(abs(int(cum_delta[e]) - int(cum_delta[e - window])))
    if not past_p:
        return CdReading(end, window, dp, dcd, Fraction(0), Fraction(0), CdClass.UNDEFINED)
    m_p = max(_median(past_p), Fraction(1))
    m_cd = max(_median(past_cd), Fraction(1))
    return CdReading(end, window, dp, dcd, m_p, m_cd, classify_cd(dp, dcd, m_p, m_cd, thresholds))


def cd_table(
    close_ticks: np.ndarray,
    delta: np.ndarray,
    window: int,
    lookback: int = 20,
    thresholds: CdThresholds = DEFAULT_THRESHOLDS,
) -> list[CdReading]:
    """Rolling readings for every bar that closes a full window (batch form)."""
    cum = np.cumsum(np.asarray(delta, dtype=np.int64))
    close = np.asarray(close_ticks, dtype=np.int64)
    readings = []
    for end in range(window, close.shape[0]):
        reading = cd_reading(close, cum, end, window, lookback, thresholds)
        if reading is not None:
            readings.append(reading)
    return readings


@dataclass(frozen=True, slots=True)
class CdInventory:
    """CD read as inventory: NET_LONG / NET_SHORT / FLAT and whether |CD| is overstretched."""

    label: str
    overstretched: bool
    threshold: float


def cd_inventory(
    cd: int,
    abs_cd_history: Sequence[int] | np.ndarray | None = None,
    *,
    overstretch_pct: float = 0.90,
    overstretch_fallback: int = 10_000,
) -> CdInventory:
    """Inventory label of CD and overstretch against the overstretch_pct quantile of |CD| at the
    same time of day over past sessions (`abs_cd_history`), or the fallback without history."""
    label = "NET_LONG" if cd > 0 else "NET_SHORT" if cd < 0 else "FLAT"
    if abs_cd_history is not None and len(abs_cd_history) > 0:
        threshold = float(
            np.quantile(np.abs(np.asarray(abs_cd_history, dtype=np.float64)), overstretch_pct)
        )
    else:
        threshold = float(overstretch_fallback)
    return CdInventory(label, abs(cd) > threshold, threshold)

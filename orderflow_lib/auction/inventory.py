"""Overnight inventory (spec §4.5): where the ETH session traded against the prior settlement,
its label, the ON statistics, and whether the RTH session corrected it in its first hour."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from statistics import median
from typing import Any

import numpy as np

from orderflow_lib.core.config import InventorySettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.profiles.tpo import TpoProfile
from orderflow_lib.profiles.volume import VolumeProfile


class InventoryLabel(StrEnum):
    """Overnight inventory label; FULL takes precedence over NET."""

    FULL_LONG = "FULL_LONG"
    FULL_SHORT = "FULL_SHORT"
    NET_LONG = "NET_LONG"
    NET_SHORT = "NET_SHORT"
    NEUTRAL = "NEUTRAL"

    @property
    def direction(self) -> int:
        """+1 for long inventories, -1 for short, 0 for NEUTRAL."""
        if self in (InventoryLabel.FULL_LONG, InventoryLabel.NET_LONG):
            return 1
        if self in (InventoryLabel.FULL_SHORT, InventoryLabel.NET_SHORT):
            return -1
        return 0


class CorrectionStatus(StrEnum):
    """Whether the RTH session traded back to the completion target within the window."""

    PENDING = "PENDING"
    CORRECTED = "CORRECTED"
    NOT_CORRECTED = "NOT_CORRECTED"
    NOT_APPLICABLE = "NOT_APPLICABLE"


def profile_vwap(profile: VolumeProfile) -> tuple[float, float]:
    """(VWAP, sigma) in ticks of a volume profile's rows (row low ticks weighted by volume).

    Exact for 1-tick rows built from trades; for bar-built profiles it is the VWAP of the
    approximate per-price volume (spec §7.9 prefers per-price volume to typical prices).
    """
    if profile.is_empty:
        return math.nan, math.nan
    ticks = profile.row_low_ticks
    volume = profile.volumes
    p0 = int(ticks[0])
    d = (ticks - p0).astype(np.float64)
    total = float(volume.sum())
    mean = float((volume * d).sum()) / total
    var = max(float((volume * d * d).sum()) / total - mean * mean, 0.0)
    return p0 + mean, math.sqrt(var)


def median_range(ranges: Sequence[int], lookback: int) -> Fraction | None:
    """Median of the last `lookback` ranges (ticks), exact; None when there are none."""
    recent = [Fraction(int(r)) for r in list(ranges)[-lookback:]]
    return Fraction(median(recent)) if recent else None


def inventory_balance(ticks: np.ndarray, weights: np.ndarray, ref_tick: int) -> Fraction | None:
    """(W_above - W_below) / (W_above + W_below) around ref (weight at ref ignored); None if both 0."""
    above = int(weights[ticks > ref_tick].sum())
    below = int(weights[ticks < ref_tick].sum())
    if above + below == 0:
        return None
    return Fraction(above - below, above + below)


@dataclass(frozen=True, slots=True)
class OvernightStats:
    """ON high, low, midpoint (exact, may be a half tick), POC, VWAP (float ticks), range, volume."""

    on_high: int
    on_low: int
    on_mid: Fraction
    on_poc: int
    on_vwap: float
    range_ticks: int
    volume: int


@dataclass(frozen=True, slots=True)
class OvernightInventory:
    """Spec §12 `overnight_inventory` output (prices in ticks)."""

    inv: Fraction
    label: InventoryLabel
    ref_tick: int
    stats: OvernightStats | None
    on_range_ratio: Fraction | None
    target: Fraction | None
    correction_status: CorrectionStatus
    correction_at_ns: int | None
    early_correction_hint: bool
    data_ok: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (fractions as text)."""
        st = self.stats
        return {
            "inv": str(self.inv),
            "label": str(self.label),
            "ref_tick": self.ref_tick,
            "on_high": None if st is None else st.on_high,
            "on_low": None if st is None else st.on_low,
            "on_mid": None if st is None else str(st.on_mid),
            "on_poc": None if st is None else st.on_poc,
            "on_vwap": None if st is None else st.on_vwap,
            "on_range_ticks": None if st is None else st.range_ticks,
            "on_volume": None if st is None else st.volume,
            "on_range_ratio": None if self.on_range_ratio is None else str(self.on_range_ratio),
            "target": None if self.target is None else str(self.target),
            "correction": {"status": str(self.correction_status), "at": self.correction_at_ns},
            "early_correction_hint": self.early_correction_hint,
            "data_ok": self.data_ok,
        }


def inventory_correction(
    direction: int,
    target: Fraction,
    rth_prints: np.ndarray,
    rth_open_ns: int,
    as_of_ns: int,
    window_min: int = 60,
) -> tuple[CorrectionStatus, int | None]:
    """Correction of a long (+1) or short (-1) inventory by the RTH prints known at as_of: the
    first print at or beyond `target` in [RTH open, RTH open + window) corrects it."""
    if direction == 0:
        return CorrectionStatus.NOT_APPLICABLE, None
    window_end = rth_open_ns + window_min * NS_PER_MINUTE
    ts, ticks = rth_prints["ts_ns"], rth_prints["price_ticks"]
    keep = (ts >= rth_open_ns) & (ts < min(as_of_ns, window_end))
    reached = ticks <= math.floor(target) if direction > 0 else ticks >= math.ceil(target)
    hits = np.flatnonzero(keep & reached)
    if hits.size:
        return CorrectionStatus.CORRECTED, int(ts[hits[0]])
    if as_of_ns >= window_end:
        return CorrectionStatus.NOT_CORRECTED, None
    return CorrectionStatus.PENDING, None


def overnight_stats(profile: VolumeProfile) -> OvernightStats | None:
    """The ON statistics of the ETH volume profile; None when it holds no volume."""
    if profile.is_empty or profile.low_tick is None or profile.high_tick is None:
        return None
    poc = profile.poc_ticks
    assert poc is not None
    vwap, _ = profile_vwap(profile)
    return OvernightStats(
        on_high=profile.high_tick,
        on_low=profile.low_tick,
        on_mid=Fraction(profile.high_tick + profile.low_tick, 2),
        on_poc=poc,
        on_vwap=vwap,
        range_ticks=profile.high_tick - profile.low_tick,
        volume=profile.total,
    )


def _label(inv: Fraction, stats: OvernightStats, ref: int, band: Fraction) -> InventoryLabel:
    if stats.on_low > ref:
        return InventoryLabel.FULL_LONG
    if stats.on_high < ref:
        return InventoryLabel.FULL_SHORT
    if inv >= band:
        return InventoryLabel.NET_LONG
    if inv <= -band:
        return InventoryLabel.NET_SHORT
    return InventoryLabel.NEUTRAL


def _target(stats: OvernightStats, ref: int, which: str) -> Fraction:
    if which == "on_mid":
        return stats.on_mid
    if which == "on_vwap":
        return Fraction(stats.on_vwap)
    return Fraction(ref)


def overnight_inventory(
    eth_profile: VolumeProfile,
    ref_tick: int,
    *,
    on_range_median_ticks: Fraction | int | None = None,
    rth_prints: np.ndarray | None = None,
    rth_open_ns: int | None = None,
    as_of_ns: int | None = None,
    eth_tpo: TpoProfile | None = None,
    completion_target: str | None = None,
    settings: InventorySettings | None = None,
) -> OvernightInventory:
    """Inventory of D's ETH against `ref_tick` (the prior settlement), spec §4.5.

    `rth_prints` (PRINT_DTYPE, time ordered) with `rth_open_ns` and `as_of_ns` evaluate the
    correction in [RTH open, RTH open + completion_window_min): CORRECTED at the first print at or
    beyond the target, NOT_CORRECTED once the window ended without one, PENDING before.
    `completion_target` overrides `inventory.completion_target` (ref | on_mid | on_vwap).
    With `inventory.basis` "time" (TPO) and `eth_tpo` given, TPO counts replace volume.
    """
    s = settings or InventorySettings()
    stats = overnight_stats(eth_profile)
    if stats is None:
        return OvernightInventory(
            Fraction(0),
            InventoryLabel.NEUTRAL,
            ref_tick,
            None,
            None,
            None,
            CorrectionStatus.NOT_APPLICABLE,
            None,
            False,
            data_ok=False,
        )
    if s.basis != "volume" and eth_tpo is not None and not eth_tpo.is_empty:
        balance = inventory_balance(eth_tpo.row_low_ticks, eth_tpo.counts, ref_tick)
    else:
        balance = inventory_balance(eth_profile.row_low_ticks, eth_profile.volumes, ref_tick)
    inv = Fraction(0) if balance is None else balance
    label = _label(inv, stats, ref_tick, exact(s.neutral_band))
    ratio = None
    if on_range_median_ticks is not None and Fraction(on_range_median_ticks) > 0:
        ratio = Fraction(stats.range_ticks) / Fraction(on_range_median_ticks)
    direction = label.direction
    if direction == 0:
        return OvernightInventory(
            inv,
            label,
            ref_tick,
            stats,
            ratio,
            None,
            CorrectionStatus.NOT_APPLICABLE,
            None,
            False,
            True,
        )
    target = _target(stats, ref_tick, completion_target or s.completion_target)
    status, at, hint = CorrectionStatus.PENDING, None, False
    if rth_prints is not None and rth_open_ns is not None:
        now = rth_open_ns if as_of_ns is None else as_of_ns
        status, at = inventory_correction(
            direction, target, rth_prints, rth_open_ns, now, s.completion_window_min
        )
        ts, ticks = rth_prints["ts_ns"], rth_prints["price_ticks"]
        opened = np.flatnonzero(ts >= rth_open_ns)
        if opened.size and label in (InventoryLabel.FULL_LONG, InventoryLabel.FULL_SHORT):
            open_tick = int(ticks[opened[0]])
            hint = open_tick <= stats.on_high if direction > 0 else open_tick >= stats.on_low
    return OvernightInventory(inv, label, ref_tick, stats, ratio, target, status, at, hint, True)

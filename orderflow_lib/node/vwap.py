"""Anchored VWAP and sigma over trade batches, equal to `flow.VwapEngine` trade by trade.

The same integer sums (volume, sum of size x (price - p0), sum of size x (price - p0)^2, with p0
the first price after the anchor) are carried between batches; the per-trade values come from
cumulative sums, divided exactly as the engine divides.
"""

from __future__ import annotations

import math

import numpy as np


class BatchVwap:
    """VWAP of the trades at or after `anchor_ns` (None: no anchor, VWAP never starts)."""

    def __init__(self, anchor_ns: int | None) -> None:
        self.anchor_ns = anchor_ns
        self.volume = 0
        self._s1 = 0
        self._s2 = 0
        self._p0 = 0

    @property
    def vwap_ticks(self) -> float:
        """Current VWAP in (fractional) ticks; NaN before the first anchored trade."""
        return self._p0 + self._s1 / self.volume if self.volume else math.nan

    @property
    def sigma_ticks(self) -> float:
        """Current volume-weighted standard deviation in ticks; NaN before the first trade."""
        if not self.volume:
            return math.nan
        mean = self._s1 / self.volume
        return math.sqrt(max(self._s2 / self.volume - mean * mean, 0.0))

    def add(
        self, ts: np.ndarray, price: np.ndarray, size: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Add time-ordered trades; (vwap_ticks, sigma_ticks) after each (NaN before the anchor)."""
        n = ts.shape[0]
        vwap = np.full(n, np.nan)
        sigma = np.full(n, np.nan)
        if self.anchor_ns is None or n == 0:
            return vwap, sigma
        first = int(np.searchsorted(ts, self.anchor_ns, side="left"))
        if first >= n:
            return vwap, sigma
        px = price[first:].astype(np.int64)
        sz = size[first:].astype(np.int64)
        if self.volume == 0:
            self._p0 = int(px[0])
        d = px - self._p0
        volume = self.volume + np.cumsum(sz)
        s1 = self._s1 + np.cumsum(sz * d)
        s2 = self._s2 + np.cumsum(sz * d * d)
        mean = s1 / volume
        vwap[first:] = self._p0 + mean
        sigma[first:] = np.sqrt(np.maximum(s2 / volume - mean * mean, 0.0))
        self.volume, self._s1, self._s2 = int(volume[-1]), int(s1[-1]), int(s2[-1])
        return vwap, sigma

"""Reference anchored VWAP and sigma, trade by trade (the integer accumulation of `flow.vwap_bands`)."""

from __future__ import annotations

import math

import numpy as np

from orderflow_lib.flow.bars import anchor_array


class VwapEngine:
    """Incremental anchored VWAP: the same integer accumulation as the batch kernel."""

    def __init__(self, anchors_ns: np.ndarray | list[int] | None = None) -> None:
        self._anchors = anchor_array(anchors_ns)
        self._next = 0
        self.segment = -1 if self._anchors.shape[0] > 0 else 0
        self.volume = 0
        self._s1 = 0
        self._s2 = 0
        self._p0 = 0
        self.vwap_ticks = math.nan
        self.sigma_ticks = math.nan

    def on_trade(self, ts_ns: int, price_ticks: int, size: int) -> tuple[float, float]:
        """Add a trade; returns (vwap_ticks, sigma_ticks), NaN before the first anchor."""
        moved = False
        while self._next < self._anchors.shape[0] and self._anchors[self._next] <= ts_ns:
            self._next += 1
            moved = True
        if moved:
            self.segment = self._next - 1
            self.volume = 0
            self.vwap_ticks = self.sigma_ticks = math.nan
        if self.segment < 0:
            return self.vwap_ticks, self.sigma_ticks
        if self.volume == 0:
            self._p0 = price_ticks
            self._s1 = self._s2 = 0
        d = price_ticks - self._p0
        self.volume += size
        self._s1 += size * d
        self._s2 += size * d * d
        mean = self._s1 / self.volume
        var = max(self._s2 / self.volume - mean * mean, 0.0)
        self.vwap_ticks = self._p0 + mean
        self.sigma_ticks = math.sqrt(var)
        return self.vwap_ticks, self.sigma_ticks

    def band(self, mult: float) -> float:
        """Current VWAP + mult x sigma in ticks."""
        return self.vwap_ticks + mult * self.sigma_ticks

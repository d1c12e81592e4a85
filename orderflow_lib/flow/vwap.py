"""VWAP with volume-weighted standard-deviation bands (spec §7.9), anchored at the RTH open by
default (the caller passes the anchor times from the session calendar) or at any chosen time. The
variance is the population variance around the VWAP, clamped at 0; no value before the first trade
after an anchor."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orderflow_lib.flow.bars import anchor_array
from orderflow_lib.flow.trades import TradeArrays
from orderflow_lib.kernels.flow_vwap import _vwap

DEFAULT_BAND_MULTS = (0.5, 1.0, 1.5, 2.0, 3.0)


@dataclass(frozen=True)
class VwapSeries:
    """VWAP and sigma (both in ticks, float) at every trade; `segment` numbers the anchor period
    (-1 before the first anchor, where values are NaN)."""

    ts_ns: np.ndarray
    vwap_ticks: np.ndarray
    sigma_ticks: np.ndarray
    segment: np.ndarray

    def band(self, mult: float) -> np.ndarray:
        """VWAP + mult x sigma in ticks (a negative mult gives the lower band)."""
        return self.vwap_ticks + mult * self.sigma_ticks

    def bands(self, mults: tuple[float, ...] = DEFAULT_BAND_MULTS) -> dict[float, np.ndarray]:
        """Upper and lower bands for each multiple, keyed +m and -m."""
        out = {}
        for m in mults:
            out[m] = self.band(m)
            out[-m] = self.band(-m)
        return out


def vwap_bands(trades: TradeArrays, anchors_ns: np.ndarray | list[int] | None = None) -> VwapSeries:
    """Anchored VWAP and sigma at every trade (batch form)."""
    vwap, sigma, segment = _vwap(
        trades.ts_ns, trades.price_ticks, trades.size, anchor_array(anchors_ns)
    )
    return VwapSeries(trades.ts_ns, vwap, sigma, segment)

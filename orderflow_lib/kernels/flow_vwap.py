"""Anchored VWAP kernel (spec §7.9): volume-weighted mean and population standard deviation of
trade prices since the latest anchor, accumulated exactly in integers around the anchor's first
price (shifted reference, no cancellation)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _vwap(
    ts_ns: np.ndarray, price_ticks: np.ndarray, size: np.ndarray, anchors_ns: np.ndarray
) -> tuple:
    """(vwap_ticks, sigma_ticks, segment) per trade; NaN before the first anchor (when anchors are
    given). Without anchors the first trade anchors the whole series."""
    n = ts_ns.shape[0]
    vwap = np.full(n, np.nan)
    sigma = np.full(n, np.nan)
    segment = np.full(n, -1, dtype=np.int64)
    n_anchors = anchors_ns.shape[0]
    next_anchor = 0
    seg = -1 if n_anchors > 0 else 0
    volume = 0
    s1 = 0
    s2 = 0
    p0 = 0
    for i in range(n):
        t = ts_ns[i]
        moved = False
        while next_anchor < n_anchors and anchors_ns[next_anchor] <= t:
            next_anchor += 1
            moved = True
        if moved:
            seg = next_anchor - 1
            volume = 0
        if seg < 0:
            continue
        if volume == 0:
            p0 = price_ticks[i]
            s1 = 0
            s2 = 0
        d = price_ticks[i] - p0
        q = size[i]
        volume += q
        s1 += q * d
        s2 += q * d * d
        mean = s1 / volume
        var = s2 / volume - mean * mean
        if var < 0.0:
            var = 0.0
        vwap[i] = p0 + mean
        sigma[i] = np.sqrt(var)
        segment[i] = seg
    return vwap, sigma, segment

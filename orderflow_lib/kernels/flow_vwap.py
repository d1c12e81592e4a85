"""Anchored VWAP kernel (spec §7.9): volume-weighted mean and population standard deviation of
trade prices since the latest anchor, accumulated exactly in integers around the anchor's first
price (shifted reference, no cancellation)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _vwap_step(acc: np.ndarray, price: int, size: int) -> tuple:
    """Add one trade to `acc` (volume, sum q*d, sum q*d*d, reference price p0; volume 0 starts a
    new anchor at this price); returns (vwap, sigma) in ticks. Shared with the node's kernel."""
    if acc[0] == 0:
        acc[3] = price
        acc[1] = 0
        acc[2] = 0
    d = price - acc[3]
    acc[0] += size
    acc[1] += size * d
    acc[2] += size * d * d
    mean = acc[1] / acc[0]
    return acc[3] + mean, np.sqrt(max(acc[2] / acc[0] - mean * mean, 0.0))


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
    acc = np.zeros(4, dtype=np.int64)
    for i in range(n):
        t = ts_ns[i]
        moved = False
        while next_anchor < n_anchors and anchors_ns[next_anchor] <= t:
            next_anchor += 1
            moved = True
        if moved:
            seg = next_anchor - 1
            acc[0] = 0
        if seg < 0:
            continue
        vwap[i], sigma[i] = _vwap_step(acc, price_ticks[i], size[i])
        segment[i] = seg
    return vwap, sigma, segment

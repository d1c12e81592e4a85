"""IB-style depth operations (insert / update / delete by position) that turn each book frame's
top levels into the next frame's, keeping every intermediate book sorted and uncrossed.

Per frame: first the deletes of both sides (levels whose price left, bottom up), then the inserts
(new prices, top down, at their final position), then the updates (same price, new size). A
level that moves position because another left or arrived is shifted by the book itself, as IB
does, rather than rewritten, so no intermediate book holds a price twice. A side whose prices are
not strictly ordered (bad data) falls back to rewriting by position.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from orderflow_lib.kernels.book import DEPTH_DELETE, DEPTH_INSERT, DEPTH_UPDATE, NO_PRICE

OPS_PER_LEVEL = 6
"""At most a delete, an insert and an update per level and side."""


@njit(cache=True, nogil=True)
def _present(px):
    """Levels before the first empty one."""
    n = 0
    while n < px.shape[0] and px[n] != NO_PRICE:
        n += 1
    return n


@njit(cache=True, nogil=True)
def _ordered(px, n, s):
    """True when the first n prices are strictly descending (s 0, bids) or ascending (s 1)."""
    for k in range(1, n):
        if (s == 0 and px[k] >= px[k - 1]) or (s == 1 and px[k] <= px[k - 1]):
            return False
    return True


@njit(cache=True, nogil=True)
def _find(px, n, price):
    """Position of `price` among the first n prices, -1 when absent."""
    for k in range(n):
        if px[k] == price:
            return k
    return -1


@njit(cache=True, nogil=True)
def _depth_ops(bid_px, bid_sz, ask_px, ask_sz):
    """Rows (frame, order within the frame, side 0 bid / 1 ask, operation, position, price, size)
    of the operations that rebuild every frame from the one before (the first from empty)."""
    n, levels = bid_px.shape
    cap = max(1, n * OPS_PER_LEVEL * levels)
    out = np.empty((cap, 7), dtype=np.int64)
    m = 0
    prev_px = np.full((2, levels), NO_PRICE, dtype=np.int64)
    prev_sz = np.zeros((2, levels), dtype=np.int64)
    prev_n = np.zeros(2, dtype=np.int64)
    cur_n = np.zeros(2, dtype=np.int64)
    sorted_ = np.zeros(2, dtype=np.bool_)
    for f in range(n):
        cur_n[0] = _present(bid_px[f])
        cur_n[1] = _present(ask_px[f])
        for s in range(2):
            px = bid_px[f] if s == 0 else ask_px[f]
            sorted_[s] = _ordered(px, cur_n[s], s) and _ordered(prev_px[s], prev_n[s], s)
        sub = 0
        for phase in range(3):
            for s in range(2):
                px = bid_px[f] if s == 0 else ask_px[f]
                sz = bid_sz[f] if s == 0 else ask_sz[f]
                m, sub = _side_ops(
                    out,
                    m,
                    f,
                    sub,
                    s,
                    phase,
                    sorted_[s],
                    px,
                    sz,
                    cur_n[s],
                    prev_px[s],
                    prev_sz[s],
                    prev_n[s],
                )
        for s in range(2):
            prev_px[s] = bid_px[f] if s == 0 else ask_px[f]
            prev_sz[s] = bid_sz[f] if s == 0 else ask_sz[f]
            prev_n[s] = cur_n[s]
    return out[:m]


@njit(cache=True, nogil=True)
def _emit(out, m, f, sub, s, op, position, price, size):
    out[m, 0] = f
    out[m, 1] = sub
    out[m, 2] = s
    out[m, 3] = op
    out[m, 4] = position
    out[m, 5] = price
    out[m, 6] = size
    return m + 1, sub + 1


@njit(cache=True, nogil=True)
def _side_ops(out, m, f, sub, s, phase, by_price, px, sz, n, ppx, psz, pn):
    """One phase of one side: by price when both books are ordered, else by position."""
    if by_price:
        return _by_price(out, m, f, sub, s, phase, px, sz, n, ppx, psz, pn)
    return _by_position(out, m, f, sub, s, phase, px, sz, n, ppx, psz, pn)


@njit(cache=True, nogil=True)
def _by_price(out, m, f, sub, s, phase, px, sz, n, ppx, psz, pn):
    """Phase 0: delete prices that left (bottom up); 1: insert new prices (top down); 2: update
    sizes of prices that stayed."""
    if phase == 0:
        for k in range(pn - 1, -1, -1):
            if _find(px, n, ppx[k]) < 0:
                m, sub = _emit(out, m, f, sub, s, DEPTH_DELETE, k, ppx[k], psz[k])
    elif phase == 1:
        for j in range(n):
            if _find(ppx, pn, px[j]) < 0:
                m, sub = _emit(out, m, f, sub, s, DEPTH_INSERT, j, px[j], sz[j])
    else:
        for j in range(n):
            k = _find(ppx, pn, px[j])
            if k >= 0 and psz[k] != sz[j]:
                m, sub = _emit(out, m, f, sub, s, DEPTH_UPDATE, j, px[j], sz[j])
    return m, sub


@njit(cache=True, nogil=True)
def _by_position(out, m, f, sub, s, phase, px, sz, n, ppx, psz, pn):
    """Rewrite by position: phase 0 deletes the tail the side lost, 1 inserts the tail it gained,
    2 updates every common position whose price or size changed."""
    common = min(n, pn)
    if phase == 0:
        for k in range(pn - 1, n - 1, -1):
            m, sub = _emit(out, m, f, sub, s, DEPTH_DELETE, k, ppx[k], psz[k])
    elif phase == 1:
        for j in range(pn, n):
            m, sub = _emit(out, m, f, sub, s, DEPTH_INSERT, j, px[j], sz[j])
    else:
        for j in range(common):
            if px[j] != ppx[j] or sz[j] != psz[j]:
                m, sub = _emit(out, m, f, sub, s, DEPTH_UPDATE, j, px[j], sz[j])
    return m, sub

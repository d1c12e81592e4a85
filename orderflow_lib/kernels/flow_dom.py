"""DOM metrics over recorded book frames and trades (the batch form of `flow.dom_metrics`): the
frames and trades merged by feed sequence, each through the rules of `kernels.dom_state`, so the
batch and the node's resumable kernel share one definition."""

from __future__ import annotations

import numpy as np
from numba import njit

from orderflow_lib.kernels.book import NO_PRICE
from orderflow_lib.kernels.dom_state import (
    B_PX,
    B_SIZE,
    ROW_COLS,
    S_COUNT,
    _grown,
    _on_frame,
    _on_trade,
)


@njit(cache=True, nogil=True)
def _load_side(state: np.ndarray, book: np.ndarray, s: int, px: np.ndarray, sz: np.ndarray) -> None:
    """Side s of the book becomes a frame's levels (best first, NO_PRICE after the last)."""
    n = 0
    while n < px.shape[0] and px[n] != NO_PRICE:
        book[s, B_PX, n] = px[n]
        book[s, B_SIZE, n] = sz[n]
        n += 1
    state[S_COUNT + s] = n


@njit(cache=True, nogil=True)
def _dom_metrics(
    f_ts: np.ndarray,
    f_seq: np.ndarray,
    bid_px: np.ndarray,
    bid_sz: np.ndarray,
    ask_px: np.ndarray,
    ask_sz: np.ndarray,
    f_status: np.ndarray,
    t_ts: np.ndarray,
    t_seq: np.ndarray,
    t_price: np.ndarray,
    t_size: np.ndarray,
    t_side: np.ndarray,
    params: np.ndarray,
    state: np.ndarray,
    book: np.ndarray,
    pool: np.ndarray,
    last: np.ndarray,
) -> tuple:
    """Merge frames and trades by feed sequence (a trade first on equal keys) through the DOM
    rules, starting from fresh `new_dom_state` arrays of the frames' width.

    Returns (imbalance, weighted_imbalance, signals) with signal rows (ts, kind, direction, price,
    amount, base size, book side 0 bid / 1 ask).
    """
    n_f = f_ts.shape[0]
    n_t = t_ts.shape[0]
    imbalance = np.full(n_f, np.nan)
    weighted = np.full(n_f, np.nan)
    room = 1 + 4 * book.shape[2]
    out = np.empty((room, ROW_COLS), dtype=np.int64)
    n_out = 0
    fi = 0
    ti = 0
    while fi < n_f or ti < n_t:
        if n_out + room > out.shape[0]:
            out = _grown(out, n_out, room)
        if ti < n_t and (fi >= n_f or t_seq[ti] < f_seq[fi]):
            n_out = _on_trade(
                state, pool, params, out, n_out, ti, t_ts[ti], t_price[ti], t_size[ti], t_side[ti]
            )
            ti += 1
            continue
        _load_side(state, book, 0, bid_px[fi], bid_sz[fi])
        _load_side(state, book, 1, ask_px[fi], ask_sz[fi])
        n_out = _on_frame(state, book, pool, params, last, out, n_out, fi, f_ts[fi], f_status[fi])
        imbalance[fi] = last[0]
        weighted[fi] = last[1]
        fi += 1
    return imbalance, weighted, out[:n_out, 1:].copy()

"""DOM metrics kernel (spec §7.10): book imbalance (plain and 1/i weighted) per frame, sustained
imbalance, pulling and stacking near the touch, and refills (executed > ever displayed) at a level.

Per tracked (side, price) the kernel keeps a ring of samples (time, X = size + volume traded there
since tracking began, size). Over the samples of the last window, pulled = max X - X now and
stacked = X now - min X; size changes explained by trades leave X unchanged. A level that leaves
the visible top-N is dropped without a pull; a gap frame (crossed, locked, reset, bad input,
unsorted) drops every level, so nothing is inferred across it."""

from __future__ import annotations

import numpy as np
from numba import njit

NO_PRICE = np.iinfo(np.int64).min
KIND_DOM_IMBALANCE = 1
KIND_PULLING = 2
KIND_STACKING = 3
KIND_ICEBERG = 4
RING = 32


@njit(cache=True, nogil=True)
def _emit(
    out: np.ndarray,
    n: int,
    ts: int,
    kind: int,
    direction: int,
    price: int,
    amount: int,
    base: int,
    level: int,
) -> tuple:
    """Append a signal row (growing the buffer when full); returns (buffer, count)."""
    if n == out.shape[0]:
        bigger = np.empty((2 * out.shape[0] + 16, 7), dtype=np.int64)
        bigger[:n] = out[:n]
        out = bigger
    out[n, 0] = ts
    out[n, 1] = kind
    out[n, 2] = direction
    out[n, 3] = price
    out[n, 4] = amount
    out[n, 5] = base
    out[n, 6] = level
    return out, n + 1


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
    gap_mask: int,
    tmin: int,
    tmax: int,
    imb_levels: int,
    sustain_ns: int,
    sustain_num: int,
    sustain_den: int,
    window_ns: int,
    pull_min: int,
    pull_num: int,
    pull_den: int,
    near_ticks: int,
    ice_window_ns: int,
    ice_min_vol: int,
) -> tuple:
    """Merge frames and trades by feed sequence and compute the metrics.

    Returns (imbalance, weighted_imbalance, signals) with signal rows (ts, kind, direction, price,
    amount, base size, book side 0 bid / 1 ask).
    """
    n_f = f_ts.shape[0]
    n_t = t_ts.shape[0]
    levels = bid_px.shape[1]
    span = tmax - tmin + 1 if tmax >= tmin else 1
    imbalance = np.full(n_f, np.nan)
    weighted = np.full(n_f, np.nan)
    tracked = np.zeros((2, span), dtype=np.bool_)
    traded = np.zeros((2, span), dtype=np.int64)
    disp = np.zeros((2, span), dtype=np.int64)
    ring_t = np.zeros((2, span, RING), dtype=np.int64)
    ring_x = np.zeros((2, span, RING), dtype=np.int64)
    ring_s = np.zeros((2, span, RING), dtype=np.int64)
    ring_head = np.zeros((2, span), dtype=np.int64)
    ring_len = np.zeros((2, span), dtype=np.int64)
    ice_max = np.zeros((2, span), dtype=np.int64)
    ice_exec = np.zeros((2, span), dtype=np.int64)
    ice_start = np.zeros((2, span), dtype=np.int64)
    ice_fired = np.zeros((2, span), dtype=np.bool_)
    prev_px = np.full((2, levels), NO_PRICE, dtype=np.int64)
    prev_n = np.zeros(2, dtype=np.int64)
    last_trade = NO_PRICE
    run_sign = 0
    run_start = 0
    run_emitted = False
    out = np.empty((64, 7), dtype=np.int64)
    n_out = 0
    fi = 0
    ti = 0
    while fi < n_f or ti < n_t:
        if ti < n_t and (fi >= n_f or t_seq[ti] < f_seq[fi]):
            t = t_ts[ti]
            p = t_price[ti]
            last_trade = p
            if t_side[ti] != 0 and tmin <= p <= tmax:
                s = 1 if t_side[ti] > 0 else 0
                off = p - tmin
                if tracked[s, off]:
                    traded[s, off] += t_size[ti]
                    if t - ice_start[s, off] > ice_window_ns:
                        ice_start[s, off] = t
                        ice_max[s, off] = disp[s, off]
                        ice_exec[s, off] = 0
                        ice_fired[s, off] = False
                    ice_exec[s, off] += t_size[ti]
                    if (
                        not ice_fired[s, off]
                        and ice_exec[s, off] > ice_max[s, off]
                        and ice_exec[s, off] >= ice_min_vol
                    ):
                        out, n_out = _emit(
                            out,
                            n_out,
                            t,
                            KIND_ICEBERG,
                            1 if s == 0 else -1,
                            p,
                            ice_exec[s, off],
                            ice_max[s, off],
                            s,
                        )
                        ice_fired[s, off] = True
            ti += 1
            continue
        t = f_ts[fi]
        if f_status[fi] & gap_mask:
            for s in range(2):
                for k in range(prev_n[s]):
                    off = prev_px[s, k] - tmin
                    tracked[s, off] = False
                    ring_len[s, off] = 0
                prev_n[s] = 0
            last_trade = NO_PRICE
            run_sign = 0
            run_emitted = False
            fi += 1
            continue
        b_sum = 0
        a_sum = 0
        wb = 0.0
        wa = 0.0
        for k in range(min(imb_levels, levels)):
            if bid_px[fi, k] != NO_PRICE:
                b_sum += bid_sz[fi, k]
                wb += bid_sz[fi, k] / (k + 1)
            if ask_px[fi, k] != NO_PRICE:
                a_sum += ask_sz[fi, k]
                wa += ask_sz[fi, k] / (k + 1)
        sign = 0
        if b_sum + a_sum > 0:
            imbalance[fi] = (b_sum - a_sum) / (b_sum + a_sum)
            weighted[fi] = (wb - wa) / (wb + wa)
            if abs(b_sum - a_sum) * sustain_den >= sustain_num * (b_sum + a_sum):
                sign = 1 if b_sum > a_sum else -1
        if sign != run_sign:
            run_sign = sign
            run_start = t
            run_emitted = False
        if sign != 0 and not run_emitted and t - run_start >= sustain_ns:
            price = bid_px[fi, 0] if sign > 0 else ask_px[fi, 0]
            out, n_out = _emit(
                out, n_out, t, KIND_DOM_IMBALANCE, sign, price, b_sum - a_sum, b_sum + a_sum, -1
            )
            run_emitted = True
        for s in range(2):
            px = bid_px[fi] if s == 0 else ask_px[fi]
            sz = bid_sz[fi] if s == 0 else ask_sz[fi]
            n_cur = 0
            while n_cur < levels and px[n_cur] != NO_PRICE:
                n_cur += 1
            full = n_cur == levels
            nth = px[levels - 1]
            ref = last_trade if last_trade != NO_PRICE else (px[0] if n_cur > 0 else NO_PRICE)
            for k in range(prev_n[s]):
                p = prev_px[s, k]
                present = False
                for j in range(n_cur):
                    if px[j] == p:
                        present = True
                        break
                if present:
                    continue
                off = p - tmin
                visible = (not full) or (s == 0 and p > nth) or (s == 1 and p < nth)
                if visible:
                    out, n_out = _sample(
                        out,
                        n_out,
                        ring_t,
                        ring_x,
                        ring_s,
                        ring_head,
                        ring_len,
                        s,
                        off,
                        p,
                        t,
                        traded[s, off],
                        0,
                        ref,
                        window_ns,
                        pull_min,
                        pull_num,
                        pull_den,
                        near_ticks,
                    )
                tracked[s, off] = False
                ring_len[s, off] = 0
            for k in range(n_cur):
                p = px[k]
                off = p - tmin
                size = sz[k]
                disp[s, off] = size
                if not tracked[s, off]:
                    tracked[s, off] = True
                    traded[s, off] = 0
                    ring_head[s, off] = 0
                    ring_len[s, off] = 1
                    ring_t[s, off, 0] = t
                    ring_x[s, off, 0] = size
                    ring_s[s, off, 0] = size
                    ice_start[s, off] = t
                    ice_max[s, off] = size
                    ice_exec[s, off] = 0
                    ice_fired[s, off] = False
                    continue
                if size > ice_max[s, off]:
                    ice_max[s, off] = size
                out, n_out = _sample(
                    out,
                    n_out,
                    ring_t,
                    ring_x,
                    ring_s,
                    ring_head,
                    ring_len,
                    s,
                    off,
                    p,
                    t,
                    traded[s, off],
                    size,
                    ref,
                    window_ns,
                    pull_min,
                    pull_num,
                    pull_den,
                    near_ticks,
                )
            for k in range(levels):
                prev_px[s, k] = px[k]
            prev_n[s] = n_cur
        fi += 1
    return imbalance, weighted, out[:n_out].copy()


@njit(cache=True, nogil=True)
def _sample(
    out: np.ndarray,
    n_out: int,
    ring_t: np.ndarray,
    ring_x: np.ndarray,
    ring_s: np.ndarray,
    ring_head: np.ndarray,
    ring_len: np.ndarray,
    s: int,
    off: int,
    price: int,
    t: int,
    traded: int,
    size: int,
    ref: int,
    window_ns: int,
    pull_min: int,
    pull_num: int,
    pull_den: int,
    near_ticks: int,
) -> tuple:
    """Record X = size + traded at a level when it changed, then test pulling and stacking."""
    x = size + traded
    n = ring_len[s, off]
    head = ring_head[s, off]
    newest = (head + n - 1) % RING
    if n > 0 and ring_x[s, off, newest] == x:
        return out, n_out
    if n == RING:
        head = (head + 1) % RING
        n -= 1
    slot = (head + n) % RING
    ring_t[s, off, slot] = t
    ring_x[s, off, slot] = x
    ring_s[s, off, slot] = size
    n += 1
    while n > 1 and ring_t[s, off, head] < t - window_ns:
        head = (head + 1) % RING
        n -= 1
    ring_head[s, off] = head
    ring_len[s, off] = n
    if ref == NO_PRICE or abs(price - ref) > near_ticks:
        return out, n_out
    hi = head
    lo = head
    for j in range(1, n):
        r = (head + j) % RING
        if ring_x[s, off, r] > ring_x[s, off, hi]:
            hi = r
        if ring_x[s, off, r] < ring_x[s, off, lo]:
            lo = r
    pulled = ring_x[s, off, hi] - x
    base = ring_s[s, off, hi]
    kind = 0
    amount = 0
    if pulled > 0 and pulled >= pull_min and pulled * pull_den >= pull_num * base:
        kind = KIND_PULLING
        amount = pulled
    else:
        stacked = x - ring_x[s, off, lo]
        base = ring_s[s, off, lo]
        if stacked > 0 and stacked >= pull_min and stacked * pull_den >= pull_num * base:
            kind = KIND_STACKING
            amount = stacked
    if kind == 0:
        return out, n_out
    direction = (1 if s == 0 else -1) * (-1 if kind == KIND_PULLING else 1)
    out, n_out = _emit(out, n_out, t, kind, direction, price, amount, base, s)
    ring_head[s, off] = slot
    ring_len[s, off] = 1
    return out, n_out

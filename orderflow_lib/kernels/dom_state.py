"""Resumable DOM kernel: IB position book plus the DOM metrics of spec §7.10, state in/out.

`_dom_step` takes a batch of market events (MARKET_EVENT_DTYPE records) and carried state arrays,
applies depth updates (kind 3) to the book and, with metrics on, feeds each resulting frame and
each trade (kind 1) through the rules below, in feed order. The state is bounded: per side
`levels` book positions and `levels` tracked-level slots (the previous frame's levels), each slot
holding its sample ring, whatever the prices. Any batching gives the same result.

The rules (spec §7.10): book imbalance (plain and 1/i weighted) per frame, sustained imbalance,
pulling and stacking near the touch, and refills (executed > ever displayed) at a level. Per
tracked level a ring of samples (time, X = size + volume traded there since tracking began, size):
over the window's samples, pulled = max X - X now and stacked = X now - min X, so size changes
explained by trades leave X unchanged. A level that leaves the visible top-N is dropped without a
pull; a gap frame (crossed, locked, reset, bad input, unsorted) drops every level.

State arrays (see `new_dom_state`):
- state, int64 (STATE_SIZE,): book counts, pending reset, bad updates, last trade, imbalance run;
- book, int64 (2, 3, levels): per side (0 bid, 1 ask) and position, the price (B_PX), size (B_SIZE)
  and the pool slot of that rank's level in the last metric frame (B_PREV);
- pool, int64 (2, levels, P_COLS): per side tracked-level slots (P_* columns, rings inline);
- imbalance, float64 (2,): last imbalance and weighted imbalance (NaN on gap or empty frames).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from orderflow_lib.kernels.book import (
    NO_PRICE,
    STATUS_BAD_INPUT,
    STATUS_CROSSED,
    STATUS_LOCKED,
    STATUS_RESET,
    STATUS_UNSORTED,
    _position_status,
    _position_update,
)
from orderflow_lib.market.events import DEPTH_RESET, KIND_DEPTH, KIND_TRADE

KIND_DOM_IMBALANCE = 1
KIND_PULLING = 2
KIND_STACKING = 3
KIND_ICEBERG = 4
RING = 32
"""Samples kept per tracked level (the window's samples; older ones drop out first)."""

GAP = STATUS_CROSSED | STATUS_LOCKED | STATUS_RESET | STATUS_BAD_INPUT | STATUS_UNSORTED

S_COUNT = 0
S_PREV_N = 2
S_PENDING_RESET = 4
S_BAD = 5
S_LAST_TRADE = 6
S_RUN_SIGN = 7
S_RUN_START = 8
S_RUN_EMITTED = 9
STATE_SIZE = 10
"""Offsets in `state` (S_COUNT and S_PREV_N hold one entry per side)."""

B_PX = 0
B_SIZE = 1
B_PREV = 2
"""Rows of `book` per side, indexed by position (rank)."""

P_USED = 0
P_PRICE = 1
P_TRADED = 2
P_DISPLAYED = 3
P_HEAD = 4
P_LEN = 5
P_ICE_START = 6
P_ICE_MAX = 7
P_ICE_EXEC = 8
P_ICE_FIRED = 9
P_RING_T = 10
P_RING_X = P_RING_T + RING
P_RING_S = P_RING_X + RING
P_COLS = P_RING_S + RING
"""Columns of a pool slot: flags and counters, then the rings of (time, X, size) samples."""

M_ON = 0
M_IMB_LEVELS = 1
M_SUSTAIN_NS = 2
M_SUSTAIN_NUM = 3
M_SUSTAIN_DEN = 4
M_WINDOW_NS = 5
M_PULL_MIN = 6
M_PULL_NUM = 7
M_PULL_DEN = 8
M_NEAR_TICKS = 9
M_ICE_WINDOW_NS = 10
M_ICE_MIN_VOL = 11
PARAMS_SIZE = 12
"""Offsets in the int64 params array; M_ON = 0 keeps the book only (no metrics, no signals)."""

ROW_COLS = 8
"""Signal rows: event index, ts, kind, direction, price, amount, base size, level side."""


def new_dom_state(levels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fresh (state, book, pool, imbalance) arrays of an empty book with `levels` per side."""
    state = np.zeros(STATE_SIZE, dtype=np.int64)
    state[S_LAST_TRADE] = NO_PRICE
    book = np.zeros((2, 3, levels), dtype=np.int64)
    pool = np.zeros((2, levels, P_COLS), dtype=np.int64)
    return state, book, pool, np.full(2, np.nan)


@njit(cache=True, nogil=True)
def _emit(
    out: np.ndarray,
    n: int,
    i: int,
    ts: int,
    kind: int,
    direction: int,
    price: int,
    amount: int,
    base: int,
    level: int,
) -> int:
    """Write signal row n (the caller keeps room for an event's rows); returns the new count."""
    out[n, 0] = i
    out[n, 1] = ts
    out[n, 2] = kind
    out[n, 3] = direction
    out[n, 4] = price
    out[n, 5] = amount
    out[n, 6] = base
    out[n, 7] = level
    return n + 1


@njit(cache=True, nogil=True)
def _grown(out: np.ndarray, n: int, need: int) -> np.ndarray:
    """A copy of the first n rows of `out` in a buffer with at least `need` more rows."""
    bigger = np.empty((2 * out.shape[0] + need, ROW_COLS), dtype=np.int64)
    bigger[:n] = out[:n]
    return bigger


@njit(cache=True, nogil=True)
def _find(pool: np.ndarray, s: int, price: int) -> int:
    """Slot of the tracked level at `price` on side s, -1 when untracked."""
    for j in range(pool.shape[1]):
        if pool[s, j, P_USED] and pool[s, j, P_PRICE] == price:
            return j
    return -1


@njit(cache=True, nogil=True)
def _on_trade(
    state: np.ndarray,
    pool: np.ndarray,
    params: np.ndarray,
    out: np.ndarray,
    n_out: int,
    i: int,
    t: int,
    price: int,
    size: int,
    side: int,
) -> int:
    """A trade: volume traded at the level it hit; ICEBERG on a refill."""
    state[S_LAST_TRADE] = price
    if side == 0:
        return n_out
    s = 1 if side > 0 else 0
    j = _find(pool, s, price)
    if j < 0:
        return n_out
    lv = pool[s, j]
    lv[P_TRADED] += size
    if t - lv[P_ICE_START] > params[M_ICE_WINDOW_NS]:
        lv[P_ICE_START] = t
        lv[P_ICE_MAX] = lv[P_DISPLAYED]
        lv[P_ICE_EXEC] = 0
        lv[P_ICE_FIRED] = 0
    lv[P_ICE_EXEC] += size
    if (
        not lv[P_ICE_FIRED]
        and lv[P_ICE_EXEC] > lv[P_ICE_MAX]
        and lv[P_ICE_EXEC] >= params[M_ICE_MIN_VOL]
    ):
        lv[P_ICE_FIRED] = 1
        direction = 1 if s == 0 else -1
        return _emit(
            out, n_out, i, t, KIND_ICEBERG, direction, price, lv[P_ICE_EXEC], lv[P_ICE_MAX], s
        )
    return n_out


@njit(cache=True, nogil=True)
def _clear_tracking(state: np.ndarray, pool: np.ndarray) -> None:
    """A gap frame: forget every tracked level, the last trade and the imbalance run."""
    pool[:, :, P_USED] = 0
    state[S_PREV_N] = 0
    state[S_PREV_N + 1] = 0
    state[S_LAST_TRADE] = NO_PRICE
    state[S_RUN_SIGN] = 0
    state[S_RUN_EMITTED] = 0


@njit(cache=True, nogil=True)
def _imbalance(
    state: np.ndarray,
    book: np.ndarray,
    params: np.ndarray,
    imbalance: np.ndarray,
    out: np.ndarray,
    n_out: int,
    i: int,
    t: int,
) -> int:
    """Imbalance of the top levels into `imbalance`; DOM_IMBALANCE once a run is sustained."""
    b_sum = 0
    a_sum = 0
    wb = 0.0
    wa = 0.0
    for k in range(params[M_IMB_LEVELS]):
        if k < state[S_COUNT]:
            b_sum += book[0, B_SIZE, k]
            wb += book[0, B_SIZE, k] / (k + 1)
        if k < state[S_COUNT + 1]:
            a_sum += book[1, B_SIZE, k]
            wa += book[1, B_SIZE, k] / (k + 1)
    total = b_sum + a_sum
    imbalance[0] = np.nan
    imbalance[1] = np.nan
    sign = 0
    if total > 0:
        imbalance[0] = (b_sum - a_sum) / total
        imbalance[1] = (wb - wa) / (wb + wa)
        if abs(b_sum - a_sum) * params[M_SUSTAIN_DEN] >= params[M_SUSTAIN_NUM] * total:
            sign = 1 if b_sum > a_sum else -1
    if sign != state[S_RUN_SIGN]:
        state[S_RUN_SIGN] = sign
        state[S_RUN_START] = t
        state[S_RUN_EMITTED] = 0
    if sign != 0 and not state[S_RUN_EMITTED] and t - state[S_RUN_START] >= params[M_SUSTAIN_NS]:
        price = book[0, B_PX, 0] if sign > 0 else book[1, B_PX, 0]
        state[S_RUN_EMITTED] = 1
        return _emit(out, n_out, i, t, KIND_DOM_IMBALANCE, sign, price, b_sum - a_sum, total, -1)
    return n_out


@njit(cache=True, nogil=True)
def _sample(
    pool: np.ndarray,
    params: np.ndarray,
    out: np.ndarray,
    n_out: int,
    i: int,
    s: int,
    j: int,
    t: int,
    size: int,
    ref: int,
) -> int:
    """Record X = size + traded at slot j when it changed, then test pulling and stacking."""
    lv = pool[s, j]
    x = size + lv[P_TRADED]
    n = lv[P_LEN]
    head = lv[P_HEAD]
    if n > 0 and lv[P_RING_X + (head + n - 1) % RING] == x:
        return n_out
    if n == RING:
        head = (head + 1) % RING
        n -= 1
    slot = (head + n) % RING
    lv[P_RING_T + slot] = t
    lv[P_RING_X + slot] = x
    lv[P_RING_S + slot] = size
    n += 1
    while n > 1 and lv[P_RING_T + head] < t - params[M_WINDOW_NS]:
        head = (head + 1) % RING
        n -= 1
    lv[P_HEAD] = head
    lv[P_LEN] = n
    price = lv[P_PRICE]
    if ref == NO_PRICE or abs(price - ref) > params[M_NEAR_TICKS]:
        return n_out
    hi = head
    lo = head
    for k in range(1, n):
        r = (head + k) % RING
        if lv[P_RING_X + r] > lv[P_RING_X + hi]:
            hi = r
        if lv[P_RING_X + r] < lv[P_RING_X + lo]:
            lo = r
    kind, amount, base = _pull_or_stack(lv, params, x, hi, lo)
    if kind == 0:
        return n_out
    direction = (1 if s == 0 else -1) * (-1 if kind == KIND_PULLING else 1)
    lv[P_HEAD] = slot
    lv[P_LEN] = 1
    return _emit(out, n_out, i, t, kind, direction, price, amount, base, s)


@njit(cache=True, nogil=True)
def _pull_or_stack(lv: np.ndarray, params: np.ndarray, x: int, hi: int, lo: int) -> tuple:
    """(kind, amount, base) of a pull from the window's max X or a stack from its min; kind 0
    when neither reaches max(pull_min, pull_frac x base)."""
    num = params[M_PULL_NUM]
    den = params[M_PULL_DEN]
    pulled = lv[P_RING_X + hi] - x
    base = lv[P_RING_S + hi]
    if pulled > 0 and pulled >= params[M_PULL_MIN] and pulled * den >= num * base:
        return KIND_PULLING, pulled, base
    stacked = x - lv[P_RING_X + lo]
    base = lv[P_RING_S + lo]
    if stacked > 0 and stacked >= params[M_PULL_MIN] and stacked * den >= num * base:
        return KIND_STACKING, stacked, base
    return 0, 0, 0


@njit(cache=True, nogil=True)
def _track(pool: np.ndarray, s: int, price: int, size: int, t: int) -> int:
    """Start tracking a new level in a free slot of side s (one sample); returns the slot."""
    j = 0
    while pool[s, j, P_USED]:
        j += 1
    lv = pool[s, j]
    lv[P_USED] = 1
    lv[P_PRICE] = price
    lv[P_TRADED] = 0
    lv[P_DISPLAYED] = size
    lv[P_HEAD] = 0
    lv[P_LEN] = 1
    lv[P_RING_T] = t
    lv[P_RING_X] = size
    lv[P_RING_S] = size
    lv[P_ICE_START] = t
    lv[P_ICE_MAX] = size
    lv[P_ICE_EXEC] = 0
    lv[P_ICE_FIRED] = 0
    return j


@njit(cache=True, nogil=True)
def _same_levels(state: np.ndarray, book: np.ndarray, pool: np.ndarray, s: int) -> bool:
    """True when side s has the tracked prices at the same ranks (the common size-only change)."""
    n = state[S_COUNT + s]
    if n != state[S_PREV_N + s]:
        return False
    k = 0
    while k < n and pool[s, book[s, B_PREV, k], P_PRICE] == book[s, B_PX, k]:
        k += 1
    return k == n


@njit(cache=True, nogil=True)
def _drop_removed(
    state: np.ndarray,
    book: np.ndarray,
    pool: np.ndarray,
    params: np.ndarray,
    out: np.ndarray,
    n_out: int,
    i: int,
    s: int,
    t: int,
    ref: int,
) -> int:
    """Stop tracking the levels of side s that left the book, sampling size 0 at those that left
    while visible (not merely pushed beyond a full top-N)."""
    n_cur = state[S_COUNT + s]
    full = n_cur == book.shape[2]
    nth = book[s, B_PX, n_cur - 1] if full else NO_PRICE
    for r in range(state[S_PREV_N + s]):
        j = book[s, B_PREV, r]
        p = pool[s, j, P_PRICE]
        present = False
        for k in range(n_cur):
            if book[s, B_PX, k] == p:
                present = True
                break
        if present:
            continue
        if (not full) or (s == 0 and p > nth) or (s == 1 and p < nth):
            n_out = _sample(pool, params, out, n_out, i, s, j, t, 0, ref)
        pool[s, j, P_USED] = 0
    return n_out


@njit(cache=True, nogil=True)
def _match(state: np.ndarray, book: np.ndarray, pool: np.ndarray, s: int, t: int) -> None:
    """Point each rank of side s at the slot tracking its price, tracking new prices."""
    for k in range(state[S_COUNT + s]):
        p = book[s, B_PX, k]
        j = _find(pool, s, p)
        if j < 0:
            j = _track(pool, s, p, book[s, B_SIZE, k], t)
        book[s, B_PREV, k] = j


@njit(cache=True, nogil=True)
def _side(
    state: np.ndarray,
    book: np.ndarray,
    pool: np.ndarray,
    params: np.ndarray,
    out: np.ndarray,
    n_out: int,
    i: int,
    s: int,
    t: int,
) -> int:
    """One side of a frame: drop levels that left, track new ones, then
    sample every level whose X changed; the frame's levels become the tracked ones.

    The X-changed test is inline (a call per level costs more than the test); a new level's first
    sample is its X, so it is skipped like an unchanged level."""
    n_cur = state[S_COUNT + s]
    ref = state[S_LAST_TRADE]
    if ref == NO_PRICE and n_cur > 0:
        ref = book[s, B_PX, 0]
    if not _same_levels(state, book, pool, s):
        n_out = _drop_removed(state, book, pool, params, out, n_out, i, s, t, ref)
        _match(state, book, pool, s, t)
    for k in range(n_cur):
        j = book[s, B_PREV, k]
        size = book[s, B_SIZE, k]
        pool[s, j, P_DISPLAYED] = size
        if size > pool[s, j, P_ICE_MAX]:
            pool[s, j, P_ICE_MAX] = size
        newest = (pool[s, j, P_HEAD] + pool[s, j, P_LEN] - 1) % RING
        if pool[s, j, P_RING_X + newest] != size + pool[s, j, P_TRADED]:
            n_out = _sample(pool, params, out, n_out, i, s, j, t, size, ref)
    state[S_PREV_N + s] = n_cur
    return n_out


@njit(cache=True, nogil=True)
def _on_frame(
    state: np.ndarray,
    book: np.ndarray,
    pool: np.ndarray,
    params: np.ndarray,
    imbalance: np.ndarray,
    out: np.ndarray,
    n_out: int,
    i: int,
    t: int,
    status: int,
) -> int:
    """The book after an update as a frame; a gap clears the tracking."""
    if status & GAP:
        _clear_tracking(state, pool)
        imbalance[0] = np.nan
        imbalance[1] = np.nan
        return n_out
    n_out = _imbalance(state, book, params, imbalance, out, n_out, i, t)
    for s in range(2):
        n_out = _side(state, book, pool, params, out, n_out, i, s, t)
    return n_out


@njit(cache=True, nogil=True)
def _dom_step(
    events: np.ndarray,
    params: np.ndarray,
    state: np.ndarray,
    book: np.ndarray,
    pool: np.ndarray,
    imbalance: np.ndarray,
) -> np.ndarray:
    """Apply a batch of events in feed order to the carried state (mutated in place).

    Depth events update the book (DEPTH_RESET empties it and flags the next frame RESET); with
    params[M_ON] each frame and trade also runs the DOM metrics. Returns the signal rows.
    """
    # Rows one event can raise: the imbalance, then per side one per level that left and one per
    # current level (at most `levels` each).
    room = 1 + 4 * book.shape[2]
    out = np.empty((room, ROW_COLS), dtype=np.int64)
    n_out = 0
    metrics = params[M_ON] != 0
    for i in range(events.shape[0]):
        ev = events[i]
        if n_out + room > out.shape[0]:
            out = _grown(out, n_out, room)
        if ev.kind == KIND_TRADE and metrics:
            n_out = _on_trade(
                state, pool, params, out, n_out, i, ev.ts_ns, ev.price_ticks, ev.size, ev.side
            )
            continue
        if ev.kind != KIND_DEPTH:
            continue
        if ev.operation == DEPTH_RESET:
            state[S_COUNT] = 0
            state[S_COUNT + 1] = 0
            state[S_PENDING_RESET] = 1
            continue
        status = STATUS_RESET if state[S_PENDING_RESET] else 0
        state[S_PENDING_RESET] = 0
        px = book[:, B_PX]
        count = state[S_COUNT : S_COUNT + 2]
        if not _position_update(
            px, book[:, B_SIZE], count, ev.side, ev.position, ev.operation, ev.price_ticks, ev.size
        ):
            state[S_BAD] += 1
            status |= STATUS_BAD_INPUT
        if metrics:
            status |= _position_status(px, count)
            n_out = _on_frame(state, book, pool, params, imbalance, out, n_out, i, ev.ts_ns, status)
    return out[:n_out]

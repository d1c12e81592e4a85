"""Order-book kernels: replay Databento MBO messages (event by event, atomically) and IB-style depth
updates by position into frames of the top levels after each event."""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.typed import Dict

NO_PRICE = np.iinfo(np.int64).min
ACTION_ADD = 65
ACTION_CANCEL = 67
ACTION_MODIFY = 77
ACTION_CLEAR = 82
ACTION_TRADE = 84
ACTION_FILL = 70
F_LAST = 0x80
F_SNAPSHOT = 0x20
STATUS_CROSSED = 1
STATUS_LOCKED = 2
STATUS_RESET = 4
STATUS_BAD_INPUT = 8
STATUS_UNSORTED = 16
DEPTH_INSERT = 0
DEPTH_UPDATE = 1
DEPTH_DELETE = 2
COUNTERS = (
    "unknown_cancel",
    "unknown_modify",
    "duplicate_add",
    "over_cancel",
    "bad_message",
    "pending_messages",
    "crossed_frames",
    "locked_frames",
)


@njit(cache=True, nogil=True)
def _rescan(lvl: np.ndarray, s: int, start: int) -> int:
    """Best offset of side s (0 bid: highest, 1 ask: lowest) at or beyond `start`."""
    span = lvl.shape[1]
    if s == 0:
        off = start
        while off >= 0 and lvl[0, off] == 0:
            off -= 1
        return off
    off = start
    while off < span and lvl[1, off] == 0:
        off += 1
    return off


@njit(cache=True, nogil=True)
def _change(
    lvl: np.ndarray, nlev: np.ndarray, best: np.ndarray, s: int, off: int, qty: int
) -> None:
    """Add qty (negative to remove) at a level and keep the best offset and level count right."""
    before = lvl[s, off]
    after = before + qty
    if after < 0:
        after = 0
    lvl[s, off] = after
    if before == 0 and after > 0:
        nlev[s] += 1
        if (s == 0 and off > best[0]) or (s == 1 and off < best[1]):
            best[s] = off
    elif before > 0 and after == 0:
        nlev[s] -= 1
        if off == best[s]:
            best[s] = _rescan(lvl, s, off)


@njit(cache=True, nogil=True)
def _lookup(sides: np.ndarray, offs: np.ndarray, qty: np.ndarray, n: int, s: int, off: int) -> int:
    """Sum of qty over the first n entries at side s and offset off."""
    total = 0
    for k in range(n):
        if sides[k] == s and offs[k] == off:
            total += qty[k]
    return total


@njit(cache=True, nogil=True)
def _mbo_replay(
    ts_ns: np.ndarray,
    action: np.ndarray,
    side: np.ndarray,
    price_ticks: np.ndarray,
    size: np.ndarray,
    order_id: np.ndarray,
    flags: np.ndarray,
    levels: int,
    tmin: int,
    tmax: int,
) -> tuple:
    """Replay MBO messages, applying each event (messages up to one flagged F_LAST) atomically.

    A snapshot run (F_SNAPSHOT) or a clear (R) starts from an empty book (frame status RESET). For
    each trade message: the best bid/ask before its event and the best opposite price accessible
    to it (the pre-event book less what earlier trades of the event took and less orders the event
    cancels without a fill). Unknown order ids, duplicate adds, over-cancels and bad prices are
    counted and never applied blindly. Messages after the last F_LAST are left pending.
    """
    n = ts_ns.shape[0]
    span = tmax - tmin + 1 if tmax >= tmin else 1
    lvl = np.zeros((2, span), dtype=np.int64)
    nlev = np.zeros(2, dtype=np.int64)
    best = np.array([-1, span], dtype=np.int64)
    orders = Dict.empty(key_type=types.int64, value_type=types.int64)
    o_side = np.empty(n + 1, dtype=np.int64)
    o_off = np.empty(n + 1, dtype=np.int64)
    o_size = np.empty(n + 1, dtype=np.int64)
    free = np.empty(n + 1, dtype=np.int64)
    n_free = 0
    next_slot = 0
    n_events = 0
    n_trades = 0
    for j in range(n):
        if flags[j] & F_LAST:
            n_events += 1
        if action[j] == ACTION_TRADE:
            n_trades += 1
    f_ts = np.empty(n_events, dtype=np.int64)
    f_seq = np.empty(n_events, dtype=np.int64)
    f_status = np.zeros(n_events, dtype=np.uint8)
    bid_px = np.full((n_events, levels), NO_PRICE, dtype=np.int64)
    bid_sz = np.zeros((n_events, levels), dtype=np.int64)
    ask_px = np.full((n_events, levels), NO_PRICE, dtype=np.int64)
    ask_sz = np.zeros((n_events, levels), dtype=np.int64)
    trades = np.empty((n_trades, 8), dtype=np.int64)
    counters = np.zeros(8, dtype=np.int64)
    ev_sides = np.empty(n + 1, dtype=np.int64)
    ev_offs = np.empty(n + 1, dtype=np.int64)
    ev_qty = np.empty(n + 1, dtype=np.int64)
    took_sides = np.empty(n + 1, dtype=np.int64)
    took_offs = np.empty(n + 1, dtype=np.int64)
    took_qty = np.empty(n + 1, dtype=np.int64)
    fills = np.empty(n + 1, dtype=np.int64)
    in_snapshot = False
    i = 0
    f = 0
    k = 0
    while i < n:
        e = i
        while e < n and not (flags[e] & F_LAST):
            e += 1
        if e == n:
            counters[5] = n - i
            break
        status = 0
        n_fills = 0
        n_ev = 0
        n_took = 0
        has_trade = False
        for j in range(i, e + 1):
            if action[j] == ACTION_FILL:
                fills[n_fills] = order_id[j]
                n_fills += 1
            elif action[j] == ACTION_TRADE:
                has_trade = True
        if has_trade:
            for j in range(i, e + 1):
                if action[j] != ACTION_CANCEL or order_id[j] not in orders:
                    continue
                filled = False
                for q in range(n_fills):
                    if fills[q] == order_id[j]:
                        filled = True
                        break
                if not filled:
                    slot = orders[order_id[j]]
                    ev_sides[n_ev] = o_side[slot]
                    ev_offs[n_ev] = o_off[slot]
                    ev_qty[n_ev] = size[j]
                    n_ev += 1
        bb = tmin + best[0] if best[0] >= 0 else NO_PRICE
        ba = tmin + best[1] if best[1] < span else NO_PRICE
        for j in range(i, e + 1):
            if action[j] != ACTION_TRADE:
                continue
            touch = NO_PRICE
            s_aggr = side[j]
            if s_aggr != 0 and price_ticks[j] != NO_PRICE:
                opp = 1 if s_aggr > 0 else 0
                step = 1 if opp == 1 else -1
                off = best[opp]
                while 0 <= off < span:
                    if lvl[opp, off] > 0:
                        avail = (
                            lvl[opp, off]
                            - _lookup(took_sides, took_offs, took_qty, n_took, opp, off)
                            - _lookup(ev_sides, ev_offs, ev_qty, n_ev, opp, off)
                        )
                        if avail > 0:
                            touch = tmin + off
                            break
                    off += step
                took_sides[n_took] = opp
                took_offs[n_took] = price_ticks[j] - tmin
                took_qty[n_took] = size[j]
                n_took += 1
            trades[k, 0] = j
            trades[k, 1] = ts_ns[j]
            trades[k, 2] = price_ticks[j]
            trades[k, 3] = size[j]
            trades[k, 4] = s_aggr
            trades[k, 5] = bb
            trades[k, 6] = ba
            trades[k, 7] = touch
            k += 1
        for j in range(i, e + 1):
            snap = (flags[j] & F_SNAPSHOT) != 0
            a = action[j]
            if (snap and not in_snapshot) or a == ACTION_CLEAR:
                lvl[:, :] = 0
                nlev[:] = 0
                best[0] = -1
                best[1] = span
                orders.clear()
                n_free = 0
                next_slot = 0
                status |= STATUS_RESET
            in_snapshot = snap
            if a in (ACTION_CLEAR, ACTION_TRADE, ACTION_FILL):
                continue
            oid = order_id[j]
            known = oid in orders
            if a == ACTION_CANCEL:
                if not known:
                    counters[0] += 1
                    status |= STATUS_BAD_INPUT
                    continue
                slot = orders[oid]
                take = size[j]
                if take > o_size[slot]:
                    counters[3] += 1
                    status |= STATUS_BAD_INPUT
                    take = o_size[slot]
                _change(lvl, nlev, best, o_side[slot], o_off[slot], -take)
                o_size[slot] -= take
                if o_size[slot] == 0:
                    del orders[oid]
                    free[n_free] = slot
                    n_free += 1
                continue
            if a != ACTION_ADD and a != ACTION_MODIFY:
                counters[4] += 1
                status |= STATUS_BAD_INPUT
                continue
            s = side[j]
            if (s != 1 and s != -1) or price_ticks[j] == NO_PRICE or size[j] <= 0:
                counters[4] += 1
                status |= STATUS_BAD_INPUT
                continue
            if known:
                if a == ACTION_ADD:
                    counters[2] += 1
                    status |= STATUS_BAD_INPUT
                slot = orders[oid]
                _change(lvl, nlev, best, o_side[slot], o_off[slot], -o_size[slot])
            else:
                if a == ACTION_MODIFY:
                    counters[1] += 1
                    status |= STATUS_BAD_INPUT
                if n_free > 0:
                    n_free -= 1
                    slot = free[n_free]
                else:
                    slot = next_slot
                    next_slot += 1
                orders[oid] = slot
            o_side[slot] = 0 if s == 1 else 1
            o_off[slot] = price_ticks[j] - tmin
            o_size[slot] = size[j]
            _change(lvl, nlev, best, o_side[slot], o_off[slot], size[j])
        f_ts[f] = ts_ns[e]
        f_seq[f] = e
        _top(lvl, nlev, best, tmin, levels, bid_px[f], bid_sz[f], ask_px[f], ask_sz[f])
        if best[0] >= 0 and best[1] < span:
            if best[0] > best[1]:
                status |= STATUS_CROSSED
                counters[6] += 1
            elif best[0] == best[1]:
                status |= STATUS_LOCKED
                counters[7] += 1
        f_status[f] = status
        f += 1
        i = e + 1
    return (
        f_ts[:f].copy(),
        f_seq[:f].copy(),
        bid_px[:f].copy(),
        bid_sz[:f].copy(),
        ask_px[:f].copy(),
        ask_sz[:f].copy(),
        f_status[:f].copy(),
        trades[:k].copy(),
        counters,
    )


@njit(cache=True, nogil=True)
def _top(
    lvl: np.ndarray,
    nlev: np.ndarray,
    best: np.ndarray,
    tmin: int,
    levels: int,
    bid_px: np.ndarray,
    bid_sz: np.ndarray,
    ask_px: np.ndarray,
    ask_sz: np.ndarray,
) -> None:
    """Write the best `levels` price levels of each side into the frame rows."""
    span = lvl.shape[1]
    got = 0
    off = best[0]
    while got < levels and got < nlev[0] and off >= 0:
        if lvl[0, off] > 0:
            bid_px[got] = tmin + off
            bid_sz[got] = lvl[0, off]
            got += 1
        off -= 1
    got = 0
    off = best[1]
    while got < levels and got < nlev[1] and off < span:
        if lvl[1, off] > 0:
            ask_px[got] = tmin + off
            ask_sz[got] = lvl[1, off]
            got += 1
        off += 1


@njit(cache=True, nogil=True)
def _position_update(px, sz, count, book_side, pos, op, price, size):
    """One IB depth update by position on a (2, levels) price/size book with per-side counts
    (row 0 bids, 1 asks), applied in place. False, with nothing changed, when it is bad: an unknown
    side or operation, a position that does not exist, an insert beyond the visible depth or past
    the end, an insert or update with a negative size or no price."""
    s = 0 if book_side == 1 else 1 if book_side == -1 else -1
    if s < 0 or pos < 0 or (op != DEPTH_DELETE and (size < 0 or price == NO_PRICE)):
        return False
    levels = px.shape[1]
    c = count[s]
    if op == DEPTH_INSERT and pos <= c and pos < levels:
        last = c if c < levels else levels - 1
        for k in range(last, pos, -1):
            px[s, k] = px[s, k - 1]
            sz[s, k] = sz[s, k - 1]
        if c < levels:
            count[s] = c + 1
    elif op == DEPTH_DELETE and pos < c:
        for k in range(pos, c - 1):
            px[s, k] = px[s, k + 1]
            sz[s, k] = sz[s, k + 1]
        px[s, c - 1] = NO_PRICE
        sz[s, c - 1] = 0
        count[s] = c - 1
        return True
    elif op != DEPTH_UPDATE or pos >= c:
        return False
    px[s, pos] = price
    sz[s, pos] = size
    return True


@njit(cache=True, nogil=True)
def _position_status(px, count):
    """UNSORTED / CROSSED / LOCKED bits of a (2, levels) book with per-side counts."""
    st = 0
    for s in range(2):
        for k in range(1, count[s]):
            if (s == 0 and px[s, k] >= px[s, k - 1]) or (s == 1 and px[s, k] <= px[s, k - 1]):
                st |= STATUS_UNSORTED
    if count[0] > 0 and count[1] > 0:
        if px[0, 0] > px[1, 0]:
            st |= STATUS_CROSSED
        elif px[0, 0] == px[1, 0]:
            st |= STATUS_LOCKED
    return st


@njit(cache=True, nogil=True)
def _depth_replay(
    book_side: np.ndarray,
    position: np.ndarray,
    operation: np.ndarray,
    price_ticks: np.ndarray,
    size: np.ndarray,
    levels: int,
) -> tuple:
    """Replay IB depth updates (insert/update/delete at a 0-based position, per side) into a frame
    after each update. A bad update (see `_position_update`) is counted, ignored and flagged
    BAD_INPUT; a side whose prices are not strictly ordered is flagged UNSORTED."""
    n = book_side.shape[0]
    px = np.full((2, levels), NO_PRICE, dtype=np.int64)
    sz = np.zeros((2, levels), dtype=np.int64)
    count = np.zeros(2, dtype=np.int64)
    bid_px = np.empty((n, levels), dtype=np.int64)
    bid_sz = np.empty((n, levels), dtype=np.int64)
    ask_px = np.empty((n, levels), dtype=np.int64)
    ask_sz = np.empty((n, levels), dtype=np.int64)
    status = np.zeros(n, dtype=np.uint8)
    bad = 0
    for i in range(n):
        ok = _position_update(
            px, sz, count, book_side[i], position[i], operation[i], price_ticks[i], size[i]
        )
        status[i] = _position_status(px, count) | (0 if ok else STATUS_BAD_INPUT)
        bad += 0 if ok else 1
        bid_px[i] = px[0]
        bid_sz[i] = sz[0]
        ask_px[i] = px[1]
        ask_sz[i] = sz[1]
    return bid_px, bid_sz, ask_px, ask_sz, status, bad

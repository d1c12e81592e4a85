"""Order-flow numba kernels against plain Python / pandas references, edge cases included
(empty input, one row, equal prices, gaps, ties)."""

from __future__ import annotations

import statistics
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from orderflow_lib.flow.dom import DomParams, param_array
from orderflow_lib.kernels.book import (
    ACTION_ADD,
    ACTION_CANCEL,
    ACTION_MODIFY,
    DEPTH_DELETE,
    DEPTH_INSERT,
    DEPTH_UPDATE,
    F_LAST,
    NO_PRICE,
    _depth_replay,
    _mbo_replay,
)
from orderflow_lib.kernels.dom_state import new_dom_state
from orderflow_lib.kernels.flow_aggressor import _classify
from orderflow_lib.kernels.flow_bars import (
    BLOCK,
    _absorption,
    _block_bounds,
    _exhaustion,
    _first_hit,
    _imbalances,
    _stacks,
    _twice_median,
)
from orderflow_lib.kernels.flow_dom import _dom_metrics
from orderflow_lib.kernels.flow_input import (
    _first_not_positive,
    _late_rows,
    _sides_from_letters,
    _trade_columns,
)
from orderflow_lib.kernels.flow_tape import _tape_windows
from orderflow_lib.kernels.flow_vwap import _vwap
from orderflow_lib.kernels.footprint import (
    BAR_TICK,
    BAR_TIME,
    BAR_VOLUME,
    _bar_offsets,
    _bar_poc,
    _candles,
    _footprint_rows,
)

I64 = np.int64
EMPTY = np.empty(0, dtype=I64)


def random_trades(seed: int, n: int, spread: int = 4, span: int = 10**9):
    rng = np.random.default_rng(seed)
    ts = np.sort(rng.integers(0, span, n)).astype(I64)
    price = (100 + rng.integers(-spread, spread + 1, n)).astype(I64)
    size = rng.integers(1, 20, n).astype(I64)
    side = rng.integers(-1, 2, n).astype(np.int8)
    return ts, price, size, side


# --- input conversion ---------------------------------------------------------------------------


def test_trade_columns_when_on_grid_off_grid_nan_bad_size_late_and_empty():
    ts = np.array([5, 3, 6, 6, 1, 7], dtype=I64)
    good = np.full(6, 5000.25)
    sizes = np.ones(6, dtype=I64)
    latest, late = -(10**18), 0
    for t in ts:
        late += t < latest
        latest = max(latest, t)

    ticks, bad_price, bad_size, got_late = _trade_columns(ts, good, sizes, 0.25, 1e-6)

    assert (ticks.tolist(), bad_price, bad_size, got_late) == ([20001] * 6, -1, -1, late)
    prices = np.array([5000.0, 1.1, np.nan, 4999.75, 1.0, 1.0])
    assert _trade_columns(ts, prices, np.array([1, 1, 1, 0, -2, 1], dtype=I64), 0.25, 1e-6)[
        1:3
    ] == (1, 3)
    assert _trade_columns(ts[:1], np.array([np.nan]), sizes[:1], 0.25, 1e-6)[1] == 0
    assert _trade_columns(EMPTY, np.empty(0), EMPTY, 0.25, 1e-6)[0].size == 0


def test_sides_from_letters_when_arrow_layout_then_codes_and_first_bad():
    data = np.frombuffer(b"BANBB", dtype=np.uint8)
    codes, bad = _sides_from_letters(np.array([0, 1, 2, 3, 5], dtype=I64), data)
    assert codes.tolist()[:3] == [1, -1, 0] and bad == 3
    codes, bad = _sides_from_letters(np.array([0, 1, 2], dtype=I64), np.frombuffer(b"AX", np.uint8))
    assert bad == 1
    assert _sides_from_letters(np.array([0], dtype=I64), np.empty(0, np.uint8))[0].size == 0


def test_late_rows_and_first_not_positive_match_python():
    ts = np.array([5, 3, 6, 6, 1, 7], dtype=I64)
    latest, late = -(10**18), 0
    for t in ts:
        late += t < latest
        latest = max(latest, t)
    assert _late_rows(ts) == late == 2
    assert _late_rows(EMPTY) == 0
    assert _first_not_positive(np.array([3, 1, 0, -1], dtype=I64)) == 2
    assert _first_not_positive(np.array([1], dtype=I64)) == -1


# --- bars and footprint -------------------------------------------------------------------------


def ref_bar_offsets(ts, size, kind, length, anchors):
    bars = []
    for i, t in enumerate(ts.tolist()):
        anchor_idx = sum(1 for a in anchors if a <= t)
        anchor = anchors[anchor_idx - 1] if anchor_idx else None
        if kind == BAR_TIME:
            grid = (t // length) * length
            key = grid if anchor is None or grid > anchor else anchor
        if (
            not bars
            or bars[-1]["anchor_idx"] != anchor_idx
            or (kind == BAR_TIME and bars[-1]["key"] != key)
            or (kind == BAR_VOLUME and bars[-1]["filled"] >= length)
            or (kind == BAR_TICK and bars[-1]["filled"] >= length)
        ):
            bars.append(
                {
                    "first": i,
                    "anchor_idx": anchor_idx,
                    "filled": 0,
                    "key": key if kind == BAR_TIME else t,
                }
            )
        bars[-1]["filled"] += size[i] if kind == BAR_VOLUME else 1
    return [b["first"] for b in bars] + [len(ts)], [b["key"] for b in bars]


@pytest.mark.parametrize(
    ("kind", "length"), [(BAR_TIME, 10**8), (BAR_TIME, 7), (BAR_VOLUME, 50), (BAR_TICK, 3)]
)
@pytest.mark.parametrize("n", [0, 1, 500])
def test_bar_offsets_when_any_bar_kind_then_matches_reference(kind, length, n):
    ts, price, size, _ = random_trades(n + 1, n)
    anchors = np.array([2 * 10**8 + 1, 6 * 10**8], dtype=I64)

    bad, offsets, start, _, session, low, high = _bar_offsets(
        ts, price, size, None, 0.0, kind, length, 0, anchors, None
    )

    ref_offsets, ref_start = ref_bar_offsets(ts, size, kind, length, anchors.tolist())
    assert bad == -1
    assert offsets.tolist() == (ref_offsets if n else [0])
    assert start.tolist() == (ref_start if n else [])
    assert (np.diff(session) >= 0).all()
    segments = [price[a:z] for a, z in pairwise(offsets)]
    assert low.tolist() == [int(s.min()) for s in segments]
    assert high.tolist() == [int(s.max()) for s in segments]


def test_footprint_rows_when_random_trades_then_equal_pandas_groupby():
    ts, price, size, side = random_trades(4, 3000)
    _, offsets, _, _, _, low, high = _bar_offsets(
        ts, price, size, None, 0.0, BAR_TIME, 10**8, 0, EMPTY, None
    )

    _, row_offsets, px, bid, ask, unknown, trades = _footprint_rows(
        offsets, low, high, price, None, size, side, None
    )

    bar = np.repeat(np.arange(offsets.size - 1), np.diff(offsets))
    frame = pd.DataFrame({"bar": bar, "price": price, "size": size, "side": side})
    ref = frame.groupby(["bar", "price", "side"])["size"].sum().unstack(fill_value=0)
    count = frame.groupby(["bar", "price"]).size()
    assert px.tolist() == ref.index.get_level_values("price").tolist()
    assert bid.tolist() == ref[-1].tolist()
    assert ask.tolist() == ref[1].tolist()
    assert unknown.tolist() == ref[0].tolist()
    assert trades.tolist() == count.tolist()
    assert np.diff(row_offsets).tolist() == ref.groupby(level="bar").size().tolist()


def footprint_of(ts, price, size, side):
    _, offsets, _, _, _, low, high = _bar_offsets(
        ts, price, size, None, 0.0, BAR_TIME, 10**8, 0, EMPTY, None
    )
    return _footprint_rows(offsets, low, high, price, None, size, side, None)[1:]


def test_footprint_rows_when_empty_or_one_trade_or_equal_prices_or_gap():
    empty = footprint_of(EMPTY, EMPTY, EMPTY, np.empty(0, np.int8))
    one = footprint_of(
        *(np.array([v], dtype=d) for v, d in ((1, I64), (7, I64), (3, I64), (-1, np.int8)))
    )
    same = footprint_of(
        np.array([1, 2, 3], dtype=I64),
        np.array([7, 7, 7], dtype=I64),
        np.array([1, 2, 3], dtype=I64),
        np.array([1, 1, -1], dtype=np.int8),
    )
    gap = footprint_of(
        np.array([1, 2], dtype=I64),
        np.array([7, 10], dtype=I64),
        np.array([1, 2], dtype=I64),
        np.array([0, 1], dtype=np.int8),
    )

    assert empty[0].tolist() == [0] and empty[1].size == 0
    assert [a.tolist() for a in one] == [[0, 1], [7], [3], [0], [0], [1]]
    assert (same[2].tolist(), same[3].tolist(), same[5].tolist()) == ([3], [3], [3])
    assert (gap[1].tolist(), gap[4].tolist(), gap[3].tolist()) == ([7, 10], [1, 0], [0, 2])


def test_footprint_kernels_when_decimal_prices_and_letters_then_equal_tick_path():
    ts, price, size, side = random_trades(9, 2000)
    letters = np.frombuffer(bytes(b"ANB"[s + 1] for s in side.tolist()), dtype=np.uint8)
    offsets_s = np.arange(ts.size + 1, dtype=I64) + 3

    ticks = _bar_offsets(ts, price, size, None, 0.0, BAR_VOLUME, 40, 0, EMPTY, None)
    decimals = _bar_offsets(ts, price * 0.25, size, 0.25, 1e-6, BAR_VOLUME, 40, 0, EMPTY, offsets_s)
    rows_ticks = _footprint_rows(ticks[1], ticks[5], ticks[6], price, None, size, side, None)
    rows_letters = _footprint_rows(
        ticks[1], ticks[5], ticks[6], price * 0.25, 4.0, size, side, letters
    )

    assert all(np.array_equal(a, b) for a, b in zip(ticks, decimals, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(rows_ticks, rows_letters, strict=True))


def test_footprint_kernels_when_bad_row_then_first_bad_index():
    ts = np.array([1, 2, 3, 4], dtype=I64)
    good = np.array([1.0, 1.25, 1.5, 1.75])
    sizes = np.ones(4, dtype=I64)

    def bad_bar(t=ts, p=good, q=sizes, offsets=None):
        return _bar_offsets(t, p, q, 0.25, 1e-6, BAR_TIME, 10, 0, EMPTY, offsets)[0]

    assert bad_bar() == -1
    assert bad_bar(t=np.array([1, 3, 2, 4], dtype=I64)) == 2
    assert bad_bar(p=np.array([1.0, 1.1, 1.5, np.nan])) == 1
    assert bad_bar(q=np.array([1, 1, 0, 1], dtype=I64)) == 2
    assert bad_bar(offsets=np.array([0, 1, 3, 4, 5], dtype=I64)) == 2
    assert bad_bar(offsets=np.array([0, 1, 2, 3, 5], dtype=I64)) == 3
    bars = _bar_offsets(ts, good, sizes, 0.25, 1e-6, BAR_TIME, 10, 0, EMPTY, None)
    letters = np.frombuffer(b"BAXB", dtype=np.uint8)
    rows = _footprint_rows(
        bars[1], bars[5], bars[6], good, 4.0, sizes, np.zeros(4, np.int8), letters
    )
    assert rows[0] == 2


def test_candles_when_random_bars_then_equal_python_reference():
    ts, price, size, side = random_trades(6, 2000)
    _, offsets, _, _, session, _, _ = _bar_offsets(
        ts, price, size, None, 0.0, BAR_TIME, 10**8, 0, np.array([5 * 10**8]), None
    )

    table = _candles(offsets, session, ts, price, size, side)

    cd = 0
    for b in range(offsets.size - 1):
        if b == 0 or session[b] != session[b - 1]:
            cd = 0
        a, z = offsets[b], offsets[b + 1]
        deltas = np.cumsum(side[a:z].astype(I64) * size[a:z])
        path = np.concatenate(([0], deltas))
        cds = cd + path
        hi_at = a + int(np.argmax(price[a:z]))
        lo_at = a + int(np.argmin(price[a:z]))
        expected = [
            price[a],
            price[a:z].max(),
            price[a:z].min(),
            price[z - 1],
            size[a:z].sum(),
            size[a:z][side[a:z] > 0].sum(),
            size[a:z][side[a:z] < 0].sum(),
            size[a:z][side[a:z] == 0].sum(),
            deltas[-1],
            path.max(),
            path.min(),
            deltas[-1] - path[hi_at - a],
            deltas[-1] - path[lo_at - a],
            cd,
            cds.max(),
            cds.min(),
            cds[-1],
            z - a,
            ts[z - 1],
        ]
        assert table[b].tolist() == [int(v) for v in expected]
        cd = int(cds[-1])


def test_bar_poc_when_ties_then_middle_then_lower():
    row_offsets = np.array([0, 4, 7, 8], dtype=I64)
    price = np.array([10, 11, 12, 13, 20, 21, 22, 5], dtype=I64)
    volume = np.array([5, 9, 9, 5, 4, 1, 4, 1], dtype=I64)

    assert _bar_poc(row_offsets, price, volume).tolist() == [11, 20, 5]


# --- bar detectors ------------------------------------------------------------------------------


def random_rows(seed: int, n_bars: int):
    rng = np.random.default_rng(seed)
    offsets, prices, bids, asks = [0], [], [], []
    for _ in range(n_bars):
        ticks = sorted(set((100 + rng.integers(-5, 6, rng.integers(1, 8))).tolist()))
        prices += ticks
        bids += rng.integers(0, 60, len(ticks)).tolist()
        asks += rng.integers(0, 60, len(ticks)).tolist()
        offsets.append(len(prices))
    return (
        np.array(offsets, dtype=I64),
        np.array(prices, dtype=I64),
        np.array(bids, dtype=I64),
        np.array(asks, dtype=I64),
    )


def test_imbalances_and_stacks_when_random_rows_then_equal_reference():
    offsets, price, bid, ask = random_rows(2, 300)

    buy, sell = _imbalances(offsets, price, bid, ask, 3, 1, 10)
    stacks = _stacks(offsets, price, buy, 2)

    ref_buy, ref_sell, ref_stacks = [], [], []
    for b in range(offsets.size - 1):
        rows = {
            int(price[r]): (int(bid[r]), int(ask[r])) for r in range(offsets[b], offsets[b + 1])
        }
        lo, hi = min(rows), max(rows)
        flagged = []
        for p, (bv, av) in rows.items():
            below = rows.get(p - 1, (0, 0))[0]
            above = rows.get(p + 1, (0, 0))[1]
            is_buy = p > lo and (av or below) and av >= 10 and av >= 3 * below
            ref_buy.append(bool(is_buy))
            ref_sell.append(bool(p < hi and (bv or above) and bv >= 10 and bv >= 3 * above))
            if is_buy:
                flagged.append(p)
        run = []
        for p in [*flagged, None]:
            if p is not None and run and p == run[-1] + 1:
                run.append(p)
                continue
            if len(run) >= 2:
                ref_stacks.append([b, run[0], run[-1]])
            run = [p] if p is not None else []
    assert buy.tolist() == ref_buy and sell.tolist() == ref_sell
    assert stacks.tolist() == ref_stacks


def test_first_hit_when_across_blocks_then_equals_naive_scan():
    rng = np.random.default_rng(0)
    price = rng.integers(0, 50, 5 * BLOCK + 17).astype(I64)
    price[3 * BLOCK + 5] = 99
    lo_b, hi_b = _block_bounds(price)
    for start, lo, hi in [
        (0, 99, 99),
        (10, 0, 0),
        (3 * BLOCK + 6, 99, 99),
        (BLOCK, 60, 70),
        (0, 49, 200),
    ]:
        naive = next((i for i in range(start, price.size) if lo <= price[i] <= hi), -1)
        assert _first_hit(price, lo_b, hi_b, start, price.size, lo, hi) == naive
    assert _first_hit(price, lo_b, hi_b, 0, 3 * BLOCK + 5, 99, 99) == -1


def test_twice_median_when_odd_even_and_one_value():
    for values in ([5], [1, 9], [4, 1, 7], [3, 3, 8, 100]):
        assert _twice_median(np.array(values, dtype=I64)) == 2 * statistics.median(values)


def test_absorption_when_random_rows_then_equal_reference():
    offsets, price, bid, ask = random_rows(3, 200)
    volume = bid + ask
    low = np.array([price[offsets[b]] for b in range(offsets.size - 1)], dtype=I64)
    high = np.array([price[offsets[b + 1] - 1] for b in range(offsets.size - 1)], dtype=I64)

    bid_abs, ask_abs, medians = _absorption(
        offsets, price, bid, ask, volume, low, high, 4, 40, 3, 2, 1
    )

    for b in range(offsets.size - 1):
        prev = volume[offsets[max(0, b - 4)] : offsets[b]].tolist()
        median = statistics.median(prev) if prev else None
        assert medians[b] == (2 * median if prev else -1)
        threshold = max(40, 1.5 * median) if prev else 40
        for r in range(offsets[b], offsets[b + 1]):
            assert bid_abs[r] == (bid[r] > 0 and bid[r] >= threshold and low[b] >= price[r] - 1)
            assert ask_abs[r] == (ask[r] > 0 and ask[r] >= threshold and high[b] <= price[r] + 1)


def test_exhaustion_when_random_rows_then_equal_reference():
    offsets, price, bid, ask = random_rows(4, 400)
    volume = np.array(
        [(bid + ask)[offsets[b] : offsets[b + 1]].sum() for b in range(offsets.size - 1)]
    )

    at_high, at_low = _exhaustion(offsets, price, bid, ask, volume.astype(I64), 3, 5, 1, 20)

    for b in range(offsets.size - 1):
        rows = {
            int(price[r]): (int(bid[r]), int(ask[r])) for r in range(offsets[b], offsets[b + 1])
        }
        lo, hi = min(rows), max(rows)
        n = hi - lo + 1
        cap = max(5, volume[b] / 20 / n)
        up = [rows.get(p, (0, 0))[1] for p in (hi - 2, hi - 1, hi)]
        down = [rows.get(p, (0, 0))[0] for p in (lo + 2, lo + 1, lo)]
        assert at_high[b] == (n >= 3 and up[0] > up[1] > up[2] and up[2] <= cap)
        assert at_low[b] == (n >= 3 and down[0] > down[1] > down[2] and down[2] <= cap)


# --- tape, vwap, aggressor ----------------------------------------------------------------------


@pytest.mark.parametrize("by_trades", [False, True])
def test_tape_windows_when_random_then_equal_quadratic_reference(by_trades):
    ts, _, size, side = random_trades(5, 600, span=10**6)
    ts[10:14] = ts[10]

    out = _tape_windows(ts, size, side, 50_000, 25, by_trades, 15)

    for i in range(ts.size):
        idx = [j for j in range(i + 1) if (i - j < 25 if by_trades else ts[j] > ts[i] - 50_000)]
        s, q = side[idx], size[idx]
        expected = [
            q[s > 0].sum(),
            q[s < 0].sum(),
            q[(s > 0) & (q >= 15)].sum(),
            q[(s < 0) & (q >= 15)].sum(),
            len(idx),
        ]
        assert out[i].tolist() == expected


def test_tape_windows_when_empty_then_empty():
    assert _tape_windows(EMPTY, EMPTY, np.empty(0, np.int8), 1, 1, False, 1).shape == (0, 5)


def test_vwap_when_random_then_matches_float_reference_and_resets():
    ts, price, size, _ = random_trades(7, 1000)
    anchors = np.array([ts[200], ts[700] + 1], dtype=I64)

    vwap, sigma, segment = _vwap(ts, price, size, anchors)

    for i in range(ts.size):
        seg = int(np.searchsorted(anchors, ts[i], side="right")) - 1
        assert segment[i] == seg
        if seg < 0:
            assert np.isnan(vwap[i])
            continue
        first = int(np.searchsorted(ts, anchors[seg], side="left"))
        p, q = price[first : i + 1].astype(float), size[first : i + 1].astype(float)
        mean = (p * q).sum() / q.sum()
        assert vwap[i] == pytest.approx(mean, abs=1e-9)
        assert sigma[i] == pytest.approx(
            np.sqrt(max((q * (p - mean) ** 2).sum() / q.sum(), 0)), abs=1e-6
        )


def test_vwap_when_empty_then_empty():
    assert _vwap(EMPTY, EMPTY, EMPTY, EMPTY)[0].size == 0


def ref_classify(trade_ts, trade_seq, price, quote_ts, quote_seq, bid, ask):
    sides, last_price, last_dir = [], None, 0
    for i, t in enumerate(trade_ts):
        prevailing = [
            q
            for q in range(len(quote_ts))
            if quote_ts[q] < t or (quote_ts[q] == t and quote_seq[q] < trade_seq[i])
        ]
        p = price[i]
        tick = last_dir if last_price is None or p == last_price else (1 if p > last_price else -1)
        side = tick
        if prevailing:
            b, a = bid[prevailing[-1]], ask[prevailing[-1]]
            if b < a and p >= a:
                side = 1
            elif b < a and p <= b:
                side = -1
            elif b < a and 2 * p != a + b:
                side = 1 if 2 * p > a + b else -1
        if last_price is None or p != last_price:
            last_dir = tick
        last_price = p
        sides.append(side)
    return sides


def test_classify_when_random_stream_then_equals_reference():
    rng = np.random.default_rng(1)
    n_t, n_q = 400, 300
    ts = np.sort(rng.integers(0, 200, n_t + n_q)).astype(I64)
    is_trade = rng.permutation(np.arange(n_t + n_q) < n_t)
    seq = np.arange(n_t + n_q, dtype=I64)
    trade_ts, quote_ts = ts[is_trade], ts[~is_trade]
    t_seq, q_seq = seq[is_trade], seq[~is_trade]
    bid = (100 + rng.integers(-2, 3, n_q)).astype(I64)
    ask = bid + rng.integers(-1, 4, n_q)
    price = (100 + rng.integers(-3, 4, n_t)).astype(I64)

    side, _, _ = _classify(
        trade_ts,
        t_seq,
        price,
        np.zeros(n_t, np.int8),
        quote_ts,
        q_seq,
        bid,
        ask.astype(I64),
        False,
        True,
        True,
        True,
        0,
    )

    assert side.tolist() == ref_classify(trade_ts, t_seq, price, quote_ts, q_seq, bid, ask)


# --- books --------------------------------------------------------------------------------------


def test_depth_replay_when_random_then_equals_list_reference():
    rng = np.random.default_rng(2)
    n = 2000
    side = rng.choice([1, -1, 3], n, p=[0.49, 0.49, 0.02]).astype(np.int8)
    pos = rng.integers(0, 5, n).astype(I64)
    op = rng.integers(0, 3, n).astype(np.int8)
    price = rng.integers(90, 110, n).astype(I64)
    size = rng.integers(1, 9, n).astype(I64)

    bid_px, bid_sz, ask_px, ask_sz, _, bad = _depth_replay(side, pos, op, price, size, 4)

    books, ref_bad = {1: [], -1: []}, 0
    for i in range(n):
        book = books.get(int(side[i]))
        k = int(pos[i])
        if book is not None and op[i] == DEPTH_INSERT and k <= len(book) and k < 4:
            book.insert(k, (int(price[i]), int(size[i])))
            del book[4:]
        elif book is not None and op[i] == DEPTH_UPDATE and k < len(book):
            book[k] = (int(price[i]), int(size[i]))
        elif book is not None and op[i] == DEPTH_DELETE and k < len(book):
            del book[k]
        else:
            ref_bad += 1
        for arr_px, arr_sz, levels in ((bid_px, bid_sz, books[1]), (ask_px, ask_sz, books[-1])):
            padded = levels + [(NO_PRICE, 0)] * (4 - len(levels))
            assert list(zip(arr_px[i].tolist(), arr_sz[i].tolist(), strict=True)) == padded
    assert bad == ref_bad


def test_mbo_replay_when_random_adds_cancels_modifies_then_levels_equal_order_sums():
    rng = np.random.default_rng(3)
    n = 3000
    action = rng.choice([ACTION_ADD, ACTION_CANCEL, ACTION_MODIFY], n, p=[0.5, 0.3, 0.2]).astype(
        np.uint8
    )
    oid = rng.integers(0, 300, n).astype(I64)
    side = rng.choice([1, -1], n).astype(np.int8)
    price = np.where(side > 0, 99 - rng.integers(0, 6, n), 100 + rng.integers(0, 6, n)).astype(I64)
    size = rng.integers(1, 10, n).astype(I64)
    flags = np.full(n, F_LAST, dtype=np.uint8)

    out = _mbo_replay(np.arange(n, dtype=I64), action, side, price, size, oid, flags, 3, 94, 105)

    orders: dict[int, list[int]] = {}
    for i in range(n):
        o = orders.get(int(oid[i]))
        if action[i] == ACTION_CANCEL:
            if o is not None:
                o[2] -= min(int(size[i]), o[2])
                if o[2] == 0:
                    del orders[int(oid[i])]
        else:
            orders[int(oid[i])] = [int(side[i]), int(price[i]), int(size[i])]
        for s, px, sz, pick in ((1, out[2], out[3], max), (-1, out[4], out[5], min)):
            levels: dict[int, int] = {}
            for o_side, o_price, o_size in orders.values():
                if o_side == s:
                    levels[o_price] = levels.get(o_price, 0) + o_size
            ordered = sorted(levels, reverse=pick is max)[:3]
            expected = [(p, levels[p]) for p in ordered] + [(NO_PRICE, 0)] * (3 - len(ordered))
            assert list(zip(px[i].tolist(), sz[i].tolist(), strict=True)) == expected


def test_mbo_replay_when_empty_then_no_frames():
    out = _mbo_replay(
        EMPTY,
        np.empty(0, np.uint8),
        np.empty(0, np.int8),
        EMPTY,
        EMPTY,
        EMPTY,
        np.empty(0, np.uint8),
        2,
        0,
        0,
    )
    assert out[0].size == 0 and out[7].shape == (0, 8)


def test_dom_metrics_when_empty_then_empty():
    frames = np.empty((0, 2), dtype=I64)
    imbalance, weighted, signals = _dom_metrics(
        EMPTY,
        EMPTY,
        frames,
        frames,
        frames,
        frames,
        np.empty(0, np.uint8),
        EMPTY,
        EMPTY,
        EMPTY,
        EMPTY,
        np.empty(0, np.int8),
        param_array(DomParams()),
        *new_dom_state(2),
    )
    assert imbalance.size == weighted.size == signals.shape[0] == 0

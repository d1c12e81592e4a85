"""DOM metrics (spec §7.10): imbalance, pulling/stacking near the touch, sustained imbalance,
refills, gaps; the batch kernel against the incremental engine."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pytest

from orderflow_lib.core.config import DomSettings
from orderflow_lib.flow.book import BookFrame, frames_from_records, replay_depth
from orderflow_lib.flow.dom import DomParams, dom_metrics
from orderflow_lib.flow.signals import SignalKind
from orderflow_lib.kernels.book import STATUS_CROSSED
from orderflow_lib.market.synthetic import generate_in_windows, standard_windows
from tests.reference.dom import DomEngine

S = 1_000_000_000
P5001 = 20004


def run_both(frames, trades, levels=10, params=None):
    """Batch and incremental results; trades are (ts, price, size, side, seq)."""
    params = params or DomParams()
    arrays = frames_from_records(frames, levels)
    t = np.array(trades, dtype=np.int64).reshape(-1, 5)
    batch = dom_metrics(
        arrays, t[:, 0], t[:, 1], t[:, 2], t[:, 3], trade_seq=t[:, 4], params=params
    )
    engine = DomEngine(params, book_levels=levels)
    signals, imbalance = [], []
    events = sorted(
        [(f.seq, 1, f) for f in frames] + [(int(r[4]), 0, r) for r in t], key=lambda e: e[0]
    )
    for _, kind, item in events:
        if kind == 1:
            a, _, s = engine.on_frame(item)
            imbalance.append(a)
            signals += s
        else:
            signals += engine.on_trade(int(item[0]), int(item[1]), int(item[2]), int(item[3]))
    assert signals == batch.signals
    assert np.array_equal(np.array(imbalance), batch.imbalance, equal_nan=True)
    return batch


def test_imbalance_when_spec_book_then_0_167_and_weighted_0_354():
    bids = tuple((100 - k, s) for k, s in enumerate([120, 80, 60, 50, 40]))
    asks = tuple((101 + k, s) for k, s in enumerate([30, 40, 50, 60, 70]))

    result = run_both([BookFrame(0, 0, bids, asks)], [])

    assert result.imbalance[0] == pytest.approx(100 / 600)
    assert round(result.imbalance[0], 3) == 0.167
    assert round(result.weighted_imbalance[0], 3) == 0.354


def test_pulling_when_ask_400_to_150_with_50_bought_in_3s_then_pulling_200():
    bids = ((P5001 - 1, 100),)
    frames = [
        BookFrame(0, 0, bids, ((P5001, 400), (P5001 + 1, 90))),
        BookFrame(3 * S, 2, bids, ((P5001, 150), (P5001 + 1, 90))),
    ]
    trades = [(1 * S, P5001, 50, 1, 1)]

    signals = run_both(frames, trades).signals

    assert [(s.kind, s.price_ticks, s.direction) for s in signals] == [
        (SignalKind.PULLING, P5001, 1)
    ]
    assert signals[0].evidence["amount"] == 200
    assert signals[0].evidence["size_before"] == 400
    assert signals[0].strength == 0.5


def test_pulling_when_below_threshold_then_none():
    bids = ((P5001 - 1, 100),)
    frames = [
        BookFrame(0, 0, bids, ((P5001, 400),)),
        BookFrame(3 * S, 1, bids, ((P5001, 250),)),
    ]

    assert run_both(frames, []).signals == []


def test_pulling_when_outside_window_then_none():
    bids = ((P5001 - 1, 100),)
    frames = [
        BookFrame(0, 0, bids, ((P5001, 400),)),
        BookFrame(6 * S, 1, bids, ((P5001, 100),)),
    ]

    assert run_both(frames, []).signals == []


def test_pulling_when_far_from_last_trade_then_none():
    bids = ((P5001 - 1, 100),)
    frames = [
        BookFrame(0, 1, bids, ((P5001, 400),)),
        BookFrame(3 * S, 2, bids, ((P5001, 100),)),
    ]

    assert run_both(frames, [(0, P5001 - 10, 1, -1, 0)]).signals == []


def test_level_when_pushed_out_of_visible_book_then_not_a_pull():
    bids = ((5, 10),)
    frames = [
        BookFrame(0, 0, bids, ((10, 200), (11, 300))),
        BookFrame(S, 1, bids, ((9, 50), (10, 200))),
    ]

    assert run_both(frames, [], levels=2).signals == []


def test_level_when_removed_inside_visible_book_then_pull():
    bids = ((9, 10),)
    frames = [
        BookFrame(0, 0, bids, ((10, 200), (11, 300))),
        BookFrame(S, 1, bids, ((11, 300),)),
    ]

    signals = run_both(frames, [], levels=2).signals

    assert [(s.kind, s.price_ticks, s.evidence["amount"]) for s in signals] == [
        (SignalKind.PULLING, 10, 200)
    ]


def test_stacking_when_bid_grows_near_touch_then_bullish_stacking():
    asks = ((11, 10),)
    frames = [BookFrame(0, 0, ((10, 100),), asks), BookFrame(S, 1, ((10, 400),), asks)]

    signals = run_both(frames, []).signals

    assert [(s.kind, s.direction, s.evidence["amount"]) for s in signals] == [
        (SignalKind.STACKING, 1, 300)
    ]


def test_gap_when_crossed_frame_between_then_no_pull_inferred():
    asks_before = ((P5001, 400),)
    bids = ((P5001 - 1, 100),)
    frames = [
        BookFrame(0, 0, bids, asks_before),
        BookFrame(S, 1, ((P5001 + 1, 5),), asks_before, STATUS_CROSSED),
        BookFrame(2 * S, 2, bids, ((P5001, 100),)),
    ]

    result = run_both(frames, [])

    assert result.signals == []
    assert np.isnan(result.imbalance[1])


def test_sustained_imbalance_when_held_ten_seconds_then_one_signal():
    bids, asks = ((10, 90),), ((11, 10),)
    frames = [BookFrame(k * S, k, bids, asks) for k in range(0, 13, 2)]

    signals = run_both(frames, []).signals

    assert [(s.kind, s.direction, s.ts_ns) for s in signals] == [
        (SignalKind.DOM_IMBALANCE, 1, 10 * S)
    ]
    assert signals[0].strength == 0.8


def test_iceberg_when_level_executes_more_than_ever_displayed_then_flagged():
    bids = ((10, 50),)
    frames = [BookFrame(0, 0, bids, ((11, 50),))]
    trades = [(k * S, 10, 50, -1, k + 1) for k in range(1, 8)]

    signals = run_both(frames, trades).signals

    assert [(s.kind, s.direction, s.price_ticks, s.evidence["amount"]) for s in signals] == [
        (SignalKind.ICEBERG, 1, 10, 300)
    ]


def test_dom_when_random_book_stream_then_batch_equals_incremental():
    rng = np.random.default_rng(12)
    frames, trades = [], []
    t = 0
    for seq in range(3000):
        t += int(rng.integers(0, S))
        if rng.random() < 0.3:
            trades.append(
                (
                    t,
                    100 + int(rng.integers(-3, 4)),
                    int(rng.integers(1, 80)),
                    int(rng.choice([-1, 1])),
                    seq,
                )
            )
        else:
            mid = 100 + int(rng.integers(-2, 3))
            bids = tuple(
                (mid - 1 - k, int(rng.integers(0, 5)) * 60 + 1)
                for k in range(int(rng.integers(0, 6)))
            )
            asks = tuple(
                (mid + k, int(rng.integers(0, 5)) * 60 + 1) for k in range(int(rng.integers(0, 6)))
            )
            status = STATUS_CROSSED if rng.random() < 0.01 else 0
            frames.append(BookFrame(t, seq, bids, asks, status))

    result = run_both(frames, trades, levels=5, params=DomParams(pull_min=50, iceberg_min_vol=100))

    kinds = {s.kind for s in result.signals}
    assert {SignalKind.PULLING, SignalKind.STACKING} <= kinds


def test_dom_params_when_from_settings_then_exact_fractions():
    params = DomParams.from_settings(DomSettings())

    assert params.sustain_abs == Fraction(3, 10)
    assert params.pull_frac == Fraction(2, 5)
    assert (params.window_s, params.near_ticks, params.imbalance_levels) == (5, 4, 5)


def test_dom_when_synthetic_market_then_pulling_and_stacking_are_rare():
    """The synthetic book keeps a level's size while prices move and its queues wander around
    their size, so PULLING/STACKING stay rare (they fired on one trade in 70 before)."""
    session = generate_in_windows(standard_windows(date(2024, 3, 5)), 1, scale=0.05)
    frames, refused = replay_depth(session.depth)
    t = session.trades

    signals = dom_metrics(frames, t["ts_ns"], t["price_ticks"], t["size"], t["side"]).signals

    pulls = sum(s.kind in (SignalKind.PULLING, SignalKind.STACKING) for s in signals)
    assert refused == 0 and t.size > 10_000
    assert 0 < pulls < 0.005 * t.size

"""The unsorted event rows of a synthetic session: price steps, trades, queue changes, deep churn.

Every row is one book or tape event with its own time. Trades are placed either just before a
price step (the sweep that took the level, aggressor in the step's direction) or anywhere in their
minute (aggressor drawn with the plan's bias). Each trade is followed within microseconds by the
quote that shows its size taken off the touched side. Pinned buckets (a script's waypoints) also
print one sell at their opening bid.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

import numpy as np

from orderflow_lib.market.synthetic.profile import Buckets
from orderflow_lib.market.synthetic.regimes import DayPlan
from orderflow_lib.market.synthetic.sizes import queue_changes, trade_sizes
from orderflow_lib.market.synthetic.steps import EDGE_MARGIN_NS, Steps, uniform_times

ROW_SNAPSHOT: Final = 0
ROW_STEP: Final = 1
ROW_TRADE: Final = 2
ROW_TRADE_QUOTE: Final = 3
ROW_QUOTE: Final = 4
ROW_DEEP: Final = 5

TRADES_PER_FULL_DAY: Final = 500_000
SWEEP_SHARE: Final = 0.3
SWEEPS_PER_STEP_MAX: Final = 6
QUOTES_PER_TRADE: Final = 4.2
DEEP_PER_TRADE: Final = 1.5
TWO_PHASE_SHARE: Final = 0.3
SWEEP_LAG_MEAN_NS: Final = 3_000_000
SWEEP_LAG_MIN_NS: Final = 50_000
TRADE_QUOTE_LAG_MEAN_NS: Final = 10_000
TRADE_QUOTE_LAG_MAX_NS: Final = 40_000
PHASE_LAG_MEAN_NS: Final = 3_000_000
PIN_OFFSET_NS: Final = EDGE_MARGIN_NS // 2
"""A pinned print comes this long after its bucket opens: before the bucket's first step."""


@dataclass(frozen=True, slots=True)
class EventRows:
    """Column arrays of unsorted rows.

    `side` is the aggressor for trades and the book side (BOOK_BID/BOOK_ASK) for quote and deep
    rows; `qty` is the trade size or the signed queue change (at the touch, or at a deep level
    against its resting size).
    """

    ts_ns: np.ndarray
    kind: np.ndarray
    d_bid: np.ndarray
    d_ask: np.ndarray
    side: np.ndarray
    qty: np.ndarray
    position: np.ndarray
    bucket: np.ndarray


def build_rows(
    buckets: Buckets,
    plan: DayPlan,
    steps: Steps,
    open_ns: int,
    close_ns: int,
    trades_per_activity: float,
    rng: np.random.Generator,
    pinned: np.ndarray | None = None,
) -> EventRows:
    """All rows of the session (unsorted; the snapshot row first at `open_ns`); `pinned` lists
    the buckets whose opening bid must print."""
    n = len(buckets)
    lam = trades_per_activity * buckets.activity * plan.volume_boost
    trade_counts = rng.poisson(lam)
    step_counts = np.bincount(steps.bucket, minlength=n)
    sweep_counts = np.minimum(
        rng.binomial(trade_counts, SWEEP_SHARE), SWEEPS_PER_STEP_MAX * step_counts
    )

    parts = [
        _snapshot_row(open_ns),
        _step_rows(buckets, steps, close_ns, rng),
        _trade_rows(buckets, plan, steps, step_counts, trade_counts, sweep_counts, open_ns, rng),
        _quote_rows(buckets, rng.poisson(QUOTES_PER_TRADE * lam), rng),
        _deep_rows(buckets, rng.poisson(DEEP_PER_TRADE * lam), rng),
    ]
    if pinned is not None:
        parts.append(_pinned_rows(buckets, plan, pinned, rng))
    return _concat(parts)


def _concat(parts: list[EventRows]) -> EventRows:
    return EventRows(
        *(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(EventRows))
    )


def _rows(
    ts_ns: np.ndarray,
    kind: int,
    *,
    bucket: np.ndarray,
    d_bid: np.ndarray | None = None,
    d_ask: np.ndarray | None = None,
    side: np.ndarray | None = None,
    qty: np.ndarray | None = None,
    position: np.ndarray | None = None,
) -> EventRows:
    n = ts_ns.size
    zeros8 = np.zeros(n, dtype=np.int8)
    return EventRows(
        ts_ns=ts_ns.astype(np.int64),
        kind=np.full(n, kind, dtype=np.int8),
        d_bid=zeros8 if d_bid is None else d_bid.astype(np.int8),
        d_ask=zeros8 if d_ask is None else d_ask.astype(np.int8),
        side=zeros8 if side is None else side.astype(np.int8),
        qty=np.zeros(n, dtype=np.int64) if qty is None else qty.astype(np.int64),
        position=zeros8 if position is None else position.astype(np.int8),
        bucket=bucket.astype(np.int64),
    )


def _snapshot_row(open_ns: int) -> EventRows:
    return _rows(np.array([open_ns]), ROW_SNAPSHOT, bucket=np.zeros(1, dtype=np.int64))


def _step_rows(
    buckets: Buckets, steps: Steps, close_ns: int, rng: np.random.Generator
) -> EventRows:
    """One row per step, or two: the consumed side first, the other side ms later (a 2-tick spread,
    never past the end of the step's bucket)."""
    m = steps.ts_ns.size
    two_phase = rng.random(m) < TWO_PHASE_SHARE
    next_ts = np.append(steps.ts_ns[1:], np.int64(close_ns))
    bucket_end = buckets.end_ns[steps.bucket]
    room = np.maximum(np.minimum((next_ts - steps.ts_ns) // 2, bucket_end - steps.ts_ns - 1), 1)
    lag = np.clip(rng.exponential(PHASE_LAG_MEAN_NS, m).astype(np.int64), 1, room)
    up = steps.sign > 0
    first_bid = np.where(two_phase & up, 0, steps.sign)
    first_ask = np.where(two_phase & ~up, 0, steps.sign)
    phase2 = np.flatnonzero(two_phase)
    ts_ns = np.concatenate([steps.ts_ns, steps.ts_ns[phase2] + lag[phase2]])
    d_bid = np.concatenate([first_bid, np.where(up[phase2], steps.sign[phase2], 0)])
    d_ask = np.concatenate([first_ask, np.where(up[phase2], 0, steps.sign[phase2])])
    bucket = np.concatenate([steps.bucket, steps.bucket[phase2]])
    return _rows(ts_ns, ROW_STEP, bucket=bucket, d_bid=d_bid, d_ask=d_ask)


def _trade_rows(
    buckets: Buckets,
    plan: DayPlan,
    steps: Steps,
    step_counts: np.ndarray,
    trade_counts: np.ndarray,
    sweep_counts: np.ndarray,
    open_ns: int,
    rng: np.random.Generator,
) -> EventRows:
    """Sweep and background trades, each followed by the quote row that shows its size taken."""
    n = len(buckets)
    sweep_bucket = np.repeat(np.arange(n), sweep_counts)
    first_step = np.cumsum(step_counts) - step_counts
    pick = first_step[sweep_bucket] + (
        rng.random(sweep_bucket.size) * step_counts[sweep_bucket]
    ).astype(np.int64)
    previous_step = np.concatenate([[open_ns], steps.ts_ns[:-1]])
    room = np.maximum((steps.ts_ns[pick] - previous_step[pick]) * 9 // 10, 1)
    lag = rng.exponential(SWEEP_LAG_MEAN_NS, sweep_bucket.size).astype(np.int64)
    lag = np.minimum(np.maximum(lag, SWEEP_LAG_MIN_NS), room)
    sweep_ts = steps.ts_ns[pick] - lag
    sweep_side = steps.sign[pick]

    background_bucket = np.repeat(np.arange(n), trade_counts - sweep_counts)
    background_ts = uniform_times(rng, buckets, background_bucket)
    p_buy = np.clip(0.5 + plan.buy_bias[background_bucket], 0.05, 0.95)
    background_side = np.where(rng.random(background_bucket.size) < p_buy, 1, -1)

    bucket = np.concatenate([sweep_bucket, background_bucket])
    ts_ns = np.concatenate([sweep_ts, background_ts])
    side = np.concatenate([sweep_side, background_side]).astype(np.int8)
    with_the_bias = side * np.sign(plan.buy_bias[bucket]) > 0
    size = trade_sizes(rng, np.where(with_the_bias, plan.large_boost[bucket], 1.0))
    return _with_taken_quotes(plan, ts_ns, bucket, side, size, rng)


def _pinned_rows(
    buckets: Buckets, plan: DayPlan, pinned: np.ndarray, rng: np.random.Generator
) -> EventRows:
    """One sell at the bid just after each pinned bucket opens, with its quote row."""
    ts_ns = buckets.start_ns[pinned] + PIN_OFFSET_NS
    side = np.full(pinned.size, -1, dtype=np.int8)
    size = trade_sizes(rng, np.ones(pinned.size))
    return _with_taken_quotes(plan, ts_ns, pinned, side, size, rng)


def _with_taken_quotes(
    plan: DayPlan,
    ts_ns: np.ndarray,
    bucket: np.ndarray,
    side: np.ndarray,
    size: np.ndarray,
    rng: np.random.Generator,
) -> EventRows:
    """Trade rows, each followed by the quote row that takes its size off (or refills) the touch."""
    trades = _rows(ts_ns, ROW_TRADE, bucket=bucket, side=side, qty=size)
    quote_lag = np.minimum(
        rng.exponential(TRADE_QUOTE_LAG_MEAN_NS, ts_ns.size).astype(np.int64) + 1,
        TRADE_QUOTE_LAG_MAX_NS,
    )
    refilled = plan.absorbing[bucket]
    change = np.where(refilled, queue_changes(rng, ts_ns.size), -size)
    book_side = -side
    quotes = _rows(ts_ns + quote_lag, ROW_TRADE_QUOTE, bucket=bucket, side=book_side, qty=change)
    return _concat([trades, quotes])


def _random_book_side(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.where(rng.random(n) < 0.5, 1, -1).astype(np.int8)


def _quote_rows(buckets: Buckets, counts: np.ndarray, rng: np.random.Generator) -> EventRows:
    """Orders added to or cancelled from the best bid or ask (size changes only)."""
    bucket = np.repeat(np.arange(len(buckets)), counts)
    ts_ns = uniform_times(rng, buckets, bucket)
    side = _random_book_side(rng, bucket.size)
    return _rows(ts_ns, ROW_QUOTE, bucket=bucket, side=side, qty=queue_changes(rng, bucket.size))


def _deep_rows(buckets: Buckets, counts: np.ndarray, rng: np.random.Generator) -> EventRows:
    """Orders added to or cancelled from book positions 1-9 (not visible in the best bid/offer);
    `qty` is the change from the price's resting size."""
    bucket = np.repeat(np.arange(len(buckets)), counts)
    ts_ns = uniform_times(rng, buckets, bucket)
    side = _random_book_side(rng, bucket.size)
    position = rng.integers(1, 10, bucket.size)
    change = queue_changes(rng, bucket.size)
    return _rows(ts_ns, ROW_DEEP, bucket=bucket, side=side, qty=change, position=position)

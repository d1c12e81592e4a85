"""One-tick price steps inside each minute bucket, joining the plan's bucket closes.

Each bucket's net move is a random ±1 bridge with a few extra up/down pairs (rotation inside the
minute) plus "flickers": a one-tick move that comes back after a short dwell, the usual ES churn.
Calm (opening-drive) buckets get no rotation pairs and at most one flicker.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orderflow_lib.market.synthetic.profile import Buckets
from orderflow_lib.market.synthetic.regimes import DayPlan

ROTATION_PAIRS_PER_ACTIVITY = 3.0
FLICKERS_PER_ACTIVITY = 15.0
FLICKER_DWELL_MEAN_NS = 1_500_000_000
EDGE_MARGIN_NS = 1_000_000


@dataclass(frozen=True, slots=True)
class Steps:
    """Price steps in time order: `ts_ns`, `sign` (+1 up / -1 down) and the bucket of each."""

    ts_ns: np.ndarray
    sign: np.ndarray
    bucket: np.ndarray


def uniform_times(rng: np.random.Generator, buckets: Buckets, bucket_of: np.ndarray) -> np.ndarray:
    """A uniformly drawn time inside each listed bucket, kept `EDGE_MARGIN_NS` off its edges."""
    start = buckets.start_ns[bucket_of]
    usable = buckets.duration_ns[bucket_of] - 2 * EDGE_MARGIN_NS
    offsets = (rng.random(bucket_of.size) * usable).astype(np.int64)
    return start + EDGE_MARGIN_NS + offsets


def build_steps(
    buckets: Buckets, plan: DayPlan, start_bid_ticks: int, scale: float, rng: np.random.Generator
) -> Steps:
    """All one-tick steps of the session; their running sum reaches each bucket's planned close."""
    n = len(buckets)
    previous = np.concatenate([[start_bid_ticks], plan.close_ticks[:-1]])
    net = plan.close_ticks - previous
    intensity = buckets.activity * plan.churn * np.sqrt(scale)
    pairs = rng.poisson(ROTATION_PAIRS_PER_ACTIVITY * intensity)
    flickers = rng.poisson(FLICKERS_PER_ACTIVITY * intensity)
    pairs = np.where(plan.calm, 0, pairs)
    flickers = np.where(plan.calm, np.minimum(flickers, 1), flickers)

    ups = np.maximum(net, 0) + pairs
    downs = np.maximum(-net, 0) + pairs
    walk_counts = ups + downs
    walk_bucket = np.repeat(np.arange(n), walk_counts)
    first_of_bucket = np.cumsum(walk_counts) - walk_counts
    rank = np.arange(walk_bucket.size) - first_of_bucket[walk_bucket]
    walk_sign = np.where(rank < ups[walk_bucket], 1, -1).astype(np.int8)
    shuffle = np.lexsort((rng.random(walk_bucket.size), walk_bucket))
    walk_sign = walk_sign[shuffle]
    walk_ts = np.sort(uniform_times(rng, buckets, walk_bucket))

    flick_bucket = np.repeat(np.arange(n), flickers)
    flick_start = uniform_times(rng, buckets, flick_bucket)
    dwell = rng.exponential(FLICKER_DWELL_MEAN_NS, flick_bucket.size).astype(np.int64)
    room = buckets.end_ns[flick_bucket] - EDGE_MARGIN_NS - flick_start
    inside = (rng.random(flick_bucket.size) * room).astype(np.int64)
    flick_back = flick_start + np.maximum(np.where(dwell < room, dwell, inside), 1)
    flick_sign = np.where(rng.random(flick_bucket.size) < 0.5, 1, -1).astype(np.int8)

    ts_ns = np.concatenate([walk_ts, flick_start, flick_back])
    sign = np.concatenate([walk_sign, flick_sign, -flick_sign])
    bucket = np.concatenate([walk_bucket, flick_bucket, flick_bucket])
    order = np.argsort(ts_ns, kind="stable")
    return Steps(ts_ns=ts_ns[order], sign=sign[order], bucket=bucket[order])

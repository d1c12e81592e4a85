"""One-tick price steps inside each minute bucket, joining the plan's bucket closes.

Each bucket's net move is a random ±1 bridge with a few extra up/down pairs (rotation inside the
minute) plus "flickers": a one-tick move that comes back after a short dwell, the usual ES churn.
Calm (opening-drive) buckets get no rotation pairs and at most one flicker. Buckets of a `BidBand`
(a scripted path) keep their step times and counts, but each step's direction is chosen so the bid
never leaves the bucket's band.
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


@dataclass(frozen=True, slots=True)
class BidBand:
    """Per-bucket bounds `[low, high]` of the bid (ticks), enforced where `bounded` is True.

    Each bounded bucket's band holds its opening and closing bid and is at least 1 tick wide.
    """

    low: np.ndarray
    high: np.ndarray
    bounded: np.ndarray


def uniform_times(rng: np.random.Generator, buckets: Buckets, bucket_of: np.ndarray) -> np.ndarray:
    """A uniformly drawn time inside each listed bucket, kept `EDGE_MARGIN_NS` off its edges."""
    start = buckets.start_ns[bucket_of]
    usable = buckets.duration_ns[bucket_of] - 2 * EDGE_MARGIN_NS
    offsets = (rng.random(bucket_of.size) * usable).astype(np.int64)
    return start + EDGE_MARGIN_NS + offsets


def build_steps(
    buckets: Buckets,
    plan: DayPlan,
    start_bid_ticks: int,
    scale: float,
    rng: np.random.Generator,
    band: BidBand | None = None,
) -> Steps:
    """All one-tick steps of the session; their running sum reaches each bucket's planned close
    (inside `band` where it bounds the bucket)."""
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
    sign = sign[order]
    if band is not None:
        n_walk, n_flick = walk_sign.size, flick_sign.size
        partner = np.concatenate(
            [
                np.full(n_walk, -1),
                np.arange(n_flick) + n_walk + n_flick,
                np.arange(n_flick) + n_walk,
            ]
        )
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        sorted_partner = np.where(partner[order] >= 0, rank[np.maximum(partner[order], 0)], -1)
        sign = _bounded_signs(sign, bucket[order], sorted_partner, previous, band)
    return Steps(ts_ns=ts_ns[order], sign=sign, bucket=bucket[order])


def _bounded_signs(
    sign: np.ndarray, bucket: np.ndarray, partner: np.ndarray, opening: np.ndarray, band: BidBand
) -> np.ndarray:
    """Step directions that keep the bid of each bounded bucket inside its band (`sign`, `bucket`
    and `partner`, the index of a flicker's other step or -1, are in time order).

    Each step keeps its drawn direction (a flicker's return undoes its start) unless that would
    leave the band or use more up or down steps than the bucket has; then it goes the other way,
    which is always possible because the band holds the bucket's close and is at least 1 tick wide.
    The bucket's up and down counts, hence its close, do not change.
    """
    bounded_buckets = np.flatnonzero(band.bounded)
    first = np.searchsorted(bucket, bounded_buckets, side="left").tolist()
    last = np.searchsorted(bucket, bounded_buckets, side="right").tolist()
    drawn = sign.tolist()
    link = partner.tolist()
    chosen = list(drawn)
    for b, lo_row, hi_row in zip(bounded_buckets.tolist(), first, last, strict=True):
        low, high = int(band.low[b]), int(band.high[b])
        bid = int(opening[b])
        ups = sum(1 for k in range(lo_row, hi_row) if drawn[k] > 0)
        downs = hi_row - lo_row - ups
        for k in range(lo_row, hi_row):
            other = link[k]
            want = -chosen[other] if 0 <= other < k else drawn[k]
            if want > 0 and (ups == 0 or bid >= high):
                want = -1
            elif want < 0 and (downs == 0 or bid <= low):
                want = 1
            chosen[k] = want
            bid += want
            if want > 0:
                ups -= 1
            else:
                downs -= 1
    return np.array(chosen, dtype=sign.dtype)

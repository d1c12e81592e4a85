"""Minute buckets of a Globex session with their relative trading activity and volatility.

Activity follows the intraday U-shape: heavy at the RTH open and close, light overnight, with
bumps at the Globex open (and after a halt), at the 03:00 ET European open and at 08:30 ET data.
Holiday segments and early-close days are thinner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np

from orderflow_lib.core.timeconv import NS_PER_DAY, NS_PER_MINUTE, NS_PER_SECOND, NY, ns_to_datetime
from orderflow_lib.market.synthetic.windows import (
    SessionLayout,
    SyntheticMarketError,
    standard_windows,
)

RTH_MIDDAY = 0.55
RTH_OPEN_BOOST = 1.6
RTH_OPEN_DECAY_MIN = 25.0
RTH_CLOSE_BOOST = 1.2
RTH_CLOSE_DECAY_MIN = 20.0
SIGMA_PER_SQRT_ACTIVITY = 3.3
_REFERENCE_DATE = date(2024, 3, 5)
MIN_BUCKET_NS = NS_PER_SECOND
FULL_RTH_MINUTES = 390
HOLIDAY_SEGMENT_FACTOR = 0.5
"""Trading before a halt is a holiday segment (spec §1.3): thin."""
EARLY_CLOSE_FACTOR = 0.6
"""Early-close sessions (RTH shorter than a full day) trade thinly throughout."""


@dataclass(frozen=True, slots=True)
class Buckets:
    """Minute-sized buckets covering the trading segments (halts excluded), in time order.

    `rth_minute` is the minutes since the RTH open (-1 outside RTH); `activity` is the relative
    trade intensity (RTH midday = 0.55); `sigma_ticks` the per-bucket price volatility in ticks.
    """

    start_ns: np.ndarray
    end_ns: np.ndarray
    in_rth: np.ndarray
    rth_minute: np.ndarray
    rth_minutes_total: int
    activity: np.ndarray
    sigma_ticks: np.ndarray

    def __len__(self) -> int:
        return int(self.start_ns.size)

    @property
    def duration_ns(self) -> np.ndarray:
        """Length of each bucket in ns (a minute, shorter at window edges)."""
        return self.end_ns - self.start_ns


def build_buckets(windows: SessionLayout) -> Buckets:
    """Split the session's trading segments into minute buckets, cut at the RTH open and close."""
    cuts = [c for c in (windows.rth_open_ns, windows.rth_close_ns) if c is not None]
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    segment_minutes: list[np.ndarray] = []
    for seg_start, seg_end in windows.trading_segments():
        edges = np.arange(seg_start, seg_end, NS_PER_MINUTE, dtype=np.int64)
        inner_cuts = [c for c in cuts if seg_start < c < seg_end]
        edges = np.unique(np.concatenate([edges, np.asarray(inner_cuts, dtype=np.int64)]))
        seg_ends = np.append(edges[1:], np.int64(seg_end))
        starts.append(edges)
        ends.append(seg_ends)
        segment_minutes.append((edges - seg_start) / NS_PER_MINUTE)
    if not starts:
        raise SyntheticMarketError(
            f"the session of {windows.trade_date} has no trading time outside its halts"
        )
    start_ns = np.concatenate(starts)
    end_ns = np.concatenate(ends)
    since_segment_open = np.concatenate(segment_minutes)
    keep = end_ns - start_ns >= MIN_BUCKET_NS
    start_ns, end_ns, since_segment_open = start_ns[keep], end_ns[keep], since_segment_open[keep]

    if windows.rth_open_ns is not None and windows.rth_close_ns is not None:
        in_rth = (start_ns >= windows.rth_open_ns) & (start_ns < windows.rth_close_ns)
        rth_minute = np.where(in_rth, (start_ns - windows.rth_open_ns) / NS_PER_MINUTE, -1.0)
        rth_total = int((windows.rth_close_ns - windows.rth_open_ns) // NS_PER_MINUTE)
        since_rth_close = (start_ns - windows.rth_close_ns) / NS_PER_MINUTE
    else:
        in_rth = np.zeros(start_ns.size, dtype=bool)
        rth_minute = np.full(start_ns.size, -1.0)
        rth_total = 0
        since_rth_close = np.full(start_ns.size, -1.0)

    activity = _activity(
        start_ns, in_rth, rth_minute, rth_total, since_segment_open, since_rth_close
    )
    if windows.halts:
        activity[start_ns < windows.halts[-1][0]] *= HOLIDAY_SEGMENT_FACTOR
    if 0 < rth_total < FULL_RTH_MINUTES:
        activity *= EARLY_CLOSE_FACTOR
    return Buckets(
        start_ns=start_ns,
        end_ns=end_ns,
        in_rth=in_rth,
        rth_minute=rth_minute,
        rth_minutes_total=rth_total,
        activity=activity,
        sigma_ticks=SIGMA_PER_SQRT_ACTIVITY * np.sqrt(activity),
    )


def _activity(
    start_ns: np.ndarray,
    in_rth: np.ndarray,
    rth_minute: np.ndarray,
    rth_total: int,
    since_segment_open: np.ndarray,
    since_rth_close: np.ndarray,
) -> np.ndarray:
    """Relative trade intensity of each bucket: RTH U-shape, overnight by New York clock time."""
    clock_minute = _ny_clock_minutes(start_ns)
    overnight = np.select(
        [
            clock_minute >= 18 * 60,
            clock_minute < 3 * 60,
            clock_minute < 8 * 60 + 30,
            clock_minute < 9 * 60 + 30,
            clock_minute < 16 * 60,
        ],
        [0.05, 0.05, 0.10, 0.22, 0.08],
        default=0.08,
    )
    data_minutes = clock_minute - (8 * 60 + 30)
    overnight = overnight + np.where(
        (data_minutes >= 0) & (data_minutes < 30),
        0.5 * np.exp(-np.clip(data_minutes, 0, None) / 4.0),
        0.0,
    )
    overnight = overnight + 0.12 * np.exp(-since_segment_open / 10.0)
    overnight = overnight + np.where(
        since_rth_close >= 0, 0.3 * np.exp(-np.clip(since_rth_close, 0, None) / 10.0), 0.0
    )
    to_close = rth_total - rth_minute
    rth = (
        RTH_MIDDAY
        + RTH_OPEN_BOOST * np.exp(-np.clip(rth_minute, 0, None) / RTH_OPEN_DECAY_MIN)
        + RTH_CLOSE_BOOST * np.exp(-np.clip(to_close - 1, 0, None) / RTH_CLOSE_DECAY_MIN)
    )
    return np.where(in_rth, rth, overnight).astype(np.float64)


def _ny_clock_minutes(start_ns: np.ndarray) -> np.ndarray:
    """Minutes since New York midnight of each bucket start (DST from the tz database)."""
    first_offset = _utc_offset_ns(int(start_ns[0]))
    if first_offset == _utc_offset_ns(int(start_ns[-1])):
        local_ns = start_ns + first_offset
    else:
        local_ns = np.array([ts + _utc_offset_ns(ts) for ts in start_ns.tolist()], dtype=np.int64)
    return (local_ns % NS_PER_DAY) / NS_PER_MINUTE


def _utc_offset_ns(ts_ns: int) -> int:
    """New York's UTC offset at an instant, in ns."""
    offset = ns_to_datetime(ts_ns, NY).utcoffset()
    return 0 if offset is None else int(offset.total_seconds()) * NS_PER_SECOND


@cache
def reference_activity() -> float:
    """Total activity of a standard full day (18:00 → 17:00 ET, RTH 09:30-16:00): the 0.5 M-trade day."""
    return float(build_buckets(standard_windows(_REFERENCE_DATE)).activity.sum())

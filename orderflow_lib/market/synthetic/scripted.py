"""A day plan bent to a `PriceScript`: RTH closes on the script's line, the overnight ending at its open.

The seeded plan is drawn first as on any day, so the overnight keeps its own character; its closes
are then eased (linearly over the night) onto the script's first price, the RTH closes follow the
line with bounded noise and the post-close buckets keep their moves from the new RTH close.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.synthetic.profile import Buckets
from orderflow_lib.market.synthetic.regimes import DayPlan
from orderflow_lib.market.synthetic.script import PriceScript
from orderflow_lib.market.synthetic.steps import BidBand
from orderflow_lib.market.synthetic.windows import SyntheticMarketError

NOISE_MEMORY = 0.8
"""AR(1) memory of the minute-close noise: deviations from the line persist for a few minutes."""
NOISE_SCALE = 0.5
"""Noise standard deviation as a share of the script's max deviation (before clipping)."""
BIAS_PER_TICK_PER_MINUTE = 0.03
MAX_BIAS = 0.06
"""Aggressor bias follows the line's slope (ticks a minute), capped like an opening drive's."""
VOLUME_PER_TICK_PER_MINUTE = 0.1
MAX_VOLUME_BOOST = 1.4
"""Steeper stretches of the line trade more, up to this multiple of the usual intensity."""
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class ScriptedDay:
    """The scripted plan, the band its RTH bid stays in and the buckets that print a waypoint."""

    plan: DayPlan
    band: BidBand
    pinned: np.ndarray


def script_day(
    plan: DayPlan, buckets: Buckets, script: PriceScript, rng: np.random.Generator
) -> ScriptedDay:
    """Replace `plan`'s price path with `script` (RTH) and ease its overnight onto the script's open."""
    rth_idx = _rth_buckets(buckets, script)
    first_rth, last_rth = int(rth_idx[0]), int(rth_idx[-1])
    rth_open_ns = buckets.start_ns[first_rth]
    start_min = (buckets.start_ns[rth_idx] - rth_open_ns) / NS_PER_MINUTE
    end_min = (buckets.end_ns[rth_idx] - rth_open_ns) / NS_PER_MINUTE
    pin_pos = np.searchsorted(start_min, script.minutes)
    if not np.array_equal(start_min[np.minimum(pin_pos, start_min.size - 1)], script.minutes):
        raise SyntheticMarketError(
            f"waypoint minutes must start RTH minute buckets, were {script.minutes.tolist()}"
        )

    dev = script.max_deviation_ticks
    line_start = script.line_ticks(start_min)
    line_end = script.line_ticks(end_min)
    rth_closes = _noisy_closes(line_end, dev, rng)
    at_waypoint = np.isin(end_min, script.minutes)
    rth_closes[at_waypoint] = np.round(line_end[at_waypoint]).astype(np.int64)

    close = plan.close_ticks.copy()
    residual = script.open_ticks - int(close[first_rth - 1])
    ramp = np.arange(1, first_rth + 1) / first_rth
    close[:first_rth] += np.round(residual * ramp).astype(np.int64)
    close[last_rth + 1 :] += int(rth_closes[-1]) - int(close[last_rth])
    close[rth_idx] = rth_closes

    n = len(buckets)
    low = np.zeros(n, dtype=np.int64)
    high = np.zeros(n, dtype=np.int64)
    low[rth_idx] = np.ceil(np.minimum(line_start, line_end) - dev - _EPS)
    high[rth_idx] = np.floor(np.maximum(line_start, line_end) + dev - 1 + _EPS)
    slope = (line_end - line_start) / np.maximum(end_min - start_min, _EPS)
    return ScriptedDay(
        plan=_flow_along(plan, close, rth_idx, slope),
        band=BidBand(low=low, high=high, bounded=buckets.in_rth.copy()),
        pinned=rth_idx[pin_pos],
    )


def _rth_buckets(buckets: Buckets, script: PriceScript) -> np.ndarray:
    """Indices of the RTH buckets, once the script is known to fit the session."""
    rth_idx = np.flatnonzero(buckets.in_rth)
    if rth_idx.size == 0 or rth_idx[0] == 0:
        raise SyntheticMarketError(
            "a price script needs an RTH session with trading before it, the session has "
            f"{'no RTH' if rth_idx.size == 0 else 'no trading before the RTH open'}"
        )
    last_minute = script.waypoints[-1][0]
    if last_minute >= buckets.rth_minutes_total:
        raise SyntheticMarketError(
            f"waypoint minutes must be < {buckets.rth_minutes_total} (the RTH length), "
            f"was {last_minute}"
        )
    return rth_idx


def _flow_along(
    plan: DayPlan, close: np.ndarray, rth_idx: np.ndarray, slope: np.ndarray
) -> DayPlan:
    """`plan` with the new closes and RTH order flow that follows the line's slope (no absorption,
    no opening-drive calm)."""
    n = close.size
    buy_bias = plan.buy_bias.copy()
    buy_bias[rth_idx] = np.clip(BIAS_PER_TICK_PER_MINUTE * slope, -MAX_BIAS, MAX_BIAS)
    volume_boost = plan.volume_boost.copy()
    volume_boost[rth_idx] = np.minimum(
        1.0 + VOLUME_PER_TICK_PER_MINUTE * np.abs(slope), MAX_VOLUME_BOOST
    )
    calm = plan.calm.copy()
    calm[rth_idx] = False
    return replace(
        plan,
        close_ticks=close,
        buy_bias=buy_bias,
        churn=np.ones(n),
        calm=calm,
        volume_boost=volume_boost,
        large_boost=np.ones(n),
        absorbing=np.zeros(n, dtype=bool),
        absorptions=(),
    )


def _noisy_closes(line_ticks: np.ndarray, dev: int, rng: np.random.Generator) -> np.ndarray:
    """Bids on the line plus AR(1) noise, kept within `[line - dev, line + dev - 1]` (the upper
    bound leaves one tick for the ask, so trades print within `dev` of the line)."""
    shocks = rng.standard_normal(line_ticks.size).tolist()
    level = 0.0
    noise = []
    innovation = math.sqrt(1.0 - NOISE_MEMORY**2)
    for shock in shocks:
        level = NOISE_MEMORY * level + innovation * shock
        noise.append(level)
    raw = np.round(line_ticks + NOISE_SCALE * dev * np.array(noise))
    low = np.ceil(line_ticks - dev - _EPS)
    high = np.floor(line_ticks + dev - 1 + _EPS)
    return np.clip(raw, low, high).astype(np.int64)

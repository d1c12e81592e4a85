"""Builders for plan tests: the spec §5.5 example context and synthetic 1-minute sessions."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np

from orderflow_lib.auction.inventory import overnight_inventory
from orderflow_lib.auction.levels import SessionLevels
from orderflow_lib.core.timeconv import NS_PER_MINUTE, ny_to_ns
from orderflow_lib.market.events import BAR_DTYPE
from orderflow_lib.plan.build import PlanContext
from orderflow_lib.plan.model import CompositeLevels
from orderflow_lib.profiles.archive import BreakoutRefs, Ref
from orderflow_lib.profiles.volume import VolumeProfile

DAY = dt.date(2024, 3, 5)
RTH_OPEN = ny_to_ns(DAY, dt.time(9, 30))
RTH_CLOSE = ny_to_ns(DAY, dt.time(16, 0))


def tk(price: float) -> int:
    """ES ticks of a decimal price."""
    return round(price * 4)


def ny(hour: int, minute: int) -> int:
    """UTC ns of a New York time on DAY."""
    return ny_to_ns(DAY, dt.time(hour, minute))


EXAMPLE_CVA = CompositeLevels(
    tk(4980),
    tk(4990),
    tk(5000),
    tk(4975),
    tk(5004),
    5,
    tuple(DAY - dt.timedelta(days=k) for k in (8, 7, 6, 5, 4)),
)
EXAMPLE_PRIOR = SessionLevels(
    DAY - dt.timedelta(days=1),
    tk(5004),
    tk(5014),
    tk(5001),
    tk(5011),
    tk(5003),
    tk(5008),
    tk(5012),
    tk(5008.0),
    10.0,
)


def example_context(last_price: float = 5013.00, **changes) -> PlanContext:
    """Spec §5.5 example: CVA 4980/4990/5000, prior DVA 5003-5012, ON 5006-5015, upside_ref 5030."""
    eth = VolumeProfile.from_level_ticks([tk(5006), tk(5010), tk(5015)], [1000, 3000, 1000])
    inventory = overnight_inventory(eth, EXAMPLE_PRIOR.close_tick, on_range_median_ticks=40)
    fields = {
        "trade_date": DAY,
        "contract": "ESH24",
        "rth_open_ns": RTH_OPEN,
        "rth_close_ns": RTH_CLOSE,
        "prior": EXAMPLE_PRIOR,
        "cva": EXAMPLE_CVA,
        "cva_incl_prior": EXAMPLE_CVA,
        "character": "SIDEWAYS",
        "refs": BreakoutRefs(Ref(tk(5030), "ARCHIVE"), Ref(tk(4960), "MEASURED")),
        "overnight": inventory,
        "last_price_tick": tk(last_price),
        "open_scale_ticks": 48,
    }
    fields.update(changes)
    return PlanContext(**fields)


def session_bars(points: list[tuple[int, int, float]], start_ns: int = RTH_OPEN) -> np.ndarray:
    """1-minute BAR_DTYPE bars walking linearly through (hour, minute, price) waypoints: each bar
    opens at the previous close; high/low are the bar's open/close extremes."""
    minutes = [((h * 60 + m) - (9 * 60 + 30), tk(p)) for h, m, p in points]
    closes = []
    for (m0, t0), (m1, t1) in itertools.pairwise(minutes):
        for k in range(m1 - m0):
            closes.append(t0 + round((t1 - t0) * (k + 1) / (m1 - m0)))
    out = np.empty(len(closes), dtype=BAR_DTYPE)
    prev = minutes[0][1]
    for i, close in enumerate(closes):
        out[i] = (
            start_ns + (minutes[0][0] + i) * NS_PER_MINUTE,
            prev,
            max(prev, close),
            min(prev, close),
            close,
            100,
        )
        prev = close
    return out

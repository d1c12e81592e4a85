"""Builders for strategy tests: plans for the spec §5.5 example and a balance day, and bars."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import numpy as np

from orderflow_lib.auction.levels import SessionLevels
from orderflow_lib.core.timeconv import NS_PER_MINUTE, ny_to_ns
from orderflow_lib.market.events import BAR_DTYPE
from orderflow_lib.plan.build import PlanContext, build_plan
from orderflow_lib.plan.model import CompositeLevels, Plan
from orderflow_lib.profiles.archive import BreakoutRefs, Ref

DAY = dt.date(2024, 3, 5)
RTH_OPEN = ny_to_ns(DAY, dt.time(9, 30))
RTH_CLOSE = ny_to_ns(DAY, dt.time(16, 0))


def tk(price: float) -> int:
    """ES ticks of a decimal price."""
    return round(price * 4)


def ny(hour: int, minute: int) -> int:
    """UTC ns of a New York time on DAY."""
    return ny_to_ns(DAY, dt.time(hour, minute))


CVA = CompositeLevels(
    tk(4980), tk(4990), tk(5000), tk(4975), tk(5004), 5, (DAY - dt.timedelta(days=1),)
)
PRIOR = SessionLevels(
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


def plan_for(
    last_price: float, *, prior: SessionLevels = PRIOR, cva: CompositeLevels | None = CVA
) -> Plan:
    """A plan from a fixed context (TREND_UP with the default prior)."""
    ctx = PlanContext(
        trade_date=DAY,
        contract="ESH24",
        rth_open_ns=RTH_OPEN,
        rth_close_ns=RTH_CLOSE,
        prior=prior,
        cva=cva,
        cva_incl_prior=cva,
        character="SIDEWAYS",
        refs=BreakoutRefs(Ref(tk(5030), "ARCHIVE"), Ref(tk(4960), "MEASURED")),
        last_price_tick=tk(last_price),
    )
    return build_plan(ctx)


def balance_plan() -> Plan:
    """BALANCE: prior value 4984-4998 inside the CVA 4980-5000."""
    prior = replace(
        PRIOR,
        val_ticks=tk(4984),
        poc_ticks=tk(4990),
        vah_ticks=tk(4998),
        low_tick=tk(4982),
        high_tick=tk(5000),
    )
    return plan_for(4995.00, prior=prior)


def session_bars(points: list[tuple[int, int, float]]) -> np.ndarray:
    """1-minute bars walking linearly through (hour, minute, price) waypoints from 09:30."""
    minutes = [((h * 60 + m) - (9 * 60 + 30), tk(p)) for h, m, p in points]
    closes = []
    for (m0, t0), (m1, t1) in itertools.pairwise(minutes):
        for k in range(m1 - m0):
            closes.append(t0 + round((t1 - t0) * (k + 1) / (m1 - m0)))
    out = np.empty(len(closes), dtype=BAR_DTYPE)
    prev = minutes[0][1]
    for i, close in enumerate(closes):
        out[i] = (
            RTH_OPEN + (minutes[0][0] + i) * NS_PER_MINUTE,
            prev,
            max(prev, close),
            min(prev, close),
            close,
            100,
        )
        prev = close
    return out

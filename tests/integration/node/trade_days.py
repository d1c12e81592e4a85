"""Scripted setup days run through the whole node (plan, strategy, gate, paper broker, store):
prior days that trend up (so the plan is TREND_UP, BULLISH), then one scripted RTH day, and an
independent reading of what the paper rules must have done on its trades."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import numpy as np

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.context import PriorSession, build_context, priors_from_synthetic
from orderflow_lib.engine.plan_strategy import PlanStrategy
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.synthetic import session_events
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.market.synthetic import (
    PriceScript,
    PriorLevels,
    SyntheticSession,
    generate_session,
)
from orderflow_lib.node.node import Node
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.summary import paper_broker_factory
from orderflow_lib.store import Store

DAY = date(2026, 11, 24)
KEY = "k" * 40
BASE_TICKS = 24_000
STEP_TICKS = 60
SCALE = 0.05
SETTINGS = Settings.model_validate({"weights": {"entry_threshold": 0.7}})
"""The spec's weights with a 0.70 entry threshold: context alone enters, so a scripted day's entry
does not hang on which order-flow events the synthetic tape happens to print."""


def _prior_script(center: int) -> PriceScript:
    """A two-sided day around `center`: value about 40 ticks wide."""
    swings = (-8, 44, -40, 36, -36, 24, 0)
    minutes = (0, 60, 120, 180, 240, 300, 389)
    return PriceScript(tuple((m, center + s) for m, s in zip(minutes, swings, strict=True)))


@dataclass(frozen=True)
class Chain:
    """Seven prior sessions trending up, their node history and the last price before DAY."""

    sessions: tuple[SyntheticSession, ...]
    priors: tuple[PriorSession, ...]
    last_ticks: int

    @property
    def prior(self) -> PriorLevels:
        """The prior RTH day's value area and range."""
        p = self.priors[-1]
        va = p.profile.value_area()
        assert va is not None
        return PriorLevels(va.val_ticks, va.poc_ticks, va.vah_ticks, p.high_ticks, p.low_ticks)

    def cva(self) -> tuple[int, int, int]:
        """(VAL, POC, VAH) of the plan's composite (the one before the prior day)."""
        ctx = build_context(DAY, "ESZ26", list(self.priors), SETTINGS, default_calendar())
        assert ctx.cva_ex_prior is not None
        c = ctx.cva_ex_prior
        return c.val_ticks, c.poc_ticks, c.vah_ticks


@cache
def trend_chain() -> Chain:
    """Prior days stepping up STEP_TICKS a day, each two-sided."""
    calendar = default_calendar()
    days = [d for d in calendar.trade_dates(date(2026, 11, 2), DAY) if d < DAY][-7:]
    sessions: list[SyntheticSession] = []
    price = BASE_TICKS
    for k, day in enumerate(days):
        script = _prior_script(BASE_TICKS + STEP_TICKS * k)
        session = generate_session(day, 11 + k, scale=SCALE, start_price_ticks=price, script=script)
        sessions.append(session)
        price = session.last_bid_ticks
    return Chain(tuple(sessions), tuple(priors_from_synthetic(sessions, calendar)), price)


@dataclass
class DayRun:
    """What one node run over the scripted day did."""

    node: Node
    plan: PlanStrategy
    events: list[dict[str, Any]]
    trades: np.ndarray

    def of(self, kind: str) -> list[dict[str, Any]]:
        """Published events of one kind."""
        return [e for e in self.events if e["kind"] == kind]


def run_day(script: PriceScript, *, seed: int = 99, store: Store | None = None) -> DayRun:
    """Generate DAY on `script` after the trend chain and run it through a node at full speed."""
    chain = trend_chain()
    today = generate_session(
        DAY, seed, scale=SCALE, start_price_ticks=chain.last_ticks, script=script
    )
    events = session_events(today)
    clock = ReplayClock()
    hub = StateHub()
    seen: list[dict[str, Any]] = []
    publish = hub.publish_event

    def record(event: dict[str, Any]) -> None:
        seen.append(event)
        publish(event)

    hub.publish_event = record  # type: ignore[method-assign]

    async def history(trade_date: date, contract: str, source: str) -> list[PriorSession]:
        return [p for p in chain.priors if p.date < trade_date]

    plan = PlanStrategy(SETTINGS)
    batches = [events[k : k + 4_096] for k in range(0, len(events), 4_096)]

    class Feed:
        info = FeedInfo("synthetic", "")
        state = "idle"

        async def items(self):  # type: ignore[no-untyped-def]
            for batch in batches:
                yield batch

        async def close(self) -> None:
            return None

    node = Node(
        SETTINGS,
        Feed(),
        auth_key=KEY,
        broker_factory=paper_broker_factory(
            clock,
            slippage_ticks=SETTINGS.paper.slippage_ticks,
            gbp_per_usd=SETTINGS.paper.usd_gbp,
        ),
        store=store,
        strategies=[plan],
        plan=plan,
        clock=clock,
        hub=hub,
        history=history,
        record_sources=(),
        dom_metrics=False,
    )
    asyncio.run(asyncio.wait_for(node.run(), 300))
    trades = np.asarray(today.trades, dtype=TRADE_DTYPE)
    return DayRun(node, plan, seen, trades)


def first_trade_from(trades: np.ndarray, ts_ns: int) -> tuple[int, int]:
    """(time, price ticks) of the first trade at or after ts_ns (a bar's end: the trade that
    closes the decision bar is the one a market order placed at its close fills on)."""
    k = int(np.searchsorted(trades["ts_ns"], ts_ns, side="left"))
    return int(trades["ts_ns"][k]), int(trades["price_ticks"][k])


def first_reaching(trades: np.ndarray, after_ns: int, hit: Any) -> tuple[int, int] | None:
    """(time, price) of the first trade after `after_ns` whose price satisfies `hit`."""
    later = trades[trades["ts_ns"] > after_ns]
    found = np.flatnonzero(hit(later["price_ticks"]))
    if found.size == 0:
        return None
    k = int(found[0])
    return int(later["ts_ns"][k]), int(later["price_ticks"][k])

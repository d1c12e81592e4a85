"""Decisions held up by an outage expire: an entry decided longer ago than
risk.max_decision_age_ms is dropped with a journal entry instead of trading late."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import RiskSettings, Settings
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.engine.context import build_context
from orderflow_lib.engine.pipeline import Pipeline, SessionSpec
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.engine.view import Decision
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.strategy.intents import TradeIntent

KEY = "k" * 40
TRADE_DATE = date(2026, 11, 24)
SETTINGS = Settings(risk=RiskSettings(max_decision_age_ms=2_000))
NOON = ny_to_ns(TRADE_DATE, time(12, 0))


def _decision(ts_ns: int) -> Decision:
    from dataclasses import replace

    calendar = default_calendar()
    spec = SessionSpec.for_date(TRADE_DATE, "ESZ26", "synthetic", calendar)
    context = build_context(TRADE_DATE, "ESZ26", [], SETTINGS, calendar)
    view = replace(
        Pipeline(spec, context, SETTINGS).view(),
        ts_ns=ts_ns,
        last_ticks=20_000,
        bid_ticks=19_999,
        bid_size=10,
        ask_ticks=20_000,
        ask_size=10,
    )
    return Decision(view, context, (), None)


async def _act(decided_ns: int, now_ns: int) -> tuple[TradingSession, list[Any], list[dict]]:
    clock = ReplayClock(decided_ns)
    events: list[dict[str, Any]] = []
    session = await TradingSession.open(
        source="synthetic",
        settings=SETTINGS,
        clock=clock,
        auth_key=KEY,
        broker=PaperBroker(clock),
        safety=None,
        publish=events.append,
        sink=None,
        in_trading_window=lambda ts_ns: True,
    )
    decision = _decision(decided_ns)
    session.on_market(decision.view)
    clock.set_ns(now_ns)
    idea = TradeIntent("synthetic:late", OrderAction.BUY, 1, "test", "why")
    try:
        results = await session.act(decision, [idea])
    finally:
        await session.close()
    return session, results, events


async def test_act_when_decision_older_than_max_age_then_dropped_and_journalled():
    session, results, events = await _act(NOON, NOON + 2_500_000_000)

    assert results == []
    assert session.expired == 1
    assert [e["code"] for e in events if e["kind"] == "journal"] == ["EXPIRED"]
    assert not [e for e in events if e["kind"] == "order"]


async def test_act_when_decision_within_max_age_then_sent():
    session, results, _ = await _act(NOON, NOON + 1_500_000_000)

    assert [r.accepted for r in results] == [True]
    assert session.expired == 0

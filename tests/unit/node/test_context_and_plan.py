"""The session context (CVA, prior day, regime) from prior sessions, and the plan strategy's
entries and exits."""

from __future__ import annotations

import pytest
from node_support import TRADE_DATE

from orderflow_lib.core.config import Settings
from orderflow_lib.engine.context import (
    PriorSession,
    SessionContext,
    build_context,
    priors_from_synthetic,
)
from orderflow_lib.engine.pipeline import Pipeline, SessionSpec
from orderflow_lib.engine.plan_strategy import PlanStrategy, _OpenTrade, _state_word
from orderflow_lib.engine.view import Decision
from orderflow_lib.flow.candles import VolCandle
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.synthetic import generate_session
from orderflow_lib.plan.monitor import ScenarioState
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.strategy.intents import TradeIntent

SETTINGS = Settings()


@pytest.fixture(scope="module")
def priors() -> list[PriorSession]:
    calendar = default_calendar()
    days = [
        d for d in calendar.trade_dates(TRADE_DATE.replace(day=10), TRADE_DATE) if d < TRADE_DATE
    ][-6:]
    sessions = []
    price = None
    for day in days:
        session = generate_session(day, 4, scale=0.01, start_price_ticks=price)
        sessions.append(session)
        price = session.last_bid_ticks
    return priors_from_synthetic(sessions, calendar)


def test_context_when_six_prior_sessions_then_cva_of_five_prior_day_and_regime(priors):
    context = build_context(TRADE_DATE, "ESZ26", priors, SETTINGS, default_calendar())

    assert context.cva is not None and context.cva.days_included == 5
    assert context.cva.dates[-1] == priors[-1].date
    assert context.cva_ex_prior is not None and context.cva_ex_prior.dates[-1] == priors[-2].date
    assert context.prior == priors[-1]
    assert context.prior_value is not None
    assert context.regime is not None and context.regime.reasons
    assert context.rth_open_ns is not None and context.rth_close_ns is not None


def test_context_when_no_history_then_levels_null_and_rth_known():
    context = build_context(TRADE_DATE, "ESZ26", [], SETTINGS, default_calendar())

    assert (context.cva, context.prior, context.regime) == (None, None, None)
    assert context.rth_open_ns is not None


def test_prior_session_when_stored_and_loaded_then_equal(priors):
    prior = priors[-1]

    again = PriorSession.from_payload(prior.date, prior.contract, prior.to_payload())

    assert again == prior


def _context() -> SessionContext:
    return build_context(TRADE_DATE, "ESZ26", [], SETTINGS, default_calendar())


def _decision(context: SessionContext, low: int, high: int, end_ns: int, position: int) -> Decision:
    spec = SessionSpec.for_date(TRADE_DATE, "ESZ26", "synthetic", default_calendar())
    view = Pipeline(spec, context, SETTINGS).view()
    candle = VolCandle(
        end_ns - 60_000_000_000,
        end_ns,
        end_ns - 1,
        0,
        low,
        high,
        low,
        high,
        10,
        5,
        5,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        low,
        2,
        (),
    )
    return Decision(view, context, (), candle, position=position)


def _strategy_with_trade(context: SessionContext, side: int) -> PlanStrategy:
    strategy = PlanStrategy(SETTINGS)
    strategy.start_session(context)
    intent = TradeIntent(
        "synthetic:S1@1",
        "BUY" if side > 0 else "SELL",
        1,
        "ROTATIONAL",
        "why",
        price_ticks=20_000,
        stop_ticks=20_000 - 8 * side,
        targets=((1, 20_000 + 16 * side),),
        scenario_id="S1",
        setup="RTV",
    )
    strategy._open = _OpenTrade(intent)
    return strategy


@pytest.mark.parametrize(
    ("side", "low", "high"),
    [(1, 19_990, 20_004), (1, 19_999, 20_016), (-1, 19_996, 20_008), (-1, 19_984, 20_001)],
)
def test_exits_when_bar_reaches_stop_or_target_then_left_to_the_orders_at_the_broker(
    side, low, high
):
    context = _context()
    assert context.rth_open_ns is not None and context.rth_close_ns is not None
    decision = _decision(context, low, high, context.rth_open_ns + 3_600_000_000_000, side)

    assert _strategy_with_trade(context, side)._exits(decision, context.rth_close_ns) == []


def test_exits_when_near_rth_close_then_flatten_even_without_trade():
    context = _context()
    assert context.rth_close_ns is not None
    decision = _decision(context, 20_000, 20_001, context.rth_close_ns - 60_000_000_000, -2)
    strategy = PlanStrategy(SETTINGS)
    strategy.start_session(context)

    ideas = strategy._exits(decision, context.rth_close_ns)

    assert [(i.action, i.quantity, i.reason, i.exit) for i in ideas] == [
        (OrderAction.BUY, 2, "flat 10 minutes before the close", True)
    ]


def test_state_word_when_scenario_traded_and_closed_then_done_whatever_the_monitor_says():
    entered = frozenset({"S1"})
    assert _state_word(ScenarioState.TRADABLE, "S1", "S1", entered) == "in trade"
    assert _state_word(ScenarioState.TRADABLE, "S1", None, entered) == "done"
    assert _state_word(ScenarioState.INVALIDATED, "S1", None, entered) == "invalidated"
    assert _state_word(ScenarioState.TRADABLE, "S2", None, entered) == "tradable"

"""Strategies and the engine: context picks the scenario, order flow times the entry; intents
carry side, quantity, stop, target, reason and the signal id."""

import pytest
from strategy_builders import balance_plan, ny, plan_for, session_bars, tk

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.flow.rhythm import Condition as Rhythm
from orderflow_lib.flow.signals import Signal, SignalKind
from orderflow_lib.plan.kinds import Family
from orderflow_lib.strategy.engine import StrategyEngine, stop_tick
from orderflow_lib.strategy.intents import TradeIntent

PULLBACK_DAY = session_bars(
    [
        (9, 30, 5013.00),
        (9, 45, 5014.50),
        (10, 0, 5014.00),
        (10, 20, 5011.50),
        (10, 25, 5011.50),
        (11, 30, 5021.50),
        (16, 0, 5019.00),
    ]
)


def _run(engine, bars, signals=(), rhythm=None):
    out = []
    pending = sorted(signals, key=lambda s: s.ts_ns)
    for bar in bars.tolist():
        while pending and pending[0].ts_ns < bar[0] + NS_PER_MINUTE:
            engine.on_signal(pending.pop(0))
        out += engine.on_bar(*bar, rhythm=rhythm)
    return out


def test_engine_when_bvp_pullback_with_bid_absorption_then_long_intent_with_stop_and_target():
    absorption = Signal(ny(10, 19), SignalKind.BID_ABSORPTION, 1, tk(5011.75), 2.0)
    engine = StrategyEngine(plan_for(5013.00))
    intents = _run(engine, PULLBACK_DAY, [absorption])
    assert len(intents) == 1
    intent = intents[0]
    assert (intent.scenario_id, intent.action, intent.quantity, intent.instrument) == (
        "S1",
        "BUY",
        1,
        "MES",
    )
    assert tk(5010.00) <= intent.entry_tick <= tk(5012.00)
    assert intent.stop_tick == tk(5002.50)
    assert intent.target_tick == tk(5021.00)
    assert intent.signal_id == f"BID_ABSORPTION@{ny(10, 19)}:{tk(5011.75)}"
    assert intent.score == pytest.approx(0.9) and intent.family == Family.DIRECTIONAL_BULLISH


def test_engine_when_no_confirmation_and_neutral_dynamics_then_no_intent():
    assert _run(StrategyEngine(plan_for(5013.00)), PULLBACK_DAY) == []


def test_engine_when_opposing_order_flow_then_no_intent():
    against = Signal(ny(10, 19), SignalKind.ASK_ABSORPTION, -1, tk(5011.75), 2.0)
    assert _run(StrategyEngine(plan_for(5013.00)), PULLBACK_DAY, [against]) == []


def test_engine_when_order_flow_alone_outside_any_triggered_zone_then_no_intent():
    bars = session_bars([(9, 30, 5008.00), (12, 0, 5008.50), (16, 0, 5008.00)])
    signal = Signal(ny(10, 0), SignalKind.STACKED_BUY_IMBALANCE, 1, tk(5008.25), 3.0)
    assert _run(StrategyEngine(plan_for(5008.00)), bars, [signal], Rhythm.IMBALANCED_UP) == []


def test_engine_when_rejection_at_cva_vah_in_balance_with_balanced_rhythm_then_short_fade():
    bars = session_bars(
        [
            (9, 30, 4998.00),
            (9, 35, 4997.50),
            (9, 40, 4998.50),
            (9, 50, 5001.00),
            (10, 0, 4999.50),
            (10, 10, 4999.00),
            (11, 0, 4990.00),
            (16, 0, 4991.00),
        ]
    )
    engine = StrategyEngine(balance_plan())
    intents = _run(engine, bars, rhythm=Rhythm.BALANCED)
    assert [(i.scenario_id, i.action, i.setup) for i in intents] == [("S1", "SELL", "ROTATE")]
    assert intents[0].stop_tick == tk(5000.50)
    assert intents[0].target_tick == tk(4990.00)
    assert engine.family_call.family == Family.ROTATIONAL


def test_engine_when_regime_unknown_then_family_none_and_no_intents():
    engine = StrategyEngine(plan_for(5013.00, cva=None))
    absorption = Signal(ny(10, 19), SignalKind.BID_ABSORPTION, 1, tk(5011.75), 2.0)
    assert _run(engine, PULLBACK_DAY, [absorption]) == []
    assert engine.family_call.family == Family.NONE


def test_engine_when_quantity_below_one_then_refused():
    with pytest.raises(ValueError, match="quantity"):
        StrategyEngine(plan_for(5013.00), quantity=0)


def test_stop_when_level_invalidation_then_two_ticks_beyond_it():
    s1 = plan_for(5013.00).scenario("S1")
    assert stop_tick(s1, tk(5011), 2) == tk(5002.50)


def test_trade_intent_when_target_behind_entry_then_refused():
    with pytest.raises(ValueError, match="target"):
        TradeIntent("x", 0, "MES", 1, 1, 100, 90, 95, "", "S1", "", "", "", 1)
    with pytest.raises(ValueError, match="stop"):
        TradeIntent("x", 0, "MES", -1, 1, 100, 90, 95, "", "S1", "", "", "", 1)


def test_trade_intent_when_valid_then_tags_and_risk_reward():
    intent = TradeIntent(
        "sig", 0, "MES", 1, 2, 100, 92, 116, "why", "S1", "F", "BVP", "TREND_UP", 1
    )
    assert intent.tags() == {
        "setup": "BVP",
        "regime": "TREND_UP",
        "scenario": "S1",
        "family": "F",
        "signal_id": "sig",
    }
    assert (intent.risk_ticks, intent.reward_ticks) == (8, 16)
    assert intent.to_dict()["action"] == "BUY"

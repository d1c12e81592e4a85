"""The strategy engine (spec §5.6, §6): context picks the scenario, order flow times the entry;
intents carry side, size, the structural stop, the reward:risk target and the reason; every skip
is journalled."""

from fractions import Fraction

import pytest
from strategy_builders import balance_plan, ny, plan_for, session_bars, tk

from orderflow_lib.core.errors import ConfigError
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.flow.rhythm import RhythmCondition as Rhythm
from orderflow_lib.flow.signals import Signal, SignalKind
from orderflow_lib.plan.kinds import Family
from orderflow_lib.strategy.engine import StrategyEngine
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


GBP = Fraction(79, 100)


def _run(engine, bars, signals=(), rhythm=None, usd_gbp=GBP):
    out = []
    pending = sorted(signals, key=lambda s: s.ts_ns)
    for bar in bars.tolist():
        while pending and pending[0].ts_ns < bar[0] + NS_PER_MINUTE:
            engine.on_signal(pending.pop(0))
        out += engine.on_bar(*bar, rhythm=rhythm, usd_gbp=usd_gbp)
    return out


def test_engine_when_bvp_pullback_with_bid_absorption_then_long_intent_with_stop_and_target():
    absorption = Signal(ny(10, 19), SignalKind.BID_ABSORPTION, 1, tk(5011.75), 2.0)
    engine = StrategyEngine(plan_for(5013.00))
    intents = _run(engine, PULLBACK_DAY, [absorption])
    assert len(intents) == 1
    intent = intents[0]
    assert (intent.scenario_id, intent.action, intent.quantity) == ("S1", "BUY", 1)
    assert intent.price_ticks == tk(5011.50)
    assert intent.stop_ticks == tk(5009.50)
    assert intent.targets == ((1, tk(5021.00)),)
    assert intent.journal is not None and intent.journal["T2"] == tk(5030.00)
    assert intent.signal_id == "20240305:S1"
    assert intent.journal["score"] == "9/10" and intent.strategy == Family.DIRECTIONAL_BULLISH
    taken = [j for j in engine.journal if j.taken]
    assert len(taken) == 1
    assert (taken[0].numbers["S"], taken[0].numbers["R"], taken[0].numbers["qty"]) == (
        tk(5009.50),
        8,
        1,
    )


def test_engine_when_no_confirmation_and_neutral_dynamics_then_no_intent_and_the_score_journalled():
    engine = StrategyEngine(plan_for(5013.00))
    assert _run(engine, PULLBACK_DAY) == []
    skips = [j for j in engine.journal if j.scenario_id == "S1"]
    assert [j.code for j in skips] == ["SCORE"]
    assert skips[0].numbers["s_orderflow"] == "1/2"


def test_engine_when_no_fx_rate_then_skip_no_fx_rate_and_no_order():
    absorption = Signal(ny(10, 19), SignalKind.BID_ABSORPTION, 1, tk(5011.75), 2.0)
    engine = StrategyEngine(plan_for(5013.00))
    assert _run(engine, PULLBACK_DAY, [absorption], usd_gbp=None) == []
    assert "NO_FX_RATE" in [j.code for j in engine.journal]


def test_engine_when_position_open_then_busy_and_the_entry_waits():
    absorption = Signal(ny(10, 19), SignalKind.BID_ABSORPTION, 1, tk(5011.75), 2.0)
    engine = StrategyEngine(plan_for(5013.00))
    intents = []
    for bar in PULLBACK_DAY.tolist():
        if absorption.ts_ns < bar[0] + NS_PER_MINUTE and absorption not in engine._signals:
            engine.on_signal(absorption)
        intents += engine.on_bar(*bar, usd_gbp=GBP, can_enter=False)
    assert intents == []
    assert "BUSY" in [j.code for j in engine.journal]


def test_engine_when_family_is_bearish_then_a_long_scenario_is_not_scored():
    absorption = Signal(ny(10, 19), SignalKind.BID_ABSORPTION, 1, tk(5011.75), 2.0)
    engine = StrategyEngine(plan_for(5013.00))
    engine._refresh_family = lambda: None  # type: ignore[method-assign]
    engine.family_call = engine.family_call.__class__(Family.DIRECTIONAL_BEARISH, "test")
    assert _run(engine, PULLBACK_DAY, [absorption]) == []
    assert [j.code for j in engine.journal if j.scenario_id == "S1"] == ["FAMILY_DISAGREES"]


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
    assert intents[0].stop_ticks == tk(5001.50)
    assert intents[0].targets[0][1] == tk(4990.00)
    assert engine.family_call.family == Family.ROTATIONAL


def test_engine_when_regime_unknown_then_family_none_and_no_intents():
    engine = StrategyEngine(plan_for(5013.00, cva=None))
    absorption = Signal(ny(10, 19), SignalKind.BID_ABSORPTION, 1, tk(5011.75), 2.0)
    assert _run(engine, PULLBACK_DAY, [absorption]) == []
    assert engine.family_call.family == Family.NONE


def test_trade_intent_when_target_or_stop_on_the_wrong_side_then_refused():
    with pytest.raises(ConfigError, match="target"):
        TradeIntent("x", "BUY", 1, "F", "", price_ticks=100, stop_ticks=90, targets=((1, 95),))
    with pytest.raises(ConfigError, match="stop"):
        TradeIntent("x", "SELL", 1, "F", "", price_ticks=100, stop_ticks=90, targets=((1, 95),))
    with pytest.raises(ConfigError, match="all 2 contracts"):
        TradeIntent("x", "BUY", 2, "F", "", price_ticks=100, stop_ticks=92, targets=((1, 116),))


def test_trade_intent_when_valid_bracket_or_exit_then_side_follows_action():
    entry = TradeIntent(
        "sig", "BUY", 2, "F", "why", price_ticks=100, stop_ticks=92, targets=((1, 116), (1, 124))
    )
    exit_ = TradeIntent("sig:exit", "SELL", 2, "exit", "flat before the close", exit=True)
    assert (entry.side, exit_.side) == (1, -1)

"""Live plan evaluation: scenario statuses over a synthetic session (bars and trades), trigger,
target, invalidation, excursions, and the incremental monitor against the replay."""

from dataclasses import replace

import numpy as np
import pytest
from plan_builders import RTH_CLOSE, RTH_OPEN, example_context, ny, session_bars, tk

from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.plan.build import build_plan
from orderflow_lib.plan.conditions import (
    accept_above,
    accept_below,
    all_of,
    any_of,
    inventory_is,
    open_type_is,
)
from orderflow_lib.plan.monitor import LiveState, PlanMonitor, ScenarioState

PLAN = build_plan(example_context(5013.00))
UP_DAY = session_bars(
    [
        (9, 30, 5013.00),
        (9, 45, 5014.50),
        (10, 0, 5013.50),
        (10, 15, 5011.50),
        (10, 30, 5016.00),
        (11, 0, 5021.25),
        (16, 0, 5018.00),
    ]
)
FAIL_DAY = session_bars(
    [
        (9, 30, 5013.00),
        (9, 59, 5014.00),
        (10, 10, 5013.00),
        (10, 40, 5002.00),
        (12, 0, 5001.00),
        (16, 0, 5001.50),
    ]
)


def _status(plan, bars, as_of, sid):
    statuses = plan.evaluate(LiveState(as_of, bars=bars))
    return next(s for s in statuses if s.id == sid)


def test_monitor_when_value_holds_above_prior_vah_then_s1_triggers_after_period_a():
    s1 = _status(PLAN, UP_DAY, ny(10, 1), "S1")
    assert s1.state == ScenarioState.TRIGGERED
    assert s1.triggered_ns == ny(10, 0)
    assert s1.entry_tick == tk(5013.50)


def test_monitor_when_price_reaches_measured_move_then_target_hit_with_excursions():
    s1 = _status(PLAN, UP_DAY, RTH_CLOSE, "S1")
    assert s1.state == ScenarioState.TARGET_HIT
    assert s1.zone_tick is not None and tk(5010.00) <= s1.zone_tick <= tk(5012.00)
    assert s1.target1_tick == tk(5021.00)
    assert s1.target_hits_ns[0] is not None and s1.target_hits_ns[1] is None
    assert s1.mfe_ticks == tk(5021.00) - tk(5013.50)
    assert s1.mae_ticks == tk(5013.50) - tk(5011.50)


def test_monitor_when_price_never_returns_to_the_zone_then_missed_not_hit():
    bars = session_bars(
        [(9, 30, 5013.00), (9, 45, 5014.50), (10, 0, 5013.50), (11, 0, 5021.25), (16, 0, 5018.00)]
    )
    s1 = _status(PLAN, bars, RTH_CLOSE, "S1")
    assert s1.state == ScenarioState.MISSED
    assert s1.target_hits_ns == (None, None)
    assert "never came back" in s1.missed_reason


def test_monitor_when_accepted_below_prior_val_after_trigger_then_invalidated():
    s1 = _status(PLAN, FAIL_DAY, RTH_CLOSE, "S1")
    assert s1.state == ScenarioState.INVALIDATED
    assert s1.invalidated_ns is not None and s1.invalidated_ns > s1.triggered_ns
    assert s1.mae_ticks >= tk(5014.00) - tk(5003.00)


def test_monitor_when_line_in_sand_broken_then_rtv_short_triggers():
    s3 = _status(
        PLAN,
        session_bars(
            [
                (9, 30, 5001.00),
                (10, 0, 4999.00),
                (11, 0, 4997.00),
                (11, 30, 5000.50),
                (13, 0, 4990.00),
                (16, 0, 4992.00),
            ]
        ),
        RTH_CLOSE,
        "S3",
    )
    assert s3.state == ScenarioState.TARGET_HIT
    assert s3.zone_tick == tk(5000.00)


def test_monitor_when_open_above_and_two_periods_inside_prior_value_then_eighty_scenario_triggers():
    bars = session_bars(
        [
            (9, 30, 5013.00),
            (9, 40, 5010.00),
            (10, 0, 5009.00),
            (10, 30, 5008.00),
            (11, 0, 5010.50),
            (13, 0, 5003.00),
            (16, 0, 5004.00),
        ]
    )
    s2 = _status(PLAN, bars, RTH_CLOSE, "S2")
    assert s2.triggered_ns == ny(10, 30)
    assert s2.state == ScenarioState.TARGET_HIT
    assert s2.zone_tick == tk(5010.00)
    assert s2.target1_tick == tk(5003.00)


def test_monitor_when_nothing_triggers_then_all_waiting():
    bars = session_bars([(9, 30, 5008.00), (12, 0, 5009.00), (16, 0, 5008.00)])
    states = {s.id: s.state for s in PLAN.evaluate(LiveState(RTH_CLOSE, bars=bars))}
    assert states == {
        "S1": ScenarioState.WAITING,
        "S2": ScenarioState.WAITING,
        "S3": ScenarioState.WAITING,
    }


def test_monitor_when_fed_bar_by_bar_then_every_checkpoint_matches_the_replay():
    monitor = PlanMonitor(PLAN)
    for bar in UP_DAY.tolist():
        monitor.on_bar(*bar)
        as_of = bar[0] + 60_000_000_000
        if (as_of - RTH_OPEN) % (15 * 60_000_000_000) == 0:
            monitor.advance(as_of)
            assert monitor.statuses() == PLAN.evaluate(LiveState(as_of, bars=UP_DAY))


def test_monitor_when_fed_trades_then_same_trigger_as_bars_of_those_trades():
    trades = np.zeros(len(UP_DAY), dtype=TRADE_DTYPE)
    trades["ts_ns"] = UP_DAY["ts_ns"] + 30_000_000_000
    trades["price_ticks"] = UP_DAY["close_ticks"]
    trades["size"] = 5
    s1 = next(s for s in PLAN.evaluate(LiveState(RTH_CLOSE, trades=trades)) if s.id == "S1")
    assert s1.triggered_ns == ny(10, 0)
    assert s1.state == ScenarioState.TARGET_HIT


def test_monitor_when_open_known_then_location_open_type_and_vef_are_live():
    monitor = PlanMonitor(PLAN)
    monitor.feed(LiveState(ny(10, 30), bars=UP_DAY))
    assert monitor.open_tick == tk(5013.00)
    assert str(monitor.open_location) == "ABOVE_VALUE_IN_RANGE"
    assert monitor.open_call is not None and monitor.open_call.stage == "FINAL"
    assert monitor.vef_status() is not None


def _with(plan, condition):
    s1 = plan.scenario("S1")
    return replace(plan, scenarios=(replace(s1, id="X", condition=condition),))


def test_monitor_when_and_of_inventory_and_acceptance_then_triggers_with_the_later_part():
    label = PLAN.overnight.label
    plan = _with(PLAN, all_of(inventory_is(label), accept_above(tk(5012))))
    status = plan.evaluate(LiveState(RTH_CLOSE, bars=UP_DAY))[0]
    assert status.triggered_ns == ny(10, 0)
    wrong = _with(PLAN, all_of(inventory_is("FULL_LONG"), accept_above(tk(5012))))
    assert wrong.evaluate(LiveState(RTH_CLOSE, bars=UP_DAY))[0].state == ScenarioState.WAITING


def test_monitor_when_or_condition_then_triggers_with_the_first_part():
    plan = _with(PLAN, any_of(accept_below(tk(4000)), accept_above(tk(5012))))
    assert plan.evaluate(LiveState(RTH_CLOSE, bars=UP_DAY))[0].triggered_ns == ny(10, 0)


def test_monitor_when_open_type_condition_then_triggers_at_the_final_call():
    monitor = PlanMonitor(PLAN)
    monitor.feed(LiveState(ny(10, 1), bars=UP_DAY))
    call = monitor.open_call
    assert call is not None
    plan = _with(PLAN, open_type_is(str(call.open_type)))
    status = plan.evaluate(LiveState(RTH_CLOSE, bars=UP_DAY))[0]
    assert status.triggered_ns == ny(10, 0)


def test_monitor_when_live_state_has_wrong_dtype_then_refused():
    with pytest.raises(ValueError, match=r"LiveState\.bars"):
        PLAN.evaluate(LiveState(RTH_CLOSE, bars=np.zeros(3, dtype=[("x", "i8")])))


def test_monitor_when_asked_mid_period_a_then_provisional_open_type():
    monitor = PlanMonitor(PLAN)
    monitor.feed(LiveState(ny(9, 50), bars=UP_DAY))
    call = monitor.open_type_now(ny(9, 50))
    assert call is not None and str(call.stage) == "PROVISIONAL"
    assert monitor.open_call is None

"""Trade the plan end to end (spec §5.6, §5.7): scripted setup days through the node, the gate,
the paper broker and the store. Each test reads the day's trades independently and asserts the
exact entry, structural stop, target, exit and P&L in GBP, and the review's grade."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from trade_days import SETTINGS, DayRun, first_reaching, first_trade_from, run_day, trend_chain

from orderflow_lib.market.synthetic import (
    PriceScript,
    acceptance_pullback_day,
    eighty_percent_day,
    stop_first_day,
)
from orderflow_lib.plan.review import Outcome, TakenTrade, review_plan

TICK_USD = 1.25
GBP = 0.79
SLIP = SETTINGS.paper.slippage_ticks


def _entry(run: DayRun, expectation: str, direction: int) -> tuple[dict, object]:
    """The journalled entry of the plan's scenario of this kind and direction, and the scenario."""
    plan = run.plan.plan
    assert plan is not None and plan.regime == "TREND_UP"
    scenario = next(
        s for s in plan.scenarios if str(s.expectation) == expectation and s.direction == direction
    )
    taken = [j for j in run.of("journal") if j["taken"] and j["scenario_id"] == scenario.id]
    assert len(taken) == 1, [j for j in run.of("journal") if j["scenario_id"] == scenario.id]
    return taken[0], scenario


def _expected_stop(run: DayRun, scenario, entry_ts: int, adverse: int) -> tuple[int, int]:
    """(S, R) from spec §5.6 with A from the plan (24 ticks when unknown)."""
    plan = run.plan.plan
    assert plan is not None
    a = Fraction(24) if plan.open_scale_ticks is None else plan.open_scale_ticks
    buf = max(SETTINGS.trade.stop_buffer_ticks, math.ceil(a / 12))
    least = max(SETTINGS.trade.min_stop_ticks, math.ceil(a / 5))
    low, high = scenario.entry_zone
    d = scenario.direction
    journal_e = next(
        j["numbers"]["E"] for j in run.of("journal") if j["taken"] and j["ts_ns"] == entry_ts
    )
    stop = min(low, adverse) - buf if d > 0 else max(high, adverse) + buf
    if d * (journal_e - stop) < least:
        stop = journal_e - d * least
    return stop, d * (journal_e - stop)


def _visit_low(trades: np.ndarray, zone_high: int, rth_open: int, until_ns: int) -> int:
    """The lowest trade since the last trade above the zone (since the RTH open if none)."""
    ts, px = trades["ts_ns"], trades["price_ticks"]
    window = (ts >= rth_open) & (ts < until_ns)
    idx = np.flatnonzero(window)
    above = idx[px[idx] > zone_high]
    start = int(above[-1]) + 1 if above.size else int(idx[0])
    return int(px[start : int(idx[-1]) + 1].min())


def _fill_and_exit(run: DayRun, entry: dict, direction: int) -> tuple[int, int, int, str]:
    """(fill, exit, exit time, how) read from the trades by the paper rules of §5.6."""
    numbers = entry["numbers"]
    fill_ts, price = first_trade_from(run.trades, entry["ts_ns"])
    fill = price + direction * SLIP
    stop, target = numbers["S"], numbers["T1"]
    hit_stop = first_reaching(run.trades, fill_ts, lambda p: (p - stop) * direction <= 0)
    hit_target = first_reaching(run.trades, fill_ts, lambda p: (p - target) * direction >= 1)
    if hit_stop is not None and (hit_target is None or hit_stop[0] <= hit_target[0]):
        return fill, hit_stop[1] - direction * SLIP, hit_stop[0], "stop"
    assert hit_target is not None
    return fill, target, hit_target[0], "target"


def _check_round_trip(
    run: DayRun, scenario_id: str, fill: int, exit_tick: int, how: str, direction: int
) -> float:
    """The day's first round trip is the scenario's, closed as read from the trades."""
    trips = run.node.trading.round_trips.trips  # type: ignore[union-attr]
    trip = trips[0]
    assert trip.scenario_id == scenario_id and trip.closed
    assert (trip.entry_ticks, trip.exit_ticks, trip.exit_kinds) == (fill, exit_tick, [how])
    gbp = direction * (exit_tick - fill) * TICK_USD * GBP
    published = run.of("trade")
    assert published[0]["pnl_gbp"] == pytest.approx(gbp)
    assert published[0]["scenario_id"] == scenario_id
    return gbp


def _review_grade(run: DayRun, scenario, fill: int, stop: int, exit_tick: int) -> Outcome:
    plan = run.plan.plan
    assert plan is not None
    taken = [TakenTrade(scenario.id, scenario.direction, fill, stop, exit_tick)]
    review = review_plan(plan, trades=run.trades, settings=SETTINGS, taken=taken)
    outcome = next(o for o in review.outcomes if o.id == scenario.id)
    assert outcome.hypothetical is not None and outcome.hypothetical.bracket is not None
    return outcome.outcome


def test_bvp_day_when_accepted_above_and_pulled_back_then_long_bracket_hits_the_measured_move():
    chain = trend_chain()
    prior = chain.prior
    script, facts = acceptance_pullback_day(prior)
    run = run_day(script)
    entry, scenario = _entry(run, "BVP", 1)
    low, high = scenario.entry_zone
    assert (low, high) == (prior.vah_ticks - 8, prior.vah_ticks)
    n = entry["numbers"]
    assert low <= n["E"] <= high
    plan = run.plan.plan
    adverse = _visit_low(run.trades, high, plan.rth_open_ns, entry["ts_ns"])
    assert (n["S"], n["R"]) == _expected_stop(run, scenario, entry["ts_ns"], adverse)
    assert n["T1"] == facts["measured_move_ticks"] == prior.vah_ticks + prior.width_ticks
    assert n["T1"] - n["E"] >= 1.5 * n["R"]
    fill, exit_tick, _, how = _fill_and_exit(run, entry, 1)
    assert how == "target" and exit_tick == n["T1"]
    gbp = _check_round_trip(run, scenario.id, fill, exit_tick, how, 1)
    assert gbp > 0
    assert _review_grade(run, scenario, fill, n["S"], exit_tick) == Outcome.WIN


def test_stop_first_day_when_price_falls_through_the_zone_then_the_stop_fills_with_slippage():
    chain = trend_chain()
    script, facts = stop_first_day(chain.prior)
    run = run_day(script)
    entry, scenario = _entry(run, "BVP", 1)
    n = entry["numbers"]
    fill, exit_tick, _, how = _fill_and_exit(run, entry, 1)
    assert how == "stop"
    assert exit_tick <= n["S"] - SLIP
    assert facts["stop_ticks"] <= n["S"]
    gbp = _check_round_trip(run, scenario.id, fill, exit_tick, how, 1)
    assert gbp == pytest.approx((exit_tick - fill) * TICK_USD * GBP) and gbp < 0
    assert _review_grade(run, scenario, fill, n["S"], exit_tick) == Outcome.LOSS
    statuses = {s["id"]: s["state"] for s in run.plan.statuses()}
    assert statuses[scenario.id] != "TARGET_HIT"


def test_eighty_percent_day_when_two_periods_inside_then_long_from_val_traverses_to_vah():
    chain = trend_chain()
    prior = chain.prior
    script, facts = eighty_percent_day(prior, from_above=False)
    run = run_day(script)
    entry, scenario = _entry(run, "EIGHTY", 1)
    n = entry["numbers"]
    assert scenario.entry_zone == (prior.val_ticks, prior.val_ticks + 8)
    rule_low = int(
        run.trades["price_ticks"][
            (run.trades["ts_ns"] >= run.plan.plan.rth_open_ns)
            & (run.trades["ts_ns"] < run.plan.plan.rth_open_ns + 60 * 60 * 10**9)
        ].min()
    )
    assert (n["S"], n["R"]) == _expected_stop(run, scenario, entry["ts_ns"], rule_low)
    assert n["T1"] == prior.vah_ticks
    fill, exit_tick, _, how = _fill_and_exit(run, entry, 1)
    assert (how, exit_tick) == ("target", prior.vah_ticks)
    _check_round_trip(run, scenario.id, fill, exit_tick, how, 1)
    assert _review_grade(run, scenario, fill, n["S"], exit_tick) == Outcome.WIN
    assert facts["target_ticks"] == prior.vah_ticks


def test_failed_breakout_day_when_accepted_back_inside_the_composite_then_rtv_short_to_the_poc():
    chain = trend_chain()
    _, poc, vah = chain.cva()
    start = chain.last_ticks
    script = PriceScript(
        (
            (0, start),
            (20, vah + 10),
            (40, vah - 8),
            (60, vah - 12),
            (90, vah - 10),
            (120, vah - 14),
            (150, vah - 12),
            (175, vah + 3),
            (185, vah + 3),
            (260, poc - 4),
            (389, poc - 2),
        )
    )
    run = run_day(script)
    entry, scenario = _entry(run, "RTV", -1)
    n = entry["numbers"]
    assert scenario.entry_zone == (vah, vah + 8)
    assert n["T1"] == poc
    fill, exit_tick, _, how = _fill_and_exit(run, entry, -1)
    assert (how, exit_tick) == ("target", poc)
    gbp = _check_round_trip(run, scenario.id, fill, exit_tick, how, -1)
    assert gbp == pytest.approx((fill - poc) * TICK_USD * GBP) and gbp > 0
    assert _review_grade(run, scenario, fill, n["S"], exit_tick) == Outcome.WIN


def test_eighty_percent_day_when_a_half_hour_closes_back_below_value_then_invalidation_exit():
    chain = trend_chain()
    prior = chain.prior
    val = prior.val_ticks
    script = PriceScript(
        (
            (0, val - 4),
            (6, val - 6),
            (18, val + 4),
            (45, val + 14),
            (60, val + 12),
            (80, val + 4),
            (100, val - 2),
            (120, val - 3),
            (389, val - 4),
        )
    )
    run = run_day(script)
    entry, scenario = _entry(run, "EIGHTY", 1)
    n = entry["numbers"]
    assert n["S"] < val - 3 - 2, "the stop sits below where the invalidation happens"
    exits = run.of("exit")
    assert [e["reason"] for e in exits] == [f"scenario {scenario.id} was invalidated"]
    trading = run.node.trading
    assert trading is not None
    children = [o for o in trading.manager.orders() if o.parent_id]
    assert {o.status.value for o in children} == {"CANCELLED"}
    exit_order = next(
        o for o in trading.manager.orders() if not o.parent_id and o.action.value == "SELL"
    )
    _, price = first_trade_from(run.trades, exit_order.created_ts_ns + 1)
    trip = trading.round_trips.trips[0]
    assert trip.exit_kinds == ["exit"] and trip.exit_ticks == price - SLIP
    assert trip.stop_ticks == n["S"]
    statuses = {s["id"]: s["state"] for s in run.plan.statuses()}
    assert statuses[scenario.id] == "INVALIDATED"


def test_node_when_it_builds_the_plan_then_the_plan_it_traded_is_stored(tmp_path):
    from orderflow_lib.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'node.sqlite'}")
    try:
        script, _ = acceptance_pullback_day(trend_chain().prior)
        run = run_day(script, store=store)
        plan = run.plan.plan
        assert plan is not None
        stored = store.plans.plans_range(
            plan.contract, "synthetic", plan.trade_date, plan.trade_date
        )
    finally:
        store.close()
    assert len(stored) == 1
    assert stored[0].payload == plan.to_dict() and stored[0].regime == "TREND_UP"

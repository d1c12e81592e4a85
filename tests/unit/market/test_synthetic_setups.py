"""Tests of the named setup days: each, built from the value of the generated prior day, shows its
setup in the trades (80% rule, acceptance pullback, failed breakout, stop first)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import numpy as np
import pytest

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.synthetic import (
    PriorLevels,
    SyntheticMarketError,
    SyntheticSession,
    acceptance_pullback_day,
    eighty_percent_day,
    failed_breakout_day,
    generate_sessions,
    stop_first_day,
)
from orderflow_lib.market.synthetic.setups import SetupDay
from orderflow_lib.profiles import VolumeProfile

FIRST, LAST = date(2024, 5, 15), date(2024, 5, 17)
SEEDS = [1, 2]
SMALL = 0.02
TPO_TOL_TICKS = 1
LEVELS = PriorLevels(
    val_ticks=20_000, poc_ticks=20_020, vah_ticks=20_040, high_ticks=20_060, low_ticks=19_990
)


def _prior_levels(session: SyntheticSession) -> PriorLevels:
    """The prior RTH day's volume value area and range."""
    w = session.windows
    profile = VolumeProfile.from_trade_array(
        session.trades, start_ns=w.rth_open_ns, end_ns=w.rth_close_ns
    )
    value = profile.value_area()
    assert value is not None and profile.low_tick is not None and profile.high_tick is not None
    return PriorLevels(
        val_ticks=value.val_ticks,
        poc_ticks=value.poc_ticks,
        vah_ticks=value.vah_ticks,
        high_ticks=profile.high_tick,
        low_ticks=profile.low_tick,
    )


@functools.cache
def _setup_day(
    setup: Callable[[PriorLevels], SetupDay], seed: int
) -> tuple[np.ndarray, dict[str, int]]:
    """The scripted day's RTH trades (ts_ns made RTH minutes) and the setup's facts."""
    chain = generate_sessions(
        FIRST, LAST, seed, scale=SMALL, script_last=lambda prior: setup(_prior_levels(prior))[0]
    )
    _, facts = setup(_prior_levels(chain[-2]))
    day = chain[-1]
    w = day.windows
    ts = day.trades["ts_ns"]
    rth = day.trades[(ts >= w.rth_open_ns) & (ts < w.rth_close_ns)].copy()
    rth["ts_ns"] = (rth["ts_ns"] - w.rth_open_ns) // NS_PER_MINUTE
    return rth, facts


def _eighty_from_below(prior: PriorLevels) -> SetupDay:
    return eighty_percent_day(prior, from_above=False)


def _between(trades: np.ndarray, first: int, last: int) -> np.ndarray:
    """Prices of trades in RTH minutes `[first, last)`."""
    minute = trades["ts_ns"]
    return trades["price_ticks"][(minute >= first) & (minute < last)]


def _first_minute(trades: np.ndarray, hit: np.ndarray, after: int = 0) -> int:
    """The first RTH minute at or after `after` with a trade where `hit` holds (a large number if none)."""
    minutes = trades["ts_ns"][hit & (trades["ts_ns"] >= after)]
    return int(minutes[0]) if minutes.size else 10**6


# --- 80% rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("setup", [eighty_percent_day, _eighty_from_below])
def test_eighty_percent_day_when_generated_then_opens_outside_reenters_and_traverses(setup, seed):
    trades, facts = _setup_day(setup, seed)
    prices = trades["price_ticks"]
    val, vah = facts["val_ticks"], facts["vah_ticks"]
    side = 1 if facts["open_ticks"] > vah else -1
    edge, far = (vah, val) if side > 0 else (val, vah)

    def beyond(price: np.ndarray | int, level: int) -> np.ndarray:
        return np.asarray(side * (np.asarray(price) - level) > 0)

    assert beyond(prices[0], edge)
    for first, last in ((0, 30), (30, 60)):
        period = _between(trades, first, last)
        assert ((period >= val) & (period <= vah)).any()
    in_zone = (prices >= facts["zone_low_ticks"]) & (prices <= facts["zone_high_ticks"])
    entry = _first_minute(trades, in_zone, after=60)
    target = _first_minute(trades, ~beyond(prices, far), after=60)
    assert 60 <= entry < target < 270
    trigger_extreme = side * max(side * _between(trades, 0, 60))
    assert not beyond(_between(trades, 60, target), trigger_extreme).any()
    for start in range(60, target - 30, 30):
        assert not beyond(_between(trades, start, start + 30)[-1], edge)


def test_eighty_percent_day_when_facts_read_then_key_waypoints_and_levels_are_named():
    _, facts = eighty_percent_day(LEVELS)

    assert facts["open_ticks"] == 20_044
    assert (facts["zone_low_ticks"], facts["zone_high_ticks"]) == (20_032, 20_040)
    assert (facts["trigger_minute"], facts["target_ticks"]) == (60, 20_000)
    assert facts["vah_ticks"] == LEVELS.vah_ticks and facts["poc_ticks"] == LEVELS.poc_ticks


# --- acceptance above and its pullback (BVP), and the stop-first variant --------------------------


def _assert_accepted_above(trades: np.ndarray, facts: dict[str, int]) -> None:
    vah = facts["vah_ticks"]
    assert trades["price_ticks"][0] <= vah
    for first in (30, 60):
        period = _between(trades, first, first + 30)
        assert (period >= vah - TPO_TOL_TICKS).all() and period[-1] > vah


@pytest.mark.parametrize("seed", SEEDS)
def test_acceptance_pullback_day_when_generated_then_accepted_pulls_back_and_reaches_the_move(seed):
    trades, facts = _setup_day(acceptance_pullback_day, seed)
    prices = trades["price_ticks"]

    _assert_accepted_above(trades, facts)
    in_zone = (prices >= facts["zone_low_ticks"]) & (prices <= facts["zone_high_ticks"])
    entry = _first_minute(trades, in_zone, after=90)
    target = _first_minute(trades, prices >= facts["measured_move_ticks"])
    assert 90 <= entry < target < 300
    assert _between(trades, 90, target).min() >= facts["zone_low_ticks"]


@pytest.mark.parametrize("seed", SEEDS)
def test_stop_first_day_when_generated_then_price_falls_through_the_zone_before_any_target(seed):
    trades, facts = _setup_day(stop_first_day, seed)
    prices = trades["price_ticks"]

    _assert_accepted_above(trades, facts)
    in_zone = (prices >= facts["zone_low_ticks"]) & (prices <= facts["zone_high_ticks"])
    entry = _first_minute(trades, in_zone, after=90)
    stopped = _first_minute(trades, prices <= facts["stop_ticks"], after=entry)
    assert 90 <= entry < stopped < 200
    assert _between(trades, 90, entry + 1).min() >= facts["zone_low_ticks"]
    assert prices.max() < facts["measured_move_ticks"]


# --- failed breakout (RTV) ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_failed_breakout_day_when_generated_then_accepted_below_pulls_back_and_drops_to_val(seed):
    trades, facts = _setup_day(failed_breakout_day, seed)
    prices = trades["price_ticks"]
    edge = facts["edge_ticks"]

    assert prices[0] > edge
    for first in (30, 60):
        period = _between(trades, first, first + 30)
        assert (period <= edge + TPO_TOL_TICKS).all() and period[-1] < edge
    in_zone = (prices >= facts["zone_low_ticks"]) & (prices <= facts["zone_high_ticks"])
    entry = _first_minute(trades, in_zone, after=90)
    at_poc = _first_minute(trades, prices <= facts["poc_ticks"], after=entry)
    at_val = _first_minute(trades, prices <= facts["val_ticks"], after=entry)
    assert 90 <= entry <= at_poc <= at_val < 300
    assert _between(trades, 90, at_val).max() <= facts["zone_high_ticks"]


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "setup", [eighty_percent_day, acceptance_pullback_day, failed_breakout_day, stop_first_day]
)
def test_setup_when_value_area_too_narrow_then_refused(setup):
    narrow = PriorLevels(
        val_ticks=20_000, poc_ticks=20_004, vah_ticks=20_008, high_ticks=20_020, low_ticks=19_990
    )

    with pytest.raises(SyntheticMarketError, match="value area at least"):
        setup(narrow)


def test_setup_when_zone_cannot_hold_the_noise_band_then_refused():
    with pytest.raises(SyntheticMarketError, match="zone_ticks must exceed"):
        acceptance_pullback_day(LEVELS, zone_ticks=4)


def test_prior_levels_when_out_of_order_then_refused():
    with pytest.raises(SyntheticMarketError, match="low <= val <= poc <= vah <= high"):
        PriorLevels(
            val_ticks=20_010,
            poc_ticks=20_000,
            vah_ticks=20_040,
            high_ticks=20_060,
            low_ticks=19_990,
        )

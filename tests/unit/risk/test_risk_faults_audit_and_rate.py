"""Audit entries carry wall-clock time with the market time beside it; the order-rate window
counts only this run's sends (issue #19: audit times, order rate after a replay restart)."""

import time

from risk_fakes import AUTH_KEY, START_NS, intent, make_manager

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.timeconv import NS_PER_MINUTE, NS_PER_SECOND
from orderflow_lib.risk import DenialReason, OrderAction, ProductionSafetyManager

WALL_NS = START_NS + 68 * NS_PER_MINUTE
RATE = RiskSettings(max_orders_per_minute=3, max_position=10, reconciliation=False)


async def _manager(store, clock, wall, venue=None, risk=None):
    manager = await ProductionSafetyManager.create(
        store,
        risk or RiskSettings(),
        clock,
        auth_key=AUTH_KEY,
        in_trading_window=lambda ts_ns: True,
        trade_date_of=lambda ts_ns: None,
        wall_clock=wall,
    )
    if venue is not None:
        manager.attach_venue(venue)
    return manager


async def test_audit_when_market_clock_differs_then_wall_time_and_market_time_both_kept(store):
    market = ReplayClock(0)
    wall = ReplayClock(WALL_NS)
    manager = await _manager(store, market, wall)
    market.set_ns(START_NS)
    wall.advance_ns(NS_PER_SECOND)
    manager.raise_fence("operator test")

    started, fenced = store.inner.recent_security_events(10)[::-1]
    assert (started.event, started.ts_ns, started.market_ts_ns) == ("MANAGER_STARTED", WALL_NS, 0)
    assert (fenced.event, fenced.ts_ns, fenced.market_ts_ns) == (
        "FENCE_ACTIVATED",
        WALL_NS + NS_PER_SECOND,
        START_NS,
    )


async def test_audit_when_no_wall_clock_given_then_system_time(store, clock):
    before = time.time_ns()
    await make_manager(store, clock)
    after = time.time_ns()

    entry = store.inner.recent_security_events(1)[0]
    assert before <= entry.ts_ns <= after
    assert entry.market_ts_ns == START_NS


async def _send_filled(manager, venue, clock, signal_id, action):
    result = await manager.submit(intent(signal_id, action=action))
    if result.accepted:
        manager.on_fill(result.order_id, 1, intent().price_ticks, clock.now_ns())
    return result


async def test_order_rate_when_restarted_on_a_store_with_later_orders_then_they_do_not_count(
    store, venue
):
    later = ReplayClock(START_NS + 10 * NS_PER_MINUTE)
    venue.clock = later
    first = await make_manager(store, later, venue=venue, risk=RATE)
    actions = [OrderAction.BUY, OrderAction.SELL, OrderAction.BUY]
    for i, action in enumerate(actions):
        assert (await _send_filled(first, venue, later, f"a{i}", action)).accepted
    first.close()

    replay = ReplayClock(START_NS)
    venue.clock = replay
    second = await make_manager(store, replay, venue=venue, risk=RATE)
    results = [
        await _send_filled(second, venue, replay, f"b{i}", action)
        for i, action in enumerate([OrderAction.SELL, OrderAction.BUY, OrderAction.SELL])
    ]

    assert [r.accepted for r in results] == [True, True, True]
    assert (await second.submit(intent("b3"))).reason == DenialReason.ORDER_RATE


async def test_order_rate_when_restarted_within_the_minute_then_only_new_sends_count(
    store, clock, venue
):
    first = await make_manager(store, clock, venue=venue, risk=RATE)
    for i, action in enumerate([OrderAction.BUY, OrderAction.SELL, OrderAction.BUY]):
        assert (await _send_filled(first, venue, clock, f"a{i}", action)).accepted
    assert (await first.submit(intent("a3", action=OrderAction.SELL))).reason == (
        DenialReason.ORDER_RATE
    )
    first.close()

    second = await make_manager(store, clock, venue=venue, risk=RATE)

    assert (await _send_filled(second, venue, clock, "b0", OrderAction.SELL)).accepted

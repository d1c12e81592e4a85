"""Exits and brackets through the gate: an exit passes every block but may only shrink the
position (spec §5.6); a bracket is an entry whose three orders are recorded, sent and refused
as one unit."""

from dataclasses import replace

import pytest
from risk_fakes import AUTH_KEY, PRICE, intent, make_manager

from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import BrokerError, SafetyError
from orderflow_lib.risk import (
    DenialReason,
    OrderAction,
    OrderIntent,
    OrderStatus,
    OrderType,
    TradingState,
)

BUY, SELL = OrderAction.BUY, OrderAction.SELL
RISK = RiskSettings(max_position=2, max_order_size=2)


async def long_two(store, clock, venue):
    """A manager holding +2 MES (an entry filled and reported by the broker)."""
    manager = await make_manager(store, clock, venue=venue, risk=RISK)
    entry = await manager.submit(intent("entry", quantity=2))
    assert entry.order_id is not None
    manager.on_fill(entry.order_id, 2, PRICE, clock.now_ns())
    venue.broker_positions = {"MES": 2}
    return manager


def fence(manager, venue):
    """Drop and restore the broker connection: the fence stays up."""
    manager.on_broker_disconnected("socket closed")
    manager.on_broker_connected()
    assert manager.state.fence_active


def halt(manager, venue):
    """Set HALTED through the authenticated config path."""
    manager.update_config(AUTH_KEY, address="ops", trading_state=TradingState.HALTED)


async def trip_breaker(manager, venue):
    """Report a loss beyond max_drawdown_gbp: the breaker trips."""
    venue.daily_pnl_usd = -1_000.0
    manager.on_account(await venue.account())
    assert manager.state.breaker_tripped


def exit_intent(signal_id, action=SELL, quantity=1, order_type=OrderType.MARKET):
    """An exit (or protective stop) of MES at the last price."""
    return OrderIntent(signal_id, "MES", action, quantity, PRICE, 0, order_type=order_type)


# ---- exits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fenced", [False, True])
@pytest.mark.parametrize(("action", "quantity"), [(BUY, 1), (SELL, 3)], ids=["adds", "flips"])
async def test_exit_when_it_would_add_or_flip_then_denied_reducing_only(
    store, clock, venue, fenced, action, quantity
):
    manager = await long_two(store, clock, venue)
    if fenced:
        fence(manager, venue)
    sent_before = len(venue.placed)
    result = await manager.submit_exit(exit_intent("x", action, quantity))
    assert (result.accepted, result.reason) == (False, DenialReason.REDUCING_ONLY)
    assert len(venue.placed) == sent_before


async def test_exit_when_same_side_orders_working_then_counted_and_denied(store, clock, venue):
    manager = await long_two(store, clock, venue)
    assert (await manager.submit_exit(exit_intent("x1"))).accepted
    result = await manager.submit_exit(exit_intent("x2", quantity=2))
    assert result.reason == DenialReason.REDUCING_ONLY
    assert "working: +0/-1" in result.detail


async def test_exit_when_flat_then_denied_reducing_only(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue, risk=RISK)
    result = await manager.submit_exit(exit_intent("x", SELL, 1, OrderType.STOP))
    assert result.reason == DenialReason.REDUCING_ONLY
    assert venue.placed == []


async def test_exit_when_cooling_down_then_passes(store, clock, venue):
    manager = await long_two(store, clock, venue)
    first = await manager.submit_exit(exit_intent("x"))
    assert first.order_id is not None
    manager.on_order_status(first.order_id, OrderStatus.REJECTED, clock.now_ns(), reason="x")
    assert (await manager.submit(intent("x", SELL))).reason == DenialReason.REJECT_COOLDOWN
    result = await manager.submit_exit(exit_intent("x"))
    assert result.accepted
    assert venue.placed[-1].order_id == result.order_id


@pytest.mark.parametrize("block", [fence, halt], ids=["fenced", "halted"])
async def test_exit_when_it_reduces_then_passes_the_block(store, clock, venue, block):
    manager = await long_two(store, clock, venue)
    block(manager, venue)
    assert not (await manager.submit(intent("entry-2"))).accepted
    result = await manager.submit_exit(exit_intent("x", SELL, 2, OrderType.STOP))
    assert result.accepted
    sent = venue.placed[-1]
    assert (sent.order_id, sent.action, sent.quantity, sent.order_type) == (
        result.order_id,
        SELL,
        2,
        OrderType.STOP,
    )


async def test_exit_when_breaker_tripped_then_reducing_exit_passes(store, clock, venue):
    manager = await long_two(store, clock, venue)
    await trip_breaker(manager, venue)
    assert (await manager.submit(intent("entry-2"))).reason == DenialReason.BREAKER_TRIPPED
    result = await manager.submit_exit(exit_intent("x"))
    assert result.accepted and venue.placed[-1].order_id == result.order_id


async def test_exit_when_broker_disconnected_then_denied(store, clock, venue):
    manager = await long_two(store, clock, venue)
    venue.connected = False
    result = await manager.submit_exit(exit_intent("x"))
    assert result.reason == DenialReason.BROKER_DISCONNECTED
    assert len(venue.placed) == 1


# ---- brackets --------------------------------------------------------------------------------


async def test_bracket_when_accepted_then_three_orders_recorded_and_sent_as_one_unit(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue, risk=RISK)
    result = await manager.submit_bracket(intent("b", SELL, 2), PRICE + 8, PRICE - 16)
    assert result.accepted and result.order_id is not None
    stop_id, target_id = result.child_ids
    parent, stop, target = manager.orders()
    assert (parent.order_id, parent.order_type, parent.parent_id, parent.oca_group) == (
        result.order_id,
        OrderType.MARKET,
        "",
        "",
    )
    assert (stop.order_id, stop.order_type, stop.price_ticks) == (
        stop_id,
        OrderType.STOP,
        PRICE + 8,
    )
    assert (target.order_id, target.order_type, target.price_ticks) == (
        target_id,
        OrderType.LIMIT,
        PRICE - 16,
    )
    for child in (stop, target):
        assert (child.action, child.quantity, child.parent_id) == (BUY, 2, result.order_id)
        assert child.status is OrderStatus.SUBMITTED
    assert stop.oca_group and stop.oca_group == target.oca_group
    assert [(o.order_id, o.order_type, o.parent_id) for o in venue.placed] == [
        (o.order_id, o.order_type, o.parent_id) for o in (parent, stop, target)
    ]
    assert [o.oca_group for o in store.inner.orders()] == ["", stop.oca_group, stop.oca_group]


@pytest.mark.parametrize(
    ("stop", "target"),
    [(PRICE, PRICE + 8), (PRICE + 1, PRICE + 8), (PRICE - 4, PRICE), (PRICE - 4, PRICE - 8)],
)
async def test_bracket_when_stop_or_target_on_the_wrong_side_then_refused_before_anything(
    store, clock, venue, stop, target
):
    manager = await make_manager(store, clock, venue=venue, risk=RISK)
    with pytest.raises(SafetyError, match="must be"):
        await manager.submit_bracket(intent("b", BUY), stop, target)
    assert venue.placed == [] and manager.orders() == []


@pytest.mark.parametrize("block", [fence, halt], ids=["fenced", "halted"])
async def test_bracket_when_parent_denied_then_no_order_recorded_or_sent(
    store, clock, venue, block
):
    manager = await make_manager(store, clock, venue=venue, risk=RISK)
    block(manager, venue)
    result = await manager.submit_bracket(intent("b", BUY), PRICE - 4, PRICE + 8)
    assert not result.accepted and result.child_ids == ()
    assert venue.placed == [] and manager.orders() == []


async def test_bracket_when_parent_breaks_max_position_then_denied_whole(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue, risk=RISK)
    assert (await manager.submit(intent("a", BUY, 2))).accepted
    result = await manager.submit_bracket(intent("b", BUY), PRICE - 4, PRICE + 8)
    assert (result.reason, result.child_ids) == (DenialReason.MAX_POSITION, ())
    assert len(venue.placed) == 1


async def test_bracket_when_place_bracket_raises_broker_error_then_all_three_rejected(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue, risk=RISK)

    def refuse(_):
        raise BrokerError("order rejected: margin")

    venue.on_place = refuse
    result = await manager.submit_bracket(intent("b", BUY), PRICE - 4, PRICE + 8)
    assert (result.accepted, result.reason) == (False, DenialReason.BROKER_ERROR)
    orders = manager.orders()
    assert [o.status for o in orders] == [OrderStatus.REJECTED] * 3
    assert [o.order_type for o in orders] == [OrderType.MARKET, OrderType.STOP, OrderType.LIMIT]
    assert all(o.reject_reason == "BrokerError: order rejected: margin" for o in orders)
    assert venue.placed == [] and not manager.state.fence_active
    assert manager.status().open_orders == 0


async def test_bracket_children_when_working_then_an_exit_must_wait_for_their_cancel(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue, risk=RISK)
    result = await manager.submit_bracket(intent("b", BUY), PRICE - 4, PRICE + 8)
    assert result.order_id is not None
    manager.on_fill(result.order_id, 1, PRICE, clock.now_ns())
    venue.broker_positions["MES"] = 1
    assert (await manager.submit_exit(exit_intent("x"))).reason == DenialReason.REDUCING_ONLY
    for child_id in result.child_ids:
        manager.on_order_status(child_id, OrderStatus.CANCELLED, clock.now_ns())
    assert (await manager.submit_exit(exit_intent("x"))).accepted


# ---- exits judged on the broker's position too, and never sent by a stopped manager ----------


async def test_exit_when_reconciliation_disagrees_then_not_sized_on_the_stale_local_position(
    store, clock, venue
):
    manager = await long_two(store, clock, venue)
    venue.broker_positions = {"MES": 0}
    assert (await manager.submit(intent("probe"))).reason == DenialReason.RECONCILIATION_MISMATCH
    result = await manager.submit_exit(exit_intent("x", SELL, 2))
    assert not result.accepted, "SELL 2 reached a broker that is flat: it opens a short of 2"


async def test_exit_when_the_manager_is_stopped_then_refused_and_nothing_sent(store, clock, venue):
    manager = await long_two(store, clock, venue)
    sent_before = len(venue.placed)
    manager.close()
    result = await manager.submit_exit(exit_intent("x1", SELL, 2))
    assert (result.accepted, result.reason) == (False, DenialReason.NOT_READY)
    assert len(venue.placed) == sent_before


async def test_exit_when_joining_an_oca_group_then_judged_by_the_groups_largest_member(
    store, clock, venue
):
    manager = await long_two(store, clock, venue)
    first = replace(exit_intent("x1", SELL, 2, OrderType.STOP), oca_group="G")
    assert (await manager.submit_exit(first)).accepted
    sold = await manager.submit(intent("entry-2", action=SELL, quantity=1))
    assert sold.order_id is not None
    manager.on_fill(sold.order_id, 1, PRICE, clock.now_ns())
    venue.broker_positions = {"MES": 1}
    joined = replace(exit_intent("x2", SELL, 1, OrderType.STOP), oca_group="G")
    result = await manager.submit_exit(joined)
    assert (result.accepted, result.reason) == (False, DenialReason.REDUCING_ONLY)

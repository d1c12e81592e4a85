"""Orders in flight at a crash are resolved against the broker, at start (resolve_orders) and by
force-sync: no order stays open for ever holding position headroom (issue #19)."""

import pytest
from fault_fakes import Execution, ExecutionBookVenue, OrderBookVenue, Working
from risk_fakes import AUTH_KEY, PRICE, intent, make_manager

from orderflow_lib.core.config import RiskSettings
from orderflow_lib.risk import DenialReason, OrderAction, OrderStatus, SafetyRefusedError

ONE = RiskSettings(max_position=1, reconciliation=False)


@pytest.fixture
def book(clock):
    return OrderBookVenue(clock)


async def _crash_with_one_order_working(store, clock, book):
    """A manager sends one BUY (acknowledged, unfilled) and the process dies; a new one starts."""
    first = await make_manager(store, clock, venue=book, risk=ONE)
    sent = await first.submit(intent("a"))
    assert sent.accepted
    return sent.order_id, await make_manager(store, clock, venue=book, risk=ONE)


def _order(manager, order_id):
    return next(o for o in manager.orders() if o.order_id == order_id)


async def test_resolve_when_order_no_longer_at_broker_then_cancelled_audited_and_headroom_freed(
    store, clock, book
):
    order_id, manager = await _crash_with_one_order_working(store, clock, book)
    assert (await manager.submit(intent("b"))).reason == DenialReason.MAX_POSITION

    changed = await manager.resolve_orders([], [])

    assert [(o.order_id, o.status) for o in changed] == [(order_id, OrderStatus.CANCELLED)]
    assert store.inner.get_order(order_id).status is OrderStatus.CANCELLED
    entry = store.inner.recent_security_events(1)[0]
    assert entry.event == "ORDER_RESOLVED" and "not working at the broker" in entry.detail
    assert (await manager.submit(intent("c"))).accepted


async def test_resolve_when_order_still_working_then_kept_and_still_counted(store, clock, book):
    order_id, manager = await _crash_with_one_order_working(store, clock, book)

    changed = await manager.resolve_orders(await book.open_orders(), [])

    assert changed == []
    assert _order(manager, order_id).status is OrderStatus.SUBMITTED
    assert (await manager.submit(intent("b"))).reason == DenialReason.MAX_POSITION


async def test_resolve_when_unacknowledged_order_works_at_broker_then_submitted_with_its_id(
    store, clock, book
):
    manager = await make_manager(store, clock, venue=book, risk=ONE)

    def lost_answer(_):
        raise TimeoutError("no answer")

    book.on_place = lost_answer
    result = await manager.submit(intent("a"))
    assert _order(manager, result.order_id).status is OrderStatus.PENDING

    await manager.resolve_orders([Working(result.order_id, "B-77")], [])

    resolved = _order(manager, result.order_id)
    assert (resolved.status, resolved.broker_order_id) == (OrderStatus.SUBMITTED, "B-77")


async def test_resolve_when_broker_reports_the_fill_then_filled_and_position_counted_once(
    store, clock, book
):
    order_id, manager = await _crash_with_one_order_working(store, clock, book)
    fill = Execution(order_id, 1, PRICE + 1, clock.now_ns())

    await manager.resolve_orders([], [fill, fill])

    resolved = _order(manager, order_id)
    assert (resolved.status, resolved.filled_quantity, resolved.filled_price_ticks) == (
        OrderStatus.FILLED,
        1,
        PRICE + 1,
    )
    assert manager.positions == {"MES": 1}
    assert "the broker reports its fills" in store.inner.recent_security_events(1)[0].detail


async def test_resolve_when_partly_filled_and_gone_then_cancelled_with_the_fill_kept(
    store, clock, book
):
    two = RiskSettings(max_position=2, max_order_size=2, reconciliation=False)
    first = await make_manager(store, clock, venue=book, risk=two)
    sent = await first.submit(intent("a", quantity=2))
    manager = await make_manager(store, clock, venue=book, risk=two)

    await manager.resolve_orders([], [Execution(sent.order_id, 1, PRICE, clock.now_ns())])

    resolved = _order(manager, sent.order_id)
    assert (resolved.status, resolved.filled_quantity) == (OrderStatus.CANCELLED, 1)
    assert manager.positions == {"MES": 1}
    assert (await manager.submit(intent("b"))).accepted


async def test_force_sync_when_submitted_order_gone_at_broker_then_cancelled(store, clock, book):
    order_id, manager = await _crash_with_one_order_working(store, clock, book)
    book.ended.add(order_id)

    await manager.force_sync(AUTH_KEY, address="ops")

    assert _order(manager, order_id).status is OrderStatus.CANCELLED
    assert store.inner.recent_security_events(2)[1].address == "ops"
    assert (await manager.submit(intent("b"))).accepted


async def test_force_sync_when_exit_answer_was_lost_but_it_works_then_kept_and_a_second_denied(
    store, clock, book
):
    risk = RiskSettings(max_position=2, max_order_size=2)
    manager = await make_manager(store, clock, venue=book, risk=risk)
    sent = await manager.submit(intent("a", quantity=2))
    manager.on_fill(sent.order_id, 2, PRICE, clock.now_ns())
    book.broker_positions = {"MES": 2}

    def reaches_broker_but_answer_lost(order):
        book.placed.append(order)
        raise TimeoutError("no answer")

    book.on_place = reaches_broker_but_answer_lost
    assert not (
        await manager.submit_exit(intent("x1", action=OrderAction.SELL, quantity=2))
    ).accepted
    book.on_place = None
    restarted = await make_manager(store, clock, venue=book, risk=risk)

    await restarted.force_sync(AUTH_KEY, address="ops")

    assert [o.status for o in restarted.orders()] == [OrderStatus.FILLED, OrderStatus.SUBMITTED]
    again = await restarted.submit_exit(intent("x2", action=OrderAction.SELL, quantity=2))
    assert again.reason == DenialReason.REDUCING_ONLY


async def test_force_sync_when_open_orders_fail_then_fenced_refused_and_orders_untouched(
    store, clock, book
):
    order_id, manager = await _crash_with_one_order_working(store, clock, book)
    book.fail_open_orders = True

    with pytest.raises(SafetyRefusedError, match="open orders"):
        await manager.force_sync(AUTH_KEY, address="ops")

    assert manager.state.fence_active
    assert _order(manager, order_id).status is OrderStatus.SUBMITTED


async def test_force_sync_when_submitted_order_filled_unseen_then_filled_from_executions(
    store, clock
):
    venue = ExecutionBookVenue(clock)
    order_id, manager = await _crash_with_one_order_working(store, clock, venue)
    heard = []
    manager.add_execution_listener(heard.append)
    venue.ended.add(order_id)
    venue.reported = [Execution(order_id, 1, PRICE + 2, clock.now_ns())]
    venue.broker_positions = {"MES": 1}

    await manager.force_sync(AUTH_KEY, address="ops")

    resolved = _order(manager, order_id)
    assert (resolved.status, resolved.filled_quantity, resolved.filled_price_ticks) == (
        OrderStatus.FILLED,
        1,
        PRICE + 2,
    )
    assert store.inner.get_order(order_id).status is OrderStatus.FILLED
    assert manager.positions == {"MES": 1}
    assert heard == [venue.reported]


async def test_resolve_when_execution_of_an_unknown_order_then_ignored_and_listeners_told(
    store, clock, book
):
    _, manager = await _crash_with_one_order_working(store, clock, book)
    heard = []
    manager.add_execution_listener(heard.append)
    foreign = Execution("someone-else", 1, PRICE, clock.now_ns())

    changed = await manager.resolve_orders(await book.open_orders(), [foreign])

    assert changed == []
    assert manager.positions.get("MES", 0) == 0
    assert heard == [[foreign]]
    assert all(e.event != "UNKNOWN_ORDER_FILL" for e in store.inner.recent_security_events(5))

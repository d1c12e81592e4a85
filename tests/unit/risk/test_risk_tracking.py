"""Order confirmations are idempotent: duplicates and late arrivals change nothing."""

from orderflow_lib.risk import OrderAction, OrderRecord, OrderStatus
from orderflow_lib.risk.tracking import apply_fill, apply_status, remaining_quantity


def _order(status: OrderStatus = OrderStatus.PENDING, quantity: int = 2) -> OrderRecord:
    return OrderRecord("o1", "s1", "MES", OrderAction.BUY, quantity, 100, status, 1, 1)


def test_status_when_submitted_after_pending_then_applied_with_broker_id():
    updated = apply_status(_order(), OrderStatus.SUBMITTED, 5, "B1")
    assert updated is not None
    assert (updated.status, updated.broker_order_id, updated.updated_ts_ns) == (
        OrderStatus.SUBMITTED,
        "B1",
        5,
    )


def test_status_when_duplicate_then_none():
    order = _order(OrderStatus.SUBMITTED)
    assert apply_status(order, OrderStatus.SUBMITTED, 5) is None


def test_status_when_submitted_arrives_after_filled_then_only_broker_id_learned():
    order = _order(OrderStatus.FILLED)
    updated = apply_status(order, OrderStatus.SUBMITTED, 5, "B1")
    assert (
        updated is not None
        and updated.status is OrderStatus.FILLED
        and updated.broker_order_id == "B1"
    )


def test_status_when_rejected_after_final_then_ignored():
    assert apply_status(_order(OrderStatus.CANCELLED), OrderStatus.REJECTED, 5, reason="x") is None


def test_status_when_rejected_then_reason_kept():
    updated = apply_status(_order(), OrderStatus.REJECTED, 5, reason="no margin")
    assert updated is not None and updated.reject_reason == "no margin"


def test_fill_when_partial_then_submitted_with_average_price():
    applied = apply_fill(_order(), 1, 100, 7)
    assert applied is not None
    updated, delta = applied
    assert (updated.status, updated.filled_quantity, updated.filled_price_ticks, delta) == (
        OrderStatus.SUBMITTED,
        1,
        100.0,
        1,
    )
    applied = apply_fill(updated, 2, 103, 8)
    assert applied is not None
    final, delta = applied
    assert (final.status, final.filled_quantity, final.filled_price_ticks, delta) == (
        OrderStatus.FILLED,
        2,
        101.5,
        1,
    )


def test_fill_when_repeated_then_none():
    applied = apply_fill(_order(), 1, 100, 7)
    assert applied is not None
    assert apply_fill(applied[0], 1, 100, 7) is None


def test_fill_when_out_of_order_then_older_cumulative_ignored():
    applied = apply_fill(_order(), 2, 101, 8)
    assert applied is not None and applied[1] == 2
    assert apply_fill(applied[0], 1, 100, 7) is None


def test_fill_when_order_was_marked_cancelled_then_complete_fill_wins():
    applied = apply_fill(_order(OrderStatus.CANCELLED, quantity=1), 1, 100, 7)
    assert applied is not None and applied[0].status is OrderStatus.FILLED


def test_remaining_quantity_when_rejected_then_zero_else_unfilled_part():
    assert remaining_quantity(_order(OrderStatus.REJECTED)) == 0
    assert remaining_quantity(_order(OrderStatus.SUBMITTED)) == 2

"""Order confirmation rules (pure): apply a status or fill to an order record idempotently.

Statuses only move forward (PENDING < SUBMITTED < final); a duplicate or late confirmation
changes nothing. Fills carry the broker's cumulative filled quantity, so a repeated or
out-of-order fill adds nothing twice: only the part above what is already recorded counts.
"""

from __future__ import annotations

from dataclasses import replace

from orderflow_lib.risk.records import OrderRecord, OrderStatus


def apply_status(
    order: OrderRecord,
    status: OrderStatus,
    ts_ns: int,
    broker_order_id: str | None = None,
    reason: str = "",
) -> OrderRecord | None:
    """The order after a status confirmation, or None when the confirmation is stale or repeated."""
    learns_broker_id = broker_order_id is not None and order.broker_order_id is None
    if status.rank <= order.status.rank:
        if not learns_broker_id:
            return None
        return replace(order, broker_order_id=broker_order_id, updated_ts_ns=ts_ns)
    return replace(
        order,
        status=status,
        updated_ts_ns=ts_ns,
        broker_order_id=broker_order_id if learns_broker_id else order.broker_order_id,
        reject_reason=reason if status is OrderStatus.REJECTED else order.reject_reason,
    )


def apply_fill(
    order: OrderRecord, cumulative_quantity: int, price_ticks: int, ts_ns: int
) -> tuple[OrderRecord, int] | None:
    """(order after the fill, contracts newly filled), or None when the fill adds nothing new.

    A fill proves the order reached the broker: PENDING becomes SUBMITTED, and a complete fill
    becomes FILLED even after a (wrong or crossed) REJECTED/CANCELLED confirmation.
    """
    delta = cumulative_quantity - order.filled_quantity
    if delta <= 0:
        return None
    previous_value = (order.filled_price_ticks or 0.0) * order.filled_quantity
    average = (previous_value + price_ticks * delta) / cumulative_quantity
    if cumulative_quantity >= order.quantity:
        status = OrderStatus.FILLED
    elif order.status is OrderStatus.PENDING:
        status = OrderStatus.SUBMITTED
    else:
        status = order.status
    updated = replace(
        order,
        status=status,
        filled_quantity=cumulative_quantity,
        filled_price_ticks=average,
        filled_ts_ns=ts_ns,
        updated_ts_ns=ts_ns,
    )
    return updated, delta


def remaining_quantity(order: OrderRecord) -> int:
    """Contracts that may still fill: 0 for rejected/cancelled orders, else quantity - filled."""
    if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
        return 0
    return max(order.quantity - order.filled_quantity, 0)

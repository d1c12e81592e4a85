"""Pure rules for saving an order update: status and fills only move forward, repeats change nothing.

PENDING < SUBMITTED < a final status (FILLED, REJECTED, CANCELLED); filled_quantity never falls.
An update that would move an order backwards is stale and ignored; an identical one is a
duplicate. A complete fill outranks an earlier REJECTED/CANCELLED (the fill proves execution, as
in risk.tracking); any other change between final statuses, or of identity fields (which include
the order type and bracket links), is refused.
"""

from __future__ import annotations

from orderflow_lib.risk.records import OrderRecord, OrderStatus
from orderflow_lib.store.errors import OrderConflictError
from orderflow_lib.store.records import OrderWrite

IDENTITY_FIELDS = (
    "signal_id",
    "instrument",
    "action",
    "quantity",
    "created_ts_ns",
    "order_type",
    "parent_id",
    "oca_group",
)


def decide_order_write(stored: OrderRecord | None, incoming: OrderRecord) -> OrderWrite:
    """What saving `incoming` over `stored` must do; OrderConflictError when they contradict."""
    if stored is None:
        return OrderWrite.INSERTED
    for name in IDENTITY_FIELDS:
        if getattr(stored, name) != getattr(incoming, name):
            raise OrderConflictError(
                f"order {incoming.order_id}: {name} is {getattr(stored, name)!r} in the store "
                f"but {getattr(incoming, name)!r} in the update; refused"
            )
    if incoming == stored:
        return OrderWrite.DUPLICATE
    if incoming.filled_quantity < stored.filled_quantity:
        return OrderWrite.STALE
    if incoming.status != stored.status:
        return _status_change(stored, incoming)
    if (
        incoming.filled_quantity > stored.filled_quantity
        or incoming.updated_ts_ns >= stored.updated_ts_ns
    ):
        return OrderWrite.UPDATED
    return OrderWrite.STALE


def _status_change(stored: OrderRecord, incoming: OrderRecord) -> OrderWrite:
    if stored.status.is_final:
        complete_fill = (
            incoming.status is OrderStatus.FILLED and incoming.filled_quantity == incoming.quantity
        )
        if complete_fill and stored.status is not OrderStatus.FILLED:
            return OrderWrite.UPDATED
        if incoming.status.is_final:
            raise OrderConflictError(
                f"order {incoming.order_id} is already {stored.status}; "
                f"a later {incoming.status} contradicts it and is refused"
            )
        return OrderWrite.STALE
    if incoming.status.rank < stored.status.rank:
        return OrderWrite.STALE
    return OrderWrite.UPDATED

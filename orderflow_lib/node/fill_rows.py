"""Fill rows that should be in the store and are not (pure): from the broker's executions, or from
an order's filled quantity when nothing better is known. A row is added only for quantity no
stored row covers yet, so rows rebuilt twice, or by both ways, never count a fill twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from orderflow_lib.execution.events import Fill
from orderflow_lib.risk.records import OrderRecord
from orderflow_lib.store import FillRecord


def fill_record(fill: Fill) -> FillRecord:
    """The store's row of one execution (its id made unique per order)."""
    exec_id = (
        fill.fill_id
        if fill.fill_id.startswith(fill.order_id)
        else f"{fill.order_id}:{fill.fill_id}"
    )
    return FillRecord(
        exec_id[:64],
        fill.order_id,
        fill.instrument,
        fill.action,
        fill.quantity,
        fill.price_ticks,
        0.0,
        "USD",
        fill.ts_ns,
    )


def stored_quantity(fills: Iterable[FillRecord]) -> dict[str, int]:
    """Contracts stored per order id."""
    out: dict[str, int] = defaultdict(int)
    for fill in fills:
        if fill.order_id is not None:
            out[fill.order_id] += fill.quantity
    return out


def rows_from_executions(
    known: Iterable[str], stored: Iterable[FillRecord], executions: Sequence[Fill]
) -> list[FillRecord]:
    """Rows for the executions of the `known` orders beyond what the `stored` rows cover (an
    execution whose cumulative quantity is already covered adds nothing)."""
    orders = set(known)
    covered = stored_quantity(stored)
    out = []
    for fill in sorted(executions, key=lambda f: (f.order_id, f.cumulative_quantity)):
        if fill.order_id not in orders:
            continue
        missing = min(fill.quantity, fill.cumulative_quantity - covered[fill.order_id])
        if missing <= 0:
            continue
        row = fill_record(fill)
        if missing < fill.quantity:
            row = FillRecord(
                f"{row.exec_id[:56]}:part",
                row.order_id,
                row.instrument,
                row.action,
                missing,
                row.price_ticks,
                row.commission,
                row.currency,
                row.ts_ns,
            )
        covered[fill.order_id] += missing
        out.append(row)
    return out


def row_from_order(order: OrderRecord, fills: Sequence[FillRecord]) -> FillRecord | None:
    """The fill row that makes `fills` add up to the order's filled quantity, or None (quantity
    and average price from the order)."""
    quantity = order.filled_quantity - sum(f.quantity for f in fills)
    if quantity <= 0 or order.filled_price_ticks is None:
        return None
    value = order.filled_price_ticks * order.filled_quantity - sum(
        f.price_ticks * f.quantity for f in fills
    )
    return FillRecord(
        f"{order.order_id}:rebuilt:{order.filled_quantity}"[:64],
        order.order_id,
        order.instrument,
        order.action,
        quantity,
        round(value / quantity),
        0.0,
        "USD",
        order.filled_ts_ns or order.updated_ts_ns,
    )

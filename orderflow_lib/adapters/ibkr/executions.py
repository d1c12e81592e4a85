"""IB's executions as execution.events.Fill: today's fills of our orders, found by the order
reference that carries our client id (so fills of orders placed before a restart are ours too),
for a restarted node or a force-sync to rebuild the fills it never stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from ib_async import Fill as IbFill

from orderflow_lib.core.timeconv import datetime_to_ns
from orderflow_lib.execution.events import Fill
from orderflow_lib.market.events import price_to_ticks
from orderflow_lib.risk.records import OrderAction


def fills_of_ours(
    ib_fills: Iterable[IbFill], instrument: str, client_id: int, tick_size: float
) -> list[Fill]:
    """The executions of `instrument` (root symbol) placed by `client_id` with an order
    reference, oldest first, one per execution id."""
    out: dict[str, Fill] = {}
    for ib_fill in ib_fills:
        ex = ib_fill.execution
        if (
            not ex.orderRef
            or ex.clientId != client_id
            or str(ib_fill.contract.symbol) != instrument
        ):
            continue
        out[ex.execId] = Fill(
            order_id=ex.orderRef,
            broker_order_id=str(ex.orderId),
            fill_id=ex.execId,
            instrument=instrument,
            action=OrderAction.BUY if ex.side == "BOT" else OrderAction.SELL,
            quantity=int(ex.shares),
            price_ticks=price_to_ticks(ex.price, tick_size),
            cumulative_quantity=int(ex.cumQty),
            ts_ns=datetime_to_ns(ex.time),
        )
    return sorted(out.values(), key=lambda f: (f.ts_ns, f.order_id, f.cumulative_quantity))

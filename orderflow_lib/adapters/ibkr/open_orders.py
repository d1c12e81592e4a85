"""IB's open orders as execution.OpenOrder: our client id from the orderRef, prices in ticks, and a
child's parent named by the parent's orderRef, found among the trades or, once the parent has
filled in an earlier session, among the day's executions IB replays on connect (empty when the
parent filled on an earlier day: IB replays only today's executions).
"""

from __future__ import annotations

from collections.abc import Iterable

from ib_async import Fill
from ib_async import Trade as IbTrade

from orderflow_lib.adapters.ibkr.errors import IbkrError
from orderflow_lib.adapters.ibkr.orders import IB_TERMINAL_STATES
from orderflow_lib.execution.events import OpenOrder
from orderflow_lib.market.events import price_to_ticks
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.risk.venue import OrderType


def order_refs(trades: Iterable[IbTrade], fills: Iterable[Fill], client_id: int) -> dict[int, str]:
    """IB order id -> orderRef of every order of `client_id` this session has heard of."""
    refs = {
        int(f.execution.orderId): f.execution.orderRef
        for f in fills
        if f.execution.clientId == client_id and f.execution.orderRef
    }
    for trade in trades:
        if trade.order.clientId == client_id and trade.order.orderRef:
            refs[int(trade.order.orderId)] = trade.order.orderRef
    return refs


def is_working_ours(trade: IbTrade, client_id: int) -> bool:
    """Whether a trade is a still-working order of `client_id` that carries our client id."""
    return (
        trade.order.clientId == client_id
        and bool(trade.order.orderRef)
        and trade.orderStatus.status not in IB_TERMINAL_STATES
    )


def open_order_of(trade: IbTrade, refs: dict[int, str], tick_size: float) -> OpenOrder:
    """One IB trade as an OpenOrder; the price is the stop trigger or the limit (0 for market)."""
    order = trade.order
    try:
        order_type = OrderType(order.orderType)
    except ValueError:
        raise IbkrError(
            f"order {order.orderRef!r} has IB order type {order.orderType!r}, "
            f"expected one of {[t.value for t in OrderType]}"
        ) from None
    price = {OrderType.STOP: order.auxPrice, OrderType.LIMIT: order.lmtPrice}.get(order_type)
    parent_ref = refs.get(int(order.parentId), "") if order.parentId else ""
    return OpenOrder(
        order_id=order.orderRef,
        broker_order_id=str(order.orderId),
        instrument=str(trade.contract.symbol),
        action=OrderAction(order.action),
        order_type=order_type,
        quantity=int(order.totalQuantity),
        filled=int(trade.orderStatus.filled),
        price_ticks=price_to_ticks(float(price), tick_size) if price is not None else 0,
        parent_id=parent_ref,
        oca_group=order.ocaGroup,
    )

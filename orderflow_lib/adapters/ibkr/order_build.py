"""The ib_async orders we send, built from sides, tick prices and our client ids (no I/O).

A bracket (spec/ibkr.md §2.6b) is a market parent held with transmit=False, a protective stop and
a target limit attached to it by parentId, both children in one OCA group (ocaType 1), GTC and
working outside RTH; the last child transmits all three. Every order carries our client id as its
orderRef so it can be found again after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from ib_async import LimitOrder, MarketOrder, Order, StopOrder

from orderflow_lib.market.events import BUY, SELL
from orderflow_lib.risk.venue import OrderType

OCA_CANCEL_WITH_BLOCK = 1
CHILD_TIF = "GTC"


@dataclass(frozen=True, slots=True)
class BracketRefs:
    """Our client ids of a bracket's three orders (sent as IB orderRef) and its OCA group."""

    parent: str
    stop: str
    target: str
    oca_group: str


def action_of(side: int) -> str:
    """IB action text of a side (+1 buy, -1 sell)."""
    if side not in (BUY, SELL):
        raise ValueError(f"side must be +1 (buy) or -1 (sell), was {side}")
    return "BUY" if side == BUY else "SELL"


def market_order(side: int, quantity: int, order_ref: str = "") -> Order:
    """A market order (DAY, regular IB defaults)."""
    return MarketOrder(action_of(side), quantity, orderRef=order_ref)


def resting_order(
    side: int,
    quantity: int,
    order_type: OrderType,
    price: float,
    order_ref: str,
    *,
    oca_group: str = "",
    parent_id: int = 0,
    transmit: bool = True,
) -> Order:
    """A stop (trigger at `price`) or limit order, GTC and live outside RTH like a bracket child."""
    action = action_of(side)
    common = {
        "orderRef": order_ref,
        "tif": CHILD_TIF,
        "outsideRth": True,
        "transmit": transmit,
        "parentId": parent_id,
    }
    if oca_group:
        common |= {"ocaGroup": oca_group, "ocaType": OCA_CANCEL_WITH_BLOCK}
    if order_type == OrderType.STOP:
        return StopOrder(action, quantity, price, **common)
    if order_type == OrderType.LIMIT:
        return LimitOrder(action, quantity, price, **common)
    raise ValueError(f"order_type must be STP or LMT for a resting order, was {order_type!r}")


def bracket_orders(
    parent_order_id: int,
    side: int,
    quantity: int,
    stop_price: float,
    target_price: float,
    refs: BracketRefs,
) -> tuple[Order, Order, Order]:
    """Parent (market, side `side`), stop and target (the opposite side), in sending order."""
    if not refs.oca_group:
        raise ValueError("oca_group must be a non-empty string, was ''")
    if (target_price - stop_price) * side <= 0:
        raise ValueError(
            f"the stop ({stop_price}) must be on the losing side of the target ({target_price}) "
            f"for a {action_of(side)} bracket"
        )
    parent = market_order(side, quantity, refs.parent)
    parent.orderId = parent_order_id
    parent.transmit = False
    exit_side = -side
    stop = resting_order(
        exit_side,
        quantity,
        OrderType.STOP,
        stop_price,
        refs.stop,
        oca_group=refs.oca_group,
        parent_id=parent_order_id,
        transmit=False,
    )
    target = resting_order(
        exit_side,
        quantity,
        OrderType.LIMIT,
        target_price,
        refs.target,
        oca_group=refs.oca_group,
        parent_id=parent_order_id,
        transmit=True,
    )
    return parent, stop, target

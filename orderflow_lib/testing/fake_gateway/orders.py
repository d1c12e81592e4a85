"""How the fake reads a placeOrder message, and when a resting stop or limit order fills on a trade.

The fill rules are the paper rules of spec §5.6 (orderflow_lib.plan.fills): a stop triggers on a
trade at or through its price and fills at that trade's price; a limit fills at its price when a
trade prints at least one tick through it, for no more than the trade's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderflow_lib.plan.fills import limit_filled, stop_triggered
from orderflow_lib.testing.fake_gateway.state import ContractSpec, OrderRecord

_ACTION, _QUANTITY, _ORDER_TYPE, _LMT_PRICE, _AUX_PRICE, _TIF, _OCA_GROUP, _ACCOUNT = range(16, 24)
_ORDER_REF, _TRANSMIT, _PARENT_ID = 26, 27, 28
_OUTSIDE_RTH = 33
_OCA_TYPE_FROM_177 = 46


@dataclass(frozen=True, slots=True)
class OrderFill:
    """What one trade print does to a resting order: `shares` at `price`."""

    shares: float
    price: float


def oca_type_index(server_version: int) -> int:
    """Where ocaType sits in a placeOrder message (one later before v177, which still sent faProfile)."""
    return _OCA_TYPE_FROM_177 if server_version >= 177 else _OCA_TYPE_FROM_177 + 1


def parse_place_order(
    fields: list[str],
    server_version: int,
    *,
    contract: ContractSpec,
    client_id: int,
    perm_id: int,
    default_account: str,
) -> OrderRecord:
    """The order of a placeOrder message (non-combo contract) as the gateway records it."""
    oca_type = fields[oca_type_index(server_version)]
    return OrderRecord(
        order_id=int(fields[1]),
        client_id=client_id,
        perm_id=perm_id,
        contract=contract,
        action=fields[_ACTION],
        quantity=float(fields[_QUANTITY]),
        order_type=fields[_ORDER_TYPE],
        lmt_price=fields[_LMT_PRICE],
        account=fields[_ACCOUNT] or default_account,
        aux_price=fields[_AUX_PRICE],
        tif=fields[_TIF] or "DAY",
        oca_group=fields[_OCA_GROUP],
        oca_type=int(oca_type or 0),
        order_ref=fields[_ORDER_REF],
        parent_id=int(fields[_PARENT_ID] or 0),
        transmit=fields[_TRANSMIT] == "1",
        outside_rth=fields[_OUTSIDE_RTH] == "1",
    )


def resting_fill(order: OrderRecord, price: float, size: float) -> OrderFill | None:
    """The fill a trade of `size` at `price` gives a working STP or LMT order, or None."""
    tick = order.contract.min_tick
    trade_tick = round(price / tick)
    if order.order_type == "STP":
        if stop_triggered(order.side, round(float(order.aux_price) / tick), trade_tick):
            return OrderFill(order.remaining, price)
        return None
    if order.order_type == "LMT":
        limit_price = float(order.lmt_price)
        if limit_filled(order.side, round(limit_price / tick), trade_tick):
            return OrderFill(min(order.remaining, size), limit_price)
    return None

"""Broker events: order status updates and fills, and the listener that receives them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from orderflow_lib.risk.records import OrderAction, OrderStatus
from orderflow_lib.risk.venue import OrderType


@dataclass(frozen=True, slots=True)
class OrderStatusUpdate:
    """The broker's word on an order: `order_id` is our client id, echoed by the broker."""

    order_id: str
    broker_order_id: str
    status: OrderStatus
    ts_ns: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution: `quantity` contracts at `price_ticks`; `cumulative_quantity` is the order's
    total filled so far (lets a receiver ignore repeated or out-of-order fills)."""

    order_id: str
    broker_order_id: str
    fill_id: str
    instrument: str
    action: OrderAction
    quantity: int
    price_ticks: int
    cumulative_quantity: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """An order working at the broker, as the broker reports it (found again after a restart by
    `order_id`, our client id, which travels to the broker as the order reference)."""

    order_id: str
    broker_order_id: str
    instrument: str
    action: OrderAction
    order_type: OrderType
    quantity: int
    filled: int
    price_ticks: int
    parent_id: str = ""
    oca_group: str = ""

    @property
    def remaining(self) -> int:
        """Contracts still to fill."""
        return self.quantity - self.filled


class BrokerListener(Protocol):
    """Receives a broker's events (called on the event loop's thread, must not block)."""

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        """An order changed status."""
        ...

    def on_fill(self, fill: Fill) -> None:
        """An order (partly) filled."""
        ...

    def on_connection(self, connected: bool, reason: str) -> None:
        """The connection went up (True) or down (False, with the reason)."""
        ...

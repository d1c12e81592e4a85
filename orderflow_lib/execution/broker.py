"""The Broker protocol: what the node needs from IBKR or the paper broker.

A Broker is an OrderVenue (what the safety gate sends through) plus connection control, cancels
and event listeners. Orders reach a Broker only through execution.SafeBroker.
"""

from __future__ import annotations

from typing import Protocol

from orderflow_lib.execution.events import BrokerListener
from orderflow_lib.risk.venue import OrderVenue


class Broker(OrderVenue, Protocol):
    """A broker connection: connect/disconnect, orders, positions, account values and events.

    Calls raise core.errors.BrokerError when the broker cannot carry them out.
    """

    async def connect(self) -> None:
        """Open the connection."""
        ...

    async def disconnect(self) -> None:
        """Close the connection."""
        ...

    async def cancel_order(self, order_id: str) -> None:
        """Cancel what is left of a working order (by our client id)."""
        ...

    def add_listener(self, listener: BrokerListener) -> None:
        """Deliver order status, fill and connection events to `listener`."""
        ...

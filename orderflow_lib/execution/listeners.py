"""One chain for a broker's events, so the order in which listeners hear them is written down in
one place: the durable record of a fill first, then the safety gate, then the trading session."""

from __future__ import annotations

from orderflow_lib.execution.events import BrokerListener, Fill, OrderStatusUpdate


class ListenerChain:
    """Hands every broker event to each listener in the order given."""

    def __init__(self, *listeners: BrokerListener) -> None:
        self._listeners = listeners

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        """An order changed status: tell each listener in turn."""
        for listener in self._listeners:
            listener.on_order_status(update)

    def on_fill(self, fill: Fill) -> None:
        """An order (partly) filled: tell each listener in turn."""
        for listener in self._listeners:
            listener.on_fill(fill)

    def on_connection(self, connected: bool, reason: str) -> None:
        """The connection changed: tell each listener in turn."""
        for listener in self._listeners:
            listener.on_connection(connected, reason)

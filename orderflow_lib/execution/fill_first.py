"""FillsFirst: a broker listener that hands every fill to a durable record before any other
listener sees it (first in the broker's ListenerChain), so a fill is kept before the gate or the
session act on it.
"""

from __future__ import annotations

from collections.abc import Callable

from orderflow_lib.execution.events import Fill, OrderStatusUpdate


class FillsFirst:
    """Calls `record` with each fill; order status and connection events are not its business."""

    def __init__(self, record: Callable[[Fill], None]) -> None:
        self._record = record

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        """Not recorded here."""

    def on_fill(self, fill: Fill) -> None:
        """Record the fill (the store, or the fill journal when the store does not take it)."""
        self._record(fill)

    def on_connection(self, connected: bool, reason: str) -> None:
        """Not recorded here."""

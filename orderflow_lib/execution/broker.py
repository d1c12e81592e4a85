"""The Broker protocol: what the node needs from IBKR or the paper broker.

A Broker is an OrderVenue (what the safety gate sends through) plus connection control, cancels
and event listeners. Orders reach a Broker only through execution.SafeBroker.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from orderflow_lib.execution.events import BrokerListener, Fill, OpenOrder
from orderflow_lib.market.events import Quote
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

    async def open_orders(self) -> list[OpenOrder]:
        """Every order of ours still working at the broker (bracket children included)."""
        ...

    async def executions(self) -> list[Fill]:
        """Every execution of our orders the broker still reports (IB: today's, matched by order
        reference; paper: from its journal), oldest first: a restart and force-sync rebuild the
        fills the node never stored from these."""
        ...

    def add_listener(self, listener: BrokerListener) -> None:
        """Deliver order status, fill and connection events to `listener`."""
        ...

    def on_quote(self, instrument: str, quote: Quote) -> None:
        """The market's best bid and ask now (a simulated broker marks and fills on it; a real
        broker sees the market itself and ignores it)."""
        ...

    def on_trades(self, instrument: str, ts_ns: np.ndarray, price_ticks: np.ndarray) -> None:
        """Trades in time order (a simulated broker fills its stops and limits on them)."""
        ...

    def start_new_day(self) -> None:
        """A new trade date begins (a simulated broker's daily P&L counts from here)."""
        ...

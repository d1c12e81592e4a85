"""PaperBroker: simulated fills for the demo and replay, with rejects, partial fills and a
disconnect switch.

Market orders fill at the opposite best price (ask for a buy, bid for a sell) worsened by
`slippage_ticks`; with `max_fill_per_quote` an order fills at most that many contracts per quote
and the rest waits for the next quotes. Events reach listeners synchronously, in order.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from orderflow_lib.core.clock import Clock
from orderflow_lib.core.errors import BrokerError
from orderflow_lib.execution.events import BrokerListener, Fill, OrderStatusUpdate
from orderflow_lib.execution.pnl import PositionBook, usd_to_gbp
from orderflow_lib.market.events import Quote
from orderflow_lib.risk.records import OrderStatus
from orderflow_lib.risk.venue import AccountSnapshot, OrderIntent

RejectRule = Callable[[OrderIntent], str | None]


@dataclass(slots=True)
class _WorkingOrder:
    intent: OrderIntent
    broker_order_id: str
    filled: int = 0


class PaperBroker:
    """A Broker that simulates an exchange from the last quote pushed to it."""

    def __init__(
        self,
        clock: Clock,
        *,
        slippage_ticks: int = 0,
        reject_probability: float = 0.0,
        reject_rule: RejectRule | None = None,
        seed: int = 0,
        max_fill_per_quote: int | None = None,
        gbp_per_usd: float = 0.79,
        starting_cash_gbp: float = 10_000.0,
    ) -> None:
        if slippage_ticks < 0:
            raise ValueError(f"slippage_ticks must be >= 0, was {slippage_ticks}")
        if not 0.0 <= reject_probability <= 1.0:
            raise ValueError(f"reject_probability must be in [0, 1], was {reject_probability}")
        if max_fill_per_quote is not None and max_fill_per_quote < 1:
            raise ValueError(f"max_fill_per_quote must be >= 1 or None, was {max_fill_per_quote}")
        if not gbp_per_usd > 0:
            raise ValueError(f"gbp_per_usd must be > 0, was {gbp_per_usd}")
        self._clock = clock
        self.slippage_ticks = slippage_ticks
        self.reject_probability = reject_probability
        self.reject_rule = reject_rule
        self.max_fill_per_quote = max_fill_per_quote
        self.gbp_per_usd = gbp_per_usd
        self._rng = random.Random(seed)
        self._starting_cash_gbp = starting_cash_gbp
        self._connected = False
        self._listeners: list[BrokerListener] = []
        self._quotes: dict[str, Quote] = {}
        self._working: dict[str, _WorkingOrder] = {}
        self._book = PositionBook()
        self._sequence = 0
        self._day_realized_usd = 0.0
        self._day_start_unrealized_usd = 0.0

    # ---- connection ---------------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect (always succeeds)."""
        self._connected = True
        for listener in list(self._listeners):
            listener.on_connection(True, "")

    async def disconnect(self) -> None:
        """Disconnect on request."""
        self.simulate_disconnect("disconnect requested")

    def simulate_disconnect(self, reason: str = "connection lost") -> None:
        """The disconnect switch: drop the connection and tell listeners why."""
        was_connected = self._connected
        self._connected = False
        if was_connected:
            for listener in list(self._listeners):
                listener.on_connection(False, reason)

    def is_connected(self) -> bool:
        """True while connected."""
        return self._connected

    def add_listener(self, listener: BrokerListener) -> None:
        """Deliver events to `listener`."""
        self._listeners.append(listener)

    # ---- market data --------------------------------------------------------------------------

    def on_quote(self, instrument: str, quote: Quote) -> None:
        """Take the newest best bid/ask of an instrument; working orders fill against it."""
        self._quotes[instrument] = quote
        for working in list(self._working.values()):
            if working.intent.instrument == instrument and self._connected:
                self._fill(working, quote)

    def start_new_day(self) -> None:
        """Start a new trade date: the daily P&L counts from here."""
        self._day_realized_usd = 0.0
        self._day_start_unrealized_usd = self._book.unrealized_usd(self._marks())

    # ---- orders -------------------------------------------------------------------------------

    async def place_order(self, intent: OrderIntent) -> str:
        """Accept a market order (intent.order_id set); return the paper broker's order id."""
        if not self._connected:
            raise BrokerError("paper broker is disconnected")
        if not intent.order_id:
            raise BrokerError("order_id must be set by the safety gate, was ''")
        if intent.order_id in self._working:
            raise BrokerError(f"order_id {intent.order_id!r} is already working")
        self._sequence += 1
        broker_order_id = f"PAPER-{self._sequence}"
        quote = self._quotes.get(intent.instrument)
        reason = self._reject_reason(intent, quote)
        if reason is not None:
            self._emit_status(intent.order_id, broker_order_id, OrderStatus.REJECTED, reason)
            return broker_order_id
        assert quote is not None
        working = _WorkingOrder(intent, broker_order_id)
        self._working[intent.order_id] = working
        self._emit_status(intent.order_id, broker_order_id, OrderStatus.SUBMITTED)
        self._fill(working, quote)
        return broker_order_id

    async def cancel_order(self, order_id: str) -> None:
        """Cancel the unfilled rest of a working order."""
        if not self._connected:
            raise BrokerError("paper broker is disconnected")
        working = self._working.pop(order_id, None)
        if working is None:
            raise BrokerError(f"no working order {order_id!r}")
        self._emit_status(order_id, working.broker_order_id, OrderStatus.CANCELLED, "cancelled")

    def working_orders(self) -> list[str]:
        """Client ids of orders not yet completely filled."""
        return list(self._working)

    # ---- positions and account ----------------------------------------------------------------

    async def positions(self) -> Mapping[str, int]:
        """Net positions by instrument root."""
        if not self._connected:
            raise BrokerError("paper broker is disconnected")
        return self._book.quantities()

    async def account(self) -> AccountSnapshot:
        """Account values in GBP (futures P&L converted from USD at `gbp_per_usd`)."""
        if not self._connected:
            raise BrokerError("paper broker is disconnected")
        realized = self._book.realized_usd()
        unrealized = self._book.unrealized_usd(self._marks())
        daily = self._day_realized_usd + unrealized - self._day_start_unrealized_usd
        return AccountSnapshot(
            ts_ns=self._clock.now_ns(),
            net_liquidation_gbp=self._starting_cash_gbp
            + usd_to_gbp(realized + unrealized, self.gbp_per_usd),
            cash_gbp=self._starting_cash_gbp + usd_to_gbp(realized, self.gbp_per_usd),
            gbp_per_usd=self.gbp_per_usd,
            daily_pnl_usd=daily,
        )

    # ---- internals ----------------------------------------------------------------------------

    def _reject_reason(self, intent: OrderIntent, quote: Quote | None) -> str | None:
        if quote is None:
            return f"no market data for {intent.instrument}"
        if self.reject_rule is not None:
            reason = self.reject_rule(intent)
            if reason is not None:
                return reason
        if self.reject_probability > 0 and self._rng.random() < self.reject_probability:
            return "simulated reject"
        return None

    def _fill(self, working: _WorkingOrder, quote: Quote) -> None:
        intent = working.intent
        if intent.action.sign > 0:
            price = quote.ask_ticks + self.slippage_ticks
        else:
            price = quote.bid_ticks - self.slippage_ticks
        left = intent.quantity - working.filled
        quantity = left if self.max_fill_per_quote is None else min(left, self.max_fill_per_quote)
        working.filled += quantity
        realized = self._book.apply_fill(intent.instrument, intent.action.sign * quantity, price)
        self._day_realized_usd += realized
        self._sequence += 1
        fill = Fill(
            order_id=intent.order_id,
            broker_order_id=working.broker_order_id,
            fill_id=f"PAPER-FILL-{self._sequence}",
            instrument=intent.instrument,
            action=intent.action,
            quantity=quantity,
            price_ticks=price,
            cumulative_quantity=working.filled,
            ts_ns=self._clock.now_ns(),
        )
        for listener in list(self._listeners):
            listener.on_fill(fill)
        if working.filled == intent.quantity:
            del self._working[intent.order_id]
            self._emit_status(intent.order_id, working.broker_order_id, OrderStatus.FILLED)

    def _emit_status(
        self, order_id: str, broker_order_id: str, status: OrderStatus, reason: str = ""
    ) -> None:
        update = OrderStatusUpdate(order_id, broker_order_id, status, self._clock.now_ns(), reason)
        for listener in list(self._listeners):
            listener.on_order_status(update)

    def _marks(self) -> dict[str, float]:
        return {k: (q.bid_ticks + q.ask_ticks) / 2 for k, q in self._quotes.items()}

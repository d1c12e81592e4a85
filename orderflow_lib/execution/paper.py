"""PaperBroker: a simulated exchange for the demo, replay and backtests, filling orders by the
paper-fill rules of spec §5.6, with rejects, partial fills, a disconnect switch and a journal.

Trades drive fills (`on_trade`): a market order fills at the next trade's price, a stop on the
first trade at or through it at that trade's price (both `slippage_ticks` worse), a limit at its
price on a trade at least one tick through it. An instrument that has never been shown a trade
(quotes only) fills market orders at the opposite best worsened by `slippage_ticks` instead, at
once and on each new quote. Quotes also mark open positions. `max_fill_per_quote` caps what one
order fills per trade (or quote); the rest waits. Fills happen only while connected, and events
reach listeners synchronously, in order, once the journal has saved the state they report (a
fill is on record at the paper exchange before anyone acts on it, as at a real broker).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Final

import numpy as np

from orderflow_lib.core.clock import Clock
from orderflow_lib.core.errors import BrokerError
from orderflow_lib.execution.events import BrokerListener, Fill, OpenOrder, OrderStatusUpdate
from orderflow_lib.execution.paper_journal import PaperJournal, PaperState
from orderflow_lib.execution.paper_orders import PaperOrder, check_bracket
from orderflow_lib.execution.pnl import PositionBook, usd_to_gbp
from orderflow_lib.market.events import Quote
from orderflow_lib.risk.records import OrderStatus
from orderflow_lib.risk.venue import AccountSnapshot, OrderIntent, OrderType

RejectRule = Callable[[OrderIntent], str | None]
MAX_EXECUTIONS: Final = 1000
"""Executions kept for `executions()` (those of the current day, at most this many)."""


class PaperBroker:
    """A Broker that simulates an exchange from the trades and quotes pushed to it.

    Bracket children are live from the parent's fill inclusive: the trade that fills the parent
    is also checked against the children (as the bar rule checks the fill bar), and a child fills
    at most what the parent has filled so far. The children form an OCA group: a fill of one
    cancels the other (status CANCELLED, reason "OCA") and the parent's unfilled rest. With a
    journal, every change to working orders or positions is saved, and a new broker given the
    same journal carries on from it.
    """

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
        journal: PaperJournal | None = None,
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
        self._last_trade: dict[str, int] = {}
        self._orders: dict[str, PaperOrder] = {}
        self._book = PositionBook()
        self._sequence = 0
        self._day_realized_usd = 0.0
        self._day_start_unrealized_usd = 0.0
        self._executions: list[Fill] = []
        self._outbox: list[OrderStatusUpdate | Fill] = []
        self._journal = journal
        self._dirty = False
        if journal is not None:
            self._restore(journal.load())

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

    def on_trade(self, instrument: str, ts_ns: int, price_ticks: int) -> None:
        """A trade printed at `price_ticks`: fill the working orders it reaches, stamped `ts_ns`."""
        self._last_trade[instrument] = price_ticks
        if not self._connected or not self._orders:
            return
        for order in list(self._orders.values()):
            if self._orders.get(order.intent.order_id) is not order:
                continue
            quantity = self._cap(order.fillable)
            if order.intent.instrument != instrument or quantity <= 0:
                continue
            price = order.price_on_trade(price_ticks, self.slippage_ticks)
            if price is not None:
                self._fill(order, quantity, price, ts_ns)
        self._save_if_dirty()

    def on_trades(self, instrument: str, ts_ns: np.ndarray, price_ticks: np.ndarray) -> None:
        """Trades in time order: like `on_trade` for each, but only the trades that can fill a
        working order are visited (the rest only move the last price)."""
        start, n = 0, len(price_ticks)
        while start < n:
            k = self._next_active(instrument, price_ticks, start)
            if k is None:
                break
            self.on_trade(instrument, int(ts_ns[k]), int(price_ticks[k]))
            start = k + 1
        if n:
            self._last_trade[instrument] = int(price_ticks[-1])

    def _next_active(self, instrument: str, prices: np.ndarray, start: int) -> int | None:
        """Index of the first trade from `start` on that reaches a working order, or None."""
        low = high = None
        for order in self._orders.values():
            intent = order.intent
            if intent.instrument != instrument or self._cap(order.fillable) <= 0:
                continue
            side = intent.action.sign
            if intent.order_type is OrderType.MARKET or order.triggered:
                return start
            if intent.order_type is OrderType.STOP:
                level, falling = intent.price_ticks, side < 0
            else:
                level, falling = intent.price_ticks - side, side > 0
            if falling:
                low = level if low is None else max(low, level)
            else:
                high = level if high is None else min(high, level)
        if low is None and high is None:
            return None
        window = prices[start:]
        hit = np.zeros(len(window), dtype=bool)
        if low is not None:
            hit |= window <= low
        if high is not None:
            hit |= window >= high
        found = np.flatnonzero(hit)
        return None if found.size == 0 else start + int(found[0])

    def on_quote(self, instrument: str, quote: Quote) -> None:
        """Take the newest best bid/ask of an instrument: it marks positions, and fills market
        orders while the instrument has had no trade."""
        self._quotes[instrument] = quote
        if not self._connected or instrument in self._last_trade:
            return
        for order in list(self._orders.values()):
            intent = order.intent
            if (
                self._orders.get(intent.order_id) is order
                and intent.instrument == instrument
                and intent.order_type is OrderType.MARKET
            ):
                self._fill_at_quote(order, quote)
        self._save_if_dirty()

    def start_new_day(self) -> None:
        """Start a new trade date: the daily P&L and the executions reported count from here."""
        self._day_realized_usd = 0.0
        self._executions.clear()
        self._day_start_unrealized_usd = self._book.unrealized_usd(self._marks())
        self._dirty = True
        self._save_if_dirty()

    # ---- orders -------------------------------------------------------------------------------

    async def place_order(self, intent: OrderIntent) -> str:
        """Accept one order (intent.order_id set); return the paper broker's order id. An order
        naming a working parent in `parent_id` fills only what that parent has filled."""
        self._check_new([intent])
        broker_order_id = self._next_id()
        reason = self._reject_reason(intent)
        if reason is not None:
            self._emit_status(intent.order_id, broker_order_id, OrderStatus.REJECTED, reason)
            self._save_if_dirty()
            return broker_order_id
        parent = self._orders.get(intent.parent_id)
        released = intent.quantity if parent is None else parent.filled
        self._accept(intent, broker_order_id, released)
        self._save_if_dirty()
        return broker_order_id

    async def place_bracket(
        self, parent: OrderIntent, stop: OrderIntent, target: OrderIntent
    ) -> tuple[str, str, str]:
        """Accept a market parent with its protective stop and target limit; return the three
        broker ids. The children work from the parent's fill on, as one OCA pair."""
        self._check_new([parent, stop, target])
        check_bracket(parent, stop, target)
        ids = (self._next_id(), self._next_id(), self._next_id())
        reason = self._reject_reason(parent)
        if reason is not None:
            self._emit_status(parent.order_id, ids[0], OrderStatus.REJECTED, reason)
            for child, child_id in ((stop, ids[1]), (target, ids[2])):
                self._emit_status(
                    child.order_id, child_id, OrderStatus.CANCELLED, "parent rejected"
                )
            self._save_if_dirty()
            return ids
        self._orders[parent.order_id] = PaperOrder(parent, ids[0], parent.quantity, parent.quantity)
        for child, child_id in ((stop, ids[1]), (target, ids[2])):
            self._orders[child.order_id] = PaperOrder(child, child_id, child.quantity, 0)
        for intent, broker_order_id in zip((parent, stop, target), ids, strict=True):
            self._emit_status(intent.order_id, broker_order_id, OrderStatus.SUBMITTED)
        self._dirty = True
        self._fill_new_market_order(self._orders[parent.order_id])
        self._save_if_dirty()
        return ids

    async def cancel_order(self, order_id: str) -> None:
        """Cancel the unfilled rest of a working order; a cancelled parent's children then cover
        only what it filled (none: they are cancelled too)."""
        if not self._connected:
            raise BrokerError("paper broker is disconnected")
        order = self._orders.get(order_id)
        if order is None:
            raise BrokerError(f"no working order {order_id!r}")
        self._cancel(order, self._clock.now_ns(), "cancelled")
        self._save_if_dirty()

    async def open_orders(self) -> list[OpenOrder]:
        """Every working order, bracket children included, in the order they were placed."""
        if not self._connected:
            raise BrokerError("paper broker is disconnected")
        return [order.to_open_order() for order in self._orders.values()]

    async def executions(self) -> list[Fill]:
        """The fills of the current day (kept in the journal across a restart), oldest first."""
        if not self._connected:
            raise BrokerError("paper broker is disconnected")
        return list(self._executions)

    def working_orders(self) -> list[str]:
        """Client ids of orders not yet completely filled."""
        return list(self._orders)

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

    def _check_new(self, intents: list[OrderIntent]) -> None:
        if not self._connected:
            raise BrokerError("paper broker is disconnected")
        seen: set[str] = set()
        for intent in intents:
            if not intent.order_id:
                raise BrokerError("order_id must be set by the safety gate, was ''")
            if intent.order_id in self._orders or intent.order_id in seen:
                raise BrokerError(f"order_id {intent.order_id!r} is already working")
            seen.add(intent.order_id)

    def _reject_reason(self, intent: OrderIntent) -> str | None:
        if intent.instrument not in self._quotes and intent.instrument not in self._last_trade:
            return f"no market data for {intent.instrument}"
        if self.reject_rule is not None:
            reason = self.reject_rule(intent)
            if reason is not None:
                return reason
        if self.reject_probability > 0 and self._rng.random() < self.reject_probability:
            return "simulated reject"
        return None

    def _accept(self, intent: OrderIntent, broker_order_id: str, released: int) -> None:
        order = PaperOrder(intent, broker_order_id, intent.quantity, released)
        self._orders[intent.order_id] = order
        self._dirty = True
        self._emit_status(intent.order_id, broker_order_id, OrderStatus.SUBMITTED)
        self._fill_new_market_order(order)

    def _fill_new_market_order(self, order: PaperOrder) -> None:
        quote = self._quotes.get(order.intent.instrument)
        if (
            order.intent.order_type is OrderType.MARKET
            and order.intent.instrument not in self._last_trade
            and quote is not None
        ):
            self._fill_at_quote(order, quote)

    def _fill_at_quote(self, order: PaperOrder, quote: Quote) -> None:
        quantity = self._cap(order.fillable)
        if quantity <= 0:
            return
        if order.intent.action.sign > 0:
            price = quote.ask_ticks + self.slippage_ticks
        else:
            price = quote.bid_ticks - self.slippage_ticks
        self._fill(order, quantity, price, self._clock.now_ns())

    def _fill(self, order: PaperOrder, quantity: int, price: int, ts_ns: int) -> None:
        intent = order.intent
        order.filled += quantity
        self._day_realized_usd += self._book.apply_fill(
            intent.instrument, intent.action.sign * quantity, price
        )
        self._dirty = True
        fill = Fill(
            order_id=intent.order_id,
            broker_order_id=order.broker_order_id,
            fill_id=f"PAPER-FILL-{self._next_sequence()}",
            instrument=intent.instrument,
            action=intent.action,
            quantity=quantity,
            price_ticks=price,
            cumulative_quantity=order.filled,
            ts_ns=ts_ns,
        )
        self._executions = [*self._executions[-(MAX_EXECUTIONS - 1) :], fill]
        self._outbox.append(fill)
        for child in self._children(intent.order_id):
            child.released = order.filled
        if intent.oca_group:
            for other in list(self._orders.values()):
                if other is not order and other.intent.oca_group == intent.oca_group:
                    self._cancel(other, ts_ns, "OCA")
        parent = self._orders.get(intent.parent_id)
        if parent is not None:
            self._cancel(parent, ts_ns, "bracket child filled")
        if self._orders.get(intent.order_id) is order and order.complete:
            self._complete(order, ts_ns)

    def _cancel(self, order: PaperOrder, ts_ns: int, reason: str) -> None:
        del self._orders[order.intent.order_id]
        self._dirty = True
        self._emit_status(
            order.intent.order_id, order.broker_order_id, OrderStatus.CANCELLED, reason, ts_ns
        )
        for child in self._children(order.intent.order_id):
            child.quantity = child.released
            if child.quantity == 0:
                self._cancel(child, ts_ns, "parent cancelled")
            elif child.complete:
                self._complete(child, ts_ns)

    def _complete(self, order: PaperOrder, ts_ns: int) -> None:
        del self._orders[order.intent.order_id]
        self._dirty = True
        self._emit_status(
            order.intent.order_id, order.broker_order_id, OrderStatus.FILLED, "", ts_ns
        )

    def _children(self, order_id: str) -> list[PaperOrder]:
        return [o for o in self._orders.values() if o.intent.parent_id == order_id]

    def _cap(self, quantity: int) -> int:
        cap = self.max_fill_per_quote
        return quantity if cap is None else min(quantity, cap)

    def _next_sequence(self) -> int:
        self._sequence += 1
        self._dirty = True
        return self._sequence

    def _next_id(self) -> str:
        return f"PAPER-{self._next_sequence()}"

    def _emit_status(
        self,
        order_id: str,
        broker_order_id: str,
        status: OrderStatus,
        reason: str = "",
        ts_ns: int | None = None,
    ) -> None:
        stamp = self._clock.now_ns() if ts_ns is None else ts_ns
        self._outbox.append(OrderStatusUpdate(order_id, broker_order_id, status, stamp, reason))

    def _marks(self) -> dict[str, float]:
        marks = {k: float(v) for k, v in self._last_trade.items()}
        marks.update({k: (q.bid_ticks + q.ask_ticks) / 2 for k, q in self._quotes.items()})
        return marks

    def _save_if_dirty(self) -> None:
        """Save the state when it changed, then deliver the events it reports, in order."""
        try:
            if self._journal is not None and self._dirty:
                self._journal.save(
                    PaperState(
                        sequence=self._sequence,
                        orders=tuple(self._orders.values()),
                        positions=tuple(self._book.positions.values()),
                        day_realized_usd=self._day_realized_usd,
                        day_start_unrealized_usd=self._day_start_unrealized_usd,
                        executions=tuple(self._executions),
                    )
                )
                self._dirty = False
        finally:
            self._deliver()

    def _deliver(self) -> None:
        while self._outbox:
            event = self._outbox.pop(0)
            for listener in list(self._listeners):
                if isinstance(event, Fill):
                    listener.on_fill(event)
                else:
                    listener.on_order_status(event)

    def _restore(self, state: PaperState | None) -> None:
        if state is None:
            return
        self._sequence = state.sequence
        self._orders = {order.intent.order_id: order for order in state.orders}
        self._book.positions = {position.instrument: position for position in state.positions}
        self._day_realized_usd = state.day_realized_usd
        self._day_start_unrealized_usd = state.day_start_unrealized_usd
        self._executions = list(state.executions)

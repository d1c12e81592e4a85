"""The protection of the session's trade (spec §5.6): race-free exits and flatten, break-even
after T1, a stop or target lost at the broker, children left working after the trade, the
adoption of working orders after a restart, and the round trips built from the fills.

Broker callbacks must not block, so what they start runs as a task; `settle` waits for those
(replay keeps them in event order).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from typing import Any

from orderflow_lib.core.clock import Clock
from orderflow_lib.engine.round_trips import RoundTrips
from orderflow_lib.execution.broker import Broker
from orderflow_lib.execution.events import Fill, OrderStatusUpdate
from orderflow_lib.execution.safe_broker import SafeBroker
from orderflow_lib.market.events import ticks_to_price
from orderflow_lib.risk.manager import ProductionSafetyManager
from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus, OrderType
from orderflow_lib.risk.venue import OrderIntent, SubmitResult

log = logging.getLogger(__name__)
Publish = Callable[[dict[str, Any]], None]
CONFIRM_TIMEOUT_S = 5.0
"""How long an exit waits for the broker to confirm each cancel before giving up."""


class TradeGuard:
    """Exits, break-even, lost protection and adoption for one instrument of one source."""

    def __init__(
        self,
        *,
        source: str,
        instrument: str,
        manager: ProductionSafetyManager,
        safe: SafeBroker,
        broker: Broker,
        clock: Clock,
        publish: Publish,
        tick_size: float,
        tick_value_usd: float,
        breakeven_after_t1: bool,
        mark: Callable[[], float | None],
        rate: Callable[[], float | None],
    ) -> None:
        self.source = source
        self.instrument = instrument
        self.manager = manager
        self.safe = safe
        self.broker = broker
        self.clock = clock
        self._publish = publish
        self.tick_size = tick_size
        self.tick_value_usd = tick_value_usd
        self.breakeven_after_t1 = breakeven_after_t1
        self._mark = mark
        self._rate = rate
        self.round_trips = RoundTrips()
        self._exiting = False
        self._cancelling: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def exiting(self) -> bool:
        """True while an exit is under way."""
        return self._exiting

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        """A protective order lost at the broker while in a position: exit."""
        if self._lost_protection(update) and not self._exiting and self._position():
            self._later(
                self.exit_position(f"the broker dropped protective order {update.order_id}")
            )

    def on_fill(self, fill: Fill) -> None:
        """Fold the fill into the round trips; once flat, cancel children left working; after
        T1 with a second bracket running, move its stop to break-even."""
        self._round_trip(fill)
        if self._exiting:
            return
        if self._position() == 0:
            orphans = self._orphans()
            if orphans:
                self._later(self._cancel_all(orphans))
        elif self.breakeven_after_t1 and self._is_target_fill(fill):
            self._later(self._to_breakeven())

    def _position(self) -> int:
        return self.manager.positions.get(self.instrument, 0)

    async def adopt(self) -> None:
        """After a restart: settle the orders left in flight against the broker's open orders and
        executions (fills never stored are applied and kept); keep the protective orders found
        working at the broker (matched by order reference, never sent again); a position without
        a working stop gets its stop back from the stored bracket, or is closed when price is
        already beyond it (spec §5.6)."""
        if not self.broker.is_connected():
            return
        try:
            working = await self.broker.open_orders()
            executions = await self.broker.executions()
            position = dict(await self.broker.positions()).get(self.instrument, 0)
        except Exception as exc:  # the gate fences on the next submit; nothing to adopt now
            log.warning("could not read open orders and executions after start: %s", exc)
            return
        await self.manager.resolve_orders(working, executions)
        found = [o for o in working if o.instrument == self.instrument]
        stops = [
            o for o in found if o.order_type is OrderType.STOP and o.action.sign * position < 0
        ]
        self._publish(
            {"kind": "adopt", "working": [o.order_id for o in found], "position": position}
        )
        if position:
            self._adopt_trip(position)
        if position == 0 or stops:
            return
        closing = OrderAction.SELL if position > 0 else OrderAction.BUY
        journal = [
            o
            for o in self.manager.orders()
            if o.order_type is OrderType.STOP
            and o.action is closing
            and o.instrument == self.instrument
        ]
        last = self.manager.last_trade(self.instrument)
        beyond = (
            last is not None and bool(journal) and (last - journal[-1].price_ticks) * position <= 0
        )
        if not journal or beyond:
            await self.exit_position("after a restart the position had no protective stop")
            return
        now_ns = self.clock.now_ns()
        await self.safe.submit_exit(
            OrderIntent(
                f"{self.source}:restop@{now_ns}"[:64],
                self.instrument,
                closing,
                abs(position),
                journal[-1].price_ticks,
                now_ns,
                order_type=OrderType.STOP,
            )
        )

    def _adopt_trip(self, position: int) -> None:
        """Start the round trip of a position found open: from the last filled entry order."""
        side = OrderAction.BUY if position > 0 else OrderAction.SELL
        orders = self.manager.orders()
        entries = [
            o
            for o in orders
            if o.action is side and o.order_type is OrderType.MARKET and o.filled_quantity
        ]
        if not entries:
            return
        entry = entries[-1]
        stop = next(
            (o for o in orders if o.parent_id == entry.order_id and o.order_type is OrderType.STOP),
            None,
        )
        self.round_trips.adopt(entry, stop, position)

    async def exit_position(self, reason: str) -> dict[str, Any]:
        """Close the position race-free: cancel the working orders, wait until the broker confirms
        each cancel or fill, then close at market what the broker reports (spec §5.6)."""
        if self._exiting:
            return {"status": "already exiting"}
        self._exiting = True
        try:
            return await self._exit(reason)
        finally:
            self._exiting = False

    async def flatten(self, reason: str) -> dict[str, Any]:
        """Cancel every working order and close every position (the operator's `flatten`)."""
        return await self.exit_position(f"flatten: {reason}")

    async def _exit(self, reason: str) -> dict[str, Any]:
        working = self.working_orders()
        cancelled = 0
        for order in working:
            self._cancelling.add(order.order_id)
            try:
                await self.safe.cancel(order.order_id)
                cancelled += 1
            except Exception as exc:  # already gone at the broker: its final status is on the way
                log.info("cancel %s during exit: %s", order.order_id, exc)
        if not await self._confirmed(order.order_id for order in working):
            detail = "the broker did not confirm the cancels in time; exit not sent"
            self._publish({"kind": "exit", "reason": reason, "status": "WAITING", "detail": detail})
            return {"status": "waiting", "cancelled": cancelled, "detail": detail}
        quantity = dict(await self.broker.positions()).get(self.instrument, 0)
        result: SubmitResult | None = None
        if quantity:
            action = OrderAction.SELL if quantity > 0 else OrderAction.BUY
            now_ns = self.clock.now_ns()
            price = self._mark_ticks()
            intent = OrderIntent(
                f"{self.source}:exit@{now_ns}"[:64],
                self.instrument,
                action,
                abs(quantity),
                price if price is not None else 0,
                now_ns,
            )
            result = await self.safe.submit_exit(intent)
        self._publish(
            {
                "kind": "exit",
                "reason": reason,
                "status": "SENT" if result is not None and result.accepted else "FLAT",
                "quantity": quantity,
                "cancelled": cancelled,
                "detail": None if result is None else result.detail,
            }
        )
        return {
            "status": "closing" if quantity else "flat",
            "cancelled": cancelled,
            "closed_quantity": abs(quantity),
            "accepted": None if result is None else result.accepted,
        }

    async def _confirmed(self, order_ids: Any) -> bool:
        """Wait until every order is final in the gate's ledger (cancelled or filled)."""
        wanted = set(order_ids)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONFIRM_TIMEOUT_S
        while True:
            open_ids = {o.order_id for o in self.working_orders()} & wanted
            if not open_ids:
                return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.02)

    def _mark_ticks(self) -> int | None:
        mark = self._mark()
        return None if mark is None else round(mark)

    def _later(self, job: Any) -> None:
        """Run a coroutine after the current broker callback (listeners must not block)."""
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for exits started from broker callbacks (replay keeps them in event order)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _lost_protection(self, update: OrderStatusUpdate) -> bool:
        """A working stop or target the broker cancelled or rejected on its own: not one we
        cancelled, not the OCA sibling of a fill, not the child of an entry that never filled."""
        if update.status not in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
            return False
        if update.order_id in self._cancelling:
            return False
        orders = self.manager.orders()
        order = next((o for o in orders if o.order_id == update.order_id), None)
        if order is None or order.order_type is OrderType.MARKET:
            return False
        if any(o.oca_group == order.oca_group and o.filled_quantity for o in orders):
            return False
        parent = next((o for o in orders if o.order_id == order.parent_id), None)
        return parent is None or parent.filled_quantity > 0

    def _round_trip(self, fill: Fill) -> None:
        """Fold the fill into the round trips; publish a trade when it closed one."""
        orders = self.manager.orders()
        order = next((o for o in orders if o.order_id == fill.order_id), None)
        if order is None or fill.instrument != self.instrument:
            return
        stop = next(
            (o for o in orders if o.parent_id == order.order_id and o.order_type is OrderType.STOP),
            None,
        )
        closed = self.round_trips.on_fill(order, stop, fill.quantity, fill.price_ticks, fill.ts_ns)
        if closed is not None:
            rate = self._rate()
            self._publish({"kind": "trade", **closed.to_dict(self.tick_value_usd, rate)})

    def _is_target_fill(self, fill: Fill) -> bool:
        order = next((o for o in self.manager.orders() if o.order_id == fill.order_id), None)
        return order is not None and order.order_type is OrderType.LIMIT and bool(order.parent_id)

    async def _to_breakeven(self) -> None:
        """T1 filled and a second bracket runs on: move its stop to the entry fill (cancel the
        old stop, wait for the broker, then a new stop in the same OCA group as its target)."""
        trip = self.round_trips.open_trip
        if trip is None or self._exiting:
            return
        d = trip.direction
        entry = math.floor(trip.entry_ticks) if d > 0 else math.ceil(trip.entry_ticks)
        stops = [
            o
            for o in self.working_orders()
            if o.order_type is OrderType.STOP and (entry - o.price_ticks) * d > 0
        ]
        for stop in stops:
            await self._cancel_all([stop.order_id])
            if not await self._confirmed([stop.order_id]):
                log.warning("breakeven: the broker did not confirm cancelling %s", stop.order_id)
                return
            left = abs(self.manager.positions.get(self.instrument, 0))
            if left == 0:
                return
            now_ns = self.clock.now_ns()
            result = await self.safe.submit_exit(
                OrderIntent(
                    f"{stop.signal_id[:40]}:be@{now_ns}"[:64],
                    self.instrument,
                    stop.action,
                    min(left, stop.quantity - stop.filled_quantity),
                    entry,
                    now_ns,
                    order_type=OrderType.STOP,
                    oca_group=stop.oca_group,
                )
            )
            self._publish(
                {
                    "kind": "stop_moved",
                    "from": ticks_to_price(stop.price_ticks, self.tick_size),
                    "to": ticks_to_price(entry, self.tick_size),
                    "accepted": result.accepted,
                    "detail": result.detail,
                }
            )
            if not result.accepted:
                await self.exit_position("could not move the stop to break-even")
                return

    def _orphans(self) -> list[str]:
        """Working children whose parent filled while the position is flat: the trade is over."""
        by_id = {o.order_id: o for o in self.manager.orders()}
        out = []
        for o in self.working_orders():
            parent = by_id.get(o.parent_id)
            if parent is not None and parent.status is OrderStatus.FILLED:
                out.append(o.order_id)
        return out

    async def _cancel_all(self, order_ids: list[str]) -> None:
        """Cancel our own orders (their cancels are expected, not a lost protection)."""
        for order_id in order_ids:
            self._cancelling.add(order_id)
            try:
                await self.safe.cancel(order_id)
            except Exception as exc:  # already final at the broker
                log.info("cancel %s: %s", order_id, exc)

    def working_orders(self) -> list[OrderRecord]:
        """Orders of the traded instrument still working (or on their way) at the broker."""
        return [
            o
            for o in self.manager.orders()
            if o.instrument == self.instrument and not o.status.is_final
        ]

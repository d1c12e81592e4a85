"""The trading side of one source: safety manager, broker and the node's own position book.

Trade intents go through the safety gate (`execution.SafeBroker`): an entry by the entry desk
(`engine.entries`) as bracket orders whose stop and target work at the broker (spec §5.6), an
exit by the guard's race-free rule (cancel the children, wait for the broker, then close what the broker reports).
Exits and protective orders pass every gate; nothing else cancels a protective stop. Broker events
come back as order and fill events for the dashboard, fills for the store, and positions/P&L for
the snapshot; a restarted node adopts the working children it finds at the broker.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from orderflow_lib.core.clock import Clock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.entries import EntryDesk
from orderflow_lib.engine.guard import TradeGuard
from orderflow_lib.engine.ports import Sink
from orderflow_lib.engine.view import Decision, MarketView
from orderflow_lib.execution.broker import Broker
from orderflow_lib.execution.events import BrokerListener, Fill, OrderStatusUpdate
from orderflow_lib.execution.fill_first import FillsFirst
from orderflow_lib.execution.listeners import ListenerChain
from orderflow_lib.execution.pnl import PositionBook, usd_to_gbp
from orderflow_lib.execution.safe_broker import SafeBroker
from orderflow_lib.market.events import Quote, ticks_to_price
from orderflow_lib.risk.fence_file import FenceFile
from orderflow_lib.risk.manager import ProductionSafetyManager
from orderflow_lib.risk.memory_store import InMemorySafetyStore
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.records import OrderRecord
from orderflow_lib.risk.venue import AccountSnapshot, OrderIntent, OrderType, SubmitResult
from orderflow_lib.strategy.intents import TradeIntent

log = logging.getLogger(__name__)
Publish = Callable[[dict[str, Any]], None]


class TradingSession:
    """Gate, broker and positions of one source; create with `await TradingSession.open(...)`."""

    def __init__(
        self,
        *,
        source: str,
        settings: Settings,
        manager: ProductionSafetyManager,
        broker: Broker,
        publish: Publish,
        sink: Sink | None,
        clock: Clock,
    ) -> None:
        self.source = source
        self.clock = clock
        self.instrument = settings.instrument.execute
        self.tick_size = settings.instrument.tick_size
        self.manager = manager
        self.broker = broker
        self.safe = SafeBroker(manager, broker)
        record: tuple[BrokerListener, ...] = ()
        if sink is not None:
            record = (FillsFirst(sink.fill),)
            manager.add_execution_listener(sink.executions)
        broker.add_listener(ListenerChain(*record, self.safe, self))
        self._publish = publish
        self.entries = EntryDesk(
            source=source,
            instrument=self.instrument,
            tick_size=self.tick_size,
            safe=self.safe,
            clock=clock,
            publish=publish,
            sink=sink,
            max_decision_age_ms=settings.risk.max_decision_age_ms,
            acted=(o.signal_id for o in manager.orders()),
        )
        self.book = PositionBook()
        self.account: AccountSnapshot | None = None
        self.fills = 0
        self._mark: float | None = None
        self._gate: tuple[str, bool, bool] | None = None
        self.tick_value_usd = settings.instrument.tick_value[self.instrument]
        self.guard = TradeGuard(
            source=source,
            instrument=self.instrument,
            manager=manager,
            safe=self.safe,
            broker=broker,
            clock=clock,
            publish=publish,
            tick_size=self.tick_size,
            tick_value_usd=self.tick_value_usd,
            breakeven_after_t1=settings.trade.breakeven_after_t1,
            mark=lambda: self._mark,
            rate=lambda: None if self.account is None else self.account.gbp_per_usd,
        )
        self.round_trips = self.guard.round_trips

    @classmethod
    async def open(
        cls,
        *,
        source: str,
        settings: Settings,
        clock: Clock,
        auth_key: str,
        broker: Broker,
        safety: SafetyStore | None,
        publish: Publish,
        sink: Sink | None,
        connect: bool = True,
        in_trading_window: Callable[[int], bool] | None = None,
        fence_file: FenceFile | None = None,
    ) -> TradingSession:
        """Start the safety manager on the persisted state of `source` (`safety`; in memory when
        None) and connect the broker.

        `in_trading_window` overrides the calendar's risk.trading_window (tests, special hours).
        """
        manager = await ProductionSafetyManager.create(
            safety if safety is not None else InMemorySafetyStore(),
            settings.risk,
            clock,
            auth_key=auth_key,
            in_trading_window=in_trading_window,
            fence_file=fence_file,
        )
        session = cls(
            source=source,
            settings=settings,
            manager=manager,
            broker=broker,
            publish=publish,
            sink=sink,
            clock=clock,
        )
        if connect:
            await session.safe.connect()
        await session.refresh_account()
        await session.guard.adopt()
        session.publish_gate_change()
        return session

    # ---- market and decisions ----------------------------------------------------------------

    def on_market(self, view: MarketView) -> None:
        """Show the broker simulation and the gate the market as of `view`."""
        quote = None
        if view.bid_ticks is not None and view.ask_ticks is not None:
            quote = (view.bid_ticks, view.bid_size or 0, view.ask_ticks, view.ask_size or 0)
        self.on_touch(view.ts_ns, view.last_ticks, quote)

    def on_touch(
        self, ts_ns: int, last_ticks: int | None, quote: tuple[int, int, int, int] | None
    ) -> None:
        """Show the broker simulation and the gate the last trade and the (bid, bid size, ask,
        ask size) quote as of `ts_ns`."""
        if last_ticks is not None:
            self.manager.on_last_trade(self.instrument, last_ticks)
        if quote is not None:
            bid, bid_size, ask, ask_size = quote
            self._mark = (bid + ask) / 2
            self.broker.on_quote(self.instrument, Quote(ts_ns, bid, bid_size, ask, ask_size))

    def working_orders(self) -> list[OrderRecord]:
        """Orders of the traded instrument still working (or on their way) at the broker."""
        return self.guard.working_orders()

    async def exit_position(self, reason: str) -> dict[str, Any]:
        """Close the position by the race-free exit rule (see TradeGuard)."""
        return await self.guard.exit_position(reason)

    async def flatten(self, reason: str) -> dict[str, Any]:
        """Cancel every working order and close every position (the operator's `flatten`)."""
        return await self.guard.flatten(reason)

    async def settle(self) -> None:
        """Wait for the exits and cancels broker callbacks started."""
        await self.guard.settle()

    def start_day(self) -> None:
        """A new trade date: a paper broker's daily P&L counts from here."""
        self.broker.start_new_day()

    def on_trades(self, ts_ns: np.ndarray, price_ticks: np.ndarray) -> None:
        """Trades in time order, for a paper broker's fills (a live broker fills by itself)."""
        if len(price_ticks):
            self.broker.on_trades(self.instrument, ts_ns, price_ticks)

    async def act(self, decision: Decision, intents: list[TradeIntent]) -> list[SubmitResult]:
        """Each intent through the gate: exits by the race-free rule, entries by the entry desk."""
        results: list[SubmitResult] = []
        for intent in intents:
            if intent.exit:
                await self.exit_position(intent.reason)
            else:
                results.extend(await self.entries.enter(decision, intent))
        return results

    def journal(self, entries: list[dict[str, Any]]) -> None:
        """Store and stream the strategy's decisions (entries taken and skipped, with numbers)."""
        self.entries.journal(entries)

    @property
    def sent(self) -> list[tuple[OrderIntent, SubmitResult]]:
        """Each order sent to the gate (a bracket's parent) with the gate's answer."""
        return self.entries.sent

    @property
    def duplicates_skipped(self) -> int:
        """Ideas skipped because their signal already has an order."""
        return self.entries.duplicates_skipped

    @property
    def expired(self) -> int:
        """Ideas dropped because they were decided too long ago."""
        return self.entries.expired

    async def refresh_account(self) -> None:
        """Pull account values (drives the drawdown breaker); a failure is logged, the gate fences."""
        if not self.broker.is_connected():
            return
        try:
            self.account = await self.broker.account()
        except Exception as exc:  # the gate treats an unanswering broker as critical on submit
            log.warning("account refresh failed: %s", exc)
            return
        self.manager.on_account(self.account)
        tripped = self.manager.status().breaker_tripped
        if tripped and self.manager.positions.get(self.instrument, 0) and not self.guard.exiting:
            await self.guard.exit_position("the drawdown breaker tripped")

    # ---- broker events -----------------------------------------------------------------------

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        """Publish an order status change; a protective child lost while in a position exits."""
        self.guard.on_order_status(update)
        self._publish(
            {
                "kind": "order",
                "order_id": update.order_id,
                "broker_order_id": update.broker_order_id,
                "status": str(update.status),
                "reason": update.reason or None,
                "ts_ns": update.ts_ns,
            }
        )

    def on_fill(self, fill: Fill) -> None:
        """Book a fill (stored already by FillsFirst) and publish it; once flat, cancel children
        left working."""
        self.fills += 1
        self.book.apply_fill(fill.instrument, fill.action.sign * fill.quantity, fill.price_ticks)
        self._publish(
            {
                "kind": "fill",
                "order_id": fill.order_id,
                "fill_id": fill.fill_id,
                "instrument": fill.instrument,
                "action": str(fill.action),
                "quantity": fill.quantity,
                "price": ticks_to_price(fill.price_ticks, self.tick_size),
                "ts_ns": fill.ts_ns,
            }
        )
        self.guard.on_fill(fill)

    def on_connection(self, connected: bool, reason: str) -> None:
        """Publish a broker connection change (the gate's fence is raised by the manager)."""
        self._publish({"kind": "broker", "connected": connected, "reason": reason or None})
        self.publish_gate_change()

    # ---- state for snapshots -----------------------------------------------------------------

    def gate(self) -> dict[str, Any]:
        """The gate's state for the snapshot (reasons in plain words)."""
        status = self.manager.status()
        return {
            "state": str(status.effective_state),
            "ready": status.ready,
            "fence_active": status.fence_active,
            "fence_reason": status.fence_reason or None,
            "breaker_tripped": status.breaker_tripped,
            "reasons": list(status.violations),
        }

    def publish_gate_change(self) -> None:
        """Publish a gate event when the effective state, fence or breaker changed."""
        gate = self.gate()
        key = (gate["state"], gate["fence_active"], gate["breaker_tripped"])
        if key != self._gate:
            self._gate = key
            reason = gate["fence_reason"] or ("; ".join(gate["reasons"]) or None)
            self._publish({"kind": "gate", "state": gate["state"], "reason": reason})

    def position(self) -> dict[str, Any]:
        """Position and P&L of the executed instrument for the snapshot."""
        qty = self.manager.positions.get(self.instrument, 0)
        pos = self.book.positions.get(self.instrument)
        known = pos is not None and pos.quantity == qty and qty != 0
        unrealized = (
            pos.unrealized_usd(self._mark)
            if pos is not None and self._mark is not None and known
            else 0.0
        )
        realized = self.book.realized_usd()
        daily_gbp = self.account.daily_pnl_gbp if self.account is not None else None
        working = self.working_orders()
        stops = [o.price_ticks for o in working if o.order_type is OrderType.STOP]
        targets = [o.price_ticks for o in working if o.order_type is OrderType.LIMIT]
        trip = self.round_trips.open_trip
        rate = None if self.account is None else self.account.gbp_per_usd
        return {
            "instrument": self.instrument,
            "qty": qty,
            "avg_price": ticks_to_price(round(pos.avg_entry_ticks), self.tick_size)
            if known and pos is not None
            else None,
            "stop": ticks_to_price(stops[0], self.tick_size) if qty and stops else None,
            "targets": [ticks_to_price(t, self.tick_size) for t in targets] if qty else [],
            "scenario_id": None if trip is None else trip.scenario_id,
            "unrealized_usd": unrealized,
            "realized_usd": realized,
            "daily_pnl_gbp": daily_gbp if daily_gbp is None or math.isfinite(daily_gbp) else None,
            "trades": [
                t.to_dict(self.tick_value_usd, rate) for t in self.round_trips.trips if t.closed
            ][-20:],
        }

    def pnl_usd(self) -> tuple[float, float]:
        """(realized, unrealized) USD of this session's fills."""
        unrealized = (
            self.book.unrealized_usd({k: self._mark for k in self.book.positions})
            if self._mark is not None
            else 0.0
        )
        return self.book.realized_usd(), unrealized

    def account_gbp(self) -> dict[str, Any]:
        """Balance and exchange rate for the snapshot."""
        if self.account is None:
            return {"balance_gbp": None, "usd_per_gbp": None}
        return {
            "balance_gbp": self.account.net_liquidation_gbp,
            "usd_per_gbp": 1.0 / self.account.gbp_per_usd,
        }

    def realized_gbp(self) -> float | None:
        """Realized P&L in GBP at the broker's rate (None before the first account values)."""
        if self.account is None:
            return None
        return usd_to_gbp(self.book.realized_usd(), self.account.gbp_per_usd)

    async def close(self) -> None:
        """Stop the gate (nothing more is sent) and disconnect the broker."""
        self.manager.close()
        try:
            await self.safe.disconnect()
        except Exception as exc:  # closing must go on even if the broker is already gone
            log.warning("broker disconnect failed: %s", exc)

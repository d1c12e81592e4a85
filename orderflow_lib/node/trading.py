"""The trading side of one source: safety manager, broker and the node's own position book.

Trade ideas become order intents (once per signal id, ever: a restarted node finds the signals it
already has orders for in the store) and go through the safety gate (`execution.SafeBroker`);
broker events come back as order and fill events for the dashboard, fills for the store, and
positions/P&L for the snapshot.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orderflow_lib.core.clock import Clock
from orderflow_lib.core.config import Settings
from orderflow_lib.execution.broker import Broker
from orderflow_lib.execution.events import Fill, OrderStatusUpdate
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.execution.pnl import PositionBook, usd_to_gbp
from orderflow_lib.execution.safe_broker import SafeBroker
from orderflow_lib.market.events import Quote, ticks_to_price
from orderflow_lib.node.persist import Persister
from orderflow_lib.node.strategy import TradeIdea
from orderflow_lib.node.view import Decision, MarketView
from orderflow_lib.risk.manager import ProductionSafetyManager
from orderflow_lib.risk.memory_store import InMemorySafetyStore
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.venue import AccountSnapshot, OrderIntent, SubmitResult
from orderflow_lib.store import FillRecord, SignalRecord, Store

log = logging.getLogger(__name__)
Publish = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class IntentRecord:
    """An order intent the node sent to the gate and what the gate answered (for summaries and
    the replay-determinism check)."""

    ts_ns: int
    signal_id: str
    strategy: str
    action: str
    quantity: int
    price_ticks: int
    accepted: bool
    reason: str | None


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
        persister: Persister | None,
    ) -> None:
        self.source = source
        self.instrument = settings.instrument.execute
        self.tick_size = settings.instrument.tick_size
        self.manager = manager
        self.broker = broker
        self.safe = SafeBroker(manager, broker)
        broker.add_listener(self)
        self._publish = publish
        self._persister = persister
        self._acted: set[str] = {o.signal_id for o in manager.orders()}
        self.book = PositionBook()
        self.account: AccountSnapshot | None = None
        self.intents: list[IntentRecord] = []
        self.fills = 0
        self.duplicates_skipped = 0
        self._mark: float | None = None
        self._gate: tuple[str, bool, bool] | None = None

    @classmethod
    async def open(
        cls,
        *,
        source: str,
        settings: Settings,
        clock: Clock,
        auth_key: str,
        broker: Broker,
        store: Store | None,
        publish: Publish,
        persister: Persister | None,
        connect: bool = True,
        in_trading_window: Callable[[int], bool] | None = None,
    ) -> TradingSession:
        """Start the safety manager on the store's state of `source` and connect the broker.

        `in_trading_window` overrides the calendar's risk.trading_window (tests, special hours).
        """
        safety: SafetyStore = (
            store.safety_store(source, actor="node") if store is not None else InMemorySafetyStore()
        )
        manager = await ProductionSafetyManager.create(
            safety, settings.risk, clock, auth_key=auth_key, in_trading_window=in_trading_window
        )
        session = cls(
            source=source,
            settings=settings,
            manager=manager,
            broker=broker,
            publish=publish,
            persister=persister,
        )
        if connect:
            await session.safe.connect()
        await session.refresh_account()
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
            if isinstance(self.broker, PaperBroker):
                self.broker.on_quote(self.instrument, Quote(ts_ns, bid, bid_size, ask, ask_size))

    async def act(self, decision: Decision, ideas: list[TradeIdea]) -> list[SubmitResult]:
        """Send each new idea through the gate (ideas whose signal already has an order are skipped)."""
        results = []
        view = decision.view
        for idea in ideas:
            if idea.signal_id in self._acted:
                self.duplicates_skipped += 1
                continue
            self._acted.add(idea.signal_id)
            price = idea.price_ticks if idea.price_ticks is not None else view.last_ticks
            if price is None:
                continue
            intent = OrderIntent(
                idea.signal_id, self.instrument, idea.action, idea.quantity, price, view.ts_ns
            )
            self._record_signal(idea, decision, price)
            result = await self.safe.submit(intent)
            self.intents.append(
                IntentRecord(
                    view.ts_ns,
                    idea.signal_id,
                    idea.strategy,
                    str(idea.action),
                    idea.quantity,
                    price,
                    result.accepted,
                    result.reason,
                )
            )
            self._publish(
                {
                    "kind": "order",
                    "order_id": result.order_id,
                    "status": "SENT" if result.accepted else "DENIED",
                    "signal_id": idea.signal_id,
                    "strategy": idea.strategy,
                    "action": str(idea.action),
                    "quantity": idea.quantity,
                    "price": ticks_to_price(price, self.tick_size),
                    "reason": result.reason,
                    "detail": result.detail,
                    "ts_ns": view.ts_ns,
                }
            )
            results.append(result)
        return results

    def _record_signal(self, idea: TradeIdea, decision: Decision, price: int) -> None:
        if self._persister is None:
            return
        fired = next((s for s in decision.signals if s.id == idea.signal_id), None)
        payload: dict[str, Any] = {"reason": idea.reason, "quantity": idea.quantity}
        if fired is not None:
            payload.update(
                kind=str(fired.signal.kind),
                direction=fired.signal.direction,
                strength=fired.signal.strength if math.isfinite(fired.signal.strength) else None,
                where=fired.where,
            )
        self._persister.signal(
            SignalRecord(
                idea.signal_id,
                self.source,
                decision.view.ts_ns,
                self.instrument,
                idea.strategy,
                idea.action,
                price,
                payload,
            )
        )

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

    # ---- broker events -----------------------------------------------------------------------

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        """Publish an order status change."""
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
        """Book a fill, store it and publish it."""
        self.fills += 1
        self.book.apply_fill(fill.instrument, fill.action.sign * fill.quantity, fill.price_ticks)
        if self._persister is not None:
            exec_id = (
                fill.fill_id
                if fill.fill_id.startswith(fill.order_id)
                else f"{fill.order_id}:{fill.fill_id}"
            )
            self._persister.fill(
                self.source,
                FillRecord(
                    exec_id[:64],
                    fill.order_id,
                    fill.instrument,
                    fill.action,
                    fill.quantity,
                    fill.price_ticks,
                    0.0,
                    "USD",
                    fill.ts_ns,
                ),
            )
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
        return {
            "instrument": self.instrument,
            "qty": qty,
            "avg_price": ticks_to_price(round(pos.avg_entry_ticks), self.tick_size)
            if known and pos is not None
            else None,
            "unrealized_usd": unrealized,
            "realized_usd": realized,
            "daily_pnl_gbp": daily_gbp if daily_gbp is None or math.isfinite(daily_gbp) else None,
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

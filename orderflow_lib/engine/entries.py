"""Trade intents to orders: once per signal id ever (a restarted node finds the signals it already
has orders for in the store), never late (risk.max_decision_age_ms), an entry with a stop as
bracket orders through the safety gate; each sent intent recorded and published, each decision of
the strategy journalled."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

from orderflow_lib.core.clock import Clock
from orderflow_lib.engine.ports import Sink
from orderflow_lib.engine.view import Decision
from orderflow_lib.execution.safe_broker import SafeBroker
from orderflow_lib.market.events import ticks_to_price
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.risk.venue import OrderIntent, SubmitResult
from orderflow_lib.strategy.intents import TradeIntent

log = logging.getLogger(__name__)
Publish = Callable[[dict[str, Any]], None]


class EntryDesk:
    """Sends a source's entries through its gate and journals the strategy's decisions."""

    def __init__(
        self,
        *,
        source: str,
        instrument: str,
        tick_size: float,
        safe: SafeBroker,
        clock: Clock,
        publish: Publish,
        sink: Sink | None,
        max_decision_age_ms: int,
        acted: Iterable[str],
    ) -> None:
        self.source = source
        self.instrument = instrument
        self.tick_size = tick_size
        self.safe = safe
        self.clock = clock
        self._publish = publish
        self._sink = sink
        self.max_decision_age_ms = max_decision_age_ms
        self._acted: set[str] = set(acted)
        self.sent: list[tuple[OrderIntent, SubmitResult]] = []
        """Each order sent to the gate (a bracket's parent) with the gate's answer."""
        self.duplicates_skipped = 0
        self.expired = 0

    async def enter(self, decision: Decision, intent: TradeIntent) -> list[SubmitResult]:
        """Send a new entry intent through the gate (an intent whose signal already has an order is
        skipped, one decided too long ago dropped); with a stop, as brackets."""
        view = decision.view
        if intent.signal_id in self._acted:
            self.duplicates_skipped += 1
            return []
        if self._expired(intent, view.ts_ns):
            return []
        self._acted.add(intent.signal_id)
        price = intent.price_ticks if intent.price_ticks is not None else view.last_ticks
        if price is None:
            return []
        self._record_signal(intent, decision, price)
        if intent.stop_ticks is None:
            return [await self._send(intent, intent.signal_id, intent.quantity, price, view.ts_ns)]
        return await self._brackets(intent, price, view.ts_ns)

    def _expired(self, intent: TradeIntent, decided_ns: int) -> bool:
        """True (journalled and logged) when the decision is older than risk.max_decision_age_ms
        on the session's clock (the wall clock live, the market clock in replay): an intent held
        up by an outage must not trade late."""
        now_ns = self.clock.now_ns()
        age_ms = (now_ns - decided_ns) / 1e6
        if age_ms <= self.max_decision_age_ms:
            return False
        self.expired += 1
        text = (
            f"entry {intent.signal_id} dropped: decided {age_ms:.0f} ms ago, "
            f"more than the {self.max_decision_age_ms} ms allowed"
        )
        log.warning(text)
        self.journal(
            [
                {
                    "ts_ns": now_ns,
                    "scenario_id": intent.scenario_id or intent.strategy,
                    "code": "EXPIRED",
                    "text": text,
                    "numbers": {"age_ms": round(age_ms), "max_age_ms": self.max_decision_age_ms},
                }
            ]
        )
        return True

    async def _brackets(self, intent: TradeIntent, price: int, ts_ns: int) -> list[SubmitResult]:
        """One bracket per (quantity, target); a later bracket is not sent when one is refused."""
        assert intent.stop_ticks is not None
        results = []
        for k, (quantity, target) in enumerate(intent.targets):
            signal = intent.signal_id if k == 0 else f"{intent.signal_id[:60]}#{k + 1}"
            result = await self._send(intent, signal, quantity, price, ts_ns, target)
            results.append(result)
            if not result.accepted:
                break
        return results

    async def _send(
        self,
        intent: TradeIntent,
        signal: str,
        quantity: int,
        price: int,
        ts_ns: int,
        target: int | None = None,
    ) -> SubmitResult:
        order = OrderIntent(
            signal, self.instrument, OrderAction(intent.action), quantity, price, ts_ns
        )
        if target is None or intent.stop_ticks is None:
            result = await self.safe.submit(order)
        else:
            result = await self.safe.submit_bracket(order, intent.stop_ticks, target)
        self.sent.append((order, result))
        tick = self.tick_size
        self._publish(
            {
                "kind": "order",
                "order_id": result.order_id,
                "status": "SENT" if result.accepted else "DENIED",
                "signal_id": signal,
                "strategy": intent.strategy,
                "action": str(intent.action),
                "quantity": quantity,
                "price": ticks_to_price(price, tick),
                "stop": None
                if intent.stop_ticks is None
                else ticks_to_price(intent.stop_ticks, tick),
                "target": None if target is None else ticks_to_price(target, tick),
                "scenario_id": intent.scenario_id or None,
                "reason": result.reason,
                "detail": result.detail,
                "ts_ns": ts_ns,
            }
        )
        return result

    def journal(self, entries: list[dict[str, Any]]) -> None:
        """Store and stream the strategy's decisions (entries taken and skipped, with numbers)."""
        for entry in entries:
            self._publish({"kind": "journal", **entry})
            if self._sink is None:
                continue
            ts_ns = int(entry["ts_ns"])
            self._sink.signal(
                f"{self.source}:j{ts_ns}:{entry['scenario_id']}:{entry['code']}"[:64],
                ts_ns,
                self.instrument,
                "journal",
                OrderAction.BUY,
                int(entry["numbers"].get("E", 0)),
                {"kind": "journal", **entry},
            )

    def _record_signal(self, intent: TradeIntent, decision: Decision, price: int) -> None:
        if self._sink is None:
            return
        fired = next((s for s in decision.signals if s.id == intent.signal_id), None)
        payload: dict[str, Any] = {"reason": intent.reason, "quantity": intent.quantity}
        if fired is not None:
            payload.update(
                kind=str(fired.signal.kind),
                direction=fired.signal.direction,
                strength=fired.signal.strength if math.isfinite(fired.signal.strength) else None,
                where=fired.where,
            )
        self._sink.signal(
            intent.signal_id,
            decision.view.ts_ns,
            self.instrument,
            intent.strategy,
            OrderAction(intent.action),
            price,
            payload,
        )

"""One order working at the paper exchange, and how a trade fills it (the §5.6 rules of plan.fills)."""

from __future__ import annotations

from dataclasses import dataclass

from orderflow_lib.core.errors import BrokerError
from orderflow_lib.execution.events import OpenOrder
from orderflow_lib.plan.fills import limit_filled, market_fill_tick, stop_fill_tick, stop_triggered
from orderflow_lib.risk.venue import OrderIntent, OrderType


@dataclass(slots=True)
class PaperOrder:
    """A working order. `quantity` is what it may fill in all (cut when a partly filled parent
    ends); `released` is what it may fill so far: all of it for a single order, what the parent
    has filled for a bracket child. A stop remembers that it `triggered` and then fills as a
    market order for what is left."""

    intent: OrderIntent
    broker_order_id: str
    quantity: int
    released: int
    filled: int = 0
    triggered: bool = False

    @property
    def fillable(self) -> int:
        """Contracts the order may fill now (0 while a child's parent has filled nothing)."""
        return min(self.quantity, self.released) - self.filled

    @property
    def complete(self) -> bool:
        """True once the order has filled all it may."""
        return self.filled >= self.quantity

    def price_on_trade(self, trade_tick: int, slippage_ticks: int) -> int | None:
        """The price a trade at `trade_tick` fills this order at, or None when it does not fill it."""
        side = self.intent.action.sign
        order_type = self.intent.order_type
        if order_type is OrderType.MARKET:
            return market_fill_tick(side, trade_tick, slippage_ticks)
        if order_type is OrderType.STOP:
            if not self.triggered and not stop_triggered(side, self.intent.price_ticks, trade_tick):
                return None
            self.triggered = True
            return stop_fill_tick(side, trade_tick, slippage_ticks)
        if limit_filled(side, self.intent.price_ticks, trade_tick):
            return self.intent.price_ticks
        return None

    def to_open_order(self) -> OpenOrder:
        """The order as the broker reports it to `open_orders`."""
        intent = self.intent
        return OpenOrder(
            order_id=intent.order_id,
            broker_order_id=self.broker_order_id,
            instrument=intent.instrument,
            action=intent.action,
            order_type=intent.order_type,
            quantity=self.quantity,
            filled=self.filled,
            price_ticks=intent.price_ticks,
            parent_id=intent.parent_id,
            oca_group=intent.oca_group,
        )


def check_bracket(parent: OrderIntent, stop: OrderIntent, target: OrderIntent) -> None:
    """Refuse a bracket that is not a market parent with an opposite stop and limit in one OCA group."""
    shapes = ((parent, OrderType.MARKET), (stop, OrderType.STOP), (target, OrderType.LIMIT))
    for intent, order_type in shapes:
        if intent.order_type is not order_type:
            raise BrokerError(
                f"bracket order {intent.order_id!r} must be {order_type.name}, "
                f"was {intent.order_type.name}"
            )
    for child in (stop, target):
        if child.parent_id != parent.order_id:
            raise BrokerError(
                f"bracket child {child.order_id!r} must name parent {parent.order_id!r}, "
                f"named {child.parent_id!r}"
            )
        if child.action is parent.action:
            raise BrokerError(
                f"bracket child {child.order_id!r} must be on the other side of the parent "
                f"({parent.action}), was {child.action}"
            )
        if (child.instrument, child.quantity) != (parent.instrument, parent.quantity):
            raise BrokerError(
                f"bracket child {child.order_id!r} must be {parent.quantity} {parent.instrument}"
                f" like its parent, was {child.quantity} {child.instrument}"
            )
    if not stop.oca_group or stop.oca_group != target.oca_group:
        raise BrokerError(
            "bracket children must share one non-empty oca_group, "
            f"were {stop.oca_group!r} and {target.oca_group!r}"
        )

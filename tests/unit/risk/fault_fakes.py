"""Test doubles for the fault tests: a venue that lists its working orders, reported fills."""

from __future__ import annotations

from dataclasses import dataclass

from risk_fakes import RecordingVenue

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.errors import BrokerError


@dataclass(frozen=True)
class Working:
    """An order the broker still works (the fields the gate reads of execution.OpenOrder)."""

    order_id: str
    broker_order_id: str


@dataclass(frozen=True)
class Execution:
    """A fill the broker reports (the fields the gate reads of execution.Fill)."""

    order_id: str
    cumulative_quantity: int
    price_ticks: int
    ts_ns: int


class OrderBookVenue(RecordingVenue):
    """A RecordingVenue that also lists the orders it works: every order placed, unless ended."""

    def __init__(self, clock: ReplayClock) -> None:
        super().__init__(clock)
        self.ended: set[str] = set()
        self.fail_open_orders = False

    async def open_orders(self) -> list[Working]:
        if self.fail_open_orders:
            raise BrokerError("open orders not answering")
        return [
            Working(o.order_id, f"B-{i + 1}")
            for i, o in enumerate(self.placed)
            if o.order_id not in self.ended
        ]


class ExecutionBookVenue(OrderBookVenue):
    """An OrderBookVenue that also reports the executions in `reported` (an ExecutionVenue)."""

    def __init__(self, clock: ReplayClock) -> None:
        super().__init__(clock)
        self.reported: list[Execution] = []

    async def executions(self) -> list[Execution]:
        return list(self.reported)

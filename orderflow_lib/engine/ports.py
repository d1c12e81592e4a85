"""What the engine hands to durable storage, as a port: the node backs it with the store, a
backtest with the store or nothing. The engine itself does no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from orderflow_lib.engine.context import PriorSession
from orderflow_lib.engine.view import MarketView
from orderflow_lib.execution.events import Fill
from orderflow_lib.plan.model import Plan
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.risk.venue import ExecutionReport


class Sink(Protocol):
    """Receives what the trading loop wants kept (calls must not block)."""

    def signal(
        self,
        signal_id: str,
        ts_ns: int,
        instrument: str,
        strategy: str,
        action: OrderAction,
        price_ticks: int,
        payload: dict[str, Any],
    ) -> None:
        """A signal acted on, or a journalled decision (`strategy` "journal")."""
        ...

    def fill(self, fill: Fill) -> None:
        """An execution."""
        ...

    def executions(self, executions: Sequence[ExecutionReport]) -> None:
        """The executions the broker reported at a restart or force-sync (keep those missing)."""
        ...

    def bar(self, view: MarketView) -> None:
        """The market at a bar's close (last trade, top of book, volume)."""
        ...

    def plan(self, plan: Plan) -> None:
        """The day's plan, once it is built at the open."""
        ...

    def profile(self, prior: PriorSession, contract: str, as_of_ns: int) -> None:
        """A completed RTH session, for later composites."""
        ...

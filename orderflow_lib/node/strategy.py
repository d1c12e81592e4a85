"""Ports for the decision makers the node drives: strategies (decisions in, trade ideas out) and
the day's plan (scenario statuses). Each is a Protocol, so the real ones from
`orderflow_lib.strategy` / `orderflow_lib.plan` plug in beside test doubles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from orderflow_lib.core.errors import ConfigError
from orderflow_lib.node.context import SessionContext
from orderflow_lib.node.view import Decision
from orderflow_lib.risk.records import OrderAction


@dataclass(frozen=True, slots=True)
class TradeIdea:
    """An order a strategy wants: `signal_id` makes it idempotent (one order per signal, ever).

    `price_ticks` is the price the strategy expects (None: the last trade), used by the gate's
    price-sanity check.
    """

    signal_id: str
    action: OrderAction
    quantity: int
    strategy: str
    reason: str
    price_ticks: int | None = None

    def __post_init__(self) -> None:
        if not self.signal_id:
            raise ConfigError("trade idea needs a signal_id, was ''")
        if self.quantity < 1:
            raise ConfigError(f"trade idea quantity must be >= 1, was {self.quantity}")


class Strategy(Protocol):
    """Turns decisions into trade ideas; must be deterministic (same decisions, same ideas)."""

    @property
    def name(self) -> str:
        """Short name stored with every signal it acts on."""
        ...

    def start_session(self, context: SessionContext) -> None:
        """A new trade date begins (or the source changed): forget intraday state."""
        ...

    def on_decision(self, decision: Decision) -> Sequence[TradeIdea]:
        """Ideas at this decision point (usually none)."""
        ...


class PlanTracker(Protocol):
    """The day's plan as the dashboard shows it. The node drives it as one of its strategies (a
    plan that trades nothing returns no ideas), so it is evaluated once per decision."""

    def snapshot(self) -> dict[str, Any] | None:
        """The plan in the snapshot's shape (trade_date, bias, regime, scenarios), or None."""
        ...

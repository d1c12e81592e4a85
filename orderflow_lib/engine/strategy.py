"""Ports for the decision makers the node drives: strategies (decisions in, trade intents out) and
the day's plan (scenario statuses). Each is a Protocol, so the real ones from
`orderflow_lib.strategy` / `orderflow_lib.plan` plug in beside test doubles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from orderflow_lib.engine.context import SessionContext
from orderflow_lib.engine.view import Decision
from orderflow_lib.plan.model import Plan
from orderflow_lib.strategy.intents import TradeIntent


class Strategy(Protocol):
    """Turns decisions into trade intents; must be deterministic (same decisions, same intents)."""

    @property
    def name(self) -> str:
        """Short name stored with every signal it acts on."""
        ...

    def start_session(self, context: SessionContext) -> None:
        """A new trade date begins (or the source changed): forget intraday state."""
        ...

    def on_decision(self, decision: Decision) -> Sequence[TradeIntent]:
        """Ideas at this decision point (usually none)."""
        ...


class PlanTracker(Protocol):
    """The day's plan as the dashboard shows it. The node drives it as one of its strategies (a
    plan that trades nothing returns no intents), so it is evaluated once per decision."""

    def snapshot(self) -> dict[str, Any] | None:
        """The plan in the snapshot's shape (trade_date, bias, regime, scenarios), or None."""
        ...


@runtime_checkable
class DecisionJournal(Protocol):
    """A strategy that journals its decisions (entries taken and skipped, with the numbers)."""

    def take_journal(self) -> list[dict[str, Any]]:
        """Journal entries since the last call (plain dicts)."""
        ...


@runtime_checkable
class PlanSource(Protocol):
    """A strategy that builds the day's plan (the node stores and streams it)."""

    def take_plans(self) -> list[Plan]:
        """Plans built since the last call."""
        ...

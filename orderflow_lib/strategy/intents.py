"""Order intents a strategy emits: what to trade (MES by default), which way, how many, why, where
the stop and the target are, and the id of the signal that timed the entry. The node turns an
intent into a broker order after the safety gate."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from orderflow_lib.flow.signals import Signal


def signal_id(signal: Signal) -> str:
    """A stable id of an order-flow signal: 'KIND@ts_ns:price_ticks'."""
    return f"{signal.kind}@{signal.ts_ns}:{signal.price_ticks}"


@dataclass(frozen=True, slots=True)
class TradeIntent:
    """A market order the strategy wants, with its plan: side +1 buy / -1 sell, prices in ticks."""

    signal_id: str
    ts_ns: int
    instrument: str
    side: int
    quantity: int
    entry_tick: int
    stop_tick: int
    target_tick: int
    entry_reason: str
    scenario_id: str
    family: str
    setup: str
    regime: str
    score: Fraction

    def __post_init__(self) -> None:
        if self.side not in (1, -1):
            raise ValueError(f"side must be +1 (buy) or -1 (sell), was {self.side}")
        if self.quantity < 1:
            raise ValueError(f"quantity must be >= 1 contract, was {self.quantity}")
        if (self.target_tick - self.entry_tick) * self.side <= 0:
            raise ValueError(
                f"target {self.target_tick} must be beyond the entry {self.entry_tick} for side {self.side}"
            )
        if (self.entry_tick - self.stop_tick) * self.side <= 0:
            raise ValueError(
                f"stop {self.stop_tick} must be behind the entry {self.entry_tick} for side {self.side}"
            )

    @property
    def action(self) -> str:
        """'BUY' or 'SELL'."""
        return "BUY" if self.side > 0 else "SELL"

    @property
    def risk_ticks(self) -> int:
        """Distance from entry to stop."""
        return abs(self.entry_tick - self.stop_tick)

    @property
    def reward_ticks(self) -> int:
        """Distance from entry to target."""
        return abs(self.target_tick - self.entry_tick)

    def tags(self) -> dict[str, str]:
        """The labels the performance analysis groups by: setup, regime, scenario, family."""
        return {
            "setup": self.setup,
            "regime": self.regime,
            "scenario": self.scenario_id,
            "family": self.family,
            "signal_id": self.signal_id,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (score as text)."""
        return {
            "signal_id": self.signal_id,
            "ts_ns": self.ts_ns,
            "instrument": self.instrument,
            "action": self.action,
            "quantity": self.quantity,
            "entry_tick": self.entry_tick,
            "stop_tick": self.stop_tick,
            "target_tick": self.target_tick,
            "entry_reason": self.entry_reason,
            "scenario_id": self.scenario_id,
            "family": self.family,
            "setup": self.setup,
            "regime": self.regime,
            "score": str(self.score),
        }

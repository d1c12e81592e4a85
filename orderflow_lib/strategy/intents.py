"""Trade intents a strategy emits: which way, how many, why, where the §5.6 stop and targets are,
and the id that makes it one entry per signal. The trading session turns an intent into bracket
orders after the safety gate. Journal entries record every entry taken and skipped with its
reason and numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from orderflow_lib.core.errors import ConfigError
from orderflow_lib.flow.signals import Signal


def signal_id(signal: Signal) -> str:
    """A stable id of an order-flow signal: 'KIND@ts_ns:price_ticks'."""
    return f"{signal.kind}@{signal.ts_ns}:{signal.price_ticks}"


@dataclass(frozen=True, slots=True)
class TradeIntent:
    """A trade a strategy wants, from the strategy to the safety gate: the one intent type.

    `signal_id` makes it idempotent (one order per signal, ever). `price_ticks` is the price the
    strategy expects (None: the last trade), used by the gate's price-sanity check. An entry with
    `stop_ticks` goes as brackets, one per (quantity, target) of `targets`, the stop behind the
    price and every target beyond it; an `exit` closes the position by the race-free exit rule
    (quantity ignored). `scenario_id`, `setup` and `journal` (E, S, R, T1, ...) are stored with
    the entry.
    """

    signal_id: str
    action: Literal["BUY", "SELL"]
    quantity: int
    strategy: str
    reason: str
    price_ticks: int | None = None
    stop_ticks: int | None = None
    targets: tuple[tuple[int, int], ...] = ()
    exit: bool = False
    scenario_id: str = ""
    setup: str = ""
    journal: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.signal_id:
            raise ConfigError("a trade intent needs a signal_id, was ''")
        if self.action not in ("BUY", "SELL"):
            raise ConfigError(f"action must be 'BUY' or 'SELL', was {self.action!r}")
        if self.quantity < 1:
            raise ConfigError(f"quantity must be >= 1 contract, was {self.quantity}")
        if self.stop_ticks is None:
            return
        if sum(q for q, _ in self.targets) != self.quantity:
            raise ConfigError(
                f"a bracketed intent needs targets for all {self.quantity} contracts, "
                f"was {self.targets}"
            )
        if self.price_ticks is None:
            return
        if (self.price_ticks - self.stop_ticks) * self.side <= 0:
            raise ConfigError(
                f"stop {self.stop_ticks} must be behind the price {self.price_ticks} for a "
                f"{self.action}"
            )
        for _, target in self.targets:
            if (target - self.price_ticks) * self.side <= 0:
                raise ConfigError(
                    f"target {target} must be beyond the price {self.price_ticks} for a "
                    f"{self.action}"
                )

    @property
    def side(self) -> int:
        """+1 for a buy, -1 for a sell."""
        return 1 if self.action == "BUY" else -1


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One decision of the strategy: an entry taken (`taken`) or skipped, with a reason code, the
    reason in words and the numbers it was decided on (E, S, R, T1, qty, score components)."""

    ts_ns: int
    scenario_id: str
    taken: bool
    code: str
    text: str
    numbers: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "ts_ns": self.ts_ns,
            "scenario_id": self.scenario_id,
            "taken": self.taken,
            "code": self.code,
            "text": self.text,
            "numbers": self.numbers,
        }

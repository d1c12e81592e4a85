"""What the gate needs from a broker and an order: the OrderVenue port, OrderIntent, AccountSnapshot.

These live in risk (below execution) so the gate can judge and send orders without importing
execution; execution.Broker is an OrderVenue with connection and event plumbing on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from orderflow_lib.core.errors import SafetyError
from orderflow_lib.risk.records import OrderAction


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """A market order a strategy wants: `price_ticks` is the price it expects (checked for sanity).

    `instrument` is the root symbol ("MES"); `order_id` is empty until the gate assigns its client id.
    """

    signal_id: str
    instrument: str
    action: OrderAction
    quantity: int
    price_ticks: int
    ts_ns: int
    order_id: str = ""

    def __post_init__(self) -> None:
        if not self.signal_id:
            raise SafetyError("signal_id must be a non-empty string, was ''")
        if not self.instrument:
            raise SafetyError("instrument must be a non-empty root symbol such as 'MES', was ''")
        if self.quantity < 1:
            raise SafetyError(f"quantity must be >= 1 contract, was {self.quantity}")

    @property
    def signed_quantity(self) -> int:
        """+quantity for a buy, -quantity for a sell."""
        return self.action.sign * self.quantity


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """Account values reported by the broker; P&L of the futures is in USD, the account in GBP.

    `gbp_per_usd` is the broker's exchange rate (GBP for one USD, e.g. 0.79).
    """

    ts_ns: int
    net_liquidation_gbp: float
    cash_gbp: float
    gbp_per_usd: float
    daily_pnl_usd: float

    def __post_init__(self) -> None:
        if not self.gbp_per_usd > 0:
            raise SafetyError(f"gbp_per_usd must be > 0, was {self.gbp_per_usd}")

    @property
    def daily_pnl_gbp(self) -> float:
        """Daily P&L converted to GBP at the broker's rate."""
        return self.daily_pnl_usd * self.gbp_per_usd


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """Outcome of `ProductionSafetyManager.submit`: accepted with ids, or denied with a reason."""

    accepted: bool
    order_id: str | None
    broker_order_id: str | None
    reason: str | None
    detail: str


class OrderVenue(Protocol):
    """The broker as the gate sees it: connection state, positions, account and order entry.

    Methods raise core.errors.BrokerError when the broker cannot answer.
    """

    def is_connected(self) -> bool:
        """True while the broker connection is up."""
        ...

    async def positions(self) -> Mapping[str, int]:
        """Net position per instrument root at the broker (contracts, + long / - short)."""
        ...

    async def account(self) -> AccountSnapshot:
        """Current account values."""
        ...

    async def place_order(self, intent: OrderIntent) -> str:
        """Send an order (intent.order_id set) and return the broker's order id.

        Raise BrokerError only when the order was certainly not sent; any other exception means
        the outcome is unknown (the gate then keeps the order open and raises the fence).
        """
        ...

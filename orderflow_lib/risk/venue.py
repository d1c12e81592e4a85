"""What the gate needs from a broker and an order: the OrderVenue port, OrderIntent, AccountSnapshot.

These live in risk (below execution) so the gate can judge and send orders without importing
execution; execution.Broker is an OrderVenue with connection and event plumbing on top.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from orderflow_lib.core.errors import SafetyError
from orderflow_lib.risk.records import OrderAction, OrderType

__all__ = [
    "AccountSnapshot",
    "ExecutionReport",
    "ExecutionVenue",
    "OrderBookVenue",
    "OrderIntent",
    "OrderType",
    "OrderVenue",
    "SubmitResult",
    "WorkingOrder",
]


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """An order a strategy wants. For a market order `price_ticks` is the price it expects (checked
    for sanity); for a stop it is the trigger price, for a limit the limit price.

    `instrument` is the root symbol ("MES"); `order_id` is empty until the gate assigns its client
    id. A bracket child names its parent's client id in `parent_id` and shares `oca_group` with its
    sibling (one fill cancels the other); children are GTC and work outside RTH.
    """

    signal_id: str
    instrument: str
    action: OrderAction
    quantity: int
    price_ticks: int
    ts_ns: int
    order_id: str = ""
    order_type: OrderType = OrderType.MARKET
    parent_id: str = ""
    oca_group: str = ""

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
    """Outcome of `ProductionSafetyManager.submit`: accepted with ids, or denied with a reason;
    `child_ids` are a bracket's (stop, target) client ids."""

    accepted: bool
    order_id: str | None
    broker_order_id: str | None
    reason: str | None
    detail: str
    child_ids: tuple[str, ...] = ()


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

    async def place_bracket(
        self, parent: OrderIntent, stop: OrderIntent, target: OrderIntent
    ) -> tuple[str, str, str]:
        """Send a market parent with its protective stop and target limit as one unit (order ids
        set; the children carry `parent_id` and one `oca_group`) and return the three broker ids.

        The children become live when the parent fills. Errors as for `place_order`.
        """
        ...


class WorkingOrder(Protocol):
    """An order working at the broker, as far as the gate needs it (execution.events.OpenOrder
    is one): our client id, echoed by the broker, and the broker's id."""

    @property
    def order_id(self) -> str: ...

    @property
    def broker_order_id(self) -> str: ...


class ExecutionReport(Protocol):
    """A fill the broker reports (execution.events.Fill is one): the order's total filled so far
    (`cumulative_quantity`) after this fill of some contracts at `price_ticks`."""

    @property
    def order_id(self) -> str: ...

    @property
    def cumulative_quantity(self) -> int: ...

    @property
    def price_ticks(self) -> int: ...

    @property
    def ts_ns(self) -> int: ...


@runtime_checkable
class OrderBookVenue(OrderVenue, Protocol):
    """A venue that can list our orders still working there (execution.Broker is one); force-sync
    asks it, so orders it no longer works are resolved instead of holding headroom for ever."""

    async def open_orders(self) -> Sequence[WorkingOrder]:
        """Every order of ours still working at the broker (bracket children included)."""
        ...


@runtime_checkable
class ExecutionVenue(OrderVenue, Protocol):
    """A venue that can list today's executions of our orders (execution.Broker is one): a
    restart and force-sync apply them, so a fill the node never stored is not lost."""

    async def executions(self) -> Sequence[ExecutionReport]:
        """Every execution of our orders the broker still reports (IB: today's), oldest first."""
        ...

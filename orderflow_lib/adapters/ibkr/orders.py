"""MES orders through IB: market, stop and limit orders and brackets (market parent, protective
stop, target limit in one OCA group), status updates into our order states, fills with their
commission, and rejects (e.g. 201) as a terminal REJECTED state the safety manager sees.

IB's terminal states are our own set (Filled, Cancelled, ApiCancelled, Inactive), never a library
helper; a 201 makes ib_async mark the order Cancelled with the error in its log, then IB sends
Inactive: both end as one REJECTED update carrying the code and IB's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ib_async import CommissionReport, Contract, Fill, Order
from ib_async import Trade as IbTrade

from orderflow_lib.adapters.ibkr.connection import IbConnection
from orderflow_lib.adapters.ibkr.errors import ORDER_CANCELLED, IbkrConnectionError
from orderflow_lib.adapters.ibkr.order_build import (
    BracketRefs,
    bracket_orders,
    market_order,
    resting_order,
)
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.timeconv import datetime_to_ns
from orderflow_lib.market.events import BUY, SELL, price_to_ticks, ticks_to_price
from orderflow_lib.risk.venue import OrderType

IB_TERMINAL_STATES = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})


class OrderState(StrEnum):
    """Our order states; FILLED, CANCELLED and REJECTED are terminal."""

    PENDING = "pending"
    SUBMITTED = "submitted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    @property
    def terminal(self) -> bool:
        """Whether the order can change no more."""
        return self in (OrderState.FILLED, OrderState.CANCELLED, OrderState.REJECTED)


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """An order's state after an IB status change; `error_code`/`reason` are set for rejects."""

    ts_ns: int
    order_id: int
    state: OrderState
    ib_status: str
    filled: int
    remaining: int
    avg_fill_price: float
    error_code: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class FillReport:
    """One execution: `side` +1 bought / -1 sold, exchange time in UTC ns."""

    ts_ns: int
    order_id: int
    exec_id: str
    local_symbol: str
    side: int
    quantity: int
    price: float
    price_ticks: int
    cumulative_quantity: int


@dataclass(frozen=True, slots=True)
class CommissionUpdate:
    """The commission IB charged for one execution (joined to its FillReport by exec_id)."""

    exec_id: str
    order_id: int
    commission: float
    currency: str


def order_state(ib_status: str, filled: float, error_code: int | None) -> OrderState:
    """Our state of an IB status (an error code on a Cancelled order other than 202 means rejected)."""
    if ib_status == "Filled":
        return OrderState.FILLED
    if ib_status == "Inactive":
        return OrderState.REJECTED
    if ib_status in ("Cancelled", "ApiCancelled"):
        if error_code is not None and error_code != ORDER_CANCELLED:
            return OrderState.REJECTED
        return OrderState.CANCELLED
    if ib_status in ("Submitted", "PreSubmitted", "ValidationError"):
        return OrderState.PARTIALLY_FILLED if filled > 0 else OrderState.SUBMITTED
    return OrderState.PENDING


@dataclass(slots=True)
class OrderHandlers:
    """Callbacks of the order router (each optional)."""

    on_update: Callable[[OrderUpdate], None] | None = None
    on_fill: Callable[[FillReport], None] | None = None
    on_commission: Callable[[CommissionUpdate], None] | None = None


class IbOrderRouter:
    """Places orders on one contract (MES) and reports their life cycle, bracket children included
    (a child's fill, partial fill and its OCA sibling's cancel arrive like any order's)."""

    def __init__(
        self,
        connection: IbConnection,
        contract: Contract,
        handlers: OrderHandlers,
        *,
        tick_size: float = ES_TICK_SIZE,
    ) -> None:
        self.connection = connection
        self.contract = contract
        self.handlers = handlers
        self.tick_size = tick_size
        self.orders: dict[int, OrderUpdate] = {}
        self._seen_exec_ids: set[str] = set()
        ib = connection.ib
        ib.orderStatusEvent += self._on_status
        ib.execDetailsEvent += self._on_fill
        ib.commissionReportEvent += self._on_commission
        connection.add_resubscriber(self._catch_up)

    def place_market_order(self, side: int, quantity: int, order_ref: str = "") -> int:
        """Send a market order (side +1 buy / -1 sell); returns IB's order id."""
        self._check(quantity)
        return self._send(market_order(side, quantity, order_ref))

    def place_resting_order(
        self,
        side: int,
        quantity: int,
        order_type: OrderType,
        price_ticks: int,
        order_ref: str,
        oca_group: str = "",
    ) -> int:
        """Send a single stop or limit order at `price_ticks` (GTC, outside RTH); returns IB's id."""
        self._check(quantity)
        price = ticks_to_price(price_ticks, self.tick_size)
        order = resting_order(side, quantity, order_type, price, order_ref, oca_group=oca_group)
        return self._send(order)

    def place_bracket(
        self, side: int, quantity: int, stop_ticks: int, target_ticks: int, refs: BracketRefs
    ) -> tuple[int, int, int]:
        """Send a market parent with its stop and target as one bracket; returns the IB ids of
        parent, stop and target. The children start working when the parent fills."""
        self._check(quantity)
        orders = bracket_orders(
            self.connection.ib.client.getReqId(),
            side,
            quantity,
            ticks_to_price(stop_ticks, self.tick_size),
            ticks_to_price(target_ticks, self.tick_size),
            refs,
        )
        parent, stop, target = (self._send(order) for order in orders)
        return parent, stop, target

    def cancel(self, order_id: int) -> None:
        """Ask IB to cancel a working order of this client (a bracket child included)."""
        trade = self.trade_of(order_id)
        if trade is None:
            raise ValueError(f"no order with id {order_id} in this IB session")
        self.connection.ib.cancelOrder(trade.order)

    def trade_of(self, order_id: int) -> IbTrade | None:
        """The ib_async trade of one of this client's orders, if this session knows it."""
        client_id = self.connection.settings.client_id
        for trade in self.connection.ib.trades():
            if trade.order.orderId == order_id and trade.order.clientId == client_id:
                return trade
        return None

    def adopt(self, trade: IbTrade) -> None:
        """Report a working order placed in an earlier session (found after a restart) like ours."""
        if trade.order.clientId != self.connection.settings.client_id:
            raise ValueError(
                f"only orders of client {self.connection.settings.client_id} can be adopted, "
                f"order {trade.order.orderId} belongs to client {trade.order.clientId}"
            )
        self._record(trade)

    def _check(self, quantity: int) -> None:
        if quantity < 1:
            raise ValueError(f"quantity must be >= 1 contract, was {quantity}")
        if not self.connection.is_connected():
            raise IbkrConnectionError("cannot place an order: not connected to IB")

    def _send(self, order: Order) -> int:
        trade = self.connection.ib.placeOrder(self.contract, order)
        self._record(trade)
        return int(trade.order.orderId)

    def _ours(self, trade: IbTrade) -> bool:
        return (
            trade.order.orderId in self.orders
            and trade.order.clientId == self.connection.settings.client_id
        )

    def _record(self, trade: IbTrade) -> None:
        order_id = int(trade.order.orderId)
        previous = self.orders.get(order_id)
        if previous is not None and previous.state.terminal:
            return
        status = trade.orderStatus
        last = trade.log[-1] if trade.log else None
        code = last.errorCode if last is not None and last.errorCode else None
        state = order_state(status.status, status.filled, code)
        total = int(trade.order.totalQuantity)
        update = OrderUpdate(
            ts_ns=self.connection.clock.now_ns(),
            order_id=order_id,
            state=state,
            ib_status=status.status,
            filled=int(status.filled),
            remaining=max(total - int(status.filled), 0),
            avg_fill_price=float(status.avgFillPrice),
            error_code=code if state in (OrderState.REJECTED, OrderState.CANCELLED) else None,
            reason=last.message if code is not None and last is not None else "",
        )
        if previous is not None and (previous.state, previous.filled, previous.ib_status) == (
            update.state,
            update.filled,
            update.ib_status,
        ):
            return
        self.orders[order_id] = update
        if self.handlers.on_update is not None:
            self.handlers.on_update(update)

    def _on_status(self, trade: IbTrade) -> None:
        if self._ours(trade):
            self._record(trade)

    def _on_fill(self, trade: IbTrade, fill: Fill) -> None:
        if self._ours(trade):
            self._report_fill(fill)

    def _report_fill(self, fill: Fill) -> None:
        ex = fill.execution
        if ex.execId in self._seen_exec_ids:
            return
        self._seen_exec_ids.add(ex.execId)
        report = FillReport(
            ts_ns=datetime_to_ns(ex.time),
            order_id=int(ex.orderId),
            exec_id=ex.execId,
            local_symbol=str(fill.contract.localSymbol),
            side=BUY if ex.side == "BOT" else SELL,
            quantity=int(ex.shares),
            price=float(ex.price),
            price_ticks=price_to_ticks(ex.price, self.tick_size),
            cumulative_quantity=int(ex.cumQty),
        )
        if self.handlers.on_fill is not None:
            self.handlers.on_fill(report)

    def _on_commission(self, trade: IbTrade, fill: Fill, report: CommissionReport) -> None:
        if self._ours(trade) and self.handlers.on_commission is not None:
            self.handlers.on_commission(
                CommissionUpdate(
                    report.execId,
                    int(trade.order.orderId),
                    float(report.commission),
                    report.currency,
                )
            )

    def _catch_up(self, socket_reset: bool) -> None:
        """After a reconnect: report fills and states that happened while the link was down."""
        ib = self.connection.ib
        client_id = self.connection.settings.client_id
        for fill in ib.fills():
            ex = fill.execution
            if ex.orderId in self.orders and ex.clientId == client_id:
                self._report_fill(fill)
        for trade in ib.trades():
            if self._ours(trade):
                self._record(trade)

"""IbBroker: the execution.Broker protocol on Interactive Brokers (MES orders and brackets, GBP
account).

Our order id (set by the safety gate) travels as IB's orderRef; IB's order id is the broker id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import numpy as np
from ib_async import Contract, ExecutionFilter

from orderflow_lib.adapters.ibkr.account import IbAccount
from orderflow_lib.adapters.ibkr.connection import ConnectionState, IbConnection
from orderflow_lib.adapters.ibkr.errors import IbkrConnectionError, IbkrError
from orderflow_lib.adapters.ibkr.executions import fills_of_ours
from orderflow_lib.adapters.ibkr.open_orders import is_working_ours, open_order_of, order_refs
from orderflow_lib.adapters.ibkr.order_build import BracketRefs
from orderflow_lib.adapters.ibkr.orders import (
    FillReport,
    IbOrderRouter,
    OrderHandlers,
    OrderState,
    OrderUpdate,
)
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.execution.events import BrokerListener, Fill, OpenOrder, OrderStatusUpdate
from orderflow_lib.market.events import Quote
from orderflow_lib.risk.records import OrderAction, OrderStatus
from orderflow_lib.risk.venue import AccountSnapshot, OrderIntent, OrderType

OPEN_ORDERS_TIMEOUT_S = 5.0

_STATUS = {
    OrderState.PENDING: OrderStatus.PENDING,
    OrderState.SUBMITTED: OrderStatus.SUBMITTED,
    OrderState.PARTIALLY_FILLED: OrderStatus.SUBMITTED,
    OrderState.FILLED: OrderStatus.FILLED,
    OrderState.CANCELLED: OrderStatus.CANCELLED,
    OrderState.REJECTED: OrderStatus.REJECTED,
}


def check_bracket(parent: OrderIntent, stop: OrderIntent, target: OrderIntent) -> None:
    """Refuse a bracket IB would not hold as one (before anything is sent): a market parent, a
    stop and a limit on the other side for the same quantity, both children naming the parent and
    sharing one OCA group, the stop on the losing side of the target."""
    expected = (OrderType.MARKET, OrderType.STOP, OrderType.LIMIT)
    exit_action = OrderAction.SELL if parent.action == OrderAction.BUY else OrderAction.BUY
    for intent, order_type in zip((parent, stop, target), expected, strict=True):
        if intent.order_type != order_type:
            raise IbkrError(
                f"order {intent.order_id!r} must be a {order_type.name} order in a bracket, "
                f"was {intent.order_type.name}"
            )
    for child in (stop, target):
        if child.parent_id != parent.order_id:
            raise IbkrError(
                f"child {child.order_id!r} must name parent {parent.order_id!r}, "
                f"was {child.parent_id!r}"
            )
        if child.action != exit_action or child.quantity != parent.quantity:
            raise IbkrError(
                f"child {child.order_id!r} must {exit_action} {parent.quantity}, "
                f"was {child.action} {child.quantity}"
            )
    if not stop.oca_group or stop.oca_group != target.oca_group:
        raise IbkrError(
            f"stop and target must share one non-empty oca_group, were "
            f"{stop.oca_group!r} and {target.oca_group!r}"
        )
    if (target.price_ticks - stop.price_ticks) * parent.action.sign <= 0:
        raise IbkrError(
            f"a {parent.action} bracket's stop ({stop.price_ticks} ticks) must be on the losing "
            f"side of its target ({target.price_ticks} ticks)"
        )


class IbBroker:
    """Broker over one IbConnection, trading one contract (the qualified MES front month)."""

    def __init__(
        self, connection: IbConnection, order_contract: Contract, *, tick_size: float = ES_TICK_SIZE
    ) -> None:
        self.connection = connection
        self.instrument = str(order_contract.symbol)
        self.router = IbOrderRouter(
            connection,
            order_contract,
            OrderHandlers(on_update=self._on_update, on_fill=self._on_fill),
            tick_size=tick_size,
        )
        self.account_reader = IbAccount(connection)
        self._listeners: list[BrokerListener] = []
        self._our_id: dict[int, str] = {}
        self._ib_id: dict[str, int] = {}
        self._last_status: dict[int, OrderStatus] = {}
        connection.add_fence_listener(self._on_link_lost)
        connection.add_state_listener(self._on_state)

    async def connect(self) -> None:
        """Connect to IB and subscribe to the account P&L."""
        await self.connection.connect()
        self.account_reader.start_pnl()

    async def disconnect(self) -> None:
        """Close the IB connection on request."""
        await self.connection.close()

    def is_connected(self) -> bool:
        """True while the API session is up and IB reports no connectivity loss."""
        return self.connection.state == ConnectionState.CONNECTED and self.connection.is_connected()

    def add_listener(self, listener: BrokerListener) -> None:
        """Deliver order status, fill and connection events to `listener`."""
        self._listeners.append(listener)

    def on_quote(self, instrument: str, quote: Quote) -> None:
        """IB sees the market itself: nothing to do."""

    def on_trades(self, instrument: str, ts_ns: np.ndarray, price_ticks: np.ndarray) -> None:
        """IB fills at the exchange: nothing to do."""

    def start_new_day(self) -> None:
        """IB keeps its own daily P&L: nothing to do."""

    async def positions(self) -> Mapping[str, int]:
        """Net position per root symbol at IB."""
        self._require_connection()
        out: dict[str, int] = {}
        for p in self.account_reader.positions():
            out[p.symbol] = out.get(p.symbol, 0) + p.quantity
        return out

    async def account(self) -> AccountSnapshot:
        """Account in GBP; reqPnL's daily P&L (base currency) is reported in USD at IB's rate."""
        self._require_connection()
        values = await self.account_reader.values()
        if values.base_currency != "GBP":
            raise IbkrError(f"account base currency must be GBP, was {values.base_currency!r}")
        pnl = self.account_reader.last_pnl
        daily_gbp = pnl.daily_pnl if pnl is not None else 0.0
        return AccountSnapshot(
            ts_ns=values.ts_ns,
            net_liquidation_gbp=values.net_liquidation,
            cash_gbp=values.total_cash,
            gbp_per_usd=values.usd_rate,
            daily_pnl_usd=daily_gbp / values.usd_rate,
        )

    async def place_order(self, intent: OrderIntent) -> str:
        """Send a market, stop or limit order for the intent; returns IB's order id as text.

        A lone order is live at once: its `parent_id` is not sent (brackets go by place_bracket).
        """
        self._check_intent(intent)
        side = intent.action.sign
        if intent.order_type == OrderType.MARKET:
            ib_id = self.router.place_market_order(side, intent.quantity, order_ref=intent.order_id)
        else:
            ib_id = self.router.place_resting_order(
                side,
                intent.quantity,
                intent.order_type,
                intent.price_ticks,
                intent.order_id,
                intent.oca_group,
            )
        self._track(intent.order_id, ib_id)
        return str(ib_id)

    async def place_bracket(
        self, parent: OrderIntent, stop: OrderIntent, target: OrderIntent
    ) -> tuple[str, str, str]:
        """Send a market parent with its protective stop and target limit as one IB bracket;
        returns the IB ids of parent, stop and target."""
        for intent in (parent, stop, target):
            self._check_intent(intent)
        check_bracket(parent, stop, target)
        refs = BracketRefs(parent.order_id, stop.order_id, target.order_id, stop.oca_group)
        ids = self.router.place_bracket(
            parent.action.sign, parent.quantity, stop.price_ticks, target.price_ticks, refs
        )
        for intent, ib_id in zip((parent, stop, target), ids, strict=True):
            self._track(intent.order_id, ib_id)
        return str(ids[0]), str(ids[1]), str(ids[2])

    async def open_orders(self) -> list[OpenOrder]:
        """Every working order of this client id at IB that carries our client id, as IB reports
        it now (bracket children placed before a restart included); they are adopted, so their
        status changes, fills and cancels work like those of orders placed in this session."""
        self._require_connection()
        ib = self.connection.ib
        try:
            trades = await asyncio.wait_for(ib.reqOpenOrdersAsync(), OPEN_ORDERS_TIMEOUT_S)
        except TimeoutError as exc:
            raise IbkrError(
                f"IB did not list the open orders within {OPEN_ORDERS_TIMEOUT_S} s"
            ) from exc
        client_id = self.connection.settings.client_id
        refs = order_refs(ib.trades(), ib.fills(), client_id)
        out = []
        for trade in trades:
            if not is_working_ours(trade, client_id):
                continue
            ib_id = int(trade.order.orderId)
            if ib_id not in self._our_id:
                self._our_id[ib_id] = trade.order.orderRef
                self._ib_id[trade.order.orderRef] = ib_id
                self.router.adopt(trade)
            out.append(open_order_of(trade, refs, self.router.tick_size))
        return out

    async def executions(self) -> list[Fill]:
        """Today's executions of our orders at IB (reqExecutions for this client id, matched by
        order reference), oldest first."""
        self._require_connection()
        client_id = self.connection.settings.client_id
        try:
            fills = await asyncio.wait_for(
                self.connection.ib.reqExecutionsAsync(ExecutionFilter(clientId=client_id)),
                OPEN_ORDERS_TIMEOUT_S,
            )
        except TimeoutError as exc:
            raise IbkrError(
                f"IB did not list the executions within {OPEN_ORDERS_TIMEOUT_S} s"
            ) from exc
        return fills_of_ours(fills, self.instrument, client_id, self.router.tick_size)

    async def cancel_order(self, order_id: str) -> None:
        """Cancel a working order (a bracket child included) by our client id."""
        self._require_connection()
        if order_id not in self._ib_id:
            raise IbkrError(f"no order with client id {order_id!r}")
        self.router.cancel(self._ib_id[order_id])

    def _check_intent(self, intent: OrderIntent) -> None:
        self._require_connection()
        if not intent.order_id:
            raise IbkrError("order_id must be set by the safety gate, was ''")
        if intent.instrument != self.instrument:
            raise IbkrError(f"instrument must be {self.instrument!r}, was {intent.instrument!r}")

    def _track(self, order_id: str, ib_id: int) -> None:
        self._our_id[ib_id] = order_id
        self._ib_id[order_id] = ib_id
        update = self.router.orders.get(ib_id)
        if update is not None:
            self._on_update(update)

    def _require_connection(self) -> None:
        if not self.is_connected():
            raise IbkrConnectionError(f"IB connection is {self.connection.state}")

    def _on_update(self, update: OrderUpdate) -> None:
        our_id = self._our_id.get(update.order_id)
        status = _STATUS[update.state]
        if our_id is None or self._last_status.get(update.order_id) == status:
            return
        self._last_status[update.order_id] = status
        reason = f"IB error {update.error_code}: {update.reason}" if update.error_code else ""
        event = OrderStatusUpdate(our_id, str(update.order_id), status, update.ts_ns, reason)
        for listener in list(self._listeners):
            listener.on_order_status(event)

    def _on_fill(self, report: FillReport) -> None:
        our_id = self._our_id.get(report.order_id)
        if our_id is None:
            return
        fill = Fill(
            order_id=our_id,
            broker_order_id=str(report.order_id),
            fill_id=report.exec_id,
            instrument=self.instrument,
            action=OrderAction.BUY if report.side > 0 else OrderAction.SELL,
            quantity=report.quantity,
            price_ticks=report.price_ticks,
            cumulative_quantity=report.cumulative_quantity,
            ts_ns=report.ts_ns,
        )
        for listener in list(self._listeners):
            listener.on_fill(fill)

    def _on_link_lost(self, reason: str) -> None:
        for listener in list(self._listeners):
            listener.on_connection(False, reason)

    def _on_state(self, state: ConnectionState) -> None:
        if state == ConnectionState.CONNECTED:
            for listener in list(self._listeners):
                listener.on_connection(True, "")

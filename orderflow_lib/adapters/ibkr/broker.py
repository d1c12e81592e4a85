"""IbBroker: the execution.Broker protocol on Interactive Brokers (MES orders, GBP account).

Our order id (set by the safety gate) travels as IB's orderRef; IB's order id is the broker id.
"""

from __future__ import annotations

from collections.abc import Mapping

from ib_async import Contract

from orderflow_lib.adapters.ibkr.account import IbAccount
from orderflow_lib.adapters.ibkr.connection import ConnectionState, IbConnection
from orderflow_lib.adapters.ibkr.errors import IbkrConnectionError, IbkrError
from orderflow_lib.adapters.ibkr.orders import (
    FillReport,
    IbOrderRouter,
    OrderHandlers,
    OrderState,
    OrderUpdate,
)
from orderflow_lib.execution.events import BrokerListener, Fill, OrderStatusUpdate
from orderflow_lib.risk.records import OrderAction, OrderStatus
from orderflow_lib.risk.venue import AccountSnapshot, OrderIntent

_STATUS = {
    OrderState.PENDING: OrderStatus.PENDING,
    OrderState.SUBMITTED: OrderStatus.SUBMITTED,
    OrderState.PARTIALLY_FILLED: OrderStatus.SUBMITTED,
    OrderState.FILLED: OrderStatus.FILLED,
    OrderState.CANCELLED: OrderStatus.CANCELLED,
    OrderState.REJECTED: OrderStatus.REJECTED,
}


class IbBroker:
    """Broker over one IbConnection, trading one contract (the qualified MES front month)."""

    def __init__(
        self, connection: IbConnection, order_contract: Contract, *, tick_size: float = 0.25
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
        """Send a market order for the intent; returns IB's order id as text."""
        self._require_connection()
        if not intent.order_id:
            raise IbkrError("order_id must be set by the safety gate, was ''")
        if intent.instrument != self.instrument:
            raise IbkrError(f"instrument must be {self.instrument!r}, was {intent.instrument!r}")
        ib_id = self.router.place_market_order(
            intent.action.sign, intent.quantity, order_ref=intent.order_id
        )
        self._our_id[ib_id] = intent.order_id
        self._ib_id[intent.order_id] = ib_id
        update = self.router.orders.get(ib_id)
        if update is not None:
            self._on_update(update)
        return str(ib_id)

    async def cancel_order(self, order_id: str) -> None:
        """Cancel a working order by our client id."""
        self._require_connection()
        if order_id not in self._ib_id:
            raise IbkrError(f"no order with client id {order_id!r}")
        self.router.cancel(self._ib_id[order_id])

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

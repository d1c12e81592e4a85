"""State shared by every session of one fake gateway, and the actions that touch several sessions:
the order lifecycle (accept, fill, partial fill, reject, cancel) and broadcasts to subscribers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orderflow_lib.testing.fake_gateway import encoders as enc
from orderflow_lib.testing.fake_gateway.scenarios import Scenario, error_text
from orderflow_lib.testing.fake_gateway.state import GatewayState, OrderRecord

if TYPE_CHECKING:
    from orderflow_lib.testing.fake_gateway.session import Session

log = logging.getLogger(__name__)


@dataclass(slots=True)
class GatewayContext:
    """Everything a session needs beyond its own socket: state, scenario, peers and the clock."""

    state: GatewayState
    scenario: Scenario
    now_s: Callable[[], float]
    max_server_version: int
    sessions: list[Session] = field(default_factory=list)
    history_requests: int = 0
    unknown_messages: list[int] = field(default_factory=list)

    def live_sessions(self) -> list[Session]:
        """Sessions that finished the API start (have a client id)."""
        return [s for s in self.sessions if s.client_id is not None and not s.closed]

    def session_of(self, client_id: int) -> Session | None:
        """The connected session of a client id, if any."""
        return next((s for s in self.live_sessions() if s.client_id == client_id), None)

    def now_epoch(self) -> int:
        """The gateway clock in whole epoch seconds (IB's tick-by-tick resolution)."""
        return int(self.now_s())

    def accept_order(self, order: OrderRecord) -> None:
        """Handle a new order according to the scenario: reject, or submit then fill as configured."""
        self.state.orders[order.order_id] = order
        behaviour = self.scenario.orders
        if behaviour.take_reject():
            self.reject(order, behaviour.reject_code, behaviour.reject_reason)
            return
        order.status = "Submitted"
        self.send_order_state(order)
        price = self.state.price_of(order.contract)
        if behaviour.mode == "fill":
            self.fill(order, order.quantity, price)
        elif behaviour.mode == "partial":
            self.fill(order, min(behaviour.partial_qty, order.quantity), price)

    def send_order_state(self, order: OrderRecord) -> None:
        """openOrder then orderStatus to the session that placed the order."""
        owner = self.session_of(order.client_id)
        if owner is not None:
            owner.send(enc.open_order(owner.server_version, order))
            owner.send(enc.order_status(order))

    def fill(self, order: OrderRecord, shares: float, price: float) -> None:
        """Execute `shares` at `price`: execution, commission, order state, then positions and P&L."""
        if shares <= 0 or shares > order.remaining:
            raise ValueError(
                f"fill shares must be in (0, {order.remaining}] for order {order.order_id}, was {shares}"
            )
        commission = self.scenario.orders.commission_per_contract.get(order.contract.symbol, 0.0)
        ex = self.state.apply_fill(order, shares, price, self.now_epoch(), commission * shares)
        owner = self.session_of(order.client_id)
        if owner is not None:
            owner.send(enc.exec_details(owner.server_version, -1, ex))
            owner.send(enc.commission_report(ex))
        self.send_order_state(order)
        self.broadcast_position(order.contract.con_id)
        self.broadcast_pnl()

    def reject(self, order: OrderRecord, code: int, reason: str) -> None:
        """IB's reject sequence: error(orderId, code) then openOrder and orderStatus Inactive."""
        order.status = "Inactive"
        owner = self.session_of(order.client_id)
        if owner is not None:
            owner.send(enc.error(owner.server_version, order.order_id, code, reason))
        self.send_order_state(order)

    def cancel(self, order: OrderRecord) -> None:
        """Cancel a working order (status Cancelled)."""
        order.status = "Cancelled"
        self.send_order_state(order)

    def broadcast_position(self, con_id: int) -> None:
        """Send a position update to every session that asked for positions."""
        pos = self.state.positions.get(con_id)
        if pos is None:
            return
        for s in self.live_sessions():
            if s.wants_positions:
                s.send(enc.position(self.state.account.account_id, pos))

    def broadcast_pnl(self) -> None:
        """Send the account P&L to every reqPnL subscription."""
        acct = self.state.account
        for s in self.live_sessions():
            for req_id in s.pnl_requests:
                s.send(enc.pnl(req_id, acct.daily_pnl, acct.unrealized_pnl, acct.realized_pnl))

    def broadcast_error(self, code: int, message: str | None = None, req_id: int = -1) -> None:
        """Send an error/system message to every connected client."""
        for s in self.live_sessions():
            s.send(enc.error(s.server_version, req_id, code, message or error_text(code)))

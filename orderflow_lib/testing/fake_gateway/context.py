"""State shared by every session of one fake gateway, and the actions that touch several sessions:
the order lifecycle (accept, brackets held until transmitted, fill, partial fill, stop and limit
fills on trade prints, OCA groups, reject, cancel) and broadcasts to subscribers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orderflow_lib.testing.fake_gateway import encoders as enc
from orderflow_lib.testing.fake_gateway.orders import resting_fill
from orderflow_lib.testing.fake_gateway.scenarios import GatewayScenario, error_text
from orderflow_lib.testing.fake_gateway.state import HELD, GatewayState, OrderRecord

if TYPE_CHECKING:
    from orderflow_lib.testing.fake_gateway.session import ClientSession

log = logging.getLogger(__name__)


@dataclass(slots=True)
class GatewayContext:
    """Everything a session needs beyond its own socket: state, scenario, peers and the clock."""

    state: GatewayState
    scenario: GatewayScenario
    now_s: Callable[[], float]
    max_server_version: int
    sessions: list[ClientSession] = field(default_factory=list)
    history_requests: int = 0
    unknown_messages: list[int] = field(default_factory=list)

    def live_sessions(self) -> list[ClientSession]:
        """Sessions that finished the API start (have a client id)."""
        return [s for s in self.sessions if s.client_id is not None and not s.closed]

    def session_of(self, client_id: int) -> ClientSession | None:
        """The connected session of a client id, if any."""
        return next((s for s in self.live_sessions() if s.client_id == client_id), None)

    def now_epoch(self) -> int:
        """The gateway clock in whole epoch seconds (IB's tick-by-tick resolution)."""
        return int(self.now_s())

    def accept_order(self, order: OrderRecord) -> None:
        """Take a new order: hold it while untransmitted; otherwise submit it together with the
        held orders of its bracket (parent first) and fill market orders as the scenario says."""
        self.state.orders[order.order_id] = order
        if order.parent_id and order.parent_id not in self.state.orders:
            reason = f"Order rejected - reason:parent order {order.parent_id} is not known"
            self.reject(order, 201, reason)
            return
        if not order.transmit:
            order.status = HELD
            return
        root = self.state.orders.get(order.parent_id, order)
        batch = [o for o in (root, *self.state.children_of(root)) if o.status == HELD or o is order]
        for o in batch:
            self._submit(o)
        behaviour = self.scenario.orders
        for o in batch:
            if o.order_type != "MKT" or o.status != "Submitted" or behaviour.mode == "hold":
                continue
            shares = o.quantity if behaviour.mode == "fill" else behaviour.partial_qty
            self.fill(o, min(shares, o.quantity), self.state.price_of(o.contract))

    def _submit(self, order: OrderRecord) -> None:
        """Reject (scenario), cancel (its parent is dead), wait for the parent to fill, or go live."""
        behaviour = self.scenario.orders
        if behaviour.take_reject():
            self.reject(order, behaviour.reject_code, behaviour.reject_reason)
            return
        parent = self.state.orders.get(order.parent_id)
        if parent is not None and parent.status in ("Cancelled", "Inactive"):
            self.cancel(order)
            return
        waiting = parent is not None and parent.status != "Filled"
        order.status = "PreSubmitted" if waiting else "Submitted"
        self.send_order_state(order)

    def send_order_state(self, order: OrderRecord) -> None:
        """openOrder then orderStatus to the session that placed the order."""
        owner = self.session_of(order.client_id)
        if owner is not None:
            owner.send(enc.open_order(owner.server_version, order))
            owner.send(enc.order_status(order))

    def fill(self, order: OrderRecord, shares: float, price: float) -> None:
        """Execute `shares` at `price`: execution, commission, order state, the children it
        releases and the OCA siblings it cancels or shrinks, then positions and P&L."""
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
        if order.status == "Filled":
            for child in self.state.children_of(order):
                if child.status == "PreSubmitted":
                    child.status = "Submitted"
                    self.send_order_state(child)
        self._settle_oca(order, shares)
        self.broadcast_position(order.contract.con_id)
        self.broadcast_pnl()

    def _settle_oca(self, order: OrderRecord, shares: float) -> None:
        """A full fill cancels the rest of the OCA group; a partial fill re-balances it (each
        sibling shrinks by the shares filled), as IB documents for one-cancels-all groups."""
        for sibling in self.state.oca_siblings(order):
            if order.status != "Filled":
                sibling.quantity = max(sibling.quantity - shares, sibling.filled)
            if order.status == "Filled" or sibling.remaining <= 0:
                self.cancel(sibling)
            else:
                self.send_order_state(sibling)

    def trade_printed(self, con_id: int, price: float, size: float) -> None:
        """Fill the working stop and limit orders of a contract that a trade print reaches."""
        for order in list(self.state.orders.values()):
            if order.contract.con_id != con_id or order.status != "Submitted":
                continue
            fill = resting_fill(order, price, size)
            if fill is not None:
                self.fill(order, fill.shares, fill.price)

    def reject(self, order: OrderRecord, code: int, reason: str) -> None:
        """IB's reject sequence: error(orderId, code) then openOrder and orderStatus Inactive."""
        order.status = "Inactive"
        owner = self.session_of(order.client_id)
        if owner is not None:
            owner.send(enc.error(owner.server_version, order.order_id, code, reason))
        self.send_order_state(order)

    def cancel_by_client(self, order: OrderRecord) -> None:
        """A cancelOrder from the client: error 202 as TWS sends it, then the cancel."""
        owner = self.session_of(order.client_id)
        if owner is not None:
            owner.send(enc.error(owner.server_version, order.order_id, 202, error_text(202)))
        self.cancel(order)

    def cancel(self, order: OrderRecord) -> None:
        """Cancel an order (status Cancelled) and the children still waiting on it."""
        reported = order.status != HELD
        order.status = "Cancelled"
        if reported:
            self.send_order_state(order)
        for child in self.state.children_of(order):
            if child.working or child.status == HELD:
                self.cancel(child)

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

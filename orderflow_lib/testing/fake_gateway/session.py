"""One client connection: the handshake, then dispatch of each request by message id to a handler
that answers from the shared state. Unknown ids are logged (and collected in strict mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from orderflow_lib.testing.fake_gateway import encoders as enc
from orderflow_lib.testing.fake_gateway import history
from orderflow_lib.testing.fake_gateway.context import GatewayContext
from orderflow_lib.testing.fake_gateway.orders import parse_place_order
from orderflow_lib.testing.fake_gateway.protocol import (
    HANDSHAKE_PREFIX,
    FrameReader,
    ProtocolError,
    encode_frame,
    handshake_reply,
    negotiate_version,
    parse_version_range,
)
from orderflow_lib.testing.fake_gateway.scenarios import FARM_OK_CODES, error_text
from orderflow_lib.testing.fake_gateway.state import (
    HELD,
    ContractQuery,
    ContractSpec,
    liquid_hours,
    trading_hours,
)

log = logging.getLogger(__name__)
Handler = Callable[[list[str]], None]


def parse_contract(fields: list[str], at: int) -> ContractQuery:
    """The 12-field request contract block starting at index `at`."""
    c = fields[at : at + 12]
    return ContractQuery(
        con_id=int(c[0] or 0),
        symbol=c[1],
        sec_type=c[2],
        last_trade_date=c[3],
        exchange=c[7],
        currency=c[9],
        local_symbol=c[10],
        trading_class=c[11],
    )


class ClientSession:
    """Serves one TWS API client over an asyncio stream pair."""

    def __init__(
        self, ctx: GatewayContext, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.ctx = ctx
        self._reader = reader
        self._writer = writer
        self.server_version = 0
        self.client_id: int | None = None
        self.closed = False
        self.sent_messages = 0
        self.received: list[int] = []
        self.unknown: list[int] = []
        self.mkt_data: dict[int, int] = {}
        self.tick_by_tick: dict[int, tuple[int, str]] = {}
        self.depth: dict[int, tuple[int, bool]] = {}
        self.pnl_requests: set[int] = set()
        self.wants_positions = False
        self.market_data_type = 1
        self._handlers: dict[int, Handler] = {
            1: self._req_mkt_data,
            2: self._cancel_mkt_data,
            3: self._place_order,
            4: self._cancel_order,
            5: self._req_open_orders,
            6: self._req_account_updates,
            7: self._req_executions,
            8: self._req_ids,
            9: self._req_contract_details,
            10: self._req_mkt_depth,
            11: self._cancel_mkt_depth,
            15: self._ignore,
            16: self._req_open_orders,
            17: self._req_managed_accounts,
            20: self._req_historical,
            25: self._ignore,
            49: self._req_current_time,
            59: self._req_market_data_type,
            61: self._req_positions,
            62: self._req_account_summary,
            63: self._ignore,
            64: self._cancel_positions,
            71: self._start_api,
            76: self._req_account_updates_multi,
            77: self._ignore,
            92: self._req_pnl,
            93: self._cancel_pnl,
            97: self._req_tick_by_tick,
            98: self._cancel_tick_by_tick,
            99: self._req_completed_orders,
        }

    # --- transport -------------------------------------------------------------------------

    async def run(self) -> None:
        """Handshake, then read and dispatch messages until the peer or the gateway closes."""
        try:
            prefix = await self._reader.readexactly(len(HANDSHAKE_PREFIX))
            if prefix != HANDSHAKE_PREFIX:
                raise ProtocolError(
                    f"handshake must start with {HANDSHAKE_PREFIX!r}, was {prefix!r}"
                )
            frames = FrameReader()
            pending: list[list[str]] = []
            while not pending:
                data = await self._reader.read(65_536)
                if not data:
                    return
                pending = frames.feed(data)
            client_min, client_max = parse_version_range(pending.pop(0)[0])
            self.server_version = negotiate_version(
                client_min, client_max, self.ctx.max_server_version
            )
            self._write(handshake_reply(self.server_version, datetime.now(UTC)))
            while not self.closed:
                for fields in pending:
                    self.dispatch(fields)
                data = await self._reader.read(65_536)
                if not data:
                    break
                pending = frames.feed(data)
        except (asyncio.IncompleteReadError, ConnectionError, ProtocolError) as exc:
            log.info("fake gateway session ended: %r", exc)
        finally:
            self.close()

    def _write(self, data: bytes) -> None:
        if not self.closed and not self._writer.is_closing():
            self._writer.write(data)

    def send(self, fields: enc.Fields) -> None:
        """Frame and send one message (nothing while the scenario keeps the gateway silent)."""
        if self.closed or self.ctx.scenario.silent:
            return
        self._write(encode_frame(fields))
        self.sent_messages += 1
        limit = self.ctx.scenario.drop_after_messages
        if limit is not None and self.sent_messages >= limit:
            self.close()

    def close(self) -> None:
        """Close the socket at once (what a gateway restart looks like to the client)."""
        if self.closed:
            return
        self.closed = True
        transport = self._writer.transport
        with contextlib.suppress(RuntimeError):
            transport.abort()

    def dispatch(self, fields: list[str]) -> None:
        """Route one request to its handler by message id."""
        if self.ctx.scenario.silent or not fields:
            return
        msg_id = int(fields[0])
        self.received.append(msg_id)
        handler = self._handlers.get(msg_id)
        if handler is None:
            log.warning("fake gateway: unhandled message id %s: %s", msg_id, fields)
            self.unknown.append(msg_id)
            self.ctx.unknown_messages.append(msg_id)
            return
        handler(fields)

    def error(self, req_id: int, code: int, message: str | None = None) -> None:
        """Send an error message to this client."""
        self.send(enc.error(self.server_version, req_id, code, message or error_text(code)))

    # --- connection and account ------------------------------------------------------------

    def _ignore(self, fields: list[str]) -> None:
        """Requests that need no answer (cancels of one-shot requests, auto-bind)."""

    def _start_api(self, fields: list[str]) -> None:
        client_id = int(fields[2])
        if self.ctx.session_of(client_id) is not None:
            self.error(-1, 326)
            self.close()
            return
        self.client_id = client_id
        state = self.ctx.state
        self.send(enc.managed_accounts([state.account.account_id]))
        self.send(enc.next_valid_id(state.next_order_id))
        if self.ctx.scenario.farm_status_on_connect:
            for code in FARM_OK_CODES:
                self.error(-1, code)

    def _req_managed_accounts(self, fields: list[str]) -> None:
        self.send(enc.managed_accounts([self.ctx.state.account.account_id]))

    def _req_ids(self, fields: list[str]) -> None:
        self.send(enc.next_valid_id(self.ctx.state.next_order_id))

    def _req_current_time(self, fields: list[str]) -> None:
        self.send(enc.current_time(self.ctx.now_epoch()))

    def _req_positions(self, fields: list[str]) -> None:
        self.wants_positions = True
        account = self.ctx.state.account.account_id
        for pos in self.ctx.state.positions.values():
            self.send(enc.position(account, pos))
        self.send(enc.position_end())

    def _cancel_positions(self, fields: list[str]) -> None:
        self.wants_positions = False

    def _req_open_orders(self, fields: list[str]) -> None:
        """reqOpenOrders (5) lists this client's working orders, reqAllOpenOrders (16) everyone's."""
        every_client = fields[0] == "16"
        for order in self.ctx.state.orders.values():
            if order.working and (every_client or order.client_id == self.client_id):
                self.send(enc.open_order(self.server_version, order))
                self.send(enc.order_status(order))
        self.send(enc.open_order_end())

    def _req_completed_orders(self, fields: list[str]) -> None:
        self.send(enc.completed_orders_end())

    def _account_rows(self) -> list[tuple[str, str, str]]:
        return self.ctx.state.account.summary_rows()

    def _req_account_updates(self, fields: list[str]) -> None:
        if fields[2] != "1":
            return
        acct = self.ctx.state.account
        for tag, value, currency in self._account_rows():
            self.send(enc.account_value(tag, value, currency, acct.account_id))
        for pos in self.ctx.state.positions.values():
            if pos.quantity:
                self.send(
                    enc.portfolio_value(pos, self.ctx.state.price_of(pos.contract), acct.account_id)
                )
        self.send(enc.account_update_time(datetime.now(UTC).strftime("%H:%M")))
        self.send(enc.account_download_end(acct.account_id))

    def _req_account_updates_multi(self, fields: list[str]) -> None:
        req_id, account = int(fields[2]), fields[3]
        for tag, value, currency in self._account_rows():
            self.send(enc.account_update_multi(req_id, account, tag, value, currency))
        self.send(enc.account_update_multi_end(req_id))

    def _req_account_summary(self, fields: list[str]) -> None:
        req_id = int(fields[2])
        acct = self.ctx.state.account
        for tag, value, currency in self._account_rows():
            self.send(enc.account_summary(req_id, acct.account_id, tag, value, currency))
        self.send(enc.account_summary_end(req_id))

    def _req_pnl(self, fields: list[str]) -> None:
        req_id = int(fields[1])
        self.pnl_requests.add(req_id)
        acct = self.ctx.state.account
        self.send(enc.pnl(req_id, acct.daily_pnl, acct.unrealized_pnl, acct.realized_pnl))

    def _cancel_pnl(self, fields: list[str]) -> None:
        self.pnl_requests.discard(int(fields[1]))

    def _req_executions(self, fields: list[str]) -> None:
        """msg 7 (version, reqId, clientId, acctCode, time, symbol, secType, exchange, side): the
        executions the filter admits (an empty or zero field admits all), then execDetailsEnd."""
        req_id = int(fields[2])
        client_id = int(fields[3] or 0)
        symbol, side = fields[6], fields[9]
        for ex in self.ctx.state.executions:
            if (
                (client_id and ex.order.client_id != client_id)
                or (symbol and ex.order.contract.symbol != symbol)
                or (side and not ex.side.startswith(side[0].upper()))
            ):
                continue
            self.send(enc.exec_details(self.server_version, req_id, ex))
            self.send(enc.commission_report(ex))
        self.send(enc.exec_details_end(req_id))

    # --- contracts ---------------------------------------------------------------------------

    def _req_contract_details(self, fields: list[str]) -> None:
        req_id = int(fields[2])
        query = parse_contract(fields, 3)
        matches = self.ctx.state.catalog.match(query)
        if not matches:
            self.error(req_id, 200)
            return
        today = self.ctx.state.catalog.today
        sec_type = "CONTFUT" if query.sec_type == "CONTFUT" else None
        for spec in matches:
            self.send(
                enc.contract_details(
                    self.server_version,
                    req_id,
                    spec,
                    sec_type=sec_type,
                    trading_hours=trading_hours(today),
                    liquid_hours=liquid_hours(today),
                )
            )
        self.send(enc.contract_details_end(req_id))

    def _resolve(self, req_id: int, fields: list[str], at: int) -> ContractSpec | None:
        matches = self.ctx.state.catalog.match(parse_contract(fields, at))
        if len(matches) != 1:
            self.error(req_id, 200)
            return None
        return matches[0]

    # --- market data -------------------------------------------------------------------------

    def _req_market_data_type(self, fields: list[str]) -> None:
        self.market_data_type = int(fields[2])

    def _req_mkt_data(self, fields: list[str]) -> None:
        req_id = int(fields[2])
        spec = self._resolve(req_id, fields, 3)
        if spec is None:
            return
        rights = self.ctx.scenario.entitlements
        if not rights.l1 and not rights.l1_delayed:
            self.error(req_id, rights.l1_error)
            return
        self.mkt_data[req_id] = spec.con_id
        self.send(enc.tick_req_params(req_id, spec.min_tick))
        delayed = not rights.l1
        if delayed:
            self.error(req_id, 10167)
        self.send(enc.market_data_type(req_id, 3 if delayed else 1))
        top = self.ctx.state.tops.get(spec.con_id)
        if top is not None:
            self.send_top(req_id, top.bid, top.bid_size, top.ask, top.ask_size)
            if top.last:
                self.send_last(req_id, top.last, top.last_size, top.volume)

    def send_top(
        self, req_id: int, bid: float, bid_size: float, ask: float, ask_size: float
    ) -> None:
        """L1 bid and ask ticks (delayed tick types when the subscription is delayed)."""
        delayed = not self.ctx.scenario.entitlements.l1
        self.send(enc.tick_price(req_id, 66 if delayed else 1, bid, bid_size))
        self.send(enc.tick_price(req_id, 67 if delayed else 2, ask, ask_size))

    def send_last(self, req_id: int, price: float, size: float, volume: float) -> None:
        """L1 last-trade price/size and the session volume."""
        delayed = not self.ctx.scenario.entitlements.l1
        self.send(enc.tick_price(req_id, 68 if delayed else 4, price, size))
        self.send(enc.tick_size(req_id, 74 if delayed else 8, volume))

    def _cancel_mkt_data(self, fields: list[str]) -> None:
        self.mkt_data.pop(int(fields[2]), None)

    def _req_tick_by_tick(self, fields: list[str]) -> None:
        req_id = int(fields[1])
        spec = self._resolve(req_id, fields, 2)
        if spec is None:
            return
        rights = self.ctx.scenario.entitlements
        if not rights.tick_by_tick:
            self.error(req_id, rights.tick_by_tick_error)
            return
        self.tick_by_tick[req_id] = (spec.con_id, fields[14])

    def _cancel_tick_by_tick(self, fields: list[str]) -> None:
        self.tick_by_tick.pop(int(fields[1]), None)

    def _req_mkt_depth(self, fields: list[str]) -> None:
        req_id = int(fields[2])
        spec = self._resolve(req_id, fields, 3)
        if spec is None:
            return
        rights = self.ctx.scenario.entitlements
        if not rights.depth:
            self.error(req_id, rights.depth_error)
            return
        smart = fields[16] == "1"
        self.depth[req_id] = (spec.con_id, smart)
        book = self.ctx.state.books.get(spec.con_id)
        if book is not None:
            for ib_side in (1, 0):
                for position, (price, size) in enumerate(book.side(ib_side)):
                    self.send_depth(req_id, position, 0, ib_side, price, size)

    def send_depth(
        self, req_id: int, position: int, operation: int, ib_side: int, price: float, size: float
    ) -> None:
        """One depth row change as msg 12 (or 13 for smart depth or when the scenario says so)."""
        smart = self.depth[req_id][1]
        if smart or self.ctx.scenario.depth_message == 13:
            self.send(
                enc.update_mkt_depth_l2(
                    req_id, position, "CME", operation, ib_side, price, size, smart
                )
            )
        else:
            self.send(enc.update_mkt_depth(req_id, position, operation, ib_side, price, size))

    def _cancel_mkt_depth(self, fields: list[str]) -> None:
        self.depth.pop(int(fields[2]), None)

    def _req_historical(self, fields: list[str]) -> None:
        req_id = int(fields[1])
        spec = self._resolve(req_id, fields, 2)
        if spec is None:
            return
        ctx = self.ctx
        ctx.history_requests += 1
        limit = ctx.scenario.max_history_requests
        if limit is not None and ctx.history_requests > limit:
            self.error(
                req_id,
                162,
                "Historical Market Data Service error message:"
                "Historical data request pacing violation",
            )
            return
        if not ctx.scenario.entitlements.history:
            self.error(req_id, ctx.scenario.entitlements.history_error)
            return
        try:
            request = history.HistoryRequest(
                end_s=history.parse_end(fields[15], ctx.now_epoch()),
                duration_s=history.parse_duration(fields[17]),
                bar_s=history.parse_bar_size(fields[16]),
                use_rth=fields[18] == "1",
                format_date=int(fields[20] or 1),
            )
        except history.HistoryRequestError as exc:
            self.error(req_id, 321, str(exc))
            return
        rows = history.bars_for(request)
        self.send(
            enc.historical_data(
                req_id,
                history.range_text(request.end_s - request.duration_s),
                history.range_text(request.end_s),
                rows,
            )
        )

    # --- orders ------------------------------------------------------------------------------

    def _place_order(self, fields: list[str]) -> None:
        order_id = int(fields[1])
        spec = self._resolve(order_id, fields, 2)
        if spec is None or self.client_id is None:
            return
        state = self.ctx.state
        if order_id in state.orders:
            self.error(order_id, 103, "Duplicate order id")
            return
        state.next_order_id = max(state.next_order_id, order_id + 1)
        order = parse_place_order(
            fields,
            self.server_version,
            contract=spec,
            client_id=self.client_id,
            perm_id=state.new_perm_id(),
            default_account=state.account.account_id,
        )
        self.ctx.accept_order(order)

    def _cancel_order(self, fields: list[str]) -> None:
        order_id = int(fields[2])
        order = self.ctx.state.orders.get(order_id)
        cancellable = order is not None and (order.working or order.status == HELD)
        if order is None or not cancellable or order.client_id != self.client_id:
            self.error(order_id, 10147)
            return
        self.ctx.cancel_by_client(order)

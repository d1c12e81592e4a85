"""FakeGateway: an asyncio TCP server on 127.0.0.1 speaking the TWS API well enough for the
unmodified ib_async client, with a deterministic scenario API for tests and the demo.

    async with FakeGateway(port=0) as gw:
        ib = IB(); await ib.connectAsync("127.0.0.1", gw.port, clientId=1)
        gw.trade("ESZ6", 6000.25, 2)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import TracebackType

from orderflow_lib.core.errors import OrderFlowError
from orderflow_lib.testing.fake_gateway import encoders as enc
from orderflow_lib.testing.fake_gateway.context import GatewayContext
from orderflow_lib.testing.fake_gateway.protocol import MAX_SERVER_VERSION
from orderflow_lib.testing.fake_gateway.scenarios import GatewayScenario
from orderflow_lib.testing.fake_gateway.session import ClientSession
from orderflow_lib.testing.fake_gateway.state import (
    Catalog,
    ContractSpec,
    DepthBook,
    GatewayState,
    OrderRecord,
    TopOfBook,
)

ContractRef = str | int | ContractSpec


class FakeGatewayError(OrderFlowError):
    """The fake gateway was used wrongly (not started, unknown order, wait timed out)."""


class FakeGateway:
    """A TWS API server for tests: start it, connect a client to `port`, drive it with the API below."""

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        today: date | None = None,
        clock: Callable[[], float] = time.time,
        max_server_version: int = MAX_SERVER_VERSION,
        scenario: GatewayScenario | None = None,
    ) -> None:
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        trading_day = today or datetime.fromtimestamp(clock(), UTC).date()
        self.ctx = GatewayContext(
            state=GatewayState(catalog=Catalog(trading_day)),
            scenario=scenario or GatewayScenario(),
            now_s=clock,
            max_server_version=max_server_version,
        )

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeGateway:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one, see `port`)."""
        self._server = await asyncio.start_server(self._serve, self.host, self._requested_port)
        self._port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close every session and stop listening; in strict mode, fail on unhandled requests."""
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.scenario.strict and self.ctx.unknown_messages:
            raise FakeGatewayError(
                f"client sent message ids the fake does not handle: {self.ctx.unknown_messages}"
            )

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = ClientSession(self.ctx, reader, writer)
        self.ctx.sessions.append(session)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await session.run()
        except asyncio.CancelledError:
            session.close()
        finally:
            if task is not None:
                self._tasks.discard(task)

    @property
    def port(self) -> int:
        """The TCP port clients connect to."""
        if self._port is None:
            raise FakeGatewayError("FakeGateway is not started; use 'async with FakeGateway()'")
        return self._port

    # --- introspection -----------------------------------------------------------------------

    @property
    def state(self) -> GatewayState:
        """The gateway's state (catalog, account, orders, positions)."""
        return self.ctx.state

    @property
    def scenario(self) -> GatewayScenario:
        """The live scenario knobs."""
        return self.ctx.scenario

    @property
    def sessions(self) -> list[ClientSession]:
        """Connected client sessions."""
        return self.ctx.live_sessions()

    @property
    def history_requests(self) -> int:
        """How many reqHistoricalData requests arrived so far."""
        return self.ctx.history_requests

    def contract(self, ref: ContractRef) -> ContractSpec:
        """A listed contract by local symbol (``"ESZ6"``), conId, or the spec itself."""
        if isinstance(ref, ContractSpec):
            return ref
        if isinstance(ref, int):
            found = self.state.catalog.by_con_id(ref)
            if found is None:
                raise FakeGatewayError(f"no listed contract with conId {ref}")
            return found
        return self.state.catalog.by_local_symbol(ref)

    def front(self, symbol: str) -> ContractSpec:
        """The nearest listed expiry of a root (``"ES"``, ``"MES"``)."""
        return self.state.catalog.front(symbol)

    def subscriptions(self, kind: str) -> int:
        """Live subscriptions of a kind: 'mkt_data', 'tick_by_tick', 'depth' or 'pnl'."""
        counts = {
            "mkt_data": lambda s: len(s.mkt_data),
            "tick_by_tick": lambda s: len(s.tick_by_tick),
            "depth": lambda s: len(s.depth),
            "pnl": lambda s: len(s.pnl_requests),
        }
        if kind not in counts:
            raise FakeGatewayError(f"kind must be one of {sorted(counts)}, was {kind!r}")
        return sum(counts[kind](s) for s in self.sessions)

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 2.0) -> None:
        """Poll `condition` until true; FakeGatewayError after `timeout` seconds."""

        async def poll() -> None:
            while not condition():
                await asyncio.sleep(0.005)

        try:
            await asyncio.wait_for(poll(), timeout)
        except TimeoutError as exc:
            raise FakeGatewayError(f"condition not met within {timeout} s") from exc

    # --- market data -------------------------------------------------------------------------

    def trade(self, ref: ContractRef, price: float, size: float, ts_s: int | None = None) -> None:
        """Print a trade: tick-by-tick Last/AllLast and the L1 last/volume to every subscriber, then
        fill the working stop and limit orders it reaches (a limit for at most `size`)."""
        spec = self.contract(ref)
        epoch = self.ctx.now_epoch() if ts_s is None else ts_s
        top = self.state.tops.setdefault(spec.con_id, TopOfBook())
        top.last, top.last_size = price, size
        top.volume += size
        self.state.last_price[spec.con_id] = price
        for s in self.sessions:
            for req_id, (con_id, kind) in s.tick_by_tick.items():
                if con_id == spec.con_id and kind in ("Last", "AllLast"):
                    s.send(
                        enc.tick_by_tick_last(
                            req_id, 2 if kind == "AllLast" else 1, epoch, price, size
                        )
                    )
            for req_id, con_id in s.mkt_data.items():
                if con_id == spec.con_id:
                    s.send_last(req_id, price, size, top.volume)
        self.ctx.trade_printed(spec.con_id, price, size)

    def quote(
        self,
        ref: ContractRef,
        bid: float,
        ask: float,
        bid_size: float = 10,
        ask_size: float = 10,
        ts_s: int | None = None,
    ) -> None:
        """Change the best bid/offer: tick-by-tick BidAsk and L1 bid/ask to every subscriber."""
        spec = self.contract(ref)
        epoch = self.ctx.now_epoch() if ts_s is None else ts_s
        top = self.state.tops.setdefault(spec.con_id, TopOfBook())
        top.bid, top.bid_size, top.ask, top.ask_size = bid, bid_size, ask, ask_size
        for s in self.sessions:
            for req_id, (con_id, kind) in s.tick_by_tick.items():
                if con_id == spec.con_id and kind == "BidAsk":
                    s.send(enc.tick_by_tick_bid_ask(req_id, epoch, bid, ask, bid_size, ask_size))
            for req_id, con_id in s.mkt_data.items():
                if con_id == spec.con_id:
                    s.send_top(req_id, bid, bid_size, ask, ask_size)

    def depth(
        self, ref: ContractRef, side: str, position: int, operation: int, price: float, size: float
    ) -> None:
        """One L2 row change (side 'bid' or 'ask'; operation 0 insert, 1 update, 2 delete)."""
        if side not in ("bid", "ask"):
            raise FakeGatewayError(f"side must be 'bid' or 'ask', was {side!r}")
        spec = self.contract(ref)
        ib_side = 1 if side == "bid" else 0
        self.state.books.setdefault(spec.con_id, DepthBook()).apply(
            ib_side, position, operation, price, size
        )
        for s in self.sessions:
            for req_id, (con_id, _smart) in list(s.depth.items()):
                if con_id == spec.con_id:
                    s.send_depth(req_id, position, operation, ib_side, price, size)

    def book(
        self, ref: ContractRef, bids: list[tuple[float, float]], asks: list[tuple[float, float]]
    ) -> None:
        """Replace the L2 book: deletes of the old rows, then inserts of the new ones."""
        spec = self.contract(ref)
        old = self.state.books.get(spec.con_id, DepthBook())
        for side, rows in (("bid", old.bids), ("ask", old.asks)):
            for _ in range(len(rows)):
                price, size = rows[0]
                self.depth(spec, side, 0, 2, price, size)
        for side, new_rows in (("bid", bids), ("ask", asks)):
            for position, (price, size) in enumerate(new_rows):
                self.depth(spec, side, position, 0, price, size)

    # --- account -----------------------------------------------------------------------------

    def set_pnl(self, daily: float, unrealized: float = 0.0, realized: float = 0.0) -> None:
        """Set the account P&L (base currency) and push it to every reqPnL subscriber."""
        acct = self.state.account
        acct.daily_pnl, acct.unrealized_pnl, acct.realized_pnl = daily, unrealized, realized
        self.ctx.broadcast_pnl()

    # --- orders ------------------------------------------------------------------------------

    def order(self, order_id: int) -> OrderRecord:
        """An order the gateway received."""
        try:
            return self.state.orders[order_id]
        except KeyError:
            raise FakeGatewayError(f"no order with id {order_id}") from None

    def fill_order(
        self, order_id: int, shares: float | None = None, price: float | None = None
    ) -> None:
        """Fill a working order (all remaining shares at the last price unless given)."""
        order = self.order(order_id)
        self.ctx.fill(
            order,
            order.remaining if shares is None else shares,
            self.state.price_of(order.contract) if price is None else price,
        )

    def reject_order(self, order_id: int, code: int = 201, reason: str | None = None) -> None:
        """Reject a working order (error `code`, then Inactive)."""
        order = self.order(order_id)
        self.ctx.reject(order, code, reason or self.scenario.orders.reject_reason)

    # --- faults ------------------------------------------------------------------------------

    def inject_error(self, code: int, message: str | None = None, req_id: int = -1) -> None:
        """Send an error/system message (e.g. 1100, 1101, 1102, 354, 10167) to every client."""
        self.ctx.broadcast_error(code, message, req_id)

    def entitlement_error(self, kind: str, code: int) -> None:
        """Send `code` on every live subscription of a kind ('mkt_data', 'tick_by_tick', 'depth')."""
        if kind not in ("mkt_data", "tick_by_tick", "depth"):
            raise FakeGatewayError(f"kind must be mkt_data, tick_by_tick or depth, was {kind!r}")
        for s in self.sessions:
            req_ids: list[int] = list(getattr(s, kind))
            for req_id in req_ids:
                s.error(req_id, code)

    def drop(self) -> None:
        """Close every client socket at once (a gateway restart as the client sees it)."""
        for s in list(self.ctx.sessions):
            s.close()
        self.ctx.sessions.clear()

    def set_silent(self, silent: bool) -> None:
        """Stop (or resume) answering and sending anything while keeping sockets open (a hung gateway)."""
        self.scenario.silent = silent

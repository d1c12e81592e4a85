"""The link to Interactive Brokers for a live node: connect (retrying while the gateway is not
reachable), resolve the ES/MES front month, then hand over the live feed and the IB broker.

Until the link is up the node runs on the synthetic market; `ready` resolves to the live feed at
the moment IB answers, which makes the HandoffFeed switch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from orderflow_lib.adapters.ibkr import (
    ContractError,
    IbBroker,
    IbConnection,
    IbkrConnectionError,
    resolve_front_month,
)
from orderflow_lib.core.clock import Clock
from orderflow_lib.core.config import Settings
from orderflow_lib.execution.broker import Broker
from orderflow_lib.feeds.base import Feed
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.ib import IbFeed
from orderflow_lib.market.calendar import SessionCalendar, default_calendar

log = logging.getLogger(__name__)


class IbLink:
    """Connects in the background; `ready` gives the live feed, `broker_for` the IB broker."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        retry_s: float = 5.0,
        calendar: SessionCalendar | None = None,
        backoff_s: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0),
        heartbeat_s: float | None = 5.0,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.retry_s = retry_s
        self.calendar = calendar or default_calendar()
        self._backoff_s = backoff_s
        self._heartbeat_s = heartbeat_s
        self.connection: IbConnection | None = None
        self.ready: asyncio.Future[Feed] = asyncio.get_running_loop().create_future()
        self.broker: IbBroker | None = None
        self.feed: IbFeed | None = None
        self.last_error: str | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin connecting in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._connect_loop())

    async def _connect_loop(self) -> None:
        """One fresh connection per attempt: a failed one is closed for good (so its own
        reconnect logic can never race the next attempt with the same client id)."""
        while not self.ready.done():
            connection = IbConnection(
                self.settings.ib,
                clock=self.clock,
                backoff_s=self._backoff_s,
                heartbeat_s=self._heartbeat_s,
            )
            try:
                await self._connect_once(connection)
                return
            except (IbkrConnectionError, ContractError, TimeoutError, OSError) as exc:
                self.last_error = str(exc)
                log.warning("IB not reachable yet (%s); retrying in %.1f s", exc, self.retry_s)
                with contextlib.suppress(Exception):
                    await connection.close()
                await asyncio.sleep(self.retry_s)

    async def _connect_once(self, connection: IbConnection) -> None:
        await connection.connect()
        trade_date = self.calendar.trade_date(self.clock.now_ns())
        front = await resolve_front_month(
            connection.ib,
            trade_date,
            data_symbol=self.settings.instrument.display,
            order_symbol=self.settings.instrument.execute,
            roll_days=self.settings.calendar.roll_days_before_third_friday,
        )
        feed = IbFeed(
            connection,
            front.data_contract,
            front.data_symbol,
            tick_size=self.settings.instrument.tick_size,
            depth_rows=self.settings.dom.levels,
        )
        broker = IbBroker(
            connection, front.order_contract, tick_size=self.settings.instrument.tick_size
        )
        broker.account_reader.start_pnl()
        feed.start()
        self.connection, self.feed, self.broker = connection, feed, broker
        log.warning("IB connected: %s", front.describe())
        self.ready.set_result(feed)

    async def broker_for(self, info: FeedInfo) -> Broker:
        """The IB broker for live data (BrokerFactory for the node's live source)."""
        if info.source != "live" or self.broker is None:
            raise IbkrConnectionError(f"no IB broker for source {info.source!r} (link not ready)")
        return self.broker

    async def close(self) -> None:
        """Stop connecting and close the IB connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not self.ready.done():
            self.ready.cancel()
        if self.feed is not None:
            await self.feed.close()
        if self.connection is not None:
            await self.connection.close()

"""Which source trades now: opens its trading session (broker, safety manager, run marker,
control API) and closes it at a handoff or at the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from orderflow_lib.core.clock import Clock, LiveClock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.loop import Sink
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.node.control_api import create_control_app
from orderflow_lib.node.lifecycle import RunMarker, begin_run
from orderflow_lib.node.summary import BrokerFactory
from orderflow_lib.risk.fence_file import FenceFile, fence_file_path
from orderflow_lib.store import Store


class SessionRouter:
    """The trading session of the current source and the sessions traded before it."""

    def __init__(
        self,
        settings: Settings,
        *,
        auth_key: str,
        broker_factory: BrokerFactory,
        store: Store | None,
        publish: Callable[[dict[str, Any]], None],
        in_trading_window: Callable[[int], bool] | None = None,
    ) -> None:
        self._settings = settings
        self._auth_key = auth_key
        self._broker_factory = broker_factory
        self._store = store
        self._publish = publish
        self._in_trading_window = in_trading_window
        self.trading: TradingSession | None = None
        self.control_app: FastAPI | None = None
        self.traded: list[TradingSession] = []
        self._run_marker: RunMarker | None = None

    async def open(self, info: FeedInfo, clock: Clock, sink: Sink | None) -> TradingSession:
        """Connect the source's broker and open its trading session behind a safety manager."""
        broker = await self._broker_factory(info)
        store = self._store
        trading = await TradingSession.open(
            source=info.source,
            settings=self._settings,
            clock=clock,
            auth_key=self._auth_key,
            broker=broker,
            safety=None if store is None else store.safety_store(info.source, "node"),
            publish=self._publish,
            sink=sink,
            connect=not broker.is_connected(),
            in_trading_window=self._in_trading_window,
            fence_file=None
            if store is None
            else FenceFile(fence_file_path(self._settings.data_dir, info.source)),
        )
        if store is not None:
            self._run_marker = begin_run(trading.manager, self._settings.data_dir, info.source)
        self.traded.append(trading)
        self.trading = trading
        self.control_app = create_control_app(
            trading.manager, flatten=trading.flatten, clock=LiveClock()
        )
        return trading

    async def close(self) -> None:
        """Close the current source's session; it stays readable for the last snapshot."""
        if self.trading is not None:
            await self.trading.close()

    async def hand_off(self) -> None:
        """Close the current source's session before another source opens its own."""
        await self.close()
        self.stopped_cleanly()
        self.trading = None
        self.control_app = None

    def stopped_cleanly(self) -> None:
        """Remove the run marker: the next start need not begin fenced."""
        if self._run_marker is not None:
            self._run_marker.remove()
            self._run_marker = None

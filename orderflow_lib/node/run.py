"""Entry points for the command line: `run_node` (orderflow run) and `run_demo` (orderflow demo).

Both assemble the same Node (feed, store, safety gate, broker, plan strategy), serve its API on
127.0.0.1, stop gracefully on SIGTERM or Ctrl-C (flush, persist, disconnect) and print a summary.
A replay that reaches the end of its data prints the summary and returns 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time as wall
import webbrowser
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Final, TextIO

from orderflow_lib.core.clock import Clock, LiveClock, ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import ConfigError
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.execution.broker import Broker
from orderflow_lib.feeds.base import Feed
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.handoff import HandoffFeed
from orderflow_lib.feeds.pacing import parse_speed
from orderflow_lib.feeds.replay import ReplayFeed
from orderflow_lib.feeds.synthetic import SyntheticFeed
from orderflow_lib.market.calendar import SessionCalendar, default_calendar
from orderflow_lib.node.app import create_app
from orderflow_lib.node.history import combined_history, store_history, synthetic_history
from orderflow_lib.node.ib_link import IbLink
from orderflow_lib.node.keys import auth_key_from_env, demo_auth_key
from orderflow_lib.node.node import Node
from orderflow_lib.node.plan_strategy import PlanStrategy
from orderflow_lib.node.server import NodeServer
from orderflow_lib.node.summary import (
    BrokerFactory,
    HistorySource,
    NodeSummary,
    paper_broker_factory,
)
from orderflow_lib.store import Store, open_store

MODES: Final = ("synthetic", "replay", "live")
DEFAULT_SEED: Final = 7
DEMO_SPEED: Final = 5.0
DEMO_START: Final = time(9, 0)
GAP_WAIT_S: Final = 5.0

DashboardLauncher = Callable[[str], AbstractAsyncContextManager[Sequence[str]]]
"""Starts a dashboard for the node at the given URL and yields the dashboard's URL; leaving the
context stops it (the CLI passes the Voila launcher of orderflow_lib.ui)."""


@dataclass(frozen=True, slots=True)
class NodeOptions:
    """How to run a node (what `run_node` / `run_demo` resolve their arguments to)."""

    mode: str = "synthetic"
    replay: Path | None = None
    speed: float | None = 1.0
    port: int | None = None
    record: bool | None = None
    seed: int = DEFAULT_SEED
    trade_date: date | None = None
    start_at: time | None = None
    days: int | None = None
    dom_metrics: bool = True
    auth_key: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}, was {self.mode!r}")
        if (self.mode == "replay") != (self.replay is not None):
            raise ConfigError("a replay needs a file (--replay PATH) and a file needs replay mode")


def _print(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


def _resolve_key(
    options: NodeOptions, settings: Settings, environ: Mapping[str, str], out: TextIO
) -> str:
    """SAFETY_AUTH_KEY; required for live, else a throwaway key in data/ when it is not set."""
    if options.auth_key is not None:
        return options.auth_key
    if options.mode == "live" or environ.get("SAFETY_AUTH_KEY"):
        return auth_key_from_env(environ)
    key, path = demo_auth_key(settings.data_dir)
    _print(out, f"safety auth key (throwaway, for this machine only): {path} (mode 0600)")
    return key


async def _open_store(settings: Settings) -> Store:
    return await asyncio.to_thread(open_store, settings.database_url)


@dataclass
class _Assembly:
    feed: Feed
    clock: Clock
    broker_factory: BrokerFactory
    history: HistorySource
    link: IbLink | None = None


def _synthetic_feed(
    options: NodeOptions, calendar: SessionCalendar, clock: Clock, speed: float | None
) -> SyntheticFeed:
    trade_date = options.trade_date or calendar.trade_date(wall.time_ns())
    start_ns = None if options.start_at is None else ny_to_ns(trade_date, options.start_at)
    if options.mode == "live":
        start_ns = clock.now_ns()
    return SyntheticFeed(
        trade_date,
        options.seed,
        speed=speed,
        days=options.days,
        fast_forward_to_ns=start_ns,
        max_wait_s=GAP_WAIT_S,
        calendar=calendar,
    )


def _assemble(
    options: NodeOptions, settings: Settings, store: Store, calendar: SessionCalendar
) -> _Assembly:
    stored = store_history(store)
    if options.mode == "replay":
        assert options.replay is not None
        clock: Clock = ReplayClock()
        feed = ReplayFeed(
            options.replay,
            speed=options.speed,
            tick_size=settings.instrument.tick_size,
            max_wait_s=GAP_WAIT_S,
        )
        return _Assembly(feed, clock, paper_broker_factory(clock), stored)
    if options.mode == "synthetic":
        clock = ReplayClock()
        synthetic = _synthetic_feed(options, calendar, clock, options.speed)
        history = combined_history(
            stored, synthetic_history(synthetic, calendar, settings.instrument.tick_size)
        )
        return _Assembly(synthetic, clock, paper_broker_factory(clock), history)
    clock = LiveClock()
    link = IbLink(settings, clock, calendar=calendar)
    synthetic = _synthetic_feed(options, calendar, clock, 1.0)
    paper = paper_broker_factory(clock)

    async def factory(info: FeedInfo) -> Broker:
        return await (link.broker_for(info) if info.source == "live" else paper(info))

    history = combined_history(
        stored, synthetic_history(synthetic, calendar, settings.instrument.tick_size)
    )
    return _Assembly(HandoffFeed(synthetic, link.ready), clock, factory, history, link)


@contextlib.asynccontextmanager
async def _no_dashboard(node_url: str) -> AsyncIterator[Sequence[str]]:
    yield [node_url]


async def serve(
    settings: Settings,
    options: NodeOptions,
    *,
    dashboard: DashboardLauncher | None = None,
    open_browser: bool = False,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    started: Callable[[str], None] | None = None,
) -> NodeSummary:
    """Run a node until its feed ends or SIGTERM / Ctrl-C; the run's summary.

    `started` is called with the node URL once it serves (tests use it).
    """
    env = os.environ if environ is None else environ
    stream = out or sys.stdout
    key = _resolve_key(options, settings, env, stream)
    calendar = default_calendar()
    store = await _open_store(settings)
    parts = _assemble(options, settings, store, calendar)
    if parts.link is not None:
        parts.link.start()
    record = options.record if options.record is not None else options.mode == "live"
    strategy = PlanStrategy(settings)
    node = Node(
        settings,
        parts.feed,
        auth_key=key,
        broker_factory=parts.broker_factory,
        store=store,
        strategies=[strategy],
        plan=strategy,
        clock=parts.clock,
        history=parts.history,
        record_to=Path(settings.data_dir) / "recordings" if record else None,
        record_sources=("live",) if options.mode == "live" else (parts.feed.info.source,),
        dom_metrics=options.dom_metrics,
        calendar=calendar,
    )
    server = NodeServer(
        create_app(node),
        host=settings.node.host,
        port=settings.node.port if options.port is None else options.port,
    )
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    summary = node.summary
    try:
        await node.start()
        await server.start()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, node.request_stop)
                handled.append(sig)
        url = server.url
        _print(
            stream,
            f"node: {url}  (health {url}/api/health, state {url}/api/state, stream ws{url.removeprefix('http')}/ws/state)",
        )
        _print(
            stream,
            f"source: {parts.feed.info.source} - {parts.feed.info.description}; store: {store.url}",
        )
        if started is not None:
            started(url)
        async with (dashboard or _no_dashboard)(url) as pages:
            if dashboard is not None:
                _print(stream, f"dashboard: {pages[0]}")
                for page in pages[1:]:
                    _print(stream, f"also: {page}")
            if open_browser:
                webbrowser.open(pages[0])
            summary = await node.run()
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        await node.close()
        await server.stop()
        if parts.link is not None:
            await parts.link.close()
        store.close()
    for line in summary.lines():
        _print(stream, line)
    return summary


def run_node(
    settings: Settings,
    mode: str = "synthetic",
    *,
    ib: bool = False,
    replay: str | Path | None = None,
    speed: float | str | None = 1.0,
    port: int | None = None,
    record: bool | None = None,
    seed: int = DEFAULT_SEED,
    dom_metrics: bool = True,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """`orderflow run`: a node on IB (`ib=True`, synthetic until IB answers), on a replayed file
    (`replay=PATH`, `speed` 1 / 10 / "max"), or on the synthetic market. Blocks until the feed
    ends or SIGTERM / Ctrl-C; returns the exit code (0)."""
    if ib:
        mode = "live"
    if replay is not None:
        mode = "replay"
    if ib and replay is not None:
        raise ConfigError("choose either --ib or --replay, not both")
    options = NodeOptions(
        mode=mode,
        replay=None if replay is None else Path(replay),
        speed=parse_speed(speed if isinstance(speed, str) or speed is None else str(speed)),
        port=port,
        record=record,
        seed=seed,
        dom_metrics=dom_metrics,
    )
    asyncio.run(serve(settings, options, environ=environ, out=out))
    return 0


def run_demo(
    settings: Settings,
    open_browser: bool = False,
    dashboard: bool = True,
    *,
    dashboard_launcher: DashboardLauncher | None = None,
    port: int | None = None,
    speed: float = DEMO_SPEED,
    seed: int = DEFAULT_SEED,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """`orderflow demo`: the synthetic market (today's trade date from 09:00 ET, `speed` x real
    time) with the paper broker and the SQLite store, plus the dashboard when `dashboard` and a
    `dashboard_launcher` are given. Prints the URLs and where the throwaway auth key is."""
    options = NodeOptions(mode="synthetic", speed=speed, port=port, seed=seed, start_at=DEMO_START)
    asyncio.run(
        serve(
            settings,
            options,
            dashboard=dashboard_launcher if dashboard else None,
            open_browser=open_browser,
            environ=environ,
            out=out,
        )
    )
    return 0

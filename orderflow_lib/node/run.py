"""Entry points for the command line: `serve` runs a node with its API on 127.0.0.1 (and a
dashboard when given), `run_node` is `orderflow run`; `orderflow demo` is in `node.demo`.

A node stops gracefully on SIGTERM or Ctrl-C (flush, persist, disconnect) and prints a summary.
A replay that reaches the end of its data prints the summary and returns 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
import time as wall
import webbrowser
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, time
from pathlib import Path
from types import FrameType
from typing import Final, TextIO

from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import ConfigError
from orderflow_lib.engine.plan_strategy import PlanStrategy
from orderflow_lib.feeds.pacing import parse_speed
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.node.app import create_app
from orderflow_lib.node.assembly import (
    DEFAULT_SEED,
    NodeOptions,
    assemble,
    open_node_store,
    resolve_key,
    say,
)
from orderflow_lib.node.node import Node
from orderflow_lib.node.server import NodeServer
from orderflow_lib.node.summary import NodeSummary

FIRST_PRICE_WAIT_S: Final = 30.0

DashboardLauncher = Callable[[str], AbstractAsyncContextManager[Sequence[str]]]
"""Starts a dashboard for the node at the given URL and yields the dashboard's URL; leaving the
context stops it (the CLI passes the Voila launcher of orderflow_lib.ui)."""


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
    stop: threading.Event | None = None,
) -> NodeSummary:
    """Run a node until its feed ends or SIGTERM / Ctrl-C; the run's summary.

    The market runs while the dashboard gets ready, so a first viewer finds prices at once.
    `started` is called with the node URL once it serves (tests use it). `stop` is set by the
    caller's own signal handler (see `run_demo`): a stop asked for before the node could take
    signals stops it as soon as it can, and that handler is put back when the node is done.
    """
    env = os.environ if environ is None else environ
    stream = out or sys.stdout
    key = resolve_key(options, settings, env, stream)
    calendar = default_calendar()
    store = await open_node_store(settings)
    parts = assemble(options, settings, store, calendar)
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
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, node.request_stop)
            handled.append(sig)
    if stop is not None and stop.is_set():
        node.request_stop()
    summary = node.summary
    try:
        await node.start()
        await server.start()
        url = server.url
        say(
            stream,
            f"node: {url}  (health {url}/api/health, state {url}/api/state, stream ws{url.removeprefix('http')}/ws/state)",
        )
        say(
            stream,
            f"source: {parts.feed.info.source} - {parts.feed.info.description}; store: {store.url}",
        )
        if started is not None:
            started(url)
        if node.stopping:
            dashboard = None
        running = asyncio.create_task(node.run())
        try:
            async with (dashboard or _no_dashboard)(url) as pages:
                if dashboard is not None:
                    await _first_price(node, running)
                    say(stream, f"dashboard: {pages[0]}")
                    for page in pages[1:]:
                        say(stream, f"also: {page}")
                if open_browser:
                    webbrowser.open(pages[0])
                summary = await running
        finally:
            if not running.done():
                node.request_stop()
                await running
    finally:
        await node.close()
        await server.stop()
        if parts.link is not None:
            await parts.link.close()
        store.close()
        for sig in handled:
            loop.remove_signal_handler(sig)
            if stop is not None:
                signal.signal(sig, stop_flagger(stop))
    for line in summary.lines():
        say(stream, line)
    return summary


async def _first_price(node: Node, running: asyncio.Task[NodeSummary]) -> None:
    """Wait until the node's newest snapshot has a last price (at most FIRST_PRICE_WAIT_S, and not
    past the end of its run or a stop): the dashboard's address is printed then, so the first
    viewer sees prices at once."""
    deadline = wall.monotonic() + FIRST_PRICE_WAIT_S
    while wall.monotonic() < deadline and not running.done() and not node.stopping:
        snapshot = node.hub.latest().get("snapshot") or {}
        if (snapshot.get("price") or {}).get("last") is not None:
            return
        await asyncio.sleep(0.05)


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
    trade_date: date | None = None,
    start_at: time | None = None,
    dom_metrics: bool = True,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """`orderflow run`: a node on IB (`ib=True`, synthetic until IB answers), on a replayed file
    or Lean folder (`replay=PATH`, `speed` 1 / 10 / "max"), or on the synthetic market (of
    `trade_date` from `start_at` New York time). Blocks until the feed ends or SIGTERM / Ctrl-C;
    returns the exit code (0)."""
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
        trade_date=trade_date,
        start_at=start_at,
        dom_metrics=dom_metrics,
    )
    asyncio.run(serve(settings, options, environ=environ, out=out))
    return 0


def stop_flagger(stop: threading.Event) -> Callable[[int, FrameType | None], None]:
    """A signal handler that only sets `stop` (nothing is raised in the middle of start-up)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    return handler

"""How a node is put together for each mode: its options, its safety key, its store and the
feed, clock, broker and history of synthetic, replay and live runs."""

from __future__ import annotations

import asyncio
import time as wall
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Final, TextIO

from orderflow_lib.core.clock import Clock, DrivenClock, LiveClock, ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import ConfigError
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.engine.loop import HistorySource
from orderflow_lib.execution.broker import Broker
from orderflow_lib.feeds.base import Feed
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.handoff import HandoffFeed
from orderflow_lib.feeds.replay import ReplayFeed
from orderflow_lib.feeds.synthetic import HISTORY_DAYS, RotationStory, SyntheticFeed
from orderflow_lib.market.calendar import SessionCalendar
from orderflow_lib.node.history import (
    combined_history,
    saved_history,
    store_history,
    synthetic_history,
)
from orderflow_lib.node.ib_link import IbLink
from orderflow_lib.node.keys import auth_key_from_env, demo_auth_key
from orderflow_lib.node.summary import BrokerFactory, settings_paper_factory
from orderflow_lib.store import Store, open_store

MODES: Final = ("synthetic", "replay", "live")
DEFAULT_SEED: Final = 7
GAP_WAIT_S: Final = 5.0
"""A replay or synthetic feed waits at most this long across a gap in the data."""


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
    history_days: int = HISTORY_DAYS
    story: bool = False
    dom_metrics: bool = True
    auth_key: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}, was {self.mode!r}")
        if (self.mode == "replay") != (self.replay is not None):
            raise ConfigError("a replay needs a file (--replay PATH) and a file needs replay mode")


def say(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


def resolve_key(
    options: NodeOptions, settings: Settings, environ: Mapping[str, str], out: TextIO
) -> str:
    """SAFETY_AUTH_KEY; required for live, else a throwaway key in data/ when it is not set."""
    if options.auth_key is not None:
        return options.auth_key
    if options.mode == "live" or environ.get("SAFETY_AUTH_KEY"):
        return auth_key_from_env(environ)
    key, path = demo_auth_key(settings.data_dir)
    say(out, f"safety auth key (throwaway, for this machine only): {path} (mode 0600)")
    return key


async def open_node_store(settings: Settings) -> Store:
    """The node's store, every call under the `store.timeout_ms` deadline."""
    return await asyncio.to_thread(
        open_store, settings.database_url, timeout_ms=settings.store.timeout_ms
    )


@dataclass
class Assembly:
    """What a node mode runs on: feed, clock, broker factory, history (and the IB link live)."""

    feed: Feed
    clock: DrivenClock
    broker_factory: BrokerFactory
    history: HistorySource
    link: IbLink | None = None


def synthetic_feed(
    options: NodeOptions,
    settings: Settings,
    calendar: SessionCalendar,
    clock: Clock,
    speed: float | None,
) -> SyntheticFeed:
    """The synthetic market of the chosen date from the chosen time."""
    trade_date = options.trade_date or calendar.trade_date(wall.time_ns())
    start_ns = None if options.start_at is None else ny_to_ns(trade_date, options.start_at)
    if options.mode == "live":
        start_ns = clock.now_ns()
    return SyntheticFeed(
        trade_date,
        options.seed,
        speed=speed,
        days=options.days,
        history_days=options.history_days,
        story=RotationStory(settings) if options.story else None,
        fast_forward_to_ns=start_ns,
        max_wait_s=GAP_WAIT_S,
        calendar=calendar,
    )


def assemble(
    options: NodeOptions, settings: Settings, store: Store, calendar: SessionCalendar
) -> Assembly:
    stored = store_history(store)
    if options.mode == "replay":
        assert options.replay is not None
        clock: DrivenClock = ReplayClock()
        feed = ReplayFeed(
            options.replay,
            speed=options.speed,
            tick_size=settings.instrument.tick_size,
            max_wait_s=GAP_WAIT_S,
            limits=settings.data,
            day=options.trade_date,
        )
        return Assembly(feed, clock, settings_paper_factory(clock, settings), stored)
    if options.mode == "synthetic":
        clock = ReplayClock()
        synthetic = synthetic_feed(options, settings, calendar, clock, options.speed)
        generated = synthetic_history(synthetic, calendar, settings.instrument.tick_size)
        if options.story:
            generated = saved_history(generated, store, calendar)
        history = combined_history(stored, generated)
        return Assembly(synthetic, clock, settings_paper_factory(clock, settings), history)
    clock = LiveClock()
    link = IbLink(settings, clock, calendar=calendar)
    synthetic = synthetic_feed(options, settings, calendar, clock, 1.0)
    paper = settings_paper_factory(clock, settings)

    async def factory(info: FeedInfo) -> Broker:
        return await (link.broker_for(info) if info.source == "live" else paper(info))

    history = combined_history(
        stored, synthetic_history(synthetic, calendar, settings.instrument.tick_size)
    )
    return Assembly(HandoffFeed(synthetic, link.ready), clock, factory, history, link)

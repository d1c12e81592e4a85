"""Market data feeds for the node: the synthetic market, replay of Databento files and recordings,
IB live data, recording to Parquet, and the atomic synthetic-to-real handoff. Every feed delivers
MARKET_EVENT_DTYPE batches, so live, replay and the demo share one code path."""

from orderflow_lib.feeds.base import Feed, FeedItem
from orderflow_lib.feeds.dbn import dbn_events
from orderflow_lib.feeds.events import (
    DEPTH_RESET,
    KIND_DEPTH,
    KIND_QUOTE,
    KIND_TRADE,
    MARKET_EVENT_DTYPE,
    FeedInfo,
    SourceChange,
    check_events,
    depth_events,
    empty_events,
    event_objects,
    events_from_objects,
    merge_events,
    quote_events,
    trade_events,
)
from orderflow_lib.feeds.handoff import HandoffFeed
from orderflow_lib.feeds.ib import IbFeed
from orderflow_lib.feeds.pacing import Pacer, paced_batches, parse_speed
from orderflow_lib.feeds.recording import Recorder, iter_recording, read_recording, recording_info
from orderflow_lib.feeds.replay import ReplayFeed, is_dbn
from orderflow_lib.feeds.synthetic import SyntheticFeed, session_chunks, session_events

__all__ = [
    "DEPTH_RESET",
    "KIND_DEPTH",
    "KIND_QUOTE",
    "KIND_TRADE",
    "MARKET_EVENT_DTYPE",
    "Feed",
    "FeedInfo",
    "FeedItem",
    "HandoffFeed",
    "IbFeed",
    "Pacer",
    "Recorder",
    "ReplayFeed",
    "SourceChange",
    "SyntheticFeed",
    "check_events",
    "dbn_events",
    "depth_events",
    "empty_events",
    "event_objects",
    "events_from_objects",
    "is_dbn",
    "iter_recording",
    "merge_events",
    "paced_batches",
    "parse_speed",
    "quote_events",
    "read_recording",
    "recording_info",
    "session_chunks",
    "session_events",
    "trade_events",
]

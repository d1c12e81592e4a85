"""Market data feeds for the node: the synthetic market, replay of Databento files and recordings,
IB live data, recording to Parquet, and the atomic synthetic-to-real handoff. Every feed delivers
MARKET_EVENT_DTYPE batches, so live, replay and the demo share one code path."""

from orderflow_lib.feeds.base import Feed, FeedItem
from orderflow_lib.feeds.events import FeedInfo, SourceChange
from orderflow_lib.feeds.handoff import HandoffFeed
from orderflow_lib.feeds.ib import IbFeed
from orderflow_lib.feeds.recording import Recorder
from orderflow_lib.feeds.replay import ReplayFeed
from orderflow_lib.feeds.synthetic import SyntheticFeed

__all__ = [
    "Feed",
    "FeedInfo",
    "FeedItem",
    "HandoffFeed",
    "IbFeed",
    "Recorder",
    "ReplayFeed",
    "SourceChange",
    "SyntheticFeed",
]

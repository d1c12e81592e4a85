"""The Feed port: what the node reads market data from (synthetic, replay, IB live, handoff)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

import numpy as np

from orderflow_lib.feeds.events import FeedInfo, SourceChange

FeedItem = np.ndarray | SourceChange
"""A MARKET_EVENT_DTYPE batch, or the marker of a switch to another source."""


class Feed(Protocol):
    """A source of event batches. `items()` ends when the data ends (replay) and runs until
    `close()` otherwise (live, synthetic without a day limit)."""

    @property
    def info(self) -> FeedInfo:
        """Where the events come from now."""
        ...

    @property
    def state(self) -> str:
        """One word for the dashboard: connecting, live, replaying, ended, closed, ..."""
        ...

    def items(self) -> AsyncIterator[FeedItem]:
        """Batches (and source changes) in arrival order."""
        ...

    async def close(self) -> None:
        """Stop delivering and release connections."""
        ...

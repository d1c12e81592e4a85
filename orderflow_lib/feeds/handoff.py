"""The atomic synthetic-to-real handoff: the synthetic market runs until the real feed is ready,
then it stops for good, a SourceChange marks the switch, and only real events follow.

Nothing synthetic is delivered after the marker and nothing real before it, so a consumer that
restarts its engines at the marker never mixes the two.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from orderflow_lib.feeds.base import Feed, FeedItem
from orderflow_lib.feeds.events import FeedInfo, SourceChange


class HandoffFeed:
    """`first` (the synthetic market) until `second` resolves to the real feed, then that feed."""

    def __init__(self, first: Feed, second: asyncio.Future[Feed]) -> None:
        self._first = first
        self._second = second
        self._current: Feed = first
        self._closed = False

    @property
    def info(self) -> FeedInfo:
        """The feed delivering now."""
        return self._current.info

    @property
    def state(self) -> str:
        """The state of the feed delivering now."""
        return self._current.state

    @property
    def switched(self) -> bool:
        """True once the real feed has taken over."""
        return self._current is not self._first

    async def items(self) -> AsyncIterator[FeedItem]:
        """First's batches, then SourceChange, then second's batches."""
        first_items = self._first.items().__aiter__()
        first_done = False
        while not self._second.done() and not self._closed:
            if first_done:
                await asyncio.wait({self._second})
                break
            step: asyncio.Future[FeedItem] = asyncio.ensure_future(first_items.__anext__())
            waiting: set[asyncio.Future[object]] = {step, self._second}  # type: ignore[arg-type]
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if step.done():
                try:
                    yield step.result()
                except StopAsyncIteration:
                    first_done = True
                continue
            step.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await step
        await self._first.close()
        if self._closed or self._second.cancelled():
            return
        second = self._second.result()
        self._current = second
        yield SourceChange(second.info, f"real market data ready: {second.info.description}")
        async for item in second.items():
            yield item

    async def close(self) -> None:
        """Stop both feeds (the real one only if it was handed over)."""
        self._closed = True
        await self._first.close()
        if self._current is not self._first:
            await self._current.close()

"""Replay of recorded market data: Databento DBN files and the node's own recordings, at `speed`
times real time (1, 10, ...) or as fast as the node takes them (`speed=None`, "max").

The events reach the node exactly as they were recorded (same order, same batching rules as live),
so a replayed recording reproduces the live run's signals, plan statuses and order intents.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Final

import numpy as np

from orderflow_lib.core.errors import DataError
from orderflow_lib.feeds.base import FeedItem
from orderflow_lib.feeds.dbn import dbn_events
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.pacing import DEFAULT_MAX_BATCH, Pacer, Sleep, paced_batches
from orderflow_lib.feeds.recording import iter_recording, recording_info

DBN_SUFFIXES: Final = (".dbn", ".zst")
_DBN_CHUNK: Final = 65_536


def is_dbn(path: str | os.PathLike[str]) -> bool:
    """True for a Databento file (.dbn or .dbn.zst), False for a recording."""
    return Path(path).suffix in DBN_SUFFIXES


class ReplayFeed:
    """Events of one DBN file or recording, paced; source "replay"."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        speed: float | None = None,
        tick_size: float = 0.25,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_wait_s: float | None = None,
        sleep: Sleep = asyncio.sleep,
        wall_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise DataError(f"replay file {self.path} does not exist")
        self._tick_size = tick_size
        self._pacer = Pacer(speed, max_wait_s=max_wait_s, wall_ns=wall_ns)
        self._max_batch = max_batch
        self._sleep = sleep
        self._state = "idle"
        self._closed = False
        self._dbn: np.ndarray | None = None
        if is_dbn(self.path):
            self._dbn, contract = dbn_events(self.path, tick_size)
            self.info = FeedInfo(
                source="replay",
                contract=contract or self.path.name,
                tick_size=tick_size,
                exchange_side=True,
                description=f"replay of {self.path.name}",
            )
        else:
            recorded = recording_info(self.path)
            self.info = replace(
                recorded,
                source="replay",
                description=f"replay of {self.path.name} (recorded from {recorded.source})",
            )
        self.events_total = None if self._dbn is None else int(self._dbn.shape[0])

    @property
    def state(self) -> str:
        """idle, replaying, ended or closed."""
        return self._state

    def _chunks(self) -> Iterator[np.ndarray]:
        if self._dbn is not None:
            for start in range(0, self._dbn.shape[0], _DBN_CHUNK):
                yield self._dbn[start : start + _DBN_CHUNK]
        else:
            yield from iter_recording(self.path)

    async def items(self) -> AsyncIterator[FeedItem]:
        """The recorded events in order; ends at the end of the data or on `close`."""
        self._state = "replaying"
        async for batch in paced_batches(
            self._chunks(),
            self._pacer,
            max_batch=self._max_batch,
            sleep=self._sleep,
            stopped=lambda: self._closed,
        ):
            if self._closed:
                return
            yield batch
        if not self._closed:
            self._state = "ended"

    async def close(self) -> None:
        """Stop after the batch being delivered."""
        self._closed = True
        self._state = "closed"

"""Replay of recorded market data: Databento DBN files, the node's own recordings, and one day of
a Lean minute folder (its bars become trades and quotes), at `speed` times real time (1, 10, ...)
or as fast as the node takes them (`speed=None`, "max").

The events reach the node exactly as they were recorded (same order, same batching rules as live),
so a replayed recording reproduces the live run's signals, plan statuses and order intents.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np

from orderflow_lib.core.config import ES_TICK_SIZE, DataSettings
from orderflow_lib.core.errors import DataError
from orderflow_lib.feeds.bars import lean_session_events
from orderflow_lib.feeds.base import FeedItem
from orderflow_lib.feeds.dbn import dbn_events
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.pacing import DEFAULT_MAX_BATCH, Pacer, Sleep, paced_batches
from orderflow_lib.feeds.recording import iter_recording, recording_info
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.readers.limits import DEFAULT_LIMITS
from orderflow_lib.market.readers.source import is_dbn

_DBN_CHUNK: Final = 65_536


class ReplayFeed:
    """Events of one DBN file or recording, paced; source "replay".

    A DBN file is read whole when the feed is made: a damaged file, or a record outside `limits`
    (the `data` settings), is a DataError naming the file before anything is replayed.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        speed: float | None = None,
        tick_size: float = ES_TICK_SIZE,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_wait_s: float | None = None,
        sleep: Sleep = asyncio.sleep,
        wall_ns: Callable[[], int] = time.monotonic_ns,
        limits: DataSettings = DEFAULT_LIMITS,
        day: date | None = None,
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
        if self.path.is_dir():
            if day is None:
                raise DataError(
                    f"{self.path} is a folder: give the trade date to replay from its Lean "
                    "minute bars (--date YYYY-MM-DD)"
                )
            self._dbn = lean_session_events(self.path, day, tick_size=tick_size)
            self.info = FeedInfo(
                source="replay",
                contract=default_calendar().lead_contract(day, "ES"),
                tick_size=tick_size,
                exchange_side=True,
                description=f"replay of the Lean minute bars of {day} in {self.path.name}",
                trade_date=day,
            )
        elif is_dbn(self.path):
            self._dbn, contract = dbn_events(self.path, tick_size, limits=limits)
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

"""Release event arrays as batches at a chosen speed: 1x (real time), 10x, or as fast as the
node takes them (`speed=None`, "max").

Pacing follows event time (its running maximum, so a feed whose streams are stamped by different
clocks never runs backwards); `max_wait_s` compresses long quiet stretches such as the daily
maintenance halt; events before `fast_forward_to_ns` are released at once. Batch boundaries
change nothing downstream: the node gives the same results for any batching.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Final

import numpy as np

from orderflow_lib.core.errors import DataError
from orderflow_lib.core.timeconv import NS_PER_SECOND

DEFAULT_MAX_BATCH: Final = 4096
_MAX_SLEEP_S: Final = 0.25

Sleep = Callable[[float], Awaitable[None]]


def parse_speed(text: str | float | None) -> float | None:
    """A replay speed from the command line: "max" (or None) means as fast as possible, else a
    positive multiple of real time ("1", "10", "0.5")."""
    if text is None or (isinstance(text, str) and text.strip().lower() == "max"):
        return None
    try:
        speed = float(text)
    except ValueError:
        raise DataError(f"speed must be 'max' or a number > 0, was {text!r}") from None
    if not speed > 0 or speed == float("inf"):
        raise DataError(f"speed must be 'max' or a number > 0, was {text!r}")
    return speed


class Pacer:
    """Decides when events are due: event time runs at `speed` times wall time from the first
    paced event; `max_wait_s` caps any single wait by moving the origin."""

    def __init__(
        self,
        speed: float | None,
        *,
        max_wait_s: float | None = None,
        fast_forward_to_ns: int | None = None,
        wall_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        if speed is not None and not speed > 0:
            raise DataError(f"speed must be > 0 or None, was {speed!r}")
        if max_wait_s is not None and not max_wait_s >= 0:
            raise DataError(f"max_wait_s must be >= 0 or None, was {max_wait_s!r}")
        self.speed = speed
        self.max_wait_s = max_wait_s
        self.fast_forward_to_ns = fast_forward_to_ns
        self._wall_ns = wall_ns
        self._origin_event_ns: int | None = None
        self._origin_wall_ns = 0

    def due_event_ns(self, next_event_ns: int) -> int:
        """The newest event time that is due now (everything at or before it may be released)."""
        if self.speed is None:
            return np.iinfo(np.int64).max
        ff = self.fast_forward_to_ns
        if ff is not None and next_event_ns < ff:
            return ff - 1
        if self._origin_event_ns is None:
            self._origin_event_ns = next_event_ns
            self._origin_wall_ns = self._wall_ns()
        elapsed_ns = self._wall_ns() - self._origin_wall_ns
        due = self._origin_event_ns + int(elapsed_ns * self.speed)
        wait_s = (next_event_ns - due) / self.speed / NS_PER_SECOND
        if self.max_wait_s is not None and wait_s > self.max_wait_s:
            skip_ns = int((wait_s - self.max_wait_s) * self.speed * NS_PER_SECOND)
            self._origin_event_ns += skip_ns
            due += skip_ns
        return due

    def wait_s(self, next_event_ns: int) -> float:
        """Seconds until `next_event_ns` is due (0 when due now or unpaced)."""
        if self.speed is None or self._origin_event_ns is None:
            return 0.0
        due_wall = self._origin_wall_ns + (next_event_ns - self._origin_event_ns) / self.speed
        return max(0.0, (due_wall - self._wall_ns()) / NS_PER_SECOND)


async def paced_batches(
    chunks: Iterable[np.ndarray] | AsyncIterator[np.ndarray],
    pacer: Pacer,
    *,
    max_batch: int = DEFAULT_MAX_BATCH,
    sleep: Sleep = asyncio.sleep,
    stopped: Callable[[], bool] | None = None,
) -> AsyncIterator[np.ndarray]:
    """Slices of the event arrays in `chunks`, each released once its events are due (at most
    `max_batch` events a slice); yields control to the event loop between slices and ends as soon
    as `stopped()` says so, even while waiting for the next event."""
    if max_batch < 1:
        raise DataError(f"max_batch must be >= 1, was {max_batch}")
    running_max = np.iinfo(np.int64).min
    async for chunk in _aiter(chunks):
        if chunk.shape[0] == 0:
            continue
        ts_run = np.maximum.accumulate(np.maximum(chunk["ts_ns"], running_max))
        running_max = int(ts_run[-1])
        start = 0
        n = chunk.shape[0]
        while start < n:
            due = pacer.due_event_ns(int(ts_run[start]))
            stop = min(int(np.searchsorted(ts_run, due, side="right")), start + max_batch)
            if stop <= start:
                if stopped is not None and stopped():
                    return
                await sleep(min(pacer.wait_s(int(ts_run[start])), _MAX_SLEEP_S))
                continue
            yield chunk[start:stop]
            start = stop
            await sleep(0)


async def _aiter(
    chunks: Iterable[np.ndarray] | AsyncIterator[np.ndarray],
) -> AsyncIterator[np.ndarray]:
    if isinstance(chunks, AsyncIterator):
        async for chunk in chunks:
            yield chunk
    else:
        for chunk in chunks:
            yield chunk

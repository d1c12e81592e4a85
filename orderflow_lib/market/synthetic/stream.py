"""A synthetic session as one time-ordered event stream: plain iterator, or paced for live use.

At equal timestamps depth updates come before the quote they summarise (both describe the same
book change, in the generator's order); a trade never shares its timestamp with a book event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import numpy as np

from orderflow_lib.core.clock import Clock
from orderflow_lib.core.timeconv import NS_PER_MINUTE, NS_PER_SECOND
from orderflow_lib.market.events import DepthUpdate, Quote, Trade
from orderflow_lib.market.synthetic.generator import SyntheticSession
from orderflow_lib.market.synthetic.windows import SyntheticMarketError

Event = Trade | Quote | DepthUpdate
CHUNK_NS = NS_PER_MINUTE
_YIELD_EVERY = 1_000


class _MonotonicClock:
    """Pacing time that never jumps (unlike wall time under NTP corrections)."""

    def now_ns(self) -> int:
        return time.monotonic_ns()


def iter_events(
    session: SyntheticSession, *, start_ns: int | None = None, end_ns: int | None = None
) -> Iterator[Event]:
    """Trades, depth updates and quotes with `start_ns <= ts_ns < end_ns`, merged by time."""
    start = session.windows.open_ns if start_ns is None else int(start_ns)
    end = session.windows.close_ns if end_ns is None else int(end_ns)
    sources = (
        (session.trades, Trade),
        (session.depth, DepthUpdate),
        (session.quotes, Quote),
    )
    times = [array["ts_ns"] for array, _ in sources]
    positions = [int(np.searchsorted(ts, start, side="left")) for ts in times]
    limits = [int(np.searchsorted(ts, end, side="left")) for ts in times]
    while True:
        pending = [
            int(ts[p]) for ts, p, lim in zip(times, positions, limits, strict=True) if p < lim
        ]
        if not pending:
            return
        chunk_end = min(pending) + CHUNK_NS
        stops = [
            min(int(np.searchsorted(ts, chunk_end, side="left")), lim)
            for ts, lim in zip(times, limits, strict=True)
        ]
        events: list[Event] = []
        keys_ts = []
        keys_source = []
        for source, ((array, record), lo, hi) in enumerate(
            zip(sources, positions, stops, strict=True)
        ):
            rows = array[lo:hi]
            events.extend(record(*row) for row in rows.tolist())
            keys_ts.append(rows["ts_ns"])
            keys_source.append(np.full(hi - lo, source, dtype=np.int8))
        ts_key = np.concatenate(keys_ts)
        order = np.lexsort((np.arange(ts_key.size), np.concatenate(keys_source), ts_key))
        for i in order.tolist():
            yield events[i]
        positions = stops


async def paced_events(
    session: SyntheticSession,
    *,
    speed: float | None = 1.0,
    start_ns: int | None = None,
    end_ns: int | None = None,
    max_wait_s: float | None = None,
    clock: Clock | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[Event]:
    """The events of `iter_events`, released at `speed` times the session's own pace.

    `speed=None` releases them as fast as the consumer takes them (still yielding to the event loop
    every 1 000 events). `max_wait_s` caps any single wait, compressing long quiet stretches and
    halts. `clock` and `sleep` are injectable for tests (defaults: monotonic time, asyncio.sleep).
    """
    if speed is not None and not speed > 0:
        raise SyntheticMarketError(f"speed must be > 0 or None, was {speed!r}")
    if max_wait_s is not None and not max_wait_s >= 0:
        raise SyntheticMarketError(f"max_wait_s must be >= 0 or None, was {max_wait_s!r}")
    wall = clock if clock is not None else _MonotonicClock()
    origin_event_ns: int | None = None
    origin_wall_ns = 0
    for count, event in enumerate(iter_events(session, start_ns=start_ns, end_ns=end_ns), 1):
        if speed is None:
            if count % _YIELD_EVERY == 0:
                await sleep(0)
            yield event
            continue
        if origin_event_ns is None:
            origin_event_ns = event.ts_ns
            origin_wall_ns = wall.now_ns()
        due_ns = origin_wall_ns + round((event.ts_ns - origin_event_ns) / speed)
        wait_s = (due_ns - wall.now_ns()) / NS_PER_SECOND
        if max_wait_s is not None and wait_s > max_wait_s:
            origin_wall_ns -= round((wait_s - max_wait_s) * NS_PER_SECOND)
            wait_s = max_wait_s
        if wait_s > 0:
            await sleep(wait_s)
        elif count % _YIELD_EVERY == 0:
            await sleep(0)
        yield event

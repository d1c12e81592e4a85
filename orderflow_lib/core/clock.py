"""Clocks that engines read time from: live wall time, or a test/replay clock moved only when told."""

from __future__ import annotations

import time
from typing import Protocol

from orderflow_lib.core.errors import ClockError


class Clock(Protocol):
    """Anything that tells the current time as int64 UTC nanoseconds."""

    def now_ns(self) -> int: ...


class DrivenClock(Clock, Protocol):
    """A clock the trading loop shows event time: a replay clock moves with the events, a live
    clock keeps its own time."""

    @property
    def follows_events(self) -> bool:
        """True when event times move this clock."""
        ...

    def follow(self, ts_ns: int) -> None:
        """Event time `ts_ns` was reached."""
        ...


class LiveClock:
    """Wall-clock time from the operating system; event times do not move it."""

    follows_events = False

    def now_ns(self) -> int:
        return time.time_ns()

    def follow(self, ts_ns: int) -> None:
        """Wall time is its own: nothing to do."""


class ReplayClock:
    """A clock that only moves forward when told: replay drives it from event times, tests by hand."""

    follows_events = True

    def __init__(self, start_ns: int = 0) -> None:
        self._now_ns = int(start_ns)

    def now_ns(self) -> int:
        return self._now_ns

    def follow(self, ts_ns: int) -> None:
        """Move forward to event time `ts_ns`; an earlier time leaves the clock where it is."""
        if ts_ns > self._now_ns:
            self._now_ns = int(ts_ns)

    def set_ns(self, ts_ns: int) -> None:
        """Move to `ts_ns`; moving backwards is refused because engines rely on monotonic time."""
        ts_ns = int(ts_ns)
        if ts_ns < self._now_ns:
            raise ClockError(f"clock cannot move backwards: now {self._now_ns}, asked {ts_ns}")
        self._now_ns = ts_ns

    def advance_ns(self, delta_ns: int) -> None:
        """Move forward by `delta_ns` nanoseconds (>= 0)."""
        if delta_ns < 0:
            raise ClockError(f"delta_ns must be >= 0, was {delta_ns}")
        self._now_ns += int(delta_ns)

    def advance_s(self, seconds: float) -> None:
        """Move forward by a number of seconds."""
        self.advance_ns(round(seconds * 1_000_000_000))


TestClock = ReplayClock

"""Clocks that engines read time from: live wall time, or a test/replay clock moved only when told."""

from __future__ import annotations

import time
from typing import Protocol

from orderflow_lib.core.errors import ClockError


class Clock(Protocol):
    """Anything that tells the current time as int64 UTC nanoseconds."""

    def now_ns(self) -> int: ...


class LiveClock:
    """Wall-clock time from the operating system."""

    def now_ns(self) -> int:
        return time.time_ns()


class ReplayClock:
    """A clock that only moves forward when told: replay drives it from event times, tests by hand."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now_ns = int(start_ns)

    def now_ns(self) -> int:
        return self._now_ns

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

"""Shared helpers of the feed tests: a fake wall clock and a sleep that advances it."""

from __future__ import annotations

from datetime import date
from functools import cache

from orderflow_lib.market.synthetic import SyntheticSession, generate_session

TRADE_DATE = date(2026, 11, 24)


class FakeWall:
    """Monotonic nanoseconds that move only when `sleep` is awaited."""

    def __init__(self) -> None:
        self.now = 1_000_000_000_000
        self.sleeps: list[float] = []

    def __call__(self) -> int:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += int(seconds * 1_000_000_000)


@cache
def tiny_session(seed: int = 3) -> SyntheticSession:
    """A very small synthetic session (scale 0.01) of TRADE_DATE."""
    return generate_session(TRADE_DATE, seed, scale=0.01)

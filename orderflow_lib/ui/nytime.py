"""New York wall time for the dashboards, without pandas: a dashboard kernel then starts about a
second sooner. `core.timeconv` is the reference; a unit test keeps the two in step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
NS_PER_MINUTE = 60_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ns_to_ny(ts_ns: int) -> datetime:
    """New York wall time of UTC nanoseconds, truncated to microseconds."""
    return (_EPOCH + timedelta(microseconds=int(ts_ns) // 1_000)).astimezone(NY)

"""The one place that converts between int64 UTC nanoseconds and timezone-aware datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

NY = ZoneInfo("America/New_York")
NS_PER_SECOND = 1_000_000_000
NS_PER_MINUTE = 60 * NS_PER_SECOND
NS_PER_HOUR = 60 * NS_PER_MINUTE
NS_PER_DAY = 24 * NS_PER_HOUR
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def datetime_to_ns(dt: datetime) -> int:
    """UTC nanoseconds of an aware datetime; naive datetimes are refused because their zone is a guess."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise ValueError(f"datetime must be timezone-aware, was naive: {dt!r}")
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS_PER_SECOND + delta.microseconds * 1_000


def ns_to_datetime(ts_ns: int, tz: ZoneInfo | None = None) -> datetime:
    """Aware datetime (UTC unless `tz` is given) of UTC nanoseconds, truncated to microseconds."""
    dt = _EPOCH + timedelta(microseconds=int(ts_ns) // 1_000)
    return dt.astimezone(tz) if tz is not None else dt


def ns_to_ny(ts_ns: int) -> datetime:
    """New York wall time of UTC nanoseconds (for sessions and display)."""
    return ns_to_datetime(ts_ns, NY)


def ny_to_ns(day: date, clock_time: time) -> int:
    """UTC nanoseconds of a New York wall-clock time on a date (DST handled by the tz database)."""
    return datetime_to_ns(datetime.combine(day, clock_time, tzinfo=NY))


def ns_to_timestamp(ts_ns: int | np.integer) -> pd.Timestamp:
    """pandas UTC Timestamp of UTC nanoseconds, exact to the nanosecond."""
    return pd.Timestamp(int(ts_ns), unit="ns", tz="UTC")


def timestamp_to_ns(ts: pd.Timestamp) -> int:
    """UTC nanoseconds of an aware pandas Timestamp; naive ones are refused."""
    if ts.tzinfo is None:
        raise ValueError(f"timestamp must be timezone-aware, was naive: {ts!r}")
    return int(ts.tz_convert("UTC").value)


def parse_hhmm(text: str) -> time:
    """A clock time from 'HH:MM' text, as used in settings and the calendar override file."""
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"time must be 'HH:MM', was {text!r}") from exc

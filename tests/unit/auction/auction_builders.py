"""Builders for auction tests: prices in ticks, New York times, print streams and periods."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np

from orderflow_lib.auction.tape import PRINT_DTYPE, Window
from orderflow_lib.core.timeconv import NS_PER_MINUTE, NS_PER_SECOND, ny_to_ns

DAY = dt.date(2024, 3, 5)
RTH_OPEN_NS = ny_to_ns(DAY, dt.time(9, 30))


def tk(price: float) -> int:
    """ES ticks of a decimal price."""
    return round(price * 4)


def ny(hour: int, minute: int, second: int = 0) -> int:
    """UTC ns of a New York time on DAY."""
    return ny_to_ns(DAY, dt.time(hour, minute, second))


def prints(rows: list[tuple[int, float]]) -> np.ndarray:
    """PRINT_DTYPE prints from (ts_ns, decimal price) rows."""
    out = np.empty(len(rows), dtype=PRINT_DTYPE)
    out["ts_ns"] = [ts for ts, _ in rows]
    out["price_ticks"] = [tk(p) for _, p in rows]
    return out


def rth_periods(count: int = 13, start_ns: int = RTH_OPEN_NS) -> list[Window]:
    """30-minute periods A, B, C ... from start_ns."""
    step = 30 * NS_PER_MINUTE
    return [
        Window("ABCDEFGHIJKLM"[k], start_ns + k * step, start_ns + (k + 1) * step)
        for k in range(count)
    ]


def walk(
    waypoints: list[tuple[int, int]], start_ns: int = RTH_OPEN_NS, end_s: int = 1800
) -> np.ndarray:
    """A continuous price path through (seconds after start, tick) waypoints: every tick between
    waypoints is printed, plus one print per minute, so every minute has a print."""
    rows: list[tuple[int, int]] = []
    for (s0, t0), (s1, t1) in itertools.pairwise(waypoints):
        steps = abs(t1 - t0)
        for k in range(steps + 1 if (s1, t1) == waypoints[-1] else steps):
            tick = t0 + (k if t1 >= t0 else -k)
            seconds = s0 + (s1 - s0) * k / max(steps, 1)
            rows.append((start_ns + int(seconds * NS_PER_SECOND), tick))
    for minute in range(end_s // 60):
        second = minute * 60
        for (s0, t0), (s1, t1) in itertools.pairwise(waypoints):
            if s0 <= second < s1:
                tick = t0 + round((t1 - t0) * (second - s0) / (s1 - s0))
                rows.append((start_ns + second * NS_PER_SECOND, tick))
                break
        else:
            rows.append((start_ns + second * NS_PER_SECOND, waypoints[-1][1]))
    rows.sort(key=lambda r: r[0])
    out = np.empty(len(rows), dtype=PRINT_DTYPE)
    out["ts_ns"] = [r[0] for r in rows]
    out["price_ticks"] = [r[1] for r in rows]
    return out

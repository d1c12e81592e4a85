"""Prints and period summaries: the one input stream every auction state machine reads.

A print is (ts_ns, price_ticks). Trades are prints as they are; a 1-minute OHLC bar becomes four
prints at its open time in the order open -> nearer extreme -> farther extreme -> close (ties:
an up bar visits its low first, a down bar its high), the usual assumption when only bars exist.
`PeriodBuilder` turns prints into lettered 30-minute (or any) period summaries as time passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.market.events import BAR_DTYPE, TRADE_DTYPE

PRINT_DTYPE = np.dtype([("ts_ns", "i8"), ("price_ticks", "i8")])


def _structured(records: np.ndarray, dtype: np.dtype, name: str) -> np.ndarray:
    if not isinstance(records, np.ndarray) or records.dtype.names is None:
        raise ValidationError(f"{name} must be a numpy structured array of {dtype}")
    missing = [f for f in dtype.names or () if f not in records.dtype.names]
    if missing:
        raise ValidationError(f"{name} lack fields {missing} of {dtype}")
    return records


def prints_from_trades(trades: np.ndarray) -> np.ndarray:
    """PRINT_DTYPE prints of a TRADE_DTYPE array, in time order (stable for equal times)."""
    trades = _structured(trades, TRADE_DTYPE, "trades")
    order = np.argsort(trades["ts_ns"], kind="stable")
    out = np.empty(len(trades), dtype=PRINT_DTYPE)
    out["ts_ns"] = trades["ts_ns"][order]
    out["price_ticks"] = trades["price_ticks"][order]
    return out


def bar_path(open_tick: int, high_tick: int, low_tick: int, close_tick: int) -> tuple[int, ...]:
    """The four prints assumed inside one OHLC bar: open, nearer extreme, farther extreme, close."""
    down_first = open_tick - low_tick < high_tick - open_tick or (
        open_tick - low_tick == high_tick - open_tick and close_tick >= open_tick
    )
    if down_first:
        return (open_tick, low_tick, high_tick, close_tick)
    return (open_tick, high_tick, low_tick, close_tick)


def prints_from_bars(bars: np.ndarray) -> np.ndarray:
    """PRINT_DTYPE prints of BAR_DTYPE bars (four per bar, stamped with the bar's open time)."""
    bars = _structured(bars, BAR_DTYPE, "bars")
    bars = bars[np.argsort(bars["ts_ns"], kind="stable")]
    o, h = bars["open_ticks"], bars["high_ticks"]
    lo, c = bars["low_ticks"], bars["close_ticks"]
    bad = np.flatnonzero((lo > h) | (o < lo) | (o > h) | (c < lo) | (c > h))
    if bad.size:
        k = int(bad[0])
        raise ValidationError(
            f"bar {k} (ts_ns {bars['ts_ns'][k]}) is not a valid OHLC bar: open {o[k]}, high "
            f"{h[k]}, low {lo[k]}, close {c[k]}"
        )
    down_first = (o - lo < h - o) | ((o - lo == h - o) & (c >= o))
    second = np.where(down_first, lo, h)
    third = np.where(down_first, h, lo)
    out = np.empty(4 * len(bars), dtype=PRINT_DTYPE)
    out["ts_ns"] = np.repeat(bars["ts_ns"], 4)
    path = np.stack([o, second, third, c], axis=1)
    out["price_ticks"] = path.reshape(-1)
    return out


def prints_in(prints: np.ndarray, start_ns: int | None, end_ns: int | None) -> np.ndarray:
    """Prints with start_ns <= ts_ns < end_ns (a bound left None is open)."""
    keep = np.ones(len(prints), dtype=bool)
    if start_ns is not None:
        keep &= prints["ts_ns"] >= start_ns
    if end_ns is not None:
        keep &= prints["ts_ns"] < end_ns
    return prints[keep]


@dataclass(frozen=True, slots=True)
class Window:
    """A labelled half-open time window [start_ns, end_ns)."""

    label: str
    start_ns: int
    end_ns: int


def as_windows(periods: Iterable[Any]) -> list[Window]:
    """Windows from calendar TPO periods, profile Periods or (label, start, end) tuples, checked."""
    out: list[Window] = []
    for item in periods:
        if isinstance(item, Window):
            out.append(item)
        elif hasattr(item, "start_ns"):
            label = getattr(item, "letter", getattr(item, "label", str(len(out))))
            out.append(Window(str(label), int(item.start_ns), int(item.end_ns)))
        else:
            label, start, end = item
            out.append(Window(str(label), int(start), int(end)))
    for k, w in enumerate(out):
        if w.end_ns <= w.start_ns:
            raise ValidationError(f"period {w.label} ends before it starts: {w}")
        if k and w.start_ns < out[k - 1].end_ns:
            raise ValidationError(f"period {w.label} starts before period {out[k - 1].label} ends")
    return out


@dataclass(frozen=True, slots=True)
class PeriodSummary:
    """What one period traded: its open, high, low and close prints (ticks) and their times."""

    label: str
    start_ns: int
    end_ns: int
    open_tick: int
    high_tick: int
    low_tick: int
    close_tick: int
    first_ts_ns: int
    last_ts_ns: int

    def prints_inside(self, val_ticks: int, vah_ticks: int) -> bool:
        """True when the period printed at least one TPO inside [val, vah]."""
        return self.low_tick <= vah_ticks and self.high_tick >= val_ticks

    def closes_inside(self, val_ticks: int, vah_ticks: int) -> bool:
        """True when the period's last print is inside [val, vah]."""
        return val_ticks <= self.close_tick <= vah_ticks


class PeriodBuilder:
    """Incremental period summaries: feed prints in time order, collect the periods they close.

    Prints outside every window are ignored; a window without prints yields no summary (a halt).
    """

    def __init__(self, periods: Iterable[Any]) -> None:
        self.windows = as_windows(periods)
        self._k = 0
        self._current: list[int] | None = None
        self._first_ts = 0
        self._last_ts = 0
        self.first_in_period = False

    @property
    def current(self) -> PeriodSummary | None:
        """The period being built (partial), or None."""
        if self._current is None:
            return None
        return self._summary()

    @property
    def current_window(self) -> Window | None:
        """The window that holds the latest time seen, or None when past the last one."""
        return self.windows[self._k] if self._k < len(self.windows) else None

    def _summary(self) -> PeriodSummary:
        assert self._current is not None
        w = self.windows[self._k]
        o, h, lo, c = self._current
        return PeriodSummary(
            w.label, w.start_ns, w.end_ns, o, h, lo, c, self._first_ts, self._last_ts
        )

    def advance(self, ts_ns: int) -> list[PeriodSummary]:
        """Close every window that ends at or before ts_ns; returns the summaries of those that printed."""
        closed: list[PeriodSummary] = []
        while self._k < len(self.windows) and self.windows[self._k].end_ns <= ts_ns:
            if self._current is not None:
                closed.append(self._summary())
            self._current = None
            self._k += 1
        return closed

    def on_print(self, ts_ns: int, tick: int) -> list[PeriodSummary]:
        """Add a print; returns the periods it closed (ended before it). Sets `first_in_period`."""
        closed = self.advance(ts_ns)
        self.first_in_period = False
        if self._k >= len(self.windows) or ts_ns < self.windows[self._k].start_ns:
            return closed
        if self._current is None:
            self._current = [tick, tick, tick, tick]
            self._first_ts = ts_ns
            self.first_in_period = True
        else:
            cur = self._current
            cur[1] = max(cur[1], tick)
            cur[2] = min(cur[2], tick)
            cur[3] = tick
        self._last_ts = ts_ns
        return closed


def period_summaries(prints: np.ndarray, periods: Sequence[Any]) -> list[PeriodSummary]:
    """Batch form: the summary of every window that printed."""
    builder = PeriodBuilder(periods)
    out: list[PeriodSummary] = []
    for ts, tick in zip(prints["ts_ns"].tolist(), prints["price_ticks"].tolist(), strict=True):
        out.extend(builder.on_print(ts, tick))
    if builder.windows:
        out.extend(builder.advance(builder.windows[-1].end_ns))
    return out

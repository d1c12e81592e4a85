"""Developing POC and value area (dPOC, dVAL, dVAH; spec §3.2), updated trade by trade.

`DevelopingValueArea` is the live form: it keeps the ladder and the value-area expansion path
between calls, so a trade re-runs only the expansion steps it can change (see
`kernels.profile_developing`). After every trade its result equals
`VolumeProfile.from_ticks(all trades so far).value_area(...)`. `developing_value_areas` is the
batch form over a whole array (the same kernel in one call).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.kernels.profile_developing import (
    P_BASE_ROW,
    S_COUNT,
    S_HI,
    S_LO,
    S_POC,
    S_STEPS,
    S_TOTAL,
    S_TRADED_HIGH,
    S_TRADED_LOW,
    STATE_SIZE,
    _developing,
)
from orderflow_lib.kernels.profile_ladder import _tick_range
from orderflow_lib.profiles.ladder import check_row_ticks, check_tick_size, int_array, same_length
from orderflow_lib.profiles.value_area import DEFAULT_RULES, ValueArea, ValueAreaRules
from orderflow_lib.profiles.volume import VolumeProfile

DEVELOPING_DTYPE = np.dtype(
    [
        ("ts_ns", "i8"),
        ("poc_ticks", "i8"),
        ("val_ticks", "i8"),
        ("vah_ticks", "i8"),
        ("volume", "i8"),
        ("total", "i8"),
    ]
)
_MIN_CAPACITY = 64


class DevelopingPoint(NamedTuple):
    """The developing value after one trade, in ticks (VAH = top tick of its row)."""

    poc_ticks: int
    val_ticks: int
    vah_ticks: int
    volume: int
    total: int


class DevelopingRows(NamedTuple):
    """The kernel's rows after each trade of a batch: POC, VAL, VAH as ladder rows (from
    `base_row`), captured and total volume; shape (5, n)."""

    rows: np.ndarray
    base_row: int
    row_ticks: int

    def point(self, k: int) -> DevelopingPoint:
        """The developing value after trade k, in ticks (VAH = top tick of its row)."""
        poc, lo, hi, acc, total = self.rows[:, k].tolist()
        rt, base = self.row_ticks, self.base_row
        return DevelopingPoint(
            (base + poc) * rt, (base + lo) * rt, (base + hi) * rt + rt - 1, acc, total
        )

    def ticks(self) -> np.ndarray:
        """Every row with POC, VAL, VAH in ticks."""
        out = self.rows.copy()
        out[:3] += self.base_row
        out[:3] *= self.row_ticks
        out[2] += self.row_ticks - 1
        return out


class DevelopingValueArea:
    """Live developing POC/VA of one session; feed trades in time order with `update`."""

    def __init__(
        self,
        *,
        rules: ValueAreaRules = DEFAULT_RULES,
        row_ticks: int = 1,
        tick_size: float = ES_TICK_SIZE,
        capacity_rows: int = 256,
    ) -> None:
        self.rules = rules
        self.row_ticks = check_row_ticks(row_ticks)
        self.tick_size = check_tick_size(tick_size)
        self._capacity = max(int(capacity_rows), _MIN_CAPACITY)
        self._base_row = 0
        self._volumes = np.zeros(self._capacity, dtype=np.int64)
        self._state = np.zeros(STATE_SIZE, dtype=np.int64)
        self._path = np.zeros((3, self._capacity + 1), dtype=np.int64)
        self._one = np.zeros((5, 1), dtype=np.int64)
        self._one_tick = np.zeros(1, dtype=np.int64)
        self._one_size = np.zeros(1, dtype=np.int64)
        r = rules
        self._params = np.array(
            [
                0,
                self.row_ticks,
                r.pct.numerator,
                r.pct.denominator,
                r.width,
                r.tie_code,
                r.poc_rule_code,
                int(r.final_higher),
            ],
            dtype=np.int64,
        )
        self._last_ts: int | None = None
        self._open_tick: int | None = None
        self._close_tick: int | None = None

    @property
    def count(self) -> int:
        """Trades applied so far."""
        return int(self._state[S_COUNT])

    @property
    def total(self) -> int:
        """Volume so far."""
        return int(self._state[S_TOTAL])

    @property
    def expansion_steps(self) -> int:
        """Comparison steps in the current value-area path (a cost measure)."""
        return int(self._state[S_STEPS])

    def _ensure_rows(self, low_row: int, high_row: int) -> None:
        """Grow and re-base the ladder so rows low_row..high_row fit."""
        if self.count == 0:
            span = high_row - low_row + 1
            if span > self._capacity:
                self._reallocate(span * 2)
            self._base_row = low_row - (self._capacity - span) // 2
            return
        used_low = min(low_row, self._base_row + int(self._state[S_LO]))
        used_high = max(high_row, self._base_row + int(self._state[S_HI]))
        if used_low >= self._base_row and used_high < self._base_row + self._capacity:
            return
        span = used_high - used_low + 1
        capacity = max(self._capacity, 2 * span)
        new_base = used_low - (capacity - span) // 2
        shift = self._base_row - new_base
        volumes = np.zeros(capacity, dtype=np.int64)
        lo, hi = int(self._state[S_LO]), int(self._state[S_HI])
        volumes[lo + shift : hi + shift + 1] = self._volumes[lo : hi + 1]
        steps = int(self._state[S_STEPS])
        path = np.zeros((3, capacity + 1), dtype=np.int64)
        path[:, : steps + 1] = self._path[:, : steps + 1]
        path[0:2, : steps + 1] += shift
        for key in (S_LO, S_HI, S_POC):
            self._state[key] += shift
        self._volumes, self._path, self._capacity, self._base_row = (
            volumes,
            path,
            capacity,
            new_base,
        )

    def _reallocate(self, capacity: int) -> None:
        self._capacity = capacity
        self._volumes = np.zeros(capacity, dtype=np.int64)
        self._path = np.zeros((3, capacity + 1), dtype=np.int64)

    def _run(
        self, ticks: np.ndarray, sizes: np.ndarray, out: np.ndarray, low: int, high: int
    ) -> None:
        if self.count == 0:
            self._open_tick = int(ticks[0])
        self._close_tick = int(ticks[-1])
        self._ensure_rows(low // self.row_ticks, high // self.row_ticks)
        self._params[P_BASE_ROW] = self._base_row
        _developing(ticks, sizes, self._params, self._volumes, self._state, self._path, out)

    def _check_time(self, first_ns: int, ts: np.ndarray | None = None) -> None:
        """Refuse a trade older than the one before it (replays must be in time order)."""
        previous = self._last_ts
        if previous is not None and first_ns < previous:
            raise ValueError(f"trades must arrive in time order: ts_ns {first_ns} after {previous}")
        if ts is not None and ts.size > 1:
            back = np.nonzero(np.diff(ts) < 0)[0]
            if back.size:
                k = int(back[0])
                raise ValueError(
                    f"trades must arrive in time order: ts_ns {ts[k + 1]} after {ts[k]}"
                )
            self._last_ts = int(ts[-1])
        else:
            self._last_ts = first_ns

    def update(self, price_ticks: int, size: int, ts_ns: int | None = None) -> DevelopingPoint:
        """Apply one trade; return dPOC/dVAL/dVAH in ticks, captured and total volume (cheap:
        call `value_area()` for the full contract object with decimal prices)."""
        if size < 1:
            raise ValueError(f"size must be >= 1, was {size}")
        if ts_ns is not None:
            self._check_time(int(ts_ns))
        self._one_tick[0] = price_ticks
        self._one_size[0] = size
        self._run(self._one_tick, self._one_size, self._one, int(price_ticks), int(price_ticks))
        return DevelopingRows(self._one, self._base_row, self.row_ticks).point(0)

    def update_many(self, price_ticks: Any, sizes: Any, ts_ns: Any = None) -> np.ndarray:
        """Apply trades in order; one DEVELOPING_DTYPE row per trade (the state after it)."""
        ticks = int_array(price_ticks, "price_ticks")
        size = int_array(sizes, "sizes", minimum=1)
        n = same_length(price_ticks=ticks, sizes=size)
        result = np.zeros(n, dtype=DEVELOPING_DTYPE)
        if n == 0:
            return result
        if ts_ns is not None:
            ts = int_array(ts_ns, "ts_ns")
            same_length(price_ticks=ticks, ts_ns=ts)
            self._check_time(int(ts[0]), ts)
            result["ts_ns"] = ts
        out = self._extend(ticks, size).ticks()
        result["poc_ticks"] = out[0]
        result["val_ticks"] = out[1]
        result["vah_ticks"] = out[2]
        result["volume"] = out[3]
        result["total"] = out[4]
        return result

    def extend(self, price_ticks: np.ndarray, sizes: np.ndarray, last_ts_ns: int) -> DevelopingRows:
        """Apply trades already checked by the caller (int64 ticks, sizes >= 1, in time order,
        the last at `last_ts_ns`): the node's fast path. The developing value after each trade,
        converted to ticks only where it is read."""
        self._check_time(last_ts_ns)
        return self._extend(price_ticks, sizes)

    def _extend(self, ticks: np.ndarray, sizes: np.ndarray) -> DevelopingRows:
        out = np.empty((5, ticks.shape[0]), dtype=np.int64)
        low, high = _tick_range(ticks)
        self._run(ticks, sizes, out, int(low), int(high))
        return DevelopingRows(out, self._base_row, self.row_ticks)

    def value_area(self) -> ValueArea | None:
        """The current developing value area; None before the first trade."""
        if self.count == 0:
            return None
        lo, hi, acc = self._path[:, int(self._state[S_STEPS])].tolist()
        rt, base = self.row_ticks, self._base_row
        return ValueArea.from_ticks(
            poc_ticks=(base + int(self._state[S_POC])) * rt,
            val_ticks=(base + lo) * rt,
            vah_ticks=(base + hi) * rt + rt - 1,
            volume=acc,
            total=self.total,
            tick_size=self.tick_size,
            pct=self.rules.pct,
            method=self.rules.method,
            as_of_ns=self._last_ts,
        )

    def profile(self) -> VolumeProfile:
        """A snapshot of the volume profile so far."""
        if self.count == 0:
            return VolumeProfile.empty(row_ticks=self.row_ticks, tick_size=self.tick_size)
        lo, hi = int(self._state[S_LO]), int(self._state[S_HI])
        return VolumeProfile(
            self._volumes[lo : hi + 1],
            self._base_row + lo,
            row_ticks=self.row_ticks,
            tick_size=self.tick_size,
            low_tick=int(self._state[S_TRADED_LOW]),
            high_tick=int(self._state[S_TRADED_HIGH]),
            open_tick=self._open_tick,
            close_tick=self._close_tick,
            as_of_ns=self._last_ts,
        )


def developing_value_areas(
    price_ticks: Any,
    sizes: Any,
    ts_ns: Any = None,
    *,
    rules: ValueAreaRules = DEFAULT_RULES,
    row_ticks: int = 1,
    tick_size: float = ES_TICK_SIZE,
) -> np.ndarray:
    """Batch form: the developing POC/VA after every trade (DEVELOPING_DTYPE rows)."""
    ticks = int_array(price_ticks, "price_ticks")
    capacity = _MIN_CAPACITY
    if ticks.size:
        low, high = _tick_range(ticks)
        capacity = int(high) // check_row_ticks(row_ticks) - int(low) // row_ticks + 1
    engine = DevelopingValueArea(
        rules=rules, row_ticks=row_ticks, tick_size=tick_size, capacity_rows=capacity
    )
    return engine.update_many(ticks, sizes, ts_ns)


def developing_at(developing: np.ndarray, times_ns: Any) -> pd.DataFrame:
    """The developing values as they stood at each time t, from trades with ts_ns < t (no
    look-ahead, spec §3.2), e.g. at every 1-minute bar close. `trades` = how many were used;
    the value columns are <NA> before the first trade."""
    times = int_array(times_ns, "times_ns")
    index = np.searchsorted(developing["ts_ns"], times, side="left") - 1
    frame = pd.DataFrame({"time_ns": times, "trades": index + 1})
    valid = index >= 0
    at = np.clip(index, 0, None)
    for name in ("poc_ticks", "val_ticks", "vah_ticks", "volume", "total"):
        values = developing[name][at] if len(developing) else np.zeros(len(times), dtype=np.int64)
        column = pd.array(values, dtype="Int64")
        column[~valid] = pd.NA
        frame[name] = column
    return frame

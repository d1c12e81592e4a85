"""TPO (Market Profile) profile: one letter per period on every row between its low and high.

Periods are explicit `[start_ns, end_ns)` windows with letters (spec §0.2, §2.2), so the engine
does not depend on the calendar: RTH periods come from `SessionCalendar.tpo_periods`, ETH or any
other session from `make_periods`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import ValidationError
from orderflow_lib.kernels.profile_tpo import _period_ranges, _tpo_counts
from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.profiles.inputs import records_in_window
from orderflow_lib.profiles.ladder import (
    RowLadder,
    check_row_ticks,
    check_tick_size,
    frozen_array,
    int_array,
    price_of,
    prices_to_ticks,
    same_length,
)
from orderflow_lib.profiles.periods import as_periods, inside_periods, period_bounds
from orderflow_lib.profiles.value_area import ValueArea, ValueAreaRules, value_area_of_ladder
from orderflow_lib.profiles.volume import VolumeProfile

_INT64_MAX = np.iinfo(np.int64).max
_INT64_MIN = np.iinfo(np.int64).min


class TpoProfile(RowLadder):
    """TPO count per row plus each period's low/high; optional aligned volume for POC ties."""

    __slots__ = (
        "_counts",
        "_volumes",
        "base_row",
        "close_tick",
        "letters",
        "open_tick",
        "period_end_ns",
        "period_high_ticks",
        "period_low_ticks",
        "period_start_ns",
        "printed",
        "row_ticks",
        "tick_size",
    )

    def __init__(
        self,
        letters: Sequence[str],
        period_low_ticks: Any,
        period_high_ticks: Any,
        *,
        printed: Any = None,
        period_start_ns: Any = None,
        period_end_ns: Any = None,
        row_ticks: int = 1,
        tick_size: float = ES_TICK_SIZE,
        open_tick: int | None = None,
        close_tick: int | None = None,
        volume_profile: VolumeProfile | None = None,
    ) -> None:
        self.row_ticks = check_row_ticks(row_ticks)
        self.tick_size = check_tick_size(tick_size)
        self.letters = tuple(str(x) for x in letters)
        n = len(self.letters)
        lows = int_array(period_low_ticks, "period_low_ticks")
        highs = int_array(period_high_ticks, "period_high_ticks")
        mask = np.ones(n, dtype=bool) if printed is None else np.asarray(printed, dtype=bool)
        starts = (
            np.zeros(n, dtype=np.int64)
            if period_start_ns is None
            else int_array(period_start_ns, "period_start_ns")
        )
        ends = (
            np.zeros(n, dtype=np.int64)
            if period_end_ns is None
            else int_array(period_end_ns, "period_end_ns")
        )
        same_length(
            letters=np.empty(n),
            period_low_ticks=lows,
            period_high_ticks=highs,
            printed=mask,
            period_start_ns=starts,
            period_end_ns=ends,
        )
        lows = np.where(mask, lows, 0)
        highs = np.where(mask, highs, 0)
        bad = np.nonzero(lows > highs)[0]
        if bad.size:
            k = int(bad[0])
            raise ValidationError(f"period {self.letters[k]}: low {lows[k]} above high {highs[k]}")
        self.period_low_ticks = frozen_array(lows)
        self.period_high_ticks = frozen_array(highs)
        self.printed = frozen_array(mask, dtype=bool)
        self.period_start_ns = frozen_array(starts)
        self.period_end_ns = frozen_array(ends)
        self.open_tick = None if open_tick is None else int(open_tick)
        self.close_tick = None if close_tick is None else int(close_tick)
        if mask.any():
            low_rows = lows // self.row_ticks
            high_rows = highs // self.row_ticks
            self.base_row = int(low_rows[mask].min())
            counts = np.zeros(int(high_rows[mask].max()) - self.base_row + 1, dtype=np.int64)
            _tpo_counts(low_rows - self.base_row, high_rows - self.base_row, mask, counts)
        else:
            self.base_row = 0
            counts = np.zeros(0, dtype=np.int64)
        self._counts = frozen_array(counts)
        self._volumes = (
            None if volume_profile is None else frozen_array(self._aligned(volume_profile))
        )

    def _aligned(self, profile: VolumeProfile) -> np.ndarray:
        if profile.row_ticks != self.row_ticks:
            raise ValidationError(
                f"volume profile row_ticks {profile.row_ticks} differs from {self.row_ticks}"
            )
        out = np.zeros(self._counts.size, dtype=np.int64)
        offset = profile.base_row - self.base_row
        for i, v in enumerate(profile.volumes):
            if 0 <= offset + i < out.size:
                out[offset + i] = v
        return out

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_trade_array(
        cls,
        trades: np.ndarray,
        periods: Iterable[Any],
        *,
        row_ticks: int = 1,
        tick_size: float = ES_TICK_SIZE,
    ) -> TpoProfile:
        """TPO profile of a TRADE_DTYPE array over the given periods (trades outside are ignored)."""
        records = records_in_window(trades, TRADE_DTYPE, "trades", None, None)
        return cls.from_ticks(
            records["ts_ns"],
            records["price_ticks"],
            records["size"],
            periods,
            sides=records["side"],
            row_ticks=row_ticks,
            tick_size=tick_size,
        )

    @classmethod
    def from_ticks(
        cls,
        ts_ns: Any,
        price_ticks: Any,
        sizes: Any,
        periods: Iterable[Any],
        *,
        sides: Any = None,
        row_ticks: int = 1,
        tick_size: float = ES_TICK_SIZE,
    ) -> TpoProfile:
        """TPO profile of trades given as ts_ns, integer ticks and sizes (volume kept aligned)."""
        plist = as_periods(periods)
        ts = int_array(ts_ns, "ts_ns")
        ticks = int_array(price_ticks, "price_ticks")
        size = int_array(sizes, "sizes", minimum=1)
        same_length(ts_ns=ts, price_ticks=ticks, sizes=size)
        inside = inside_periods(ts, *period_bounds(plist))
        volume_profile = VolumeProfile.from_ticks(
            ticks[inside],
            size[inside],
            sides=None if sides is None else np.asarray(sides)[inside],
            row_ticks=row_ticks,
            tick_size=tick_size,
        )
        return cls.from_prints(
            plist,
            ts,
            ticks,
            ticks,
            ticks,
            ticks,
            row_ticks=row_ticks,
            tick_size=tick_size,
            volume_profile=volume_profile,
        )

    @classmethod
    def from_trades(
        cls,
        ts_ns: Any,
        prices: Any,
        sizes: Any,
        periods: Iterable[Any],
        tick_size: float = ES_TICK_SIZE,
        *,
        row_ticks: int = 1,
    ) -> TpoProfile:
        """TPO profile of trades at decimal prices."""
        tick_size = check_tick_size(tick_size)
        return cls.from_ticks(
            ts_ns,
            prices_to_ticks(prices, tick_size),
            sizes,
            periods,
            row_ticks=row_ticks,
            tick_size=tick_size,
        )

    @classmethod
    def from_prints(
        cls,
        periods: Iterable[Any],
        ts_ns: np.ndarray,
        low_ticks: np.ndarray,
        high_ticks: np.ndarray,
        open_ticks: np.ndarray,
        close_ticks: np.ndarray,
        *,
        row_ticks: int = 1,
        tick_size: float = ES_TICK_SIZE,
        volume_profile: VolumeProfile | None = None,
    ) -> TpoProfile:
        """TPO profile of prints (trades: low = high = open = close; bars: their OHLC) that fall in
        the periods; open/close come from the first and last print inside any period."""
        plist = as_periods(periods)
        starts, ends = period_bounds(plist)
        period_low = np.full(len(plist), _INT64_MAX, dtype=np.int64)
        period_high = np.full(len(plist), _INT64_MIN, dtype=np.int64)
        ts = np.ascontiguousarray(ts_ns, dtype=np.int64)
        lows = np.ascontiguousarray(low_ticks, dtype=np.int64)
        highs = np.ascontiguousarray(high_ticks, dtype=np.int64)
        _period_ranges(ts, lows, highs, starts, ends, period_low, period_high)
        inside = inside_periods(ts, starts, ends)
        open_tick = close_tick = None
        if inside.any():
            idx = np.nonzero(inside)[0]
            first = idx[int(np.argmin(ts[idx]))]
            last = idx[len(idx) - 1 - int(np.argmax(ts[idx][::-1]))]
            open_tick, close_tick = int(open_ticks[first]), int(close_ticks[last])
        return cls(
            [p.letter for p in plist],
            period_low,
            period_high,
            printed=period_low != _INT64_MAX,
            period_start_ns=starts,
            period_end_ns=ends,
            row_ticks=row_ticks,
            tick_size=tick_size,
            open_tick=open_tick,
            close_tick=close_tick,
            volume_profile=volume_profile
            if volume_profile is not None and not volume_profile.is_empty
            else None,
        )

    # ----------------------------------------------------------------- views
    @property
    def _rows(self) -> np.ndarray:
        """The per-row array behind RowLadder's n_rows, is_empty and row_low_ticks."""
        return self._counts

    @property
    def counts(self) -> np.ndarray:
        """Read-only TPO count per row, lowest row first."""
        return self._counts

    @property
    def volumes(self) -> np.ndarray | None:
        """Read-only volume per row aligned with `counts`, when known."""
        return self._volumes

    @property
    def total_tpos(self) -> int:
        """Total TPO count."""
        return int(self._counts.sum())

    @property
    def low_tick(self) -> int | None:
        """Lowest printed tick."""
        return int(self.period_low_ticks[self.printed].min()) if self.printed.any() else None

    @property
    def high_tick(self) -> int | None:
        """Highest printed tick."""
        return int(self.period_high_ticks[self.printed].max()) if self.printed.any() else None

    @property
    def halted(self) -> tuple[str, ...]:
        """Letters of periods that exist on the clock but printed nothing (halts, spec §8)."""
        return tuple(x for x, p in zip(self.letters, self.printed, strict=True) if not p)

    def period_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(low row index, high row index) of each period; meaningful where `printed`."""
        return (
            self.period_low_ticks // self.row_ticks - self.base_row,
            self.period_high_ticks // self.row_ticks - self.base_row,
        )

    def row_periods(self) -> np.ndarray:
        """Boolean matrix rows x periods: which periods printed on which row."""
        low_rows, high_rows = self.period_rows()
        rows = np.arange(self.n_rows)[:, None]
        return (rows >= low_rows[None, :]) & (rows <= high_rows[None, :]) & self.printed[None, :]

    def row_letters(self) -> list[str]:
        """Letters printed on each row (lowest row first), in period order."""
        return [
            "".join(x for x, h in zip(self.letters, row, strict=True) if h)
            for row in self.row_periods()
        ]

    def value_area(
        self,
        pct: float | int | str | Fraction | Decimal = 0.70,
        method: str = "dual",
        *,
        rules: ValueAreaRules | None = None,
    ) -> ValueArea | None:
        """TPO value area (basis "TPO"; `volume` counts TPOs); None when nothing printed."""
        if rules is None:
            rules = ValueAreaRules.make(pct, method)
        low, high = self.low_tick, self.high_tick
        if low is None or high is None:
            return None
        secondary = self._volumes if rules.tpo_poc_tiebreak_volume else None
        result = value_area_of_ladder(
            self._counts, rules, self.base_row, self.row_ticks, low, high, secondary
        )
        if result is None:
            return None
        rt = self.row_ticks
        return ValueArea.from_ticks(
            poc_ticks=(self.base_row + result.poc_row) * rt,
            val_ticks=(self.base_row + result.lo_row) * rt,
            vah_ticks=(self.base_row + result.hi_row) * rt + rt - 1,
            volume=result.captured,
            total=result.total,
            tick_size=self.tick_size,
            pct=rules.pct,
            method=rules.method,
            basis="TPO",
        )

    # ----------------------------------------------------------------- serialisation
    def periods_frame(self) -> pd.DataFrame:
        """One row per period: letter, start_ns, end_ns, low_ticks, high_ticks, printed."""
        return pd.DataFrame(
            {
                "letter": list(self.letters),
                "start_ns": self.period_start_ns,
                "end_ns": self.period_end_ns,
                "low_ticks": self.period_low_ticks,
                "high_ticks": self.period_high_ticks,
                "printed": self.printed,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (lists and scalars only)."""
        return {
            "kind": "tpo_profile",
            "letters": list(self.letters),
            "period_start_ns": self.period_start_ns.tolist(),
            "period_end_ns": self.period_end_ns.tolist(),
            "period_low_ticks": self.period_low_ticks.tolist(),
            "period_high_ticks": self.period_high_ticks.tolist(),
            "printed": self.printed.tolist(),
            "row_ticks": self.row_ticks,
            "tick_size": self.tick_size,
            "open_tick": self.open_tick,
            "close_tick": self.close_tick,
            "base_row": self.base_row,
            "volumes": None if self._volumes is None else self._volumes.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TpoProfile:
        """Inverse of `to_dict`."""
        volume_profile = None
        if data.get("volumes") is not None:
            volume_profile = VolumeProfile(
                data["volumes"],
                int(data["base_row"]),
                row_ticks=int(data["row_ticks"]),
                tick_size=float(data["tick_size"]),
            )
        return cls(
            data["letters"],
            data["period_low_ticks"],
            data["period_high_ticks"],
            printed=data["printed"],
            period_start_ns=data["period_start_ns"],
            period_end_ns=data["period_end_ns"],
            row_ticks=int(data["row_ticks"]),
            tick_size=float(data["tick_size"]),
            open_tick=data["open_tick"],
            close_tick=data["close_tick"],
            volume_profile=volume_profile,
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per price row: price_ticks, price, tpo, letters (+ volume); periods in attrs."""
        frame = pd.DataFrame(
            {
                "price_ticks": self.row_low_ticks,
                "price": np.round(self.row_low_ticks * self.tick_size, 10),
                "tpo": self._counts,
                "letters": self.row_letters(),
            }
        )
        if self._volumes is not None:
            frame["volume"] = self._volumes
        meta = self.to_dict()
        meta.pop("volumes")
        frame.attrs.update(meta)
        return frame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> TpoProfile:
        """Inverse of `to_frame` (periods from attrs, volume from the rows)."""
        data = {str(k): v for k, v in frame.attrs.items()}
        data["volumes"] = frame["volume"].tolist() if "volume" in frame.columns else None
        profile = cls.from_dict(data)
        if not np.array_equal(profile.counts, frame["tpo"].to_numpy()):
            raise ValidationError("TPO counts in the frame disagree with its periods")
        return profile

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TpoProfile):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if self.is_empty:
            return f"TpoProfile(empty, {len(self.letters)} periods)"
        low, high = self.low_tick, self.high_tick
        assert low is not None and high is not None
        return (
            f"TpoProfile({self.n_rows} rows {price_of(low, self.tick_size)}.."
            f"{price_of(high, self.tick_size)}, {self.total_tpos} TPOs, "
            f"periods {''.join(self.letters)})"
        )

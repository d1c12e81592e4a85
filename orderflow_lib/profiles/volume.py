"""Volume profile: volume per price row on a zero-filled tick ladder (spec §2.1, §2.3-§2.4).

Built from trades (exact) or from a price->volume table; `profiles.bars` builds the approximate
profile of OHLCV bars (`approximate=True`).
Rows hold `row_ticks` ticks and are anchored at tick 0, so profiles of different sessions line up.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import ValidationError
from orderflow_lib.kernels.profile_ladder import (
    _accumulate,
    _accumulate_sided,
    _tick_range,
)
from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.profiles.inputs import records_in_window, side_array
from orderflow_lib.profiles.ladder import (
    RowLadder,
    check_row_ticks,
    check_tick_size,
    frozen_array,
    int_array,
    optional_int,
    price_of,
    prices_to_ticks,
    same_length,
    sided_volumes,
)
from orderflow_lib.profiles.value_area import (
    ValueArea,
    ValueAreaRules,
    poc_row,
    value_area_of_ladder,
)


class VolumeProfile(RowLadder):
    """Volume per row (int64, zero-filled between the lowest and highest traded rows).

    Row `i` holds ticks `[(base_row + i) * row_ticks, (base_row + i + 1) * row_ticks)`. An empty
    profile has no rows; its `value_area()` is None.
    """

    __slots__ = (
        "_buy",
        "_sell",
        "_volumes",
        "approximate",
        "as_of_ns",
        "base_row",
        "close_tick",
        "end_ns",
        "high_tick",
        "low_tick",
        "open_tick",
        "row_ticks",
        "start_ns",
        "tick_size",
    )

    def __init__(
        self,
        volumes: Any,
        base_row: int,
        *,
        row_ticks: int = 1,
        tick_size: float = ES_TICK_SIZE,
        buy_volume: Any = None,
        sell_volume: Any = None,
        low_tick: int | None = None,
        high_tick: int | None = None,
        open_tick: int | None = None,
        close_tick: int | None = None,
        start_ns: int | None = None,
        end_ns: int | None = None,
        as_of_ns: int | None = None,
        approximate: bool = False,
    ) -> None:
        self.row_ticks = check_row_ticks(row_ticks)
        self.tick_size = check_tick_size(tick_size)
        ladder = int_array(volumes, "volumes", minimum=0)
        buy, sell = sided_volumes(ladder, buy_volume, sell_volume)
        nonzero = np.nonzero(ladder)[0]
        if nonzero.size == 0:
            first, last = 0, -1
        else:
            first, last = int(nonzero[0]), int(nonzero[-1])
        self._volumes = frozen_array(ladder[first : last + 1])
        self._buy = None if buy is None else frozen_array(buy[first : last + 1])
        self._sell = None if sell is None else frozen_array(sell[first : last + 1])
        self.base_row = int(base_row) + first if nonzero.size else 0
        rows_low = self.base_row * self.row_ticks
        rows_high = (self.base_row + self._volumes.size) * self.row_ticks - 1
        if self._volumes.size == 0:
            self.low_tick = self.high_tick = self.open_tick = self.close_tick = None
        else:
            self.low_tick = rows_low if low_tick is None else int(low_tick)
            self.high_tick = rows_high - self.row_ticks + 1 if high_tick is None else int(high_tick)
            if not rows_low <= self.low_tick <= self.high_tick <= rows_high:
                raise ValidationError(
                    f"low_tick {self.low_tick} and high_tick {self.high_tick} must lie in the "
                    f"profile's rows {rows_low}..{rows_high}"
                )
            self.open_tick, self.close_tick = optional_int(open_tick), optional_int(close_tick)
        self.start_ns, self.end_ns = optional_int(start_ns), optional_int(end_ns)
        self.as_of_ns = optional_int(as_of_ns)
        self.approximate = bool(approximate)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def empty(cls, *, row_ticks: int = 1, tick_size: float = ES_TICK_SIZE) -> VolumeProfile:
        """A profile with no rows."""
        return cls(np.empty(0, dtype=np.int64), 0, row_ticks=row_ticks, tick_size=tick_size)

    @classmethod
    def from_ticks(
        cls,
        price_ticks: Any,
        sizes: Any,
        *,
        sides: Any = None,
        ts_ns: Any = None,
        row_ticks: int = 1,
        tick_size: float = ES_TICK_SIZE,
        start_ns: int | None = None,
        end_ns: int | None = None,
    ) -> VolumeProfile:
        """Exact profile of trades given as integer ticks and sizes (>= 1).

        Open/close are the first/last trade by `ts_ns` when given, else in array order.
        """
        row_ticks = check_row_ticks(row_ticks)
        ticks = int_array(price_ticks, "price_ticks")
        size = int_array(sizes, "sizes", minimum=1)
        n = same_length(price_ticks=ticks, sizes=size)
        side = None if sides is None else side_array(sides)
        if side is not None:
            same_length(price_ticks=ticks, sides=side)
        ts = None if ts_ns is None else int_array(ts_ns, "ts_ns")
        if ts is not None:
            same_length(price_ticks=ticks, ts_ns=ts)
        if n == 0:
            return cls(
                np.empty(0, dtype=np.int64),
                0,
                row_ticks=row_ticks,
                tick_size=tick_size,
                start_ns=start_ns,
                end_ns=end_ns,
            )
        low, high = _tick_range(ticks)
        base_row = int(low) // row_ticks
        n_rows = int(high) // row_ticks - base_row + 1
        volume = np.zeros(n_rows, dtype=np.int64)
        buy = sell = None
        if side is None:
            _accumulate(ticks, size, base_row, row_ticks, volume)
        else:
            buy = np.zeros(n_rows, dtype=np.int64)
            sell = np.zeros(n_rows, dtype=np.int64)
            _accumulate_sided(ticks, size, side, base_row, row_ticks, volume, buy, sell)
        if ts is None:
            first, last, as_of = 0, n - 1, None
        else:
            first = int(np.argmin(ts))
            last = n - 1 - int(np.argmax(ts[::-1]))
            as_of = int(ts[last])
        return cls(
            volume,
            base_row,
            row_ticks=row_ticks,
            tick_size=tick_size,
            buy_volume=buy,
            sell_volume=sell,
            low_tick=int(low),
            high_tick=int(high),
            open_tick=int(ticks[first]),
            close_tick=int(ticks[last]),
            start_ns=start_ns,
            end_ns=end_ns,
            as_of_ns=as_of,
        )

    @classmethod
    def from_trades(
        cls,
        prices: Any,
        sizes: Any,
        tick_size: float = ES_TICK_SIZE,
        *,
        row_ticks: int = 1,
        sides: Any = None,
        ts_ns: Any = None,
    ) -> VolumeProfile:
        """Exact profile of trades at decimal prices (array-likes); off-grid prices are refused."""
        tick_size = check_tick_size(tick_size)
        ticks = prices_to_ticks(prices, tick_size)
        return cls.from_ticks(
            ticks, sizes, sides=sides, ts_ns=ts_ns, row_ticks=row_ticks, tick_size=tick_size
        )

    @classmethod
    def from_trade_array(
        cls,
        trades: np.ndarray,
        *,
        start_ns: int | None = None,
        end_ns: int | None = None,
        row_ticks: int = 1,
        tick_size: float = ES_TICK_SIZE,
    ) -> VolumeProfile:
        """Exact profile of a TRADE_DTYPE array, keeping trades with start_ns <= ts_ns < end_ns."""
        window = records_in_window(trades, TRADE_DTYPE, "trades", start_ns, end_ns)
        return cls.from_ticks(
            window["price_ticks"],
            window["size"],
            sides=window["side"],
            ts_ns=window["ts_ns"],
            row_ticks=row_ticks,
            tick_size=tick_size,
            start_ns=start_ns,
            end_ns=end_ns,
        )

    @classmethod
    def from_level_ticks(
        cls, price_ticks: Any, volumes: Any, *, row_ticks: int = 1, tick_size: float = ES_TICK_SIZE
    ) -> VolumeProfile:
        """Profile of an existing tick->volume table (repeated ticks add up; zero rows allowed)."""
        row_ticks = check_row_ticks(row_ticks)
        ticks = int_array(price_ticks, "price_ticks")
        volume_in = int_array(volumes, "volumes", minimum=0)
        same_length(price_ticks=ticks, volumes=volume_in)
        traded = ticks[volume_in > 0]
        if traded.size == 0:
            return cls.empty(row_ticks=row_ticks, tick_size=tick_size)
        low, high = _tick_range(traded)
        base_row = int(low) // row_ticks
        ladder = np.zeros(int(high) // row_ticks - base_row + 1, dtype=np.int64)
        keep = volume_in > 0
        _accumulate(ticks[keep], volume_in[keep], base_row, row_ticks, ladder)
        return cls(
            ladder,
            base_row,
            row_ticks=row_ticks,
            tick_size=tick_size,
            low_tick=int(low),
            high_tick=int(high),
        )

    @classmethod
    def from_levels(
        cls, prices: Any, volumes: Any, tick_size: float = ES_TICK_SIZE, *, row_ticks: int = 1
    ) -> VolumeProfile:
        """Profile of an existing decimal price->volume table (array-likes)."""
        tick_size = check_tick_size(tick_size)
        return cls.from_level_ticks(
            prices_to_ticks(prices, tick_size), volumes, row_ticks=row_ticks, tick_size=tick_size
        )

    # ----------------------------------------------------------------- views
    @property
    def _rows(self) -> np.ndarray:
        """The per-row array behind RowLadder's n_rows, is_empty and row_low_ticks."""
        return self._volumes

    @property
    def volumes(self) -> np.ndarray:
        """Read-only int64 volume per row, lowest row first."""
        return self._volumes

    @property
    def buy_volume(self) -> np.ndarray | None:
        """Read-only buy-aggressor volume per row, when the trades carried sides."""
        return self._buy

    @property
    def sell_volume(self) -> np.ndarray | None:
        """Read-only sell-aggressor volume per row, when the trades carried sides."""
        return self._sell

    @property
    def total(self) -> int:
        """Total volume."""
        return int(self._volumes.sum())

    @property
    def prices(self) -> np.ndarray:
        """Decimal price of each row (its lowest tick)."""
        return np.round(self.row_low_ticks * self.tick_size, 10)

    @property
    def poc_ticks(self) -> int | None:
        """POC under the default rules (lowest tick of its row); None when empty."""
        if self.is_empty:
            return None
        assert self.low_tick is not None and self.high_tick is not None
        row = poc_row(
            self._volumes,
            ValueAreaRules(),
            self.base_row,
            self.row_ticks,
            self.low_tick,
            self.high_tick,
        )
        return (self.base_row + row) * self.row_ticks

    def value_area(
        self,
        pct: float | int | str | Fraction | Decimal = 0.70,
        method: str = "dual",
        *,
        tie: str = "both",
        poc_tie: str = "closest_to_center",
        poc_tie_final: str = "lower",
        poc_mid_basis: str = "rows",
        rules: ValueAreaRules | None = None,
    ) -> ValueArea | None:
        """Value area (spec §2.4): `pct` in (0, 1] read exactly, `method` "dual" or "single".

        Returns None for an empty profile (total volume 0, spec §8). `rules`, when given,
        replaces every other argument.
        """
        if rules is None:
            rules = ValueAreaRules.make(pct, method, tie, poc_tie, poc_tie_final, poc_mid_basis)
        if self.is_empty:
            return None
        assert self.low_tick is not None and self.high_tick is not None
        result = value_area_of_ladder(
            self._volumes, rules, self.base_row, self.row_ticks, self.low_tick, self.high_tick
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
            basis="VOLUME",
            as_of_ns=self.as_of_ns,
        )

    # ----------------------------------------------------------------- transforms
    def shifted(self, ticks: int) -> VolumeProfile:
        """The same profile moved by `ticks` (a multiple of row_ticks), e.g. a roll back-adjustment."""
        if ticks % self.row_ticks:
            raise ValueError(f"shift must be a multiple of row_ticks {self.row_ticks}, was {ticks}")
        return self._with(
            base_row=self.base_row + ticks // self.row_ticks,
            low_tick=_plus(self.low_tick, ticks),
            high_tick=_plus(self.high_tick, ticks),
            open_tick=_plus(self.open_tick, ticks),
            close_tick=_plus(self.close_tick, ticks),
        )

    def rebucketed(self, row_ticks: int) -> VolumeProfile:
        """The profile on coarser rows; `row_ticks` must be a multiple of the current row size."""
        row_ticks = check_row_ticks(row_ticks)
        if row_ticks % self.row_ticks:
            raise ValueError(
                f"row_ticks must be a multiple of the current {self.row_ticks}, was {row_ticks}"
            )
        if row_ticks == self.row_ticks or self.is_empty:
            return self._with(row_ticks=row_ticks) if self.is_empty else self
        new_rows = self.row_low_ticks // row_ticks
        base = int(new_rows[0])
        size = int(new_rows[-1]) - base + 1

        def regroup(values: np.ndarray | None) -> np.ndarray | None:
            if values is None:
                return None
            out = np.zeros(size, dtype=np.int64)
            np.add.at(out, new_rows - base, values)
            return out

        return VolumeProfile(
            regroup(self._volumes),
            base,
            row_ticks=row_ticks,
            tick_size=self.tick_size,
            buy_volume=regroup(self._buy),
            sell_volume=regroup(self._sell),
            low_tick=self.low_tick,
            high_tick=self.high_tick,
            open_tick=self.open_tick,
            close_tick=self.close_tick,
            start_ns=self.start_ns,
            end_ns=self.end_ns,
            as_of_ns=self.as_of_ns,
            approximate=self.approximate,
        )

    def _with(self, **changes: Any) -> VolumeProfile:
        fields = self.metadata()
        fields.update(changes)
        base_row = fields.pop("base_row")
        return VolumeProfile(
            self._volumes, base_row, buy_volume=self._buy, sell_volume=self._sell, **fields
        )

    # ----------------------------------------------------------------- serialisation
    def metadata(self) -> dict[str, Any]:
        """Every scalar field (what a DataFrame's `attrs` carries next to the rows)."""
        return {
            "base_row": self.base_row,
            "row_ticks": self.row_ticks,
            "tick_size": self.tick_size,
            "low_tick": self.low_tick,
            "high_tick": self.high_tick,
            "open_tick": self.open_tick,
            "close_tick": self.close_tick,
            "start_ns": self.start_ns,
            "end_ns": self.end_ns,
            "as_of_ns": self.as_of_ns,
            "approximate": self.approximate,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (lists and scalars only)."""
        data = self.metadata()
        data["kind"] = "volume_profile"
        data["volumes"] = self._volumes.tolist()
        data["buy_volume"] = None if self._buy is None else self._buy.tolist()
        data["sell_volume"] = None if self._sell is None else self._sell.tolist()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VolumeProfile:
        """Inverse of `to_dict`."""
        fields = {k: v for k, v in data.items() if k not in ("kind", "volumes", "base_row")}
        return cls(
            np.asarray(data["volumes"], dtype=np.int64),
            int(data["base_row"]),
            **{
                **fields,
                "buy_volume": data.get("buy_volume"),
                "sell_volume": data.get("sell_volume"),
            },
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per price row: price_ticks, price, volume (+ buy_volume, sell_volume).

        The scalar fields travel in `DataFrame.attrs`.
        """
        frame = pd.DataFrame(
            {"price_ticks": self.row_low_ticks, "price": self.prices, "volume": self._volumes}
        )
        if self._buy is not None and self._sell is not None:
            frame["buy_volume"] = self._buy
            frame["sell_volume"] = self._sell
        frame.attrs.update(self.metadata())
        return frame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> VolumeProfile:
        """Inverse of `to_frame`; without attrs, a tick->volume table on 1-tick rows."""
        if "base_row" not in frame.attrs:
            return cls.from_level_ticks(frame["price_ticks"], frame["volume"])
        fields = {str(k): v for k, v in frame.attrs.items() if k != "base_row"}
        sided = "buy_volume" in frame.columns
        return cls(
            frame["volume"].to_numpy(),
            int(frame.attrs["base_row"]),
            buy_volume=frame["buy_volume"].to_numpy() if sided else None,
            sell_volume=frame["sell_volume"].to_numpy() if sided else None,
            **fields,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VolumeProfile):
            return NotImplemented
        return (
            self.metadata() == other.metadata()
            and np.array_equal(self._volumes, other._volumes)
            and _same_optional(self._buy, other._buy)
            and _same_optional(self._sell, other._sell)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if self.is_empty:
            return f"VolumeProfile(empty, row_ticks={self.row_ticks})"
        return (
            f"VolumeProfile({self.n_rows} rows {price_of(self.row_low_ticks[0], self.tick_size)}"
            f"..{price_of(int(self.row_low_ticks[-1]), self.tick_size)}, total={self.total}, "
            f"row_ticks={self.row_ticks})"
        )


def _plus(tick: int | None, ticks: int) -> int | None:
    return None if tick is None else tick + ticks


def _same_optional(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.array_equal(a, b)

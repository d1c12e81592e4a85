"""Profiles from OHLCV bars when no trades are available (spec §2.1: approximate).

The TPO profile is exact from bar highs and lows. The volume profile is an approximation, flagged
`approximate=True`: `bar_volume="spread"` (default) spreads each bar's volume evenly over its
low..high ticks (integer split; the remainder goes one unit per tick nearest the bar's close, the
lower tick first), `"close"` puts it all at the close. A bar belongs to the window or period that
holds its open time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import ValidationError
from orderflow_lib.kernels.profile_ladder import _accumulate, _first_bad_bar, _spread_bars
from orderflow_lib.market.events import BAR_DTYPE
from orderflow_lib.profiles.inputs import bars_to_array, records_in_window
from orderflow_lib.profiles.ladder import check_row_ticks
from orderflow_lib.profiles.periods import as_periods, inside_periods, period_bounds
from orderflow_lib.profiles.tpo import TpoProfile
from orderflow_lib.profiles.volume import VolumeProfile

BAR_VOLUME_MODES = ("spread", "close")


def _checked_bars(bars: np.ndarray, start_ns: int | None, end_ns: int | None) -> np.ndarray:
    """Bars in [start_ns, end_ns) sorted by time; an impossible bar is refused by position."""
    window = records_in_window(bars, BAR_DTYPE, "bars", start_ns, end_ns)
    window = window[np.argsort(window["ts_ns"], kind="stable")]
    opens, highs = window["open_ticks"], window["high_ticks"]
    lows, closes, volumes = window["low_ticks"], window["close_ticks"], window["volume"]
    bad = int(_first_bad_bar(opens, highs, lows, closes, volumes)) if len(window) else -1
    if bad >= 0:
        raise ValidationError(
            f"bar {bad} (ts_ns {window['ts_ns'][bad]}) is not a valid OHLCV bar: open "
            f"{opens[bad]}, high {highs[bad]}, low {lows[bad]}, close {closes[bad]}, "
            f"volume {volumes[bad]} (needs low <= open, close <= high and volume >= 0)"
        )
    return window


def volume_profile_from_bar_array(
    bars: np.ndarray,
    *,
    bar_volume: str = "spread",
    start_ns: int | None = None,
    end_ns: int | None = None,
    row_ticks: int = 1,
    tick_size: float = ES_TICK_SIZE,
) -> VolumeProfile:
    """Approximate volume profile of BAR_DTYPE bars opening in [start_ns, end_ns).

    Zero-volume bars are ignored.
    """
    if bar_volume not in BAR_VOLUME_MODES:
        raise ValueError(f"bar_volume must be one of {BAR_VOLUME_MODES}, was {bar_volume!r}")
    row_ticks = check_row_ticks(row_ticks)
    window = _checked_bars(bars, start_ns, end_ns)
    window = window[window["volume"] > 0]
    if len(window) == 0:
        return VolumeProfile(
            np.empty(0, dtype=np.int64),
            0,
            row_ticks=row_ticks,
            tick_size=tick_size,
            start_ns=start_ns,
            end_ns=end_ns,
            approximate=True,
        )
    lows, highs, closes = window["low_ticks"], window["high_ticks"], window["close_ticks"]
    volumes = window["volume"]
    if bar_volume == "spread":
        low, high = int(lows.min()), int(highs.max())
    else:
        low, high = int(closes.min()), int(closes.max())
    base_row = low // row_ticks
    ladder = np.zeros(high // row_ticks - base_row + 1, dtype=np.int64)
    if bar_volume == "spread":
        _spread_bars(lows, highs, closes, volumes, base_row, row_ticks, ladder)
    else:
        _accumulate(closes, volumes, base_row, row_ticks, ladder)
    return VolumeProfile(
        ladder,
        base_row,
        row_ticks=row_ticks,
        tick_size=tick_size,
        low_tick=low,
        high_tick=high,
        open_tick=int(window["open_ticks"][0]),
        close_tick=int(closes[-1]),
        start_ns=start_ns,
        end_ns=end_ns,
        as_of_ns=int(window["ts_ns"][-1]),
        approximate=True,
    )


def volume_profile_from_bars(
    bars: pd.DataFrame,
    tick_size: float = ES_TICK_SIZE,
    *,
    bar_volume: str = "spread",
    start_ns: int | None = None,
    end_ns: int | None = None,
    row_ticks: int = 1,
) -> VolumeProfile:
    """Approximate volume profile of decimal OHLCV bars (columns ts, open, high, low, close,
    volume; `ts` = bar open in int64 UTC ns), e.g. `read_lean_minute` output."""
    return volume_profile_from_bar_array(
        bars_to_array(bars, tick_size),
        bar_volume=bar_volume,
        start_ns=start_ns,
        end_ns=end_ns,
        row_ticks=row_ticks,
        tick_size=tick_size,
    )


def tpo_profile_from_bar_array(
    bars: np.ndarray,
    periods: Iterable[Any],
    *,
    bar_volume: str = "spread",
    row_ticks: int = 1,
    tick_size: float = ES_TICK_SIZE,
) -> TpoProfile:
    """TPO profile of BAR_DTYPE bars; the aligned volume (for the optional POC volume
    tie-break) is the approximate volume profile of the bars inside the periods."""
    plist = as_periods(periods)
    window = _checked_bars(bars, None, None)
    inside = inside_periods(window["ts_ns"], *period_bounds(plist))
    volume = volume_profile_from_bar_array(
        window[inside], bar_volume=bar_volume, row_ticks=row_ticks, tick_size=tick_size
    )
    return TpoProfile.from_prints(
        plist,
        window["ts_ns"],
        window["low_ticks"],
        window["high_ticks"],
        window["open_ticks"],
        window["close_ticks"],
        row_ticks=row_ticks,
        tick_size=tick_size,
        volume_profile=volume,
    )


def tpo_profile_from_bars(
    bars: pd.DataFrame,
    periods: Iterable[Any],
    tick_size: float = ES_TICK_SIZE,
    *,
    bar_volume: str = "spread",
    row_ticks: int = 1,
) -> TpoProfile:
    """TPO profile of decimal OHLCV bars (columns ts, open, high, low, close, volume)."""
    return tpo_profile_from_bar_array(
        bars_to_array(bars, tick_size),
        periods,
        bar_volume=bar_volume,
        row_ticks=row_ticks,
        tick_size=tick_size,
    )

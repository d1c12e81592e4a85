"""Footprint imbalances (spec §7.4): diagonal by default (ask at P against the bid one tick lower),
horizontal for display; stacks of >= stack_min consecutive imbalanced rows become zones that stay
live until price trades through them by stack_break_ticks or the session ends."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

import numpy as np

from orderflow_lib.core.fractions import exact
from orderflow_lib.flow.candles import FootprintRow, VolCandle
from orderflow_lib.flow.footprint import Footprint
from orderflow_lib.kernels.flow_bars import _imbalances, _stacks

ImbalanceMode = Literal["diagonal", "horizontal"]
SUPPORT = 1
RESISTANCE = -1


@dataclass(frozen=True, slots=True)
class ImbalanceZone:
    """A stacked-imbalance zone [low_ticks, high_ticks]: support (side +1, buy imbalances) or
    resistance (side -1). `created_ns` is the bar's last trade; `ended_ns` the trade that broke it
    or the session end; `broken` tells which."""

    side: int
    low_ticks: int
    high_ticks: int
    created_ns: int
    bar_start_ns: int
    ended_ns: int | None = None
    broken: bool = False

    @property
    def rows(self) -> int:
        """Rows (ticks) in the zone."""
        return self.high_ticks - self.low_ticks + 1

    def breaks_on(self, price_ticks: int, break_ticks: int) -> bool:
        """True when a trade at `price_ticks` trades through the zone by break_ticks."""
        if self.side == SUPPORT:
            return price_ticks <= self.low_ticks - break_ticks
        return price_ticks >= self.high_ticks + break_ticks


def _ratio(imb_ratio: float | str | Fraction) -> Fraction:
    ratio = exact(imb_ratio)
    if ratio <= 0:
        raise ValueError(f"imb_ratio must be > 0, was {imb_ratio}")
    return ratio


def _check_mode(mode: str) -> None:
    if mode not in ("diagonal", "horizontal"):
        raise ValueError(f"imbalance mode must be 'diagonal' or 'horizontal', was {mode!r}")


def footprint_imbalances(
    fp: Footprint,
    imb_ratio: float | str | Fraction = 3.0,
    imb_min_vol: int = 10,
    mode: ImbalanceMode = "diagonal",
) -> tuple[np.ndarray, np.ndarray]:
    """(buy, sell) imbalance flags per footprint row (batch form)."""
    _check_mode(mode)
    ratio = _ratio(imb_ratio)
    if mode == "horizontal":
        bid, ask = fp.bid_volume, fp.ask_volume
        buy = (ask >= imb_min_vol) & (ask > 0) & (ask * ratio.denominator >= ratio.numerator * bid)
        sell = (bid >= imb_min_vol) & (bid > 0) & (bid * ratio.denominator >= ratio.numerator * ask)
        return buy, sell
    return _imbalances(
        fp.row_offsets,
        fp.price_ticks,
        fp.bid_volume,
        fp.ask_volume,
        ratio.numerator,
        ratio.denominator,
        imb_min_vol,
    )


def footprint_stacks(
    fp: Footprint,
    buy: np.ndarray,
    sell: np.ndarray,
    last_ts_ns: np.ndarray,
    stack_min: int = 3,
) -> list[ImbalanceZone]:
    """Stacked zones of every bar, in bar order (support zones of a bar before resistance)."""
    if stack_min < 1:
        raise ValueError(f"stack_min must be >= 1, was {stack_min}")
    zones = []
    for side, flags in ((SUPPORT, buy), (RESISTANCE, sell)):
        for b, lo, hi in _stacks(fp.row_offsets, fp.price_ticks, flags, stack_min):
            zones.append(
                ImbalanceZone(side, int(lo), int(hi), int(last_ts_ns[b]), int(fp.start_ns[b]))
            )
    zones.sort(key=lambda z: (z.created_ns, -z.side, z.low_ticks))
    return zones


def candle_imbalances(
    rows: tuple[FootprintRow, ...],
    imb_ratio: float | str | Fraction = 3.0,
    imb_min_vol: int = 10,
    mode: ImbalanceMode = "diagonal",
) -> tuple[list[int], list[int]]:
    """Prices (ticks) of buy and sell imbalances in one bar's rows (incremental form)."""
    _check_mode(mode)
    ratio = _ratio(imb_ratio)
    bid = {r[0]: r[1] for r in rows}
    ask = {r[0]: r[2] for r in rows}
    low = rows[0][0] if rows else 0
    high = rows[-1][0] if rows else 0
    buy, sell = [], []
    for p, _, _, _, _ in rows:
        if mode == "horizontal":
            up_cmp, down_cmp = bid[p], ask[p]
            up_ok = down_ok = True
        else:
            up_cmp, down_cmp = bid.get(p - 1, 0), ask.get(p + 1, 0)
            up_ok, down_ok = p > low, p < high
        if up_ok and _holds(ask[p], up_cmp, ratio, imb_min_vol):
            buy.append(p)
        if down_ok and _holds(bid[p], down_cmp, ratio, imb_min_vol):
            sell.append(p)
    return buy, sell


def _holds(volume: int, compared: int, ratio: Fraction, min_vol: int) -> bool:
    if volume == 0 and compared == 0:
        return False
    return volume >= min_vol and volume * ratio.denominator >= ratio.numerator * compared


def candle_stacks(
    candle: VolCandle, buy: list[int], sell: list[int], stack_min: int = 3
) -> list[ImbalanceZone]:
    """Stacked zones of one bar from its imbalance prices (support first)."""
    zones = []
    for side, prices in ((SUPPORT, buy), (RESISTANCE, sell)):
        for lo, hi in _runs(sorted(prices)):
            if hi - lo + 1 >= stack_min:
                zones.append(ImbalanceZone(side, lo, hi, candle.last_ts_ns, candle.start_ns))
    return zones


def _runs(prices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for p in prices:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs


class ZoneTracker:
    """Live stacked-imbalance zones: a zone ends at the first later trade through it by
    break_ticks (broken) or at the end of its session."""

    def __init__(self, stack_break_ticks: int = 2) -> None:
        if stack_break_ticks < 0:
            raise ValueError(f"stack_break_ticks must be >= 0, was {stack_break_ticks}")
        self.break_ticks = stack_break_ticks
        self.live: list[ImbalanceZone] = []
        self.ended: list[ImbalanceZone] = []

    def add(self, zone: ImbalanceZone) -> None:
        """Start tracking a zone (from the bar that just closed)."""
        self.live.append(zone)

    def on_trade(self, ts_ns: int, price_ticks: int) -> list[ImbalanceZone]:
        """Zones this trade broke."""
        broken = [z for z in self.live if z.breaks_on(price_ticks, self.break_ticks)]
        if broken:
            self.live = [z for z in self.live if not z.breaks_on(price_ticks, self.break_ticks)]
            done = [replace(z, ended_ns=ts_ns, broken=True) for z in broken]
            self.ended.extend(done)
            return done
        return []

    def end_session(self, ts_ns: int) -> list[ImbalanceZone]:
        """End every live zone at a session end."""
        done = [replace(z, ended_ns=ts_ns) for z in self.live]
        self.live = []
        self.ended.extend(done)
        return done

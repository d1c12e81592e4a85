"""Unfinished auctions and lack of participation (spec §7.7).

A bar's high (low) row with both bid and ask volume is an unfinished extreme: a magnet until a later
trade prints at that price (`completed_ns`). Lack of participation flags a new swing extreme made on
weak volume (mean volume per bar below lop_vol_frac x that of the previous swing the same way) or
with STOP_OUTS flow (price ahead of CD)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from orderflow_lib.core.fractions import exact
from orderflow_lib.flow.candles import VolCandle, VolumetricCandles
from orderflow_lib.flow.signals import BEARISH, BULLISH, Signal, SignalKind
from orderflow_lib.flow.trades import TradeArrays
from orderflow_lib.kernels.flow_bars import _block_bounds, _first_hit

HIGH = 1
LOW = -1


@dataclass(frozen=True, slots=True)
class UnfinishedAuction:
    """An unfinished bar extreme (side +1 high, -1 low); `completed_ns` is the first later trade at
    its price (None while it is still a magnet)."""

    side: int
    price_ticks: int
    created_ns: int
    bar_start_ns: int
    bid_volume: int
    ask_volume: int
    completed_ns: int | None = None

    def signal(self) -> Signal:
        """The FP_UNFINISHED_HIGH / FP_UNFINISHED_LOW signal of this extreme."""
        return Signal(
            ts_ns=self.created_ns,
            kind=SignalKind.FP_UNFINISHED_HIGH
            if self.side == HIGH
            else SignalKind.FP_UNFINISHED_LOW,
            direction=BULLISH if self.side == HIGH else BEARISH,
            price_ticks=self.price_ticks,
            strength=float(min(self.bid_volume, self.ask_volume)),
            evidence={"bid_volume": self.bid_volume, "ask_volume": self.ask_volume},
        )


def unfinished_at(candle: VolCandle) -> list[UnfinishedAuction]:
    """Unfinished extremes of one bar (high first); a finished extreme has a 0 side."""
    out = []
    for side, row in ((HIGH, candle.rows[-1]), (LOW, candle.rows[0])):
        if row[1] > 0 and row[2] > 0:
            out.append(
                UnfinishedAuction(side, row[0], candle.last_ts_ns, candle.start_ns, row[1], row[2])
            )
    return out


def footprint_unfinished(
    candles: VolumetricCandles, trades: TradeArrays
) -> list[UnfinishedAuction]:
    """Unfinished extremes of every bar with their completion time (batch form)."""
    fp = candles.footprint
    if fp.n_bars == 0:
        return []
    lo_idx = fp.row_offsets[:-1]
    hi_idx = fp.row_offsets[1:] - 1
    block_lo, block_hi = _block_bounds(trades.price_ticks)
    out = []
    n = len(trades)
    for side, rows in ((HIGH, hi_idx), (LOW, lo_idx)):
        both = (fp.bid_volume[rows] > 0) & (fp.ask_volume[rows] > 0)
        for b in np.flatnonzero(both).tolist():
            r = int(rows[b])
            price = int(fp.price_ticks[r])
            hit = _first_hit(
                trades.price_ticks,
                block_lo,
                block_hi,
                int(fp.trade_offsets[b + 1]),
                n,
                price,
                price,
            )
            out.append(
                UnfinishedAuction(
                    side,
                    price,
                    int(candles["last_ts_ns"][b]),
                    int(fp.start_ns[b]),
                    int(fp.bid_volume[r]),
                    int(fp.ask_volume[r]),
                    int(trades.ts_ns[hit]) if hit >= 0 else None,
                )
            )
    out.sort(key=lambda u: (u.created_ns, -u.side))
    return out


class MagnetTracker:
    """Open unfinished extremes; each completes at the first later trade at its price."""

    def __init__(self) -> None:
        self.open: dict[int, list[UnfinishedAuction]] = {}
        self.completed: list[UnfinishedAuction] = []

    def add(self, magnet: UnfinishedAuction) -> None:
        """Track a magnet from the bar that just closed."""
        self.open.setdefault(magnet.price_ticks, []).append(magnet)

    def on_trade(self, ts_ns: int, price_ticks: int) -> list[UnfinishedAuction]:
        """Magnets this trade completed."""
        waiting = self.open.pop(price_ticks, None)
        if not waiting:
            return []
        done = [replace(m, completed_ns=ts_ns) for m in waiting]
        self.completed.extend(done)
        return done


def lack_of_participation(
    swing_volume: int,
    swing_bars: int,
    prev_swing_volume: int,
    prev_swing_bars: int,
    *,
    stop_outs: bool = False,
    lop_vol_frac: float | str | Fraction = 0.5,
) -> bool:
    """True when the new swing's mean volume per bar is below lop_vol_frac x the previous swing's,
    or the swing's CD classification was STOP_OUTS (compared exactly by cross-multiplying)."""
    if swing_bars <= 0 or prev_swing_bars <= 0:
        raise ValueError(f"swings need at least one bar, had {swing_bars} and {prev_swing_bars}")
    frac = exact(lop_vol_frac)
    weak = (
        swing_volume * prev_swing_bars * frac.denominator
        < frac.numerator * prev_swing_volume * swing_bars
    )
    return weak or stop_outs

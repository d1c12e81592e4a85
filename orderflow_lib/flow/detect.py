"""All bar-level order-flow detectors together: stacked imbalance zones, absorption, exhaustion,
unfinished extremes, divergence and lack of participation, with the zone and magnet lifecycles.

`detect_bar_signals` is the batch form over a whole candle series; `BarSignalEngine` the live form
(feed each closed candle, and every trade after it). Both give the same signals, zones and magnets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from orderflow_lib.core.config import OrderFlowSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.flow.absorption import AbsorptionDetector, absorption_signals
from orderflow_lib.flow.bars import anchor_array
from orderflow_lib.flow.candles import VolCandle, VolumetricCandles
from orderflow_lib.flow.cd_table import CdThresholds
from orderflow_lib.flow.divergence import SwingDetector, swing_signals
from orderflow_lib.flow.exhaustion import exhaustion_at, exhaustion_signals
from orderflow_lib.flow.imbalance import (
    SUPPORT,
    ImbalanceZone,
    ZoneTracker,
    candle_imbalances,
    candle_stacks,
    footprint_imbalances,
    footprint_stacks,
)
from orderflow_lib.flow.participation import (
    MagnetTracker,
    UnfinishedAuction,
    footprint_unfinished,
    unfinished_at,
)
from orderflow_lib.flow.signals import BEARISH, BULLISH, Signal, SignalKind, sort_signals
from orderflow_lib.flow.trades import TradeArrays
from orderflow_lib.kernels.flow_bars import _block_bounds, _first_hit

DEFAULT_SETTINGS = OrderFlowSettings()


@dataclass(frozen=True)
class BarSignals:
    """Signals in time order, stacked zones and unfinished extremes with their lifecycles."""

    signals: list[Signal]
    zones: list[ImbalanceZone]
    magnets: list[UnfinishedAuction]


def zone_signal(zone: ImbalanceZone) -> Signal:
    """The STACKED_BUY/SELL_IMBALANCE signal of a new zone (price = the zone's near edge)."""
    support = zone.side == SUPPORT
    return Signal(
        ts_ns=zone.created_ns,
        kind=SignalKind.STACKED_BUY_IMBALANCE if support else SignalKind.STACKED_SELL_IMBALANCE,
        direction=BULLISH if support else BEARISH,
        price_ticks=zone.high_ticks if support else zone.low_ticks,
        strength=float(zone.rows),
        evidence={"low_ticks": zone.low_ticks, "high_ticks": zone.high_ticks},
    )


def _thresholds(s: OrderFlowSettings) -> CdThresholds:
    return CdThresholds.of(s.cd_quiet, s.cd_absorb_r, s.cd_stopout_r)


def detect_bar_signals(
    trades: TradeArrays,
    candles: VolumetricCandles,
    settings: OrderFlowSettings = DEFAULT_SETTINGS,
    anchors_ns: np.ndarray | list[int] | None = None,
) -> BarSignals:
    """Every bar-level signal of a candle series built from `trades` (batch form)."""
    s = settings
    fp = candles.footprint
    buy, sell = footprint_imbalances(fp, s.imb_ratio, s.imb_min_vol, s.imb_mode)
    zones = footprint_stacks(fp, buy, sell, candles["last_ts_ns"], s.stack_min)
    zones = _zone_lifecycles(zones, trades, candles, s.stack_break_ticks, anchor_array(anchors_ns))
    magnets = footprint_unfinished(candles, trades)
    signals = [zone_signal(z) for z in zones]
    signals += absorption_signals(
        candles,
        abs_median_bars=s.abs_median_bars,
        abs_min_vol=s.abs_min_vol,
        abs_k=s.abs_k,
        abs_max_pen_ticks=s.abs_max_pen_ticks,
    )
    signals += exhaustion_signals(
        candles, exh_levels=s.exh_levels, exh_abs=s.exh_abs, exh_frac=s.exh_frac
    )
    signals += [m.signal() for m in magnets]
    signals += swing_signals(
        candles,
        pivot_k=s.pivot_k,
        lop_vol_frac=s.lop_vol_frac,
        cd_norm_lookback=s.cd_norm_lookback,
        thresholds=_thresholds(s),
    )
    return BarSignals(sort_signals(signals), zones, magnets)


def _zone_lifecycles(
    zones: list[ImbalanceZone],
    trades: TradeArrays,
    candles: VolumetricCandles,
    break_ticks: int,
    anchors: np.ndarray,
) -> list[ImbalanceZone]:
    if not zones:
        return []
    fp = candles.footprint
    block_lo, block_hi = _block_bounds(trades.price_ticks)
    bar_of_start = {int(t): b for b, t in enumerate(fp.start_ns.tolist())}
    out = []
    for zone in zones:
        b = bar_of_start[zone.bar_start_ns]
        nxt = int(np.searchsorted(anchors, zone.bar_start_ns, side="right"))
        session_end = int(anchors[nxt]) if nxt < anchors.shape[0] else None
        stop = (
            int(np.searchsorted(trades.ts_ns, session_end, side="left"))
            if session_end is not None
            else len(trades)
        )
        if zone.side == SUPPORT:
            lo, hi = np.iinfo(np.int64).min, zone.low_ticks - break_ticks
        else:
            lo, hi = zone.high_ticks + break_ticks, np.iinfo(np.int64).max
        hit = _first_hit(
            trades.price_ticks, block_lo, block_hi, int(fp.trade_offsets[b + 1]), stop, lo, hi
        )
        if hit >= 0:
            out.append(replace(zone, ended_ns=int(trades.ts_ns[hit]), broken=True))
        elif session_end is not None:
            out.append(replace(zone, ended_ns=session_end))
        else:
            out.append(zone)
    return out


class BarSignalEngine:
    """Live bar-level detectors: call `on_candle` for each closed candle and `on_trade` for each
    trade after it (in that order when a trade closes a bar)."""

    def __init__(
        self,
        settings: OrderFlowSettings = DEFAULT_SETTINGS,
        anchors_ns: np.ndarray | list[int] | None = None,
    ) -> None:
        s = settings
        self.settings = s
        self._anchors = anchor_array(anchors_ns)
        self._next_anchor = 0
        self.zones = ZoneTracker(s.stack_break_ticks)
        self.magnets = MagnetTracker()
        self._absorption = AbsorptionDetector(
            abs_median_bars=s.abs_median_bars,
            abs_min_vol=s.abs_min_vol,
            abs_k=s.abs_k,
            abs_max_pen_ticks=s.abs_max_pen_ticks,
        )
        self._swings = SwingDetector(
            pivot_k=s.pivot_k,
            lop_vol_frac=s.lop_vol_frac,
            cd_norm_lookback=s.cd_norm_lookback,
            thresholds=_thresholds(s),
        )
        self._ratio = exact(s.imb_ratio)

    def on_candle(self, candle: VolCandle) -> list[Signal]:
        """Signals of a bar that just closed (zones and magnets start being tracked)."""
        s = self.settings
        buy, sell = candle_imbalances(candle.rows, self._ratio, s.imb_min_vol, s.imb_mode)
        out = []
        for zone in candle_stacks(candle, buy, sell, s.stack_min):
            self.zones.add(zone)
            out.append(zone_signal(zone))
        out += self._absorption.on_candle(candle)
        out += exhaustion_at(
            candle, exh_levels=s.exh_levels, exh_abs=s.exh_abs, exh_frac=s.exh_frac
        )
        for magnet in unfinished_at(candle):
            self.magnets.add(magnet)
            out.append(magnet.signal())
        out += self._swings.on_candle(candle)
        return sort_signals(out)

    def on_trade(self, ts_ns: int, price_ticks: int) -> None:
        """A trade after the last closed bar: ends sessions, breaks zones, completes magnets."""
        while (
            self._next_anchor < self._anchors.shape[0] and self._anchors[self._next_anchor] <= ts_ns
        ):
            self.zones.end_session(int(self._anchors[self._next_anchor]))
            self._next_anchor += 1
        self.zones.on_trade(ts_ns, price_ticks)
        self.magnets.on_trade(ts_ns, price_ticks)

    def all_zones(self) -> list[ImbalanceZone]:
        """Ended and live zones in creation order."""
        zones = self.zones.ended + self.zones.live
        return sorted(zones, key=lambda z: (z.created_ns, -z.side, z.low_ticks))

    def all_magnets(self) -> list[UnfinishedAuction]:
        """Completed and open magnets in creation order."""
        open_ = [m for ms in self.magnets.open.values() for m in ms]
        return sorted(self.magnets.completed + open_, key=lambda u: (u.created_ns, -u.side))

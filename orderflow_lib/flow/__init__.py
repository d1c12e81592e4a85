"""Order flow (spec §7): aggressor classification, footprints and volumetric candles, delta,
imbalances, absorption, exhaustion, unfinished auctions, lack of participation, divergence, the
CD table, tape pressure, order books and DOM metrics, VWAP bands and rhythm.

These are the batch forms over whole arrays. The live path (`engine`) runs resumable kernels
(`kernels.session_trades`, `kernels.dom_state`); parity tests hold both to the plain-Python
references in `tests/reference`. Trackers, parameters and point checks are imported from their
modules (`orderflow_lib.flow.cd_table`, ...)."""

from orderflow_lib.flow.absorption import absorption_signals
from orderflow_lib.flow.aggressor import classify_aggressor
from orderflow_lib.flow.book import BookFrames, frames_from_mbp10, replay_depth
from orderflow_lib.flow.candles import VolumetricCandles, volumetric_candles
from orderflow_lib.flow.cd_table import cd_table
from orderflow_lib.flow.delta import cumulative_delta
from orderflow_lib.flow.detect import detect_bar_signals
from orderflow_lib.flow.divergence import swing_signals
from orderflow_lib.flow.dom import dom_metrics
from orderflow_lib.flow.exhaustion import exhaustion_signals
from orderflow_lib.flow.footprint import Footprint, footprint
from orderflow_lib.flow.imbalance import candle_imbalances, footprint_imbalances
from orderflow_lib.flow.mbo import replay_mbo
from orderflow_lib.flow.participation import lack_of_participation
from orderflow_lib.flow.rhythm import vwap_rhythm
from orderflow_lib.flow.signals import Signal, SignalKind
from orderflow_lib.flow.tape import tape_pressure, tape_signals
from orderflow_lib.flow.trades import TradeArrays, trade_arrays
from orderflow_lib.flow.vwap import VwapSeries, vwap_bands

__all__ = [
    "BookFrames",
    "Footprint",
    "Signal",
    "SignalKind",
    "TradeArrays",
    "VolumetricCandles",
    "VwapSeries",
    "absorption_signals",
    "candle_imbalances",
    "cd_table",
    "classify_aggressor",
    "cumulative_delta",
    "detect_bar_signals",
    "dom_metrics",
    "exhaustion_signals",
    "footprint",
    "footprint_imbalances",
    "frames_from_mbp10",
    "lack_of_participation",
    "replay_depth",
    "replay_mbo",
    "swing_signals",
    "tape_pressure",
    "tape_signals",
    "trade_arrays",
    "volumetric_candles",
    "vwap_bands",
    "vwap_rhythm",
]

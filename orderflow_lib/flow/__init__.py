"""Order flow: aggressor classification, footprints and volumetric candles, delta and CD,
imbalances and stacked zones, absorption, exhaustion, unfinished auctions, lack of participation,
divergence, the CD table, tape pressure, order books and DOM metrics, VWAP bands and rhythm.

Every engine has a batch form over arrays and an incremental form for live use (spec §7)."""

from orderflow_lib.flow.absorption import AbsorptionDetector, absorption_at, absorption_signals
from orderflow_lib.flow.aggressor import (
    AggressorClassifier,
    AggressorResult,
    classify_aggressor,
    unknown_share,
    unknown_share_too_high,
)
from orderflow_lib.flow.anchors import session_anchors
from orderflow_lib.flow.bars import BarSpec
from orderflow_lib.flow.book import (
    BookFrame,
    BookFrames,
    Mbp10Book,
    PositionBook,
    crossed_outside_auction,
    frames_from_mbp10,
    replay_depth,
)
from orderflow_lib.flow.candles import (
    CandleBuilder,
    VolCandle,
    VolumetricCandles,
    volumetric_candles,
)
from orderflow_lib.flow.cd_table import (
    CdClass,
    CdInventory,
    CdReading,
    CdTableTracker,
    CdThresholds,
    cd_inventory,
    cd_reading,
    cd_table,
    classify_cd,
)
from orderflow_lib.flow.delta import CumulativeDelta, cumulative_delta, trade_delta
from orderflow_lib.flow.detect import BarSignalEngine, BarSignals, detect_bar_signals
from orderflow_lib.flow.divergence import SwingDetector, divergence, swing_signals
from orderflow_lib.flow.dom import DomEngine, DomMetrics, DomParams, dom_metrics
from orderflow_lib.flow.exhaustion import exhaustion_at, exhaustion_signals
from orderflow_lib.flow.footprint import Footprint, build_footprint, footprint
from orderflow_lib.flow.imbalance import (
    ImbalanceZone,
    ZoneTracker,
    candle_imbalances,
    footprint_imbalances,
)
from orderflow_lib.flow.mbo import MboBook, MboReplay, TradeCheck, replay_mbo, replay_mbo_messages
from orderflow_lib.flow.participation import (
    MagnetTracker,
    UnfinishedAuction,
    lack_of_participation,
    unfinished_at,
)
from orderflow_lib.flow.pivots import Pivot, PivotTracker, find_pivots
from orderflow_lib.flow.rhythm import Condition, Pace, RhythmReading, VwapRhythm, vwap_rhythm
from orderflow_lib.flow.signals import Signal, SignalKind, count_by_kind
from orderflow_lib.flow.tape import (
    TapeParams,
    TapePressure,
    TapeReadings,
    tape_pressure,
    tape_signals,
)
from orderflow_lib.flow.trades import TradeArrays, prepare_trades, trade_arrays
from orderflow_lib.flow.vwap import VwapEngine, VwapSeries, vwap_bands

__all__ = [
    "AbsorptionDetector",
    "AggressorClassifier",
    "AggressorResult",
    "BarSignalEngine",
    "BarSignals",
    "BarSpec",
    "BookFrame",
    "BookFrames",
    "CandleBuilder",
    "CdClass",
    "CdInventory",
    "CdReading",
    "CdTableTracker",
    "CdThresholds",
    "Condition",
    "CumulativeDelta",
    "DomEngine",
    "DomMetrics",
    "DomParams",
    "Footprint",
    "ImbalanceZone",
    "MagnetTracker",
    "MboBook",
    "MboReplay",
    "Mbp10Book",
    "Pace",
    "Pivot",
    "PivotTracker",
    "PositionBook",
    "RhythmReading",
    "Signal",
    "SignalKind",
    "SwingDetector",
    "TapeParams",
    "TapePressure",
    "TapeReadings",
    "TradeArrays",
    "TradeCheck",
    "UnfinishedAuction",
    "VolCandle",
    "VolumetricCandles",
    "VwapEngine",
    "VwapRhythm",
    "VwapSeries",
    "ZoneTracker",
    "absorption_at",
    "absorption_signals",
    "build_footprint",
    "candle_imbalances",
    "cd_inventory",
    "cd_reading",
    "cd_table",
    "classify_aggressor",
    "classify_cd",
    "count_by_kind",
    "crossed_outside_auction",
    "cumulative_delta",
    "detect_bar_signals",
    "divergence",
    "dom_metrics",
    "exhaustion_at",
    "exhaustion_signals",
    "find_pivots",
    "footprint",
    "footprint_imbalances",
    "frames_from_mbp10",
    "lack_of_participation",
    "prepare_trades",
    "replay_depth",
    "replay_mbo",
    "replay_mbo_messages",
    "session_anchors",
    "swing_signals",
    "tape_pressure",
    "tape_signals",
    "trade_arrays",
    "trade_delta",
    "unfinished_at",
    "unknown_share",
    "unknown_share_too_high",
    "volumetric_candles",
    "vwap_bands",
    "vwap_rhythm",
]

"""Strategies (spec §5.3, §6): ROTATIONAL, DIRECTIONAL_BULLISH and DIRECTIONAL_BEARISH turn the
plan, the live auction context and order-flow confirmations into order intents for MES. The
active family comes from context; order flow only times the entry through the evidence score."""

from orderflow_lib.strategy.engine import (
    DIRECTIONAL_BEARISH,
    DIRECTIONAL_BULLISH,
    ROTATIONAL,
    STRATEGIES,
    FamilyStrategy,
    StrategyEngine,
    stop_tick,
)
from orderflow_lib.strategy.family import FamilyCall, select_family
from orderflow_lib.strategy.intents import TradeIntent, signal_id
from orderflow_lib.strategy.scoring import (
    CONFIRMING,
    EntryScore,
    dynamic_score,
    orderflow_score,
    score_entry,
)

__all__ = [
    "CONFIRMING",
    "DIRECTIONAL_BEARISH",
    "DIRECTIONAL_BULLISH",
    "ROTATIONAL",
    "STRATEGIES",
    "EntryScore",
    "FamilyCall",
    "FamilyStrategy",
    "StrategyEngine",
    "TradeIntent",
    "dynamic_score",
    "orderflow_score",
    "score_entry",
    "select_family",
    "signal_id",
    "stop_tick",
]

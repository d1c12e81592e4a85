"""Strategies (spec §5.3, §5.6, §6): ROTATIONAL, DIRECTIONAL_BULLISH and DIRECTIONAL_BEARISH turn
the plan, the live auction context and order-flow confirmations into bracketed order intents for
MES. The active family comes from context; order flow only times the entry through the evidence
score; every entry taken or skipped is journalled."""

from orderflow_lib.strategy.engine import DIRECTIONS, StrategyEngine
from orderflow_lib.strategy.family import FamilyCall, select_family
from orderflow_lib.strategy.intents import JournalEntry, TradeIntent, signal_id
from orderflow_lib.strategy.scoring import (
    CONFIRMING,
    EntryScore,
    dynamic_score,
    orderflow_score,
    score_entry,
)

__all__ = [
    "CONFIRMING",
    "DIRECTIONS",
    "EntryScore",
    "FamilyCall",
    "JournalEntry",
    "StrategyEngine",
    "TradeIntent",
    "dynamic_score",
    "orderflow_score",
    "score_entry",
    "select_family",
    "signal_id",
]

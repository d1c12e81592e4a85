"""The trading loop that the node and every backtest share: event batches -> pipeline (flow,
profiles and auction views per trade date) -> the day's plan and strategies -> the trading session
(bracket orders through the safety gate to a broker), on any clock. Persistence goes through the
`Sink` port and events through a publish callable: the engine does no I/O of its own.
"""

from orderflow_lib.engine.context import PriorSession, SessionContext, build_context
from orderflow_lib.engine.loop import HistorySource, LoopCounts, LoopSource, TradingLoop
from orderflow_lib.engine.pipeline import Pipeline, SessionSpec
from orderflow_lib.engine.plan_strategy import PlanStrategy
from orderflow_lib.engine.ports import Sink
from orderflow_lib.engine.round_trips import RoundTrip, RoundTrips
from orderflow_lib.engine.strategy import DecisionJournal, PlanTracker, Strategy
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.engine.view import Decision, MarketView, NodeSignal

__all__ = [
    "Decision",
    "DecisionJournal",
    "HistorySource",
    "LoopCounts",
    "LoopSource",
    "MarketView",
    "NodeSignal",
    "Pipeline",
    "PlanStrategy",
    "PlanTracker",
    "PriorSession",
    "RoundTrip",
    "RoundTrips",
    "SessionContext",
    "SessionSpec",
    "Sink",
    "Strategy",
    "TradingLoop",
    "TradingSession",
    "build_context",
]

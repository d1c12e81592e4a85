"""The trading node: the background process that runs the feed, the engines, the strategies, the
safety gate and the broker, and serves the control API and the state stream (FastAPI/uvicorn).

Entry points for the command line: `run_node` (orderflow run) and `run_demo` (orderflow demo).
"""

from orderflow_lib.node.app import create_app
from orderflow_lib.node.client import NodeClient, NodeUnavailableError
from orderflow_lib.node.context import PriorSession, SessionContext, build_context
from orderflow_lib.node.node import Node
from orderflow_lib.node.pipeline import Pipeline, SessionSpec
from orderflow_lib.node.plan_strategy import PlanStrategy
from orderflow_lib.node.run import DashboardLauncher, NodeOptions, run_demo, run_node, serve
from orderflow_lib.node.server import NodeServer, NodeServerError
from orderflow_lib.node.snapshot import SnapshotInput, build_snapshot
from orderflow_lib.node.strategy import PlanTracker, Strategy, TradeIdea
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.summary import (
    BrokerFactory,
    HistorySource,
    NodeSummary,
    paper_broker_factory,
)
from orderflow_lib.node.view import Decision, MarketView, NodeSignal, signal_id

__all__ = [
    "BrokerFactory",
    "DashboardLauncher",
    "Decision",
    "HistorySource",
    "MarketView",
    "Node",
    "NodeClient",
    "NodeOptions",
    "NodeServer",
    "NodeServerError",
    "NodeSignal",
    "NodeSummary",
    "NodeUnavailableError",
    "Pipeline",
    "PlanStrategy",
    "PlanTracker",
    "PriorSession",
    "SessionContext",
    "SessionSpec",
    "SnapshotInput",
    "StateHub",
    "Strategy",
    "TradeIdea",
    "build_context",
    "build_snapshot",
    "create_app",
    "paper_broker_factory",
    "run_demo",
    "run_node",
    "serve",
    "signal_id",
]

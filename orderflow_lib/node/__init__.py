"""The trading node: the background process that runs a feed through the engine's trading loop,
the safety gate and the broker, and serves the control API and the state stream (FastAPI/uvicorn).

Entry points for the command line: `run_node` (orderflow run) and `run_demo` (orderflow demo).
Names load on first use, so a dashboard kernel that only needs `node.client` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orderflow_lib.node.app import create_app
    from orderflow_lib.node.client import NodeClient, NodeUnavailableError
    from orderflow_lib.node.demo import run_demo
    from orderflow_lib.node.node import Node
    from orderflow_lib.node.run import DashboardLauncher, NodeOptions, run_node, serve
    from orderflow_lib.node.server import NodeServer, NodeServerError
    from orderflow_lib.node.snapshot import SnapshotInput, build_snapshot
    from orderflow_lib.node.stream import StateHub
    from orderflow_lib.node.summary import BrokerFactory, NodeSummary, paper_broker_factory

_HOMES = {
    "create_app": "app",
    "NodeClient": "client",
    "NodeUnavailableError": "client",
    "Node": "node",
    "DashboardLauncher": "run",
    "NodeOptions": "run",
    "run_demo": "demo",
    "run_node": "run",
    "serve": "run",
    "NodeServer": "server",
    "NodeServerError": "server",
    "SnapshotInput": "snapshot",
    "build_snapshot": "snapshot",
    "StateHub": "stream",
    "BrokerFactory": "summary",
    "NodeSummary": "summary",
    "paper_broker_factory": "summary",
}

__all__ = [
    "BrokerFactory",
    "DashboardLauncher",
    "Node",
    "NodeClient",
    "NodeOptions",
    "NodeServer",
    "NodeServerError",
    "NodeSummary",
    "NodeUnavailableError",
    "SnapshotInput",
    "StateHub",
    "build_snapshot",
    "create_app",
    "paper_broker_factory",
    "run_demo",
    "run_node",
    "serve",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'orderflow_lib.node' has no attribute {name!r}")
    return getattr(importlib.import_module(f"orderflow_lib.node.{home}"), name)

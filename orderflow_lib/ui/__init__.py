"""orderflow_lib.ui: the Voila dashboards (F1 Command Center, Classic); the only code importing
Bokeh/ipywidgets. Names load on first use, so the command line can start Voila without them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orderflow_lib.ui.app import (
        DashboardApp,
        classic_app,
        command_center_app,
        node_url_from_env,
    )
    from orderflow_lib.ui.bokeh_live import LiveBokeh, LiveSource, load_bokehjs
    from orderflow_lib.ui.classic import ClassicView
    from orderflow_lib.ui.command_center import CommandCenter
    from orderflow_lib.ui.deltas import Delta, SourceMirror
    from orderflow_lib.ui.live import LiveLoop
    from orderflow_lib.ui.serve import (
        DASHBOARD_NOTEBOOKS,
        DEFAULT_NODE_URL,
        DEFAULT_PORT,
        NODE_URL_ENV,
        dashboard_launcher,
        dashboard_urls,
        serve_dashboards,
        stop_dashboards,
        voila_command,
        wait_until_listening,
    )
    from orderflow_lib.ui.watchdog import KernelWatchdog

_HOMES = {
    "ClassicView": "classic",
    "CommandCenter": "command_center",
    "DASHBOARD_NOTEBOOKS": "serve",
    "DEFAULT_NODE_URL": "serve",
    "DEFAULT_PORT": "serve",
    "DashboardApp": "app",
    "Delta": "deltas",
    "KernelWatchdog": "watchdog",
    "LiveBokeh": "bokeh_live",
    "LiveLoop": "live",
    "LiveSource": "bokeh_live",
    "NODE_URL_ENV": "serve",
    "SourceMirror": "deltas",
    "classic_app": "app",
    "command_center_app": "app",
    "dashboard_launcher": "serve",
    "dashboard_urls": "serve",
    "load_bokehjs": "bokeh_live",
    "node_url_from_env": "app",
    "serve_dashboards": "serve",
    "stop_dashboards": "serve",
    "voila_command": "serve",
    "wait_until_listening": "serve",
}

__all__ = [
    "DASHBOARD_NOTEBOOKS",
    "DEFAULT_NODE_URL",
    "DEFAULT_PORT",
    "NODE_URL_ENV",
    "ClassicView",
    "CommandCenter",
    "DashboardApp",
    "Delta",
    "KernelWatchdog",
    "LiveBokeh",
    "LiveLoop",
    "LiveSource",
    "SourceMirror",
    "classic_app",
    "command_center_app",
    "dashboard_launcher",
    "dashboard_urls",
    "load_bokehjs",
    "node_url_from_env",
    "serve_dashboards",
    "stop_dashboards",
    "voila_command",
    "wait_until_listening",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'orderflow_lib.ui' has no attribute {name!r}")
    return getattr(importlib.import_module(f"orderflow_lib.ui.{home}"), name)

"""orderflow_lib.ui: the Voila dashboards (F1 Command Center, Classic); the only code importing Bokeh/ipywidgets."""

from orderflow_lib.ui.app import (
    DEFAULT_NODE_URL,
    NODE_URL_ENV,
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
    DEFAULT_PORT,
    dashboard_launcher,
    dashboard_urls,
    serve_dashboards,
    stop_dashboards,
    voila_command,
    wait_until_listening,
)
from orderflow_lib.ui.watchdog import KernelWatchdog

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

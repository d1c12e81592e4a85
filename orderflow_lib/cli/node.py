"""`orderflow run`, `orderflow demo` and `orderflow dashboard`: the trading node and the screens."""

from __future__ import annotations

import argparse
import time

from orderflow_lib.core import load_settings
from orderflow_lib.node import run_demo, run_node
from orderflow_lib.ui import dashboard_launcher, dashboard_urls
from orderflow_lib.ui.serve import serve_dashboards, stop_dashboards, wait_until_listening


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Register the node and dashboard commands."""
    run = commands.add_parser(
        "run", help="run the trading node (synthetic market unless told otherwise)"
    )
    feed = run.add_mutually_exclusive_group()
    feed.add_argument(
        "--ib",
        action="store_true",
        help="trade through IB Gateway/TWS (paper port 4002 by default)",
    )
    feed.add_argument(
        "--replay", metavar="PATH", help="replay a Databento DBN file or a node recording"
    )
    feed.add_argument(
        "--synthetic", action="store_true", help="run on the synthetic market (the default)"
    )
    run.add_argument(
        "--speed", default="1", help="replay/synthetic speed: 1, 10, ... or max (default 1)"
    )
    run.add_argument(
        "--port", type=int, help="port of the control API and state stream (default from settings)"
    )
    run.add_argument("--seed", type=int, default=7, help="seed of the synthetic market (default 7)")
    run.set_defaults(handler=_run)

    demo = commands.add_parser(
        "demo",
        help="the demo: a node on the synthetic market with the paper broker, plus the dashboards",
    )
    demo.add_argument(
        "--no-dashboard", action="store_true", help="run the node without the dashboards"
    )
    demo.add_argument("--browser", action="store_true", help="open the Command Center in a browser")
    demo.add_argument("--port", type=int, help="port of the node (default from settings)")
    demo.add_argument(
        "--speed", type=float, default=5.0, help="market speed, x real time (default 5)"
    )
    demo.set_defaults(handler=_demo)

    dash = commands.add_parser(
        "dashboard", help="serve the dashboards with Voila for a running node"
    )
    dash.add_argument(
        "--node", default=None, help="node URL (default http://127.0.0.1:<node port>)"
    )
    dash.add_argument("--port", type=int, help="dashboard port (default 8866)")
    dash.add_argument("--no-browser", action="store_true", help="do not open a browser")
    dash.set_defaults(handler=_dashboard)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    return run_node(
        settings, ib=args.ib, replay=args.replay, speed=args.speed, port=args.port, seed=args.seed
    )


def _demo(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    port = settings.node.dashboard_port
    return run_demo(
        settings,
        open_browser=args.browser,
        dashboard=not args.no_dashboard,
        dashboard_launcher=None if args.no_dashboard else dashboard_launcher(port),
        port=args.port,
        speed=args.speed,
    )


def _dashboard(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    node_url = args.node or f"http://{settings.node.host}:{settings.node.port}"
    port = args.port or settings.node.dashboard_port
    process = serve_dashboards(node_url, port, open_browser=not args.no_browser)
    try:
        wait_until_listening(port, 60.0, process)
        for url in dashboard_urls(port):
            print(url)
        print("Press Ctrl-C to stop the dashboards.")
        while process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop_dashboards(process)
    return 0

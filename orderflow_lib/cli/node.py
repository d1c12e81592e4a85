"""`orderflow run`, `orderflow demo` and `orderflow dashboard`: the trading node and the screens."""

from __future__ import annotations

import argparse
import socket
import time

from orderflow_lib.cli.args import add_command, local_path, ny_time, trade_date


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Register the node and dashboard commands."""
    _add_run(commands)
    _add_demo(commands)
    _add_dashboard(commands)


def _add_run(commands: argparse._SubParsersAction) -> None:
    run = add_command(
        commands,
        "run",
        "run the trading node (synthetic market unless told otherwise)",
        [
            "orderflow run --synthetic --speed 10",
            "orderflow run --synthetic --date 2026-11-24 --start 09:20 --speed 5",
            "orderflow run --replay ../shared/data/lean-es-2013/minute --date 2013-10-14 "
            "--speed max",
            "orderflow run --replay "
            "../shared/data/databento-es-mbo/esh4-glbx-mdp3-20231225.mbo.dbn.zst --speed max",
            "SAFETY_AUTH_KEY=... orderflow run --ib  # your secret, 32 or more characters",
        ],
        _run,
    )
    feed = run.add_mutually_exclusive_group()
    feed.add_argument(
        "--ib",
        action="store_true",
        help="trade through IB Gateway/TWS (paper port 4002 by default); needs the "
        "SAFETY_AUTH_KEY environment variable, a secret of 32 or more characters",
    )
    feed.add_argument(
        "--replay",
        metavar="PATH",
        type=local_path,
        help="replay a Databento DBN file, a node recording, or a Lean ES minute folder "
        "(with --date)",
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
    run.add_argument(
        "--date",
        type=trade_date,
        help="trade date of the synthetic market (default today) or of a Lean folder to replay",
    )
    run.add_argument(
        "--start",
        type=ny_time,
        metavar="HH:MM",
        help="New York time the synthetic market starts at (default: the session's open)",
    )


def _add_demo(commands: argparse._SubParsersAction) -> None:
    demo = add_command(
        commands,
        "demo",
        "the demo: a node on the synthetic market with the paper broker, plus the dashboards",
        [
            "orderflow demo",
            "orderflow demo --no-dashboard --speed 60",
            "orderflow demo --date 2026-11-24 --start 09:00",
        ],
        _demo,
    )
    demo.add_argument(
        "--no-dashboard", action="store_true", help="run the node without the dashboards"
    )
    demo.add_argument("--browser", action="store_true", help="open the Command Center in a browser")
    demo.add_argument("--port", type=int, help="port of the node (default from settings)")
    demo.add_argument(
        "--speed", type=float, default=20.0, help="market speed, x real time (default 20)"
    )
    demo.add_argument(
        "--date", type=trade_date, help="trade date of the synthetic market (default today)"
    )
    demo.add_argument(
        "--start",
        type=ny_time,
        default="09:25",
        metavar="HH:MM",
        help="New York time the market starts at (default 09:25, five minutes before the open)",
    )
    demo.add_argument(
        "--seed", type=int, default=7, help="seed of the synthetic market (default 7)"
    )


def _add_dashboard(commands: argparse._SubParsersAction) -> None:
    dash = add_command(
        commands,
        "dashboard",
        "serve the dashboards with Voila for a running node",
        ["orderflow dashboard", "orderflow dashboard --node http://127.0.0.1:8765 --no-browser"],
        _dashboard,
    )
    dash.add_argument(
        "--node", default=None, help="node URL (default http://127.0.0.1:<node port>)"
    )
    dash.add_argument("--port", type=int, help="dashboard port (default 8866)")
    dash.add_argument("--no-browser", action="store_true", help="do not open a browser")


def _run(args: argparse.Namespace) -> int:
    from orderflow_lib.core import load_settings
    from orderflow_lib.node import run_node

    settings = load_settings(args.config)
    return run_node(
        settings,
        ib=args.ib,
        replay=args.replay,
        speed=args.speed,
        port=args.port,
        seed=args.seed,
        trade_date=args.date,
        start_at=args.start,
    )


def _demo(args: argparse.Namespace) -> int:
    launcher = None
    try:
        from orderflow_lib.core import load_settings
        from orderflow_lib.node.demo_files import demo_folder

        settings = load_settings(args.config)
        folder = demo_folder(settings.data_dir)
        port = _node_port(args.port, settings.node.port)
        if not args.no_dashboard:
            from orderflow_lib.ui.serve import dashboard_launcher

            launcher = dashboard_launcher(
                settings.node.dashboard_port, log_path=folder / "voila.log"
            )
            launcher.start(f"http://{settings.node.host}:{port}")
        from orderflow_lib.node.demo import run_demo

        return run_demo(
            settings,
            open_browser=args.browser,
            dashboard=not args.no_dashboard,
            dashboard_launcher=launcher,
            folder=folder,
            port=port,
            speed=args.speed,
            seed=args.seed,
            trade_date=args.date,
            start_at=args.start,
        )
    except KeyboardInterrupt:
        return 0
    finally:
        if launcher is not None:
            launcher.stop()


def _node_port(asked: int | None, configured: int) -> int:
    """The node's port: as asked, else as configured; 0 becomes a free port picked now, so the
    dashboards can start before the node listens."""
    port = configured if asked is None else asked
    if port != 0:
        return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dashboard(args: argparse.Namespace) -> int:
    from orderflow_lib.core import load_settings
    from orderflow_lib.ui import dashboard_urls
    from orderflow_lib.ui.serve import serve_dashboards, stop_dashboards, wait_until_listening

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

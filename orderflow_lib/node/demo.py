"""`orderflow demo`: the synthetic market's scripted story with the paper broker, a fresh store
in its own folder under `data/demo/` each run, and the dashboards.

The demo runs in a fresh folder each time (its own SQLite store, fence file and run marker): a
demo stopped with kill -9 leaves its folder behind, and the next demo neither starts fenced nor
reads that run's profiles. Folders of demos no longer running are removed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Final, TextIO

from orderflow_lib.core.config import Settings
from orderflow_lib.node.assembly import DEFAULT_SEED, NodeOptions, resolve_key, say
from orderflow_lib.node.demo_files import demo_folder
from orderflow_lib.node.run import DashboardLauncher, serve, stop_flagger

DEMO_SPEED: Final = 20.0
DEMO_START: Final = time(9, 25)
DEMO_HISTORY_DAYS: Final = 12
DEMO_ENTRY_THRESHOLD: Final = 0.70
"""The demo enters on the plan's context alone: with the default 0.90 its scripted setup would
also wait for order-flow confirmation, which the synthetic tape prints only now and then."""
DEMO_STORE_TIMEOUT_MS: Final = 5_000
"""The demo shares the machine with the dashboard's kernels starting up: a store write queued
behind them for half a second is a busy laptop, not a hung database, and must not fence the demo."""


def demo_settings(settings: Settings, folder: Path) -> Settings:
    """`settings` for a demo run: its own data folder and SQLite store, the demo's store deadline
    and its entry threshold."""
    return settings.model_copy(
        update={
            "data_dir": str(folder),
            "database_url": f"sqlite:///{folder / 'orderflow.sqlite'}",
            "store": settings.store.model_copy(update={"timeout_ms": DEMO_STORE_TIMEOUT_MS}),
            "weights": settings.weights.model_copy(
                update={"entry_threshold": DEMO_ENTRY_THRESHOLD}
            ),
        }
    )


def run_demo(
    settings: Settings,
    open_browser: bool = False,
    dashboard: bool = True,
    *,
    dashboard_launcher: DashboardLauncher | None = None,
    folder: Path | None = None,
    port: int | None = None,
    speed: float = DEMO_SPEED,
    seed: int = DEFAULT_SEED,
    trade_date: date | None = None,
    start_at: time = DEMO_START,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """`orderflow demo`: the synthetic market's demo story (`trade_date`, default today's, from
    `start_at` New York time, `speed` x real time) with the paper broker and a fresh SQLite store
    in `folder` (default a new one from `demo_folder`), plus the dashboard when `dashboard` and a
    `dashboard_launcher` are given. Prints the URLs and where the throwaway auth key is; Ctrl-C
    stops it quietly at any moment (exit code 0)."""
    stream = out or sys.stdout
    env = os.environ if environ is None else environ
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, stop_flagger(stop)) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        run_folder = folder or demo_folder(settings.data_dir)
        options = NodeOptions(
            mode="synthetic",
            speed=speed,
            port=port,
            seed=seed,
            trade_date=trade_date,
            start_at=start_at,
            history_days=DEMO_HISTORY_DAYS,
            story=True,
        )
        options = replace(options, auth_key=resolve_key(options, settings, env, stream))
        say(stream, f"demo data (store and logs, new each run): {run_folder}")
        say(
            stream,
            f"demo: {speed:g}x real time from {start_at:%H:%M} New York; it enters at a score of "
            f"{DEMO_ENTRY_THRESHOLD:.2f} so its scripted setup trades in the first minutes "
            f"(your setting elsewhere: {settings.weights.entry_threshold:.2f})",
        )
        if not stop.is_set():
            asyncio.run(
                serve(
                    demo_settings(settings, run_folder),
                    options,
                    dashboard=dashboard_launcher if dashboard else None,
                    open_browser=open_browser,
                    environ=env,
                    out=stream,
                    stop=stop,
                )
            )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0

"""`run_demo` in a real process: the synthetic market's demo story on a free port with the paper
broker and a fresh SQLite store per run. Within 120 s of the start the node holds a bracket (a
position with its stop and target at the paper broker) and then a closed trade with P&L in GBP,
its scenario shown "done"; the store holds the prior sessions the plan was built from; SIGTERM
stops it cleanly (exit 0, summary printed)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from conftest import ROOT

from orderflow_lib.engine.context import PROFILE_KIND
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.node.client import NodeClient
from orderflow_lib.store import open_store

START_S = 60.0
STORY_S = 120.0
STOP_S = 90.0
TRADE_DATE = date(2026, 11, 24)


def _read_until(proc: subprocess.Popen[str], marker: str, timeout_s: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if marker in line:
            return lines
    raise AssertionError(f"no {marker!r} within {timeout_s} s; got {lines}")


def _wait_for_position(url: str, started: float, check: Any) -> dict[str, Any]:
    """Poll the node's state until `check(position)` holds; the snapshot then."""
    client = NodeClient(url)
    while time.monotonic() - started < STORY_S:
        snapshot = asyncio.run(client.state())["snapshot"]
        position = snapshot["position"]
        if check(position):
            return snapshot
        time.sleep(0.5)
    raise AssertionError(f"not seen within {STORY_S} s of the start; last position {position}")


def _stored_prior_days(folder: Path) -> list[date]:
    """Trade dates of the synthetic session profiles in the demo run's store."""
    store = open_store(f"sqlite:///{folder / 'orderflow.sqlite'}")
    try:
        records = store.profiles.daily_range(
            PROFILE_KIND,
            default_calendar().lead_contract(TRADE_DATE),
            "synthetic",
            TRADE_DATE - timedelta(days=40),
            TRADE_DATE - timedelta(days=1),
        )
    finally:
        store.close()
    return [r.trade_date for r in records]


def test_demo_when_started_then_trades_a_bracket_within_two_minutes_and_stops_on_sigterm(
    tmp_path: Path,
):
    env = {**os.environ, "ORDERFLOW_DATA_DIR": str(tmp_path / "data")}
    env.pop("SAFETY_AUTH_KEY", None)
    code = (
        "import sys, datetime; from orderflow_lib.core.config import load_settings; "
        "from orderflow_lib.node.demo import run_demo; "
        "sys.exit(run_demo(load_settings(), dashboard=False, port=0, "
        f"trade_date=datetime.date.fromisoformat('{TRADE_DATE}')))"
    )
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = _read_until(proc, "node: http://127.0.0.1:", START_S)
        url = lines[-1].split()[1]
        in_trade = _wait_for_position(url, started, lambda p: p["qty"] != 0 and p["stop"])
        closed = _wait_for_position(url, started, lambda p: p["trades"] and p["qty"] == 0)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=STOP_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)

    assert proc.returncode == 0, err[-3000:]
    assert any("safety auth key (throwaway" in line for line in lines)
    position = in_trade["position"]
    assert position["targets"] and position["scenario_id"]
    states = {sc["id"]: sc["state"] for sc in closed["plan"]["scenarios"]}
    assert states[position["scenario_id"]] == "done"
    trade = closed["position"]["trades"][0]
    assert trade["pnl_gbp"] is not None and trade["pnl_gbp"] != 0
    assert "orders: 0 sent" not in out and "Traceback" not in err
    key_file = tmp_path / "data" / "demo_safety_auth_key"
    assert (key_file.stat().st_mode & 0o777) == 0o600
    (run_folder,) = (tmp_path / "data" / "demo").iterdir()
    assert len(_stored_prior_days(run_folder)) >= 10

"""No lost fills: a node trading every bar on a paper broker with a journal, killed with SIGKILL
right after fills, or while its database hangs after a fill arrived (the fill only in the local
fill journal), restarts on the same store with every fill the broker made in a fill row, every
order resolved against the broker, and its state equal to the store and the broker.

Run as a script it is the node process itself (benchmarks/faults.py uses `run_node` too):

    python test_faults_kill.py STORE_URL RECORDING DATA_DIR SPEED|max [--start-only]
        [--hang-at-fill N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

KEY = "fault-test-key-" + "z" * 30
SCRIPT = Path(__file__)
TRADE_DATE = date(2026, 11, 24)
IN_FLIGHT = ("PENDING", "SUBMITTED")
LOCKED_TABLES = ("orders", "fills", "positions", "safety_state", "security_log", "denials")


def make_recording(folder: Path) -> Path:
    """A synthetic RTH morning recorded for replay."""
    from orderflow_lib.core.timeconv import ny_to_ns
    from orderflow_lib.feeds.events import FeedInfo
    from orderflow_lib.feeds.recording import Recorder
    from orderflow_lib.feeds.synthetic import session_events
    from orderflow_lib.market.synthetic import generate_session

    events = session_events(generate_session(TRADE_DATE, 11, scale=0.01))
    start = ny_to_ns(TRADE_DATE, clock_time(9, 30))
    end = ny_to_ns(TRADE_DATE, clock_time(12, 0))
    events = events[np.searchsorted(events["ts_ns"], start) : np.searchsorted(events["ts_ns"], end)]
    recorder = Recorder(folder, FeedInfo("synthetic", "ESZ26"), TRADE_DATE, 1)
    recorder.write(events)
    return recorder.close()


def start_node(url: str, recording: Path, data_dir: Path, speed: str, *extra: str) -> Any:
    """The node process (this file run as a script)."""
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), url, str(recording), str(data_dir), speed, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def fill_rows(url: str) -> int:
    """Fill rows stored so far (0 while the store is not created yet)."""
    from orderflow_lib.store import open_store

    store = open_store(url)
    try:
        return len(store.orders("replay").fills())
    finally:
        store.close()


def audit(url: str, data_dir: Path) -> dict[str, Any]:
    """What the store and the broker's journal say after a restart: lost fills (contracts the
    broker filled, or an order's filled quantity, without fill rows), orders in flight the broker
    does not work, orders per signal, positions in the store and at the broker."""
    from orderflow_lib.execution.paper_journal import FilePaperJournal
    from orderflow_lib.store import open_store

    store = open_store(url)
    try:
        repo = store.orders("replay")
        orders = repo.all_orders()
        stored: dict[str, int] = defaultdict(int)
        for fill in repo.fills():
            stored[fill.order_id or ""] += fill.quantity
        positions = {
            p.instrument: p.quantity
            for p in store.safety_store("replay", "audit").load_positions()
            if p.quantity
        }
    finally:
        store.close()
    paper = FilePaperJournal(data_dir / "paper.json").load()
    working = set() if paper is None else {o.intent.order_id for o in paper.orders}
    at_broker: dict[str, int] = defaultdict(int)
    for fill in () if paper is None else paper.executions:
        at_broker[fill.order_id] = max(at_broker[fill.order_id], fill.cumulative_quantity)
    signals: dict[str, int] = defaultdict(int)
    for order in orders:
        signals[order.signal_id] += 1
        at_broker[order.order_id] = max(at_broker[order.order_id], order.filled_quantity)
    return {
        "orders": len(orders),
        "filled": sum(o.filled_quantity for o in orders),
        "broker_filled": sum(at_broker.values()),
        "lost_fills": sum(max(q - stored[order_id], 0) for order_id, q in at_broker.items()),
        "unresolved": sum(
            1 for o in orders if str(o.status) in IN_FLIGHT and o.order_id not in working
        ),
        "duplicates": sum(n - 1 for n in signals.values() if n > 1),
        "positions": positions,
        "broker_positions": {}
        if paper is None
        else {p.instrument: p.quantity for p in paper.positions if p.quantity},
    }


def line(out: str, tag: str) -> Any:
    """The JSON after `tag` on the node's output."""
    return json.loads(next(x[len(tag) + 1 :] for x in out.splitlines() if x.startswith(tag + " ")))


def kill_after_fills(
    url: str, recording: Path, data_dir: Path, fills: int, timeout_s: float
) -> bool:
    """Run the node until the store holds `fills` fill rows, then SIGKILL it; False when the node
    ended first."""
    node = start_node(url, recording, data_dir, "600")
    try:
        deadline = time.monotonic() + timeout_s
        while node.poll() is None and time.monotonic() < deadline:
            if Path(url.removeprefix("sqlite:///")).exists() or not url.startswith("sqlite"):
                try:
                    if fill_rows(url) >= fills:
                        break
                except Exception:  # the store is still being created by the node
                    pass
            time.sleep(0.02)
        alive = node.poll() is None
        os.kill(node.pid, signal.SIGKILL)
    finally:
        if node.poll() is None:
            node.kill()
        node.communicate(timeout=10)
    return alive


def restart(url: str, recording: Path, data_dir: Path) -> dict[str, Any]:
    """Start the node again on the same store and broker journal, stop it once started."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), url, str(recording), str(data_dir), "max", "--start-only"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise AssertionError(done.stderr[-3000:])
    return line(done.stdout, "START")


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_recording(tmp_path_factory.mktemp("rec"))


@pytest.mark.parametrize("fills", [3, 8])
def test_node_when_killed_right_after_fills_then_none_lost_and_all_resolved(
    recording: Path, tmp_path: Path, fills: int
):
    url = f"sqlite:///{tmp_path / 'faults.sqlite'}"

    assert kill_after_fills(url, recording, tmp_path, fills, 60.0)
    start = restart(url, recording, tmp_path)
    after = audit(url, tmp_path)

    assert after["filled"] >= fills
    assert after["lost_fills"] == 0
    assert after["unresolved"] == 0
    assert after["duplicates"] == 0
    assert start["orders"] == after["orders"]
    assert start["positions"] == after["positions"]


def kill_in_hang(
    url: str, recording: Path, data_dir: Path, at_fill: int, timeout_s: float, delay_s: float = 0.0
) -> bool:
    """Run the node with its database hung at its `at_fill`-th fill; SIGKILL it `delay_s` after
    the fill journal holds a fill, so the store never recovers while it lives; False when the
    node ended first."""
    node = start_node(url, recording, data_dir, "600", "--hang-at-fill", str(at_fill))
    journal = data_dir / "fills_journal.jsonl"
    try:
        deadline = time.monotonic() + timeout_s
        while node.poll() is None and time.monotonic() < deadline:
            if journal.exists() and journal.stat().st_size > 0:
                break
            time.sleep(0.01)
        time.sleep(delay_s)
        alive = node.poll() is None
        os.kill(node.pid, signal.SIGKILL)
    finally:
        if node.poll() is None:
            node.kill()
        node.communicate(timeout=10)
    return alive


def test_node_when_store_hangs_as_a_fill_arrives_and_killed_then_fill_replayed_from_journal(
    recording: Path, tmp_path: Path
):
    url = f"sqlite:///{tmp_path / 'faults.sqlite'}"
    journal = tmp_path / "fills_journal.jsonl"

    assert kill_in_hang(url, recording, tmp_path, 3, 60.0)
    assert journal.exists()
    start = restart(url, recording, tmp_path)
    after = audit(url, tmp_path)

    assert start["replayed"] >= 1
    assert not journal.exists()
    assert after["broker_filled"] >= 3
    assert after["lost_fills"] == 0
    assert after["unresolved"] == 0
    assert after["duplicates"] == 0
    assert start["positions"] == after["positions"] == after["broker_positions"]


def lock_store(url: str) -> Any:
    """Take the database's write lock from a connection of its own: to the node, a hung
    database. Closing the returned connection (or the end of its process) releases it."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(
            url.removeprefix("sqlite:///"), timeout=5, isolation_level=None
        )
        connection.execute("BEGIN EXCLUSIVE")
        return connection
    import psycopg2

    connection = psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://"))
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
        cursor.execute(f"LOCK TABLE {', '.join(LOCKED_TABLES)} IN ACCESS EXCLUSIVE MODE")
    return connection


class HangAtFill:
    """A broker listener registered before the node's own: at the `at`-th fill it hangs the
    database (lock_store), so the node receives that fill while its store is down."""

    def __init__(self, url: str, at: int) -> None:
        self.url = url
        self.at = at
        self.seen = 0
        self.lock: Any = None

    def on_order_status(self, update: Any) -> None:
        return None

    def on_fill(self, fill: Any) -> None:
        self.seen += 1
        if self.seen == self.at and self.lock is None:
            self.lock = lock_store(self.url)

    def on_connection(self, connected: bool, reason: str) -> None:
        return None


async def run_node(
    url: str,
    recording: Path,
    data_dir: Path,
    speed: float | None,
    *,
    start_only: bool = False,
    hang_at_fill: int = 0,
) -> dict[str, Any]:
    """The node trading every bar on a paper broker with a journal; its state once started is
    written to data_dir/start.json (and returned)."""
    from orderflow_lib.core.clock import ReplayClock
    from orderflow_lib.core.config import Settings
    from orderflow_lib.engine.context import SessionContext
    from orderflow_lib.engine.view import Decision
    from orderflow_lib.execution.broker import Broker
    from orderflow_lib.execution.paper import PaperBroker
    from orderflow_lib.execution.paper_journal import FilePaperJournal
    from orderflow_lib.feeds.events import FeedInfo
    from orderflow_lib.feeds.replay import ReplayFeed
    from orderflow_lib.node.node import Node
    from orderflow_lib.risk.records import OrderAction
    from orderflow_lib.store import open_store
    from orderflow_lib.strategy.intents import TradeIntent

    class EveryBar:
        """Buy on a bar close when flat, sell on the next one."""

        name = "every_bar"

        def start_session(self, context: SessionContext) -> None:
            return None

        def on_decision(self, decision: Decision) -> list[TradeIntent]:
            if decision.candle is None:
                return []
            action = OrderAction.BUY if decision.position <= 0 else OrderAction.SELL
            return [TradeIntent(f"bar-{decision.candle.start_ns}", action, 1, self.name, "bar")]

    settings = Settings(data_dir=str(data_dir))
    store = open_store(url, timeout_ms=settings.store.timeout_ms)
    clock = ReplayClock()

    async def factory(info: FeedInfo) -> Broker:
        broker = PaperBroker(clock, journal=FilePaperJournal(data_dir / "paper.json"))
        if hang_at_fill:
            broker.add_listener(HangAtFill(url, hang_at_fill))
        return broker

    node = Node(
        settings,
        ReplayFeed(recording, speed=speed),
        auth_key=KEY,
        broker_factory=factory,
        store=store,
        strategies=[EveryBar()],
        clock=clock,
        dom_metrics=False,
        in_trading_window=lambda ts_ns: True,
    )
    await node.start()
    assert node.trading is not None and node.persister is not None
    manager = node.trading.manager
    broker_positions = {k: v for k, v in (await node.trading.broker.positions()).items() if v}
    start = {
        "positions": {k: v for k, v in manager.positions.items() if v},
        "broker_positions": broker_positions,
        "orders": len(manager.orders()),
        "fence": manager.state.fence_active,
        "replayed": node.persister.replayed,
    }
    (data_dir / "start.json").write_text(json.dumps(start), encoding="utf-8")
    if not start_only:
        await node.run()
    await node.close()
    store.close()
    return start


def _node_main() -> int:
    from orderflow_lib.feeds.pacing import parse_speed

    parser = argparse.ArgumentParser()
    parser.add_argument("store_url")
    parser.add_argument("recording")
    parser.add_argument("data_dir")
    parser.add_argument("speed", type=parse_speed)
    parser.add_argument("--start-only", action="store_true")
    parser.add_argument("--hang-at-fill", type=int, default=0)
    args = parser.parse_args()
    start = asyncio.run(
        run_node(
            args.store_url,
            Path(args.recording),
            Path(args.data_dir),
            args.speed,
            start_only=args.start_only,
            hang_at_fill=args.hang_at_fill,
        )
    )
    print("START " + json.dumps(start), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_node_main())

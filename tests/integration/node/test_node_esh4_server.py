"""The node end to end on the ESH4 MBO hour (Databento, via the NautilusTrader test fixtures):
replayed through every engine, served by uvicorn on a free port, read by a real WebSocket client
and over HTTP; and `run_node` on the same file in a child process exits 0 with its summary."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from conftest import KEY, ROOT

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.feeds.replay import ReplayFeed
from orderflow_lib.node.app import create_app
from orderflow_lib.node.client import NodeClient
from orderflow_lib.node.node import Node
from orderflow_lib.node.run import NodeOptions, serve
from orderflow_lib.node.server import NodeServer
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.summary import paper_broker_factory
from orderflow_lib.store import open_store

pytestmark = pytest.mark.realdata


async def _read_stream(url: str, out: list[dict[str, Any]], done: asyncio.Event) -> None:
    async with websockets.connect(url, open_timeout=5) as ws:
        while not done.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            out.append(json.loads(raw))


async def test_node_when_esh4_hour_replayed_through_server_then_websocket_reads_snapshots(
    esh4_hour: Path, tmp_path: Path
):
    store = open_store(f"sqlite:///{tmp_path / 'node.sqlite'}")
    clock = ReplayClock()
    node = Node(
        Settings(),
        ReplayFeed(esh4_hour, speed=600.0),
        auth_key=KEY,
        broker_factory=paper_broker_factory(clock),
        store=store,
        clock=clock,
        hub=StateHub(max_hz=20),
    )
    server = NodeServer(create_app(node), port=0)
    messages: list[dict[str, Any]] = []
    done = asyncio.Event()
    try:
        await node.start()
        port = await server.start()
        client = NodeClient(f"http://127.0.0.1:{port}")
        reader = asyncio.create_task(_read_stream(client.ws_url, messages, done))
        await asyncio.sleep(0.2)
        summary = await asyncio.wait_for(node.run(), 120)
        await asyncio.sleep(0.3)
        done.set()
        await asyncio.wait_for(reader, 5)
        state = await client.state()
        health = await client.health()
        status = await client.safety_status()
    finally:
        done.set()
        await node.close()
        await server.stop()
        store.close()

    snapshots = [m["snapshot"] for m in messages if "snapshot" in m]
    assert summary.events == 72_391 and summary.trades == 2_973
    assert len(snapshots) >= 3
    assert [m["seq"] for m in messages] == sorted(m["seq"] for m in messages)
    assert all(s["source"] == "replay" and s["instrument"]["contract"] == "ESH4" for s in snapshots)
    last = state["snapshot"]
    assert 4800.25 <= last["price"]["last"] <= 4811.75
    assert last["price"]["volume"] == 9_892
    assert last["trade_date"] == "2023-12-26"
    assert len(last["dom"]["bids"]) == 10 and len(last["dom"]["asks"]) == 10
    assert last["dom"]["bids"][0][0] < last["dom"]["asks"][0][0]
    assert last["candles"] and last["profile"]["prices"] == sorted(last["profile"]["prices"])
    assert sum(last["profile"]["volumes"]) == 9_892
    events = [e for m in messages for e in m["events"]]
    assert any(e.get("event") == "signal" for e in events)
    assert health["source"] == "replay" and health["store"] == "ok"
    assert health["events"] == summary.events
    assert status["ready"] is False


def test_run_node_when_replay_reaches_the_end_then_summary_and_exit_zero(
    esh4_hour: Path, tmp_path: Path
):
    env = {
        **os.environ,
        "ORDERFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'node.sqlite'}",
        "ORDERFLOW_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("SAFETY_AUTH_KEY", None)
    code = (
        "import sys; from orderflow_lib.core.config import load_settings; "
        "from orderflow_lib.node.run import run_node; "
        f"sys.exit(run_node(load_settings(), replay={str(esh4_hour)!r}, speed='max', port=0))"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "node: http://127.0.0.1:" in out
    assert "events processed: 72,391 (2,973 trades" in out and "events/s" in out
    assert "signals:" in out and "orders:" in out and "P&L:" in out and "config hash" in out
    assert "safety auth key (throwaway" in out
    key_file = tmp_path / "data" / "demo_safety_auth_key"
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600


async def test_serve_when_dashboards_launched_then_command_center_printed_first(
    esh4_hour: Path, tmp_path: Path
):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'node.sqlite'}", data_dir=str(tmp_path)
    )
    launched: list[str] = []

    @contextlib.asynccontextmanager
    async def launcher(node_url: str) -> AsyncIterator[list[str]]:
        launched.append(node_url)
        yield ["http://127.0.0.1:1/command_center", "http://127.0.0.1:1/classic"]

    out = io.StringIO()
    options = NodeOptions(mode="replay", replay=esh4_hour, speed=None, port=0)
    summary = await serve(settings, options, dashboard=launcher, environ={}, out=out)

    lines = out.getvalue().splitlines()
    node_line = next(i for i, line in enumerate(lines) if line.startswith("node: "))
    at = lines.index("dashboard: http://127.0.0.1:1/command_center")
    assert lines[at + 1] == "also: http://127.0.0.1:1/classic" and at > node_line
    assert launched == [lines[node_line].split()[1]]
    assert summary.events == 72_391

"""Crash safety with a real process: a node killed with SIGKILL mid-session and restarted on the
same store recovers positions, orders, the fence and the breaker, and never sends an order for a
signal that already has one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from datetime import time as clock_time
from pathlib import Path

import numpy as np
import pytest

from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.recording import Recorder
from orderflow_lib.feeds.synthetic import session_events
from orderflow_lib.market.synthetic import generate_session
from orderflow_lib.risk.records import OrderStatus
from orderflow_lib.store import open_store

SCRIPT = Path(__file__).with_name("crash_node.py")
TRADE_DATE = date(2026, 11, 24)
STEP_S = 60.0


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events = session_events(generate_session(TRADE_DATE, 11, scale=0.01))
    start, end = ny_to_ns(TRADE_DATE, clock_time(9, 30)), ny_to_ns(TRADE_DATE, clock_time(12, 0))
    events = events[np.searchsorted(events["ts_ns"], start) : np.searchsorted(events["ts_ns"], end)]
    recorder = Recorder(
        tmp_path_factory.mktemp("rec"), FeedInfo("synthetic", "ESZ26"), TRADE_DATE, 1
    )
    recorder.write(events)
    return recorder.close()


def _start(url: str, recording: Path, speed: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), url, str(recording), str(speed), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _orders(url: str) -> list:
    store = open_store(url)
    try:
        return store.safety_store("replay", "test").orders()
    finally:
        store.close()


def _fenced(url: str) -> bool:
    store = open_store(url)
    try:
        state = store.safety_store("replay", "test").load_safety_state()
    finally:
        store.close()
    return state is not None and state.fence_active


def _wait_for(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _line(out: str, tag: str) -> str:
    return next(line[len(tag) + 1 :] for line in out.splitlines() if line.startswith(tag + " "))


def test_node_when_killed_and_restarted_then_state_recovered_and_no_order_sent_twice(
    recording: Path, tmp_path: Path
):
    url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    first = _start(url, recording, "900", "--fence-after-orders", "5")
    try:
        _wait_for(
            lambda: first.poll() is not None or (len(_orders(url)) >= 5 and _fenced(url)),
            STEP_S,
            "orders and the fence before the kill",
        )
        alive = first.poll() is None
        os.kill(first.pid, signal.SIGKILL)
    finally:
        if first.poll() is None:
            first.kill()
        _, err = first.communicate(timeout=10)
    assert alive, err[-3000:]
    assert first.returncode == -signal.SIGKILL
    store = open_store(url)
    try:
        safety = store.safety_store("replay", "test")
        before_orders = safety.orders()
        before_positions = {p.instrument: p.quantity for p in safety.load_positions() if p.quantity}
        before_state = safety.load_safety_state()
    finally:
        store.close()
    assert before_state is not None and before_state.fence_active
    assert "test pulled the cable" in before_state.fence_reason

    second = subprocess.run(
        [sys.executable, str(SCRIPT), url, str(recording), "max"],
        capture_output=True,
        text=True,
        timeout=STEP_S * 3,
    )

    assert second.returncode == 0, second.stderr[-3000:]
    start = json.loads(_line(second.stdout, "START"))
    assert start["positions"] == before_positions
    assert start["orders"] == len(before_orders)
    assert start["fence"] is True and start["breaker"] == before_state.breaker_tripped
    assert json.loads(_line(second.stdout, "SENT")) == []
    assert json.loads(_line(second.stdout, "SKIPPED")) == len({o.signal_id for o in before_orders})
    after = _orders(url)
    by_signal = Counter(o.signal_id for o in after)
    assert max(by_signal.values()) == 1
    assert {
        o.order_id: o.status for o in after if o.order_id in {b.order_id for b in before_orders}
    } == {b.order_id: b.status for b in before_orders}
    assert all(
        o.status
        in (OrderStatus.FILLED, OrderStatus.REJECTED, OrderStatus.SUBMITTED, OrderStatus.PENDING)
        for o in after
    )
    assert len(after) == len(before_orders)

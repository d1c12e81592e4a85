"""Brackets survive a crash: a node killed with SIGKILL while in a trade restarts on the same
store and paper journal, adopts the protective stop and target still working at the broker,
never sends a second bracket, and the position closes at the target (spec §5.6)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from orderflow_lib.risk.records import OrderStatus, OrderType
from orderflow_lib.store import open_store

SCRIPT = Path(__file__).with_name("bracket_node.py")


def _orders(url: str) -> list:
    store = open_store(url)
    try:
        return store.safety_store("synthetic", "test").orders()
    finally:
        store.close()


def test_node_when_killed_in_a_trade_then_restart_adopts_the_children_and_sends_no_second_bracket(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    first = subprocess.Popen(
        [sys.executable, str(SCRIPT), url, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stdout is not None
    line = first.stdout.readline()
    assert line.startswith("FILLED"), line + first.stderr.read() if first.stderr else line
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=30)
    before = _orders(url)
    parent = next(o for o in before if o.order_type is OrderType.MARKET)
    children = {o.order_type: o for o in before if o.parent_id == parent.order_id}
    assert parent.status is OrderStatus.FILLED and set(children) == {
        OrderType.STOP,
        OrderType.LIMIT,
    }
    assert all(c.status is OrderStatus.SUBMITTED for c in children.values())
    assert (tmp_path / "paper_synthetic.json").exists()

    resumed = subprocess.run(
        [sys.executable, str(SCRIPT), url, str(tmp_path), "--resume-after-ns", line.split()[1]],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    adopt = next(x for x in resumed.stdout.splitlines() if x.startswith("ADOPT"))
    assert (
        children[OrderType.STOP].order_id in adopt and children[OrderType.LIMIT].order_id in adopt
    )
    after = _orders(url)
    assert [o for o in after if o.order_type is OrderType.MARKET] == [
        o for o in after if o.order_id == parent.order_id
    ]
    final = {o.order_type: o.status for o in after if o.parent_id == parent.order_id}
    assert final == {OrderType.LIMIT: OrderStatus.FILLED, OrderType.STOP: OrderStatus.CANCELLED}
    assert "POSITION 0" in resumed.stdout.splitlines()
    trades = json.loads(next(x for x in resumed.stdout.splitlines() if x.startswith("TRADES"))[7:])
    assert len(trades) == 1 and trades[0]["exit"] == "target"
    assert trades[0]["entry_ticks"] == parent.filled_price_ticks
    assert trades[0]["exit_ticks"] == children[OrderType.LIMIT].price_ticks

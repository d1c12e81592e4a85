"""Fault injection against the project's own node: kill -9 at random points of the order/fill path
(also while the database hangs as a fill arrives) on SQLite and PostgreSQL, a database hang, a
wrong-key flood, and gateway drops against the FakeGateway; prints one table against the goals.

    .venv/bin/python benchmarks/faults.py [--trials N] [--budget-s S] [--drops N]

The kill -9 trials fork the node from a warm process (benchmarks/fault_kills.py) and use the
PostgreSQL server at 127.0.0.1:5432 (ORDERFLOW_TEST_DATABASE_URL when set). The hang pauses a
PostgreSQL of the benchmark's own (initdb/pg_ctl on a free port, as the postgres user when run as
root) with SIGSTOP; without initdb that part is left out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fault_kills import kill_module, kill_trials, warm_parent
from gateway_drops import drop_rows, gateway_drops

LOCAL_PG = os.environ.get(
    "ORDERFLOW_TEST_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
HANG_S = 3.0


# ---- PostgreSQL of our own --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextlib.contextmanager
def own_postgres() -> Iterator[tuple[str, int] | None]:
    """(server URL, postmaster pid) of a fresh server on a free port, or None without initdb."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is None or pg_ctl is None:
        yield None
        return
    data = Path(tempfile.mkdtemp(prefix="faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]), **quiet
    )  # type: ignore[call-overload]
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=on"
    subprocess.run(
        _as_postgres(
            [pg_ctl, "-D", str(data), "-o", options, "-l", str(data / "log"), "-w", "start"]
        ),
        **quiet,  # type: ignore[call-overload]
    )
    pid = int((data / "postmaster.pid").read_text().split()[0])
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres", pid
    finally:
        _signal_tree(pid, signal.SIGCONT)
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(data, ignore_errors=True)


def _signal_tree(pid: int, sig: signal.Signals) -> None:
    """Send `sig` to the postmaster `pid` and its backends (children by parent pid)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    children.append(int(entry.name))
    for target in [pid, *children]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, sig)


def _fresh_database(server_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


# ---- the hang and the flood, in one node process (this one) ----------------------------------


async def hang_and_flood(recording: Path, pg: tuple[str, int]) -> dict[str, Any]:
    """Pause the database under a trading node: time to fence, API latency, orders sent after
    the hang began; then wrong keys until throttled and the correct key once."""
    import httpx

    from orderflow_lib.core.clock import ReplayClock
    from orderflow_lib.core.config import Settings
    from orderflow_lib.execution.paper import PaperBroker
    from orderflow_lib.feeds.replay import ReplayFeed
    from orderflow_lib.node.app import create_app
    from orderflow_lib.node.node import Node
    from orderflow_lib.store import open_store

    kill = kill_module()
    settings = Settings(data_dir=tempfile.mkdtemp(prefix="faults-hang-"))
    store = open_store(_fresh_database(pg[0], f"hang_{os.getpid()}"), timeout_ms=500)
    clock = ReplayClock()

    async def factory(info: Any) -> Any:
        return PaperBroker(clock)

    node = Node(
        settings,
        ReplayFeed(recording, speed=60),
        auth_key=kill.KEY,
        broker_factory=factory,
        store=store,
        strategies=[_every_bar()],
        clock=clock,
        dom_metrics=False,
        in_trading_window=lambda ts_ns: True,
    )
    running = asyncio.create_task(node.run())
    while node.trading is None or len(node.trading.sent) < 3:
        await asyncio.sleep(0.05)
    trading = node.trading
    manager = trading.manager
    app = create_app(node)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        sent_before = sum(1 for _, r in trading.sent if r.accepted)
        hang_started = time.monotonic()
        _signal_tree(pg[1], signal.SIGSTOP)
        fenced_at = None
        latencies = []
        while time.monotonic() - hang_started < HANG_S:
            t0 = time.monotonic()
            response = await client.get("/api/safety/status")
            latencies.append((time.monotonic() - t0) * 1000)
            assert response.status_code == 200
            if fenced_at is None and manager.state.fence_active:
                fenced_at = time.monotonic() - hang_started
            await asyncio.sleep(0.005)
        _signal_tree(pg[1], signal.SIGCONT)
        await asyncio.sleep(2.0)
        sent_after = sum(1 for _, r in trading.sent if r.accepted) - sent_before
        wrong = 0
        for _ in range(50):
            r = await client.post(
                "/api/safety/halt", headers={"x-safety-auth-key": "w" * 40}, json={"reason": "x"}
            )
            wrong += r.status_code in (401, 429)
        t0 = time.monotonic()
        tries = 0
        while True:
            tries += 1
            r = await client.post(
                "/api/safety/halt", headers={"x-safety-auth-key": kill.KEY}, json={"reason": "ok"}
            )
            if r.status_code not in (401, 429) or tries >= 20:
                break
            await asyncio.sleep(0.1)
        operator_ms = (time.monotonic() - t0) * 1000
    node.request_stop()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(running, 20)
    store.close()
    latencies.sort()
    return {
        "fence_s": fenced_at,
        "api_p50_ms": statistics.median(latencies),
        "api_p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "api_calls": len(latencies),
        "backlog_orders": sent_after,
        "wrong_refused": wrong,
        "operator_tries": tries,
        "operator_status": r.status_code,
        "operator_ms": operator_ms,
    }


def _every_bar() -> Any:
    from orderflow_lib.risk.records import OrderAction
    from orderflow_lib.strategy.intents import TradeIntent

    class EveryBar:
        name = "every_bar"

        def start_session(self, context: Any) -> None:
            return None

        def on_decision(self, decision: Any) -> list[TradeIntent]:
            if decision.candle is None:
                return []
            action = OrderAction.BUY if decision.position <= 0 else OrderAction.SELL
            return [TradeIntent(f"bar-{decision.candle.start_ns}", action, 1, self.name, "bar")]

    return EveryBar()


# ---- the table ----------------------------------------------------------------------------------


def _row(what: str, value: str, goal: str, ok: bool) -> str:
    return f"{what:<44} {value:>26}  {goal:<22} {'ok' if ok else 'MISSED'}"


def _hang_rows(hang: dict[str, Any]) -> None:
    fence = hang["fence_s"]
    p50, p99 = hang["api_p50_ms"], hang["api_p99_ms"]
    tries, status = hang["operator_tries"], hang["operator_status"]
    rows = [
        (
            "own PostgreSQL paused (SIGSTOP): time to fence",
            "never" if fence is None else f"{fence * 1000:.0f} ms",
            "< 1000 ms",
            fence is not None and fence < 1.0,
        ),
        (
            f"API latency during the hang ({hang['api_calls']} calls)",
            f"p50 {p50:.1f} / p99 {p99:.1f} ms",
            "p99 < 100 ms",
            p99 < 100,
        ),
        (
            "orders sent from the backlog",
            str(hang["backlog_orders"]),
            "0",
            hang["backlog_orders"] == 0,
        ),
        (
            f"wrong-key flood ({hang['wrong_refused']} refused), then the key",
            f"try {tries}: HTTP {status}, {hang['operator_ms']:.0f} ms",
            "first try",
            tries == 1 and status < 400,
        ),
    ]
    for row in rows:
        print(_row(*row))


def _kill_rows(name: str, t: dict[str, Any], wanted: int) -> None:
    n = t["trials"]
    rows = [
        (
            f"{name}: kills ({t['hangs']} in a hang, {t['journalled']} journalled)",
            f"{n} in {t['seconds']:.0f} s ({t['fills']} fills)",
            f">= {wanted}",
            n >= wanted,
        ),
        (f"{name}: duplicate orders", str(t["duplicates"]), "0", t["duplicates"] == 0),
        (f"{name}: lost fills (broker vs store)", str(t["lost_fills"]), "0", t["lost_fills"] == 0),
        (f"{name}: unresolved orders", str(t["unresolved"]), "0", t["unresolved"] == 0),
        (
            f"{name}: state equal to the store after restart",
            f"{t['equal']} of {n}",
            f"{n} of {n}",
            t["equal"] == n,
        ),
        (
            f"{name}: stored positions equal to the broker's",
            f"{t['broker_equal']} of {n}",
            f"{n} of {n}",
            t["broker_equal"] == n,
        ),
        (f"{name}: trials that failed to run", str(t["errors"]), "0", t["errors"] == 0),
    ]
    for row in rows:
        print(_row(*row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100, help="kill -9 trials per database")
    parser.add_argument(
        "--budget-s", type=float, default=540.0, help="stop starting kill trials after this"
    )
    parser.add_argument("--drops", type=int, default=12, help="gateway drops")
    args = parser.parse_args()
    started = time.monotonic()
    kill = kill_module()
    with tempfile.TemporaryDirectory() as folder:
        recording = kill.make_recording(Path(folder) / "rec")
        warm_parent()
        share = args.budget_s / 2
        sqlite = kill_trials("sqlite", None, args.trials, started + share, recording)
        postgres = kill_trials("postgresql", LOCAL_PG, args.trials, started + 2 * share, recording)
        with own_postgres() as pg:
            hang = None if pg is None else asyncio.run(hang_and_flood(recording, pg))
        drops = asyncio.run(gateway_drops(args.drops))
    print(
        "fault injection: kill -9 at a random point after 1-12 fills (or while the database "
        "hangs as a fill arrives), restart, audit"
    )
    print(f"{'':<44} {'measured':>26}  {'goal':<22}")
    _kill_rows("SQLite", sqlite, args.trials)
    _kill_rows("PostgreSQL", postgres, args.trials)
    if hang is None:
        print("hang and flood: not measured (no initdb/pg_ctl to start a PostgreSQL to pause)")
    else:
        _hang_rows(hang)
    for row in drop_rows(drops):
        print(_row(*row))
    print(f"total {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

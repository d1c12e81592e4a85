"""Gateway drops of benchmarks/faults.py: a safety gate over IbBroker and the real ib_async client
against the FakeGateway; the gateway closes its sockets, sends 1100, or goes silent, in turn.
Measured: time from the fault to the fence, and orders that reach the gateway while fenced (the
node keeps trying to send); then the link comes back and the operator lifts the fence.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from datetime import date
from typing import Any

TODAY = date(2026, 11, 23)
KEY = "drops-bench-key-" + "d" * 30
KINDS = ("socket closed", "error 1100", "gateway silent")
TRIES_WHILE_FENCED = 5
PRICE_TICKS = 24_001


async def _until(condition: Any, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.002)
    return True


async def gateway_drops(drops: int) -> dict[str, Any]:
    """`drops` faults in turn; fence times (s, None when never fenced), orders sent while fenced."""
    from orderflow_lib.adapters.ibkr import IbBroker, IbConnection, resolve_front_month
    from orderflow_lib.core.clock import LiveClock
    from orderflow_lib.core.config import IbSettings, RiskSettings
    from orderflow_lib.execution.safe_broker import SafeBroker
    from orderflow_lib.risk import OrderAction, ProductionSafetyManager
    from orderflow_lib.risk.memory_store import InMemorySafetyStore
    from orderflow_lib.risk.venue import OrderIntent
    from orderflow_lib.testing import FakeGateway

    logging.disable(logging.ERROR)
    clock = LiveClock()
    fence_s: list[float | None] = []
    tried = sent = denied = 0
    async with FakeGateway(port=0, today=TODAY) as gw:
        settings = IbSettings(host="127.0.0.1", port=gw.port, client_id=17, connect_timeout_s=2.0)
        connection = IbConnection(settings, heartbeat_s=0.3, backoff_s=(0.1, 0.2))
        await connection.connect()
        front = await resolve_front_month(connection.ib, TODAY)
        broker = IbBroker(connection, front.order_contract)
        manager = await ProductionSafetyManager.create(
            InMemorySafetyStore(),
            RiskSettings(reconciliation=False),
            clock,
            auth_key=KEY,
            in_trading_window=lambda ts_ns: True,
        )
        safe = SafeBroker(manager, broker)
        broker.add_listener(safe)
        for k in range(drops):
            kind = KINDS[k % len(KINDS)]
            manager.on_last_trade("MES", PRICE_TICKS)
            orders_before = len(gw.state.orders)
            began = time.monotonic()
            if kind == "socket closed":
                gw.drop()
            elif kind == "error 1100":
                gw.inject_error(1100)
            else:
                gw.set_silent(True)
            fenced = await _until(lambda: manager.state.fence_active, 5.0)
            fence_s.append(time.monotonic() - began if fenced else None)
            for n in range(TRIES_WHILE_FENCED):
                intent = OrderIntent(
                    f"drop-{k}-{n}", "MES", OrderAction.BUY, 1, PRICE_TICKS, clock.now_ns()
                )
                tried += 1
                denied += not (await safe.submit(intent)).accepted
            sent += len(gw.state.orders) - orders_before
            if kind == "error 1100":
                gw.inject_error(1102)
            elif kind == "gateway silent":
                gw.set_silent(False)
            await _until(broker.is_connected, 10.0)
            await _lift(manager)
        await connection.close()
    logging.disable(logging.NOTSET)
    return {"fence_s": fence_s, "tried": tried, "sent": sent, "denied": denied}


async def _lift(manager: Any) -> None:
    """The operator lifts the fence once the link is back (refused while it is still down)."""
    from orderflow_lib.risk import SafetyRefusedError

    end = time.monotonic() + 10
    while manager.state.fence_active and time.monotonic() < end:
        try:
            manager.deactivate_fence(KEY, address="bench")
        except SafetyRefusedError:
            await asyncio.sleep(0.05)


def drop_rows(drops: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """Table rows (what, measured, goal, met) of the gateway drops."""
    times = drops["fence_s"]
    fenced = [t for t in times if t is not None]
    worst = max(fenced) if fenced else float("nan")
    median = statistics.median(fenced) if fenced else float("nan")
    return [
        (
            f"gateway drops ({len(times)}: {', '.join(KINDS)}): fence",
            f"{len(fenced)} of {len(times)}, median {median * 1000:.0f} / max {worst * 1000:.0f} ms",
            "all < 1000 ms",
            len(fenced) == len(times) and worst < 1.0,
        ),
        (
            f"orders tried while fenced ({drops['tried']}, {drops['denied']} denied)",
            f"{drops['sent']} reached the gateway",
            "0",
            drops["sent"] == 0,
        ),
    ]

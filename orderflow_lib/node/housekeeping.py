"""The node's periodic work: snapshots at the stream's rate; once a second the safety health
check, the gate's state, the recording's flush and the status row."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Final

from orderflow_lib.core.errors import StoreError
from orderflow_lib.node.persist import status_record

if TYPE_CHECKING:
    from orderflow_lib.node.node import Node

log = logging.getLogger(__name__)

SLOW_PERIOD_S: Final = 1.0


async def housekeeping(node: Node) -> None:
    """Run until cancelled."""
    period = 1.0 / node.settings.node.snapshot_hz
    last_slow = 0.0
    while True:
        await asyncio.sleep(period)
        node.publish_snapshot()
        now = time.monotonic()
        if now - last_slow < SLOW_PERIOD_S:
            continue
        last_slow = now
        await _slow_work(node)


async def _slow_work(node: Node) -> None:
    trading = node.trading
    if trading is not None:
        trading.manager.check_health()
        trading.publish_gate_change()
    if node.recorder is not None:
        node.recorder.flush()
    persister = node.persister
    if persister is None:
        return
    persister.status(
        status_record(
            node.info.source,
            None if trading is None else trading.account,
            broker_connected=trading is not None and trading.broker.is_connected(),
            feed_connected=node.feed.state not in ("closed", "disconnected", "ended"),
            connections=node.connections(),
        )
    )
    try:
        await persister.flush_async()
    except StoreError as exc:
        log.error("store flush failed: %s", exc)

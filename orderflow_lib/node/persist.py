"""Durable records of a running node, written to the store off the event loop.

Signals acted on, fills, market snapshots, session profiles and the system status are queued and
written in a worker thread by `flush()` (the node calls it about once a second and at shutdown),
so a slow database never stalls the trading loop. Orders, positions and the safety state are not
here: the safety manager writes those itself, synchronously, before an order is sent.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field

from orderflow_lib.core.errors import StoreError
from orderflow_lib.store import (
    FillRecord,
    MarketSnapshotRecord,
    ProfileRecord,
    SignalRecord,
    Store,
    SystemStatusRecord,
)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Queue:
    signals: list[SignalRecord] = field(default_factory=list)
    fills: list[tuple[str, FillRecord]] = field(default_factory=list)
    snapshots: list[MarketSnapshotRecord] = field(default_factory=list)
    profiles: list[ProfileRecord] = field(default_factory=list)
    status: SystemStatusRecord | None = None

    def __bool__(self) -> bool:
        return bool(self.signals or self.fills or self.snapshots or self.profiles or self.status)


class Persister:
    """Queues records for one store; `flush` writes them (StoreError is kept, not raised)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue = _Queue()
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self.written = 0

    @property
    def healthy(self) -> bool:
        """False after a failed write until a later write succeeds."""
        return self.last_error is None

    def signal(self, record: SignalRecord) -> None:
        """Queue a signal acted on."""
        with self._lock:
            self._queue.signals.append(record)

    def fill(self, source: str, record: FillRecord) -> None:
        """Queue a fill of one source."""
        with self._lock:
            self._queue.fills.append((source, record))

    def snapshot(self, record: MarketSnapshotRecord) -> None:
        """Queue a market snapshot."""
        with self._lock:
            self._queue.snapshots.append(record)

    def profile(self, record: ProfileRecord) -> None:
        """Queue a session profile."""
        with self._lock:
            self._queue.profiles.append(record)

    def status(self, record: SystemStatusRecord) -> None:
        """Replace the queued system status (only the newest is kept)."""
        with self._lock:
            self._queue.status = record

    def flush(self) -> int:
        """Write everything queued (blocking); the number of records written. Records that fail
        are put back in front of the queue and tried again on the next flush."""
        with self._lock:
            queue, self._queue = self._queue, _Queue()
        if not queue:
            return 0
        try:
            with self.store.atomic():
                if queue.signals:
                    self.store.signals.add(queue.signals)
                for source, fill in queue.fills:
                    self.store.orders(source).add_fill(fill)
                if queue.snapshots:
                    self.store.snapshots.add(queue.snapshots)
                if queue.profiles:
                    self.store.profiles.save_daily(queue.profiles)
                if queue.status is not None:
                    self.store.status.save(queue.status)
        except StoreError as exc:
            self.last_error = str(exc)
            log.error("store write failed, will retry: %s", exc)
            with self._lock:
                self._queue = _Queue(
                    queue.signals + self._queue.signals,
                    queue.fills + self._queue.fills,
                    queue.snapshots + self._queue.snapshots,
                    queue.profiles + self._queue.profiles,
                    self._queue.status or queue.status,
                )
            return 0
        self.last_error = None
        count = (
            len(queue.signals)
            + len(queue.fills)
            + len(queue.snapshots)
            + len(queue.profiles)
            + (queue.status is not None)
        )
        self.written += count
        return count

    async def flush_async(self) -> int:
        """`flush` in a worker thread."""
        return await asyncio.to_thread(self.flush)

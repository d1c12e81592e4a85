"""Durable records of a running node, written to the store without stalling the event loop.

A fill is written at once, within the store's deadline (settings.store.timeout_ms), before the
trading session acts on it; one the store does not take in time is appended to the local fill
journal (fsynced) and waits in the queue like the rest, and leaves the journal once stored. Signals acted on, market snapshots, session profiles and the system status are queued and
written by `flush()` (the node calls it about once a second and at shutdown) in the store's call
runner, so a hung database never blocks the node. At start the journal is replayed into the store,
then fill rows an order's filled quantity says are missing are rebuilt; the executions the broker
reports after a restart or a force-sync add the rows still missing. Orders,
positions and the safety state are not here: the safety manager writes those itself.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from orderflow_lib.core.errors import StoreError
from orderflow_lib.engine.context import PROFILE_KIND, PriorSession
from orderflow_lib.engine.view import MarketView
from orderflow_lib.execution.events import Fill
from orderflow_lib.market.events import SOURCES
from orderflow_lib.node.fill_journal import FillJournal
from orderflow_lib.node.fill_rows import fill_record, row_from_order, rows_from_executions
from orderflow_lib.plan.model import Plan
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.risk.venue import AccountSnapshot, ExecutionReport
from orderflow_lib.store import (
    FillRecord,
    MarketSnapshotRecord,
    PlanRecord,
    ProfileRecord,
    SignalRecord,
    Store,
    SystemStatusRecord,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(slots=True)
class _Queue:
    signals: list[SignalRecord] = field(default_factory=list)
    fills: list[tuple[str, FillRecord]] = field(default_factory=list)
    snapshots: list[MarketSnapshotRecord] = field(default_factory=list)
    profiles: list[ProfileRecord] = field(default_factory=list)
    status: SystemStatusRecord | None = None
    plans: list[PlanRecord] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.signals
            or self.fills
            or self.snapshots
            or self.profiles
            or self.status
            or self.plans
        )


class Persister:
    """Writes fills at once and queues the other records for one store; `flush` writes the queue
    (StoreError is kept, not raised). With a `journal`, a fill the store does not take in time is
    journalled first. When created: replays the journal, then rebuilds missing fill rows."""

    def __init__(self, store: Store, journal: FillJournal | None = None) -> None:
        self.store = store
        self.journal = journal
        self._queue = _Queue()
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self.written = 0
        self.replayed = self.replay_journal()
        self.rebuilt = self.rebuild_fills()

    @property
    def healthy(self) -> bool:
        """False after a failed write until a later write succeeds."""
        return self.last_error is None

    def signal(self, record: SignalRecord) -> None:
        """Queue a signal acted on."""
        with self._lock:
            self._queue.signals.append(record)

    def fill(self, source: str, record: FillRecord) -> None:
        """Store a fill of one source now, within the deadline; queue it when the store fails."""
        try:
            self._call(lambda: self.store.orders(source).add_fill(record))
        except StoreError as exc:
            self.last_error = str(exc)
            log.error("fill %s not stored yet, will retry: %s", record.exec_id, exc)
            self._journal_fill(source, record)
            with self._lock:
                self._queue.fills.append((source, record))
            return
        self.written += 1

    def _journal_fill(self, source: str, record: FillRecord) -> None:
        if self.journal is None:
            return
        try:
            self.journal.append(source, record)
        except OSError as exc:
            log.critical(
                "fill %s is only in memory: the fill journal %s cannot be written: %s",
                record.exec_id,
                self.journal.path,
                exc,
            )

    def replay_journal(self) -> int:
        """Write the journalled fills into the store (a fill already there is not written twice)
        and acknowledge them; the number of rows added."""
        if self.journal is None:
            return 0
        pending = self.journal.pending()
        added = 0
        for source, record in pending:
            if self.store.orders(source).add_fill(record):
                added += 1
                log.warning(
                    "fill %s (%d %s of order %s) stored from the fill journal",
                    record.exec_id,
                    record.quantity,
                    record.instrument,
                    record.order_id,
                )
        self.journal.acknowledge({record.exec_id for _, record in pending})
        return added

    def executions(self, source: str, executions: Sequence[ExecutionReport]) -> int:
        """Store the rows of the broker's executions (execution.events.Fill) of known orders that
        no stored row covers yet; the number added (0 when the store fails: the next start or
        force-sync tries again)."""
        fills = [e for e in executions if isinstance(e, Fill)]
        if not fills:
            return 0
        repo = self.store.orders(source)

        def write() -> int:
            known = [o.order_id for o in repo.all_orders()]
            rows = rows_from_executions(known, repo.fills(), fills)
            return sum(repo.add_fill(row) for row in rows)

        try:
            added = self._call(write)
        except StoreError as exc:
            log.error("fill rows from the broker's executions not stored: %s", exc)
            return 0
        if added:
            log.warning("%d fill rows rebuilt from the broker's executions", added)
        return added

    def rebuild_fills(self) -> int:
        """Add the fill rows missing for orders whose filled quantity is more than their stored
        fills (quantity and average price from the order); the number of rows added."""
        added = 0
        for source in SOURCES:
            repo = self.store.orders(source)
            orders = [o for o in repo.all_orders() if o.filled_quantity > 0]
            if not orders:
                continue
            stored: dict[str, list[FillRecord]] = defaultdict(list)
            for fill in repo.fills():
                if fill.order_id is not None:
                    stored[fill.order_id].append(fill)
            for order in orders:
                missing = row_from_order(order, stored[order.order_id])
                if missing is not None and repo.add_fill(missing):
                    added += 1
                    log.warning(
                        "rebuilt fill %s: %d %s from order %s (its fill row was lost)",
                        missing.exec_id,
                        missing.quantity,
                        missing.instrument,
                        order.order_id,
                    )
        return added

    def snapshot(self, record: MarketSnapshotRecord) -> None:
        """Queue a market snapshot."""
        with self._lock:
            self._queue.snapshots.append(record)

    def profile(self, record: ProfileRecord) -> None:
        """Queue a session profile."""
        with self._lock:
            self._queue.profiles.append(record)

    def plan(self, record: PlanRecord) -> None:
        """Queue the day's plan (replaces the stored plan of its trade date and source)."""
        with self._lock:
            self._queue.plans.append(record)

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
                if queue.plans:
                    self.store.plans.save_plans(queue.plans)
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
                    queue.plans + self._queue.plans,
                )
            return 0
        self.last_error = None
        if queue.fills and self.journal is not None:
            try:
                self.journal.acknowledge({record.exec_id for _, record in queue.fills})
            except OSError as exc:
                log.error("fill journal %s not acknowledged: %s", self.journal.path, exc)
        count = (
            len(queue.signals)
            + len(queue.fills)
            + len(queue.snapshots)
            + len(queue.profiles)
            + len(queue.plans)
            + (queue.status is not None)
        )
        self.written += count
        return count

    async def flush_async(self) -> int:
        """`flush` without blocking the event loop: in the store's call runner within its
        deadline (0 when the store is down), else in a worker thread."""
        deadline = self.store.deadline
        if deadline is None:
            return await asyncio.to_thread(self.flush)
        try:
            return await deadline.call_async(self.flush)
        except StoreError as exc:
            self.last_error = str(exc)
            return 0

    def _call(self, fn: Callable[[], T]) -> T:
        deadline = self.store.deadline
        return fn() if deadline is None else deadline.call(fn)


class StoreSink:
    """The engine's Sink on the store for one source: records queued by a Persister."""

    def __init__(self, persister: Persister, source: str) -> None:
        self.persister = persister
        self.source = source

    def signal(
        self,
        signal_id: str,
        ts_ns: int,
        instrument: str,
        strategy: str,
        action: OrderAction,
        price_ticks: int,
        payload: dict[str, Any],
    ) -> None:
        """Queue a signal acted on or a journalled decision."""
        self.persister.signal(
            SignalRecord(
                signal_id, self.source, ts_ns, instrument, strategy, action, price_ticks, payload
            )
        )

    def fill(self, fill: Fill) -> None:
        """Store an execution (its id made unique per order)."""
        self.persister.fill(self.source, fill_record(fill))

    def executions(self, executions: Sequence[ExecutionReport]) -> None:
        """Store the rows missing for the executions the broker reported after a restart or a
        force-sync."""
        self.persister.executions(self.source, executions)

    def bar(self, view: MarketView) -> None:
        """Queue the market at a bar's close."""
        self.persister.snapshot(
            MarketSnapshotRecord(
                contract=view.contract,
                source=view.source,
                ts_ns=view.ts_ns,
                last_ticks=view.last_ticks,
                bid_ticks=view.bid_ticks,
                ask_ticks=view.ask_ticks,
                volume=view.volume,
            )
        )

    def plan(self, plan: Plan) -> None:
        """Queue the plan the node trades today."""
        self.persister.plan(
            PlanRecord(
                trade_date=plan.trade_date,
                contract=plan.contract,
                source=self.source,
                regime=plan.regime,
                bias=plan.bias,
                confidence=plan.confidence,
                created_ts_ns=time.time_ns(),
                payload=plan.to_dict(),
            )
        )

    def profile(self, prior: PriorSession, contract: str, as_of_ns: int) -> None:
        """Queue a completed RTH session's profile."""
        value = prior.profile.value_area()
        self.persister.profile(
            ProfileRecord(
                trade_date=prior.date,
                kind=PROFILE_KIND,
                contract=contract,
                source=self.source,
                row_ticks=prior.profile.row_ticks,
                as_of_ns=as_of_ns,
                poc_tick=None if value is None else value.poc_ticks,
                val_tick=None if value is None else value.val_ticks,
                vah_tick=None if value is None else value.vah_ticks,
                payload=prior.to_payload(),
            )
        )


def status_record(
    source: str,
    account: AccountSnapshot | None,
    *,
    broker_connected: bool,
    feed_connected: bool,
    connections: dict[str, str],
) -> SystemStatusRecord:
    """The system status row of a source: balances from the account, connection states."""
    return SystemStatusRecord(
        source=source,
        updated_ts_ns=time.time_ns(),
        balance_gbp=None if account is None else account.net_liquidation_gbp,
        balance_usd=None if account is None else account.net_liquidation_gbp / account.gbp_per_usd,
        usd_per_gbp=None if account is None else 1.0 / account.gbp_per_usd,
        broker_connected=broker_connected,
        feed_connected=feed_connected,
        connections=connections,
    )

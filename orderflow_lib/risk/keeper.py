"""SafetyKeeper: the current SafetyState and every write the manager makes, through the journal.

A failed write raises the fence at once (in memory, persisted as soon as the store answers):
a store that cannot record orders is a critical dependency failure. Over a TimedSafetyStore no
call waits past the deadline, and the fence also goes up as soon as the store stops answering,
written or not. A fence the store does not
take also goes to the fence file, so a crash before the store answers again cannot lose it.
Audit entries carry wall-clock time and the market clock's time separately.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from orderflow_lib.core.clock import Clock
from orderflow_lib.risk.fence_file import FenceEntry, FenceFile
from orderflow_lib.risk.journal import SafetyJournal
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.records import OrderRecord, SafetyState, SecurityEvent
from orderflow_lib.risk.timed_store import TimedSafetyStore

INTERNAL = "internal"

log = logging.getLogger(__name__)


class SafetyKeeper:
    """Holds the safety state and writes state changes, audit entries and records to the store.

    `clock` is the market clock (state times); `wall_clock` stamps audit entries.
    """

    def __init__(
        self,
        journal: SafetyJournal,
        clock: Clock,
        state: SafetyState,
        *,
        wall_clock: Clock,
        fence_file: FenceFile | None,
    ) -> None:
        self._journal = journal
        self._clock = clock
        self._wall_clock = wall_clock
        self._fence_file = fence_file
        self._file_unsettled = False
        self._state = state
        if isinstance(journal.store, TimedSafetyStore):
            journal.store.watch(self._on_store_health)

    @property
    def state(self) -> SafetyState:
        """The current state (saved, or waiting in the journal while the store fails)."""
        return self._state

    @property
    def store(self) -> SafetyStore:
        """The store written to."""
        return self._journal.store

    @property
    def degraded(self) -> bool:
        """True while some write has not reached the store."""
        return self._journal.degraded

    def recover(self) -> None:
        """Replay kept writes if there are any (the fence they raised stays on); writes the store
        refused for good are dropped and audited."""
        if self._journal.degraded:
            self._journal.flush()
        for problem in self._journal.take_refused():
            self.audit("WRITE_REFUSED", INTERNAL, f"dropped after retry: {problem}")
        if self._file_unsettled and not self._journal.degraded and self._fence_file is not None:
            try:
                self._fence_file.mark_stored()
                self._file_unsettled = False
            except OSError as exc:
                log.error("fence journal %s could not be updated: %s", self._fence_file.path, exc)

    def store_reachable(self) -> bool:
        """Replay kept writes and ping the store; a failure raises the fence and returns False."""
        self.recover()
        try:
            self._journal.store.ping()
        except Exception as exc:  # an unreachable store is a critical failure
            self.activate_fence(f"store unreachable: {type(exc).__name__}: {exc}", INTERNAL)
            return False
        return not self._journal.degraded

    def update(self, **changes: object) -> None:
        """Change state fields and save the new state."""
        self._state = replace(self._state, updated_ts_ns=self._clock.now_ns(), **changes)  # type: ignore[arg-type]
        self.save()

    def save(self) -> None:
        """Save the current state."""
        problem = self._journal.save_state(self._state)
        if problem is not None:
            self._store_failed(problem)

    def write(self, op: Callable[[], None]) -> None:
        """Run one store write; a failure is kept for replay and raises the fence."""
        problem = self._journal.write(op)
        if problem is not None:
            self._store_failed(problem)

    def try_write(self, op: Callable[[], None]) -> str | None:
        """Run one write that is dropped on failure (an order that will then not be sent)."""
        problem = self._journal.write(op, keep_on_failure=False)
        if problem is not None:
            self._store_failed(problem)
        return problem

    async def try_write_orders(self, records: list[OrderRecord]) -> str | None:
        """Write new orders before they are sent (dropped on failure, like `try_write`); over a
        TimedSafetyStore the event loop does not wait on the database."""
        store = self._journal.store
        if not isinstance(store, TimedSafetyStore):

            def write() -> None:
                for record in records:
                    store.upsert_order(record)

            return self.try_write(write)
        problem = self._journal.flush()
        if problem is None:
            try:
                await store.upsert_orders_async(records)
            except Exception as exc:  # a store failure of any kind is a critical failure
                problem = f"{type(exc).__name__}: {exc}"
        if problem is not None:
            self._store_failed(problem)
        return problem

    def audit(self, event: str, address: str, detail: str) -> None:
        """Append a security/audit entry: what changed, who or what caused it."""
        entry = self._event(event, address, detail)
        self.write(lambda: self._journal.store.record_security_event(entry))

    def activate_fence(self, reason: str, address: str) -> None:
        """Raise the trading fence (no-op when already up; the first cause is kept)."""
        if not self._state.fence_active:
            self._raise_fence(reason, address)

    def kept_fences(self) -> list[FenceEntry]:
        """Fences waiting in the fence file (from this run or an earlier one)."""
        return [] if self._fence_file is None else self._fence_file.entries()

    def store_kept_fences(self, entries: list[FenceEntry]) -> None:
        """Copy the audit entries the store does not have yet into it, then note that it has them;
        store and disk errors propagate (start-up refuses)."""
        for entry in entries:
            if not entry.stored:
                self._journal.store.record_security_event(entry.event)
        if self._fence_file is not None:
            self._fence_file.mark_stored()

    def acknowledge_kept_fences(self) -> None:
        """Empty the fence file (the operator lifted the fence; the store has every entry)."""
        if self._fence_file is not None:
            self._fence_file.acknowledge()

    def flush(self) -> None:
        """Try kept writes once more (used on close)."""
        self._journal.flush()

    def _event(self, event: str, address: str, detail: str) -> SecurityEvent:
        return SecurityEvent(
            ts_ns=self._wall_clock.now_ns(),
            event=event,
            address=address,
            detail=detail,
            market_ts_ns=self._clock.now_ns(),
        )

    def _on_store_health(self, up: bool, reason: str) -> None:
        """The store stopped answering in time: fence now, before any write notices."""
        if not up:
            self._store_failed(reason)

    def _store_failed(self, problem: str) -> None:
        """Raise the fence for a failed write; the fence and its audit entry wait in the journal."""
        if not self._state.fence_active:
            self._raise_fence(f"store write failed: {problem}", INTERNAL)

    def _raise_fence(self, reason: str, address: str) -> None:
        """Raise the fence and audit it; when either write misses the store, keep it in the file."""
        now_ns = self._clock.now_ns()
        self._state = replace(
            self._state,
            fence_active=True,
            fence_reason=reason,
            fence_ts_ns=now_ns,
            updated_ts_ns=now_ns,
        )
        entry = self._event("FENCE_ACTIVATED", address, reason)
        state_problem = self._journal.save_state(self._state)
        audit_problem = self._journal.write(
            lambda: self._journal.store.record_security_event(entry)
        )
        if (state_problem or audit_problem) is None or self._fence_file is None:
            return
        try:
            self._fence_file.append(entry)
            self._file_unsettled = True
        except OSError as exc:  # the fence stays up in memory; nothing better can be done
            log.error("fence journal %s could not be written: %s", self._fence_file.path, exc)

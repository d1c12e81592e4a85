"""SafetyKeeper: the current SafetyState and every write the manager makes, through the journal.

A failed write raises the fence at once (in memory, persisted as soon as the store answers):
a store that cannot record orders is a critical dependency failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from orderflow_lib.core.clock import Clock
from orderflow_lib.risk.journal import SafetyJournal
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.records import SafetyState, SecurityEvent

INTERNAL = "internal"


class SafetyKeeper:
    """Holds the safety state and writes state changes, audit entries and records to the store."""

    def __init__(self, journal: SafetyJournal, clock: Clock, state: SafetyState) -> None:
        self._journal = journal
        self._clock = clock
        self._state = state

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

    def audit(self, event: str, address: str, detail: str) -> None:
        """Append a security/audit entry: what changed, who or what caused it."""
        entry = SecurityEvent(
            ts_ns=self._clock.now_ns(), event=event, address=address, detail=detail
        )
        self.write(lambda: self._journal.store.record_security_event(entry))

    def activate_fence(self, reason: str, address: str) -> None:
        """Raise the trading fence (no-op when already up; the first cause is kept)."""
        if self._state.fence_active:
            return
        self.update(fence_active=True, fence_reason=reason, fence_ts_ns=self._clock.now_ns())
        self.audit("FENCE_ACTIVATED", address, reason)

    def flush(self) -> None:
        """Try kept writes once more (used on close)."""
        self._journal.flush()

    def _store_failed(self, problem: str) -> None:
        """Raise the fence for a failed write; the fence and its audit entry wait in the journal."""
        if self._state.fence_active:
            return
        now_ns = self._clock.now_ns()
        reason = f"store write failed: {problem}"
        self._state = replace(
            self._state,
            fence_active=True,
            fence_reason=reason,
            fence_ts_ns=now_ns,
            updated_ts_ns=now_ns,
        )
        self._journal.save_state(self._state)
        entry = SecurityEvent(
            ts_ns=now_ns, event="FENCE_ACTIVATED", address=INTERNAL, detail=reason
        )
        self._journal.write(lambda: self._journal.store.record_security_event(entry))

"""Write-behind journal over a SafetyStore: a failed write is kept, reported and retried in order.

The manager treats any reported failure as a critical dependency failure (it raises the fence);
the kept writes are replayed, oldest first, as soon as the store answers again. A kept write
that still fails while the store answers its ping was refused for good (e.g. a contradicting
order confirmation): it is dropped and listed in `refused` so it cannot block later writes.
"""

from __future__ import annotations

from collections.abc import Callable

from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.records import SafetyState


class SafetyJournal:
    """Serialises the manager's writes to the store and remembers those that failed."""

    def __init__(self, store: SafetyStore) -> None:
        self.store = store
        self._pending: list[Callable[[], None]] = []
        self._pending_state: SafetyState | None = None
        self.refused: list[str] = []

    @property
    def degraded(self) -> bool:
        """True while some write has not reached the store."""
        return bool(self._pending) or self._pending_state is not None

    def write(self, op: Callable[[], None], *, keep_on_failure: bool = True) -> str | None:
        """Run one write after any kept ones; return the failure message, or None on success.

        With keep_on_failure=False a failed write is dropped (used for an order that will not be sent).
        """
        problem = self.flush()
        if problem is None:
            problem = _attempt(op)
            if problem is None:
                return None
        if keep_on_failure:
            self._pending.append(op)
        return problem

    def save_state(self, state: SafetyState) -> str | None:
        """Save the newest safety state (only the latest unsaved state is kept)."""
        self._pending_state = state
        return self.flush()

    def flush(self) -> str | None:
        """Replay kept writes oldest first, then the newest state; return the first failure or None."""
        while self._pending:
            problem = _attempt(self._pending[0])
            if problem is not None and not self._refused_for_good(problem):
                return problem
            self._pending.pop(0)
        if self._pending_state is not None:
            state = self._pending_state
            problem = _attempt(lambda: self.store.save_safety_state(state))
            if problem is not None and not self._refused_for_good(problem):
                return problem
            self._pending_state = None
        return None

    def take_refused(self) -> list[str]:
        """The writes dropped as refused since the last call (for the audit log)."""
        refused, self.refused = self.refused, []
        return refused

    def _refused_for_good(self, problem: str) -> bool:
        """True (and noted) when the store answers its ping although the write failed again."""
        if _attempt(self.store.ping) is not None:
            return False
        self.refused.append(problem)
        return True


def _attempt(op: Callable[[], None]) -> str | None:
    """Run a store write; any exception means the store failed, described as text."""
    try:
        op()
    except Exception as exc:  # a store failure of any kind is a critical dependency failure
        return f"{type(exc).__name__}: {exc}"
    return None

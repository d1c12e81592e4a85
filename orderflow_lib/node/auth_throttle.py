"""Wrong keys per address and the lock-out they earn; refusals folded for the security log."""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from orderflow_lib.core.clock import Clock
from orderflow_lib.core.timeconv import NS_PER_SECOND


class FailureThrottle:
    """Per-address count of wrong keys and the lock-out they earn (a correct key is never asked).

    The `max_failures`-th wrong key within `failure_window_s` starts a lock-out of `base_delay_s`;
    every further wrong key counted in the window (only possible once a lock-out has ended)
    doubles it, up to `max_delay_s`. Attempts refused during a lock-out neither count nor extend it.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        max_failures: int = 5,
        failure_window_s: float = 60.0,
        base_delay_s: float = 1.0,
        max_delay_s: float = 300.0,
    ) -> None:
        if max_failures < 1:
            raise ValueError(f"max_failures must be >= 1, was {max_failures}")
        self._clock = clock
        self._max_failures = max_failures
        self._window_ns = int(failure_window_s * NS_PER_SECOND)
        self._base_delay_ns = int(base_delay_s * NS_PER_SECOND)
        self._max_delay_ns = int(max_delay_s * NS_PER_SECOND)
        self._failures: dict[str, deque[int]] = {}
        self._locked_until_ns: dict[str, int] = {}

    def retry_after_s(self, address: str) -> int:
        """Whole seconds until the address's lock-out ends (0 when it has none)."""
        until_ns = self._locked_until_ns.get(address)
        if until_ns is None:
            return 0
        wait_ns = until_ns - self._clock.now_ns()
        if wait_ns <= 0:
            del self._locked_until_ns[address]
            return 0
        return math.ceil(wait_ns / NS_PER_SECOND)

    def record_failure(self, address: str) -> None:
        """Count one wrong key now; from the `max_failures`-th on, it starts a lock-out."""
        now_ns = self._clock.now_ns()
        failures = self._failures.setdefault(address, deque())
        while failures and failures[0] <= now_ns - self._window_ns:
            failures.popleft()
        failures.append(now_ns)
        excess = len(failures) - self._max_failures
        if excess >= 0:
            delay_ns = min(self._base_delay_ns * 2**excess, self._max_delay_ns)
            self._locked_until_ns[address] = now_ns + delay_ns

    def record_success(self, address: str) -> None:
        """Forget the address's failures and lock-out."""
        self._failures.pop(address, None)
        self._locked_until_ns.pop(address, None)


@dataclass
class _Tally:
    first_ns: int
    detail: str
    count: int = 1


class SecurityLogBuffer:
    """Refused calls for the security log, folded into one row per address and event per minute
    (`period_s`) and written by a background task rather than in the request that was refused."""

    def __init__(
        self, write: Callable[[str, str, str], None], clock: Clock, period_s: float = 60.0
    ) -> None:
        self._write = write
        self._clock = clock
        self._period_s = period_s
        self._period_ns = int(period_s * NS_PER_SECOND)
        self._pending: dict[tuple[str, str], _Tally] = {}
        self._writer: asyncio.Task[None] | None = None

    def note(self, event: str, address: str, detail: str) -> None:
        """Count one refusal (the first of a period keeps its detail) and make sure a writer runs."""
        tally = self._pending.get((event, address))
        if tally is None:
            self._pending[(event, address)] = _Tally(self._clock.now_ns(), detail)
        else:
            tally.count += 1
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_while_pending())

    def write_due(self) -> None:
        """Write every row whose period has ended."""
        self._write_rows(self._clock.now_ns() - self._period_ns)

    def write_all(self) -> None:
        """Write every row now (when the writer stops, and for tests)."""
        self._write_rows(None)

    def _write_rows(self, started_by_ns: int | None) -> None:
        for (event, address), tally in list(self._pending.items()):
            if started_by_ns is None or tally.first_ns <= started_by_ns:
                del self._pending[(event, address)]
                detail = tally.detail
                if tally.count > 1:
                    detail += f" ({tally.count} times from this address in {self._period_s:g} s)"
                self._write(event, address, detail)

    async def _write_while_pending(self) -> None:
        try:
            while self._pending:
                oldest_ns = min(tally.first_ns for tally in self._pending.values())
                due_in_ns = oldest_ns + self._period_ns - self._clock.now_ns()
                await asyncio.sleep(max(0, due_in_ns) / NS_PER_SECOND)
                self.write_due()
        finally:
            self.write_all()

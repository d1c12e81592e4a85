"""DeadlineRunner: blocking store calls in one worker thread, each with a deadline, failing closed.

Calls run in order in one thread, so the event loop never waits on the database for longer than
the deadline. A missed deadline, or a health probe that fails, marks the store down: from then on
every call fails at once (no waiting) until the stuck call has returned and a probe answers
again. A monitor thread probes the store whenever it is idle, so a hang is noticed within about
the deadline plus one probe period even when nothing else is written. Watchers hear of each
change (on their event loop when they watch from one).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Final, TypeVar

from orderflow_lib.core.errors import StoreError

T = TypeVar("T")
Watcher = Callable[[bool, str], None]
PROBE_EVERY_S: Final = 0.1

log = logging.getLogger(__name__)


class DeadlineRunner:
    """Runs store calls with a deadline of `timeout_s`; `probe` is a cheap call such as a ping."""

    def __init__(self, timeout_s: float, probe: Callable[[], None]) -> None:
        if not timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, was {timeout_s}")
        self.timeout_s = timeout_s
        self._probe = probe
        self._calls: queue.SimpleQueue[tuple[Callable[[], object], Future[object]] | None] = (
            queue.SimpleQueue()
        )
        self._busy_since: float | None = None
        self._down: str | None = None
        self._probing: Future[object] | None = None
        self._watchers: list[tuple[Watcher, asyncio.AbstractEventLoop | None]] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._worker = threading.Thread(target=self._work, name="store-calls", daemon=True)
        self._monitor = threading.Thread(target=self._watch, name="store-monitor", daemon=True)
        self._worker.start()
        self._monitor.start()

    @property
    def down(self) -> str | None:
        """Why the store is taken as down, or None while it answers in time."""
        return self._down

    def watch(self, watcher: Watcher) -> None:
        """Call `watcher(up, reason)` on every change (on the running loop, if there is one)."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._lock:
            self._watchers.append((watcher, loop))

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn` in the worker and wait at most the deadline; StoreError when the store is down
        or the deadline passes (the store is then down)."""
        future = self._submit(fn)
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            future.cancel()
            raise StoreError(self._missed()) from None

    async def call_async(self, fn: Callable[[], T]) -> T:
        """`call` without blocking the event loop."""
        future = self._submit(fn)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
        except TimeoutError:
            raise StoreError(self._missed()) from None

    def close(self) -> None:
        """Stop the threads (a call still stuck in the database is left to finish on its own)."""
        self._closed.set()
        self._calls.put(None)

    def _submit(self, fn: Callable[[], T]) -> Future[T]:
        reason = self._down
        if reason is not None:
            raise StoreError(f"the store is down ({reason}); waiting for it to answer again")
        if self._closed.is_set():
            raise StoreError("the store's call runner is closed")
        future: Future[T] = Future()
        self._calls.put((fn, future))  # type: ignore[arg-type]
        return future

    def _missed(self) -> str:
        reason = f"the store did not answer within {self.timeout_s * 1000:.0f} ms"
        self._set_down(reason)
        return reason

    def _work(self) -> None:
        while True:
            item = self._calls.get()
            if item is None:
                return
            fn, future = item
            if not future.set_running_or_notify_cancel():
                continue
            self._busy_since = time.monotonic()
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller, whatever it is
                future.set_exception(exc)
            finally:
                self._busy_since = None

    def _watch(self) -> None:
        while not self._closed.wait(PROBE_EVERY_S):
            busy = self._busy_since
            if busy is not None and time.monotonic() - busy > self.timeout_s:
                self._set_down(f"the store did not answer within {self.timeout_s * 1000:.0f} ms")
                continue
            probing = self._probing
            if probing is not None and not probing.done():
                continue
            if probing is not None:
                self._probing = None
                problem = probing.exception()
                if problem is not None:
                    self._set_down(f"the store failed its health check: {problem}")
                    continue
                if self._down is not None:
                    self._set_up()
                continue
            if busy is None:
                probe: Future[object] = Future()
                self._calls.put((self._probe, probe))
                self._probing = probe

    def _set_down(self, reason: str) -> None:
        with self._lock:
            if self._down is not None:
                return
            self._down = reason
            watchers = list(self._watchers)
        log.error("store down: %s", reason)
        _tell(watchers, False, reason)

    def _set_up(self) -> None:
        with self._lock:
            reason, self._down = self._down, None
            watchers = list(self._watchers)
        log.warning("store answers again (was down: %s)", reason)
        _tell(watchers, True, f"answers again after: {reason}")


def _tell(
    watchers: list[tuple[Watcher, asyncio.AbstractEventLoop | None]], up: bool, why: str
) -> None:
    for watcher, loop in watchers:
        if loop is None:
            watcher(up, why)
        else:
            try:
                loop.call_soon_threadsafe(watcher, up, why)
            except RuntimeError:  # the loop closed meanwhile: nobody is left to tell
                continue

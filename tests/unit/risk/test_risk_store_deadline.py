"""A store that hangs: every call has a deadline, the gate fences at once and denies with
STORE_FAILURE, the event loop keeps running, nothing reaches the venue, and the fence stays up
after the store answers again until an operator lifts it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from risk_fakes import AUTH_KEY, RecordingVenue, intent, make_manager

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.errors import StoreError
from orderflow_lib.risk.checks import DenialReason
from orderflow_lib.risk.deadline import DeadlineRunner
from orderflow_lib.risk.memory_store import InMemorySafetyStore
from orderflow_lib.risk.timed_store import TimedSafetyStore

TIMEOUT_S = 0.2


class HangingStore:
    """An InMemorySafetyStore whose calls block while `release` is not set (a paused database)."""

    def __init__(self) -> None:
        self.inner = InMemorySafetyStore()
        self.release = threading.Event()
        self.release.set()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        target = getattr(self.inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.release.wait()
            return target(*args, **kwargs)

        return call


@pytest.fixture
def hanging() -> Iterator[HangingStore]:
    store = HangingStore()
    yield store
    store.release.set()


@pytest.fixture
def runner(hanging: HangingStore) -> Iterator[DeadlineRunner]:
    runner = DeadlineRunner(TIMEOUT_S, hanging.ping)
    yield runner
    runner.close()


def test_runner_when_call_hangs_then_fails_within_deadline_and_later_calls_fail_at_once(
    hanging: HangingStore, runner: DeadlineRunner
):
    hanging.release.clear()
    started = time.monotonic()
    with pytest.raises(StoreError, match="did not answer within 200 ms"):
        runner.call(hanging.ping)
    assert time.monotonic() - started < TIMEOUT_S + 0.2
    assert runner.down is not None
    started = time.monotonic()
    with pytest.raises(StoreError, match="the store is down"):
        runner.call(hanging.ping)
    assert time.monotonic() - started < 0.05


def test_runner_when_store_answers_again_then_up_after_a_probe(
    hanging: HangingStore, runner: DeadlineRunner
):
    hanging.release.clear()
    with pytest.raises(StoreError):
        runner.call(hanging.ping)
    hanging.release.set()
    deadline = time.monotonic() + 2
    while runner.down is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert runner.down is None
    runner.call(hanging.ping)


def test_runner_when_idle_store_hangs_then_watchers_hear_it_without_any_call(
    hanging: HangingStore, runner: DeadlineRunner
):
    heard: list[tuple[bool, str]] = []
    runner.watch(lambda up, why: heard.append((up, why)))
    hanging.release.clear()
    deadline = time.monotonic() + 2
    while not heard and time.monotonic() < deadline:
        time.sleep(0.02)
    assert heard and heard[0][0] is False


async def test_submit_when_store_hangs_then_denied_fenced_loop_alive_and_nothing_sent(
    hanging: HangingStore, runner: DeadlineRunner, tmp_path: Path
):
    clock = ReplayClock(intent().ts_ns)
    venue = RecordingVenue(clock)
    manager = await make_manager(TimedSafetyStore(hanging, runner), clock, venue=venue)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    hanging.release.clear()
    started = time.monotonic()
    result = await manager.submit(intent("during-hang"))
    took = time.monotonic() - started
    stop.set()
    await task

    assert not result.accepted
    assert result.reason == DenialReason.STORE_FAILURE.value
    assert took < TIMEOUT_S + 0.3
    assert ticks >= 5
    assert manager.state.fence_active
    assert venue.placed == []


async def test_fence_when_idle_store_hangs_then_raised_within_a_second(
    hanging: HangingStore, runner: DeadlineRunner
):
    clock = ReplayClock(intent().ts_ns)
    manager = await make_manager(
        TimedSafetyStore(hanging, runner), clock, venue=RecordingVenue(clock)
    )
    hanging.release.clear()
    started = time.monotonic()
    while not manager.state.fence_active and time.monotonic() - started < 2:
        await asyncio.sleep(0.01)
    assert manager.state.fence_active
    assert time.monotonic() - started < 1.0


async def test_fence_when_store_recovers_then_stays_until_operator_lifts_it(
    hanging: HangingStore, runner: DeadlineRunner
):
    clock = ReplayClock(intent().ts_ns)
    venue = RecordingVenue(clock)
    manager = await make_manager(TimedSafetyStore(hanging, runner), clock, venue=venue)
    hanging.release.clear()
    await manager.submit(intent("during-hang"))
    hanging.release.set()
    deadline = time.monotonic() + 2
    while runner.down is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.02)

    refused = await manager.submit(intent("after-recovery"))
    assert not refused.accepted and refused.reason == DenialReason.FENCE_ACTIVE.value
    manager.deactivate_fence(AUTH_KEY, address="127.0.0.1")
    accepted = await manager.submit(intent("after-lift"))

    assert accepted.accepted
    assert [o.signal_id for o in venue.placed] == ["after-lift"]
    assert hanging.inner.load_safety_state().fence_active is False

"""The control API's parts on their own: the wrong-key throttle, the security-log buffer (one
row per address and event per minute, written by a background task) and reason cleaning."""

from __future__ import annotations

import asyncio

import pytest

from orderflow_lib.core.clock import LiveClock, ReplayClock
from orderflow_lib.node.api_models import plain_text
from orderflow_lib.node.auth_throttle import FailureThrottle, SecurityLogBuffer


def _throttle(clock: ReplayClock, **kwargs) -> FailureThrottle:
    return FailureThrottle(clock, **{"max_failures": 3, "base_delay_s": 10.0, **kwargs})


def test_throttle_when_below_max_failures_then_no_wait():
    throttle = _throttle(ReplayClock(0))
    for _ in range(2):
        throttle.record_failure("a")
    assert throttle.retry_after_s("a") == 0


def test_throttle_when_max_failures_reached_then_wait_counts_down_to_zero():
    clock = ReplayClock(0)
    throttle = _throttle(clock)
    for _ in range(3):
        throttle.record_failure("a")
    waits = []
    for _ in range(3):
        waits.append(throttle.retry_after_s("a"))
        clock.advance_s(3.5)
    assert waits == [10, 7, 3]
    assert throttle.retry_after_s("a") == 0


def test_throttle_when_failures_after_each_lockout_then_delay_doubles_up_to_max():
    clock = ReplayClock(0)
    throttle = _throttle(clock, failure_window_s=3600.0, max_delay_s=35.0)
    for _ in range(3):
        throttle.record_failure("a")
    delays = []
    for _ in range(4):
        delay = throttle.retry_after_s("a")
        delays.append(delay)
        clock.advance_s(delay)
        throttle.record_failure("a")
    assert delays == [10, 20, 35, 35]


def test_throttle_when_success_then_lockout_and_failures_forgotten():
    throttle = _throttle(ReplayClock(0))
    for _ in range(3):
        throttle.record_failure("a")
    throttle.record_success("a")
    throttle.record_failure("a")
    assert throttle.retry_after_s("a") == 0


def test_throttle_when_max_failures_below_one_then_refused():
    with pytest.raises(ValueError, match="max_failures must be >= 1, was 0"):
        FailureThrottle(ReplayClock(0), max_failures=0)


class Rows:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []

    def __call__(self, event: str, address: str, detail: str) -> None:
        self.rows.append((event, address, detail))


async def test_security_log_when_repeats_then_one_row_per_address_and_event_after_the_minute():
    clock = ReplayClock(0)
    rows = Rows()
    log = SecurityLogBuffer(rows, clock)
    for _ in range(3):
        log.note("AUTH_FAILED", "10.0.0.1", "/x: wrong key")
    log.note("AUTH_FAILED", "10.0.0.2", "/x: missing key")
    log.note("AUTH_THROTTLED", "10.0.0.1", "/x: retry in 5s")
    clock.advance_s(59)
    log.write_due()
    assert rows.rows == []
    clock.advance_s(1)
    log.write_due()
    assert sorted(rows.rows) == [
        ("AUTH_FAILED", "10.0.0.1", "/x: wrong key (3 times from this address in 60 s)"),
        ("AUTH_FAILED", "10.0.0.2", "/x: missing key"),
        ("AUTH_THROTTLED", "10.0.0.1", "/x: retry in 5s"),
    ]


async def test_security_log_when_period_passes_then_background_task_writes_without_being_asked():
    rows = Rows()
    log = SecurityLogBuffer(rows, LiveClock(), period_s=0.05)
    log.note("AUTH_FAILED", "10.0.0.1", "/x: wrong key")
    log.note("AUTH_FAILED", "10.0.0.1", "/x: wrong key")
    assert rows.rows == []
    await asyncio.sleep(0.3)
    assert rows.rows == [
        ("AUTH_FAILED", "10.0.0.1", "/x: wrong key (2 times from this address in 0.05 s)")
    ]


async def test_security_log_when_writer_cancelled_then_pending_rows_written():
    rows = Rows()
    log = SecurityLogBuffer(rows, ReplayClock(0))
    log.note("AUTH_FAILED", "10.0.0.1", "/x: wrong key")
    writer = asyncio.all_tasks() - {asyncio.current_task()}
    await asyncio.sleep(0)
    for task in writer:
        task.cancel()
    await asyncio.gather(*writer, return_exceptions=True)
    assert rows.rows == [("AUTH_FAILED", "10.0.0.1", "/x: wrong key")]


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("FOMC", "FOMC"),
        ("a\x00b\x1bc\x7fd", "abcd"),
        ("line one\r\nline two\ttab", "line one line two tab"),
        ("x\u2028y\u202ez\u200b", "x yz"),
        ("  padded  ", "padded"),
        ("£ and € stay", "£ and € stay"),
    ],
)
def test_plain_text_when_control_or_invisible_characters_then_removed(text, cleaned):
    assert plain_text(text) == cleaned

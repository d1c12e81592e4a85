"""Clocks: the replay clock moves only when told and never backwards."""

import pytest

from orderflow_lib.core import ClockError, LiveClock, ReplayClock


def test_replay_clock_when_not_moved_then_time_stands_still():
    clock = ReplayClock(1_000)
    assert clock.now_ns() == 1_000
    assert clock.now_ns() == 1_000


def test_replay_clock_when_advanced_then_moves_by_exact_nanoseconds():
    clock = ReplayClock(0)
    clock.advance_ns(5)
    clock.advance_s(1.5)
    assert clock.now_ns() == 1_500_000_005


def test_replay_clock_when_set_backwards_then_refused_and_time_kept():
    clock = ReplayClock(10)
    with pytest.raises(ClockError, match="backwards"):
        clock.set_ns(9)
    assert clock.now_ns() == 10


def test_replay_clock_when_negative_advance_then_refused():
    clock = ReplayClock(10)
    with pytest.raises(ClockError, match="delta_ns must be >= 0"):
        clock.advance_ns(-1)
    assert clock.now_ns() == 10


def test_live_clock_reads_increasing_wall_time():
    clock = LiveClock()
    first = clock.now_ns()
    assert clock.now_ns() >= first > 1_600_000_000 * 10**9

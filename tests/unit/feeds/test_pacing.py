"""Pacing at 1x, 10x and max speed, fast-forward, compressed gaps and speed parsing."""

from __future__ import annotations

import numpy as np
import pytest
from feeds_support import FakeWall

from orderflow_lib.core.errors import DataError
from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.feeds.events import empty_events
from orderflow_lib.feeds.pacing import Pacer, paced_batches, parse_speed


def _events(seconds: list[float]) -> np.ndarray:
    events = empty_events(len(seconds))
    events["ts_ns"] = [int(s * NS_PER_SECOND) for s in seconds]
    events["kind"] = 1
    events["size"] = 1
    return events


async def _collect(chunks, pacer, wall, max_batch=100):
    out = []
    async for batch in paced_batches(chunks, pacer, max_batch=max_batch, sleep=wall.sleep):
        out.append((wall.now, batch["ts_ns"].tolist()))
    return out


@pytest.mark.parametrize(
    ("text", "speed"), [("max", None), ("MAX", None), ("1", 1.0), ("10", 10.0), (None, None)]
)
def test_parse_speed_when_valid_then_number_or_none(text, speed):
    assert parse_speed(text) == speed


@pytest.mark.parametrize("text", ["0", "-1", "fast", "inf"])
def test_parse_speed_when_invalid_then_error_names_it(text):
    with pytest.raises(DataError, match=repr(text)):
        parse_speed(text)


async def test_paced_when_max_speed_then_everything_at_once_in_max_batch_slices():
    wall = FakeWall()
    out = await _collect(
        [_events([0, 5, 10, 15, 20])], Pacer(None, wall_ns=wall), wall, max_batch=2
    )

    assert [b for _, b in out] == [
        [0, 5 * NS_PER_SECOND],
        [10 * NS_PER_SECOND, 15 * NS_PER_SECOND],
        [20 * NS_PER_SECOND],
    ]
    assert sum(wall.sleeps) == 0


async def test_paced_when_speed_ten_then_ten_seconds_of_events_per_wall_second():
    wall = FakeWall()
    start = wall.now

    out = await _collect([_events([0, 10, 20])], Pacer(10.0, wall_ns=wall), wall)

    released_after_s = [(t - start) / NS_PER_SECOND for t, _ in out]
    assert released_after_s == pytest.approx([0.0, 1.0, 2.0], abs=0.26)
    assert [b for _, b in out] == [[0], [10 * NS_PER_SECOND], [20 * NS_PER_SECOND]]


async def test_paced_when_fast_forward_then_earlier_events_released_at_once():
    wall = FakeWall()
    start = wall.now
    pacer = Pacer(1.0, fast_forward_to_ns=100 * NS_PER_SECOND, wall_ns=wall)

    out = await _collect([_events([0, 50, 100, 101])], pacer, wall)

    assert out[0][1] == [0, 50 * NS_PER_SECOND]
    assert out[1] == (start, [100 * NS_PER_SECOND])
    assert out[-1][1] == [101 * NS_PER_SECOND]
    assert (out[-1][0] - start) / NS_PER_SECOND == pytest.approx(1.0, abs=0.26)


async def test_paced_when_gap_longer_than_max_wait_then_wait_is_capped():
    wall = FakeWall()
    start = wall.now
    pacer = Pacer(1.0, max_wait_s=2.0, wall_ns=wall)

    out = await _collect([_events([0, 3600])], pacer, wall)

    assert (out[-1][0] - start) / NS_PER_SECOND == pytest.approx(2.0, abs=0.26)


async def test_paced_when_times_go_backwards_then_running_maximum_paces_and_order_is_kept():
    wall = FakeWall()
    out = await _collect([_events([0, 2, 1, 3])], Pacer(1.0, wall_ns=wall), wall)

    released = [ts for _, batch in out for ts in batch]
    assert released == [0, 2 * NS_PER_SECOND, 1 * NS_PER_SECOND, 3 * NS_PER_SECOND]


def test_pacer_when_speed_not_positive_then_refused():
    with pytest.raises(DataError, match="speed must be > 0"):
        Pacer(0.0)

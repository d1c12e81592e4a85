"""The state hub conflates snapshots per viewer, never drops events and never waits for a viewer."""

import asyncio

import pytest

from orderflow_lib.node.stream import SlowViewerError, StateHub


async def _collect(hub: StateHub, received: list, delay_s: float = 0.0) -> None:
    async def send(message):
        received.append(message)
        await asyncio.sleep(delay_s)

    await hub.serve(send)


async def test_hub_when_snapshots_arrive_faster_than_rate_then_viewer_gets_newest_only():
    hub = StateHub(max_hz=20)
    received: list = []
    task = asyncio.create_task(_collect(hub, received))
    await asyncio.sleep(0.01)
    for i in range(500):
        hub.publish_snapshot({"last": i})
    await asyncio.sleep(0.2)
    task.cancel()
    snapshots = [m["snapshot"]["last"] for m in received if m.get("snapshot")]
    assert snapshots[-1] == 499
    assert len(received) < 10


async def test_hub_when_events_published_then_every_event_arrives_in_order():
    hub = StateHub(max_hz=50)
    received: list = []
    task = asyncio.create_task(_collect(hub, received, delay_s=0.01))
    await asyncio.sleep(0.01)
    for i in range(300):
        hub.publish_event({"kind": "signal", "n": i})
        hub.publish_snapshot({"last": i})
    await asyncio.sleep(0.3)
    task.cancel()
    events = [e["n"] for m in received for e in m["events"]]
    assert events == list(range(300))
    seqs = [m["seq"] for m in received]
    assert seqs == sorted(seqs)


async def test_hub_when_viewer_is_stuck_then_publisher_is_not_blocked():
    hub = StateHub(max_hz=100)
    gate = asyncio.Event()

    async def stuck_send(message):
        await gate.wait()

    task = asyncio.create_task(hub.serve(stuck_send))
    await asyncio.sleep(0.01)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for i in range(10_000):
        hub.publish_snapshot({"last": i})
    assert loop.time() - started < 1.0
    assert hub.latest()["snapshot"] == {"last": 9_999}
    task.cancel()


async def test_hub_when_viewer_joins_late_then_gets_full_snapshot_and_recent_events():
    hub = StateHub(max_hz=50, history=3)
    for i in range(5):
        hub.publish_event({"n": i})
    hub.publish_snapshot({"last": 42})
    received: list = []
    task = asyncio.create_task(_collect(hub, received))
    await asyncio.sleep(0.05)
    task.cancel()
    first = received[0]
    assert first["snapshot"] == {"last": 42}
    assert [e["n"] for e in first["events"]] == [2, 3, 4]
    assert first["seq"] == 6


async def test_hub_when_backlog_exceeds_limit_then_viewer_disconnected_and_others_unaffected():
    hub = StateHub(max_hz=100, max_backlog=5)
    gate = asyncio.Event()

    async def stuck_send(message):
        await gate.wait()

    stuck = asyncio.create_task(hub.serve(stuck_send))
    await asyncio.sleep(0.01)
    for i in range(10):
        hub.publish_event({"n": i})
    gate.set()
    with pytest.raises(SlowViewerError, match="fell behind"):
        await asyncio.wait_for(stuck, 1.0)
    assert hub.viewers == 0


def test_hub_rejects_non_positive_rate():
    with pytest.raises(ValueError, match="max_hz must be > 0, was 0"):
        StateHub(max_hz=0)

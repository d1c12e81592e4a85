"""The live loop and the Voila watchdog: asyncio with in-memory stand-ins."""

import asyncio
from typing import Any

import httpx

from orderflow_lib.ui.live import LiveLoop
from orderflow_lib.ui.watchdog import KernelWatchdog, voila_kernel_url


class RecordingView:
    """Records what the live loop asks it to draw."""

    def __init__(self) -> None:
        self.callbacks: list[Any] = []
        self.states: list[tuple[Any, list]] = []
        self.disconnections: list[str] = []
        self.problems: list[str] = []

    def on_first_view(self, callback: Any) -> None:
        self.callbacks.append(callback)

    def viewed(self) -> None:
        for callback in self.callbacks:
            callback()

    def show_state(self, snapshot, events) -> None:
        self.states.append((snapshot, events))

    def show_disconnected(self, reason: str) -> None:
        self.disconnections.append(reason)

    def show_problem(self, message: str) -> None:
        self.problems.append(message)


class ScriptedClient:
    """A node client whose stream yields the given messages, then waits."""

    def __init__(self, messages: list[dict], pause_s: float = 0.0) -> None:
        self.messages = messages
        self.pause_s = pause_s
        self.streams = 0

    async def stream(self, reconnect_s: float = 1.0):
        self.streams += 1
        for message in self.messages:
            yield message
            if self.pause_s:
                await asyncio.sleep(self.pause_s)
        await asyncio.Event().wait()


async def _settle(loop: LiveLoop, until, timeout_s: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not until() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)


async def test_live_loop_when_page_never_viewed_then_node_not_contacted():
    view = RecordingView()
    client = ScriptedClient([{"type": "state", "seq": 1, "snapshot": {"n": 1}, "events": []}])
    loop = LiveLoop(view, client)  # type: ignore[arg-type]
    loop.start()
    await asyncio.sleep(0.05)
    assert client.streams == 0 and view.states == []
    loop.stop()


async def test_live_loop_when_viewed_then_states_drawn():
    view = RecordingView()
    client = ScriptedClient([{"type": "state", "seq": 1, "snapshot": {"n": 1}, "events": []}])
    loop = LiveLoop(view, client)  # type: ignore[arg-type]
    loop.start()
    view.viewed()
    await _settle(loop, lambda: view.states)
    assert view.states == [({"n": 1}, [])]
    loop.stop()


async def test_live_loop_when_messages_arrive_in_a_burst_then_newest_snapshot_and_every_event():
    view = RecordingView()
    messages = [
        {
            "type": "state",
            "seq": i,
            "snapshot": {"n": i},
            "events": [{"kind": "signal", "id": str(i)}],
        }
        for i in range(20)
    ]
    client = ScriptedClient(messages)
    loop = LiveLoop(view, client)  # type: ignore[arg-type]
    loop.start()
    view.viewed()
    await _settle(loop, lambda: view.states and view.states[-1][0] == {"n": 19})
    drawn_events = [e["id"] for _, events in view.states for e in events]
    assert drawn_events == [str(i) for i in range(20)]
    assert len(view.states) < 20
    loop.stop()


async def test_live_loop_when_no_node_then_view_told_and_later_state_clears_it():
    view = RecordingView()
    client = ScriptedClient(
        [
            {"type": "disconnected", "reason": "no node at http://x"},
            {"type": "state", "seq": 1, "snapshot": {"n": 1}, "events": []},
        ],
        pause_s=0.05,
    )
    loop = LiveLoop(view, client)  # type: ignore[arg-type]
    loop.start()
    view.viewed()
    await _settle(loop, lambda: view.states)
    assert view.disconnections == ["no node at http://x"]
    assert view.states == [({"n": 1}, [])]
    loop.stop()
    await asyncio.sleep(0)
    assert not loop.running


async def test_live_loop_when_draw_fails_then_problem_shown_and_loop_keeps_drawing():
    class FailingOnce(RecordingView):
        def show_state(self, snapshot, events):
            if snapshot == {"n": 0}:
                raise ValueError("bad snapshot")
            super().show_state(snapshot, events)

    view = FailingOnce()
    client = ScriptedClient(
        [{"type": "state", "seq": i, "snapshot": {"n": i}, "events": []} for i in range(2)],
        pause_s=0.05,
    )
    loop = LiveLoop(view, client)  # type: ignore[arg-type]
    loop.start()
    view.viewed()
    await _settle(loop, lambda: view.states)
    assert view.problems == ["ValueError: bad snapshot"]
    assert view.states == [({"n": 1}, [])]
    loop.stop()


def test_voila_kernel_url_when_under_voila_then_local_kernel_address():
    env = {"VOILA_APP_PORT": "8866", "VOILA_BASE_URL": "/"}
    assert voila_kernel_url("abc", env) == "http://127.0.0.1:8866/api/kernels/abc"


def test_voila_kernel_url_when_outside_voila_then_none():
    assert voila_kernel_url("abc", {}) is None
    assert voila_kernel_url(None, {"VOILA_APP_PORT": "8866"}) is None


async def test_watchdog_when_page_connected_then_keeps_streaming():
    orphaned: list[int] = []
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"connections": 1}))
    dog = KernelWatchdog(
        "http://voila/api/kernels/k", lambda: orphaned.append(1), 0.05, 0.01, transport
    )
    task = asyncio.create_task(dog.run())
    await asyncio.sleep(0.15)
    assert orphaned == [] and not dog.orphaned
    task.cancel()


async def test_watchdog_when_page_gone_for_grace_then_orphaned_called_once():
    answers = iter([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, json={"connections": next(answers, 0)})
    )
    orphaned: list[int] = []
    dog = KernelWatchdog(
        "http://voila/api/kernels/k", lambda: orphaned.append(1), 0.03, 0.01, transport
    )
    await asyncio.wait_for(dog.run(), timeout=2)
    assert orphaned == [1] and dog.orphaned


async def test_watchdog_when_kernel_unknown_to_voila_then_counts_as_alone():
    transport = httpx.MockTransport(
        lambda request: httpx.Response(404, json={"message": "no kernel"})
    )
    orphaned: list[int] = []
    dog = KernelWatchdog(
        "http://voila/api/kernels/k", lambda: orphaned.append(1), 0.0, 0.01, transport
    )
    await asyncio.wait_for(dog.run(), timeout=2)
    assert orphaned == [1]

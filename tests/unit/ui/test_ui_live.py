"""The live loop, the fence request, the Voila watchdog: asyncio with in-memory stand-ins."""

import asyncio
from typing import Any

import httpx

from orderflow_lib.node.client import NodeUnavailableError
from orderflow_lib.ui.live import LiveLoop, deactivate_fence
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


class AnsweringClient:
    """A node client whose fence request answers with a fixed response or raises."""

    def __init__(self, response: httpx.Response | None) -> None:
        self.response = response
        self.keys: list[str] = []

    async def deactivate_fence(self, key: str, reason: str = "") -> httpx.Response:
        self.keys.append(key)
        if self.response is None:
            raise NodeUnavailableError("no node at http://127.0.0.1:8765")
        return self.response


async def test_deactivate_fence_when_wrong_key_then_refusal_in_words():
    client = AnsweringClient(httpx.Response(401, json={"detail": "wrong x-safety-auth-key header"}))
    answer = await deactivate_fence(client, "bad")  # type: ignore[arg-type]
    assert (answer.status, answer.accepted) == (401, False)
    assert answer.detail == "refused: wrong x-safety-auth-key header"


async def test_deactivate_fence_when_right_key_then_lifted():
    client = AnsweringClient(httpx.Response(200, json={"fence_active": False, "fence_reason": ""}))
    answer = await deactivate_fence(client, "k" * 32)  # type: ignore[arg-type]
    assert answer.accepted and answer.detail == "fence lifted"


async def test_deactivate_fence_when_refused_in_state_then_reason_shown():
    client = AnsweringClient(httpx.Response(409, json={"detail": "broker disconnected"}))
    answer = await deactivate_fence(client, "k" * 32)  # type: ignore[arg-type]
    assert answer.detail == "refused in the current state: broker disconnected"


async def test_deactivate_fence_when_throttled_then_lockout_shown():
    client = AnsweringClient(httpx.Response(429, json={"detail": "retry after 4 s"}))
    answer = await deactivate_fence(client, "x")  # type: ignore[arg-type]
    assert answer.status == 429 and "retry after 4 s" in answer.detail


async def test_deactivate_fence_when_no_node_then_no_answer_not_an_exception():
    answer = await deactivate_fence(AnsweringClient(None), "x")  # type: ignore[arg-type]
    assert answer.status is None and "no node" in answer.detail


async def test_deactivate_fence_when_body_not_json_then_text_shown():
    client = AnsweringClient(httpx.Response(502, text="bad gateway"))
    answer = await deactivate_fence(client, "x")  # type: ignore[arg-type]
    assert answer.detail == "unexpected answer 502: bad gateway"


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

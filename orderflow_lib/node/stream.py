"""The state stream hub: conflated snapshots per viewer, events never dropped, publisher never blocked.

The trading loop calls `publish_snapshot` and `publish_event` synchronously; each connected viewer
has its own outbox holding only the newest unsent snapshot plus every event since its last send.
A sender task per viewer drains its outbox at most `max_hz` times a second, so a slow viewer only
ever slows itself down.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class _Outbox:
    """What one viewer has not been sent yet."""

    snapshot: Message | None = None
    events: list[Message] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    overflowed: bool = False


class SlowViewerError(Exception):
    """A viewer fell so far behind that its event backlog exceeded the limit; it is disconnected."""


class StateHub:
    """Fans node snapshots and events out to viewers without ever waiting for them."""

    def __init__(self, max_hz: float = 5.0, history: int = 200, max_backlog: int = 10_000) -> None:
        if max_hz <= 0:
            raise ValueError(f"max_hz must be > 0, was {max_hz}")
        self._min_interval_s = 1.0 / max_hz
        self._seq = 0
        self._snapshot: Message = {}
        self._history: deque[Message] = deque(maxlen=history)
        self._outboxes: dict[int, _Outbox] = {}
        self._max_backlog = max_backlog
        self._next_id = 0

    @property
    def seq(self) -> int:
        """Sequence number of the newest snapshot or event published."""
        return self._seq

    @property
    def viewers(self) -> int:
        """Number of viewers attached now."""
        return len(self._outboxes)

    def latest(self) -> Message:
        """The newest snapshot with its sequence number (for `GET /api/state`)."""
        return {"seq": self._seq, "snapshot": self._snapshot}

    def recent_events(self) -> list[Message]:
        """The newest events kept for viewers that join late."""
        return list(self._history)

    def publish_snapshot(self, snapshot: Message) -> None:
        """Replace the newest snapshot; viewers that have not sent the previous one skip it."""
        self._seq += 1
        self._snapshot = snapshot
        for box in self._outboxes.values():
            box.snapshot = snapshot
            box.wake.set()

    def publish_event(self, event: Message) -> None:
        """Queue an event (a signal, a fill, a gate change) for every viewer; events are never conflated."""
        self._seq += 1
        stamped = {**event, "seq": self._seq}
        self._history.append(stamped)
        for box in self._outboxes.values():
            if len(box.events) >= self._max_backlog:
                box.overflowed = True
            else:
                box.events.append(stamped)
            box.wake.set()

    async def serve(self, send: Send) -> None:
        """Send a full snapshot and recent events, then updates, until `send` fails or the task is cancelled."""
        viewer_id = self._next_id
        self._next_id += 1
        box = _Outbox(snapshot=self._snapshot, events=list(self._history))
        box.wake.set()
        self._outboxes[viewer_id] = box
        loop = asyncio.get_running_loop()
        try:
            while True:
                await box.wake.wait()
                if box.overflowed:
                    raise SlowViewerError(
                        f"viewer {viewer_id} fell behind by {self._max_backlog} events"
                    )
                box.wake.clear()
                message: Message = {"type": "state", "seq": self._seq, "events": box.events}
                if box.snapshot is not None:
                    message["snapshot"] = box.snapshot
                box.snapshot, box.events = None, []
                started = loop.time()
                await send(message)
                await asyncio.sleep(max(0.0, self._min_interval_s - (loop.time() - started)))
        finally:
            del self._outboxes[viewer_id]

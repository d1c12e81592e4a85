"""The real node (`orderflow_lib.node.run.serve`) on the synthetic market, run in a background thread.

Its store and data live in a temporary folder; the safety key is fixed so tests can lift the fence.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
import time
from datetime import time as clock_time
from pathlib import Path

from orderflow_lib.core.config import Settings
from orderflow_lib.node.run import NodeOptions, serve

KEY = "node-test-key-" + "k" * 32


class RealNode:
    """`serve()` of the real node in its own event loop and thread; `stop()` cancels it cleanly."""

    def __init__(
        self, data_dir: Path, speed: float = 60.0, start_at: clock_time | None = None
    ) -> None:
        self.settings = Settings(
            data_dir=str(data_dir), database_url=f"sqlite:///{data_dir}/orderflow.sqlite"
        )
        self.options = NodeOptions(mode="synthetic", speed=speed, port=0, start_at=start_at)
        self.out = io.StringIO()
        self.urls: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.task: asyncio.Task | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        """The node's base URL."""
        return self.urls[0]

    def _run(self) -> None:
        self.task = self.loop.create_task(
            serve(
                self.settings,
                self.options,
                environ={"SAFETY_AUTH_KEY": KEY},
                out=self.out,
                started=self.urls.append,
            )
        )
        with contextlib.suppress(asyncio.CancelledError):
            self.loop.run_until_complete(self.task)
        self.loop.close()

    def start(self, timeout_s: float = 30.0) -> RealNode:
        """Start and wait until it serves."""
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.urls:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the node did not start: {self.out.getvalue()}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Cancel the node (its `finally` closes node, server and store) and wait for the thread."""
        if self.task is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(timeout=15)

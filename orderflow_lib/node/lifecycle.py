"""The node's run marker: a file that exists while a node trades a source, so the next start knows
whether the previous run stopped cleanly (a crash or kill -9 leaves it behind) and starts fenced
when it did not: orders and positions may have moved while nobody watched.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from orderflow_lib.risk import ProductionSafetyManager
from orderflow_lib.risk.fence_file import sync_folder, write_atomically


def run_marker_path(data_dir: str | os.PathLike[str], source: str) -> Path:
    """Where the run marker of `source` (synthetic, replay or live) lives under the data folder."""
    return Path(data_dir) / f"node_running_{source}.json"


class RunMarker:
    """The marker file at `path`: created when a run starts, removed when it stops cleanly."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def left_behind(self) -> str | None:
        """A description of the run that left the marker (it did not stop cleanly), or None."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"an earlier run (its marker {self.path} is unreadable: {exc})"
        try:
            found = json.loads(text)
            return f"the run of process {found['pid']} started at {found['started_utc']}"
        except (ValueError, TypeError, KeyError):
            return f"an earlier run (its marker {self.path} is damaged)"

    def create(self) -> None:
        """Mark this run as started (process id and wall-clock start time, for the next reader)."""
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        write_atomically(self.path, json.dumps({"pid": os.getpid(), "started_utc": started}))

    def remove(self) -> None:
        """Mark this run as stopped cleanly (call after the safety manager is closed)."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return
        sync_folder(self.path.parent)


def begin_run(
    manager: ProductionSafetyManager, data_dir: str | os.PathLike[str], source: str
) -> RunMarker:
    """At node start, once the safety manager of `source` is ready: raise its fence when the
    previous run did not stop cleanly, then mark this run as started. Call `remove()` on the
    returned marker at a clean stop."""
    marker = RunMarker(run_marker_path(data_dir, source))
    previous = marker.left_behind()
    if previous is not None:
        manager.raise_fence(
            f"the previous node run did not stop cleanly ({previous}): check the broker's "
            "orders and positions before lifting the fence"
        )
    marker.create()
    return marker

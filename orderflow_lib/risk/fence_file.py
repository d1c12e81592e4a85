"""FenceFile: fences the store could not take, kept in a local file so a crash cannot lose them.

When a fence's state or audit entry does not reach the store, its audit entry is written here
(atomically: temp file, fsync, os.replace, folder fsync). The next manager finds it, copies the
audit entry to the store and starts fenced; the entries are removed (acknowledged) when an
operator lifts the fence while the store holds them.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from orderflow_lib.risk.records import SecurityEvent

UNREADABLE = "FENCE_JOURNAL_UNREADABLE"


def fence_file_path(data_dir: str | os.PathLike[str], source: str) -> Path:
    """Where the fence journal of `source` (synthetic, replay or live) lives under the data folder."""
    return Path(data_dir) / f"safety_fence_{source}.json"


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` by `text` so that a crash leaves either the old or the new file, never part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """fsync a folder, so a file created, replaced or removed in it survives a power cut."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@dataclass(frozen=True, slots=True)
class FenceEntry:
    """One kept fence: its audit entry, and whether the store has been given that entry."""

    event: SecurityEvent
    stored: bool = False


class FenceFile:
    """The fence journal at `path` (absent when nothing is waiting)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> list[FenceEntry]:
        """Unacknowledged entries, oldest first. A damaged file reads as one entry saying so: it
        may have held a fence, so it must fence the manager too."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            return [self._unreadable(exc)]
        try:
            return [
                FenceEntry(SecurityEvent(**item["event"]), bool(item["stored"]))
                for item in json.loads(text)["entries"]
            ]
        except (ValueError, TypeError, KeyError) as exc:
            return [self._unreadable(exc)]

    def append(self, event: SecurityEvent) -> None:
        """Add the audit entry of a fence the store did not take (raises OSError on a disk failure)."""
        self._write([*self.entries(), FenceEntry(event)])

    def mark_stored(self) -> None:
        """Record that the store now holds every entry (so a restart does not copy them twice)."""
        entries = self.entries()
        if any(not e.stored for e in entries):
            self._write([replace(e, stored=True) for e in entries])

    def acknowledge(self) -> None:
        """Remove every entry: the operator lifted the fence and the store holds the entries."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return
        sync_folder(self.path.parent)

    def _write(self, entries: list[FenceEntry]) -> None:
        items = [{"event": asdict(e.event), "stored": e.stored} for e in entries]
        write_atomically(self.path, json.dumps({"entries": items}, indent=1) + "\n")

    def _unreadable(self, exc: Exception) -> FenceEntry:
        try:
            ts_ns = self.path.stat().st_mtime_ns
        except OSError:
            ts_ns = 0
        detail = f"fence journal {self.path} is unreadable ({type(exc).__name__}: {exc})"
        return FenceEntry(SecurityEvent(ts_ns, UNREADABLE, "internal", detail))

"""The local fill journal: fills the store did not take in time, appended to a file and fsynced
before anything acts on them, so a fill survives a kill -9 while the database is down; the next
start replays them into the store and acknowledges them.

One JSON object per line. A kill in the middle of a write leaves a torn last line: reading skips
it with a warning and keeps the rest, and the next append starts on a fresh line.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Collection
from pathlib import Path
from typing import Any

from orderflow_lib.risk.fence_file import sync_folder, write_atomically
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.store import FillRecord

log = logging.getLogger(__name__)


def fill_journal_path(data_dir: str | os.PathLike[str]) -> Path:
    """Where the fill journal lives under the data folder (next to the fence journals)."""
    return Path(data_dir) / "fills_journal.jsonl"


class FillJournal:
    """The append-only journal at `path` of (source, fill) pairs not yet in the store (safe to
    append from the event loop while the store's thread acknowledges)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, source: str, record: FillRecord) -> None:
        """Add one fill and fsync it (a new file's folder too) before returning."""
        line = json.dumps(_to_dict(source, record), separators=(",", ":")).encode() + b"\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            created = not self.path.exists()
            with open(self.path, "a+b") as out:
                if out.seek(0, os.SEEK_END) > 0:
                    out.seek(-1, os.SEEK_END)
                    if out.read(1) != b"\n":
                        out.write(b"\n")
                out.write(line)
                out.flush()
                os.fsync(out.fileno())
            if created:
                sync_folder(self.path.parent)

    def pending(self) -> list[tuple[str, FillRecord]]:
        """Every (source, fill) in the journal, oldest first; lines that cannot be read (a torn
        last line) are skipped with a warning."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        out = []
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            try:
                out.append(_from_dict(json.loads(raw)))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning(
                    "fill journal %s line %d skipped (cannot be read: %s)", self.path, number, exc
                )
        return out

    def acknowledge(self, exec_ids: Collection[str]) -> None:
        """Drop the fills now stored (by exec id); the file goes when none is left."""
        if not exec_ids:
            return
        with self._lock:
            left = [(s, r) for s, r in self.pending() if r.exec_id not in exec_ids]
            if left:
                text = "".join(
                    json.dumps(_to_dict(s, r), separators=(",", ":")) + "\n" for s, r in left
                )
                write_atomically(self.path, text)
                return
            try:
                self.path.unlink()
            except FileNotFoundError:
                return
            sync_folder(self.path.parent)


def _to_dict(source: str, record: FillRecord) -> dict[str, object]:
    return {
        "source": source,
        "exec_id": record.exec_id,
        "order_id": record.order_id,
        "instrument": record.instrument,
        "action": str(record.action),
        "quantity": record.quantity,
        "price_ticks": record.price_ticks,
        "commission": record.commission,
        "currency": record.currency,
        "ts_ns": record.ts_ns,
    }


def _from_dict(data: dict[str, Any]) -> tuple[str, FillRecord]:
    order_id = data["order_id"]
    return str(data["source"]), FillRecord(
        str(data["exec_id"]),
        None if order_id is None else str(order_id),
        str(data["instrument"]),
        OrderAction(data["action"]),
        int(data["quantity"]),
        int(data["price_ticks"]),
        float(data["commission"]),
        str(data["currency"]),
        int(data["ts_ns"]),
    )

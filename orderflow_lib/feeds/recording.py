"""Recording: every tick, quote and depth update the node receives, as Parquet per session.

IB keeps no depth history, so a live node records what it got. While a session is recorded the
events go to numbered part files in a folder (each written to a temporary name and renamed, so a
crash loses at most the unflushed buffer); closing the session compacts the parts into one file
`<folder>.parquet`. `read_recording` reads either form.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from orderflow_lib.core.errors import DataError
from orderflow_lib.feeds.events import MARKET_EVENT_DTYPE, FeedInfo, check_events, empty_events

METADATA_KEY: Final = b"orderflow.feed"
PART_GLOB: Final = "part-*.parquet"
DEFAULT_PART_EVENTS: Final = 50_000


def recording_name(info: FeedInfo, trade_date: date, started_ns: int) -> str:
    """`<source>-<contract>-<trade date>-<start UTC>`: unique per session and start."""
    started = datetime.fromtimestamp(started_ns // 1000 / 1e6, UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{info.source}-{info.contract}-{trade_date.isoformat()}-{started}"


def _schema(info: FeedInfo) -> pa.Schema:
    fields = [
        pa.field(name, pa.from_numpy_dtype(MARKET_EVENT_DTYPE[name]))
        for name in MARKET_EVENT_DTYPE.names or ()
    ]
    meta = asdict(info)
    meta["trade_date"] = None if info.trade_date is None else info.trade_date.isoformat()
    return pa.schema(fields, metadata={METADATA_KEY: json.dumps(meta).encode()})


def _table(events: np.ndarray, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays([pa.array(events[name]) for name in schema.names], schema=schema)


def _write_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


class Recorder:
    """Records the events of one session of one source under `root`."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        info: FeedInfo,
        trade_date: date,
        started_ns: int,
        *,
        part_events: int = DEFAULT_PART_EVENTS,
    ) -> None:
        if part_events < 1:
            raise DataError(f"part_events must be >= 1, was {part_events}")
        self.info = info
        self.trade_date = trade_date
        self.folder = Path(root) / recording_name(info, trade_date, started_ns)
        self.folder.mkdir(parents=True, exist_ok=False)
        self._schema = _schema(FeedInfo(**{**asdict(info), "trade_date": trade_date}))
        self._part_events = part_events
        self._buffer: list[np.ndarray] = []
        self._buffered = 0
        self._parts = 0
        self.events_written = 0
        self._closed = False

    @property
    def path(self) -> Path:
        """The compacted file this session becomes when closed."""
        return self.folder.with_suffix(".parquet")

    def write(self, events: np.ndarray) -> None:
        """Buffer a batch; a part file is written once `part_events` are buffered."""
        if self._closed:
            raise DataError(f"recording {self.folder} is closed")
        check_events(events)
        if events.shape[0] == 0:
            return
        self._buffer.append(events.copy())
        self._buffered += events.shape[0]
        if self._buffered >= self._part_events:
            self.flush()

    def flush(self) -> None:
        """Write the buffered events as the next part file."""
        if not self._buffered:
            return
        events = np.concatenate(self._buffer)
        self._parts += 1
        _write_atomic(_table(events, self._schema), self.folder / f"part-{self._parts:06d}.parquet")
        self.events_written += events.shape[0]
        self._buffer, self._buffered = [], 0

    def close(self) -> Path:
        """Flush, compact the parts into `path` and remove the part folder; returns `path`."""
        if self._closed:
            return self.path
        self.flush()
        self._closed = True
        events, _ = read_recording(self.folder) if self._parts else (empty_events(), self.info)
        _write_atomic(_table(events, self._schema), self.path)
        shutil.rmtree(self.folder)
        return self.path


def _info_of(schema: pa.Schema, path: Path) -> FeedInfo:
    raw = (schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        raise DataError(
            f"{path} is not an OrderFlow recording (no {METADATA_KEY.decode()} metadata)"
        )
    meta = json.loads(raw)
    if meta.get("trade_date"):
        meta["trade_date"] = date.fromisoformat(meta["trade_date"])
    return FeedInfo(**meta)


def _events_of(table: pa.Table, path: Path) -> np.ndarray:
    missing = [n for n in MARKET_EVENT_DTYPE.names or () if n not in table.column_names]
    if missing:
        raise DataError(f"{path}: recording lacks columns {missing}")
    out = empty_events(table.num_rows)
    for name in MARKET_EVENT_DTYPE.names or ():
        out[name] = table.column(name).to_numpy()
    return out


def recording_parts(path: str | os.PathLike[str]) -> list[Path]:
    """The Parquet files of a recording (the file itself, or a folder's parts in order)."""
    p = Path(path)
    if p.is_dir():
        parts = sorted(p.glob(PART_GLOB))
        if not parts:
            raise DataError(f"recording folder {p} holds no {PART_GLOB} files")
        return parts
    if not p.is_file():
        raise DataError(f"recording {p} does not exist")
    return [p]


def recording_info(path: str | os.PathLike[str]) -> FeedInfo:
    """The feed a recording was made from (read from its metadata only)."""
    part = recording_parts(path)[0]
    try:
        schema = pq.read_schema(part)
    except (OSError, pa.ArrowInvalid) as exc:
        raise DataError(f"{part} is not a readable Parquet file: {exc}") from exc
    return _info_of(schema, part)


def iter_recording(path: str | os.PathLike[str]) -> Iterator[np.ndarray]:
    """The events of a recording, one Parquet row group at a time (memory stays small)."""
    for part in recording_parts(path):
        try:
            reader = pq.ParquetFile(part)
        except (OSError, pa.ArrowInvalid) as exc:
            raise DataError(f"{part} is not a readable Parquet file: {exc}") from exc
        with reader:
            for group in range(reader.num_row_groups):
                yield _events_of(reader.read_row_group(group), part)


def read_recording(path: str | os.PathLike[str]) -> tuple[np.ndarray, FeedInfo]:
    """All events of a recording (file or part folder) and the feed it was recorded from."""
    info = recording_info(path)
    arrays = list(iter_recording(path))
    return (np.concatenate(arrays) if arrays else empty_events()), info

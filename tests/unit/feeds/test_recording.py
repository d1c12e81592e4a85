"""Recording to Parquet: parts while recording, one file per session when closed, readable after a
crash, and refused when it is not a recording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from feeds_support import TRADE_DATE, tiny_session

from orderflow_lib.core.errors import DataError
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.recording import Recorder, read_recording, recording_info
from orderflow_lib.feeds.synthetic import session_events

INFO = FeedInfo(source="live", contract="ESZ6", exchange_side=False, description="IB test")


def _events() -> np.ndarray:
    return session_events(tiny_session())[:5_000]


def test_recorder_when_closed_then_one_file_with_every_event_and_the_feed(tmp_path: Path):
    events = _events()
    recorder = Recorder(tmp_path, INFO, TRADE_DATE, 1_795_000_000_000_000_000, part_events=1_000)
    for start in range(0, events.shape[0], 700):
        recorder.write(events[start : start + 700])

    path = recorder.close()

    got, info = read_recording(path)
    assert path.suffix == ".parquet" and path.is_file()
    assert not recorder.folder.exists()
    assert np.array_equal(got, events)
    assert (info.source, info.contract, info.exchange_side, info.trade_date) == (
        "live",
        "ESZ6",
        False,
        TRADE_DATE,
    )


def test_recorder_when_process_dies_then_flushed_parts_are_readable(tmp_path: Path):
    events = _events()
    recorder = Recorder(tmp_path, INFO, TRADE_DATE, 1_795_000_000_000_000_000, part_events=10_000)
    recorder.write(events[:3_000])
    recorder.flush()
    recorder.write(events[3_000:])

    got, info = read_recording(recorder.folder)

    assert np.array_equal(got, events[:3_000])
    assert recording_info(recorder.folder) == info


def test_recorder_when_written_after_close_then_refused(tmp_path: Path):
    recorder = Recorder(tmp_path, INFO, TRADE_DATE, 1)
    recorder.close()

    with pytest.raises(DataError, match="is closed"):
        recorder.write(_events()[:10])


def test_read_recording_when_plain_parquet_without_metadata_then_refused(tmp_path: Path):
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [1, 2]}), path)

    with pytest.raises(DataError, match="not an OrderFlow recording"):
        read_recording(path)


def test_read_recording_when_missing_then_error_names_path(tmp_path: Path):
    with pytest.raises(DataError, match="does not exist"):
        read_recording(tmp_path / "nothing.parquet")

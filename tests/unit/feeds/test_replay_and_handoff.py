"""Replay of recordings (same events, source "replay") and the atomic synthetic-to-real handoff.

Bad-file cases read a Databento GLBX.MDP3 extract (ESH4 MBO), published as a test fixture by the
NautilusTrader project (LGPL-3.0 repository); they skip when ../shared/data is absent.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from feeds_support import TRADE_DATE, tiny_session

from orderflow_lib.core.config import DataSettings
from orderflow_lib.core.errors import DataError
from orderflow_lib.feeds.base import Feed, FeedItem
from orderflow_lib.feeds.events import FeedInfo, SourceChange, empty_events
from orderflow_lib.feeds.handoff import HandoffFeed
from orderflow_lib.feeds.recording import Recorder
from orderflow_lib.feeds.replay import ReplayFeed
from orderflow_lib.feeds.synthetic import session_events

ESH4_HOUR = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "data"
    / "databento-es-mbo"
    / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
)


def _esh4() -> bytes:
    if not ESH4_HOUR.exists():
        pytest.skip(f"real data missing: {ESH4_HOUR}")
    return ESH4_HOUR.read_bytes()


class ListFeed:
    """A feed of given batches; with `hold` it then waits until closed (a live feed)."""

    def __init__(
        self, info: FeedInfo, batches: list[np.ndarray], *, hold: bool = False, gap_s: float = 0.0
    ) -> None:
        self.info = info
        self._batches = batches
        self._hold = hold
        self._gap_s = gap_s
        self._closed = asyncio.Event()
        self.state = "idle"

    async def items(self) -> AsyncIterator[FeedItem]:
        for batch in self._batches:
            if self._closed.is_set():
                return
            await asyncio.sleep(self._gap_s)
            yield batch
        if self._hold:
            await self._closed.wait()

    async def close(self) -> None:
        self._closed.set()
        self.state = "closed"


def _marked(n: int, first_ts: int) -> np.ndarray:
    events = empty_events(n)
    events["ts_ns"] = np.arange(first_ts, first_ts + n)
    events["kind"] = 1
    events["size"] = 1
    return events


async def test_replay_when_recording_replayed_at_max_then_same_events_as_recorded(tmp_path: Path):
    events = session_events(tiny_session())[:8_000]
    info = FeedInfo(source="live", contract="ESZ6", exchange_side=False)
    recorder = Recorder(tmp_path, info, TRADE_DATE, 1, part_events=3_000)
    recorder.write(events)
    path = recorder.close()

    feed = ReplayFeed(path, speed=None, max_batch=1_000)
    got = np.concatenate([b async for b in feed.items()])

    assert np.array_equal(got, events)
    assert (feed.info.source, feed.info.contract, feed.info.exchange_side) == (
        "replay",
        "ESZ6",
        False,
    )
    assert feed.state == "ended"


def test_replay_when_file_missing_then_error_names_it(tmp_path: Path):
    with pytest.raises(DataError, match="does not exist"):
        ReplayFeed(tmp_path / "missing.dbn.zst")


async def test_handoff_when_real_feed_ready_then_marker_then_only_real_events():
    synthetic = ListFeed(
        FeedInfo("synthetic", "ESZ6"), [_marked(3, 1_000 * k) for k in range(1, 200)], gap_s=0.002
    )
    live = ListFeed(FeedInfo("live", "ESZ6", exchange_side=False), [_marked(2, 10**12)], hold=True)
    ready: asyncio.Future[Feed] = asyncio.get_running_loop().create_future()
    feed = HandoffFeed(synthetic, ready)
    got: list[FeedItem] = []

    async def consume() -> None:
        async for item in feed.items():
            got.append(item)
            if len(got) == 5:
                ready.set_result(live)
            if isinstance(item, np.ndarray) and item["ts_ns"][0] >= 10**12:
                await feed.close()
                return

    await asyncio.wait_for(consume(), 5)

    marker = next(i for i, item in enumerate(got) if isinstance(item, SourceChange))
    assert marker >= 5
    assert all(isinstance(x, np.ndarray) and x["ts_ns"][0] < 10**12 for x in got[:marker])
    assert all(isinstance(x, np.ndarray) and x["ts_ns"][0] >= 10**12 for x in got[marker + 1 :])
    assert isinstance(got[marker], SourceChange) and got[marker].info.source == "live"
    assert synthetic.state == "closed"
    assert feed.switched and feed.info.source == "live"


async def test_handoff_when_synthetic_ends_first_then_waits_for_the_real_feed():
    synthetic = ListFeed(FeedInfo("synthetic", "ESZ6"), [_marked(1, 5)])
    live = ListFeed(FeedInfo("live", "ESZ6"), [_marked(1, 10**12)])
    ready: asyncio.Future[Feed] = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_later(0.05, ready.set_result, live)

    got = [item async for item in HandoffFeed(synthetic, ready).items()]

    assert (
        isinstance(got[0], np.ndarray)
        and isinstance(got[1], SourceChange)
        and isinstance(got[2], np.ndarray)
    )
    assert len(got) == 3


@pytest.mark.parametrize("size", [100, 1_000, 10_000, 498_619, 897_514])
def test_replay_when_dbn_zst_cut_short_then_data_error_names_the_file(
    tmp_path: Path, size: int
) -> None:
    path = tmp_path / "esh4.mbo.dbn.zst"
    path.write_bytes(_esh4()[:size])

    with pytest.raises(
        DataError, match=rf"^{re.escape(str(path))}: the zstd-compressed data stops in the middle"
    ):
        ReplayFeed(path)


def test_replay_when_a_trade_is_above_the_limits_then_refused_before_replaying(
    tmp_path: Path,
) -> None:
    path = tmp_path / "esh4.mbo.dbn.zst"
    path.write_bytes(_esh4())

    assert ReplayFeed(path).events_total
    with pytest.raises(
        DataError, match=rf"^{re.escape(str(path))}: record \d+ is a trade of \d+ lots, above"
    ):
        ReplayFeed(path, limits=DataSettings(max_trade_size=50))

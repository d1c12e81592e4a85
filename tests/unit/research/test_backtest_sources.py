"""A cached synthetic day reads back as exactly the events that were cached, whatever the Parquet
row groups and the copy blocks, and its size on disk ranks it for the workers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from orderflow_lib.feeds.synthetic import session_events
from orderflow_lib.market.synthetic import generate_session
from orderflow_lib.research.backtest_sources import FILL_ROWS, SyntheticChain

DAY = date(2026, 11, 24)


def test_events_when_cached_in_many_row_groups_then_read_back_unchanged(tmp_path: Path) -> None:
    events = session_events(generate_session(DAY, 5, scale=0.02))
    chain = SyntheticChain(tmp_path, 5, DAY, 0.02)
    assert chain.day_size(DAY) == 0
    pd.DataFrame(events).to_parquet(chain.path(DAY), index=False, row_group_size=FILL_ROWS + 999)

    got = chain.events(DAY)

    assert len(events) > 3 * FILL_ROWS
    assert got.dtype == events.dtype
    assert np.array_equal(got, events)
    assert chain.day_size(DAY) == chain.path(DAY).stat().st_size > 0

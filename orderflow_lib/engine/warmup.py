"""Get the node ready for its first real event: run a handful of made-up events (depth, quotes,
trades either side of the RTH open, bar closes) through a throwaway pipeline, so the compiled
kernels and the exchange calendar's tables are loaded at start-up and not when the first live
tick arrives (that one-time loading takes about a second); then keep the start-up heap out of the
garbage collector's full passes."""

from __future__ import annotations

import gc
from datetime import date
from functools import cache
from typing import Final

import numpy as np

from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import NS_PER_MINUTE, NS_PER_SECOND
from orderflow_lib.engine.context import build_context
from orderflow_lib.engine.pipeline import Pipeline, SessionSpec
from orderflow_lib.market.calendar import SessionCalendar
from orderflow_lib.market.events import (
    BOOK_ASK,
    BOOK_BID,
    DEPTH_INSERT,
    DEPTH_UPDATE,
    DepthUpdate,
    Quote,
    Trade,
    events_from_objects,
)

WARM_DATE: Final = date(2026, 11, 24)
"""A plain trade date with an RTH session (any such date serves)."""
_PRICE: Final = 24_000


def warm_events(rth_open_ns: int) -> np.ndarray:
    """Made-up events around `rth_open_ns`: a two-level book, quotes, and trades in three
    one-minute bars (the first before the open), so every engine runs at least once."""
    t = rth_open_ns - NS_PER_MINUTE
    records: list[Trade | Quote | DepthUpdate] = []
    for k in range(2):
        records.append(DepthUpdate(t, BOOK_BID, k, DEPTH_INSERT, _PRICE - k, 20 + k))
        records.append(DepthUpdate(t, BOOK_ASK, k, DEPTH_INSERT, _PRICE + 1 + k, 25 + k))
    for minute in range(3):
        for j in range(4):
            ts = t + minute * NS_PER_MINUTE + j * NS_PER_SECOND
            records.append(Quote(ts, _PRICE, 20, _PRICE + 1, 25 - j))
            records.append(Trade(ts, _PRICE + j % 2, 1 + j, 1 if j % 2 else -1))
            records.append(DepthUpdate(ts, BOOK_ASK, 0, DEPTH_UPDATE, _PRICE + 1, 24 - j))
    return events_from_objects(records)


def warm_up(
    settings: Settings, calendar: SessionCalendar, *, dom_metrics: bool, exchange_side: bool
) -> Pipeline:
    """Load every kernel and calendar table the node's pipeline uses, in the same mode; the
    throwaway pipeline is returned for inspection."""
    spec = SessionSpec.for_date(WARM_DATE, "ES", "synthetic", calendar, settings.vwap.anchor)
    assert spec.rth_open_ns is not None
    calendar.trade_date(spec.rth_open_ns)
    context = build_context(WARM_DATE, "ES", [], settings, calendar)
    pipeline = Pipeline(
        spec, context, settings, exchange_side=exchange_side, dom_metrics=dom_metrics
    )
    events = warm_events(spec.rth_open_ns)
    pipeline.process(events[:1])
    pipeline.process(events[1:])
    pipeline.flush()
    pipeline.view()
    return pipeline


@cache
def freeze_start_up_objects() -> None:
    """Collect once, then hide every object alive now (modules, compiled kernels, settings) from
    the garbage collector, so its full collections during the session walk only what the
    session made: a full pass over the start-up heap stalls the node for ~200 ms. Once a process."""
    gc.collect()
    gc.freeze()

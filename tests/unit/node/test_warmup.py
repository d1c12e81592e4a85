"""The start-up warm-up runs every engine once (trades both sides of the RTH open, quotes, depth,
bar closes) in the node's own mode, so the first live tick does not pay for loading them; the
start-up heap is frozen once so full garbage collections stay short."""

from __future__ import annotations

import gc

import pytest

from orderflow_lib.core.config import Settings
from orderflow_lib.engine.warmup import freeze_start_up_objects, warm_events, warm_up
from orderflow_lib.market.calendar import default_calendar


@pytest.mark.parametrize("dom_metrics", [True, False])
@pytest.mark.parametrize("exchange_side", [True, False])
def test_warm_up_when_run_then_every_engine_saw_events(dom_metrics, exchange_side):
    pipeline = warm_up(
        Settings(), default_calendar(), dom_metrics=dom_metrics, exchange_side=exchange_side
    )

    view = pipeline.view()
    assert pipeline.events == warm_events(pipeline.spec.rth_open_ns or 0).shape[0]
    assert pipeline.trades == 12 and pipeline.bad_events == 0
    assert pipeline.bars.bars_closed == 3
    assert view.on_high_ticks is not None and view.ib_high_ticks is not None
    assert view.dva is not None and view.has_vwap
    assert pipeline.dom.bids and pipeline.dom.asks and pipeline.dom.bad_updates == 0


def test_freeze_when_node_started_then_start_up_heap_hidden_from_full_collections():
    freeze_start_up_objects()

    frozen = gc.get_freeze_count()
    freeze_start_up_objects()

    assert frozen > 10_000 and gc.get_freeze_count() == frozen

"""The session pipeline: the same decisions for any batching, views as of the decision's event,
and the day's levels (IB, overnight, DVA, VWAP) where they belong."""

from __future__ import annotations

import pytest
from node_support import TRADE_DATE, batches, morning_events

from orderflow_lib.core.config import Settings
from orderflow_lib.engine.context import build_context
from orderflow_lib.engine.pipeline import Pipeline, SessionSpec
from orderflow_lib.engine.view import Decision
from orderflow_lib.feeds.events import KIND_QUOTE, KIND_TRADE, events_from_objects
from orderflow_lib.kernels.book import NO_PRICE
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import Quote, Trade

SETTINGS = Settings()


def _pipeline(dom_metrics: bool = True, exchange_side: bool = True) -> Pipeline:
    calendar = default_calendar()
    spec = SessionSpec.for_date(TRADE_DATE, "ESZ26", "synthetic", calendar)
    context = build_context(TRADE_DATE, "ESZ26", [], SETTINGS, calendar)
    return Pipeline(spec, context, SETTINGS, exchange_side=exchange_side, dom_metrics=dom_metrics)


def _run(
    sizes: list[int], dom_metrics: bool = True, exchange_side: bool = True
) -> tuple[Pipeline, list[Decision]]:
    pipeline = _pipeline(dom_metrics, exchange_side)
    decisions = []
    for chunk in batches(morning_events(), sizes):
        decisions += pipeline.process(chunk)
    decisions += pipeline.flush()
    return pipeline, decisions


@pytest.fixture(scope="module")
def reference() -> tuple[Pipeline, list[Decision]]:
    return _run([10**9])


@pytest.mark.parametrize("sizes", [[3, 1, 250], [4_096]])
def test_pipeline_when_batched_differently_then_same_decisions(reference, sizes):
    _, expected = reference

    _, got = _run(sizes)

    assert repr(got) == repr(expected)
    assert len(expected) > 100


def test_pipeline_when_run_then_bars_signals_and_dom_signals_come_out(reference):
    pipeline, decisions = reference

    kinds = {str(s.signal.kind) for d in decisions for s in d.signals}
    assert sum(d.candle is not None for d in decisions) == pipeline.bars.bars_closed
    assert pipeline.bars.bars_closed >= 140
    assert pipeline.flow_bars.bars_closed == 3
    assert {"EXHAUSTION_HIGH", "DOM_IMBALANCE"} <= kinds
    assert pipeline.events == morning_events().shape[0]


def test_view_when_bar_closes_then_last_trade_and_quote_are_those_before_the_closing_trade(
    reference,
):
    _, decisions = reference
    events = morning_events()
    trades = events[events["kind"] == KIND_TRADE]
    quotes = events[events["kind"] == KIND_QUOTE]

    bar_closes = [d for d in decisions if d.candle is not None]
    for d in bar_closes[10:60]:
        v = d.view
        at_trades = trades[trades["ts_ns"] <= v.ts_ns]
        at_quotes = quotes[quotes["ts_ns"] <= v.ts_ns]
        assert v.last_ticks == at_trades["price_ticks"][-1]
        assert v.volume == int(at_trades["size"].sum())
        assert (v.bid_ticks, v.ask_ticks) == (
            at_quotes["bid_ticks"][-1],
            at_quotes["ask_ticks"][-1],
        )


def test_view_when_session_runs_then_levels_fill_in_at_their_times(reference):
    pipeline, decisions = reference
    spec = pipeline.spec
    assert spec.rth_open_ns is not None

    before = [d.view for d in decisions if d.view.ts_ns < spec.rth_open_ns]
    after = [d.view for d in decisions if d.view.ts_ns > spec.rth_open_ns + 3_600_000_000_000]
    assert all(v.dva is None and not v.has_vwap and v.ib_high_ticks is None for v in before)
    assert before[-1].on_high_ticks is not None and not before[-1].in_rth
    last = after[-1]
    assert last.in_rth and last.dva is not None and last.has_vwap
    assert last.ib_low_ticks <= last.ib_high_ticks  # type: ignore[operator]
    trades = morning_events()[morning_events()["kind"] == KIND_TRADE]
    overnight = trades[trades["ts_ns"] < spec.rth_open_ns]
    assert last.on_high_ticks == overnight["price_ticks"].max() >= before[-1].on_high_ticks
    assert last.dva.val_ticks <= last.dva.poc_ticks <= last.dva.vah_ticks


def test_overnight_when_first_bar_after_open_closes_then_given_once(reference):
    _, decisions = reference

    given = [d for d in decisions if d.overnight is not None]

    assert len(given) == 1
    assert given[0].candle is not None
    assert not given[0].overnight.is_empty  # type: ignore[union-attr]


def test_pipeline_when_trades_lack_exchange_side_then_classified_from_quotes():
    pipeline, decisions = _run([500], dom_metrics=False, exchange_side=False)

    assert pipeline.trades > 0
    assert any(d.view.cumulative_delta != 0 for d in decisions)


@pytest.mark.parametrize("sizes", [[1], [2, 3], [10]])
def test_pipeline_when_bad_or_out_of_order_events_then_refused_or_held_forward_and_counted(sizes):
    open_ns = SessionSpec.for_date(TRADE_DATE, "ESZ26", "synthetic", default_calendar()).open_ns
    t = open_ns + 60 * 10**9
    events = events_from_objects(
        [
            Quote(t, 24_000, 5, 24_001, 7),
            Trade(t + 10, 24_001, 3, 1),
            Trade(t + 5, 24_002, 2, 1),
            Trade(t + 20, 24_000, 0, -1),
            Quote(t + 20, NO_PRICE, 0, 24_001, 7),
            Trade(t + 30, 24_000, 4, -1),
        ]
    )
    pipeline = _pipeline()

    for chunk in batches(events, sizes):
        pipeline.process(chunk)

    view = pipeline.view()
    assert (pipeline.bad_events, pipeline.late_trades, pipeline.trades) == (2, 1, 3)
    assert (view.volume, view.high_ticks, view.last_ticks) == (9, 24_002, 24_000)
    assert (view.bid_ticks, view.ask_ticks, view.ts_ns) == (24_000, 24_001, t + 30)
    assert [row[0] for row in pipeline.recent_trades()] == [t + 10, t + 10, t + 30]


def test_signal_ids_when_same_signal_then_same_id_and_differs_by_source(reference):
    _, decisions = reference
    from orderflow_lib.engine.view import signal_id

    tagged = next(s for d in decisions for s in d.signals)
    assert tagged.id == signal_id("synthetic", "ESZ26", tagged.signal)
    assert tagged.id != signal_id("live", "ESZ26", tagged.signal)
    assert len(tagged.id) <= 64

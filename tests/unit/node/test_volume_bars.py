"""The node's order-flow bars (`orderflow.bar`, volume bars by default) cut the session at exactly
the trades where the research batch kernel cuts it, for any batching, and the pipeline's bar
signals equal the batch detectors' on the same trades; decisions stay on one-minute bars.

Data: Databento GLBX.MDP3 extract (ESH4 MBO), published as a test fixture by the NautilusTrader
project (LGPL-3.0 repository); QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; see
../shared/data/README.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from node_support import ESH4_HOUR, batches

from orderflow_lib.core.config import OrderFlowSettings, Settings
from orderflow_lib.engine.bars import BarBuilder
from orderflow_lib.engine.context import build_context
from orderflow_lib.engine.pipeline import Pipeline, SessionSpec
from orderflow_lib.flow import detect_bar_signals, trade_arrays, volumetric_candles
from orderflow_lib.flow.signals import SignalKind, sort_signals
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import KIND_TRADE

pytestmark = pytest.mark.realdata

LEAN = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "lean-es-2013" / "minute"
LEAN_DAY = date(2013, 10, 8)
_NOT_BAR = {
    SignalKind.BUY_PRESSURE,
    SignalKind.SELL_PRESSURE,
    SignalKind.DOM_IMBALANCE,
    SignalKind.PULLING,
    SignalKind.STACKING,
    SignalKind.ICEBERG,
}


@pytest.fixture(scope="module")
def esh4() -> tuple[np.ndarray, date, str]:
    from orderflow_lib.feeds.dbn import dbn_events

    if not ESH4_HOUR.exists():
        pytest.skip(f"real data missing: {ESH4_HOUR}")
    events, contract = dbn_events(ESH4_HOUR)
    day = default_calendar().trade_date(int(events["ts_ns"][-1]))
    return events, day, contract


@pytest.fixture(scope="module")
def lean_day() -> tuple[np.ndarray, date, str]:
    from orderflow_lib.research.backtest_sources import LeanDays

    if not LEAN.exists():
        pytest.skip(f"real data missing: {LEAN}")
    source, _ = LeanDays.covering(LEAN, LEAN_DAY, LEAN_DAY)
    return source.events(LEAN_DAY), LEAN_DAY, "ESZ3"


def _session_trades(events: np.ndarray, day: date) -> np.ndarray:
    """The trades of the trade date's Globex session, in feed order."""
    window = default_calendar().globex_window(day)
    ts = events["ts_ns"]
    inside = (ts >= window.open_ns) & (ts < window.close_ns)
    return events[inside & (events["kind"] == KIND_TRADE)]


def _research(trades: np.ndarray, day: date, bar: str, settings: OrderFlowSettings):
    """Candles and bar signals as the research replay computes them (`research.replay`)."""
    arrays = trade_arrays(trades["ts_ns"], trades["price_ticks"], trades["size"], trades["side"])
    anchors = np.array([default_calendar().globex_window(day).open_ns], dtype=np.int64)
    candles = volumetric_candles(arrays, bar, anchors)
    return candles, detect_bar_signals(arrays, candles, settings, anchors).signals


@pytest.mark.parametrize("bar", ["volume:3000", "volume:250", "tick:97"])
@pytest.mark.parametrize("sizes", [[1], [5, 1, 300], [10**9]])
def test_bar_builder_when_counted_bars_then_cuts_candles_and_signals_equal_research(
    esh4, bar, sizes
):
    events, day, _ = esh4
    trades = _session_trades(events, day)
    settings = OrderFlowSettings()
    candles, expected = _research(trades, day, bar, settings)

    builder = BarBuilder(settings, bar=bar)
    closed = []
    start = 0
    for chunk in batches(trades, sizes):
        idx = np.arange(start, start + chunk.shape[0])
        start += chunk.shape[0]
        closed += builder.add(
            chunk["ts_ns"], chunk["price_ticks"], chunk["size"], chunk["side"], idx
        )
    completed = len(closed)
    closed += builder.flush()

    assert [c.candle for c in closed] == candles.candles()
    assert sort_signals(s for c in closed for s in c.signals) == expected
    ends = candles.footprint.trade_offsets[1 : completed + 1] - 1
    assert [c.at for c in closed[:completed]] == ends.tolist()
    assert len(closed) >= 3


def _pipeline_run(
    events: np.ndarray, day: date, contract: str, settings: Settings, sizes: list[int]
) -> tuple[Pipeline, list]:
    calendar = default_calendar()
    spec = SessionSpec.for_date(day, contract, "replay", calendar)
    pipeline = Pipeline(spec, build_context(day, contract, [], settings, calendar), settings)
    window = calendar.globex_window(day)
    ts = events["ts_ns"]
    session = events[(ts >= window.open_ns) & (ts < window.close_ns)]
    decisions = []
    for chunk in batches(session, sizes):
        decisions += pipeline.process(chunk)
    decisions += pipeline.flush()
    return pipeline, decisions


def _bar_signals(decisions: list) -> list:
    return sort_signals(
        s.signal for d in decisions for s in d.signals if s.signal.kind not in _NOT_BAR
    )


@pytest.mark.parametrize(
    ("data", "bar", "sizes"),
    [
        ("esh4", {"type": "volume", "size": 3000}, [7, 1, 400]),
        ("esh4", {"type": "volume", "size": 200}, [4096]),
        ("esh4", {"type": "time", "size": 60}, [4096]),
        ("esh4", {"type": "time", "size": 300}, [13, 2]),
        ("lean_day", {"type": "volume", "size": 3000}, [4096]),
    ],
)
def test_pipeline_when_orderflow_bar_set_then_bar_signals_equal_research_on_those_bars(
    request, data, bar, sizes
):
    events, day, contract = request.getfixturevalue(data)
    settings = Settings.model_validate({"orderflow": {"bar": bar}})
    spec = f"{bar['size']}s" if bar["type"] == "time" else f"{bar['type']}:{bar['size']}"
    _, expected = _research(_session_trades(events, day), day, spec, settings.orderflow)

    pipeline, decisions = _pipeline_run(events, day, contract, settings, sizes)

    assert _bar_signals(decisions) == expected
    assert len(expected) > 0
    minutes = [d.candle for d in decisions if d.candle is not None]
    assert len(minutes) == pipeline.bars.bars_closed > 50
    assert all(c.end_ns - c.start_ns <= 60_000_000_000 for c in minutes)
    assert (pipeline.flow_bars is pipeline.bars) == (bar == {"type": "time", "size": 60})


def test_pipeline_when_default_settings_then_flow_bars_are_volume_bars_of_3000(lean_day):
    events, day, contract = lean_day

    pipeline, _ = _pipeline_run(events, day, contract, Settings(), [4096])

    flow = pipeline.flow_bars
    assert (flow.spec.kind, flow.spec.length) == ("volume", 3000)
    assert flow.candles[-1].volume < 3000
    assert 3000 * (flow.bars_closed - 1) <= pipeline.view().volume
    assert flow.bars_closed > 100 and pipeline.bars.detectors is None

"""The kernel owns chart data: the browser's echoes of streams and patches never change it,
and a source that drifted from its mirror is replaced whole at the next update."""

import pytest
from bokeh.models import Range1d
from bokeh.plotting import figure

from orderflow_lib.ui import bokeh_live
from orderflow_lib.ui.bokeh_live import LiveBokeh, LiveSource


def _chart() -> tuple[LiveBokeh, LiveSource, figure]:
    live = LiveSource("ts", {"ts": [1, 2, 3], "close": [10.0, 11.0, 12.0]})
    fig = figure(height=300, width=400, x_range=Range1d(0, 10), y_range=Range1d(0, 20))
    fig.line("ts", "close", source=live.source)
    return LiveBokeh(fig, "of-test"), live, fig


def _from_browser(chart: LiveBokeh, content: dict) -> None:
    chart.widget._sync_model(chart.widget, {**content, "event": "jsevent"}, [])


def test_sync_when_browser_echoes_a_stream_with_rollover_then_kernel_data_unchanged():
    chart, live, _ = _chart()
    live.update({"ts": [2, 3, 4], "close": [11.0, 12.0, 13.0]})
    _from_browser(
        chart,
        {
            "kind": "ColumnsStreamed",
            "model": {"id": live.source.id},
            "attr": "data",
            "data": {"type": "map", "entries": [["ts", [4]], ["close", [13.0]]]},
            "rollover": 3,
        },
    )
    assert list(live.source.data["ts"]) == [2, 3, 4]
    live.update({"ts": [2, 3, 4, 5], "close": [11.0, 12.0, 13.5, 14.0]})
    assert list(live.source.data["ts"]) == [2, 3, 4, 5]
    assert list(live.source.data["close"]) == [11.0, 12.0, 13.5, 14.0]


def test_sync_when_browser_echoes_a_patch_then_kernel_data_unchanged():
    chart, live, _ = _chart()
    _from_browser(
        chart,
        {
            "kind": "ColumnsPatched",
            "model": {"id": live.source.id},
            "attr": "data",
            "patches": {"type": "map", "entries": [["close", [[0, 99.0]]]]},
        },
    )
    assert list(live.source.data["close"]) == [10.0, 11.0, 12.0]


def test_sync_when_browser_reports_a_size_then_kernel_takes_it():
    chart, _, fig = _chart()
    _from_browser(chart, {"kind": "ModelChanged", "model": {"id": fig.id}, "attr": "height", "new": 420})
    assert fig.height == 420


def test_update_when_source_drifted_from_its_mirror_then_replaced_whole():
    _, live, _ = _chart()
    live.source.stream({"ts": [4], "close": [13.0]}, rollover=3)
    delta = live.update({"ts": [2, 3, 4, 5], "close": [11.0, 12.0, 13.0, 14.0]})
    assert delta.replace is not None
    assert list(live.source.data["ts"]) == [2, 3, 4, 5]


def test_update_when_applying_fails_then_next_update_replaces_whole(monkeypatch):
    _, live, _ = _chart()

    def broken(source, delta):
        raise IndexError("list assignment index out of range")

    monkeypatch.setattr(bokeh_live, "apply_delta", broken)
    with pytest.raises(IndexError):
        live.update({"ts": [1, 2, 3], "close": [10.0, 11.0, 12.5]})
    monkeypatch.undo()
    delta = live.update({"ts": [1, 2, 3], "close": [10.0, 11.0, 12.5]})
    assert delta.replace is not None
    assert list(live.source.data["close"]) == [10.0, 11.0, 12.5]

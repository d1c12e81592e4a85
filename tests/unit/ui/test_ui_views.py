"""Dashboard views built without a browser: panels, sources, first-view behaviour, disconnection."""

import asyncio

import ipywidgets as w
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from orderflow_lib.ui.bokeh_live import LiveBokeh, bokehjs_script
from orderflow_lib.ui.classic import ClassicView, candle_level_columns
from orderflow_lib.ui.command_center import CommandCenter
from orderflow_lib.ui.commands import Answer

URL = "http://127.0.0.1:8765"


async def _refuse(command: str, key: str) -> Answer:
    return Answer(False, "Wrong key", wrong_key=True)


def _classes(widget: w.Widget) -> set[str]:
    found = set(getattr(widget, "_dom_classes", ()))
    for child in getattr(widget, "children", ()):
        found |= _classes(child)
    return found


def _spy_sends(live: LiveBokeh) -> list:
    sent: list = []
    live.widget.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    return sent


def test_command_center_when_built_then_every_panel_has_its_css_class():
    view = CommandCenter(URL, _refuse)
    classes = _classes(view.widget)
    for name in (
        "of-header",
        "of-hypothesis",
        "of-position",
        "of-pressure",
        "of-value-ladder-chart",
        "of-signals",
        "of-gate",
        "of-activity",
        "of-controls",
        "of-key",
        "of-cmd-fence",
        "of-cmd-flatten",
        "of-cmd-halt",
        "of-banner-box",
    ):
        assert name in classes, name


def test_classic_when_built_then_every_panel_has_its_css_class():
    view = ClassicView(URL)
    classes = _classes(view.widget)
    for name in ("of-header", "of-tape", "of-dom", "of-classic-charts", "of-classic-profile"):
        assert name in classes, name


def test_command_center_when_state_shown_then_panels_and_sources_follow(snapshot):
    view = CommandCenter(URL, _refuse)
    view.show_state(snapshot, [])
    assert 'data-last="5384.25"' in view.header.widget.value
    assert 'data-connection="paper broker"' in view.header.widget.value
    assert 'data-regime="BALANCE"' in view.plan.widget.value
    assert 'data-signal-id="sig-1"' in view.signals.widget.value
    assert 'data-scenario-id="S2" data-state="in trade"' in view.plan.widget.value
    assert 'data-entry="5381.00"' in view.position.widget.value
    assert 'data-gate-state="ACTIVE"' in view.gate.widget.value
    assert list(view.profile.source.data["volume"]) == [120, 80, 40]
    marks = dict(zip(view.marks.source.data["name"], view.marks.source.data["price"], strict=True))
    assert (marks["LAST"], marks["ENTRY"], marks["STOP"], marks["TARGET 1"]) == (
        5384.25,
        5381.0,
        5376.0,
        5388.0,
    )


def test_command_center_when_cva_off_screen_then_ladder_shows_arrows_to_it(snapshot):
    snapshot["value"]["cva"] = {"poc": 5300.0, "val": 5250.0, "vah": 5320.0, "days_included": 5}
    view = CommandCenter(URL, _refuse)
    view.show_state(snapshot, [])
    rows = dict(zip(view.labels.source.data["name"], view.labels.source.data["text"], strict=True))
    assert rows["CVA VAH"] == "▼ VAH 5320.00\n64.25 below"
    assert rows["DVA VAH"] == "VAH 5386.00"


def test_command_center_when_signal_event_without_snapshot_then_signal_shown(snapshot):
    view = CommandCenter(URL, _refuse)
    view.show_state(snapshot, [])
    event = {
        "kind": "signal",
        "id": "sig-9",
        "ts_ns": snapshot["ts_ns"],
        "direction": -1,
        "price": 5390.0,
        "strength": 0.7,
    }
    view.show_state(None, [event])
    assert 'data-signal-id="sig-9"' in view.signals.widget.value


def test_command_center_when_profile_grows_then_source_streams_new_prices(snapshot):
    view = CommandCenter(URL, _refuse)
    view.show_state(snapshot, [])
    snapshot["profile"] = {
        "prices": [5383.5, 5383.75, 5384.0, 5384.25],
        "volumes": [5, 121, 80, 40],
    }
    view.show_state(snapshot, [])
    held = dict(
        zip(view.profile.source.data["price"], view.profile.source.data["volume"], strict=True)
    )
    assert held == {5383.5: 5, 5383.75: 121, 5384.0: 80, 5384.25: 40}


def test_view_when_disconnected_then_banner_and_red_node_light(snapshot):
    view = CommandCenter(URL, _refuse)
    view.show_state(snapshot, [])
    view.show_disconnected("connection refused")
    assert 'data-connected="false"' in view.banner.value
    assert 'data-connection="node" data-status="lost"' in view.header.widget.value
    view.show_state(None, [])
    assert 'data-connected="true"' in view.banner.value


def test_classic_when_state_shown_then_tape_dom_candles_footprint_follow(snapshot):
    view = ClassicView(URL)
    view.show_state(snapshot, [])
    assert 'data-tape="2"' in view.tape.widget.value
    assert 'data-dom="4"' in view.dom.widget.value
    assert len(view.candles.source.data["ts_ns"]) == 2
    assert list(view.cells.source.data["text"]) == ["10 x 30", "25 x 5", "7 x 7"]
    assert (view.mapper.low, view.mapper.high) == (-20.0, 20.0)


def test_classic_when_browser_makes_charts_taller_then_tape_shows_more_trades(snapshot):
    view = ClassicView(URL)
    trades = [[1_796_630_000_000_000_000 + i, 5000.0, 1, "B", False] for i in range(60)]
    tape = [dict(zip(("ts_ns", "price", "size", "side", "large"), t, strict=True)) for t in trades]
    view.show_state({**snapshot, "tape": tape}, [])
    assert view.tape.widget.value.count("<tr class") == 34
    candles, footprint = view.middle_figures
    candles.height += 140
    footprint.height += 140
    view.show_state({**snapshot, "tape": tape}, [])
    assert view.tape.widget.value.count("<tr class") == 49


def test_command_center_when_browser_makes_ladder_taller_then_lists_show_more_rows(snapshot):
    view = CommandCenter(URL, _refuse)
    assert view.list_rows() == (9, 6)
    signals = [
        {"id": f"s{i}", "kind": "ABSORPTION", "ts_ns": 1_796_630_000_000_000_000 + i, "price": 5000.0}
        for i in range(20)
    ]
    view.ladder_figure.frame_height += 280
    assert view.list_rows() == (13, 14)
    view.show_state({**snapshot, "signals": signals}, [])
    assert view.signals.widget.value.count("data-signal-id=") == 13


def test_candle_level_columns_when_snapshot_then_vwap_bands_and_value_edges_only(snapshot):
    names = candle_level_columns(snapshot)["name"]
    assert "VWAP" in names and "VWAP +2σ" in names and "DVA VAH" in names
    assert "ON HIGH" not in names and "PRIOR HIGH" not in names


def test_live_bokeh_when_not_viewed_then_changes_kept_but_not_sent():
    source = ColumnDataSource(data={"x": [1], "y": [1]})
    fig = figure()
    fig.line(x="x", y="y", source=source)
    live = LiveBokeh(fig, "chart")
    sent = _spy_sends(live)
    source.stream({"x": [2], "y": [2]})
    assert sent == []
    assert list(source.data["x"]) == [1, 2]


def test_live_bokeh_when_first_view_then_whole_document_resent_and_patches_follow():
    source = ColumnDataSource(data={"x": [1], "y": [1]})
    fig = figure()
    fig.line(x="x", y="y", source=source)
    live = LiveBokeh(fig, "chart")
    source.stream({"x": [2], "y": [2]})
    calls: list[str] = []
    live.on_first_view(lambda: calls.append("viewed"))
    live.widget._view_count = 1
    assert live.viewed and calls == ["viewed"]
    assert '"x":' in str(live.widget.render_bundle) or live.widget.render_bundle["docs_json"]
    sent = _spy_sends(live)
    source.stream({"x": [3], "y": [3]})
    assert [c["msg"] for c in sent][:3] == ["patch", "patch", "patch"]


def test_view_when_header_viewed_then_first_view_callbacks_run_once():
    view = ClassicView(URL)
    calls: list[int] = []
    view.on_first_view(lambda: calls.append(1))
    assert view.widget is view.widget
    view.header.widget._view_count = 1
    view.header.widget._view_count = 2
    assert calls == [1]
    view.on_first_view(lambda: calls.append(2))
    assert calls == [1, 2]


def test_bokehjs_script_when_built_then_defines_bokeh_on_window_once():
    script = bokehjs_script()
    assert script.startswith("(function(){") and script.endswith("}).call(window);")
    assert script.count("Bokeh") > 10
    assert 1_000_000 < len(script) < 1_500_000


async def test_controls_when_key_accepted_then_held_and_not_asked_again():
    seen: list[tuple[str, str]] = []

    async def command(name: str, key: str) -> Answer:
        seen.append((name, key))
        await asyncio.sleep(0)
        return Answer(True, "Fence lifted")

    view = CommandCenter(URL, command)
    view.controls.key.value = "k" * 32
    answer = await view.controls.submit("fence")
    await view.controls.submit("halt")
    assert answer is not None and answer.ok
    assert seen == [("fence", "k" * 32), ("halt", "k" * 32)]
    assert 'data-state="ok"' in view.controls.result.value
    assert view.controls.key.value == "" and view.controls.key.layout.display == "none"
    assert not any(b.disabled for b in view.controls.buttons.values())


async def test_controls_when_wrong_key_then_forgotten_and_asked_again():
    view = CommandCenter(URL, _refuse)
    view.controls.key.value = "bad"
    await view.controls.submit("flatten")
    assert "Wrong key" in view.controls.result.value
    assert view.controls.key.layout.display is None
    assert await view.controls.submit("flatten") is None
    assert "Enter the safety key first" in view.controls.result.value


def test_classic_when_price_moves_then_footprint_window_follows_last(snapshot):
    view = ClassicView(URL)
    view.show_state(snapshot, [])
    footprint = view.footprint_range.range
    assert (footprint.start, footprint.end) == (5381.25, 5387.25)
    snapshot["price"]["last"] = 5385.0
    view.show_state(snapshot, [])
    assert (footprint.start, footprint.end) == (5381.25, 5387.25)
    snapshot["price"]["last"] = 5388.5
    view.show_state(snapshot, [])
    assert (footprint.start, footprint.end) == (5385.5, 5391.5)


def test_command_center_when_cva_far_away_then_price_range_stays_on_today(snapshot):
    snapshot["value"]["cva"] = {"poc": 5300.0, "val": 5250.0, "vah": 5320.0, "days_included": 5}
    view = CommandCenter(URL, _refuse)
    view.show_state(snapshot, [])
    price_range = view.price_range.range
    assert price_range.start > 5320.0
    assert price_range.start <= 5379.0 and price_range.end >= 5386.5


def test_view_when_problem_then_banner_warns_until_next_state(snapshot):
    view = CommandCenter(URL, _refuse)
    view.show_state(snapshot, [])
    view.show_problem("ValueError: bad")
    assert 'data-problem="true"' in view.banner.value and "ValueError: bad" in view.banner.value
    view.show_state(snapshot, [])
    assert 'data-problem="true"' not in view.banner.value

"""The HTML panels: pure functions of a snapshot, with data-* attributes for selectors and probes."""

import math

import pytest
from ui_samples import T0

from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.ui.html import GREEN, GREY, RED, fmt_money, fmt_time, light_colour
from orderflow_lib.ui.panels_classic import dom_html, tape_html
from orderflow_lib.ui.panels_context import (
    banner_html,
    gauge_svg,
    header_html,
    pressure_html,
    regime_html,
)
from orderflow_lib.ui.panels_ops import (
    activity_html,
    gate_html,
    merge_signals,
    plan_html,
    signal_events,
    signals_html,
    status_html,
)


def test_header_when_snapshot_then_last_price_and_volume_in_data_attributes(snapshot):
    html = header_html(snapshot, connected=True)
    assert 'data-last="5384.25"' in html
    assert 'data-volume="123456"' in html
    assert "OVERLAPPING_HIGHER" in html


def test_header_when_empty_snapshot_then_dashes(empty_snapshot):
    assert 'data-last="—"' in header_html(empty_snapshot, connected=False)


@pytest.mark.parametrize("regime", ["TREND_UP", "TREND_DOWN", "BALANCE", "BREAKOUT_PENDING"])
def test_regime_when_named_then_only_its_lamp_is_lit(snapshot, regime):
    snapshot["regime"]["regime"] = regime
    html = regime_html(snapshot)
    assert f'data-regime="{regime}"' in html
    assert f'data-lamp="{regime}" data-lit="true"' in html
    assert html.count('data-lit="true"') == 1


def test_regime_when_unknown_then_no_lamp_lit_and_reasons_listed(snapshot):
    snapshot["regime"] = {
        "regime": "UNKNOWN",
        "confidence": "LOW",
        "bias": 0,
        "reasons": ["< 3 days"],
    }
    html = regime_html(snapshot)
    assert 'data-lit="true"' not in html
    assert "&lt; 3 days" in html


def test_regime_when_null_then_unknown(empty_snapshot):
    assert 'data-regime="UNKNOWN"' in regime_html(empty_snapshot)


def test_gauge_when_value_out_of_range_then_needle_clamped_and_value_shown():
    html = gauge_svg(3.0, "tape")
    assert 'data-value="+3.00"' in html
    assert 'x2="104.0" y2="58.0"' in html


def test_gauge_when_value_unknown_then_no_needle():
    html = gauge_svg(math.nan, "tape")
    assert "<line" not in html
    assert 'data-value="—"' in html


def test_pressure_when_snapshot_then_both_gauges_and_numbers(snapshot):
    html = pressure_html(snapshot)
    assert 'data-gauge="tape" data-value="+0.12"' in html
    assert 'data-gauge="cd_strength" data-value="+0.40"' in html
    assert "+1,520" in html and "3.1×" in html


def test_banner_when_disconnected_then_says_how_to_start_a_node():
    html = banner_html(False, "http://127.0.0.1:8765", "refused")
    assert 'data-connected="false"' in html
    assert "make demo" in html and "orderflow run" in html
    assert "http://127.0.0.1:8765" in html


def test_banner_when_connected_then_empty_marker():
    assert banner_html(True, "x") == '<div data-connected="true"></div>'


def test_merge_signals_when_event_repeats_snapshot_signal_then_kept_once_with_real_kind(snapshot):
    event = {
        "kind": "signal",
        "id": "sig-1",
        "ts_ns": T0 + 30 * NS_PER_SECOND,
        "seq": 7,
        "strength": 0.9,
    }
    merged = merge_signals(snapshot["signals"], [event])
    assert len(merged) == 1
    assert merged[0]["kind"] == "ABSORPTION"
    assert merged[0]["strength"] == 0.9
    assert "seq" not in merged[0]


def test_merge_signals_when_event_names_signal_kind_then_used_as_kind():
    merged = merge_signals(
        [], [{"kind": "signal", "signal_kind": "EXHAUSTION", "id": "x", "ts_ns": 1}]
    )
    assert merged[0]["kind"] == "EXHAUSTION" and "signal_kind" not in merged[0]


def test_merge_signals_when_more_than_keep_then_newest_kept_oldest_first():
    signals = [{"id": f"s{i}", "ts_ns": i, "kind": "EXHAUSTION"} for i in range(60)]
    merged = merge_signals([], signals, keep=50)
    assert [s["id"] for s in merged] == [f"s{i}" for i in range(10, 60)]


def test_signal_events_when_mixed_events_then_only_signals():
    events = [
        {"kind": "signal", "id": "a"},
        {"kind": "order", "order_id": "o1", "status": "FILLED"},
        {"kind": "ABSORPTION", "id": "b", "strength": 0.5, "direction": -1},
        {"kind": "EXHAUSTION", "id": "c", "event": "signal"},
    ]
    assert [e["id"] for e in signal_events(events)] == ["a", "b", "c"]


def test_signals_html_when_signals_then_newest_first_with_time_price_where(snapshot):
    newer = {
        "id": "sig-2",
        "ts_ns": T0 + 60 * NS_PER_SECOND,
        "kind": "STACKED_IMBALANCE",
        "direction": -1,
        "price": 5386.5,
        "strength": 0.5,
        "where": "ABOVE_VAH",
    }
    html = signals_html([*snapshot["signals"], newer])
    assert html.index('data-signal-id="sig-2"') < html.index('data-signal-id="sig-1"')
    assert "10:01:00" in html and "5386.50" in html and "ABOVE VAH" in html
    assert 'data-kind="STACKED_IMBALANCE" data-direction="SELL"' in html
    assert 'class="of-sell" title="SELL">▼' in html


def test_signals_html_when_none_then_says_so():
    assert "no signals yet" in signals_html([])


def test_plan_when_scenarios_then_each_with_status_badge(snapshot):
    html = plan_html(snapshot)
    assert 'data-scenario-id="S1" data-status="WAITING"' in html
    assert 'data-scenario-id="S2" data-status="TRIGGERED"' in html
    assert "BULLISH" in html


def test_plan_when_null_then_says_no_plan(empty_snapshot):
    assert "no plan" in plan_html(empty_snapshot)


def test_status_when_snapshot_then_balance_pnl_position_and_lights(snapshot):
    html = status_html(snapshot, node_connected=True)
    assert "£10,000.00" in html and "£17.71" in html
    assert "+2 MES @ 5381.00" in html
    assert 'data-connection="IB" data-status="connected"' in html
    assert 'data-connection="node" data-status="connected"' in html


def test_status_when_node_lost_then_node_light_red(snapshot):
    html = status_html(snapshot, node_connected=False)
    assert 'data-connection="node" data-status="disconnected"' in html
    assert RED in html


def test_gate_when_fenced_then_state_and_reason_shown(snapshot):
    snapshot["gate"] = {
        "state": "HALTED",
        "ready": True,
        "fence_active": True,
        "fence_reason": "broker disconnected",
        "breaker_tripped": False,
        "reasons": ["fence active"],
    }
    html = gate_html(snapshot)
    assert 'data-gate-state="HALTED" data-fence-active="true"' in html
    assert "fence active: broker disconnected" in html


def test_gate_when_not_ready_and_breaker_then_both_reasons(snapshot):
    snapshot["gate"].update(ready=False, breaker_tripped=True, state="REDUCING")
    html = gate_html(snapshot)
    assert "not ready" in html and "drawdown breaker tripped" in html


def test_activity_when_events_then_plain_words_newest_first():
    html = activity_html(
        [
            {"kind": "order", "order_id": "o1", "status": "SUBMITTED"},
            {"kind": "gate", "state": "HALTED", "reason": "fence"},
        ]
    )
    assert html.index("gate HALTED: fence") < html.index("order o1 SUBMITTED")


def test_tape_when_trades_then_newest_first_coloured_and_large_marked(snapshot):
    html = tape_html(snapshot)
    assert html.index('data-side="B" data-large="true"') < html.index(
        'data-side="A" data-large="false"'
    )
    assert "40 ★" in html
    assert "of-row-buy" in html and "of-row-sell" in html


def test_dom_when_book_then_asks_above_bids_best_in_the_middle(snapshot):
    html = dom_html(snapshot)
    order = [html.index(f'data-price="{p}"') for p in ("5384.50", "5384.25", "5384.00", "5383.75")]
    assert order == sorted(order)
    assert 'data-book="ask"' in html and 'data-book="bid"' in html


def test_dom_when_empty_then_says_so(empty_snapshot):
    assert "no book yet" in dom_html(empty_snapshot)


@pytest.mark.parametrize(
    ("status", "colour"),
    [("connected", GREEN), ("ok", GREEN), ("disconnected", RED), ("error", RED), (None, GREY)],
)
def test_light_colour_when_status_word_then_traffic_colour(status, colour):
    assert light_colour(status) == colour


def test_fmt_money_when_negative_then_sign_before_symbol():
    assert fmt_money(-1234.5, "£") == "-£1,234.50"


def test_fmt_time_when_ns_then_new_york_clock():
    assert fmt_time(T0) == "10:00:00"

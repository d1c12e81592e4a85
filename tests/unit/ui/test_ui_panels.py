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
    connection_lights,
    gate_html,
    merge_signals,
    nearest_level,
    signal_events,
    signals_html,
)
from orderflow_lib.ui.panels_plan import plan_html, position_html, scenario_sentence


def test_header_when_snapshot_then_last_price_and_volume_in_data_attributes(snapshot):
    html = header_html(snapshot, connected=True)
    assert 'data-last="5384.25"' in html
    assert 'data-volume="123456"' in html
    assert "value vs CVA: <b>overlapping, higher</b>" in html


def test_header_when_no_relationship_yet_then_value_vs_cva_from_price(snapshot):
    snapshot["value"]["relationship"] = None
    snapshot["price"]["last"] = 5360.0
    assert "price 10.00 below the 5-day value" in header_html(snapshot, connected=True)
    snapshot["price"]["last"] = 5375.0
    assert "price inside the 5-day value" in header_html(snapshot, connected=True)


def test_header_when_book_shown_then_top_of_book_taken_from_it(snapshot):
    snapshot["price"].update(bid_size=999, ask_size=888)
    html = header_html(snapshot, connected=True)
    best_bid = max(snapshot["dom"]["bids"])
    best_ask = min(snapshot["dom"]["asks"])
    assert f'data-bid-size="{best_bid[1]}"' in html and f'data-ask-size="{best_ask[1]}"' in html
    assert "999" not in html and "888" not in html


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
    assert "Not called yet" in html


def test_regime_when_null_then_unknown(empty_snapshot):
    assert 'data-regime="UNKNOWN"' in regime_html(empty_snapshot)


def test_gauge_when_value_out_of_range_then_needle_clamped_and_value_shown():
    html = gauge_svg(3.0, "tape")
    assert 'data-value="+3.00"' in html
    assert 'x2="84.0" y2="46.0"' in html


def test_gauge_when_value_rounds_to_zero_then_no_minus_sign():
    assert 'data-value="0.00"' in gauge_svg(-0.001, "tape")


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


def test_signals_html_when_signals_then_newest_first_with_time_price_where_in_words(snapshot):
    newer = {
        "id": "sig-2",
        "ts_ns": T0 + 60 * NS_PER_SECOND,
        "kind": "STACKING",
        "direction": -1,
        "price": 5386.5,
        "strength": 10.0,
        "where": None,
    }
    html = signals_html([*snapshot["signals"], newer], snapshot)
    assert html.index('data-signal-id="sig-2"') < html.index('data-signal-id="sig-1"')
    assert "10:01:00" in html and "5386.50" in html and "orders stacked" in html
    assert 'data-kind="STACKING" data-direction="SELL" data-score="0.50"' in html
    assert "at the value low" in html
    assert "0.50 above the value high" in html
    assert "STACKING" not in html.replace('data-kind="STACKING"', "")


def test_signals_html_when_none_then_says_so(snapshot):
    assert "No order-flow signals yet" in signals_html([], snapshot)


def test_nearest_level_when_price_between_levels_then_names_the_closest(snapshot):
    assert nearest_level(5384.75, snapshot) == "1.25 below the value high"
    assert nearest_level(5382.5, snapshot) == "at VWAP"
    assert nearest_level(5386.0, snapshot) == "at the value high"
    assert nearest_level(None, snapshot) == ""


def test_plan_when_scenarios_then_each_in_words_with_its_state(snapshot):
    html = plan_html(snapshot)
    assert 'data-scenario-id="S1" data-state="waiting"' in html
    assert 'data-scenario-id="S2" data-state="in trade"' in html
    assert "Balanced, range-bound" in html and "buyers (look for longs)" in html
    assert "80% rule (short)" in html and "buy the pullback" in html
    for code in ("EIGHTY", "BVP", "ACCEPT_", "REJECT_AT", "rule 3", "MIGRATING"):
        assert code not in html.replace('data-regime="BALANCE"', ""), code


def test_scenario_sentence_when_conditions_coded_then_if_then_in_words(snapshot):
    s1, s2 = snapshot["plan"]["scenarios"]
    assert scenario_sentence(s2) == (
        "If price holds above 5382.00, buy 5380.00–5382.00, target 5388.00 then 5392.00. "
        "Wrong if price holds below 5376.00."
    )
    assert scenario_sentence(s1).startswith("If price pokes above 5390.00 and is pushed back, sell")


def test_plan_when_null_then_says_when_it_comes(empty_snapshot):
    html = plan_html(empty_snapshot)
    assert 'data-plan="none"' in html and "cash open" in html


def test_position_when_open_then_entry_stop_targets_and_closed_trade_pnl(snapshot):
    html = position_html(snapshot)
    assert 'data-position="2" data-entry="5381.00" data-stop="5376.00"' in html
    assert "5388.00 then 5392.00" in html and "Long 2 MES" in html
    assert 'data-trades="1"' in html and "£15.75" in html and "+2.0R" in html
    assert "5389.00 → 5385.00" in html


def test_position_when_flat_then_says_so(empty_snapshot):
    html = position_html(empty_snapshot)
    assert 'data-position="0"' in html and "Flat" in html and "No closed trades yet" in html


def test_connection_lights_when_synthetic_with_paper_broker_then_no_ib(snapshot):
    names = [name for name, _, _ in connection_lights(snapshot, node_connected=True)]
    assert names == ["paper broker", "synthetic market", "store", "node"]
    assert not any("IB" in n for n in names)


def test_connection_lights_when_live_then_ib_named(snapshot):
    snapshot["source"] = "live"
    names = [name for name, _, _ in connection_lights(snapshot, node_connected=False)]
    assert names[:2] == ["IB broker", "IB market data"]
    assert connection_lights(snapshot, node_connected=False)[-1] == ("node", "lost", RED)


def test_gate_when_fenced_then_state_and_reason_in_words(snapshot):
    snapshot["gate"] = {
        "state": "HALTED",
        "ready": True,
        "fence_active": True,
        "fence_reason": "broker disconnected",
        "breaker_tripped": False,
        "reasons": ["ACCOUNT_UNAVAILABLE: no valid account values"],
    }
    html = gate_html(snapshot)
    assert 'data-gate-state="HALTED" data-fence-active="true"' in html
    assert "Trading halted" in html and "Fence on: Broker disconnected" in html
    assert "Account unavailable: no valid account values" in html


def test_gate_when_not_ready_and_breaker_then_both_reasons(snapshot):
    snapshot["gate"].update(ready=False, breaker_tripped=True, state="REDUCING")
    html = gate_html(snapshot)
    assert "not ready" in html and "daily loss limit" in html


def test_activity_when_gate_changes_then_same_words_as_the_orders_panel(snapshot):
    html = activity_html(
        [
            {"kind": "gate", "state": "HALTED", "reason": "ACCOUNT_UNAVAILABLE: no valid account values"},
            {"kind": "gate", "state": "ACTIVE", "reason": None},
        ],
        snapshot,
    )
    assert "Trading halted: Account unavailable: no valid account values" in html
    assert "Orders allowed" in html and "Gate " not in html


def test_activity_when_events_then_plain_words_newest_first(snapshot):
    html = activity_html(
        [
            {"kind": "signal", "id": "x"},
            {"kind": "journal", "taken": False, "scenario_id": "S1", "text": "score 0.42 < 0.70"},
            {"kind": "fill", "action": "BUY", "quantity": 1, "instrument": "MES", "price": 5381.0},
            {
                "kind": "trade",
                "entry_ticks": 21524.0,
                "exit_ticks": 21540.0,
                "exit": "target",
                "pnl_gbp": 15.75,
            },
        ],
        snapshot,
    )
    assert 'data-activity="3"' in html
    assert html.index("Closed 5381.00 → 5385.00 (target): £15.75") < html.index(
        "Bought 1 MES at 5381.00"
    )
    assert "Skipped S1: Score 0.42 &lt; 0.70" in html


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


def test_activity_when_entry_taken_then_setup_in_words_once_and_whole_reason_on_hover(snapshot):
    reason = "S1 ROTATE short: price pokes above 5011.50 and is pushed back; score 0.81"
    html = activity_html(
        [{"kind": "journal", "taken": True, "scenario_id": "S1", "text": reason}], snapshot
    )
    assert "Took S1: Rotation (short): price pokes above 5011.50" in html
    assert "ROTATE" not in html and html.count("S1") == 2
    assert (
        'title="Took S1: Rotation (short): price pokes above 5011.50 and is pushed back; score 0.81"'
        in html
    )

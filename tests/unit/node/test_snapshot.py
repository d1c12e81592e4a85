"""Snapshot building (notes/SNAPSHOT.md): every key always present, decimal prices, nulls where
unknown, bounded lists, plain JSON."""

from __future__ import annotations

import json
import math
from dataclasses import replace

from node_support import TRADE_DATE

from orderflow_lib.core.config import InstrumentSettings
from orderflow_lib.engine.context import SessionContext
from orderflow_lib.engine.view import MarketView, NodeSignal
from orderflow_lib.flow.candles import VolCandle
from orderflow_lib.flow.signals import Signal, SignalKind
from orderflow_lib.node.snapshot import SnapshotInput, build_snapshot
from orderflow_lib.profiles.value_area import ValueArea

TOP_KEYS = {
    "schema",
    "ts_ns",
    "source",
    "config_hash",
    "trade_date",
    "instrument",
    "price",
    "value",
    "profile",
    "regime",
    "pressure",
    "signals",
    "plan",
    "position",
    "account",
    "connections",
    "gate",
    "tape",
    "candles",
    "footprint",
    "dom",
}
VALUE_KEYS = {"cva", "dva", "prior", "vwap", "ib", "overnight", "relationship"}


def _view(**changes) -> MarketView:
    view = MarketView(
        ts_ns=1_795_000_000_000_000_000,
        trade_date=TRADE_DATE,
        contract="ESZ26",
        source="synthetic",
        last_ticks=21_537,
        volume=123_456,
        high_ticks=21_560,
        low_ticks=21_500,
        bid_ticks=21_536,
        bid_size=12,
        ask_ticks=21_537,
        ask_size=9,
        vwap_ticks=21_530.5,
        sigma_ticks=8.0,
        dva=ValueArea.from_ticks(21_530, 21_520, 21_540, 700, 1_000),
        on_high_ticks=21_550,
        on_low_ticks=21_510,
        ib_high_ticks=21_545,
        ib_low_ticks=21_515,
        in_rth=True,
        cumulative_delta=1_520,
        pressure=0.12,
        large_lot_delta=25,
        intensity=3.1,
    )
    return replace(view, **changes)


def _candle(start_ns: int, close: int) -> VolCandle:
    return VolCandle(
        start_ns,
        start_ns + 60_000_000_000,
        start_ns + 59_000_000_000,
        0,
        close,
        close + 2,
        close - 1,
        close,
        30,
        20,
        10,
        0,
        10,
        12,
        -2,
        0,
        0,
        100,
        112,
        98,
        110,
        close,
        9,
        ((close - 1, 5, 0, 0, 1), (close, 5, 10, 0, 3), (close + 2, 0, 10, 0, 1)),
    )


def _signal(ts_ns: int) -> NodeSignal:
    return NodeSignal(
        f"sig-{ts_ns}", Signal(ts_ns, SignalKind.BID_ABSORPTION, 1, 21_520, 0.8), "AT_VAL"
    )


def test_snapshot_when_nothing_known_then_every_key_present_and_values_null():
    snap = build_snapshot(
        SnapshotInput(source="synthetic", instrument=InstrumentSettings(), contract="ESZ26")
    )

    assert set(snap) == TOP_KEYS
    assert set(snap["value"]) == VALUE_KEYS
    assert snap["price"] == {
        "last": None,
        "bid": None,
        "ask": None,
        "bid_size": None,
        "ask_size": None,
        "volume": None,
    }
    assert snap["value"]["vwap"]["bands"]["0.5"] == [None, None]
    assert snap["signals"] == [] and snap["tape"] == [] and snap["candles"] == []
    assert snap["dom"] == {"bids": [], "asks": []}
    assert snap["instrument"] == {
        "display": "ES",
        "execute": "MES",
        "contract": "ESZ26",
        "tick_size": 0.25,
    }
    json.dumps(snap, allow_nan=False)


def test_snapshot_when_market_known_then_prices_are_decimal_points():
    inp = SnapshotInput(
        source="synthetic",
        instrument=InstrumentSettings(),
        contract="ESZ26",
        view=_view(),
        context=SessionContext(TRADE_DATE, "ESZ26", None, None),
        profile=([21_536, 21_537], [120, 80]),
        dom_bids=[(21_536, 12)],
        dom_asks=[(21_537, 9)],
        overnight_poc_ticks=21_528,
    )

    snap = build_snapshot(inp)

    assert snap["price"] == {
        "last": 5384.25,
        "bid": 5384.0,
        "ask": 5384.25,
        "bid_size": 12,
        "ask_size": 9,
        "volume": 123_456,
    }
    assert snap["value"]["dva"] == {"poc": 5382.5, "val": 5380.0, "vah": 5385.0}
    assert snap["value"]["vwap"]["vwap"] == 5382.625 and snap["value"]["vwap"]["sigma"] == 2.0
    assert snap["value"]["vwap"]["bands"]["1"] == [5380.625, 5384.625]
    assert snap["value"]["vwap"]["bands"]["0.5"] == [5381.625, 5383.625]
    assert snap["value"]["ib"] == {"high": 5386.25, "low": 5378.75}
    assert snap["value"]["overnight"] == {
        "high": 5387.5,
        "low": 5377.5,
        "mid": 5382.5,
        "poc": 5382.0,
    }
    assert snap["profile"] == {"prices": [5384.0, 5384.25], "volumes": [120, 80]}
    assert snap["dom"] == {"bids": [[5384.0, 12]], "asks": [[5384.25, 9]]}
    assert snap["pressure"]["cd"] == 1_520 and snap["pressure"]["tape"] == 0.12
    assert snap["trade_date"] == "2026-11-24" and snap["ts_ns"] == 1_795_000_000_000_000_000
    json.dumps(snap, allow_nan=False)


def test_snapshot_when_vwap_not_started_then_vwap_and_bands_null():
    inp = SnapshotInput(
        source="replay",
        instrument=InstrumentSettings(),
        contract="ESH4",
        view=_view(vwap_ticks=math.nan, sigma_ticks=math.nan),
    )

    snap = build_snapshot(inp)

    assert snap["value"]["vwap"] == {
        "vwap": None,
        "sigma": None,
        "bands": {k: [None, None] for k in ("0.5", "1", "1.5", "2", "3")},
    }
    json.dumps(snap, allow_nan=False)


def test_snapshot_when_many_items_then_lists_are_bounded_and_newest_last():
    base = 1_795_000_000_000_000_000
    inp = SnapshotInput(
        source="synthetic",
        instrument=InstrumentSettings(),
        contract="ESZ26",
        view=_view(),
        signals=[_signal(base + k) for k in range(80)],
        tape=[
            (base + k, 21_500 + k % 3, 30 if k % 2 else 1, 1 if k % 2 else -1) for k in range(70)
        ],
        candles=[_candle(base + k * 60_000_000_000, 21_500 + k) for k in range(150)],
    )

    snap = build_snapshot(inp)

    assert len(snap["signals"]) == 50 and snap["signals"][-1]["id"] == f"sig-{base + 79}"
    assert snap["signals"][-1] == {
        "id": f"sig-{base + 79}",
        "ts_ns": base + 79,
        "kind": "BID_ABSORPTION",
        "direction": 1,
        "price": 5380.0,
        "strength": 0.8,
        "where": "AT_VAL",
    }
    assert len(snap["tape"]) == 50 and snap["tape"][-1]["ts_ns"] == base + 69
    assert snap["tape"][-1]["side"] == "B" and snap["tape"][-1]["large"] is True
    assert snap["tape"][-2]["side"] == "A" and snap["tape"][-2]["large"] is False
    assert len(snap["candles"]) == 120 and snap["candles"][-1]["close"] == 5412.25
    bars = {row["bar_ts_ns"] for row in snap["footprint"]}
    assert len(bars) == 10 and max(bars) == base + 149 * 60_000_000_000
    assert len(snap["footprint"]) == 30
    assert snap["footprint"][-1] == {
        "bar_ts_ns": base + 149 * 60_000_000_000,
        "price": 5412.75,
        "bid_volume": 0,
        "ask_volume": 10,
    }

"""Pure transforms from a node snapshot to Bokeh ColumnDataSource column dicts.

Every column is a fresh list (Bokeh's `stream` extends lists in place, so columns must never share
one). Unknown prices become NaN, which Bokeh leaves undrawn. Times on chart axes are New York
wall-clock milliseconds, so a datetime axis reads like the trader's clock.
"""

from __future__ import annotations

import math
from typing import Any

from orderflow_lib.ui.nytime import NS_PER_MINUTE, ns_to_ny
from orderflow_lib.ui.snapshot import Snapshot, as_float, as_list, dig

Columns = dict[str, list[Any]]

BUY_COLOUR = "#26a65b"
SELL_COLOUR = "#e5484d"
NEUTRAL_COLOUR = "#8b949e"
LAST_COLOUR = "#f0f6fc"
CVA_COLOUR = "#c792ea"
DVA_COLOUR = "#4fc3f7"
VWAP_COLOUR = "#ffb74d"
IB_COLOUR = "#81c784"
ON_COLOUR = "#a8b3bd"
PRIOR_COLOUR = "#e6a06b"

LADDER_GROUPS = ("CVA", "DVA", "VWAP", "IB · ON", "PRIOR", "TRADE")
TRADE_GROUP = 5

# (name, short label on the ladder, ladder group index, snapshot path, colour, dash)
_LEVELS: tuple[tuple[str, str, int, tuple[str, ...], str, str], ...] = (
    ("CVA VAH", "VAH", 0, ("value", "cva", "vah"), CVA_COLOUR, "solid"),
    ("CVA POC", "POC", 0, ("value", "cva", "poc"), CVA_COLOUR, "dashed"),
    ("CVA VAL", "VAL", 0, ("value", "cva", "val"), CVA_COLOUR, "solid"),
    ("DVA VAH", "VAH", 1, ("value", "dva", "vah"), DVA_COLOUR, "solid"),
    ("DVA POC", "POC", 1, ("value", "dva", "poc"), DVA_COLOUR, "dashed"),
    ("DVA VAL", "VAL", 1, ("value", "dva", "val"), DVA_COLOUR, "solid"),
    ("VWAP", "VWAP", 2, ("value", "vwap", "vwap"), VWAP_COLOUR, "solid"),
    ("IB HIGH", "IB high", 3, ("value", "ib", "high"), IB_COLOUR, "solid"),
    ("IB LOW", "IB low", 3, ("value", "ib", "low"), IB_COLOUR, "solid"),
    ("ON HIGH", "ON high", 3, ("value", "overnight", "high"), ON_COLOUR, "dotted"),
    ("ON MID", "ON mid", 3, ("value", "overnight", "mid"), ON_COLOUR, "dotdash"),
    ("ON LOW", "ON low", 3, ("value", "overnight", "low"), ON_COLOUR, "dotted"),
    ("ON POC", "ON POC", 3, ("value", "overnight", "poc"), ON_COLOUR, "dashed"),
    ("PRIOR VAH", "VAH", 4, ("value", "prior", "vah"), PRIOR_COLOUR, "solid"),
    ("PRIOR POC", "POC", 4, ("value", "prior", "poc"), PRIOR_COLOUR, "dashed"),
    ("PRIOR VAL", "VAL", 4, ("value", "prior", "val"), PRIOR_COLOUR, "solid"),
    ("PRIOR HIGH", "high", 4, ("value", "prior", "high"), PRIOR_COLOUR, "dotted"),
    ("PRIOR CLOSE", "close", 4, ("value", "prior", "close"), PRIOR_COLOUR, "dotdash"),
    ("PRIOR LOW", "low", 4, ("value", "prior", "low"), PRIOR_COLOUR, "dotted"),
)

VWAP_BANDS = ("1", "2")


def ny_ms(ts_ns: int) -> float:
    """Epoch milliseconds shifted to New York wall-clock time (for Bokeh datetime axes)."""
    offset = ns_to_ny(ts_ns).utcoffset()
    offset_ms = offset.total_seconds() * 1000.0 if offset is not None else 0.0
    return ts_ns / 1e6 + offset_ms


def format_price(price: float) -> str:
    """A price for display, or an em dash when unknown."""
    return "—" if math.isnan(price) else f"{price:.2f}"


def level_columns(snapshot: Snapshot, bands: tuple[str, ...] = VWAP_BANDS) -> Columns:
    """The value ladder's reference levels: one row per level, fixed order, NaN when unknown.

    `label` is the short ladder label with the price ("VAH 5390.00"; the ladder's column says
    whose VAH); `name` is the full name ("CVA VAH") for charts without columns.
    """
    rows: list[tuple[str, str, int, float, str, str]] = [
        (name, short, group, as_float(dig(snapshot, *path)), colour, dash)
        for name, short, group, path, colour, dash in _LEVELS
    ]
    band_values = dig(snapshot, "value", "vwap", "bands") or {}
    for band in bands:
        pair = band_values.get(band) if isinstance(band_values, dict) else None
        low, high = (as_float(pair[0]), as_float(pair[1])) if pair else (math.nan, math.nan)
        rows.append((f"VWAP +{band}σ", f"+{band}σ", 2, high, VWAP_COLOUR, "dashed"))
        rows.append((f"VWAP -{band}σ", f"-{band}σ", 2, low, VWAP_COLOUR, "dashed"))
    return {
        "name": [r[0] for r in rows],
        "x": [float(r[2]) for r in rows],
        "price": [r[3] for r in rows],
        "colour": [r[4] for r in rows],
        "dash": [r[5] for r in rows],
        "label": [f"{r[1]} {format_price(r[3])}" for r in rows],
    }


def last_price_columns(snapshot: Snapshot) -> Columns:
    """One row: the last traded price and its label."""
    last = as_float(dig(snapshot, "price", "last"))
    return {"name": ["LAST"], "price": [last], "label": [f"LAST {format_price(last)}"]}


ENTRY_COLOUR = "#58a6ff"
STOP_COLOUR = SELL_COLOUR
TARGET_COLOUR = BUY_COLOUR


def mark_columns(snapshot: Snapshot) -> Columns:
    """The last price and the open position's entry, stop and targets (NaN rows when flat)."""
    last = as_float(dig(snapshot, "price", "last"))
    position = snapshot.get("position") or {}
    open_ = bool(position.get("qty"))
    entry = as_float(position.get("avg_price")) if open_ else math.nan
    stop = as_float(position.get("stop")) if open_ else math.nan
    targets = [as_float(t) for t in as_list(position.get("targets"))] if open_ else []
    targets = [*targets, math.nan, math.nan][:2]
    rows = [
        ("LAST", last, f"last {format_price(last)}", LAST_COLOUR),
        ("ENTRY", entry, f"entry {format_price(entry)}", ENTRY_COLOUR),
        ("STOP", stop, f"stop {format_price(stop)}", STOP_COLOUR),
        ("TARGET 1", targets[0], f"T1 {format_price(targets[0])}", TARGET_COLOUR),
        ("TARGET 2", targets[1], f"T2 {format_price(targets[1])}", TARGET_COLOUR),
    ]
    return {
        "name": [r[0] for r in rows],
        "price": [r[1] for r in rows],
        "label": [r[2] for r in rows],
        "colour": [r[3] for r in rows],
    }


def zone_columns(snapshot: Snapshot) -> Columns:
    """Shaded price zones: CVA, DVA and the initial balance (`group`: their ladder column)."""
    zones = (
        ("CVA", ("value", "cva", "val"), ("value", "cva", "vah"), CVA_COLOUR, 0.10),
        ("DVA", ("value", "dva", "val"), ("value", "dva", "vah"), DVA_COLOUR, 0.14),
        ("IB", ("value", "ib", "low"), ("value", "ib", "high"), IB_COLOUR, 0.06),
    )
    return {
        "name": [z[0] for z in zones],
        "low": [as_float(dig(snapshot, *z[1])) for z in zones],
        "high": [as_float(dig(snapshot, *z[2])) for z in zones],
        "colour": [z[3] for z in zones],
        "alpha": [z[4] for z in zones],
        "group": [0, 1, 3],
    }


def profile_columns(snapshot: Snapshot) -> Columns:
    """The session volume profile: one row per traded price (keyed by price)."""
    prices = as_list(dig(snapshot, "profile", "prices"))
    volumes = as_list(dig(snapshot, "profile", "volumes"))
    if len(prices) != len(volumes):
        raise ValueError(
            f"profile prices and volumes must have equal length, were {len(prices)} and {len(volumes)}"
        )
    return {"price": [float(p) for p in prices], "volume": [int(v) for v in volumes]}


def candle_columns(snapshot: Snapshot) -> Columns:
    """One-minute candles keyed by bar start, with body bounds and aggressor colour."""
    candles = as_list(snapshot.get("candles"))
    columns: Columns = {
        key: []
        for key in (
            "ts_ns",
            "time",
            "open",
            "high",
            "low",
            "close",
            "body_low",
            "body_high",
            "volume",
            "delta",
            "colour",
        )
    }
    for candle in candles:
        open_, close = as_float(candle.get("open")), as_float(candle.get("close"))
        columns["ts_ns"].append(int(candle["ts_ns"]))
        columns["time"].append(ny_ms(int(candle["ts_ns"])))
        columns["open"].append(open_)
        columns["high"].append(as_float(candle.get("high")))
        columns["low"].append(as_float(candle.get("low")))
        columns["close"].append(close)
        columns["body_low"].append(min(open_, close))
        columns["body_high"].append(max(open_, close))
        columns["volume"].append(int(candle.get("volume") or 0))
        columns["delta"].append(int(candle.get("delta") or 0))
        columns["colour"].append(BUY_COLOUR if close >= open_ else SELL_COLOUR)
    return columns


CANDLE_WIDTH_MS = 0.7 * NS_PER_MINUTE / 1e6


def footprint_columns(snapshot: Snapshot) -> Columns:
    """Footprint cells keyed by (bar, price): "bid x ask" text and delta (coloured by a mapper)."""
    columns: Columns = {
        key: [] for key in ("key", "time", "price", "bid_volume", "ask_volume", "delta", "text")
    }
    for cell in as_list(snapshot.get("footprint")):
        bar_ts_ns = int(cell["bar_ts_ns"])
        price = as_float(cell.get("price"))
        bid, ask = int(cell.get("bid_volume") or 0), int(cell.get("ask_volume") or 0)
        columns["key"].append(f"{bar_ts_ns}@{price}")
        columns["time"].append(ny_ms(bar_ts_ns))
        columns["price"].append(price)
        columns["bid_volume"].append(bid)
        columns["ask_volume"].append(ask)
        columns["delta"].append(ask - bid)
        columns["text"].append(f"{bid} x {ask}")
    return columns


FOOTPRINT_WIDTH_MS = 0.92 * NS_PER_MINUTE / 1e6


def colour_scale(values: list[int] | list[float]) -> float:
    """A round bound (1, 2 or 5 times a power of ten) at least as large as every |value|.

    Used as a colour mapper's range, so the range changes rarely instead of on every update.
    """
    largest = max((abs(v) for v in values if not math.isnan(v)), default=0.0)
    if largest <= 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(largest))
    for step in (1.0, 2.0, 5.0, 10.0):
        if largest <= step * power:
            return step * power
    return 10.0 * power

"""Where the value ladder's labels go: never on top of each other, and never lost off-screen.

Pure functions from level columns (columns.py), the visible price window and the chart's frame
height in pixels to the rows the ladder draws. Each ladder column (CVA, DVA, VWAP, IB/ON, prior)
stacks its own labels: a label sits at its level's price when there is room and is nudged just
enough otherwise (a thin leader joins it to its level). The levels a trader must always see (the
5-day value, today's value, VWAP and the prior day's value) are pinned to the top or bottom edge
when off-screen, with an arrow, the price and the distance from the last price. Other levels
show only while on screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from orderflow_lib.ui.columns import TRADE_GROUP, Columns, format_price

ALWAYS_SHOWN = frozenset(
    {
        "CVA VAH",
        "CVA POC",
        "CVA VAL",
        "DVA VAH",
        "DVA POC",
        "DVA VAL",
        "VWAP",
        "PRIOR VAH",
        "PRIOR POC",
        "PRIOR VAL",
        "ENTRY",
        "STOP",
        "TARGET 1",
        "TARGET 2",
    }
)
COLUMN_PX = (82, 82, 90, 104, 86, 86)
"""Width of each ladder column (CVA, DVA, VWAP, IB/ON, prior, trade): room for its longest label."""
EDGES_PX = tuple(sum(COLUMN_PX[:i]) for i in range(len(COLUMN_PX) + 1))
"""Column boundaries; the ladder's x axis is in pixels, so these are its data coordinates."""
LINE_PX = 14.0
"""Height of one label line at the ladder's 11 px font, with a little air."""
TICK_PX = 7.0
LABEL_GAP_PX = 3.0


def stack(desired_px: Sequence[float], heights_px: Sequence[float], frame_px: float) -> list[float]:
    """Label centres, in the input order, closest to `desired_px` with no two boxes overlapping.

    Labels keep their order by desired position and stay inside [0, frame_px] when they fit
    (when they do not, the lowest ones run below 0 rather than overlap).
    """
    if len(desired_px) != len(heights_px):
        raise ValueError(
            f"desired_px and heights_px must have equal length, were {len(desired_px)} and "
            f"{len(heights_px)}"
        )
    order = sorted(range(len(desired_px)), key=lambda i: -desired_px[i])
    centres = [0.0] * len(desired_px)
    ceiling = frame_px
    for i in order:
        half = heights_px[i] / 2
        centres[i] = min(desired_px[i], ceiling - half)
        ceiling = centres[i] - half
    floor = 0.0
    for i in reversed(order):
        half = heights_px[i] / 2
        if centres[i] - half < floor:
            centres[i] = floor + half
        floor = centres[i] + half
    ceiling = frame_px
    for i in order:
        half = heights_px[i] / 2
        if centres[i] + half > ceiling:
            centres[i] = ceiling - half
        ceiling = centres[i] - half
    return centres


def _distance(price: float, last: float) -> str:
    if math.isnan(last):
        return ""
    gap = price - last
    return f"{abs(gap):.2f} {'above' if gap > 0 else 'below'}"


def ladder_label_columns(
    levels: Columns, window: tuple[float, float] | None, frame_px: float, last: float
) -> Columns:
    """One row per level (same order as `levels`): its tick, its label and the label's leader.

    Rows of levels not shown have NaN positions and empty text, so the row set never changes
    (the browser gets patches, not replacements).
    """
    count = len(levels["name"])
    out: Columns = {
        "name": list(levels["name"]),
        "x": [float(x) for x in levels["x"]],
        "tick_x0": [EDGES_PX[int(x)] + 2.0 for x in levels["x"]],
        "tick_x1": [EDGES_PX[int(x)] + 2.0 + TICK_PX for x in levels["x"]],
        "label_x": [EDGES_PX[int(x)] + 2.0 + TICK_PX + LABEL_GAP_PX for x in levels["x"]],
        "price": [math.nan] * count,
        "label_y": [math.nan] * count,
        "text": [""] * count,
        "colour": list(levels["colour"]),
        "edge": [""] * count,
    }
    if window is None or window[1] <= window[0]:
        return out
    low, high = window
    per_px = (high - low) / frame_px
    for group in sorted(set(out["x"])):
        rows, desired, heights = [], [], []
        for i in range(count):
            price = levels["price"][i]
            if out["x"][i] != group or math.isnan(price):
                continue
            name = levels["name"][i]
            short = str(levels["label"][i]).rsplit(" ", 1)[0]
            if low <= price <= high:
                rows.append(i)
                desired.append((price - low) / per_px)
                heights.append(LINE_PX)
                out["price"][i] = price
                out["text"][i] = f"{short} {format_price(price)}"
            elif name in ALWAYS_SHOWN:
                above = price > high
                rows.append(i)
                desired.append(
                    frame_px + (price - high) / per_px if above else (price - low) / per_px
                )
                heights.append(2 * LINE_PX)
                out["edge"][i] = "above" if above else "below"
                out["label_x"][i] = out["tick_x0"][i]
                arrow = "▲" if above else "▼"
                out["text"][i] = f"{arrow} {short} {format_price(price)}\n{_distance(price, last)}"
        for i, centre in zip(rows, stack(desired, heights, frame_px), strict=True):
            out["label_y"][i] = low + centre * per_px
    return out


def column_centres() -> list[float]:
    """The x of each ladder column's centre (where its name goes)."""
    return [(EDGES_PX[i] + EDGES_PX[i + 1]) / 2 for i in range(len(COLUMN_PX))]


def ladder_zone_columns(zones: Columns) -> Columns:
    """Zone columns (columns.zone_columns) with `left`/`right` spanning each zone's ladder column."""
    return {
        **{k: list(v) for k, v in zones.items()},
        "left": [float(EDGES_PX[g]) for g in zones["group"]],
        "right": [float(EDGES_PX[g + 1]) for g in zones["group"]],
    }


def with_marks(levels: Columns, marks: Columns) -> Columns:
    """The ladder's levels plus the trade column's marks (last price, entry, stop, targets)."""
    return {
        "name": [*levels["name"], *marks["name"]],
        "x": [*levels["x"], *[float(TRADE_GROUP)] * len(marks["name"])],
        "price": [*levels["price"], *marks["price"]],
        "colour": [*levels["colour"], *marks["colour"]],
        "label": [*levels["label"], *marks["label"]],
    }


def side_label_columns(
    marks: Columns, window: tuple[float, float] | None, frame_px: float
) -> Columns:
    """Labels for price lines across a chart (last price, levels, entry, stop), stacked like the ladder's.

    `marks` has `name`, `price`, `label` and `colour`; marks outside the window are not drawn.
    """
    count = len(marks["name"])
    out: Columns = {
        "name": list(marks["name"]),
        "price": [math.nan] * count,
        "label_y": [math.nan] * count,
        "text": [""] * count,
        "colour": list(marks["colour"]),
    }
    if window is None or window[1] <= window[0]:
        return out
    low, high = window
    per_px = (high - low) / frame_px
    rows = [
        i
        for i in range(count)
        if not math.isnan(marks["price"][i]) and low <= marks["price"][i] <= high
    ]
    desired = [(marks["price"][i] - low) / per_px for i in rows]
    for i, centre in zip(rows, stack(desired, [LINE_PX] * len(rows), frame_px), strict=True):
        out["price"][i] = marks["price"][i]
        out["label_y"][i] = low + centre * per_px
        out["text"][i] = str(marks["label"][i])
    return out

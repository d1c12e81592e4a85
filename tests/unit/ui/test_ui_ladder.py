"""The value ladder's label placement: no two labels overlap, must-see levels are never lost."""

import math

import pytest

from orderflow_lib.ui.columns import level_columns, mark_columns
from orderflow_lib.ui.ladder import (
    ALWAYS_SHOWN,
    LINE_PX,
    ladder_label_columns,
    side_label_columns,
    stack,
    with_marks,
)

FRAME_PX = 600.0


def _boxes(columns: dict, window: tuple[float, float]) -> list[tuple[float, float, float]]:
    """(column, bottom px, top px) of every drawn label."""
    low, high = window
    per_px = (high - low) / FRAME_PX
    boxes = []
    for x, y, text in zip(columns["x"], columns["label_y"], columns["text"], strict=True):
        if not text:
            continue
        half = LINE_PX * (text.count("\n") + 1) / 2
        centre = (y - low) / per_px
        boxes.append((x, centre - half, centre + half))
    return boxes


def _overlaps(boxes: list[tuple[float, float, float]]) -> list[tuple]:
    return [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] == b[0] and a[1] < b[2] - 1e-9 and b[1] < a[2] - 1e-9
    ]


def test_stack_when_labels_crowd_then_pushed_apart_in_price_order():
    centres = stack([100.0, 101.0, 102.0, 300.0], [14.0] * 4, 600.0)
    assert centres[3] == 300.0
    assert centres[2] - centres[1] == pytest.approx(14.0) and centres[1] - centres[
        0
    ] == pytest.approx(14.0)
    assert centres[2] > centres[1] > centres[0]


def test_stack_when_labels_at_the_edges_then_kept_inside_the_frame():
    centres = stack([-50.0, -40.0, 650.0, 640.0], [14.0, 14.0, 28.0, 14.0], 600.0)
    assert min(c - h / 2 for c, h in zip(centres, [14.0, 14.0, 28.0, 14.0], strict=True)) >= 0
    assert max(c + h / 2 for c, h in zip(centres, [14.0, 14.0, 28.0, 14.0], strict=True)) <= 600.0


def test_stack_when_lengths_differ_then_error():
    with pytest.raises(ValueError, match="equal length"):
        stack([1.0], [], 600.0)


def test_ladder_labels_when_levels_dense_then_no_two_overlap(snapshot):
    window = (5378.0, 5388.0)
    levels = with_marks(level_columns(snapshot), mark_columns(snapshot))
    columns = ladder_label_columns(levels, window, FRAME_PX, 5384.25)
    boxes = _boxes(columns, window)
    assert len(boxes) > 15
    assert _overlaps(boxes) == []
    assert all(bottom >= 0 and top <= FRAME_PX for _, bottom, top in boxes)


def test_ladder_labels_when_value_off_screen_then_arrow_with_price_and_distance(snapshot):
    snapshot["value"]["cva"] = {"poc": 5300.0, "val": 5250.0, "vah": 5320.0, "days_included": 5}
    snapshot["value"]["prior"].update(vah=5450.0, poc=5440.0, val=5430.0)
    window = (5378.0, 5388.0)
    columns = ladder_label_columns(level_columns(snapshot), window, FRAME_PX, 5384.25)
    rows = {
        n: (t, e, p)
        for n, t, e, p in zip(
            columns["name"], columns["text"], columns["edge"], columns["price"], strict=True
        )
    }
    assert rows["CVA POC"][:2] == ("▼ POC 5300.00\n84.25 below", "below")
    assert rows["PRIOR VAH"][:2] == ("▲ VAH 5450.00\n65.75 above", "above")
    assert math.isnan(rows["CVA POC"][2])
    assert rows["PRIOR HIGH"][0] == "high 5395.00" or rows["PRIOR HIGH"][0] == ""
    assert _overlaps(_boxes(columns, window)) == []


def test_ladder_labels_when_must_see_level_known_then_always_labelled(snapshot):
    for window in ((5000.0, 5010.0), (5378.0, 5388.0), (6000.0, 6050.0)):
        levels = with_marks(level_columns(snapshot), mark_columns(snapshot))
        columns = ladder_label_columns(levels, window, FRAME_PX, 5384.25)
        shown = {n for n, t in zip(columns["name"], columns["text"], strict=True) if t}
        assert ALWAYS_SHOWN - shown == set(), window


def test_ladder_labels_when_no_window_then_nothing_drawn_and_rows_kept(snapshot):
    columns = ladder_label_columns(level_columns(snapshot), None, FRAME_PX, math.nan)
    assert len(columns["name"]) == len(level_columns(snapshot)["name"])
    assert set(columns["text"]) == {""}


def test_side_labels_when_marks_close_then_stacked_and_outside_ones_hidden(snapshot):
    marks = mark_columns(snapshot)
    marks["price"][1], marks["label"][1] = 5384.0, "entry 5384.00"
    columns = side_label_columns(marks, (5380.0, 5386.0), FRAME_PX)
    by_name = dict(zip(columns["name"], columns["text"], strict=True))
    assert by_name["LAST"] == "last 5384.25" and by_name["ENTRY"] == "entry 5384.00"
    assert by_name["STOP"] == "" and by_name["TARGET 1"] == ""
    last_y, entry_y = columns["label_y"][0], columns["label_y"][1]
    assert (last_y - entry_y) / (6.0 / FRAME_PX) >= LINE_PX - 1e-9

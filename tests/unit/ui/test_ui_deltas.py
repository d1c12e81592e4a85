"""SourceMirror: the smallest patch/stream/replace to bring a ColumnDataSource to new columns."""

import math

import pytest
from bokeh.models import ColumnDataSource
from hypothesis import given
from hypothesis import strategies as st

from orderflow_lib.ui.bokeh_live import LiveSource, apply_delta
from orderflow_lib.ui.deltas import Delta, SourceMirror


def _profile(pairs):
    return {"price": [p for p, _ in pairs], "volume": [v for _, v in pairs]}


def test_update_when_first_columns_then_replace():
    mirror = SourceMirror("price")
    delta = mirror.update(_profile([(1.0, 5)]))
    assert delta.replace == {"price": [1.0], "volume": [5]}


def test_update_when_nothing_changed_then_empty():
    mirror = SourceMirror("price")
    mirror.update(_profile([(1.0, 5), (1.25, 3)]))
    assert mirror.update(_profile([(1.0, 5), (1.25, 3)])).empty


def test_update_when_volume_grows_at_one_price_then_one_patch():
    mirror = SourceMirror("price")
    mirror.update(_profile([(1.0, 5), (1.25, 3)]))
    delta = mirror.update(_profile([(1.0, 5), (1.25, 4)]))
    assert delta == Delta(patches={"volume": [(1, 4)]})


def test_update_when_new_price_below_then_streamed_not_replaced():
    mirror = SourceMirror("price")
    mirror.update(_profile([(1.0, 5), (1.25, 3)]))
    delta = mirror.update(_profile([(0.75, 1), (1.0, 6), (1.25, 3)]))
    assert delta.replace is None
    assert delta.stream == {"price": [0.75], "volume": [1]}
    assert delta.patches == {"volume": [(0, 6)]}
    assert delta.rollover is None
    assert mirror.columns == {"price": [1.0, 1.25, 0.75], "volume": [6, 3, 1]}


def test_update_when_oldest_rows_fall_out_and_new_arrive_then_stream_with_rollover():
    mirror = SourceMirror("ts")
    mirror.update({"ts": [1, 2, 3], "close": [10.0, 11.0, 12.0]})
    delta = mirror.update({"ts": [2, 3, 4], "close": [11.0, 12.5, 13.0]})
    assert delta.patches == {"close": [(2, 12.5)]}
    assert delta.stream == {"ts": [4], "close": [13.0]}
    assert delta.rollover == 3
    assert mirror.columns == {"ts": [2, 3, 4], "close": [11.0, 12.5, 13.0]}


def test_update_when_middle_row_vanishes_then_replace():
    mirror = SourceMirror("ts")
    mirror.update({"ts": [1, 2, 3], "close": [1.0, 2.0, 3.0]})
    delta = mirror.update({"ts": [1, 3], "close": [1.0, 3.0]})
    assert delta.replace == {"ts": [1, 3], "close": [1.0, 3.0]}


def test_update_when_rows_only_dropped_then_replace():
    mirror = SourceMirror("ts")
    mirror.update({"ts": [1, 2], "close": [1.0, 2.0]})
    assert mirror.update({"ts": [2], "close": [2.0]}).replace == {"ts": [2], "close": [2.0]}


def test_update_when_columns_change_then_replace():
    mirror = SourceMirror("ts")
    mirror.update({"ts": [1], "close": [1.0]})
    assert mirror.update({"ts": [1], "open": [1.0]}).replace is not None


def test_update_when_nan_stays_nan_then_no_patch():
    mirror = SourceMirror("name")
    mirror.update({"name": ["VWAP"], "price": [math.nan]})
    assert mirror.update({"name": ["VWAP"], "price": [math.nan]}).empty


def test_update_when_key_column_missing_then_error_names_it():
    with pytest.raises(ValueError, match="key column 'price'"):
        SourceMirror("price").update({"volume": [1]})


def test_update_when_lengths_differ_then_error_lists_lengths():
    with pytest.raises(ValueError, match="equal lengths"):
        SourceMirror("price").update({"price": [1.0, 2.0], "volume": [1]})


def test_update_when_key_repeats_then_error():
    with pytest.raises(ValueError, match="must not repeat"):
        SourceMirror("price").update({"price": [1.0, 1.0], "volume": [1, 2]})


def test_update_when_replace_returned_then_mirror_does_not_alias_caller_lists():
    mirror = SourceMirror("price")
    columns = _profile([(1.0, 5)])
    delta = mirror.update(columns)
    columns["volume"][0] = 99
    assert delta.replace is not None
    assert delta.replace["volume"] == [5]
    assert mirror.columns["volume"] == [5]


_rows = st.dictionaries(
    st.integers(min_value=0, max_value=40).map(lambda t: 5000 + t * 0.25),
    st.integers(min_value=1, max_value=500),
    max_size=25,
)


@given(st.lists(_rows, min_size=1, max_size=6))
def test_apply_delta_when_any_sequence_of_profiles_then_source_holds_the_same_rows(profiles):
    live = LiveSource("price", {"price": [], "volume": []})
    for profile in profiles:
        pairs = sorted(profile.items())
        live.update(_profile(pairs))
        held = dict(zip(live.source.data["price"], live.source.data["volume"], strict=True))
        assert held == dict(pairs)


@given(st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=10))
def test_apply_delta_when_window_slides_then_source_matches_window(ends):
    live = LiveSource("ts", {"ts": [], "close": []})
    for end in sorted(ends):
        window = list(range(max(0, end - 3), end + 1))
        live.update({"ts": window, "close": [float(t * 2 + end) for t in window]})
        assert list(live.source.data["ts"]) == window
        assert list(live.source.data["close"]) == [float(t * 2 + end) for t in window]


def test_apply_delta_when_streaming_then_columns_never_share_a_list():
    source = ColumnDataSource(data={"price": [1.0], "volume": [1]})
    apply_delta(source, Delta(stream={"price": [2.0], "volume": [2]}))
    apply_delta(source, Delta(stream={"price": [3.0], "volume": [3]}))
    assert list(source.data["price"]) == [1.0, 2.0, 3.0]
    assert list(source.data["volume"]) == [1, 2, 3]

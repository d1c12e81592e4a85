"""Validation of trades, quotes and bars: every reason, nothing valid lost, strict mode, real data.

Real data: Databento GLBX.MDP3 extracts, published as test fixtures by the NautilusTrader project
(LGPL-3.0 repository); QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow_lib.core.errors import OffGridPriceError, ValidationError
from orderflow_lib.market.events import BAR_DTYPE, QUOTE_DTYPE, TRADE_DTYPE
from orderflow_lib.market.readers import dbn_trades_array, read_dbn, read_lean_minute
from orderflow_lib.market.validation import (
    CLOSE_OUTSIDE_RANGE,
    CROSSED,
    DUPLICATE,
    EMPTY_QUOTE,
    HIGH_BELOW_LOW,
    INVALID_SIDE,
    INVALID_SIZE,
    INVALID_VOLUME,
    LOCKED,
    NAN_PRICE,
    NEGATIVE_SIZE,
    NEGATIVE_VOLUME,
    NON_POSITIVE_PRICE,
    NON_POSITIVE_SIZE,
    OFF_GRID,
    ONE_SIDED,
    OPEN_OUTSIDE_RANGE,
    OUT_OF_ORDER,
    POSSIBLE_DUPLICATE,
    PRICE_OUT_OF_RANGE,
    to_trade_array,
    validate_bars,
    validate_quotes,
    validate_trades,
)

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
ESH4_HOUR = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
LEAN_MINUTE = DATA / "lean-es-2013" / "minute"
NAN = math.nan


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path


def _trades(rows: list[tuple[int, float, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["ts", "price", "size", "side"]).astype({"ts": "int64"})


def _quotes(rows: list[tuple[int, float, float, float, float]]) -> pd.DataFrame:
    columns = ["ts", "bid", "ask", "bid_size", "ask_size"]
    return pd.DataFrame(rows, columns=columns).astype(float).astype({"ts": "int64"})


def _bars(rows: list[tuple[int, float, float, float, float, float]]) -> pd.DataFrame:
    columns = ["ts", "open", "high", "low", "close", "volume"]
    return pd.DataFrame(rows, columns=columns).astype(float).astype({"ts": "int64"})


def test_validate_trades_when_all_valid_then_everything_kept_and_report_ok() -> None:
    trades = _trades([(1, 4800.25, 1, "B"), (2, 4800.5, 3, "A"), (2, 4800.5, 1, "N")])

    clean, report = validate_trades(trades)

    pd.testing.assert_frame_equal(clean, trades)
    assert report.ok and report.rows_in == report.rows_kept == 3 and report.rows_rejected == 0


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ((2, NAN, 1, "B"), NAN_PRICE),
        ((2, math.inf, 1, "B"), NAN_PRICE),
        ((2, 0.0, 1, "B"), NON_POSITIVE_PRICE),
        ((2, -4800.25, 1, "B"), NON_POSITIVE_PRICE),
        ((2, 4800.1, 1, "B"), OFF_GRID),
        ((2, 4800.25 + 1e-4, 1, "B"), OFF_GRID),
        ((2, 1e300, 1, "B"), PRICE_OUT_OF_RANGE),
        ((2, 4800.25, NAN, "B"), INVALID_SIZE),
        ((2, 4800.25, 1.5, "B"), INVALID_SIZE),
        ((2, 4800.25, 0, "B"), NON_POSITIVE_SIZE),
        ((2, 4800.25, -3, "B"), NON_POSITIVE_SIZE),
        ((2, 4800.25, 1, "X"), INVALID_SIDE),
        ((2, 4800.25, 1, "b"), INVALID_SIDE),
    ],
)
def test_validate_trades_when_row_is_bad_then_rejected_under_its_reason(
    row: tuple[int, float, float, str], reason: str
) -> None:
    trades = _trades([(1, 4800.0, 1, "B"), row, (3, 4800.5, 2, "A")])

    clean, report = validate_trades(trades)

    assert dict(report.rejected) == {reason: 1}
    assert dict(report.first_rejected) == {reason: 1}
    assert clean["ts"].tolist() == [1, 3]
    assert report.rows_kept == 2


def test_validate_trades_when_price_within_relative_tolerance_then_on_grid() -> None:
    trades = _trades([(1, 4800.25 + 1e-10, 1, "B"), (2, 4800.25 - 1e-9, 1, "A")])

    _, report = validate_trades(trades)

    assert report.ok


def test_validate_trades_when_row_fails_twice_then_counted_once_under_first_reason() -> None:
    trades = _trades([(1, NAN, 0, "X")])

    _, report = validate_trades(trades)

    assert dict(report.rejected) == {NAN_PRICE: 1}
    assert report.rows_rejected == 1


def test_validate_trades_when_late_row_then_kept_flagged_and_sorted_back() -> None:
    trades = _trades([(10, 4800.0, 1, "B"), (30, 4800.25, 1, "B"), (20, 4800.5, 2, "A")])

    clean, report = validate_trades(trades)

    assert clean["ts"].tolist() == [10, 20, 30]
    assert dict(report.flagged) == {OUT_OF_ORDER: 1}
    assert dict(report.first_flagged) == {OUT_OF_ORDER: 2}
    assert report.reordered and report.rows_kept == 3


def test_validate_trades_when_reorder_false_then_late_row_stays_in_place() -> None:
    trades = _trades([(10, 4800.0, 1, "B"), (30, 4800.25, 1, "B"), (20, 4800.5, 2, "A")])

    clean, report = validate_trades(trades, reorder=False)

    assert clean["ts"].tolist() == [10, 30, 20]
    assert not report.reordered and report.flagged[OUT_OF_ORDER] == 1


def test_validate_trades_when_equal_timestamps_then_in_order() -> None:
    _, report = validate_trades(_trades([(5, 4800.0, 1, "B"), (5, 4800.25, 1, "A")]))

    assert OUT_OF_ORDER not in report.flagged


def test_validate_trades_when_identical_rows_without_identity_then_kept_as_possible() -> None:
    trades = _trades([(5, 4800.0, 1, "B"), (5, 4800.0, 1, "B")])

    clean, report = validate_trades(trades)

    assert len(clean) == 2
    assert dict(report.flagged) == {POSSIBLE_DUPLICATE: 1}
    assert dict(report.first_flagged) == {POSSIBLE_DUPLICATE: 1}


def test_validate_trades_when_identical_rows_with_order_id_then_duplicate_rejected() -> None:
    trades = _trades([(5, 4800.0, 1, "B"), (5, 4800.0, 1, "B"), (5, 4800.0, 1, "B")])
    trades["order_id"] = [7, 7, 8]

    clean, report = validate_trades(trades)

    assert clean["order_id"].tolist() == [7, 8]
    assert dict(report.rejected) == {DUPLICATE: 1}
    assert dict(report.first_rejected) == {DUPLICATE: 1}


def test_validate_trades_when_duplicates_drop_then_identical_rows_rejected() -> None:
    trades = _trades([(5, 4800.0, 1, "B"), (5, 4800.0, 1, "B")])

    clean, report = validate_trades(trades, duplicates="drop")

    assert len(clean) == 1 and dict(report.rejected) == {DUPLICATE: 1}


def test_validate_trades_when_duplicates_keep_then_not_examined() -> None:
    trades = _trades([(5, 4800.0, 1, "B"), (5, 4800.0, 1, "B")])

    clean, report = validate_trades(trades, duplicates="keep")

    assert len(clean) == 2 and report.ok


def test_validate_trades_when_duplicates_mode_unknown_then_value_error() -> None:
    with pytest.raises(ValueError, match="duplicates must be"):
        validate_trades(_trades([(1, 4800.0, 1, "B")]), duplicates="maybe")


def test_validate_trades_when_strict_then_error_names_first_bad_row_and_reason() -> None:
    trades = _trades([(1, 4800.0, 1, "B"), (2, 4800.0, 1, "B"), (3, 4800.1, 1, "B")])
    trades.loc[1, "size"] = 0

    with pytest.raises(
        ValidationError,
        match=r"trades row 1: non_positive_size: ts=2, price=4800\.0, size=0, side='B'",
    ):
        validate_trades(trades, strict=True)


def test_validate_trades_when_strict_and_out_of_order_then_error() -> None:
    trades = _trades([(2, 4800.0, 1, "B"), (1, 4800.0, 2, "B")])

    with pytest.raises(ValidationError, match="trades row 1: out_of_order"):
        validate_trades(trades, strict=True)


def test_validate_trades_when_strict_and_only_possible_duplicates_then_no_error() -> None:
    trades = _trades([(1, 4800.0, 1, "B"), (1, 4800.0, 1, "B")])

    clean, _ = validate_trades(trades, strict=True)

    assert len(clean) == 2


def test_validate_trades_when_strict_and_off_grid_then_message_names_tick() -> None:
    with pytest.raises(ValidationError, match=r"off_grid \(tick_size 0\.25\)"):
        validate_trades(_trades([(1, 4800.1, 1, "B")]), strict=True)


def test_validate_trades_when_column_missing_then_validation_error() -> None:
    with pytest.raises(ValidationError, match=r"missing \['side'\]"):
        validate_trades(pd.DataFrame({"ts": [1], "price": [1.0], "size": [1]}))


def test_validate_trades_when_ts_is_float_then_validation_error() -> None:
    trades = pd.DataFrame({"ts": [1.5], "price": [1.0], "size": [1], "side": ["B"]})

    with pytest.raises(ValidationError, match="'ts' must be int64 UTC ns"):
        validate_trades(trades)


def test_validate_trades_when_tick_size_not_positive_then_value_error() -> None:
    with pytest.raises(ValueError, match=r"tick_size must be a finite number > 0, was -0\.25"):
        validate_trades(_trades([(1, 4800.0, 1, "B")]), tick_size=-0.25)


def test_validate_trades_when_report_summarised_then_counts_and_first_rows() -> None:
    trades = _trades([(3, 4800.0, 1, "B"), (1, 4800.1, 1, "B"), (2, 4800.0, 1, "A")])

    _, report = validate_trades(trades)

    assert report.summary() == (
        "trades: 3 in, 2 kept; rejected off_grid 1 (first row 1); "
        "flagged out_of_order 1 (first row 2)"
    )


def test_validate_trades_when_trade_array_then_checked_in_ticks() -> None:
    array = np.array(
        [(1, 19201, 1, 1), (3, 19202, 2, -1), (2, 0, 1, 1), (4, 19203, 0, 0), (5, 19203, 1, 2)],
        dtype=TRADE_DTYPE,
    )

    clean, report = validate_trades(array)

    assert clean.dtype == TRADE_DTYPE
    assert clean["ts_ns"].tolist() == [1, 3]
    assert dict(report.rejected) == {NON_POSITIVE_PRICE: 1, NON_POSITIVE_SIZE: 1, INVALID_SIDE: 1}


def test_validate_trades_when_array_has_other_dtype_then_validation_error() -> None:
    with pytest.raises(ValidationError, match="must have dtype"):
        validate_trades(np.zeros(2, dtype=BAR_DTYPE))


def test_validate_trades_when_esh4_trades_without_ids_then_all_kept_44_possible() -> None:
    frame = read_dbn(_need(ESH4_HOUR))
    trades = frame.loc[frame["action"] == "T", ["ts", "price", "size", "side"]]

    clean, report = validate_trades(trades)

    assert report.rows_kept == 2_973 and clean["size"].sum() == 9_892
    assert not report.rejected
    assert dict(report.flagged) == {POSSIBLE_DUPLICATE: 44}


def test_validate_trades_when_esh4_trades_with_order_ids_then_nothing_dropped() -> None:
    frame = read_dbn(_need(ESH4_HOUR))
    trades = frame[frame["action"] == "T"]
    spec_key_twins = trades.duplicated(subset=["sequence", "ts", "price", "size"]).sum()

    clean, report = validate_trades(trades)

    assert spec_key_twins == 15
    assert report.ok and len(clean) == 2_973


def test_validate_trades_when_esh4_trade_array_then_ok_except_possible_duplicates() -> None:
    clean, report = validate_trades(dbn_trades_array(_need(ESH4_HOUR)))

    assert len(clean) == 2_973
    assert set(report.flagged) == {POSSIBLE_DUPLICATE} and not report.rejected


def test_validate_quotes_when_crossed_locked_one_sided_then_kept_and_flagged() -> None:
    quotes = _quotes(
        [(1, 100.0, 100.25, 5, 5), (2, NAN, 100.25, 0, 5), (3, 100.25, 100.25, 5, 5),
         (4, 100.5, 100.25, 5, 5)]
    )  # fmt: skip

    clean, report = validate_quotes(quotes)

    assert len(clean) == 4 and not report.rejected
    assert dict(report.flagged) == {ONE_SIDED: 1, LOCKED: 1, CROSSED: 1}
    assert dict(report.first_flagged) == {ONE_SIDED: 1, LOCKED: 2, CROSSED: 3}


def test_validate_quotes_when_crossed_inside_auction_then_not_counted() -> None:
    quotes = _quotes([(1, 100.5, 100.25, 5, 5), (2, 100.5, 100.25, 5, 5)])

    _, report = validate_quotes(quotes, in_auction=[True, False])

    assert dict(report.flagged) == {CROSSED: 1}
    assert dict(report.first_flagged) == {CROSSED: 1}


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ((2, NAN, NAN, 0, 0), EMPTY_QUOTE),
        ((2, math.inf, 100.25, 1, 1), NAN_PRICE),
        ((2, 0.0, 100.25, 1, 1), NON_POSITIVE_PRICE),
        ((2, 100.0, 100.3, 1, 1), OFF_GRID),
        ((2, 100.0, 100.25, 1.5, 1), INVALID_SIZE),
        ((2, 100.0, 100.25, 1, -1), NEGATIVE_SIZE),
    ],
)
def test_validate_quotes_when_row_is_bad_then_rejected_under_its_reason(
    row: tuple[int, float, float, float, float], reason: str
) -> None:
    quotes = _quotes([(1, 100.0, 100.25, 1, 1), row])

    clean, report = validate_quotes(quotes)

    assert dict(report.rejected) == {reason: 1} and len(clean) == 1


def test_validate_quotes_when_quote_array_then_checked_in_ticks() -> None:
    array = np.array(
        [(1, 400, 5, 401, 5), (2, 401, 5, 400, 5), (3, 0, 5, 401, 5), (4, 400, -1, 401, 5)],
        dtype=QUOTE_DTYPE,
    )

    clean, report = validate_quotes(array)

    assert clean["ts_ns"].tolist() == [1, 2]
    assert dict(report.rejected) == {NON_POSITIVE_PRICE: 1, NEGATIVE_SIZE: 1}
    assert dict(report.flagged) == {CROSSED: 1}


def test_validate_quotes_when_auction_mask_wrong_length_then_value_error() -> None:
    with pytest.raises(ValueError, match=r"one flag per row \(1\)"):
        validate_quotes(_quotes([(1, 100.0, 100.25, 1, 1)]), in_auction=[True, False])


def test_validate_quotes_when_databento_mbp1_top_of_book_then_clean() -> None:
    path = _need(DATA / "databento-schemas" / "test_data.mbp-1.dbn.zst")
    book = read_dbn(path)
    quotes = pd.DataFrame(
        {
            "ts": book["ts"],
            "bid": book["bid_px_00"],
            "ask": book["ask_px_00"],
            "bid_size": book["bid_sz_00"],
            "ask_size": book["ask_sz_00"],
        }
    )

    clean, report = validate_quotes(quotes)

    assert report.ok and len(clean) == 4


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ((2, NAN, 101.0, 100.0, 100.5, 5), NAN_PRICE),
        ((2, 0.0, 101.0, 0.0, 100.5, 5), NON_POSITIVE_PRICE),
        ((2, 100.1, 101.0, 100.0, 100.5, 5), OFF_GRID),
        ((2, 100.5, 100.0, 101.0, 100.5, 5), HIGH_BELOW_LOW),
        ((2, 101.5, 101.0, 100.0, 100.5, 5), OPEN_OUTSIDE_RANGE),
        ((2, 100.5, 101.0, 100.0, 99.5, 5), CLOSE_OUTSIDE_RANGE),
        ((2, 100.5, 101.0, 100.0, 100.5, 2.5), INVALID_VOLUME),
        ((2, 100.5, 101.0, 100.0, 100.5, -1), NEGATIVE_VOLUME),
    ],
)
def test_validate_bars_when_bar_is_bad_then_rejected_under_its_reason(
    row: tuple[int, float, float, float, float, float], reason: str
) -> None:
    bars = _bars([(1, 100.0, 101.0, 100.0, 100.5, 5), row])

    clean, report = validate_bars(bars)

    assert dict(report.rejected) == {reason: 1} and len(clean) == 1


def test_validate_bars_when_bar_array_then_checked_in_ticks() -> None:
    array = np.array(
        [(1, 400, 404, 400, 402, 5), (2, 400, 399, 401, 400, 5), (0, 400, 404, 400, 402, 0)],
        dtype=BAR_DTYPE,
    )

    clean, report = validate_bars(array)

    assert clean["ts_ns"].tolist() == [0, 1]
    assert dict(report.rejected) == {HIGH_BELOW_LOW: 1}
    assert dict(report.flagged) == {OUT_OF_ORDER: 1}


def test_validate_bars_when_lean_week_all_contracts_then_every_bar_kept() -> None:
    bars = read_lean_minute(_need(LEAN_MINUTE), front_only=False)

    clean, report = validate_bars(bars)

    assert report.ok and len(clean) == len(bars)


def test_to_trade_array_when_valid_frame_then_ticks_and_side_codes() -> None:
    trades = _trades([(1, 4800.25, 3, "B"), (2, 4800.0, 1, "A"), (3, 4800.5, 2, "N")])

    array = to_trade_array(trades)

    assert array.dtype == TRADE_DTYPE
    assert array["price_ticks"].tolist() == [19201, 19200, 19202]
    assert array["side"].tolist() == [1, -1, 0]
    assert array["size"].tolist() == [3, 1, 2]


def test_to_trade_array_when_price_off_grid_then_off_grid_error_names_row() -> None:
    trades = _trades([(1, 4800.25, 3, "B"), (2, 4800.1, 1, "A")])

    with pytest.raises(OffGridPriceError, match=r"row 1: price 4800\.1 is not a multiple"):
        to_trade_array(trades)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ((1, NAN, 1, "B"), "price is not a finite number"),
        ((1, 4800.0, 1.5, "B"), "size is not a whole number"),
        ((1, 4800.0, 1, "BUY"), "side must be 'B', 'A' or 'N'"),
    ],
)
def test_to_trade_array_when_row_unconvertible_then_validation_error(
    row: tuple[int, float, float, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=f"trades row 0: {message}"):
        to_trade_array(_trades([row]))


def test_to_trade_array_when_esh4_frame_then_equals_dbn_trades_array() -> None:
    frame = read_dbn(_need(ESH4_HOUR))
    trades = frame[frame["action"] == "T"]

    np.testing.assert_array_equal(to_trade_array(trades), dbn_trades_array(ESH4_HOUR))


PRICES = st.one_of(
    st.sampled_from([4800.0, 4800.25, 4800.5, 4800.1, 0.0, -0.25, NAN, math.inf, -math.inf]),
    st.floats(min_value=-1e12, max_value=1e12),
    st.floats(allow_nan=True, allow_infinity=True),
)
SIZES = st.one_of(st.integers(-2, 5), st.sampled_from([NAN, 1.5, 2.0]))
ROWS = st.lists(
    st.tuples(st.integers(0, 20), PRICES, SIZES, st.sampled_from(["B", "A", "N", "X", ""])),
    max_size=40,
)


def _is_valid(price: float, size: float, side: str) -> bool:
    in_range = math.isfinite(price) and abs(price / 0.25) <= 2**53
    on_grid = in_range and abs(price - round(price / 0.25) * 0.25) <= 1e-9 * max(abs(price), 0.25)
    whole = math.isfinite(size) and size == round(size)
    return on_grid and price > 0 and whole and size > 0 and side in ("B", "A", "N")


def _frame(rows: list[tuple[int, float, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ts": np.array([r[0] for r in rows], dtype=np.int64),
            "price": np.array([r[1] for r in rows], dtype=np.float64),
            "size": np.array([r[2] for r in rows], dtype=np.float64),
            "side": pd.Series([r[3] for r in rows], dtype="str"),
        }
    )


@settings(max_examples=200, deadline=None)
@given(ROWS)
def test_validate_trades_property_when_arbitrary_rows_then_counts_add_up_and_valid_rows_kept(
    rows: list[tuple[int, float, float, str]],
) -> None:
    clean, report = validate_trades(_frame(rows))

    valid = [(ts, p, s, side) for ts, p, s, side in rows if _is_valid(p, s, side)]
    assert report.rows_in == len(rows)
    assert report.rows_kept + report.rows_rejected == len(rows)
    assert len(clean) == report.rows_kept == len(valid)
    assert Counter(clean.itertuples(index=False, name=None)) == Counter(valid)
    assert clean["ts"].is_monotonic_increasing


@settings(max_examples=100, deadline=None)
@given(ROWS)
def test_validate_trades_property_when_strict_then_raises_exactly_when_rows_bad_or_late(
    rows: list[tuple[int, float, float, str]],
) -> None:
    _, report = validate_trades(_frame(rows))
    expect_error = bool(report.rejected) or OUT_OF_ORDER in report.flagged

    try:
        validate_trades(_frame(rows), strict=True)
        raised = False
    except ValidationError:
        raised = True

    assert raised == expect_error


@settings(max_examples=100, deadline=None)
@given(ROWS, st.lists(st.integers(0, 3), min_size=40, max_size=40))
def test_validate_trades_property_when_order_ids_then_only_exact_twins_dropped(
    rows: list[tuple[int, float, float, str]], order_ids: list[int]
) -> None:
    frame = _frame(rows).assign(order_id=order_ids[: len(rows)])

    clean, report = validate_trades(frame)

    valid = [(*row, oid) for row, oid in zip(rows, order_ids, strict=False) if _is_valid(*row[1:])]
    assert Counter(clean.itertuples(index=False, name=None)) == Counter(set(valid))
    assert report.rows_kept + report.rows_rejected == len(rows)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(-3, 30), st.integers(-2, 5), st.integers(-2, 2)),
        max_size=40,
    )
)
def test_validate_trades_property_when_arbitrary_arrays_then_valid_rows_kept(
    rows: list[tuple[int, int, int, int]],
) -> None:
    array = np.array(rows, dtype=TRADE_DTYPE)

    clean, report = validate_trades(array)

    valid = [r for r in rows if r[1] > 0 and r[2] > 0 and r[3] in (-1, 0, 1)]
    assert report.rows_kept + report.rows_rejected == len(rows)
    assert Counter(map(tuple, clean.tolist())) == Counter(valid)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), PRICES, PRICES, st.integers(-1, 3), st.integers(-1, 3)),
        max_size=30,
    )
)
def test_validate_quotes_property_when_arbitrary_rows_then_never_crashes_and_adds_up(
    rows: list[tuple[int, float, float, int, int]],
) -> None:
    clean, report = validate_quotes(_quotes(rows))

    assert report.rows_kept + report.rows_rejected == len(rows) == report.rows_in
    assert len(clean) == report.rows_kept


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), PRICES, PRICES, PRICES, PRICES, st.integers(-1, 3)),
        max_size=30,
    )
)
def test_validate_bars_property_when_arbitrary_rows_then_never_crashes_and_adds_up(
    rows: list[tuple[int, float, float, float, float, int]],
) -> None:
    clean, report = validate_bars(_bars(rows))

    assert report.rows_kept + report.rows_rejected == len(rows) == report.rows_in
    assert len(clean) == report.rows_kept

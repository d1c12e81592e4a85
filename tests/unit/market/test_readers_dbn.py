"""Databento DBN reader: real CME files, parity with databento_dbn's own decoder, mixed streams, errors.

Data: Databento GLBX.MDP3 extracts, published as test fixtures by the NautilusTrader project
(LGPL-3.0 repository); databento-python test data, Apache-2.0.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import databento_dbn
import numpy as np
import pandas as pd
import pytest
import zstandard

from orderflow_lib.core.errors import DataError, OffGridPriceError
from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.market.readers import dbn_mbo_array, dbn_trades_array, load_dbn_records, read_dbn
from orderflow_lib.market.readers.dbn import (
    MBO_ADD,
    MBO_CLEAR,
    MBO_DTYPE,
    UNDEF_PRICE_TICKS,
    dbn_instrument_symbols,
)

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
MBO_DIR = DATA / "databento-es-mbo"
SCHEMAS_DIR = DATA / "databento-schemas"
ESH4_HOUR = MBO_DIR / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
ESM4_SNAPSHOT = MBO_DIR / "esm4-glbx-mdp3-20240508-snapshot.mbo.dbn.zst"
TRADES_FILE = SCHEMAS_DIR / "test_data.trades.dbn.zst"
OHLCV_FILE = SCHEMAS_DIR / "test_data.ohlcv-1m.dbn.zst"
TRI_STATE = {"Y": True, "N": False, "~": None}
UNDEFINED_INTS = {databento_dbn.UNDEF_TIMESTAMP, 2**63 - 1, 2**31 - 1}


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path


ALL_DBN_FILES = [
    MBO_DIR / name
    for name in (
        "definition-glbx-es-fut.dbn.zst",
        "esh4-glbx-mdp3-20231224.mbo.dbn.zst",
        "esh4-glbx-mdp3-20231225.mbo.dbn.zst",
        "esm4-definition.dbn.zst",
        "esm4-glbx-mdp3-20240508-snapshot.mbo.dbn.zst",
    )
] + [
    SCHEMAS_DIR / f"test_data.{schema}.dbn.zst"
    for schema in (
        "bbo-1m",
        "bbo-1s",
        "definition",
        "mbo",
        "mbp-1",
        "mbp-10",
        "ohlcv-1d",
        "ohlcv-1h",
        "ohlcv-1m",
        "ohlcv-1s",
        "statistics",
        "status",
        "tbbo",
        "trades",
    )
]


def _raw_bytes(path: Path) -> bytes:
    with path.open("rb") as handle, zstandard.ZstdDecompressor().stream_reader(handle) as reader:
        return reader.read()


def _body(path: Path) -> bytes:
    raw = _raw_bytes(path)
    return raw[8 + int.from_bytes(raw[4:8], "little") :]


def _write_dbn(
    path: Path, schema: databento_dbn.Schema | None, body: bytes, mappings: list | None = None
) -> Path:
    metadata = databento_dbn.Metadata(
        dataset="GLBX.MDP3",
        start=1_609_113_600_000_000_000,
        stype_in=databento_dbn.SType.RAW_SYMBOL,
        stype_out=databento_dbn.SType.INSTRUMENT_ID,
        schema=schema,
        mappings=mappings or [],
        version=3,
    )
    path.write_bytes(bytes(metadata) + body)
    return path


def _mapping(raw_symbol: str, instrument_id: int) -> SimpleNamespace:
    interval = SimpleNamespace(
        start_date=dt.date(2020, 12, 28), end_date=dt.date(2020, 12, 29), symbol=str(instrument_id)
    )
    return SimpleNamespace(raw_symbol=raw_symbol, intervals=[interval])


def _two_instrument_trades(tmp_path: Path) -> Path:
    """The 4 ESH1 trades of the schema sample, the last two relabelled as a spread (id 7777)."""
    records = np.frombuffer(_body(_need(TRADES_FILE)), dtype=databento_dbn.TradeMsg._dtypes).copy()
    records["instrument_id"][2:] = 7777
    mappings = [_mapping("ESH1", 5482), _mapping("ESH1-ESM1", 7777)]
    return _write_dbn(
        tmp_path / "two.trades.dbn", databento_dbn.Schema.TRADES, records.tobytes(), mappings
    )


def test_read_dbn_when_esh4_hour_then_trades_match_the_checked_facts() -> None:
    frame = read_dbn(_need(ESH4_HOUR))

    trades = frame[frame["action"] == "T"]

    assert len(frame) == 68_792
    assert len(trades) == 2_973
    assert trades["size"].sum() == 9_892
    assert trades["side"].value_counts().to_dict() == {"B": 1_542, "A": 1_430, "N": 1}
    assert (trades["price"].min(), trades["price"].max()) == (4800.25, 4811.75)
    assert set(frame["symbol"]) == {"ESH4"}


def test_read_dbn_when_mbo_then_columns_have_engine_types() -> None:
    frame = read_dbn(_need(ESH4_HOUR))

    assert list(frame.columns[:4]) == ["ts", "price", "size", "side"]
    assert frame["ts"].dtype == np.int64
    assert frame["ts_recv"].dtype == np.int64
    assert frame["price"].dtype == np.float64
    assert frame["size"].dtype == np.int64
    assert set(frame["side"]) <= {"B", "A", "N"}
    assert set(frame["action"]) == {"A", "C", "M", "T", "F"}
    assert frame["order_id"].dtype == np.uint64
    assert "ts_event" not in frame.columns and "length" not in frame.columns


@pytest.mark.parametrize("path", ALL_DBN_FILES, ids=lambda p: p.name)
def test_read_dbn_when_any_schema_then_matches_databento_decoder_record_by_record(
    path: Path,
) -> None:
    frame = read_dbn(_need(path))
    decoder = databento_dbn.DBNDecoder(
        upgrade_policy=databento_dbn.VersionUpgradePolicy.from_int(
            int(databento_dbn.VersionUpgradePolicy.AS_IS)
        )
    )
    decoder.write(_raw_bytes(path))
    records = [r for r in decoder.decode() if not isinstance(r, databento_dbn.Metadata)]

    assert len(frame) == len(records) > 0
    for column in frame.columns.drop("symbol"):
        attr = "ts_event" if column == "ts" else column
        if hasattr(records[0], attr):
            expected = _expected(frame[column], [getattr(r, attr) for r in records])
            if frame[column].dtype == np.float64:
                np.testing.assert_array_equal(frame[column].to_numpy(), expected, err_msg=column)
            else:
                assert frame[column].tolist() == expected, column


def _expected(column: pd.Series, reference: list[Any]) -> list[Any]:
    """What read_dbn must show for the values databento_dbn decoded, by the column's type."""
    if column.dtype == np.float64:
        return [
            math.nan if int(v) == databento_dbn.UNDEF_PRICE else int(v) / 1e9 for v in reference
        ]
    if isinstance(column.dtype, pd.Int64Dtype):
        return [pd.NA if int(v) in UNDEFINED_INTS else int(v) for v in reference]
    if column.dtype.kind in "iu":
        return [int(v) for v in reference]
    if isinstance(reference[0], bool) or reference[0] is None:
        return [next(k for k, b in TRI_STATE.items() if b == v) for v in reference]
    text = [str(v).rstrip("\x00") for v in reference]
    return [t or "N" for t in text] if column.name == "side" else text


def test_read_dbn_when_statistics_then_undefined_values_are_na() -> None:
    frame = read_dbn(_need(SCHEMAS_DIR / "test_data.statistics.dbn.zst"))

    assert frame["ts_ref"].isna().all()
    assert frame["quantity"].isna().all()
    assert frame["price"].tolist() == [3707.75, 3708.0, 3708.25, 3708.25]
    assert (frame["size"] == 0).all() and (frame["side"] == "N").all()


def test_read_dbn_when_ohlcv_then_bar_prices_are_decimals_and_price_is_nan() -> None:
    frame = read_dbn(_need(OHLCV_FILE))

    first = frame.iloc[0]

    assert (first["open"], first["high"], first["low"], first["close"]) == (
        3702.75,
        3704.75,
        3702.5,
        3704.75,
    )
    assert first["volume"] == 306
    assert frame["price"].isna().all()


def test_read_dbn_when_mbp10_then_level_prices_are_floats() -> None:
    frame = read_dbn(_need(SCHEMAS_DIR / "test_data.mbp-10.dbn.zst"))

    assert frame.loc[0, "bid_px_00"] == 3702.25
    assert frame.loc[0, "ask_px_09"] == 3705.0
    assert frame["bid_px_05"].dtype == np.float64


def test_read_dbn_when_uncompressed_copy_then_same_frame(tmp_path: Path) -> None:
    plain = tmp_path / "esh4.mbo.dbn"
    plain.write_bytes(_raw_bytes(_need(ESH4_HOUR)))

    pd.testing.assert_frame_equal(read_dbn(plain), read_dbn(ESH4_HOUR))


def test_read_dbn_when_filtered_by_symbol_then_only_that_instrument(tmp_path: Path) -> None:
    path = _two_instrument_trades(tmp_path)

    everything = read_dbn(path)
    outright = read_dbn(path, symbol="ESH1")
    spread = read_dbn(path, instrument_id=7777)

    assert everything["symbol"].tolist() == ["ESH1", "ESH1", "ESH1-ESM1", "ESH1-ESM1"]
    assert outright["instrument_id"].tolist() == [5482, 5482]
    assert spread["symbol"].tolist() == ["ESH1-ESM1", "ESH1-ESM1"]
    assert read_dbn(path, symbol=["NOPE"]).empty


def test_read_dbn_when_symbols_overridden_then_override_wins(tmp_path: Path) -> None:
    path = _two_instrument_trades(tmp_path)

    frame = read_dbn(path, instrument_symbols={7777: "SPREAD"})

    assert frame["symbol"].tolist() == ["ESH1", "ESH1", "SPREAD", "SPREAD"]


def test_read_dbn_when_mixed_record_stream_then_schema_selects_records(tmp_path: Path) -> None:
    body = _body(_need(TRADES_FILE)) + _body(_need(OHLCV_FILE)) + _body(TRADES_FILE)
    path = _write_dbn(tmp_path / "live.dbn", None, body)

    trades = read_dbn(path, schema="trades")
    bars = read_dbn(path, schema="ohlcv-1m")

    assert len(trades) == 8
    assert trades["price"].tolist()[:4] == read_dbn(TRADES_FILE)["price"].tolist()
    assert bars["close"].tolist() == read_dbn(OHLCV_FILE)["close"].tolist()
    assert read_dbn(path, schema="mbo").empty
    with pytest.raises(DataError, match="mixes record types"):
        read_dbn(path)


def test_read_dbn_when_schema_differs_from_file_then_error() -> None:
    with pytest.raises(DataError, match="holds 'trades' records, not 'mbo'"):
        read_dbn(_need(TRADES_FILE), schema="mbo")


def test_read_dbn_when_schema_unknown_then_value_error() -> None:
    with pytest.raises(ValueError, match="schema must be one of"):
        read_dbn(_need(TRADES_FILE), schema="ticks")


def test_read_dbn_when_file_truncated_then_error_names_the_file_and_byte(tmp_path: Path) -> None:
    raw = _raw_bytes(_need(TRADES_FILE))
    path = tmp_path / "cut.dbn"
    path.write_bytes(raw[:-5])

    with pytest.raises(
        DataError, match=rf"^{re.escape(str(path))}: DBN record at byte 504 is truncated or corrupt"
    ):
        read_dbn(path)


def test_read_dbn_when_not_dbn_then_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.dbn"
    path.write_bytes(b"hello, world")

    with pytest.raises(DataError, match="not a DBN file"):
        read_dbn(path)


def test_dbn_trades_array_when_esh4_hour_then_matches_frame_trades() -> None:
    frame = read_dbn(_need(ESH4_HOUR))
    trades = frame[frame["action"] == "T"]

    array = dbn_trades_array(ESH4_HOUR)

    assert array.dtype == TRADE_DTYPE
    assert len(array) == 2_973
    np.testing.assert_array_equal(array["ts_ns"], trades["ts"].to_numpy())
    np.testing.assert_array_equal(array["price_ticks"] * 0.25, trades["price"].to_numpy())
    assert array["size"].sum() == 9_892
    assert (int((array["side"] == 1).sum()), int((array["side"] == -1).sum())) == (1_542, 1_430)
    assert array["price_ticks"].min() == 19_201


def test_dbn_trades_array_when_tick_does_not_fit_prices_then_off_grid_error() -> None:
    with pytest.raises(OffGridPriceError, match=r"not a multiple of tick_size 0\.5"):
        dbn_trades_array(_need(ESH4_HOUR), tick_size=0.5)


def test_dbn_trades_array_when_two_instruments_then_one_must_be_chosen(tmp_path: Path) -> None:
    path = _two_instrument_trades(tmp_path)

    with pytest.raises(DataError, match="2 instruments"):
        dbn_trades_array(path)
    outright = dbn_trades_array(path, symbol="ESH1")

    assert outright["price_ticks"].tolist() == [14811, 14811]


def test_dbn_trades_array_when_schema_has_no_trades_then_error() -> None:
    with pytest.raises(DataError, match="has no trades"):
        dbn_trades_array(_need(OHLCV_FILE))


def test_dbn_trades_array_when_tick_size_not_positive_then_value_error() -> None:
    with pytest.raises(ValueError, match="tick_size must be > 0, was 0"):
        dbn_trades_array(_need(TRADES_FILE), tick_size=0)


def test_dbn_mbo_array_when_esm4_file_replayed_then_book_ends_5214_00_by_5214_25() -> None:
    messages = dbn_mbo_array(_need(ESM4_SNAPSHOT))

    book = _replay_book(messages)
    bids = [price for price, side in book.values() if side == 1]
    asks = [price for price, side in book.values() if side == -1]

    assert messages.dtype == MBO_DTYPE and len(messages) == 13_796
    assert (max(bids) * 0.25, min(asks) * 0.25) == (5214.00, 5214.25)
    assert (len(set(bids)), len(set(asks))) == (976, 571)


def test_dbn_mbo_array_when_book_clear_then_price_is_undefined_ticks() -> None:
    messages = dbn_mbo_array(_need(ESM4_SNAPSHOT))

    first = messages[0]

    assert first["action"] == MBO_CLEAR
    assert first["price_ticks"] == UNDEF_PRICE_TICKS
    assert messages[1]["action"] == MBO_ADD and messages[1]["price_ticks"] == 20_622


def test_dbn_mbo_array_when_not_mbo_then_error() -> None:
    with pytest.raises(DataError, match="expected 'mbo'"):
        dbn_mbo_array(_need(TRADES_FILE))


def test_dbn_instrument_symbols_when_definition_file_then_maps_id_to_raw_symbol() -> None:
    assert dbn_instrument_symbols(_need(MBO_DIR / "esm4-definition.dbn.zst")) == {5602: "ESM4"}


def test_load_dbn_records_when_v1_file_then_layout_of_that_version() -> None:
    loaded = load_dbn_records(_need(ESH4_HOUR))

    assert loaded.metadata.version == 1
    assert loaded.schema == "mbo"
    assert loaded.records.dtype.itemsize == 56


def _replay_book(messages: np.ndarray) -> dict[int, tuple[int, int]]:
    """Plain reference book: order_id -> (price_ticks, side) after applying add/cancel/modify/clear."""
    orders: dict[int, list[int]] = {}
    for message in messages:
        action, order_id = chr(message["action"]), int(message["order_id"])
        if action == "R":
            orders.clear()
        elif action in ("A", "M"):
            orders[order_id] = [
                int(message["price_ticks"]),
                int(message["side"]),
                int(message["size"]),
            ]
        elif action == "C" and order_id in orders:
            orders[order_id][2] -= int(message["size"])
            if orders[order_id][2] <= 0:
                del orders[order_id]
    return {oid: (price, side) for oid, (price, side, _) in orders.items()}

"""CSV / Parquet trade exports: column mapping, timestamps with zones, side spellings, round trips.

Real-data round trip: Databento GLBX.MDP3 extracts, published as test fixtures by the
NautilusTrader project (LGPL-3.0 repository).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orderflow_lib.core.errors import DataError
from orderflow_lib.market.readers import (
    read_dbn,
    read_trades_csv,
    read_trades_parquet,
    write_trades_parquet,
)

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
ESH4_HOUR = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
OPEN_2024_01_02_NS = 1_704_205_800_000_000_000  # 2024-01-02 09:30:00 ET
OPEN_2024_01_02_MS = OPEN_2024_01_02_NS // 1_000_000


def _csv(tmp_path: Path, text: str, name: str = "trades.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_trades_csv_when_standard_columns_then_typed_frame(tmp_path: Path) -> None:
    later = OPEN_2024_01_02_NS + 5
    path = _csv(
        tmp_path, f"ts,price,size,side\n{OPEN_2024_01_02_NS},4800.25,3,B\n{later},4800.5,1,A\n"
    )

    trades = read_trades_csv(path)

    assert list(trades.columns) == ["ts", "price", "size", "side"]
    assert trades["ts"].tolist() == [OPEN_2024_01_02_NS, later]
    assert trades["price"].tolist() == [4800.25, 4800.5]
    assert trades["size"].tolist() == [3, 1]
    assert trades["side"].tolist() == ["B", "A"]
    assert (trades["ts"].dtype, trades["size"].dtype) == (np.int64, np.int64)


def test_read_trades_csv_when_iso_text_with_zones_then_exact_utc_ns(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "ts,price,size,side\n"
        "2024-01-02T09:30:00.000000001-05:00,1,1,B\n"
        "2024-01-02T14:30:00Z,1,1,B\n"
        "2024-07-01T09:30:00-04:00,1,1,B\n",
    )

    trades = read_trades_csv(path)

    assert trades["ts"].tolist() == [
        OPEN_2024_01_02_NS + 1,
        OPEN_2024_01_02_NS,
        1_719_840_600_000_000_000,
    ]


def test_read_trades_csv_when_text_time_has_no_zone_then_error_names_row(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "ts,price,size,side\n2024-01-02T14:30:00Z,1,1,B\n2024-01-02 09:30,1,1,B\n"
    )

    with pytest.raises(DataError, match="row 1 ts '2024-01-02 09:30' has no zone"):
        read_trades_csv(path)


def test_read_trades_csv_when_mapping_given_then_source_columns_renamed(tmp_path: Path) -> None:
    ms = OPEN_2024_01_02_MS
    path = _csv(tmp_path, f"time;last;qty\n{ms};4800.25;2\n{ms + 1000};4800.5;4\n")

    trades = read_trades_csv(
        path, {"ts": "time", "price": "last", "size": "qty", "side": None}, ts_unit="ms", sep=";"
    )

    assert trades["ts"].tolist() == [OPEN_2024_01_02_NS, OPEN_2024_01_02_NS + 1_000_000_000]
    assert trades["side"].tolist() == ["N", "N"]


def test_read_trades_csv_when_side_column_absent_and_unmapped_then_error_hints(
    tmp_path: Path,
) -> None:
    path = _csv(tmp_path, "ts,price,size\n1,4800.25,2\n")

    with pytest.raises(DataError, match="map it to None if the source has no side"):
        read_trades_csv(path)


def test_read_trades_csv_when_side_spellings_vary_then_normalised(tmp_path: Path) -> None:
    sides = ["B", "buy", "1", "A", "S", "Sell", "-1", "N", "unknown", "0", ""]
    rows = "".join(f"{OPEN_2024_01_02_NS + i},1,1,{side}\n" for i, side in enumerate(sides))
    path = _csv(tmp_path, "ts,price,size,side\n" + rows)

    trades = read_trades_csv(path)

    assert trades["side"].tolist() == ["B"] * 3 + ["A"] * 4 + ["N"] * 4


def test_read_trades_csv_when_side_is_ask_then_refused_as_ambiguous(tmp_path: Path) -> None:
    path = _csv(tmp_path, "ts,price,size,side\n1,1,1,B\n2,1,1,Ask\n")

    with pytest.raises(DataError, match="row 1 side 'Ask' is not one of"):
        read_trades_csv(path)


def test_read_trades_csv_when_size_fractional_then_error(tmp_path: Path) -> None:
    path = _csv(tmp_path, "ts,price,size,side\n1,1,1.5,B\n")

    with pytest.raises(DataError, match=r"row 0 size '1\.5' is not a whole number"):
        read_trades_csv(path)


def test_read_trades_csv_when_price_is_text_then_error(tmp_path: Path) -> None:
    path = _csv(tmp_path, "ts,price,size,side\n1,abc,1,B\n")

    with pytest.raises(DataError, match="row 0 price 'abc' is not a number"):
        read_trades_csv(path)


def test_read_trades_csv_when_price_empty_then_nan_left_for_validation(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"ts,price,size,side\n{OPEN_2024_01_02_NS},,1,B\n")

    assert np.isnan(read_trades_csv(path)["price"].iloc[0])


def test_read_trades_csv_when_mapping_key_unknown_then_value_error(tmp_path: Path) -> None:
    path = _csv(tmp_path, "ts,price,size,side\n1,1,1,B\n")

    with pytest.raises(ValueError, match=r"mapping keys must be among .*got \['qty'\]"):
        read_trades_csv(path, {"qty": "size"})


def test_write_then_read_trades_parquet_when_round_trip_then_identical(tmp_path: Path) -> None:
    trades = pd.DataFrame(
        {
            "ts": [OPEN_2024_01_02_NS, OPEN_2024_01_02_NS + 1],
            "price": [4800.25, 4800.5],
            "size": [3, 1],
            "side": ["B", "N"],
        }
    )
    path = tmp_path / "trades.parquet"

    write_trades_parquet(trades, path)

    pd.testing.assert_frame_equal(read_trades_parquet(path), trades, check_dtype=False)
    assert read_trades_parquet(path)["ts"].dtype == np.int64


def test_read_trades_parquet_when_zoned_timestamps_and_numeric_sides_then_standard(
    tmp_path: Path,
) -> None:
    source = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-01-02 09:30:00"]).tz_localize("America/New_York"),
            "price": [4800.25],
            "size": [2],
            "aggressor": [-1],
        }
    )
    path = tmp_path / "vendor.parquet"
    source.to_parquet(path)

    trades = read_trades_parquet(path, {"ts": "when", "side": "aggressor"})

    assert trades["ts"].tolist() == [OPEN_2024_01_02_NS]
    assert trades["side"].tolist() == ["A"]


def test_read_trades_parquet_when_timestamps_naive_then_error(tmp_path: Path) -> None:
    source = pd.DataFrame(
        {"ts": pd.to_datetime(["2024-01-02 09:30:00"]), "price": [1.0], "size": [1], "side": ["B"]}
    )
    path = tmp_path / "naive.parquet"
    source.to_parquet(path)

    with pytest.raises(DataError, match="datetime without a zone"):
        read_trades_parquet(path)


def test_write_trades_parquet_when_column_missing_then_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"missing \['side'\]"):
        write_trades_parquet(
            pd.DataFrame({"ts": [1], "price": [1.0], "size": [1]}), tmp_path / "x.parquet"
        )


def test_write_trades_parquet_when_esh4_trades_round_trip_then_counts_kept(tmp_path: Path) -> None:
    if not ESH4_HOUR.exists():
        pytest.skip(f"real data missing: {ESH4_HOUR}")
    frame = read_dbn(ESH4_HOUR)
    trades = frame.loc[frame["action"] == "T", ["ts", "price", "size", "side"]]
    path = tmp_path / "esh4.parquet"

    write_trades_parquet(trades, path)
    back = read_trades_parquet(path)

    assert len(back) == 2_973 and back["size"].sum() == 9_892
    np.testing.assert_array_equal(back["ts"].to_numpy(), trades["ts"].to_numpy())

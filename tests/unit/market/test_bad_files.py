"""Readers on bad files and on the `data` limits: a DataError naming the file, or a clean read.

The full list of bad files, each through `orderflow import` with the store checked unchanged, is in
tests/integration/cli/test_cli_import_bad_files.py; this file covers the reader-level rules.

Real-data variants: Databento GLBX.MDP3 extracts (ESH4 MBO), published as test fixtures by the
NautilusTrader project (LGPL-3.0 repository); databento-python test data, Apache-2.0; the 6E
minute bars from NautilusTrader test data (LGPL-3.0 repository).
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import databento_dbn
import pytest
import zstandard

from orderflow_lib.core.config import DataSettings, Settings, load_settings
from orderflow_lib.core.errors import ConfigError, DataError
from orderflow_lib.market.readers import (
    dbn_mbo_array,
    dbn_trades_array,
    load_dbn_records,
    read_lean_bars,
    read_trades_csv,
)

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
ESH4_HOUR = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
TRADES_FILE = DATA / "databento-schemas" / "test_data.trades.dbn.zst"
EURO_FX = DATA / "cme-6e-2024-01" / "6EH4.XCME_1min_bars_20240101_20240131.csv.gz"
OPEN_NS = 1_709_649_000_000_000_000  # 2024-03-05 09:30 ET


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path


def _raw(path: Path) -> bytes:
    with path.open("rb") as handle, zstandard.ZstdDecompressor().stream_reader(handle) as reader:
        return reader.read()


def _split(raw: bytes) -> tuple[bytes, bytes]:
    end = 8 + int.from_bytes(raw[4:8], "little")
    return raw[:end], raw[end:]


def test_defaults_when_settings_loaded_then_limits_are_10000_lots_and_years_2000_to_2100() -> None:
    limits = Settings().data

    assert limits.max_trade_size == 10_000
    assert limits.earliest_ts == datetime(2000, 1, 1, tzinfo=UTC)
    assert limits.latest_ts == datetime(2100, 1, 1, tzinfo=UTC)


def test_settings_when_latest_not_after_earliest_then_config_error_names_both() -> None:
    environ = {"ORDERFLOW_DATA__LATEST_TS": "1999-12-31T00:00:00Z"}

    with pytest.raises(ConfigError, match="latest_ts must be after earliest_ts"):
        load_settings(environ=environ)


def test_settings_when_time_has_no_zone_then_config_error() -> None:
    with pytest.raises(ConfigError, match=r"setting 'data\.earliest_ts' is invalid"):
        load_settings(environ={"ORDERFLOW_DATA__EARLIEST_TS": "2001-01-01T00:00:00"})


def test_esh4_hour_when_max_trade_size_below_its_largest_print_then_error_names_record() -> None:
    path = _need(ESH4_HOUR)
    biggest = int(dbn_trades_array(path)["size"].max())

    with pytest.raises(
        DataError, match=rf"{re.escape(str(path))}: record \d+ is a trade of {biggest} lots"
    ):
        dbn_mbo_array(path, limits=DataSettings(max_trade_size=biggest - 1))


def test_dbn_trades_when_earliest_ts_after_the_file_then_error_names_the_limit() -> None:
    path = _need(TRADES_FILE)
    limits = DataSettings(earliest_ts=datetime(2021, 1, 1, tzinfo=UTC))

    with pytest.raises(DataError, match=r"record 0 has time .* outside 2021-01-01T00:00:00\+00:00"):
        dbn_trades_array(path, limits=limits)


def test_csv_when_earliest_ts_moved_then_a_file_the_defaults_accept_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "trades.csv"
    path.write_text(f"ts,price,size,side\n{OPEN_NS},5100.25,1,B\n")
    limits = DataSettings(earliest_ts=datetime(2025, 1, 1, tzinfo=UTC))

    assert len(read_trades_csv(path)) == 1
    with pytest.raises(DataError, match=rf"{re.escape(str(path))}: row 0 has time {OPEN_NS} ns"):
        read_trades_csv(path, limits=limits)


def test_dbn_when_live_gateway_records_among_trades_then_skipped_not_refused(
    tmp_path: Path,
) -> None:
    metadata, body = _split(_raw(_need(TRADES_FILE)))
    heartbeat = bytes(databento_dbn.SystemMsg(ts_event=OPEN_NS, msg="Heartbeat"))
    path = tmp_path / "live.trades.dbn"
    path.write_bytes(metadata + heartbeat + body + heartbeat)

    loaded = load_dbn_records(path)

    assert len(loaded.records) == 4
    assert loaded.records.tobytes() == body


def test_dbn_when_two_foreign_types_then_each_counted(tmp_path: Path) -> None:
    metadata, body = _split(_raw(_need(TRADES_FILE)))
    ohlcv = _split(_raw(_need(TRADES_FILE.with_name("test_data.ohlcv-1m.dbn.zst"))))[1]
    mbp1 = _split(_raw(_need(TRADES_FILE.with_name("test_data.mbp-1.dbn.zst"))))[1]
    path = tmp_path / "mixed.trades.dbn"
    path.write_bytes(metadata + body + ohlcv + mbp1[: mbp1[0] * 4])

    with pytest.raises(DataError) as caught:
        load_dbn_records(path)

    assert str(caught.value).startswith(
        f"{path}: the file says it holds 'trades' records, but besides 4 of them it has 5 of "
        "other types (1 mbp-1 (rtype 0x01), 4 ohlcv-1m (rtype 0x21))"
    )


def test_dbn_when_metadata_cut_then_error_says_how_short(tmp_path: Path) -> None:
    path = tmp_path / "cut.trades.dbn"
    path.write_bytes(_raw(_need(TRADES_FILE))[:100])

    with pytest.raises(
        DataError, match=r"metadata block claims 360 bytes but the data has only 100"
    ):
        load_dbn_records(path)


def test_dbn_when_file_empty_then_error_says_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.dbn.zst"
    path.write_bytes(b"")

    with pytest.raises(DataError, match=rf"{re.escape(str(path))}: the file is empty \(0 bytes\)"):
        load_dbn_records(path)


def test_dbn_when_garbage_after_the_last_zstd_frame_then_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "tail.trades.dbn.zst"
    path.write_bytes(_need(TRADES_FILE).read_bytes() + b"not zstd")

    with pytest.raises(DataError, match="the zstd-compressed data is corrupt at byte 217"):
        load_dbn_records(path)


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_real_csv_gz_when_cut_then_error_not_a_short_read(tmp_path: Path, fraction: float) -> None:
    data = _need(EURO_FX).read_bytes()
    path = tmp_path / EURO_FX.name
    path.write_bytes(data[: int(len(data) * fraction)])

    with pytest.raises(
        DataError, match=rf"{re.escape(str(path))}: the compressed data stops before its end"
    ):
        read_trades_csv(path)


def test_csv_when_last_line_complete_without_line_break_then_read(tmp_path: Path) -> None:
    path = tmp_path / "trades.csv"
    path.write_text(f"ts,price,size,side\n{OPEN_NS},5100.25,1,B")

    assert read_trades_csv(path)["side"].tolist() == ["B"]


def test_lean_bars_when_zip_is_junk_then_error_names_it(tmp_path: Path) -> None:
    path = tmp_path / "es_trade.zip"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)))

    with pytest.raises(DataError, match=rf"{re.escape(str(path))}: not a readable zip file"):
        read_lean_bars(path)


def test_lean_bars_when_member_damaged_then_error_names_the_zip(tmp_path: Path) -> None:
    path = tmp_path / "es_trade.zip"
    rows = "".join(f"20131007 {h:02d}:00,1690,1691,1689,1690.5,{100 + h}\n" for h in range(24))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("es_trade_201312.csv", rows)
    content = bytearray(path.read_bytes())
    start = content.index(b"20131007 05:00")
    content[start : start + 4] = b"XXXX"
    path.write_bytes(bytes(content))

    with pytest.raises(
        DataError, match=rf"{re.escape(str(path))}: not a readable zip file \(Bad CRC-32"
    ):
        read_lean_bars(path)


def test_trade_sizes_when_one_lot_above_the_limit_then_that_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "trades.csv"
    rows = [f"{OPEN_NS + i},5100,{size},B\n" for i, size in enumerate([10_000, 10_001])]
    path.write_text("ts,price,size,side\n" + "".join(rows))

    with pytest.raises(DataError, match="row 1 is a trade of 10,001 lots"):
        read_trades_csv(path)
